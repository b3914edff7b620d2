"""Progress of a long wait, for a person watching or for a CI log.

On a terminal: one live line (deploy id, status, elapsed time) rewritten in place. In CI or a pipe:
one line per status change, so a log stays short and readable.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

from mosaic_hooks.cli.output import write


def format_elapsed(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def is_live_terminal(stream: TextIO) -> bool:
    if os.environ.get("CI") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Progress:
    """`note(line)` writes a permanent line; `status(deploy_id, status, elapsed)` shows where things stand."""

    def __init__(self, stream: TextIO | None = None, *, live: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.live = is_live_terminal(self.stream) if live is None else live
        self._shown = False  # a live line is on screen
        self._last: tuple[str | None, str] | None = None

    def note(self, line: str) -> None:
        self._clear()
        write(line + "\n", self.stream)

    def status(self, deploy_id: str | None, status: str, elapsed: float) -> None:
        key = (deploy_id, status)
        text = f"{deploy_id + ': ' if deploy_id else ''}{status} ({format_elapsed(elapsed)})"
        if self.live:
            write(f"\r\033[K{text}", self.stream)
            self._shown = True
        elif key != self._last:
            write(text + "\n", self.stream)
        self._last = key

    def finish(self) -> None:
        self._clear()

    def _clear(self) -> None:
        if self._shown:
            write("\r\033[K", self.stream)
            self._shown = False

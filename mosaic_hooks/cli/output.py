"""All user-facing writes: one place for colour, redaction and the stream choice."""

from __future__ import annotations

import os
import sys
from typing import TextIO

from mosaic_hooks.core.redact import redact

_COLORS = {"red": "31", "green": "32", "yellow": "33", "blue": "34", "bold": "1", "dim": "2"}


def use_color(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def color(text: str, name: str, stream: TextIO | None = None) -> str:
    if not use_color(stream or sys.stdout):
        return text
    return f"\033[{_COLORS[name]}m{text}\033[0m"


def printable(text: str) -> str:
    """Text any terminal can show: bytes of a name that are not UTF-8 (kept by surrogateescape) become U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def write(text: str, stream: TextIO | None = None) -> None:
    stream = stream or sys.stdout
    stream.write(redact(text))
    stream.flush()


def write_line(text: str = "", stream: TextIO | None = None) -> None:
    write(text + "\n", stream)


def error_line(text: str) -> None:
    write_line(f"mosaic-hooks: {text}", sys.stderr)

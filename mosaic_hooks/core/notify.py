"""A desktop notification, where the platform has a notifier; nothing (and no error) where it has none.

Tried in order: terminal-notifier (macOS, installed by the user), osascript (macOS's own), notify-send
(Linux desktops). The notifier gets the text as arguments, never through a shell, and a few seconds.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Mapping

from mosaic_hooks.core.redact import redact

NOTIFY_TIMEOUT = 5.0


def _applescript_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def command(title: str, body: str, *, path: str | None = None, platform: str = sys.platform) -> list[str] | None:
    """The notifier's command line for this machine; None when it has no notifier. Pure but for PATH lookups."""
    if found := shutil.which("terminal-notifier", path=path):
        return [found, "-title", title, "-message", body, "-group", "mosaic-hooks"]
    if platform == "darwin" and (found := shutil.which("osascript", path=path)):
        script = f"display notification {_applescript_string(body)} with title {_applescript_string(title)}"
        return [found, "-e", script]
    if found := shutil.which("notify-send", path=path):
        return [found, "--app-name=mosaic-hooks", title, body]
    return None


def desktop(title: str, body: str, *, env: Mapping[str, str] | None = None) -> str | None:
    """Show the notification; the notifier's name if one was run, else None."""
    path = None if env is None else env.get("PATH")
    argv = command(redact(title), redact(body), path=path)
    if argv is None:
        return None
    try:
        subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=NOTIFY_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return argv[0].rsplit("/", 1)[-1]

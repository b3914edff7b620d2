"""Desktop notifications: the platform's notifier when there is one, given the text as arguments; none
is no error."""

from __future__ import annotations

import stat
from pathlib import Path

from mosaic_hooks.core import notify


def tool(directory: Path, name: str, log: Path) -> None:
    path = directory / name
    path.write_text(f"#!/bin/sh\nprintf '%s|' \"$@\" > {log}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def test_no_notifier_no_notification_and_no_error(tmp_path: Path) -> None:
    assert notify.command("t", "b", path=str(tmp_path)) is None
    assert notify.desktop("t", "b", env={"PATH": str(tmp_path)}) is None


def test_notify_send_gets_title_and_body_as_arguments(tmp_path: Path) -> None:
    log = tmp_path / "args"
    tool(tmp_path, "notify-send", log)
    assert notify.desktop("production FAILED", "main at abc: it's \"down\"; $(rm -rf)",
                          env={"PATH": str(tmp_path)}) == "notify-send"
    assert log.read_text() == "--app-name=mosaic-hooks|production FAILED|main at abc: it's \"down\"; $(rm -rf)|"


def test_macos_uses_terminal_notifier_first_then_osascript(tmp_path: Path) -> None:
    for name in ("osascript", "notify-send"):
        tool(tmp_path, name, tmp_path / "x")
    argv = notify.command("t", 'say "hi"', path=str(tmp_path), platform="darwin")
    assert argv is not None and argv[0].endswith("osascript")
    assert argv[2] == 'display notification "say \\"hi\\"" with title "t"'
    tool(tmp_path, "terminal-notifier", tmp_path / "x")
    first = notify.command("t", "b", path=str(tmp_path), platform="darwin")
    assert first is not None and first[0].endswith("terminal-notifier")
    linux = notify.command("t", "b", path=str(tmp_path / "none") + ":" + str(tmp_path), platform="linux")
    assert linux is not None and not linux[0].endswith("osascript")

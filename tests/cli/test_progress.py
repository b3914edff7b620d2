"""Progress of a wait: one rewritten line on a terminal, one line per change in a pipe."""

from __future__ import annotations

import io

import pytest

from mosaic_hooks.cli.progress import Progress, format_elapsed


@pytest.mark.parametrize(("seconds", "shown"), [(0, "0s"), (59.9, "59s"), (61, "1m01s"), (3725, "1h02m")])
def test_elapsed_time_is_short_and_readable(seconds: float, shown: str) -> None:
    assert format_elapsed(seconds) == shown


def test_in_a_pipe_only_status_changes_are_written_one_per_line() -> None:
    stream = io.StringIO()
    progress = Progress(stream, live=False)
    for elapsed in (1, 2, 3):
        progress.status("dep-1", "build_in_progress", elapsed)
    progress.status("dep-1", "live", 4)
    progress.finish()
    assert stream.getvalue() == "dep-1: build_in_progress (1s)\ndep-1: live (4s)\n"


def test_on_a_terminal_one_line_is_rewritten_in_place_and_notes_clear_it_first() -> None:
    stream = io.StringIO()
    progress = Progress(stream, live=True)
    progress.status("dep-1", "build_in_progress", 1)
    progress.status("dep-1", "build_in_progress", 2)
    progress.note("found something")
    progress.status(None, "waiting", 3)
    progress.finish()
    out = stream.getvalue()
    assert out.count("\n") == 1  # only the note is a line of its own
    assert "\r\033[Kdep-1: build_in_progress (2s)" in out
    assert "\r\033[Kfound something\n" in out
    assert out.endswith("\r\033[K")


def test_in_ci_a_terminal_still_gets_plain_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("TERM", raising=False)
    monkeypatch.setenv("CI", "true")
    assert Progress(Tty()).live is False
    monkeypatch.delenv("CI")
    assert Progress(Tty()).live is True

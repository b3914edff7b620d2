"""The reliability log: one JSON line per case, nothing when unset, exact under concurrent writers."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from tests.support.reliability_log import (
    ENV_VAR,
    ReliabilityLog,
    has_traceback,
    is_one_line,
    reliability_log,
)

__all__ = ["reliability_log"]


def test_without_the_variable_the_fixture_writes_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                         request: pytest.FixtureRequest) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    log: ReliabilityLog = request.getfixturevalue("reliability_log")
    record = log.fault("x", target="verify", expected="pass", actual="pass", elapsed=1, bound=2)
    assert record["right"] is True
    assert not log.enabled
    assert list(tmp_path.iterdir()) == []


def test_the_fixture_appends_one_line_per_case_where_the_variable_points(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "log.jsonl"))
    log: ReliabilityLog = request.getfixturevalue("reliability_log")
    log.bad_input("config", "bom", exit_code=2, expected_exit=2, output="mosaic-hooks: bad\n", elapsed=0.5,
                  bound=10)
    log.bad_input("config", "nul", exit_code=3, expected_exit=2, output="a\nb\n", elapsed=0.5, bound=10)
    first, second = (json.loads(line) for line in (tmp_path / "log.jsonl").read_text().splitlines())
    assert first["kind"] == "bad_input"
    assert first["test"].endswith("test_the_fixture_appends_one_line_per_case_where_the_variable_points")
    assert (first["right"], first["one_line"], first["traceback"], first["within_bound"]) == (True, True, False, True)
    assert (second["right"], second["one_line"]) == (False, False)


def test_fault_records_judge_verdict_and_time(tmp_path: Path) -> None:
    log = ReliabilityLog(tmp_path / "log.jsonl", "t")
    wrong = log.fault("hang", target="wait", expected=["inconclusive", "fail"], actual="pass", elapsed=11,
                      bound=10, injected=1)
    assert (wrong["right"], wrong["within_bound"], wrong["expected"]) == (False, False, ["inconclusive", "fail"])


def test_fuzz_tally_counts_and_lets_unexpected_errors_through(tmp_path: Path) -> None:
    log = ReliabilityLog(tmp_path / "log.jsonl", "t")
    with pytest.raises(KeyError), log.fuzz("parser", expected=(ValueError,)) as tally:
        with tally.case():
            pass
        with tally.case():
            raise ValueError("documented")
        with tally.case():
            raise KeyError("a bug")
    record = json.loads((tmp_path / "log.jsonl").read_text())
    assert (record["cases"], record["accepted"], record["rejected"], record["tracebacks"]) == (3, 1, 1, 1)
    assert record["examples"] == ["KeyError: 'a bug'"]


def test_concurrent_writers_leave_every_line_whole(tmp_path: Path) -> None:
    log = ReliabilityLog(tmp_path / "log.jsonl", "t")

    def write(worker: int) -> None:
        for index in range(50):
            log.records(f"worker {worker} #{index}" + "x" * 300, expected=1, found=1)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    lines = (tmp_path / "log.jsonl").read_text().splitlines()
    assert len(lines) == 400
    assert all(json.loads(line)["lost"] == 0 for line in lines)


def test_traceback_and_one_line_helpers() -> None:
    assert has_traceback("Traceback (most recent call last):\n  File ...")
    assert has_traceback(b"mosaic-hooks: internal error: KeyError: 'x' (this is a bug; ...)")
    assert not has_traceback("mosaic-hooks: pyproject.toml: invalid TOML")
    assert is_one_line("mosaic-hooks: broken\n")
    assert not is_one_line("first\nsecond\n")
    assert not is_one_line("")

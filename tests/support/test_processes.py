"""Process helpers: released together, killed or interrupted on a condition, JSON files judged strictly."""

from __future__ import annotations

import json
import signal
import sys
import time
from pathlib import Path

import pytest

from tests.support.processes import (
    Child,
    file_changed,
    file_grew,
    python_code,
    read_json_strictly,
    read_jsonl_strictly,
    run_together,
    temp_file_appeared,
)


def test_commands_run_together_start_within_a_short_window(tmp_path: Path) -> None:
    code = "import time; print(time.time())"
    before = time.time()
    results = run_together([python_code(code)] * 10, cwd=tmp_path, timeout=60)
    assert [result.returncode for result in results] == [0] * 10
    starts = [float(result.stdout) for result in results]
    assert min(starts) >= before + 0.2  # none ran before the release (which follows a 0.2 s settle)
    assert max(starts) - min(starts) < 1.0


def test_kill_on_a_condition_lands_while_the_child_works(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    code = (f"import time\nwith open({str(target)!r}, 'a') as f:\n"
            "    for i in range(100000):\n        f.write('{\"i\": %d}\\n' % i); f.flush(); time.sleep(0.001)\n")
    with Child(python_code(code)) as child:
        landed = child.wait_for(file_grew(target, 200), timeout=20)
        assert child.signal(signal.SIGKILL)
    assert landed
    assert child.result is not None
    assert child.result.killed_by == signal.SIGKILL
    assert child.result.signalled == signal.SIGKILL


def test_a_signal_after_the_child_exited_is_reported_as_not_sent() -> None:
    with Child(python_code("pass")) as child:
        assert not child.wait_for(lambda: False, timeout=5)
        assert not child.signal(signal.SIGKILL)
    assert child.result is not None
    assert (child.result.returncode, child.result.signalled) == (0, None)


def test_ctrl_c_reaches_the_child_as_a_terminal_sends_it() -> None:
    code = ("import sys, time\nprint('ready', flush=True)\ntry:\n    time.sleep(30)\n"
            "except KeyboardInterrupt:\n    print('interrupted', flush=True); sys.exit(130)\n")
    with Child(python_code(code)) as child:
        assert child.wait_for(lambda: "ready" in child.stdout(), timeout=20)
        child.signal(signal.SIGINT)
    assert child.result is not None
    assert child.result.returncode == 130
    assert "interrupted" in child.result.stdout
    assert child.result.elapsed < 20


def test_a_child_outliving_its_timeout_is_killed() -> None:
    child = Child(python_code("import time; time.sleep(30)"))
    result = child.finish(timeout=0.5)
    assert result.timed_out
    assert result.killed_by == signal.SIGKILL


def test_stdin_is_delivered() -> None:
    with Child(python_code("import sys; print(sys.stdin.read().upper())"), stdin=b"refs/heads/main\n") as child:
        pass
    assert child.result is not None and child.result.stdout.strip() == "REFS/HEADS/MAIN"


def test_file_conditions(tmp_path: Path) -> None:
    path = tmp_path / "metrics.json"
    changed, grew, appeared = file_changed(path), file_grew(path, 3), temp_file_appeared(tmp_path, "*.tmp")
    assert not changed() and not grew() and not appeared()
    path.write_text("{}")
    assert changed() and not grew()
    path.write_text('{"a": 1}')
    (tmp_path / "x.tmp").write_text("")
    assert grew() and appeared()


def test_jsonl_is_judged_line_by_line(tmp_path: Path) -> None:
    path = tmp_path / "history.jsonl"
    path.write_text(json.dumps({"a": 1}) + "\n[1]\n{broken\n" + json.dumps({"b": 2}) + "\n{\"c\": ")
    lines = read_jsonl_strictly(path)
    assert lines.records == [{"a": 1}, {"b": 2}]
    assert [number for number, _ in lines.bad_lines] == [2, 3, 5]
    assert lines.torn_tail and not lines.whole
    path.write_text(json.dumps({"a": 1}) + "\n")
    assert read_jsonl_strictly(path).whole
    assert read_jsonl_strictly(tmp_path / "missing.jsonl").whole


def test_a_cut_json_document_is_an_assertion_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "dora_metrics.json"
    path.write_text('{"deployment_frequency": ')
    with pytest.raises(AssertionError, match=r"dora_metrics\.json is not a whole JSON document"):
        read_json_strictly(path)
    path.write_text("{}")
    assert read_json_strictly(path) == {}


def test_python_code_uses_this_interpreter() -> None:
    assert python_code("pass")[0] == sys.executable

"""The story's own checks: what it quotes of a command's output, and how it tells a history that is not
what the step should have recorded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mosaic_hooks.demo.sandbox import DemoError, Ran, Sandbox
from mosaic_hooks.demo.service import ShopService
from mosaic_hooks.demo.story import Story, matching, plural, seconds_between


def story(tmp_path: Path, records: list[dict[str, Any]]) -> tuple[Story, list[str]]:
    sandbox = Sandbox(tmp_path / "demo")
    sandbox.prepare()
    history = sandbox.repo / ".mosaic" / "deployment_history.jsonl"
    history.parent.mkdir()
    history.write_text("".join(json.dumps(r) + "\n" for r in records))
    said: list[str] = []
    told = Story(sandbox, ShopService(sandbox), fake=None, say=said.append)
    told.current = told.steps[0]
    return told, said


def test_matching_quotes_each_matching_line_once_in_order() -> None:
    ran = Ran(("x",), 0, "  GET     /items  200 5 ms\nverdict: PASS; exit 0\n",
              "mosaic-hooks: live\nverdict: PASS; exit 0\n")
    assert matching(ran, r"^verdict", r"/items") == ["GET     /items  200 5 ms", "verdict: PASS; exit 0"]
    assert matching(ran, r".", limit=1) == ["GET     /items  200 5 ms"]


def test_the_last_record_is_checked_and_described(tmp_path: Path) -> None:
    told, said = story(tmp_path, [{"commit": "a" * 40, "success": True, "verdict": "pass", "remediation": False},
                                  {"commit": "b" * 40, "success": True, "verdict": "pass", "remediation": True}])
    told.expect_recorded("b" * 40, success=True, remediation=True)
    assert said == ["  history: 2 records (pass, pass); the last: bbbbbbbbbb pass, a remediation"]
    assert told.steps[0].evidence == [said[0].strip()]


@pytest.mark.parametrize(("sha", "success", "remediation", "problem"), [
    ("c" * 40, True, False, "the last history record is of bbbbbbbbbb, not cccccccccc"),
    ("b" * 40, False, False, "recorded success=True for bbbbbbbbbb, expected False"),
    ("b" * 40, True, True, "recorded remediation=False for bbbbbbbbbb, expected True"),
])
def test_a_record_that_is_not_what_the_step_expects_is_named(tmp_path: Path, sha: str, success: bool,
                                                             remediation: bool, problem: str) -> None:
    told, _ = story(tmp_path, [{"commit": "b" * 40, "success": True, "verdict": "pass", "remediation": False}])
    with pytest.raises(DemoError, match=problem):
        told.expect_recorded(sha, success=success, remediation=remediation)


def test_no_history_at_all_is_named(tmp_path: Path) -> None:
    told, _ = story(tmp_path, [])
    with pytest.raises(DemoError, match="the history has no record"):
        told.expect_recorded("a" * 40, success=True)


def test_small_words() -> None:
    assert plural(1, "record") == "1 record" and plural(6, "record") == "6 records"
    assert seconds_between("2026-11-24T18:36:45Z", "2026-11-24T18:36:50Z") == 5.0

"""The one requirement judge, shared by the local check and the dependencies gate."""

from __future__ import annotations

from mosaic_hooks.detect.requirements.judge import FAIL, NOT_APPLICABLE, OK, UNDECIDED, Wanted, judge


def test_a_marker_that_cannot_be_evaluated_is_undecided_not_an_error() -> None:
    verdict = judge(Wanted("foo", ">=1", 'python_version ~= "abc"'), "1.0", {"python_version": "3.11"})
    assert verdict.verdict == UNDECIDED
    assert verdict.reason.startswith("foo>=1: cannot evaluate marker 'python_version ~= \"abc\"'")


def test_a_marker_that_does_not_parse_is_undecided() -> None:
    assert judge(Wanted("foo", ">=1", "python_version >>> '3'"), "1.0").verdict == UNDECIDED


def test_verdicts() -> None:
    assert judge(Wanted("foo", ">=1"), "1.2").verdict == OK
    assert judge(Wanted("foo", ">=2"), "1.2").verdict == FAIL
    assert judge(Wanted("foo", ">=1"), None).verdict == FAIL
    assert judge(Wanted("foo", ">=1", "python_version < '3'"), None).verdict == NOT_APPLICABLE
    assert judge(Wanted("foo", "^1"), "1.2").verdict == UNDECIDED
    assert judge(Wanted("foo", ">=1"), "not-a-version").verdict == UNDECIDED

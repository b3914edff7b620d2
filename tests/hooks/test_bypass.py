"""Bypass: MOSAIC_HOOKS=0, pre-commit's SKIP, MOSAIC_SKIP; every skip is printed, a typo is an error."""

from __future__ import annotations

import pytest

from mosaic_hooks.core.errors import MosaicError
from mosaic_hooks.hooks import bypass


@pytest.mark.parametrize("value", ["0", "false", "OFF", " no "])
def test_mosaic_hooks_off_switches_every_stage_off_and_says_so(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert bypass.stage_bypass("pre-push", {"MOSAIC_HOOKS": value})
    assert capsys.readouterr().out.strip() == f"mosaic-hooks: pre-push: skipped (MOSAIC_HOOKS={value.strip()})"


def test_mosaic_hooks_one_or_unset_keeps_hooks_on(capsys: pytest.CaptureFixture[str]) -> None:
    assert not bypass.stage_bypass("check", {"MOSAIC_HOOKS": "1"})
    assert not bypass.stage_bypass("check", {})
    assert capsys.readouterr().out == ""


def test_pre_commit_skip_of_our_hook_id_skips_that_stage_only(capsys: pytest.CaptureFixture[str]) -> None:
    env = {"SKIP": "flake8, mosaic-gate"}
    assert bypass.stage_bypass("pre-push", env)
    assert not bypass.stage_bypass("check", env)
    assert capsys.readouterr().out.strip() == "mosaic-hooks: pre-push: skipped (SKIP=mosaic-gate)"


def test_mosaic_skip_passes_the_named_checks_on() -> None:
    assert bypass.skipped_checks({"MOSAIC_SKIP": "health, migrations,"}) == frozenset({"health", "migrations"})
    assert bypass.skipped_checks({}) == frozenset()


def test_a_skipped_check_is_announced_once(capsys: pytest.CaptureFixture[str]) -> None:
    env = {"MOSAIC_SKIP": "contract"}
    assert bypass.is_skipped("contract", env)
    assert bypass.is_skipped("contract", env)
    assert not bypass.is_skipped("health", env)
    assert capsys.readouterr().out.splitlines() == ["mosaic-hooks: contract: skipped (MOSAIC_SKIP)"]


def test_an_unknown_name_in_mosaic_skip_is_a_usage_error_not_a_silent_pass() -> None:
    with pytest.raises(MosaicError) as exc:
        bypass.stage_bypass("check", {"MOSAIC_SKIP": "helth"})
    assert exc.value.exit_code == 2
    assert "helth" in exc.value.line() and "health" in exc.value.line()


def test_skipping_local_skips_the_commit_stage(capsys: pytest.CaptureFixture[str]) -> None:
    assert bypass.stage_bypass("check", {"MOSAIC_SKIP": "local"})
    assert "local: skipped (MOSAIC_SKIP)" in capsys.readouterr().out


@pytest.fixture(autouse=True)
def _fresh_announcements() -> None:
    bypass._announced.clear()

"""The eleven documented deploy statuses, and a future one, sorted for a waiter."""

from __future__ import annotations

import pytest

from mosaic_hooks.render import statuses


@pytest.mark.parametrize(("status", "phase"), [
    ("created", "in_progress"),
    ("queued", "in_progress"),
    ("build_in_progress", "in_progress"),
    ("pre_deploy_in_progress", "in_progress"),
    ("update_in_progress", "in_progress"),
    ("live", "live"),
    ("deactivated", "deactivated"),
    ("build_failed", "failed"),
    ("pre_deploy_failed", "failed"),
    ("update_failed", "failed"),
    ("canceled", "canceled"),
])
def test_every_documented_status_has_its_phase(status: str, phase: str) -> None:
    assert statuses.phase(status) == phase
    assert statuses.is_known(status)
    assert statuses.is_terminal(status) is (phase != "in_progress")


def test_there_are_exactly_eleven_known_statuses() -> None:
    assert len(statuses.KNOWN) == 11


@pytest.mark.parametrize("status", ["warming_caches", "", None])
def test_an_unknown_status_is_still_in_progress_not_a_failure(status: str | None) -> None:
    assert statuses.phase(status) == "in_progress"
    assert not statuses.is_terminal(status)


def test_descriptions_are_for_people_and_name_unknown_statuses() -> None:
    assert statuses.describe("update_failed") == "the new instances did not become healthy"
    assert "does not know" in statuses.describe("warming_caches")
    assert statuses.describe(None) == "no status yet"

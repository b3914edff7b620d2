"""Crash loops after live, judged from service events."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from mosaic_hooks.core.isotime import iso_millis as format_time
from mosaic_hooks.render.crash import judge

LIVE = datetime(2026, 11, 24, 18, 0, tzinfo=timezone.utc)


def event(kind: str, seconds_after_live: float) -> dict[str, object]:
    return {"id": "evt-1", "type": kind, "timestamp": format_time(LIVE + timedelta(seconds=seconds_after_live)),
            "details": {}}


def test_one_failure_after_live_is_a_crash_loop() -> None:
    verdict = judge([event("server_failed", 5)], LIVE)
    assert verdict.crash_loop and verdict.summary == "1 server_failed"


def test_two_restarts_are_a_crash_loop_and_one_is_not() -> None:
    assert judge([event("server_restarted", 5), event("server_restarted", 9)], LIVE).crash_loop
    assert not judge([event("server_restarted", 5)], LIVE).crash_loop


def test_events_before_live_and_other_types_do_not_count() -> None:
    verdict = judge([event("server_failed", -20), event("deploy_ended", 1), event("server_available", 2)], LIVE)
    assert not verdict.crash_loop and verdict.evidence == [] and verdict.summary == ""


def test_without_a_live_time_every_crash_event_counts() -> None:
    assert judge([event("server_failed", -20)], None).crash_loop

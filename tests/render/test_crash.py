"""Crashes after live, judged from service events shaped as Render's (a captured real list: server_failed
with a failureReason, then server_available; no server_restarted)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from mosaic_hooks.core.isotime import iso_millis as format_time
from mosaic_hooks.render.crash import judge

LIVE = datetime(2026, 10, 14, 5, 16, 49, tzinfo=timezone.utc)
_ids = iter(range(10_000))


def event(kind: str, minutes_after_live: float, **details: Any) -> dict[str, Any]:
    return {"id": f"evt-{next(_ids)}", "type": kind, "serviceId": "srv-1", "details": details,
            "timestamp": format_time(LIVE + timedelta(minutes=minutes_after_live))}


def failed(minutes: float, **reason: Any) -> dict[str, Any]:
    return event("server_failed", minutes, instanceID="srv-1-abc", reason={"evicted": False, **reason})


OOM = {"oomKilled": {"memoryLimit": "512Mi"}}


def test_the_captured_late_oom_kills_are_a_crash_loop_with_their_reason() -> None:
    events = [failed(54, **OOM), event("server_available", 54.5), failed(56, **OOM), event("server_available", 56.4)]
    verdict = judge(events, LIVE)
    assert verdict.crash_loop
    assert verdict.summary == "2 crashes (out of memory (limit 512Mi) x2)"
    assert len(verdict.lines()) == 2 and all("crash: out of memory" in line for line in verdict.lines())


def test_one_crash_is_reported_but_is_not_a_loop() -> None:
    verdict = judge([failed(3, nonZeroExit=137)], LIVE)
    assert not verdict.crash_loop
    assert verdict.summary == "1 crash (non-zero exit (137))"


def test_reasons_name_oom_non_zero_exit_and_unhealthy() -> None:
    verdict = judge([failed(1, **OOM), failed(2, nonZeroExit=1), failed(3, unhealthy="GET /health: 503")], LIVE)
    assert verdict.crash_loop
    causes = [j.cause for j in verdict.crashes]
    assert causes == ["out of memory (limit 512Mi)", "non-zero exit (1)", "unhealthy (GET /health: 503)"]


def test_evictions_and_restarts_someone_asked_for_are_not_crashes() -> None:
    events = [event("server_failed", 1, reason={"evicted": True, "evictionReason": "node drained"}),
              event("server_failed", 2, reason={"evicted": True}),
              event("server_restarted", 3, triggeredByUser="ops@example.com"),
              event("server_restarted", 4, triggeredByUser="ops@example.com")]
    verdict = judge(events, LIVE)
    assert not verdict.crash_loop and verdict.crashes == []
    assert [j.kind for j in verdict.judged] == ["eviction", "eviction", "asked_restart", "asked_restart"]
    assert "not a crash (platform moved the instance): evicted (node drained)" in verdict.lines()[0]


def test_restarts_nobody_asked_for_count_as_crashes() -> None:
    verdict = judge([event("server_restarted", 1, triggeredByUser=None),
                     event("server_restarted", 2, triggeredByUser=None)], LIVE)
    assert verdict.crash_loop


def test_events_before_live_other_types_and_repeats_do_not_count() -> None:
    before = failed(-20, **OOM)
    verdict = judge([before, event("deploy_ended", 1), event("server_available", 2), failed(5, **OOM)], LIVE)
    assert not verdict.crash_loop and len(verdict.evidence) == 1
    twice = failed(6, **OOM)
    assert not judge([twice, twice], LIVE).crash_loop  # one event read twice (two requests) counts once


def test_without_a_live_time_every_crash_event_counts() -> None:
    assert judge([failed(-20, **OOM), failed(-10, **OOM)], None).crash_loop

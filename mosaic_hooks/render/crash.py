"""Whether a service crash-loops after a deploy went live, from Render's service events. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mosaic_hooks.core.isotime import parse as parse_time

CRASH_EVENTS = ("server_failed", "server_restarted")
RESTARTS_FOR_A_LOOP = 2  # one restart can be a deliberate one; two after a deploy are not a coincidence


@dataclass(frozen=True)
class CrashVerdict:
    crash_loop: bool
    summary: str  # e.g. "1 server_failed, 2 server_restarted"; "" when nothing happened
    evidence: list[dict[str, Any]] = field(default_factory=list)  # the events after live


def judge(events: Iterable[dict[str, Any]], live_at: datetime | None) -> CrashVerdict:
    """A `server_failed`, or repeated `server_restarted`, at or after `live_at` is a crash loop.
    Events before it (the old instance, a failed health gate) do not count; without `live_at`, all do."""
    after = [e for e in events if e.get("type") in CRASH_EVENTS
             and (live_at is None or (parse_time(e.get("timestamp")) or live_at) >= live_at)]
    failed = sum(1 for e in after if e.get("type") == "server_failed")
    restarted = sum(1 for e in after if e.get("type") == "server_restarted")
    summary = ", ".join(f"{n} {name}" for n, name in ((failed, "server_failed"), (restarted, "server_restarted"))
                        if n)
    return CrashVerdict(failed >= 1 or restarted >= RESTARTS_FOR_A_LOOP, summary, after)

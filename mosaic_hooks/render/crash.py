"""Whether a service crash-loops after a deploy went live, from Render's service events. Pure.

A captured real event list shows what a crash looks like: `server_failed` with a failureReason
(`oomKilled`, `nonZeroExit`, `unhealthy`, ...) and `evicted: false`, then `server_available` once Render
has restarted the instance; no `server_restarted` at all. So:
- `server_failed` not caused by eviction is a crash;
- `server_failed` with `reason.evicted: true` is the platform moving the instance, not the service's fault;
- `server_restarted` with `triggeredByUser` set is a restart someone asked for; without it, Render
  restarted the service by itself (after failing health checks for 60 s), which counts as a crash.
Repeated crashes (`CRASHES_FOR_A_LOOP`) after live are a crash loop.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from mosaic_hooks.core.isotime import parse as parse_time

CRASH_EVENTS = ("server_failed", "server_restarted")
CRASHES_FOR_A_LOOP = 2  # one crash can be bad luck; two after a deploy are not a coincidence

Kind = Literal["crash", "eviction", "asked_restart"]


@dataclass(frozen=True)
class Judged:
    kind: Kind
    cause: str  # "out of memory (limit 512Mi)", "exit code 1", "evicted", "restart asked by a@b.c"
    at: str  # the event's timestamp, as Render wrote it


@dataclass(frozen=True)
class CrashVerdict:
    crash_loop: bool
    summary: str  # e.g. "2 crashes (out of memory x2)"; "" when nothing happened
    evidence: list[dict[str, Any]] = field(default_factory=list)  # the crash-relevant events after live
    judged: list[Judged] = field(default_factory=list)

    @property
    def crashes(self) -> list[Judged]:
        return [j for j in self.judged if j.kind == "crash"]

    def lines(self) -> list[str]:
        """One line per judged event, for the report."""
        words = {"crash": "crash", "eviction": "not a crash (platform moved the instance)",
                 "asked_restart": "not a crash (a restart someone asked for)"}
        return [f"{j.at}: {words[j.kind]}: {j.cause}" for j in self.judged]


def failure_cause(reason: object) -> str:
    """Render's failureReason in a few words. `oomKilled` is an object `{memoryLimit}` in the generated
    clients (a boolean in some descriptions): any truthy value counts."""
    if not isinstance(reason, dict):
        return "no reason given"
    oom = reason.get("oomKilled")
    if oom:
        limit = oom.get("memoryLimit") if isinstance(oom, dict) else None
        return f"out of memory (limit {limit})" if limit else "out of memory"
    exit_code = reason.get("nonZeroExit")
    if exit_code not in (None, False, 0):
        return f"non-zero exit ({exit_code})" if not isinstance(exit_code, bool) else "non-zero exit"
    if reason.get("unhealthy"):
        detail = reason["unhealthy"]
        return f"unhealthy ({detail})" if isinstance(detail, str) else "unhealthy"
    if reason.get("timedOutSeconds") or reason.get("timedOutReason"):
        return f"timed out ({reason.get('timedOutReason') or str(reason.get('timedOutSeconds')) + ' s'})"
    if reason.get("earlyExit"):
        return "exited early"
    return "no reason given"


def classify(event: dict[str, Any]) -> Judged | None:
    details = event.get("details") if isinstance(event.get("details"), dict) else {}
    assert isinstance(details, dict)
    at = str(event.get("timestamp", ""))
    if event.get("type") == "server_failed":
        reason = details.get("reason")
        if isinstance(reason, dict) and reason.get("evicted") is True:
            why = reason.get("evictionReason")
            return Judged("eviction", f"evicted ({why})" if why else "evicted", at)
        return Judged("crash", failure_cause(reason), at)
    if event.get("type") == "server_restarted":
        user = details.get("triggeredByUser")
        if isinstance(user, str) and user:
            return Judged("asked_restart", f"restart asked by {user}", at)
        return Judged("crash", "restarted by Render (not asked by anyone)", at)
    return None


def judge(events: Iterable[dict[str, Any]], live_at: datetime | None) -> CrashVerdict:
    """Judge the crash events at or after `live_at` (events before it, of the old instance or a failed
    health gate, do not count; without `live_at`, all do). Each event is counted once, by id."""
    seen: set[object] = set()
    after = []
    for event in sorted(events, key=lambda e: str(e.get("timestamp", ""))):
        if event.get("type") not in CRASH_EVENTS or (event.get("id") is not None and event.get("id") in seen):
            continue
        seen.add(event.get("id"))
        moment = parse_time(event.get("timestamp"))
        if live_at is None or (moment or live_at) >= live_at:
            after.append(event)
    judged = [j for j in (classify(e) for e in after) if j is not None]
    crashes = [j for j in judged if j.kind == "crash"]
    parts = []
    if crashes:
        counted = Counter(j.cause for j in crashes)
        causes = ", ".join(f"{cause} x{n}" if n > 1 else cause for cause, n in counted.items())
        parts.append(f"{len(crashes)} crash{'es' if len(crashes) > 1 else ''} ({causes})")
    others = len(judged) - len(crashes)
    if others:
        parts.append(f"{others} not a crash (eviction or asked restart)")
    return CrashVerdict(len(crashes) >= CRASHES_FOR_A_LOOP, "; ".join(parts), after, judged)

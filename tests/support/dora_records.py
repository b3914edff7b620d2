"""Builders of deployment-history records for the DORA tests (the shape of interfaces item 5)."""

from __future__ import annotations

from typing import Any


def sha(name: str) -> str:
    """A readable fake full sha: the name padded to 40 characters (with '.', so 'c1' and 'c10' differ)."""
    return name.ljust(40, ".")[:40]


def record(commit: str, live: str | None, verdict: str = "pass", *, service: str | None = "api",
           deploy_id: str | None = None, commits: list[tuple[str, str | None]] | None = None,
           verified: str | None = None, reason: str | None = None, remediation: bool = False) -> dict[str, Any]:
    """One verification record; `verified` defaults to the live time (the verification took no time)."""
    timestamp = verified or live or "2026-01-01T00:00:00Z"
    return {
        "schema": 1,
        "timestamp": timestamp,
        "commit": sha(commit),
        "base": None,
        "success": verdict == "pass",
        "verdict": verdict,
        "failure_reason": reason if reason is not None else ("health: 503" if verdict == "fail" else None),
        "service": service,
        "deploy_id": deploy_id if deploy_id is not None else f"dep-{commit}-{timestamp}",
        "deploy_created_at": live,
        "deploy_live_at": live,
        "commits": [{"sha": sha(name), "committed_at": at, "authored_at": at} for name, at in (commits or [])],
        "remediation": remediation,
        "gates": [{"name": "health", "status": "passed" if verdict == "pass" else "failed", "summary": "-"}],
        "duration_s": 1.0,
    }

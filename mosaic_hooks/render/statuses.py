"""Render's eleven deploy statuses, sorted into what they mean for someone waiting. Pure."""

from __future__ import annotations

from typing import Literal

Phase = Literal["in_progress", "live", "deactivated", "failed", "canceled"]

IN_PROGRESS = frozenset({"created", "queued", "build_in_progress", "pre_deploy_in_progress", "update_in_progress"})
FAILED = frozenset({"build_failed", "pre_deploy_failed", "update_failed"})
LIVE = "live"
DEACTIVATED = "deactivated"  # was live, then a newer deploy replaced it
CANCELED = "canceled"
KNOWN = IN_PROGRESS | FAILED | {LIVE, DEACTIVATED, CANCELED}

_WORDS = {
    "created": "created, not started yet",
    "queued": "queued behind another deploy",
    "build_in_progress": "building",
    "pre_deploy_in_progress": "running the pre-deploy command",
    "update_in_progress": "starting the new instances",
    "live": "live",
    "deactivated": "was live, since replaced by a newer deploy",
    "build_failed": "the build failed",
    "pre_deploy_failed": "the pre-deploy command failed",
    "update_failed": "the new instances did not become healthy",
    "canceled": "canceled",
}


def phase(status: str | None) -> Phase:
    """What a status means for a waiter. A status Render adds later (or none at all) is still in progress:
    tools with hard-coded lists broke when `queued` and `pre_deploy_in_progress` appeared."""
    if status == LIVE:
        return "live"
    if status == DEACTIVATED:
        return "deactivated"
    if status in FAILED:
        return "failed"
    if status == CANCELED:
        return "canceled"
    return "in_progress"


def is_terminal(status: str | None) -> bool:
    return phase(status) != "in_progress"


def is_known(status: str | None) -> bool:
    return status in KNOWN


def describe(status: str | None) -> str:
    if status is None:
        return "no status yet"
    return _WORDS.get(status, f"{status} (a status mosaic-hooks does not know; treated as in progress)")

"""What waiting for a deploy found. Pure data, shared by `wait`, `verify` and the pre-push stage."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, Literal

from mosaic_hooks.core import exit_codes

WaitState = Literal["live", "failed", "timed_out", "unreachable", "no_deploy", "config_error", "undecided"]
LIVE: Final = "live"  # the deploy of exactly this commit (or a deploy containing it) is live
FAILED: Final = "failed"  # build/pre-deploy/update failed, canceled and not superseded, or a crash loop
TIMED_OUT: Final = "timed_out"
UNREACHABLE: Final = "unreachable"  # Render or the version endpoint could not be reached
NO_DEPLOY: Final = "no_deploy"  # no deploy will come: skip phrase, auto-deploy off, suspended, other branch
CONFIG_ERROR: Final = "config_error"  # no service id, key refused, service not found
UNDECIDED: Final = "undecided"  # Render answered, but cannot settle it (e.g. replaced by an unknown commit)

_EXIT_CODES = {
    LIVE: exit_codes.PASSED,
    FAILED: exit_codes.FAILED,
    CONFIG_ERROR: exit_codes.USAGE,
    TIMED_OUT: exit_codes.INCONCLUSIVE,
    UNREACHABLE: exit_codes.INCONCLUSIVE,
    NO_DEPLOY: exit_codes.INCONCLUSIVE,
    UNDECIDED: exit_codes.INCONCLUSIVE,
}


@dataclass
class WaitOutcome:
    state: WaitState
    commit: str
    reason: str  # one line, for people
    deploy: dict[str, Any] | None = None  # id, status, commit, trigger, createdAt, startedAt, finishedAt
    found_by: str = ""  # "render-api" or "version-endpoint"
    superseded_by: list[str] = field(default_factory=list)  # deploy ids followed after a cancel
    crash_loop: bool | None = None  # None: not known (no API key, or the events could not be read)
    crash_unknown: str | None = None  # why crash loops are unknown although the API was used
    crash_lines: list[str] = field(default_factory=list)  # each crash / eviction / asked restart after live
    crash_watch_s: float = 0.0  # how long after live the events were watched
    events: list[dict[str, Any]] = field(default_factory=list)
    requests: int = 0  # API requests made while waiting
    elapsed_s: float = 0.0

    @property
    def exit_code(self) -> int:
        return _EXIT_CODES[self.state]

"""One run of the production gate, as the reports and the history see it. Pure data."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mosaic_hooks.detect.changeset import ChangeSet
    from mosaic_hooks.gates.result import GateResult
    from mosaic_hooks.render.outcome import WaitOutcome
    from mosaic_hooks.verification.verdict import Verdict


@dataclass
class Verification:
    """One run of the production gate, as the reports and the history see it."""

    commit: str | None
    base: str | None
    verdict: Verdict
    results: list[GateResult]
    outcome: WaitOutcome | None  # None with --no-wait
    changes: ChangeSet | None
    started_at: str  # ISO 8601 UTC, Z
    finished_at: str
    duration_s: float
    backend_url: str | None = None
    service: str | None = None
    inconclusive_blocks: bool = True
    remediation: bool = False
    history_file: Path | None = None  # where the record was appended (None: not recorded)
    metrics_file: Path | None = None  # dora_metrics.json, when refreshed
    recording_error: str | None = None
    switched_off: dict[str, str] = field(default_factory=dict)  # gates not run on purpose: {name: why}
    kind: str = "verify"  # "baseline": production as it was adopted, recorded as the verified base
    extra: dict[str, Any] = field(default_factory=dict)

    def gate(self, name: str) -> GateResult | None:
        return next((r for r in self.results if r.name == name), None)

    def deploy_json(self) -> dict[str, Any] | None:
        if self.outcome is None:
            return None
        deploy = dict(self.outcome.deploy or {})
        return {"state": self.outcome.state, "reason": self.outcome.reason, "found_by": self.outcome.found_by,
                "id": deploy.get("id"), "created_at": deploy.get("createdAt"),
                "finished_at": deploy.get("finishedAt"), "crash_loop": self.outcome.crash_loop}

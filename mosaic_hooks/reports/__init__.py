"""What `verify` reports: the terminal report, `--json`, `--junit FILE` and the `--proof FILE` handoff proof.

Every report is built from one `Verification` and passes through redaction before it is written.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mosaic_hooks.redact import redact

if TYPE_CHECKING:
    from mosaic_hooks.changeset import ChangeSet
    from mosaic_hooks.gates.base import GateResult
    from mosaic_hooks.render.outcome import WaitOutcome
    from mosaic_hooks.verdict import Verdict


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


def write_text_atomic(path: Path, text: str) -> None:
    """Redact, then replace `path` in one step: an interrupted run leaves the old file or the new one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(redact(text))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

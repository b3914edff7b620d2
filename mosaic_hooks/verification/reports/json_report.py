"""`--json`: {"verdict", "commit", "deploy", "gates": [{"name", "status", "summary", "evidence"}], ...}."""

from __future__ import annotations

import json
from typing import Any

from mosaic_hooks.core.redact import redact
from mosaic_hooks.verification.model import Verification


def to_json(run: Verification) -> dict[str, Any]:
    return {
        "verdict": run.verdict.verdict,
        "exit_code": run.verdict.exit_code,
        "failure_reason": run.verdict.failure_reason,
        "commit": run.commit,
        "service": run.service,
        "base": run.base,
        "deploy": run.deploy_json(),
        "gates": [{**r.to_json(), "duration_s": r.duration_s,
                   "requests": [_exchange(e) for e in r.exchanges]} for r in run.results],
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "duration_s": run.duration_s,
        "remediation": run.remediation,
        "switched_off": dict(run.switched_off),
        "kind": run.kind,
        "recorded_in": str(run.history_file) if run.history_file else None,
    }


def _exchange(exchange: Any) -> dict[str, Any]:
    return {"method": exchange.method, "path": exchange.path, "status": exchange.status,
            "ms": round(exchange.elapsed_ms, 1), "error": exchange.error}


def render(run: Verification) -> str:
    return redact(json.dumps(to_json(run), indent=2))

"""Running the gates from tests: a configuration pointing at a local server, and a change set."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mosaic_hooks.core import config
from mosaic_hooks.core.git import Repo
from mosaic_hooks.detect.changeset import ChangeSet, Endpoint, EndpointChanges
from mosaic_hooks.gates.result import GateResult
from mosaic_hooks.gates.runner import run_gates
from mosaic_hooks.render.outcome import WaitOutcome


def make_config(url: str, **overrides: Any) -> config.Config:
    """Defaults, BACKEND_URL=url, short timeouts for tests, then `overrides`."""
    base = config.load(None, {"BACKEND_URL": url})
    return base.replace(**{"request_timeout": 3, "gate_timeout": 20, "health_samples": 5, **overrides})


def endpoints(*labels: str) -> list[Endpoint]:
    """`"GET /items/{id}"` -> Endpoint("GET", "/items/{id}")."""
    result = []
    for label in labels:
        method, path = label.split(" ", 1)
        result.append(Endpoint(method, path))
    return result


def changes(added: Sequence[str] = (), removed: Sequence[str] = ()) -> ChangeSet:
    return ChangeSet(base="a" * 40, head="b" * 40,
                     endpoints=EndpointChanges(added=endpoints(*added), removed=endpoints(*removed)))


def run(cfg: config.Config, change_set: ChangeSet | None = None, *, names: Sequence[str] | None = None,
        outcome: WaitOutcome | None = None, commit: str | None = "0" * 40,
        repo: Repo | None = None) -> dict[str, GateResult]:
    results = run_gates(cfg, change_set or changes(), commit, outcome, names=names, repo=repo)
    return {r.name: r for r in results}


def evidence(result: GateResult) -> str:
    return "\n".join([result.summary, *result.evidence])

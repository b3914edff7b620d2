"""The production gates and their registry.

Each gate is a module with `NAME` and `async def run(ctx: GateContext) -> GateResult` (see `base.py`).
`GATES` lists them in report order; `waits_for` names the gates whose requests must be over before
this one starts (monitoring reads the request metrics the other probes produced).
Modules are imported only when a verification runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from mosaic_hooks.core.gate_names import GATE_NAMES

__all__ = ["GATES", "GATE_NAMES", "GateSpec"]


@dataclass(frozen=True)
class GateSpec:
    name: str
    module: str
    waits_for: tuple[str, ...] = ()


GATES: tuple[GateSpec, ...] = (
    GateSpec("deploy", "mosaic_hooks.gates.deploy"),
    GateSpec("health", "mosaic_hooks.gates.health"),
    # After the health samples: the latency figures should be the service's, not our own load's.
    # After deploy too: on a stale instance the checks of this commit's changes would judge old code.
    GateSpec("endpoints", "mosaic_hooks.gates.endpoints", waits_for=("deploy", "health")),
    # After endpoints: an endpoint it finds not deployed is its failure alone (one cause, one failure).
    GateSpec("contract", "mosaic_hooks.gates.contract", waits_for=("health", "endpoints")),
    GateSpec("errors", "mosaic_hooks.gates.invalid_input", waits_for=("health", "endpoints")),
    GateSpec("dependencies", "mosaic_hooks.gates.dependencies", waits_for=("deploy",)),
    GateSpec("migrations", "mosaic_hooks.gates.migrations", waits_for=("deploy",)),
    GateSpec("monitoring", "mosaic_hooks.gates.monitoring", waits_for=("health", "endpoints", "contract", "errors")),
)

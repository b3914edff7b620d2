"""A gate with a bug, for the runner's tests: it raises instead of deciding."""

from __future__ import annotations

from mosaic_hooks.gates.base import GateContext
from mosaic_hooks.gates.result import GateResult

NAME = "broken"


async def run(ctx: GateContext) -> GateResult:
    raise RuntimeError("a bug in a gate")

"""Which production gates are switched off for this run, and why: `MOSAIC_SKIP=<gate>,...` (one run) or
`[tool.mosaic.gates] <gate> = false` (always, e.g. `monitoring = false` for a service without /metrics).

A switched-off gate is reported and recorded as skipped with the reason, never as passed. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from mosaic_hooks.core.gate_names import GATE_NAMES

if TYPE_CHECKING:
    from mosaic_hooks.core.config import Config

BY_ENV = "MOSAIC_SKIP"
BY_CONFIG = "[tool.mosaic.gates]"


def switched_off(cfg: Config, env: Mapping[str, str]) -> dict[str, str]:
    """{gate name: why it does not run}, in report order. Raises MosaicError (exit 2) on an unknown
    name in MOSAIC_SKIP, so a typo never passes for a skip."""
    from mosaic_hooks.core.skip_names import skipped_checks

    by_env = skipped_checks(env)
    everything = "production" in by_env
    table = cfg.gates or {}
    off: dict[str, str] = {}
    for name in GATE_NAMES:
        if name in by_env or everything:
            off[name] = f"skipped: {BY_ENV}={name if name in by_env else 'production'}"
        elif table.get(name) is False:
            off[name] = f"switched off: {BY_CONFIG} {name} = false"
    return off


def line(off: Mapping[str, str]) -> str:
    """`skipped: contract (MOSAIC_SKIP), monitoring ([tool.mosaic.gates])`, or "" when nothing is off."""
    if not off:
        return ""
    return "skipped: " + ", ".join(f"{name} ({BY_ENV if BY_ENV in why else BY_CONFIG})" for name, why in off.items())

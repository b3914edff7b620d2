"""The names `MOSAIC_SKIP=health,migrations` accepts, and reading them: the switches of the hooks
(`hooks/bypass.py`) and of the gates (`gates/switches.py`) read the one variable by this one rule.

A typo must not pass for a skip, so an unknown name is a usage error (exit 2).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from mosaic_hooks.core.errors import MosaicError
from mosaic_hooks.core.gate_names import GATE_NAMES

# "local" and "production" name whole stages; the rest are single checks (local checks and production
# gates). Parts that add a local check add its name here.
KNOWN_CHECKS: frozenset[str] = frozenset({
    "local", "production",
    # local checks (pre-commit and pre-push stages); "requirements" is the group of the two requirement checks
    "imports", "requirements", "requirements-installed", "requirements-parse",
    # production gates (pre-push stage and `verify`)
    *GATE_NAMES,
})

# A group name in MOSAIC_SKIP skips every check of the group.
GROUPS: dict[str, tuple[str, ...]] = {
    "local": ("imports", "requirements-installed", "requirements-parse"),
    "requirements": ("requirements-installed", "requirements-parse"),
}


def names(value: str) -> list[str]:
    """A comma-separated list, as SKIP and MOSAIC_SKIP are written."""
    return [name.strip() for name in value.split(",") if name.strip()]


def skipped_checks(env: Mapping[str, str] | None = None) -> frozenset[str]:
    """The check names in MOSAIC_SKIP, groups expanded; raises MosaicError (exit 2) for a name no check has."""
    listed = names((os.environ if env is None else env).get("MOSAIC_SKIP", ""))
    unknown = sorted(set(listed) - KNOWN_CHECKS)
    if unknown:
        raise MosaicError(f"MOSAIC_SKIP names unknown check(s): {', '.join(unknown)}",
                          hint=f"known: {', '.join(sorted(KNOWN_CHECKS))}")
    expanded = set(listed)
    for name in listed:
        expanded.update(GROUPS.get(name, ()))
    return frozenset(expanded)

"""Switching hooks and checks off, the usual ways, and never silently.

- `MOSAIC_HOOKS=0` (or false/no/off) switches every mosaic-hooks hook off.
- `SKIP=mosaic-gate,...` is the pre-commit framework's variable; our own installed hooks honour it too.
- `MOSAIC_SKIP=health,migrations` skips named checks; the checks ask `is_skipped(name)`.
- `git commit --no-verify` / `git push --no-verify` are git's own: the hook does not run at all.

Every skip prints one line, so a bypass is visible in the terminal and in CI logs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from mosaic_hooks.core.skip_names import GROUPS, KNOWN_CHECKS, skipped_checks
from mosaic_hooks.core.skip_names import names as _names

__all__ = ["GROUPS", "KNOWN_CHECKS", "skipped_checks"]  # MOSAIC_SKIP's rule lives in core (the gates read it too)

# The pre-commit framework ids of our stages (`.pre-commit-hooks.yaml`).
HOOK_IDS = {"check": "mosaic-check", "pre-push": "mosaic-gate", "verify": "mosaic-verify"}

_OFF_VALUES = ("0", "false", "no", "off")
_announced: set[str] = set()


def _env(env: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if env is None else env


def _write_line(text: str) -> None:
    # Imported on use: the commit hook's fast path asks this module questions and prints nothing.
    from mosaic_hooks.cli.output import write_line

    write_line(text)


def hooks_disabled(env: Mapping[str, str] | None = None) -> bool:
    return _env(env).get("MOSAIC_HOOKS", "").strip().lower() in _OFF_VALUES


def skipped_by_pre_commit(stage: str, env: Mapping[str, str] | None = None) -> bool:
    """Whether pre-commit's SKIP names our hook id for `stage`."""
    hook_id = HOOK_IDS.get(stage)
    return bool(hook_id) and hook_id in _names(_env(env).get("SKIP", ""))


def anything_to_say(stage: str, env: Mapping[str, str] | None = None) -> bool:
    """Whether a bypass variable would make `stage` print a skip or refuse a typo (the fast path's question)."""
    values = _env(env)
    return hooks_disabled(values) or skipped_by_pre_commit(stage, values) or bool(values.get("MOSAIC_SKIP", "").strip())


def is_skipped(check: str, env: Mapping[str, str] | None = None) -> bool:
    """True if MOSAIC_SKIP names `check`; says so once per process."""
    if check not in skipped_checks(env):
        return False
    if check not in _announced:
        _announced.add(check)
        _write_line(f"mosaic-hooks: {check}: skipped (MOSAIC_SKIP)")
    return True


def stage_bypass(stage: str, env: Mapping[str, str] | None = None) -> bool:
    """Whether the whole `stage` ("check", "pre-push", "verify") is switched off; prints the reason if so.

    Also validates MOSAIC_SKIP up front, so a typo in it stops the hook before anything runs.
    """
    values = _env(env)
    if hooks_disabled(values):
        _write_line(f"mosaic-hooks: {stage}: skipped (MOSAIC_HOOKS={values.get('MOSAIC_HOOKS', '').strip()})")
        return True
    if skipped_by_pre_commit(stage, values):
        _write_line(f"mosaic-hooks: {stage}: skipped (SKIP={HOOK_IDS[stage]})")
        return True
    skipped_checks(values)
    stage_group = "production" if stage == "verify" else "local"
    return stage != "pre-push" and is_skipped(stage_group, values)

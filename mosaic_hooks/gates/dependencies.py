"""The dependencies gate: the requirements a range adds or changes are installed, here and in production.

Here: the environment this check runs in (importlib.metadata), judged with packaging's specifiers and
markers. Production: the service's own report when it has `mosaic_hooks.probe` (its installed versions,
markers evaluated against its interpreter); without a probe, the only evidence is that the live deploy
is of this commit, whose build installed them (a failed install fails the build, so no deploy goes live).
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mosaic_hooks.gates.base import GateContext
from mosaic_hooks.gates.result import Findings, GateResult, skipped

if TYPE_CHECKING:
    from mosaic_hooks.detect.changeset import RequirementChanges

NAME = "dependencies"

OK = "ok"
FAIL = "fail"
UNDECIDED = "undecided"
NOT_APPLICABLE = "n/a"  # the marker excludes this environment

# Requirements files (or their folders) of this kind are not installed in production.
_DEV_FILE = re.compile(r"(^|[/_.-])(dev|devel|develop|test|tests|testing|lint|docs?|ci|typing)([/_.-]|$)", re.I)


@dataclass(frozen=True)
class Wanted:
    """One requirement to check: `name specifier ; marker`, from `file`."""

    name: str  # normalised
    specifier: str  # "" unpinned; "@ url" for a direct reference
    marker: str
    file: str

    @property
    def direct(self) -> bool:
        return self.specifier.startswith("@")

    @property
    def dev_only(self) -> bool:
        return bool(_DEV_FILE.search(self.file)) and not self.file.endswith("pyproject.toml")

    def label(self) -> str:
        spec = f" {self.specifier}" if self.direct else self.specifier
        return f"{self.name}{spec}"


def _parse_display(text: str) -> list[tuple[str, str]]:
    """The change detection's display form `[extras]spec; marker` (several joined by " | ") -> (spec, marker)."""
    result = []
    for part in text.split(" | "):
        part = part.strip()
        if part.startswith("@"):
            spec, _, marker = part.partition(" ; ")
            result.append((spec.strip(), marker.strip()))
            continue
        spec, _, marker = part.partition(";")
        spec = re.sub(r"^\[[^\]]*\]", "", spec.strip())
        result.append((spec.strip(), marker.strip()))
    return result


def wanted(changes: RequirementChanges) -> list[Wanted]:
    """The requirements to check: every added one, and the new form of every changed one."""
    items = [Wanted(req.name, req.specifier, req.marker, req.file) for req in changes.added]
    for update in changes.changed:
        items += [Wanted(update.name, spec, marker, update.file) for spec, marker in _parse_display(update.new)]
    unique: dict[tuple[str, str, str], Wanted] = {}
    for item in items:
        unique.setdefault((item.name, item.specifier, item.marker), item)
    return list(unique.values())


def judge(item: Wanted, installed: str | None, where: str,
          environment: Mapping[str, str] | None = None) -> tuple[str, str]:
    """Is `item` satisfied by `installed` (None: not installed) in `where`? -> (OK|FAIL|UNDECIDED|N/A, line)."""
    from packaging.markers import InvalidMarker, Marker, UndefinedComparison, UndefinedEnvironmentName
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    label = item.label()
    if item.marker:
        try:
            applies = Marker(item.marker).evaluate(dict(environment) if environment is not None else None)
        except (InvalidMarker, UndefinedComparison, UndefinedEnvironmentName) as exc:
            return UNDECIDED, f"{where}: {label}: cannot evaluate marker '{item.marker}': {exc}"
        if not applies:
            return NOT_APPLICABLE, f"{where}: {label} not required (marker '{item.marker}' is false)"
    if installed is None:
        return FAIL, f"{where}: {label} is not installed"
    if item.direct:
        return OK, f"{where}: {item.name} {installed} installed (direct reference: version not compared)"
    if not item.specifier:
        return OK, f"{where}: {item.name} {installed} installed"
    try:
        specifier = SpecifierSet(item.specifier)
    except InvalidSpecifier:
        return UNDECIDED, f"{where}: {label}: '{item.specifier}' is not a PEP 440 specifier, version not compared"
    try:
        version = Version(installed)
    except InvalidVersion:
        return UNDECIDED, f"{where}: {item.name} {installed}: not a PEP 440 version, cannot compare"
    if specifier.contains(version, prereleases=True):
        return OK, f"{where}: {item.name} {installed} satisfies {item.specifier}"
    return FAIL, f"{where}: {item.name} {installed} does not satisfy {item.specifier}"


def installed_here() -> dict[str, str]:
    """{normalised name: version} of this interpreter's environment; the first on sys.path wins, as for imports."""
    from importlib import metadata

    from packaging.utils import canonicalize_name

    found: dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"] if dist.metadata else None
        if name:
            found.setdefault(canonicalize_name(name), dist.version)
    return found


def _record(findings: Findings, verdict: str, line: str) -> None:
    {OK: findings.ok, FAIL: findings.fail, UNDECIDED: findings.undecide, NOT_APPLICABLE: findings.note}[verdict](line)


async def run(ctx: GateContext) -> GateResult:
    items = wanted(ctx.changes.requirements)
    if not items:
        return skipped(NAME, "no requirement added or changed in the range")
    findings = Findings(NAME)
    here = f"this environment ({sys.prefix})"
    local = await asyncio.to_thread(installed_here)
    for item in items:
        _record(findings, *judge(item, local.get(item.name), here))
    await _check_production(ctx, items, findings)
    count = len(items)
    return findings.result(skipped_reason="no added or changed requirement applies here or in production (markers)",
                           summary_ok=f"{count} added or changed requirement{'s' if count != 1 else ''} "
                                      "installed here and in production")


async def _check_production(ctx: GateContext, items: list[Wanted], findings: Findings) -> None:
    prod_items = [item for item in items if not item.dev_only]
    for item in items:
        if item.dev_only:
            findings.note(f"production: {item.label()} from {item.file} is a development requirement, not checked")
    if not prod_items:
        return
    probe_configured = bool(ctx.cfg.probe_path and ctx.cfg.probe_token)
    if probe_configured:
        info = await ctx.probe()
        report = info.data
        dists = report.get("distributions") if report else None
        if report is not None and isinstance(dists, dict):
            env = report.get("environment")
            env = {str(k): str(v) for k, v in env.items()} if isinstance(env, dict) else None
            commit = report.get("commit")
            if ctx.commit and commit and commit != ctx.commit:
                findings.note(f"production: the probe reports commit {str(commit)[:12]}, expected {ctx.commit[:12]}")
            for item in prod_items:
                version = dists.get(item.name)
                _record(findings, *judge(item, str(version) if version is not None else None, "production", env))
            return
        reason = info.error or "the probe report has no distributions"
        for item in prod_items:
            findings.undecide(f"production: {item.label()}: the probe could not be read: {reason}")
        return
    from mosaic_hooks.render.outcome import LIVE

    outcome = ctx.outcome
    if outcome is not None and outcome.state == LIVE and ctx.commit and outcome.commit == ctx.commit:
        deploy_id = (outcome.deploy or {}).get("id")
        what = f"deploy {deploy_id}" if deploy_id else "the deploy"
        findings.ok(f"production: {what} of {ctx.commit[:12]} is live, so its build installed "
                    f"{', '.join(item.label() for item in prod_items)} (no probe to read the versions)")
        return
    why = "the deploy was not waited for" if outcome is None else f"the deploy is {outcome.state}"
    findings.undecide(f"production: cannot confirm {', '.join(item.label() for item in prod_items)} "
                      f"installed: {why} and the service has no probe (set probe_path)")

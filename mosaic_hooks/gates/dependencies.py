"""The dependencies gate: the requirements a range adds or changes are installed in production.

Production's packages are judged only from production's own evidence, never from the environment this
tool runs in (that is neither the project's nor production's): the service's report when it has
`mosaic_hooks.probe` (its installed versions, markers evaluated against its interpreter); without a
probe, the only evidence is that the live deploy is of this commit, whose build installed them (a
failed install fails the build, so no deploy goes live). The project's own environment is the local
check's business (`requirements-installed`). Each requirement is judged by
`mosaic_hooks.detect.requirements.judge`, the same judge the local check uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mosaic_hooks.detect.requirements.judge import FAIL, NOT_APPLICABLE, OK, UNDECIDED, Judgement, judge
from mosaic_hooks.detect.requirements.judge import Wanted as Judged
from mosaic_hooks.gates.base import GateContext
from mosaic_hooks.gates.result import Findings, GateResult, skipped

if TYPE_CHECKING:
    from mosaic_hooks.detect.changeset import RequirementChanges

NAME = "dependencies"


@dataclass(frozen=True)
class Wanted:
    """One requirement to check: `name specifier ; marker`, from `file` (dev: production does not install it)."""

    name: str  # normalised
    specifier: str  # "" unpinned; "@ url" for a direct reference
    marker: str
    file: str
    dev: bool = False

    def judged(self) -> Judged:
        return Judged(self.name, self.specifier, self.marker)

    def label(self) -> str:
        return self.judged().label()


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
    items = [Wanted(req.name, req.specifier, req.marker, req.file, req.dev) for req in changes.added]
    for update in changes.changed:
        items += [Wanted(update.name, spec, marker, update.file, update.dev)
                  for spec, marker in _parse_display(update.new)]
    unique: dict[tuple[str, str, str], Wanted] = {}
    for item in items:
        unique.setdefault((item.name, item.specifier, item.marker), item)
    return list(unique.values())


def _record(findings: Findings, where: str, judgement: Judgement) -> None:
    line = f"{where}: {judgement.reason}"
    {OK: findings.ok, FAIL: findings.fail, UNDECIDED: findings.undecide,
     NOT_APPLICABLE: findings.note}[judgement.verdict](line)


async def run(ctx: GateContext) -> GateResult:
    items = wanted(ctx.changes.requirements)
    if not items:
        return skipped(NAME, "no requirement added or changed in the range")
    findings = Findings(NAME)
    await _check_production(ctx, items, findings)
    count = len(items)
    return findings.result(skipped_reason="no added or changed requirement is installed in production "
                                          "(development requirements, or markers that exclude it)",
                           summary_ok=f"{count} added or changed requirement{'s' if count != 1 else ''} "
                                      "installed in production")


async def _check_production(ctx: GateContext, items: list[Wanted], findings: Findings) -> None:
    prod_items = [item for item in items if not item.dev]
    for item in items:
        if item.dev:
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
                _record(findings, "production",
                        judge(item.judged(), str(version) if version is not None else None, env))
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

"""`--proof FILE`: the markdown handoff proof, listing the Production Validation Standard's ten
success criteria, each with its evidence or "not met" and why."""

from __future__ import annotations

from pathlib import Path

from mosaic_hooks.core.files import write_text_atomic
from mosaic_hooks.gates.result import FAILED, INCONCLUSIVE, PASSED, SKIPPED, GateResult
from mosaic_hooks.verification.model import Verification
from mosaic_hooks.verification.verify import summarize_changes

CRITERIA = (
    "Code committed and pushed",
    "CI/CD pipeline succeeded",
    "Service restarted without errors",
    "Health checks passing",
    "Production smoke tests passing",
    "All new endpoints respond (non-404)",
    "Dependencies verified installed",
    "DORA metrics recorded",
    "State files updated",
    "Handoff message includes validation proof",
)

Criterion = tuple[bool, str]  # (met, evidence or why not)


def assess(run: Verification) -> list[tuple[str, bool, str]]:
    """(criterion, met, evidence) for the ten criteria, in the standard's order. Pure."""
    deploy = run.gate("deploy")
    outcome = run.outcome
    commit = (run.commit or "")[:12]
    checks: list[Criterion] = []

    # 1. committed and pushed: a deploy of the commit proves the push reached the host.
    if not run.commit:
        checks.append((False, "no commit given"))
    elif deploy is not None and deploy.status == PASSED:
        checks.append((True, f"commit {commit}; {deploy.summary}"))
    else:
        checks.append((False, f"commit {commit}, but its deploy was not confirmed ({_status(deploy)})"))
    # 2. pipeline succeeded
    if outcome is not None and outcome.state == "live":
        deploy_id = (outcome.deploy or {}).get("id")
        checks.append((True, f"deploy {deploy_id or ''} live ({outcome.reason})".replace("  ", " ")))
    elif deploy is not None and deploy.status == PASSED:
        checks.append((True, deploy.summary))
    else:
        checks.append((False, _status(deploy) if outcome is None else f"{outcome.state}: {outcome.reason}"))
    # 3. restarted without errors: needs the crash-loop answer of the Render API.
    if outcome is not None and outcome.state == "live" and outcome.crash_loop is False:
        checks.append((True, "live, no crash loop since"))
    elif outcome is not None and outcome.crash_loop:
        checks.append((False, "crash loop detected"))
    else:
        checks.append((False, "crash loops not known (needs the Render API key and the wait)"))
    checks.append(_gate(run.gate("health")))
    # 5. smoke tests: every production probe that ran passed, and at least one ran.
    smoke = [r for r in run.results if r.name in ("endpoints", "contract", "errors", "monitoring", "health")]
    bad = [r for r in smoke if r.status in (FAILED, INCONCLUSIVE)]
    ran = [r for r in smoke if r.status == PASSED]
    if bad:
        checks.append((False, "; ".join(f"{r.name} {r.status}: {r.summary}" for r in bad)))
    elif ran:
        checks.append((True, ", ".join(f"{r.name} passed" for r in ran)))
    else:
        checks.append((False, "no production probe ran"))
    endpoints = run.gate("endpoints")
    if endpoints is not None and endpoints.status == SKIPPED and "no endpoint added" in endpoints.summary:
        checks.append((True, "no endpoint added in this range"))
    else:
        checks.append(_gate(endpoints))
    dependencies = run.gate("dependencies")
    if dependencies is not None and dependencies.status == SKIPPED and "no requirement" in dependencies.summary:
        checks.append((True, dependencies.summary))
    else:
        checks.append(_gate(dependencies))
    # 8, 9. the DORA record and the state files written by this run.
    if run.metrics_file is not None:
        checks.append((True, f"{run.metrics_file} refreshed"))
    else:
        checks.append((False, run.recording_error or "metrics not refreshed"))
    if run.history_file is not None:
        checks.append((True, f"record appended to {run.history_file}"))
    else:
        checks.append((False, run.recording_error or "not recorded"))
    checks.append((True, f"this proof, verdict {run.verdict.verdict.upper()}, finished {run.finished_at}"))
    return [(name, met, evidence) for name, (met, evidence) in zip(CRITERIA, checks, strict=True)]


def _gate(result: GateResult | None) -> Criterion:
    if result is None:
        return False, "not checked"
    if result.status == PASSED:
        return True, result.summary
    return False, f"{result.status}: {result.summary}"


def _status(result: GateResult | None) -> str:
    return "not checked" if result is None else f"{result.status}: {result.summary}"


def render(run: Verification) -> str:
    rows = assess(run)
    met = sum(1 for _, ok, _ in rows if ok)
    out = [
        "# Production validation proof",
        "",
        f"- Commit: `{run.commit or '?'}`" + (f" (changes since `{run.base[:12]}`)" if run.base else ""),
        f"- Service: {run.backend_url or '?'}",
        f"- Verdict: **{run.verdict.verdict.upper()}** (exit {run.verdict.exit_code})"
        + (f": {run.verdict.failure_reason}" if run.verdict.failure_reason else ""),
        f"- Verified: {run.started_at} to {run.finished_at} ({run.duration_s:.1f} s)",
        *([f"- Changes: {summarize_changes(run.changes)}"] if run.changes is not None else []),
        f"- Criteria met: {met} of {len(rows)}" + (" — work is complete" if met == len(rows)
                                                  else " — work is NOT complete"),
        "",
        "## Success criteria (Production Validation Standard)",
        "",
    ]
    for i, (name, ok, evidence) in enumerate(rows, 1):
        mark = "[x]" if ok else "[ ]"
        out.append(f"{i}. {mark} **{name}**: " + (_md(evidence) if ok else f"not met — {_md(evidence)}"))
    out += ["", "## Gates", "", "| Gate | Status | Summary |", "|---|---|---|"]
    out += [f"| {r.name} | {r.status} | {_md(r.summary).replace('|', '/')} |" for r in run.results]
    for result in run.results:
        if result.evidence:
            out += ["", f"### {result.name}", ""]
            out += [f"- {_md(line)}" for line in result.evidence]
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    return " ".join(text.split())


def write(run: Verification, path: Path) -> None:
    write_text_atomic(path, render(run))

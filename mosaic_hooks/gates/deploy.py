"""deploy: the deploy of this exact commit is live, and has not crash-looped since (watched for
`crash_watch_s` after live: repeated crashes fail it, naming their reasons; unreadable events say
"crash loops unknown").

From the wait's outcome. With --no-wait there is no outcome: the gate is skipped with the reason,
unless the version endpoint (or the probe) confirms that this commit is serving.
"""

from __future__ import annotations

import re
from typing import Any

from mosaic_hooks.gates.base import GateContext
from mosaic_hooks.gates.result import Findings, GateResult, skipped

NAME = "deploy"

_SHA = re.compile(r"\b[0-9a-f]{7,64}\b")
_COMMIT_KEYS = ("commit", "sha", "git_commit", "gitCommit", "commit_sha", "RENDER_GIT_COMMIT", "version", "revision")


async def run(ctx: GateContext) -> GateResult:
    from mosaic_hooks.render import outcome as oc

    findings = Findings(NAME)
    outcome = ctx.outcome
    if outcome is None:
        return await _without_wait(ctx, findings)
    deploy = outcome.deploy or {}
    deploy_id = deploy.get("id")
    label = f"deploy {deploy_id}" if deploy_id else "the deploy"
    watched = f" (watched {outcome.crash_watch_s:g} s after live)" if outcome.crash_watch_s else ""
    if outcome.state == oc.LIVE:
        findings.ok(f"{label} of {_short(outcome.commit)} is live ({outcome.reason})")
        if outcome.crash_loop is True:
            findings.fail(f"{label} is crash-looping since it went live")
        elif outcome.crash_loop is False:
            findings.ok(f"no crash loop since it went live{watched}")
        elif outcome.crash_unknown:
            findings.note(f"crash loops unknown: {outcome.crash_unknown}")
        else:
            findings.note("crash loops unknown (needs the Render API key)")
    elif outcome.state == oc.FAILED and outcome.crash_loop:
        findings.fail(f"crash loop after going live{watched}: {outcome.reason}")
    elif outcome.state == oc.FAILED:
        findings.fail(f"{label} of {_short(outcome.commit)} failed: {outcome.reason}")
    else:
        findings.undecide(f"{label} of {_short(outcome.commit)} is not confirmed live ({outcome.state}): "
                          f"{outcome.reason}")
    for line in outcome.crash_lines[-5:]:  # crashes with their reasons (OOM, non-zero exit, unhealthy)
        findings.note(f"event: {line}")
    if not outcome.crash_lines:
        for event in outcome.events[-5:]:
            findings.note(f"event: {_event_line(event)}")
    return findings.result(summary_ok=f"{label} of {_short(outcome.commit)} is live")


async def _without_wait(ctx: GateContext, findings: Findings) -> GateResult:
    """--no-wait: only a version endpoint or the probe naming this commit can confirm the deploy."""
    commit = ctx.commit
    if not commit:
        return skipped(NAME, "--no-wait and no commit given: the deploy was not checked")
    seen: list[str] = []
    exchange = await ctx.request("GET", ctx.cfg.version_path, note="serving commit")
    if exchange.status == 200:
        serving = _commit_in(exchange)
        if serving and _matches(serving, commit):
            findings.ok(f"{ctx.cfg.version_path} reports commit {_short(serving)}")
            return findings.result(summary_ok=f"{_short(commit)} is serving ({ctx.cfg.version_path})")
        seen.append(f"{ctx.cfg.version_path}: " + (f"serving {_short(serving)}" if serving else "no commit in it"))
    else:
        seen.append(f"{exchange.describe()}")
    probe = await ctx.probe()
    if probe.data is not None:
        serving = _find_commit(probe.data)
        if serving and _matches(serving, commit):
            findings.ok(f"the probe reports commit {_short(serving)}")
            return findings.result(summary_ok=f"{_short(commit)} is serving (probe)")
        seen.append("probe: " + (f"serving {_short(serving)}" if serving else "no commit in it"))
    return skipped(NAME, f"--no-wait: the deploy of {_short(commit)} was not confirmed", seen)


def _commit_in(exchange: Any) -> str | None:
    try:
        data = exchange.json()
    except ValueError:
        text = exchange.body.decode("utf-8", "replace").strip()
        match = _SHA.search(text.lower())
        return match.group(0) if match else None
    return _find_commit(data)


def _find_commit(data: Any) -> str | None:
    if isinstance(data, str):
        match = _SHA.fullmatch(data.strip().lower())
        return match.group(0) if match else None
    if isinstance(data, dict):
        for key in _COMMIT_KEYS:
            if isinstance(data.get(key), str) and (found := _find_commit(data[key])):
                return found
    return None


def _matches(serving: str, commit: str) -> bool:
    serving, commit = serving.lower(), commit.lower()
    return len(serving) >= 7 and (commit.startswith(serving) or serving.startswith(commit))


def _short(sha: str | None) -> str:
    return (sha or "?")[:12]


def _event_line(event: dict[str, Any]) -> str:
    details = event.get("details") if isinstance(event.get("details"), dict) else {}
    kind = event.get("type", "?")
    when = event.get("timestamp", "")
    reason = (details or {}).get("reason") or ""
    return " ".join(str(x) for x in (when, kind, reason) if x)

"""deploy: the deploy of this exact commit is live, has not crash-looped since, and is what serves.

Crashes: the service's events are watched for `crash_watch_s` after live; repeated crashes fail it,
naming their reasons; unreadable events say "crash loops unknown".

From the wait's outcome, then from the service itself: whenever it can tell which commit it serves (the
mosaic probe, or `version_path`), that commit must be the verified one or a descendant that contains
it. Render may report a deploy `live` while an old instance still answers: a stale instance fails, with
both commits named. A service that cannot tell is said so in the evidence, not failed.

With --no-wait there is no outcome: the service's own report decides (serving the commit, or a
descendant: passed; an older or unrelated commit: failed); when it cannot tell, the gate is skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mosaic_hooks.gates.base import GateContext
from mosaic_hooks.gates.result import Findings, GateResult, skipped

NAME = "deploy"
# In ctx.shared once a stale instance is found: why the checks of this commit's changes are not run.
STALE_KEY = "deploy.stale"

_SHA = re.compile(r"\b[0-9a-f]{7,64}\b")
_COMMIT_KEYS = ("commit", "sha", "git_commit", "gitCommit", "commit_sha", "RENDER_GIT_COMMIT", "version", "revision")


@dataclass(frozen=True)
class Serving:
    """What the service says it serves: each source that named a commit, and why the others did not."""

    reports: list[tuple[str, str]]  # (source, sha) e.g. ("the probe", "abc123..."), ("/version", "...")
    unknown: list[str]  # "/version: answered 404", "probe: not configured (no probe_path)"


async def run(ctx: GateContext) -> GateResult:
    from mosaic_hooks.render import outcome as oc

    findings = Findings(NAME)
    outcome = ctx.outcome
    if outcome is None:
        return await _without_wait(ctx, findings)
    deploy = outcome.deploy or {}
    deploy_id = deploy.get("id")
    label = f"deploy {deploy_id}" if deploy_id else "the deploy"
    summary = f"{label} of {_short(outcome.commit)} is live"
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
        if deploy_id and "commit" in deploy and deploy["commit"] is None:  # Render named no commit for it
            # An image deploy (image-backed service, followed by --deploy): what it serves was built from an
            # image, not from a commit here, so what the service reports is no stale-instance evidence.
            findings.note(f"{label} is an image deploy: the serving commit is not compared with "
                          f"{_short(outcome.commit)}")
        else:
            serving = await serving_commit(ctx)
            if not judge_serving(ctx, serving, findings):
                summary += "; the serving commit is unknown (no probe or version endpoint reports it)"
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
    return findings.result(summary_ok=summary)


async def serving_commit(ctx: GateContext) -> Serving:
    """Ask the service which commit it serves: the probe (when configured), then `version_path`."""
    reports: list[tuple[str, str]] = []
    unknown: list[str] = []
    probe = await ctx.probe()
    if probe.data is not None:
        found = _find_commit(probe.data)
        if found:
            reports.append(("the probe", found))
        else:
            unknown.append("the probe: no commit in its report")
    else:
        unknown.append(f"the probe: {probe.error}")
    path = ctx.cfg.version_path
    exchange = await ctx.request("GET", path, note="serving commit")
    if exchange.status == 200:
        found = _commit_in(exchange)
        if found:
            reports.append((path, found))
        else:
            unknown.append(f"{path}: answered 200 without a commit sha")
    else:
        unknown.append(f"{path}: " + (f"answered {exchange.status}" if exchange.status is not None
                                      else f"no answer ({exchange.error})"))
    return Serving(reports, unknown)


def judge_serving(ctx: GateContext, serving: Serving, findings: Findings) -> bool:
    """Judge each commit the service reports against ctx.commit; False when none reports one (noted)."""
    commit = ctx.commit or ""
    if not serving.reports:
        findings.note("serving commit: unknown, so a stale instance cannot be detected ("
                      + "; ".join(serving.unknown) + "); serve RENDER_GIT_COMMIT at version_path, or add the probe")
        return False
    by_sha: dict[str, list[str]] = {}
    for source, sha in serving.reports:  # the probe and /version naming the same commit: one finding
        by_sha.setdefault(sha, []).append(source)
    for sha, sources in by_sha.items():
        said = f"{' and '.join(sources)} {'report' if len(sources) > 1 else 'reports'} {_short(sha)}"
        how = _relation(ctx, sha, commit)
        if how in ("exact", "prefix"):
            findings.ok(f"{said}: the verified commit is serving")
        elif how == "contains":
            findings.ok(f"{said}, a newer commit that contains {_short(commit)}")
        elif how == "unknown":
            findings.undecide(f"{said}, a commit this repository does not have: cannot tell whether it contains "
                              f"{_short(commit)} (git fetch, then verify again)")
        else:
            findings.fail(f"stale instance: {said} ({how}), not the verified commit {_short(commit)}")
            ctx.shared[STALE_KEY] = (f"production serves {_short(sha)}, not {_short(commit)} "
                                     "(stale instance, see deploy)")
    return True


def _relation(ctx: GateContext, reported: str, commit: str) -> str:
    """"exact", "prefix", "contains", "unknown" (not in the repository), or how it differs."""
    from mosaic_hooks.core import git
    from mosaic_hooks.core.errors import GitError
    from mosaic_hooks.render.version_endpoint import match

    repo = ctx.repo
    if repo is None:
        return _prefix_match(reported, commit) or "unknown"
    try:
        how = match(reported, commit, repo)
        if how is not None:
            return how
        resolved = git.resolve_commit(repo, reported)
        if resolved is None:
            return "unknown"
        return "an older commit" if git.is_ancestor(repo, resolved, commit) else "a commit that does not contain it"
    except GitError:
        return "unknown"


def _prefix_match(reported: str, commit: str) -> str | None:
    if reported == commit:
        return "exact"
    return "prefix" if len(reported) >= 7 and commit.startswith(reported) else None


async def _without_wait(ctx: GateContext, findings: Findings) -> GateResult:
    """--no-wait: only what the service reports can confirm (or refute) the deploy."""
    commit = ctx.commit
    if not commit:
        return skipped(NAME, "--no-wait and no commit given: the deploy was not checked")
    serving = await serving_commit(ctx)
    if not serving.reports:
        return skipped(NAME, f"--no-wait: the deploy of {_short(commit)} was not confirmed (the serving commit "
                             "is unknown)", serving.unknown)
    judge_serving(ctx, serving, findings)
    source = serving.reports[0][0]
    return findings.result(summary_ok=f"{_short(commit)} is serving ({source.removeprefix('the ')})")


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


def _short(sha: str | None) -> str:
    return (sha or "?")[:12]


def _event_line(event: dict[str, Any]) -> str:
    details = event.get("details") if isinstance(event.get("details"), dict) else {}
    kind = event.get("type", "?")
    when = event.get("timestamp", "")
    reason = (details or {}).get("reason") or ""
    return " ".join(str(x) for x in (when, kind, reason) if x)

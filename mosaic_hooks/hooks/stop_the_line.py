"""Stop the line: the pre-push stage checks production as it stands before letting more changes in.

"Production as it stands" is the deploy of each pushed branch's current remote commit (the remote sha
git gives the pre-push hook): what the previous push put in production. If that deploy is still in
progress, the check waits for it, bounded by `push_wait_timeout`. A verification already recorded as
passed for that commit (the newest record for it) is reused, not repeated. Otherwise the verification
runs (`mosaic_hooks.verification.verify.verify_commit`, recorded in the history like any other).

If production fails, the push is blocked (exit 1) with the failing checks and the two ways out:
`MOSAIC_FIX=1 git push` for the fix itself (let through; the verification is recorded with
`remediation: true`) or `git push --no-verify`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from mosaic_hooks.cli.output import write_line
from mosaic_hooks.core import exit_codes, git
from mosaic_hooks.core.errors import MosaicError

if TYPE_CHECKING:
    from mosaic_hooks.core.config import Config
    from mosaic_hooks.hooks.push_range import PushedRange
    from mosaic_hooks.render.outcome import WaitOutcome
    from mosaic_hooks.verification.model import Verification

PREFIX = "mosaic-hooks: "
# Evidence lines shown per failing check; the full report is `mosaic-hooks verify`.
MAX_EVIDENCE = 3
# Once the deploy is known to be live, the verification's own look at it is quick.
LIVE_RECHECK_TIMEOUT = 30.0


def say(line: str) -> None:
    write_line(PREFIX + line, sys.stderr)


def configured(cfg: Config) -> bool:
    """The gates need the service's URL (of at least one service); the Render API (optional) tells about
    deploys in progress."""
    return any(view.backend_url for _name, view in cfg.services())


def production_commits(pushes: Sequence[PushedRange]) -> list[tuple[str, str]]:
    """(remote sha, remote ref) of each pushed branch that exists on the remote, each sha once. Pure.

    New branches bring nothing to production yet, tags are not deployed, deletions add nothing.
    """
    seen: set[str] = set()
    targets = []
    for push in pushes:
        if not push.remote_ref.startswith("refs/heads/"):
            continue
        if git.is_null_oid(push.remote_sha) or git.is_null_oid(push.head):
            continue
        if push.remote_sha in seen:
            continue
        seen.add(push.remote_sha)
        targets.append((push.remote_sha, push.remote_ref))
    return targets


def recorded(records: list[dict[str, Any]], commit: str, service: str | None) -> dict[str, Any] | None:
    """The newest record of a verification of `commit` (for this service), or None. Pure."""
    record: dict[str, Any]
    for record in reversed(records):
        if record.get("commit") != commit:
            continue
        if service is not None and record.get("service") not in (service, None):
            continue
        return record
    return None


def check_production(repo: git.Repo, cfg: Config, pushes: Sequence[PushedRange], *,
                     env: Mapping[str, str] | None = None) -> int:
    """Check production before a push; 0 lets the push through, 1 (failed), 2 (config) or 3 (undecided) blocks."""
    env = os.environ if env is None else env
    if not configured(cfg):
        say("production check skipped: not configured (set BACKEND_URL, and RENDER_SERVICE_ID with "
            "RENDER_API_KEY, to check production before each push)")
        return exit_codes.PASSED
    targets = production_commits(pushes)
    if not targets:
        return exit_codes.PASSED
    fixing = env.get("MOSAIC_FIX") == "1"
    worst = exit_codes.PASSED
    for commit, ref in targets:
        for name, view in cfg.services():
            try:
                code = _check_service(repo, cfg, name, view, commit, ref, env)
            except MosaicError as exc:
                say(f"production check of {ref} ({commit[:12]}): {exc.line()}")
                code = exc.exit_code
            if code != exit_codes.PASSED and worst in (exit_codes.PASSED, exit_codes.INCONCLUSIVE):
                worst = code
    if worst == exit_codes.PASSED:
        return worst
    if fixing:
        say("MOSAIC_FIX=1: letting this push through as the fix (recorded as a remediation attempt)")
        return exit_codes.PASSED
    say("push blocked until production works again. Ways out:")
    say("  push the fix itself:          MOSAIC_FIX=1 git push")
    say("  skip every check (not safe):  git push --no-verify")
    return worst


def _check_service(repo: git.Repo, cfg: Config, name: str | None, view: Config, commit: str, ref: str,
                   env: Mapping[str, str]) -> int:
    """With several services (`[tool.mosaic.services.<name>]`), only those Render deployed for the changes
    since the service's last verified commit are checked; the others are "no deploy expected" at once."""
    if not cfg.service_tables:
        return _check_one(repo, view, commit, ref, env)
    from mosaic_hooks.render.blueprint import blueprint_at, decide
    from mosaic_hooks.verification.verify import choose_base

    if git.resolve_commit(repo, commit) is None:
        return _check_one(repo, view, commit, ref, env)  # says why it is not checked
    # What production's push changed: since the service's last verified commit, else the commit's own change.
    base = choose_base(repo, view, commit, None) or git.resolve_commit(repo, f"{commit}^")
    decision = decide(name, view, blueprint_at(repo, commit), git.changed_paths(repo, base, commit))
    if not decision.deploys:
        say(f"production check of {ref}, service {name}: no deploy expected ({decision.reason})")
        return exit_codes.PASSED
    say(f"production check of {ref}, service {name}: Render deployed it ({decision.reason})")
    return _check_one(repo, view, commit, ref, env)


def _check_one(repo: git.Repo, cfg: Config, commit: str, ref: str, env: Mapping[str, str]) -> int:
    from mosaic_hooks.records import history
    from mosaic_hooks.verification.verify import (
        history_file,
        service_of,
    )

    short = commit[:12]
    records, _warnings = history.read(history_file(cfg))
    last = recorded(records, commit, service_of(cfg))
    if last is not None and last.get("success") is True:
        say(f"production: {short} ({ref}) verified passed at {last.get('timestamp')} (recorded); not repeated")
        return exit_codes.PASSED

    if git.resolve_commit(repo, commit) is None:
        # Someone else pushed it: git will refuse this push unless it is forced; either way there is nothing
        # here to analyse it with.
        say(f"production check of {ref} skipped: its current commit {short} is not in this repository "
            "(run git fetch to check it)")
        return exit_codes.PASSED

    if not (cfg.render_api_key and cfg.render_service_id):
        elsewhere = _served_elsewhere(cfg, repo, commit, ref)
        if elsewhere:
            say(f"production check of {ref} skipped: {elsewhere}")
            return exit_codes.PASSED

    from mosaic_hooks.render import outcome as oc
    from mosaic_hooks.render.wait import wait_for_deploy

    timeout = float(cfg.push_wait_timeout)
    say(f"checking production: the deploy of {short} ({ref}), waiting at most {timeout:g} s if in progress")
    outcome: WaitOutcome = wait_for_deploy(cfg, commit, repo=repo, timeout=timeout, report=say, branch=ref)
    if outcome.state == oc.NO_DEPLOY:
        say(f"production check of {ref} skipped: {outcome.reason}")
        return exit_codes.PASSED
    if outcome.state == oc.CONFIG_ERROR:
        say(f"production check of {ref}: {outcome.reason}")
        return exit_codes.USAGE
    if outcome.state in (oc.TIMED_OUT, oc.UNREACHABLE):
        blocks = bool(cfg.inconclusive_blocks)
        say(f"production check of {ref} inconclusive: {outcome.reason}"
            + ("" if blocks else " (inconclusive_blocks = false: not blocking)"))
        return exit_codes.INCONCLUSIVE if blocks else exit_codes.PASSED
    return _verify(repo, cfg, commit, ref, env)


def _verify(repo: git.Repo, cfg: Config, commit: str, ref: str, env: Mapping[str, str]) -> int:
    from mosaic_hooks.verification.verify import (
        choose_base,
        verify_commit,
    )

    base = choose_base(repo, cfg, commit, None, say)
    # The deploy was just waited for (and said so): the verification's own look at it stays quiet.
    run = verify_commit(repo, cfg, commit, base=base, wait=True, report=None, env=env,
                        wait_timeout=min(LIVE_RECHECK_TIMEOUT, float(cfg.push_wait_timeout)),
                        crash_watch_s=float(cfg.push_crash_watch_s))
    if run.recording_error:
        say(f"the production check was not recorded: {run.recording_error}")
    if run.verdict.success:
        say(f"production: {commit[:12]} ({ref}) passed its checks")
        return exit_codes.PASSED
    _explain(run, ref)
    if run.verdict.verdict == "fail" and cfg.rollback_on_failure:
        from mosaic_hooks.verification.rollback import roll_back

        say(roll_back(repo, cfg, run, say).line)
    return int(run.verdict.exit_code)


def _explain(run: Verification, ref: str) -> None:
    word = "failing" if run.verdict.verdict == "fail" else "not verified (checks undecided)"
    say(f"production is {word}: {ref} at {(run.commit or '')[:12]}")
    for result in run.results:
        if result.status not in ("failed", "inconclusive"):
            continue
        say(f"  {result.status:<12} {result.name}: {result.summary}")
        shown = [line for line in result.evidence if line.startswith(("FAIL ", "UNDECIDED "))
                 and line.split(" ", 1)[1] != result.summary][:MAX_EVIDENCE]
        for line in shown:
            say(f"               {line}")


def _served_elsewhere(cfg: Config, repo: git.Repo, commit: str, ref: str) -> str | None:
    """Without the Render API, one look at the version endpoint: a reason to skip when production serves a
    commit off this branch's line (no deploy of it is coming), else None (serving it, or it may be coming)."""
    import httpx

    from mosaic_hooks.render.version_endpoint import match, reported_commit

    url = str(cfg.backend_url).rstrip("/") + str(cfg.version_path)
    try:
        response = httpx.get(url, timeout=float(cfg.request_timeout), follow_redirects=True, trust_env=False)
    except httpx.HTTPError:
        return None
    reported = reported_commit(response.content) if response.status_code == 200 else None
    if not reported or match(reported, commit, repo):
        return None
    served = git.resolve_commit(repo, reported)
    if served is None or git.is_ancestor(repo, served, commit):
        return None  # a commit we do not have (maybe newer), or behind ours: the deploy may be coming
    return f"production serves {reported[:12]}, which is not on {ref} ({commit[:12]})"

"""Stop the line: the pre-push stage checks production as it stands before letting more changes in.

"Production as it stands" is the commit production actually serves: Render's newest live deploy (with
the API) or what the version endpoint reports -- not the remote branch's head, which may never have
been deployed (a build filter skipped it, auto-deploy is off, it is still building). A remote head that
is not deployed is reported, not treated as a failure. Only when the API shows a deploy of the deploy
branch's remote head still in progress does the check wait for it, bounded by `push_wait_timeout`; a
push to any other branch (see `render.deploy_branch`) never waits, and never for its own commit.
A remote head that was live and is no longer contained in what is live (a rollback) is not a pass; an
image-backed service (its live deploy has no commit) is skipped at once, after one health request. With
several services (`[tool.mosaic.services.<name>]`), one the Blueprint says Render does not deploy for the
remote head is "no deploy expected" and judged as it serves, without waiting.

The serving commit is then judged: a verification recorded as passed for it is reused while it is
fresh (`reuse_pass_for` minutes), and even then one health request is made first; otherwise the
verification runs (`verification.verify.verify_commit`, recorded like any other). Production that is
down or failing blocks the push (exit 1; unreachable: 3, or let through when `inconclusive_blocks` is
false), with the two ways out: `MOSAIC_FIX=1 git push` for the fix itself (let through; the
verification is recorded with `remediation: true`) or `git push --no-verify`.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from mosaic_hooks.cli.output import write_line
from mosaic_hooks.core import exit_codes, git
from mosaic_hooks.core.errors import MosaicError

if TYPE_CHECKING:
    from mosaic_hooks.core.config import Config
    from mosaic_hooks.gates.result import GateResult
    from mosaic_hooks.hooks.push_range import PushedRange
    from mosaic_hooks.hooks.serving import Serving
    from mosaic_hooks.render.outcome import WaitOutcome
    from mosaic_hooks.verification.model import Verification

PREFIX = "mosaic-hooks: "
# Evidence lines shown per failing check; the full report is `mosaic-hooks verify`.
MAX_EVIDENCE = 3
# Once the deploy is known to be live, the verification's own look at it is quick.
LIVE_RECHECK_TIMEOUT = 30.0

Clock = Callable[[], float]


def say(line: str) -> None:
    write_line(PREFIX + line, sys.stderr)


def configured(cfg: Config) -> bool:
    """The gates need the service's URL (of at least one service); the Render API (optional) tells about
    deploys in progress."""
    return any(view.backend_url for _name, view in cfg.services())


def pushed_branches(pushes: Sequence[PushedRange]) -> list[PushedRange]:
    """The pushes that update or create a branch (tags are not deployed, deletions add nothing). Pure."""
    return [push for push in pushes if push.remote_ref.startswith("refs/heads/") and not git.is_null_oid(push.head)]


def fresh_pass(record: dict[str, Any] | None, reuse_for_s: float, now: float) -> float | None:
    """Seconds since `record` passed, if it passed less than `reuse_for_s` ago; else None. Pure."""
    from mosaic_hooks.core.isotime import epoch

    if record is None or record.get("success") is not True:
        return None
    at = epoch(record.get("timestamp"))
    if at is None:
        return None
    age = now - at
    return age if -60 <= age < reuse_for_s else None  # a minute of clock skew is not "from the future"


def check_production(repo: git.Repo, cfg: Config, pushes: Sequence[PushedRange], *,
                     env: Mapping[str, str] | None = None, remote: str | None = None,
                     clock: Clock = time.time) -> int:
    """Check production before a push; 0 lets the push through, 1 (failed), 2 (config) or 3 (undecided) blocks."""
    env = os.environ if env is None else env
    if not configured(cfg):
        say("production check skipped: not configured (set BACKEND_URL, and RENDER_SERVICE_ID with "
            "RENDER_API_KEY, to check production before each push)")
        return exit_codes.PASSED
    branches = pushed_branches(pushes)
    if not branches:
        return exit_codes.PASSED
    from mosaic_hooks.render.deploy_branch import resolve

    deploy = resolve(repo, cfg, remote=remote)
    onto = [push for push in branches if deploy.ref is not None and push.remote_ref == deploy.ref]
    if deploy.name is None:
        say(f"the deploy branch is not known ({deploy.source}; set deploy_branch): checking production as it "
            "stands, without waiting for this push")
    for push in branches:
        if push not in onto and deploy.name is not None:
            say(f"{push.remote_ref.removeprefix('refs/heads/')} is not the deploy branch ({deploy.describe()}): "
                "checking production as it stands, without waiting for this push")
    watch = next((push.remote_sha for push in onto if not git.is_null_oid(push.remote_sha)), None)
    first = _deploy_branch_is_new(repo, deploy.name, onto, remote)
    code = exit_codes.PASSED
    for name, view in cfg.services():  # several with [tool.mosaic.services.<name>]: each judged as it serves
        if not view.backend_url:
            continue
        label = f" of service {name}" if name else ""
        if name and cfg.service_tables:
            say(f"production check{label}:")
        try:
            # With several services, one the Blueprint says Render does not deploy for the pushed line has
            # nothing coming: judged as it serves, never waited for.
            expected = watch is None or not cfg.service_tables or _deploy_expected(repo, name, view, watch, deploy.name)
            one = _check_serving(repo, view, watch if expected else None, deploy.name, env, clock,
                                 first_deploy=first)
        except MosaicError as exc:
            say(f"production check{label}: {exc.line()}")
            one = exc.exit_code
        if one != exit_codes.PASSED and code in (exit_codes.PASSED, exit_codes.INCONCLUSIVE):
            code = one
    if code == exit_codes.PASSED:
        return code
    if code == exit_codes.INCONCLUSIVE and not cfg.inconclusive_blocks:
        say("production check inconclusive (inconclusive_blocks = false: not blocking)")
        return exit_codes.PASSED
    if env.get("MOSAIC_FIX") == "1":
        say("MOSAIC_FIX=1: letting this push through as the fix (recorded as a remediation attempt)")
        return exit_codes.PASSED
    say("push blocked until production works again. Ways out:")
    say("  push the fix itself:          MOSAIC_FIX=1 git push")
    say("  skip every check (not safe):  git push --no-verify")
    return code


def _deploy_branch_is_new(repo: git.Repo, branch: str | None, onto: Sequence[PushedRange],
                          remote: str | None) -> bool:
    """True when the deploy branch does not exist on the remote yet: nothing can have been deployed from it."""
    if branch is None:
        return False
    if onto:
        return all(git.is_null_oid(push.remote_sha) for push in onto)
    from mosaic_hooks.render.deploy_branch import default_remote

    tracking = f"refs/remotes/{remote or default_remote(repo)}/{branch}"
    return repo.git("rev-parse", "--verify", "--quiet", tracking, check=False).returncode != 0


def _deploy_expected(repo: git.Repo, name: str | None, view: Config, watch: str, branch: str | None) -> bool:
    """Whether Render deploys service `name` for the deploy branch's remote head `watch` (issue 13: Render's
    rules for the Blueprint's rootDir and build filters, over the changes since the service's last verified
    commit, else the head's own change); said either way."""
    from mosaic_hooks.render.blueprint import blueprint_at, decide
    from mosaic_hooks.verification.verify import choose_base

    if git.resolve_commit(repo, watch) is None:
        return True  # nothing here to decide with: Render's own answer (the serving commit) decides
    base = choose_base(repo, view, watch, None) or git.resolve_commit(repo, f"{watch}^")
    decision = decide(name, view, blueprint_at(repo, watch), git.changed_paths(repo, base, watch))
    where = f"{branch} at {watch[:12]}" if branch else watch[:12]
    if not decision.deploys:
        say(f"service {name}: no deploy expected ({decision.reason}) for {where}: checking what it serves, "
            "without waiting")
        return False
    say(f"service {name}: Render deploys {where} ({decision.reason})")
    return True


def _check_serving(repo: git.Repo, cfg: Config, watch: str | None, branch: str | None,
                   env: Mapping[str, str], clock: Clock, *, first_deploy: bool = False) -> int:
    from mosaic_hooks.hooks.serving import Serving, serving_now

    serving = serving_now(cfg, watch)
    if serving.image_backed:  # never a commit to wait for or to judge (issue 13): said at once
        live_id = (serving.live or {}).get("id")
        say(f"production check skipped: service {cfg.render_service_id} is image-backed (its live deploy "
            f"{live_id} has no commit): no commit of this repository to judge (mosaic-hooks verify --deploy "
            f"{live_id} verifies the image's deploy)")
        return _health_only(cfg, "the image's deploy was not verified")
    if watch and serving.in_progress is not None:
        from mosaic_hooks.hooks.after_push import await_running, verifying

        # The previous push's background job may be checking this very deploy: its result, not a second run.
        if verifying(repo, cfg, watch):
            timeout = float(cfg.push_wait_timeout)
            if await_running(repo, cfg, watch, timeout=timeout) is not None:
                return _judge(repo, cfg, watch, Serving(watch, f"{branch}'s deploy"), env, clock)
            if verifying(repo, cfg, watch):
                say(f"production check inconclusive: the background verification of {watch[:12]} did not "
                    f"finish within {timeout:g} s (push_wait_timeout)")
                return exit_codes.INCONCLUSIVE
        return _wait_then_verify(repo, cfg, watch, branch, env)
    if serving.commit is None and (serving.nothing_live or first_deploy):
        why = serving.how if serving.nothing_live else f"the deploy branch {branch} is not on the remote yet"
        say(f"production check skipped: nothing deployed yet to check ({why})")
        return exit_codes.PASSED
    if serving.commit is None:
        say(f"production's serving commit is not known: {serving.how}")
        return _health_only(cfg, "the serving commit could not be judged")
    commit = git.resolve_commit(repo, serving.commit) if len(serving.commit) >= 7 else None
    shown = (commit or serving.commit)[:12]
    if watch and commit is not None and serving.replaced is not None and not git.is_ancestor(repo, watch, commit):
        return _rolled_back(serving, watch, commit, branch)
    if watch and branch and commit != watch:
        say(f"{branch} at {watch[:12]} is not what production serves ({shown}, from {serving.how}): "
            "not deployed (yet), reported, not a failure; checking what is serving")
    if commit is None:
        say(f"production serves {shown} (from {serving.how}), which is not in this repository "
            "(run git fetch to check it fully)")
        return _health_only(cfg, f"{shown} could not be analysed here")
    return _judge(repo, cfg, commit, serving, env, clock)


def _rolled_back(serving: Serving, watch: str, commit: str, branch: str | None) -> int:
    """The remote head was live and what is live now does not contain it (issue 13: `deactivated` is not
    proof): production no longer runs the pushed line, which is not a pass."""
    live = serving.live or {}
    replaced = serving.replaced or {}
    how = "rolled back" if live.get("trigger") == "rollback" else "replaced"
    when = live.get("finishedAt") or live.get("createdAt") or "?"
    say(f"production no longer runs {branch or 'the deploy branch'} at {watch[:12]} (its deploy {replaced.get('id')} "
        f"was live): {how} to {commit[:12]} at {when} (deploy {live.get('id')})")
    return exit_codes.FAILED


def _judge(repo: git.Repo, cfg: Config, commit: str, serving: Serving, env: Mapping[str, str],
           clock: Clock) -> int:
    from mosaic_hooks.hooks.after_push import await_running
    from mosaic_hooks.records import history
    from mosaic_hooks.verification.verify import history_file, service_of

    # The verification the previous push started may be checking this very deploy: its result, not a second run.
    await_running(repo, cfg, commit, timeout=float(cfg.push_wait_timeout))
    records, _warnings = history.read(history_file(cfg))
    last = history.newest_of(records, commit, service_of(cfg))
    reuse_for_s = float(cfg.reuse_pass_for) * 60
    age = fresh_pass(last, reuse_for_s, clock())
    if last is not None and age is not None:
        from mosaic_hooks.hooks.serving import health_now

        health = health_now(cfg)
        when = f"verified passed at {last.get('timestamp')} ({age / 60:.0f} min ago, reused for {cfg.reuse_pass_for:g})"
        if health.up:
            say(f"production: {commit[:12]} {when}; health: {health.line}")
            return exit_codes.PASSED
        say(f"production: {commit[:12]} {when}, but now: {health.line}")
        return exit_codes.FAILED if health.up is False else exit_codes.INCONCLUSIVE
    if last is not None and last.get("success") is True:
        say(f"production: the recorded pass of {commit[:12]} ({last.get('timestamp')}) is older than "
            f"reuse_pass_for ({cfg.reuse_pass_for:g} min): checking again")
    return _verify(repo, cfg, commit, f"serving, from {serving.how}", env)


def _health_only(cfg: Config, why: str) -> int:
    from mosaic_hooks.hooks.serving import health_now

    health = health_now(cfg)
    if health.up:
        say(f"production is up ({health.line}); {why}")
        return exit_codes.PASSED
    say(f"production is {'down' if health.up is False else 'unreachable'}: {health.line}")
    return exit_codes.FAILED if health.up is False else exit_codes.INCONCLUSIVE


def _wait_then_verify(repo: git.Repo, cfg: Config, commit: str, branch: str | None, env: Mapping[str, str]) -> int:
    from mosaic_hooks.render import outcome as oc
    from mosaic_hooks.render.wait import wait_for_deploy

    timeout = float(cfg.push_wait_timeout)
    ref = f"refs/heads/{branch}" if branch else None
    say(f"checking production: the deploy of {commit[:12]} ({branch}) is in progress, waiting at most {timeout:g} s")
    outcome: WaitOutcome = wait_for_deploy(cfg, commit, repo=repo, timeout=timeout, report=say, branch=ref)
    if outcome.state == oc.NO_DEPLOY:
        say(f"production check: {outcome.reason}")
        return _health_only(cfg, "no deploy of the remote head is coming")
    if outcome.state == oc.CONFIG_ERROR:
        say(f"production check: {outcome.reason}")
        return exit_codes.USAGE
    if outcome.state in (oc.TIMED_OUT, oc.UNREACHABLE):
        say(f"production check inconclusive: {outcome.reason}")
        return exit_codes.INCONCLUSIVE
    if git.resolve_commit(repo, commit) is None:
        return _health_only(cfg, f"{commit[:12]} is not in this repository (run git fetch to check it fully)")
    return _verify(repo, cfg, commit, f"{branch}'s deploy", env)


def _verify(repo: git.Repo, cfg: Config, commit: str, ref: str, env: Mapping[str, str]) -> int:
    """Run (and record) the verification of the serving commit; `ref` says where it came from."""
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
    from mosaic_hooks.gates import switches

    skips = switches.line(run.switched_off)
    if run.verdict.success:
        say(f"production: {commit[:12]} ({ref}) passed its checks" + (f"; {skips}" if skips else ""))
        return exit_codes.PASSED
    if skips:
        say(f"production: {skips}")
    _explain(run, ref)
    if run.verdict.verdict == "fail" and cfg.rollback_on_failure:
        from mosaic_hooks.verification.rollback import roll_back

        say(roll_back(repo, cfg, run, say).line)
    return int(run.verdict.exit_code)


def _explain(run: Verification, ref: str) -> None:
    word = "failing" if run.verdict.verdict == "fail" else "not verified (checks undecided)"
    say(f"production is {word}: {(run.commit or '')[:12]} ({ref})")
    for result in run.results:
        if result.status not in ("failed", "inconclusive"):
            continue
        say(f"  {result.status:<12} {result.name}: {result.summary}")
        for line in more_evidence(result):
            say(f"               {line}")


def more_evidence(result: GateResult) -> list[str]:
    """The failing lines the summary does not show ("X (and 3 more)": the 3 more), at most MAX_EVIDENCE of
    them, then how many are left. Pure."""
    lines = [line for line in result.evidence if line.startswith(("FAIL ", "UNDECIDED "))]
    if lines and result.summary.startswith(lines[0].split(" ", 1)[1]):
        lines = lines[1:]  # already the summary
    shown = lines[:MAX_EVIDENCE]
    if len(lines) > len(shown):
        shown.append(f"... and {len(lines) - len(shown)} more (`mosaic-hooks verify` lists them all)")
    return shown


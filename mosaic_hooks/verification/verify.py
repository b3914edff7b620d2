"""One verification of production: changes -> wait -> gates -> verdict -> history record.

Used by `mosaic-hooks verify` and by the pre-push stage (stop the line). The parts it joins are
imported when a verification runs, so importing this module costs nothing.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mosaic_hooks.core import isotime
from mosaic_hooks.core.errors import ConfigError
from mosaic_hooks.gates.result import PASSED

if TYPE_CHECKING:
    from mosaic_hooks.core import git
    from mosaic_hooks.core.config import Config
    from mosaic_hooks.detect.changeset import ChangeSet
    from mosaic_hooks.verification.model import Verification

HISTORY_FILE = "deployment_history.jsonl"
MAX_RECORDED_COMMITS = 1000


def history_file(cfg: Config) -> Path:
    return cfg.history_path / HISTORY_FILE


def service_of(cfg: Config) -> str | None:
    return cfg.recorded_service


def choose_base(repo: git.Repo, cfg: Config, commit: str, base: str | None,
                report: Callable[[str], None] | None = None) -> str | None:
    """--base if given; else the last commit recorded as verified (when this repository has it); else,
    with no verified base yet, the commit's parent: a first verification judges the commit's own change,
    not every route that merely pre-exists (`mosaic-hooks baseline` records production as the base).
    Says which base it chose when it was not given."""
    from mosaic_hooks.core import git
    if base:
        resolved = git.resolve_commit(repo, base)
        if resolved is None:
            raise ConfigError(f"--base {base}: no such commit in this repository", hint="give a sha or a ref")
        return resolved
    from mosaic_hooks.records import history
    say = report or (lambda line: None)
    last = history.last_verified(history_file(cfg), service=service_of(cfg))
    if last and isinstance(last.get("commit"), str):
        resolved = git.resolve_commit(repo, last["commit"])
        if resolved is not None:
            say(f"base: {resolved[:12]}, the last verified commit ({last.get('timestamp')})")
            return resolved
        why = f"the last verified commit {last['commit'][:12]} is not in this repository"
    else:
        service = service_of(cfg)
        why = "no verified base recorded yet" + (f" for service {service}" if service else "")
    parent = git.resolve_commit(repo, f"{commit}^")
    if parent is None:
        say(f"base: none ({why}, and {commit[:12]} has no parent): every endpoint of the commit counts as added")
        return None
    say(f"base: {parent[:12]}, the parent of {commit[:12]} ({why}; `mosaic-hooks baseline` records what "
        "production serves as the verified base)")
    return parent


def verify_commit(
    repo: git.Repo,
    cfg: Config,
    commit: str,
    *,
    base: str | None = None,
    wait: bool = True,
    wait_timeout: float | None = None,
    report: Callable[[str], None] | None = None,
    record: bool = True,
    env: Mapping[str, str] | None = None,
    gates: Sequence[str] | None = None,
    kind: str = "verify",
    crash_watch_s: float | None = None,
    deploy_id: str | None = None,
    remediation: bool | None = None,
) -> Verification:
    """Verify that `commit` works in production, record the result, and return it.

    `base` is the verified base (already resolved; None: everything in `commit` is new). `gates`: run
    only these (default: all). `kind` ("verify" or "baseline") is recorded. Once the deploy is live, the
    service's events are watched for crashes for `crash_watch_s` (default: the config's `crash_watch_s`;
    the pre-push check passes its shorter `push_crash_watch_s`). `deploy_id` follows that deploy instead
    of the commit's (image-backed services; a rollback). Raises ConfigError (exit 2) when the
    configuration cannot support a check (no backend URL, Render config error) and MosaicError (exit 2)
    for an unknown name in MOSAIC_SKIP; KeyboardInterrupt passes through with nothing recorded.
    """
    from mosaic_hooks.detect.analyze import analyze
    from mosaic_hooks.gates import switches
    from mosaic_hooks.gates.runner import run_gates
    from mosaic_hooks.verification.model import Verification
    from mosaic_hooks.verification.verdict import decide

    env = os.environ if env is None else env
    if not cfg.backend_url:
        raise ConfigError("backend_url is not set: the production checks need the service's URL",
                          hint="set BACKEND_URL or backend_url in [tool.mosaic]")
    off = {name: why for name, why in switches.switched_off(cfg, env).items() if gates is None or name in gates}
    for name, why in off.items():
        if report:
            report(f"{name}: {why}")
    started_at, start = isotime.now(), time.monotonic()
    changes = analyze(repo, base, commit, openapi_documents=cfg.openapi_documents)
    outcome = None
    wait_ended_at = None
    if wait:
        from mosaic_hooks.render import outcome as oc
        from mosaic_hooks.render.wait import wait_for_deploy

        timeout = float(cfg.wait_timeout if wait_timeout is None else wait_timeout)
        if report and (elsewhere := not_on_a_remote(repo, commit)):
            report(f"{elsewhere}: Render deploys only pushed commits; waiting at most {timeout:g} s anyway "
                   "(--timeout S to wait less, --no-wait to check production as it is)")
        watch = float(cfg.crash_watch_s if crash_watch_s is None else crash_watch_s)
        outcome = wait_for_deploy(cfg, commit, repo=repo, timeout=timeout, report=report, crash_watch_s=watch,
                                  deploy_id=deploy_id)
        wait_ended_at = isotime.now()
        if outcome.state == oc.CONFIG_ERROR:
            raise ConfigError(f"cannot wait for the deploy: {outcome.reason}")
    results = run_gates(cfg, changes, commit, outcome, repo=repo, names=gates, off=off)
    verdict = decide(results, inconclusive_blocks=bool(cfg.inconclusive_blocks))
    run = Verification(commit=commit, base=base, verdict=verdict, results=results, outcome=outcome, changes=changes,
                       started_at=started_at, finished_at=isotime.now(),
                       duration_s=round(time.monotonic() - start, 3), backend_url=cfg.backend_url,
                       service=service_of(cfg), inconclusive_blocks=bool(cfg.inconclusive_blocks),
                       remediation=env.get("MOSAIC_FIX") == "1" if remediation is None else remediation,
                       switched_off=off, kind=kind)
    if wait_ended_at:
        run.extra["wait_ended_at"] = wait_ended_at
    if record:
        record_run(repo, cfg, run)
    return run


def not_on_a_remote(repo: git.Repo, commit: str) -> str | None:
    """Why `commit` cannot have been deployed yet (no remote branch holds it), or None."""
    refs = repo.git("for-each-ref", "--contains", commit, "--format=%(refname)", "refs/remotes",
                    check=False).stdout.decode().split()
    if refs:
        return None
    if not repo.git("remote", check=False).stdout.decode().split():
        return f"{commit[:12]} cannot be on Render: this repository has no remote"
    return f"{commit[:12]} is on no remote branch (not pushed yet?)"


def build_record(run: Verification, commits: list[Any]) -> dict[str, Any]:
    """The history record (interfaces item 5). Pure."""
    deploy = (run.outcome.deploy or {}) if run.outcome is not None else {}
    # a deploy that never went live (build failed, canceled, timed out) has no live time, though Render
    # gives a failed build a `finishedAt`: it is no deploy, and the DORA metrics leave it out
    went_live = run.outcome is not None and run.outcome.state == "live"
    live_at = deploy.get("finishedAt") if went_live else None
    if live_at is None and went_live:
        live_at = run.extra.get("wait_ended_at")  # without the API: when the version endpoint matched
    deploy_gate = run.gate("deploy")
    if live_at is None and run.outcome is None and deploy_gate is not None and deploy_gate.status == PASSED:
        live_at = run.started_at  # --no-wait: seen serving when the verification started
    return {
        "schema": 1,
        "timestamp": run.finished_at,
        "commit": run.commit,
        "base": run.base,
        "success": run.verdict.success,
        "verdict": run.verdict.verdict,
        "failure_reason": run.verdict.failure_reason,
        "service": run.service,
        "deploy_id": deploy.get("id"),
        "deploy_created_at": deploy.get("createdAt"),
        "deploy_live_at": live_at,
        "commits": [{"sha": c.sha, "committed_at": isotime.iso(c.committed_at),
                     "authored_at": isotime.iso(c.authored_at)} for c in commits[-MAX_RECORDED_COMMITS:]],
        "remediation": run.remediation,
        **({"rollback": run.extra["rollback"]} if isinstance(run.extra.get("rollback"), dict) else {}),
        "gates": [r.to_json(evidence=False) for r in run.results],
        "switched_off": dict(run.switched_off),  # gates not run on purpose: {name: why}
        "kind": run.kind,
        "duration_s": run.duration_s,
    }


def record_run(repo: git.Repo, cfg: Config, run: Verification) -> None:
    """Append the record and refresh the DORA metrics; a Ctrl-C waits until both are written."""
    from mosaic_hooks.core import git
    from mosaic_hooks.core.errors import MosaicError

    commits = git.commits_between(repo, run.base, run.commit) if run.commit else []
    record = build_record(run, commits)
    path = history_file(cfg)
    from mosaic_hooks.records import dora_files, history
    with sigint_deferred():
        try:
            history.append(path, record)
            run.history_file = path
            dora_files.refresh_metrics(cfg)
            run.metrics_file = cfg.history_path / "dora_metrics.json"
        except (MosaicError, OSError) as exc:
            run.recording_error = exc.line() if isinstance(exc, MosaicError) else f"{exc.strerror}: {exc.filename}"


@contextmanager
def sigint_deferred() -> Iterator[None]:
    """Hold a Ctrl-C until the block is over, so files are never left half-written; then raise it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: pending.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if pending:
            raise KeyboardInterrupt


def summarize_changes(changes: ChangeSet) -> str:
    from mosaic_hooks.core.words import plural

    e = changes.endpoints
    outside = sum(1 for endpoint in e.added if not endpoint.in_schema)
    added = plural(len(e.added), "endpoint") + " added" + (
        f" ({outside} of them outside the OpenAPI schema by design)" if outside else "")
    requirements = len(changes.requirements.added) + len(changes.requirements.changed)
    return (f"{added}, {len(e.removed)} removed, "
            f"{plural(requirements, 'requirement')} added or changed, "
            f"{plural(len(changes.migrations.added), 'migration')} added")


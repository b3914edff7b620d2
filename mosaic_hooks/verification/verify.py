"""One verification of production: changes -> wait -> gates -> verdict -> history record.

Used by `mosaic-hooks verify` and by the pre-push stage (stop the line). The parts it joins are
imported when a verification runs, so importing this module costs nothing.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mosaic_hooks.core.errors import ConfigError
from mosaic_hooks.gates.result import PASSED

if TYPE_CHECKING:
    from mosaic_hooks.core import git
    from mosaic_hooks.core.config import Config
    from mosaic_hooks.detect.changeset import ChangeSet
    from mosaic_hooks.gates.result import GateResult
    from mosaic_hooks.render.outcome import WaitOutcome
    from mosaic_hooks.verification.model import Verification

HISTORY_FILE = "deployment_history.jsonl"
MAX_RECORDED_COMMITS = 1000


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def history_file(cfg: Config) -> Path:
    return cfg.history_path / HISTORY_FILE


def service_of(cfg: Config) -> str | None:
    return cfg.service_name or cfg.render_service_id or None


def choose_base(repo: git.Repo, cfg: Config, commit: str, base: str | None,
                report: Callable[[str], None] | None = None) -> str | None:
    """--base if given; else the last commit recorded as verified (when this repository has it)."""
    from mosaic_hooks.core import git
    if base:
        resolved = git.resolve_commit(repo, base)
        if resolved is None:
            raise ConfigError(f"--base {base}: no such commit in this repository", hint="give a sha or a ref")
        return resolved
    from mosaic_hooks.records import history
    last = history.last_verified(history_file(cfg), service=service_of(cfg))
    if not last or not isinstance(last.get("commit"), str):
        return None
    resolved = git.resolve_commit(repo, last["commit"])
    if resolved is None:
        if report:
            report(f"the last verified commit {last['commit'][:12]} is not in this repository; "
                   "checking every endpoint of the commit")
        return None
    return resolved


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
    crash_watch_s: float | None = None,
    deploy_id: str | None = None,
    remediation: bool | None = None,
) -> Verification:
    """Verify that `commit` works in production, record the result, and return it.

    `base` is the verified base (already resolved; None: everything in `commit` is new). Once the deploy
    is live, the service's events are watched for crashes for `crash_watch_s` (default: the config's
    `crash_watch_s`; the pre-push check passes its shorter `push_crash_watch_s`). `deploy_id` follows
    that deploy instead of the commit's (image-backed services; a rollback). Raises
    ConfigError (exit 2) when the configuration cannot support a check (no backend URL, Render
    config error); KeyboardInterrupt passes through with nothing recorded.
    """
    from mosaic_hooks.detect.analyze import analyze
    from mosaic_hooks.gates.runner import run_gates
    from mosaic_hooks.verification.model import Verification
    from mosaic_hooks.verification.verdict import decide

    env = os.environ if env is None else env
    if not cfg.backend_url:
        raise ConfigError("backend_url is not set: the production checks need the service's URL",
                          hint="set BACKEND_URL or backend_url in [tool.mosaic]")
    started_at, start = utc_now(), time.monotonic()
    changes = analyze(repo, base, commit)
    outcome = None
    wait_ended_at = None
    if wait:
        from mosaic_hooks.render import outcome as oc
        from mosaic_hooks.render.wait import wait_for_deploy

        timeout = float(cfg.wait_timeout if wait_timeout is None else wait_timeout)
        watch = float(cfg.crash_watch_s if crash_watch_s is None else crash_watch_s)
        outcome = wait_for_deploy(cfg, commit, repo=repo, timeout=timeout, report=report, crash_watch_s=watch,
                                  deploy_id=deploy_id)
        wait_ended_at = utc_now()
        if outcome.state == oc.CONFIG_ERROR:
            raise ConfigError(f"cannot wait for the deploy: {outcome.reason}")
    results = run_gates(cfg, changes, commit, outcome, repo=repo)
    verdict = decide(results, inconclusive_blocks=bool(cfg.inconclusive_blocks))
    run = Verification(commit=commit, base=base, verdict=verdict, results=results, outcome=outcome, changes=changes,
                       started_at=started_at, finished_at=utc_now(),
                       duration_s=round(time.monotonic() - start, 3), backend_url=cfg.backend_url,
                       service=service_of(cfg), inconclusive_blocks=bool(cfg.inconclusive_blocks),
                       remediation=env.get("MOSAIC_FIX") == "1" if remediation is None else remediation)
    if wait_ended_at:
        run.extra["wait_ended_at"] = wait_ended_at
    if record:
        record_run(repo, cfg, run)
    return run


def build_record(run: Verification, commits: list[Any]) -> dict[str, Any]:
    """The history record (interfaces item 5). Pure."""
    deploy = (run.outcome.deploy or {}) if run.outcome is not None else {}
    live_at = deploy.get("finishedAt")
    if live_at is None and run.outcome is not None and run.outcome.state == "live":
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
        "commits": [{"sha": c.sha, "committed_at": _iso(c.committed_at), "authored_at": _iso(c.authored_at)}
                    for c in commits[-MAX_RECORDED_COMMITS:]],
        "remediation": run.remediation,
        **({"rollback": run.extra["rollback"]} if isinstance(run.extra.get("rollback"), dict) else {}),
        "gates": [r.to_json(evidence=False) for r in run.results],
        "duration_s": run.duration_s,
    }


def _iso(unix: int) -> str:
    return datetime.fromtimestamp(unix, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


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
    e = changes.endpoints
    return (f"{len(e.added)} endpoints added, {len(e.removed)} removed, "
            f"{len(changes.requirements.added) + len(changes.requirements.changed)} requirements added or changed, "
            f"{len(changes.migrations.added)} migrations added")


def gate_results_line(results: list[GateResult]) -> str:
    return ", ".join(f"{r.name} {r.status}" for r in results)


def outcome_line(outcome: WaitOutcome | None) -> str:
    return "not waited (--no-wait)" if outcome is None else f"{outcome.state}: {outcome.reason}"

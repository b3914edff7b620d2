"""Verified after every push, without making `git push` wait: the pre-push stage's side of it.

When the pre-push stage lets a push through, `start` leaves one job per pushed branch that may deploy
(`verify_after_push`, on by default when production is configured) and starts its process detached
(`mosaic_hooks.cli.background_job`; the job is `verification/background.py`): its own session, no tie to
git's pipes, output to a log under the git directory. Starting costs a fork and an exec; the job's process
does the waiting.

`announce` is the other end: the next hook run (commit or push) tells the person how each background
verification that finished since went, failures loudly with the log's path.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from mosaic_hooks.cli.output import color, printable, write_line
from mosaic_hooks.core import git, isotime
from mosaic_hooks.verification import background_jobs as jobs

if TYPE_CHECKING:
    from mosaic_hooks.core.config import Config
    from mosaic_hooks.hooks.push_range import PushedRange

PREFIX = "mosaic-hooks: "
WORKER_MODULE = "mosaic_hooks.cli.background_job"
PUSH_URL_ENV = "MOSAIC_AFTER_PUSH_URL"  # the remote's URL as git gave it, credentials and all: never written down
# Variables of the hook's run that must not reach the job: they point git at this push's state, or give
# the pre-commit framework's range to a `mosaic-hooks` that would read it as its own.
_DROPPED_ENV = ("PRE_COMMIT_FROM_REF", "PRE_COMMIT_TO_REF", "PRE_COMMIT_LOCAL_BRANCH", "PRE_COMMIT_REMOTE_BRANCH",
                "PRE_COMMIT_REMOTE_NAME", "PRE_COMMIT_REMOTE_URL", "PRE_COMMIT")


def say(line: str) -> None:
    write_line(PREFIX + line, sys.stderr)


def enabled(cfg: Config) -> bool:
    """`verify_after_push` as set; when not set, on exactly when production is configured."""
    setting = cfg.verify_after_push
    return bool(cfg.backend_url) if setting is None else bool(setting)


def targets(pushes: Sequence[PushedRange], deploy_branch: str | None) -> list[PushedRange]:
    """The pushed branches to verify, each once: not tags, not deletions, only the deploy branch if known. Pure."""
    chosen: dict[str, PushedRange] = {}
    for push in pushes:
        if not push.remote_ref.startswith("refs/heads/") or git.is_null_oid(push.head):
            continue
        if deploy_branch is not None and push.remote_ref != deploy_branch:
            continue
        chosen[push.remote_ref] = push
    return list(chosen.values())


def start(repo: git.Repo, cfg: Config, pushes: Sequence[PushedRange], *, remote_name: str | None,
          remote_url: str | None, env: Mapping[str, str]) -> list[jobs.Job]:
    """Start the background verifications of a push that is let through; the jobs started."""
    if not enabled(cfg):
        return []
    if not cfg.backend_url:
        say("verify_after_push is on, but backend_url is not set: no background verification "
            "(set BACKEND_URL)")
        return []
    remote = remote_url or remote_name
    if not remote:
        say("no background verification: git did not say which remote this push goes to")
        return []
    from mosaic_hooks.render import deploy_branch
    from mosaic_hooks.verification.verify import service_of

    name = remote_name if remote_name and remote_name != remote_url else None
    store = jobs.Store(repo.common_dir)
    started = []
    with jobs.quiet_oserror():
        store.prune()
    # What the clone knows, no network: the background job asks the full question once the push has landed.
    for push in targets(pushes, deploy_branch.known_locally(repo, cfg, name).ref):
        try:
            job = _start_one(store, repo, push, service_of(cfg), remote, name, env)
        except OSError as exc:  # bookkeeping must never turn a push that passed into an error
            say(f"background verification of {push.head[:10]} not started: {exc.strerror}: {exc.filename}")
            continue
        if job is not None:
            started.append(job)
    return started


def _start_one(store: jobs.Store, repo: git.Repo, push: PushedRange, service: str | None, remote: str,
               remote_name: str | None, env: Mapping[str, str]) -> jobs.Job | None:
    ident = jobs.job_id(service, push.head)
    branch = printable(push.remote_ref.removeprefix("refs/heads/"))
    earlier = store.read(ident)
    if earlier is not None and earlier.state == jobs.FINISHED and earlier.verdict is not None:
        say(f"{push.head[:10]} ({branch}) was verified in the background already: {earlier.verdict}")
        return None
    lock_fd = store.hold(ident)
    if lock_fd is None:
        say(f"{push.head[:10]} ({branch}) is being verified in the background already")
        return None
    try:
        _supersede(store, service, push.remote_ref, ident)
        store.reset(ident)
        base = None if git.is_null_oid(push.remote_sha) else git.resolve_commit(repo, push.remote_sha)
        job = jobs.Job(id=ident, service=service, branch=push.remote_ref, remote=shown_url(remote), commit=push.head,
                       base=base, created_at=isotime.iso(time.time()),
                       log=str(store.log_path(ident)), remote_name=remote_name,
                       remediation=env.get("MOSAIC_FIX") == "1")
        store.write(job)
        _spawn(store, repo, job, lock_fd, env, remote)
    finally:
        os.close(lock_fd)  # the job's process holds the lock through its own copy
    say(f"{push.head[:10]} ({branch}) will be verified in the background once the push lands "
        f"(log: {job.log}; see `mosaic-hooks status`)")
    return job


def shown_url(url: str) -> str:
    """The remote's URL without its credentials (`https://user:token@host/...` -> `https://***@host/...`). Pure.

    A URL that carries a token is passed to the job's process in its environment only, never written down.
    """
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.scheme or "@" not in parts.netloc:
        return url
    return parts._replace(netloc="***@" + parts.netloc.rsplit("@", 1)[1]).geturl()


def _supersede(store: jobs.Store, service: str | None, branch: str, ident: str) -> None:
    """Tell older jobs of the same (service, branch) that are still running to stop: this push replaces them."""
    import signal

    for older in store.jobs():
        if older.id == ident or older.final or older.service != service or older.branch != branch:
            continue
        if not store.running(older.id):
            continue
        store.mark_superseded(older.id, ident)
        if older.pid:
            with contextlib.suppress(OSError):  # gone meanwhile; the note is there if it was only starting
                os.kill(older.pid, signal.SIGUSR1)


def _spawn(store: jobs.Store, repo: git.Repo, job: jobs.Job, lock_fd: int, env: Mapping[str, str],
           remote: str) -> None:
    argv = [sys.executable, "-m", WORKER_MODULE, "--job", job.id, "--git-dir", str(repo.common_dir),
            "--lock-fd", str(lock_fd)]
    child_env = {k: v for k, v in git.no_git_env(dict(env)).items() if k not in _DROPPED_ENV}
    child_env[PUSH_URL_ENV] = remote
    from mosaic_hooks.core.detached import start_detached

    header = (f"background verification of {job.commit} ({job.branch}), started by the pre-push hook "
              f"at {job.created_at}\n")
    start_detached(argv, cwd=repo.root, log_path=store.log_path(job.id), header=header, env=child_env,
                   pass_fds=(lock_fd,), append=False)


def verifying(repo: git.Repo, cfg: Config, commit: str) -> bool:
    """True while a background verification of `commit` (for this service) is running."""
    from mosaic_hooks.verification.verify import service_of

    store = jobs.Store(repo.common_dir)
    ident = jobs.job_id(service_of(cfg), commit)
    job = store.read(ident)
    return job is not None and not job.final and store.running(ident)


def await_running(repo: git.Repo, cfg: Config, commit: str, *, timeout: float,
                  sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
                  ) -> jobs.Job | None:
    """If a background verification of `commit` is running, wait for it (at most `timeout` s) rather than
    check the same deploy twice at once; the job as it ended, or None (none running, or not done in time)."""
    if not verifying(repo, cfg, commit):
        return None
    from mosaic_hooks.verification.verify import service_of

    store = jobs.Store(repo.common_dir)
    ident = jobs.job_id(service_of(cfg), commit)
    say(f"{commit[:12]} is being verified in the background; waiting for it (at most {timeout:g} s)")
    deadline = clock() + timeout
    while clock() < deadline:
        sleep(min(0.2, max(0.0, deadline - clock())))
        job = store.read(ident)
        if job is None:
            return None
        if job.final or not store.running(ident):
            return job if job.final else None
    return None


# -- the other end: telling the person ----------------------------------------------------------------

def announce(repo: git.Repo) -> None:
    """Print, once each, the outcome of background verifications that finished since the last hook run."""
    store = jobs.Store(repo.common_dir)
    for ident in store.unannounced():
        job = store.read(ident)
        if job is not None and job.final:
            for line in outcome_lines(job):
                say(line)
        if job is None or job.final:
            with jobs.quiet_oserror():  # a marker that cannot be removed is told again; never a failed hook
                store.announced(ident)


def outcome_lines(job: jobs.Job) -> list[str]:
    """What the person is told about one finished background verification. Pure."""
    where = f"{printable(job.branch.removeprefix('refs/heads/'))} at {job.commit[:10]}"
    service = f" of {job.service}" if job.service else ""
    if job.state == jobs.INTERRUPTED:
        return [f"the background verification{service} of {where} stopped before it finished; "
                f"nothing was recorded (log: {job.log})"]
    if job.verdict == "pass":
        return [color(f"background verification{service}: {where} passed", "green", sys.stderr)
                + f" ({job.finished_at})"]
    rule = "=" * 72
    headline = (f"PRODUCTION FAILED: the background verification{service} of {where} failed"
                if job.verdict == "fail" else
                f"PRODUCTION NOT VERIFIED: the background verification{service} of {where} did not decide")
    lines = [rule, color(headline, "red", sys.stderr)]
    if job.reason:
        lines.append(f"  {job.reason}")
    lines.append(f"  log: {job.log}")
    if job.verdict == "fail":
        lines.append("  the next push is blocked until production works again; push the fix with "
                     "MOSAIC_FIX=1 git push")
    lines.append(rule)
    return lines

"""The background verification of one push: the detached process the pre-push hook starts.

    python -m mosaic_hooks.cli.background_job --job ID --git-dir DIR [--lock-fd N]

(the process's entry is in `cli/`, which hands `main` the command line's `verify` to run: this layer runs no
command of its own)

1. Wait until the push has landed: the remote's ref is the pushed commit. git runs the pre-push hook
   before it sends anything, so this waits for git to finish; a push that is rejected or fails never
   lands, and the job ends quietly at `push_land_timeout`.
2. Skip a branch the service does not deploy (see `render.deploy_branch`).
3. Do what `mosaic-hooks verify --commit SHA --base <the remote's previous commit>` does (it is that
   command, run in this process): wait for the deploy, run the gates, record the result in the history.
4. Record the job's outcome, leave it to be announced by the next hook run, notify the desktop.

A newer push of the same branch (SIGUSR1 and a `.superseded` note), SIGTERM, SIGHUP or Ctrl-C stop the
job through the same path as Ctrl-C in `verify`: nothing half-written, nothing recorded as a result.
"""

from __future__ import annotations

import argparse
import os
import signal
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from mosaic_hooks.cli.output import write_line
from mosaic_hooks.core import exit_codes, git, isotime
from mosaic_hooks.core.errors import GitError, MosaicError
from mosaic_hooks.verification import background_jobs as jobs

if TYPE_CHECKING:
    from mosaic_hooks.core.config import Config

RunCommand = Callable[[Sequence[str]], int]  # the command line's `main`

LANDED = "landed"
NOT_LANDED = "not-landed"
SUPERSEDED = "superseded"
# The first look at the remote comes quickly (git is usually done within a second); later looks back off,
# so a rejected push to a far remote costs a few requests, not hundreds.
FIRST_POLL = 0.25
MAX_POLL = 10.0


def now() -> str:
    return isotime.iso(time.time())


def say(line: str) -> None:
    write_line(f"[{now()}] {line}")


def wait_until_landed(remote_sha: Callable[[], str | None], commit: str, *, timeout: float,
                      superseded: Callable[[], bool], clock: Callable[[], float] = time.monotonic,
                      sleep: Callable[[float], None] = time.sleep, first_poll: float = FIRST_POLL,
                      max_poll: float = MAX_POLL) -> str:
    """LANDED once `remote_sha()` is `commit`; NOT_LANDED when `timeout` passes first; SUPERSEDED when asked."""
    deadline = clock() + timeout
    poll = first_poll
    while True:
        if superseded():
            return SUPERSEDED
        if remote_sha() == commit:
            return LANDED
        left = deadline - clock()
        if left <= 0:
            return NOT_LANDED
        sleep(min(poll, left))
        poll = min(max_poll, poll * 2)


def tracking_sha(repo: git.Repo, remote_name: str | None, ref: str) -> str | None:
    """The remote-tracking ref git updates after a successful push to a named remote; no network."""
    if not remote_name or not ref.startswith("refs/heads/"):
        return None
    return git.resolve_commit(repo, f"refs/remotes/{remote_name}/{ref[len('refs/heads/'):]}")


def ls_remote_sha(repo: git.Repo, remote: str, ref: str, timeout: float = 30.0) -> str | None:
    """The remote's commit of `ref`, asked of the remote; None when absent or it cannot be asked."""
    try:
        proc = repo.git("ls-remote", "--", remote, ref, check=False, timeout=timeout, env=git.network_env())
    except (GitError, OSError):
        return None
    for line in proc.stdout.decode("utf-8", "surrogateescape").splitlines():
        sha, _, name = line.partition("\t")
        if name == ref:
            return sha
    return None


class Stopped(Exception):
    """The job was told to stop before it finished."""


class Signals:
    """SIGTERM, SIGHUP and SIGUSR1 (superseded) become Ctrl-C, so `verify`'s own Ctrl-C handling applies:
    a record being written is finished first, nothing else is recorded."""

    def __init__(self) -> None:
        self.superseded = False

    def install(self) -> None:
        signal.signal(signal.SIGINT, signal.default_int_handler)  # a detached child may inherit SIG_IGN
        for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1):
            signal.signal(signum, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        del frame
        if signum == signal.SIGUSR1:
            self.superseded = True
        signal.raise_signal(signal.SIGINT)


def verify_argv(job: jobs.Job, *, base_passed: bool, crash_watch_s: float | None = None) -> list[str]:
    """`verify --commit SHA --base <the remote's previous commit>`, when that commit's newest record is a pass.

    Otherwise no --base: `verify` then checks against the last verified deploy, so the changes of a
    previous commit that failed (or was never verified: superseded, stopped) are checked again, not
    taken as production's working baseline. `crash_watch_s`: the push path's shorter crash watch
    (`push_crash_watch_s`), so a good push is recorded about one poll after its deploy is live. Pure.
    """
    argv = ["verify", "--commit", job.commit]
    if job.base and base_passed:
        argv += ["--base", job.base]
    return [*argv, "--crash-watch", f"{crash_watch_s:g}"] if crash_watch_s is not None else argv


def base_passed(cfg: Config, job: jobs.Job) -> bool:
    """Whether the newest history record of the job's base commit is a pass."""
    if not job.base:
        return False
    from mosaic_hooks.records import history
    from mosaic_hooks.verification.verify import history_file, service_of

    records, _warnings = history.read(history_file(cfg))
    record = history.newest_of(records, job.base, service_of(cfg))
    return record is not None and record.get("success") is True


def run_job(store: jobs.Store, job: jobs.Job, repo: git.Repo, cfg: Config, *, signals: Signals,
            run_command: RunCommand) -> jobs.Job:
    """Take the job from waiting for the push to its final state; returns the final record. `run_command` is
    the command line's `main` (`run_command(["verify", ...])` is `mosaic-hooks verify ...`)."""
    job.state, job.pid, job.updated_at = jobs.WAITING_FOR_PUSH, os.getpid(), now()
    store.write(job)

    def superseded() -> bool:
        return signals.superseded or store.superseded_by(job.id) is not None

    # Where to ask: the URL git gave the hook (it may carry credentials, so it comes in the environment and
    # is never written down), else the remote's name, else the URL as recorded.
    reach = os.environ.get("MOSAIC_AFTER_PUSH_URL") or job.remote_name or job.remote
    timeout = float(cfg.push_land_timeout)
    say(f"waiting for the push of {job.commit[:12]} to {job.branch} to land on {job.remote} "
        f"(at most {timeout:g} s)")

    def remote_sha() -> str | None:
        return tracking_sha(repo, job.remote_name, job.branch) or ls_remote_sha(repo, reach, job.branch)

    landing = wait_until_landed(remote_sha, job.commit, timeout=timeout, superseded=superseded)
    if landing != LANDED:
        reason = ("a newer push of the branch took over" if landing == SUPERSEDED else
                  f"the remote's {job.branch} did not become {job.commit[:12]} within {timeout:g} s "
                  "(the push was rejected or failed)")
        return _end(store, job, jobs.SUPERSEDED if landing == SUPERSEDED else jobs.NOT_LANDED, reason)

    from mosaic_hooks.render import deploy_branch

    deploy = deploy_branch.resolve(repo, cfg, remote=reach)
    if not deploy_branch.deploys(job.branch, deploy):
        reason = (f"the service deploys {deploy.describe()}, not {job.branch.removeprefix('refs/heads/')}"
                  if deploy.name else
                  f"which branch deploys is unknown ({deploy.source}): only "
                  f"{' and '.join(deploy_branch.CONVENTIONAL)} are verified, not "
                  f"{job.branch.removeprefix('refs/heads/')}")
        return _end(store, job, jobs.NOT_DEPLOYED, reason)

    job.state, job.updated_at = jobs.VERIFYING, now()
    store.write(job)
    argv = verify_argv(job, base_passed=base_passed(cfg, job), crash_watch_s=float(cfg.push_crash_watch_s))
    say(f"landed; running: mosaic-hooks {' '.join(argv)}")
    if job.base and "--base" not in argv:
        say(f"(the remote's previous commit {job.base[:12]} has no recorded pass: checking the changes since "
            "the last verified deploy)")
    code = run_command(argv)
    if code == exit_codes.INTERRUPTED:
        raise KeyboardInterrupt
    _take_verdict(cfg, job, code)
    if cfg.desktop_notify:  # before the final record: a job that reads as finished has done everything
        notify_outcome(job, store.log_path(job.id))
    return _end(store, job, jobs.FINISHED, job.reason)


def _take_verdict(cfg: Config, job: jobs.Job, code: int) -> None:
    """The verdict the verification recorded in the history (the history is the record of results)."""
    from mosaic_hooks.records import history
    from mosaic_hooks.verification.verify import history_file, service_of

    job.exit_code = code
    records, _warnings = history.read(history_file(cfg))
    record = history.newest_of(records, job.commit, service_of(cfg))
    if record is not None and str(record.get("timestamp") or "") >= job.created_at:
        verdict = record.get("verdict")
        job.verdict = verdict if isinstance(verdict, str) else None
        reason = record.get("failure_reason")
        job.reason = reason if isinstance(reason, str) else None
        job.remediation = record.get("remediation") is True
    else:
        job.verdict = None
        job.reason = f"verify ended with exit {code} without recording a result (see the log)"


def _end(store: jobs.Store, job: jobs.Job, state: str, reason: str | None) -> jobs.Job:
    job.state, job.reason, job.finished_at = state, reason, now()
    job.updated_at = job.finished_at
    store.write(job)
    if state in (jobs.FINISHED, jobs.INTERRUPTED):
        store.mark_unannounced(job.id)
    say(f"{state}" + (f": {reason}" if reason and state != jobs.FINISHED else "")
        + (f": verdict {job.verdict}, exit {job.exit_code}" if state == jobs.FINISHED else ""))
    return job


def notify_outcome(job: jobs.Job, log: Path) -> None:
    from mosaic_hooks.core import notify

    short, branch = job.commit[:10], job.branch.removeprefix("refs/heads/")
    if job.verdict == "pass":
        title, body = "production passed", f"{branch} at {short} passed its checks"
    elif job.verdict == "fail":
        title, body = "production FAILED", f"{branch} at {short}: {job.reason or 'failed'} (log: {log})"
    else:
        title, body = "production not verified", f"{branch} at {short}: {job.reason or 'undecided'} (log: {log})"
    used = notify.desktop(f"mosaic-hooks: {title}", body)
    if used:
        say(f"desktop notification sent ({used})")


def main(argv: Sequence[str] | None = None, *, run_command: RunCommand) -> int:
    parser = argparse.ArgumentParser(prog="python -m mosaic_hooks.cli.background_job")
    parser.add_argument("--job", required=True)
    parser.add_argument("--git-dir", required=True, type=Path)
    parser.add_argument("--lock-fd", type=int, default=None)
    args = parser.parse_args(argv)
    store = jobs.Store(args.git_dir)
    signals = Signals()
    signals.install()
    lock_fd = args.lock_fd if args.lock_fd is not None else store.hold(args.job)
    if lock_fd is None:
        return exit_codes.PASSED  # the same job is running already
    job = store.read(args.job)
    if job is None:
        say(f"no job record {store.record_path(args.job)}; nothing to do")
        return exit_codes.USAGE
    from mosaic_hooks.core import config

    try:
        repo = git.find_repo()
        cfg = config.load(repo.root)
        job = run_job(store, job, repo, cfg, signals=signals, run_command=run_command)
    except KeyboardInterrupt:
        if signals.superseded or store.superseded_by(job.id):
            _end(store, job, jobs.SUPERSEDED, "a newer push of the branch took over")
        else:
            _end(store, job, jobs.INTERRUPTED, "stopped before it finished (nothing recorded)")
        return exit_codes.INTERRUPTED
    except MosaicError as exc:  # e.g. the configuration broke since the push: a result without a verdict
        job.exit_code = exc.exit_code
        _end(store, job, jobs.FINISHED, exc.line())
        return exc.exit_code
    return exit_codes.PASSED


"""The records of background verifications, under the git directory (never the work tree).

One job per (service, commit): `<id>.json` (the record), `<id>.log` (what the verification printed) and
`<id>.lock`, held by the job's process for as long as it lives. Whether a job is still running is asked of
that lock, not of a pid that may have been reused: a killed or crashed job releases it, and its record,
never having reached a final state, counts as nothing (not as a pass).

Only the job's own process writes its record after the hook created it; other processes leave notes
beside it: `<id>.superseded` (a newer push of the branch) and `unannounced/<id>` (finished, not yet
told to the person; the commit hook's fast path only lists that directory).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

STATE_DIR = ("mosaic-hooks", "after-push")
UNANNOUNCED = "unannounced"
KEEP = 20  # finished jobs kept (records and logs); older ones are deleted when a new job starts

# States. A job moves started -> waiting-for-push -> verifying -> one of the final states.
STARTED = "started"
WAITING_FOR_PUSH = "waiting-for-push"
VERIFYING = "verifying"
FINISHED = "finished"  # a verification ran to the end: `exit_code` and `verdict` say how it went
NOT_LANDED = "not-landed"  # the push never reached the remote (rejected, failed, interrupted)
NOT_DEPLOYED = "not-deployed"  # the branch is not the one the service deploys
SUPERSEDED = "superseded"  # a newer push of the same branch took over
INTERRUPTED = "interrupted"  # stopped by a signal before it finished: nothing recorded
FINAL_STATES = frozenset({FINISHED, NOT_LANDED, NOT_DEPLOYED, SUPERSEDED, INTERRUPTED})


@dataclass
class Job:
    id: str
    service: str | None
    branch: str  # the remote ref, refs/heads/...
    remote: str  # the remote's URL as git gave it to the pre-push hook
    commit: str
    base: str | None  # the remote's previous commit of the branch; None for a new branch
    created_at: str
    log: str
    state: str = STARTED
    pid: int | None = None
    updated_at: str | None = None
    finished_at: str | None = None
    exit_code: int | None = None
    verdict: str | None = None  # "pass" | "fail" | "inconclusive" from the history; None: no verdict
    reason: str | None = None  # why it failed, or why it ended without a verdict
    remediation: bool = False
    remote_name: str | None = None  # the remote's name, when the push named one (its tracking refs)

    def to_json(self) -> str:
        return json.dumps({"schema": 1, **asdict(self)}, indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, data: Any) -> Job | None:
        """The job in a decoded record; None when it is not one (a foreign or damaged file)."""
        if not isinstance(data, dict):
            return None
        names = {f.name for f in fields(cls)}
        values = {key: value for key, value in data.items() if key in names}
        try:
            job = cls(**values)
        except TypeError:
            return None
        strings = (job.id, job.branch, job.remote, job.commit, job.created_at, job.log, job.state)
        return job if all(isinstance(value, str) for value in strings) else None

    @property
    def final(self) -> bool:
        return self.state in FINAL_STATES


def job_id(service: str | None, commit: str) -> str:
    """One id per (service, commit): the same push verified twice is one job."""
    import hashlib

    digest = hashlib.sha256((service or "").encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return f"{commit[:16]}-{digest}"


class Store:
    """The job files of one repository (its common git directory, shared by linked worktrees)."""

    def __init__(self, common_dir: Path) -> None:
        self.dir = common_dir.joinpath(*STATE_DIR)

    def record_path(self, ident: str) -> Path:
        return self.dir / f"{ident}.json"

    def log_path(self, ident: str) -> Path:
        return self.dir / f"{ident}.log"

    def lock_path(self, ident: str) -> Path:
        return self.dir / f"{ident}.lock"

    def superseded_path(self, ident: str) -> Path:
        return self.dir / f"{ident}.superseded"

    def unannounced_path(self, ident: str) -> Path:
        return self.dir / UNANNOUNCED / ident

    def write(self, job: Job) -> None:
        from mosaic_hooks.core.files import write_text_atomic

        write_text_atomic(self.record_path(job.id), job.to_json())

    def read(self, ident: str) -> Job | None:
        try:
            data = json.loads(self.record_path(ident).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return Job.from_json(data)

    def jobs(self) -> list[Job]:
        """Every readable job, oldest first."""
        try:
            names = sorted(p.name for p in self.dir.glob("*.json"))
        except OSError:
            return []
        found = [job for name in names if (job := self.read(name[: -len(".json")])) is not None]
        return sorted(found, key=lambda job: (job.created_at, job.id))

    # -- liveness ----------------------------------------------------------------------------------
    def hold(self, ident: str) -> int | None:
        """An open descriptor holding the job's lock (inherited by the job's process), or None if it is held."""
        import fcntl

        self.dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path(ident), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                return None
            raise
        return fd

    def running(self, ident: str) -> bool:
        """Whether a process holds the job's lock (the job is alive)."""
        if not self.lock_path(ident).exists():
            return False
        try:
            fd = self.hold(ident)
        except OSError:
            return False
        if fd is None:
            return True
        os.close(fd)  # closing releases the lock we just took
        return False

    # -- notes left beside a job ---------------------------------------------------------------------
    def mark_superseded(self, ident: str, by: str) -> None:
        with contextlib.suppress(OSError):
            self.superseded_path(ident).write_text(by + "\n", encoding="utf-8")

    def superseded_by(self, ident: str) -> str | None:
        try:
            return self.superseded_path(ident).read_text(encoding="utf-8").strip() or None
        except OSError:
            return None

    def mark_unannounced(self, ident: str) -> None:
        path = self.unannounced_path(ident)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()

    def unannounced(self) -> list[str]:
        try:
            return sorted(os.listdir(self.dir / UNANNOUNCED))
        except OSError:
            return []

    def announced(self, ident: str) -> None:
        self.unannounced_path(ident).unlink(missing_ok=True)

    def reset(self, ident: str) -> None:
        """Clear the notes of an earlier run of the job (one that ended without a verdict), before a new run."""
        self.superseded_path(ident).unlink(missing_ok=True)
        self.unannounced_path(ident).unlink(missing_ok=True)

    def stop_running(self, bound: float = 10.0) -> None:
        """SIGTERM every running job (they stop as on Ctrl-C, recording nothing) and wait, at most `bound` s.

        A job only just started holds its lock before its record names its pid: it is waited for, then stopped.
        """
        import signal
        import time

        deadline = time.monotonic() + bound
        told: set[str] = set()
        while time.monotonic() < deadline:
            running = [job for job in self.jobs() if self.running(job.id)]
            if not running:
                return
            for job in running:  # a final one is exiting already: waited for, not signalled
                if job.pid and not job.final and job.id not in told:
                    told.add(job.id)
                    with contextlib.suppress(OSError):
                        os.kill(job.pid, signal.SIGTERM)
            time.sleep(0.05)

    # -- clean-up -----------------------------------------------------------------------------------
    def forget(self, ident: str) -> None:
        for path in (self.record_path(ident), self.log_path(ident), self.lock_path(ident),
                     self.superseded_path(ident), self.unannounced_path(ident)):
            path.unlink(missing_ok=True)

    def prune(self, keep: int = KEEP) -> None:
        """Delete all but the newest `keep` ended jobs; running and not yet announced ones stay."""
        waiting = set(self.unannounced())
        ended = [job for job in self.jobs() if job.id not in waiting and not self.running(job.id)]
        for job in ended[: max(0, len(ended) - keep)]:
            self.forget(job.id)


@contextlib.contextmanager
def quiet_oserror() -> Iterator[None]:
    """Bookkeeping a hook does on the side must never turn a push into an error."""
    with contextlib.suppress(OSError):
        yield

"""The background jobs' records: one per (service, commit), alive while their process holds the lock,
damaged files ignored, the last N kept."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from mosaic_hooks.verification import background_jobs as jobs


def make(store: jobs.Store, n: int, state: str = jobs.FINISHED) -> jobs.Job:
    job = jobs.Job(id=f"job{n:03d}", service="shop", branch="refs/heads/main", remote="/r.git",
                   commit=f"{n:040x}", base=None, created_at=f"2026-12-03T07:{n // 60:02d}:{n % 60:02d}Z",
                   log=str(store.log_path(f"job{n:03d}")), state=state)
    store.write(job)
    store.log_path(job.id).write_text("log\n")
    return job


def test_one_id_per_service_and_commit() -> None:
    sha = "c" * 40
    assert jobs.job_id("shop", sha) == jobs.job_id("shop", sha)
    assert jobs.job_id("shop", sha) != jobs.job_id("admin", sha)
    assert jobs.job_id("shop", sha) != jobs.job_id("shop", "d" * 40)


def test_a_record_round_trips_and_a_damaged_one_is_ignored(tmp_path: Path) -> None:
    store = jobs.Store(tmp_path)
    job = make(store, 1)
    assert store.read(job.id) == job
    store.record_path("broken").write_text("{not json")
    store.record_path("foreign").write_text(json.dumps({"id": 3, "what": "else"}))
    assert [j.id for j in store.jobs()] == [job.id]


def test_a_job_is_running_exactly_while_a_process_holds_its_lock(tmp_path: Path) -> None:
    store = jobs.Store(tmp_path)
    job = make(store, 1, state=jobs.VERIFYING)
    assert not store.running(job.id)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, sys, time\n"
        f"f = open({str(store.lock_path(job.id))!r}, 'a'); fcntl.flock(f, fcntl.LOCK_EX)\n"
        "print('held', flush=True); time.sleep(60)\n")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        assert store.running(job.id)
        assert store.hold(job.id) is None  # a second process cannot start the same job
    finally:
        holder.kill()
        holder.wait()
    assert not store.running(job.id)  # killed: the lock is released with it


def test_prune_keeps_the_newest_ended_jobs_and_every_unannounced_one(tmp_path: Path) -> None:
    store = jobs.Store(tmp_path)
    made = [make(store, n) for n in range(jobs.KEEP + 5)]
    store.mark_unannounced(made[0].id)  # the oldest, not yet told
    store.prune()
    kept = {job.id for job in store.jobs()}
    assert made[0].id in kept
    assert {job.id for job in made[-jobs.KEEP:]} <= kept
    assert len(kept) == jobs.KEEP + 1
    assert not store.log_path(made[1].id).exists()


def test_stop_running_stops_a_job_that_names_its_pid_only_after_it_started(tmp_path: Path) -> None:
    import os
    import signal
    import time

    store = jobs.Store(tmp_path)
    job = make(store, 1, state=jobs.STARTED)  # as the hook leaves it: no pid yet
    worker = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, json, sys, time\n"
        f"f = open({str(store.lock_path(job.id))!r}, 'a'); fcntl.flock(f, fcntl.LOCK_EX)\n"
        "print('held', flush=True); time.sleep(0.5)\n"
        f"path = {str(store.record_path(job.id))!r}\n"
        "data = json.load(open(path)); data['pid'] = __import__('os').getpid(); data['state'] = 'verifying'\n"
        "json.dump(data, open(path, 'w')); time.sleep(60)\n")], stdout=subprocess.PIPE, text=True)
    try:
        assert worker.stdout is not None and worker.stdout.readline() == "held\n"
        started = time.monotonic()
        store.stop_running(bound=10)
        assert worker.wait(timeout=5) == -signal.SIGTERM
        assert time.monotonic() - started < 5
    finally:
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait()

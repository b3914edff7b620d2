"""`mosaic-hooks status [--json]`: how production stands, per service and branch.

The last verified commit, its verdict and time (the newest record of the deployment history, whoever
wrote it: the background verification after a push, `verify`, the pre-push hook), and the background
verifications in flight (commit, since when, log). Exit 0 when the latest verdict of every service is
a pass, 1 when any is failing, 3 when any is unknown (nothing verified yet, or undecided).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from typing import Any

from mosaic_hooks.cli.output import color, printable, write_line
from mosaic_hooks.core import exit_codes, git
from mosaic_hooks.verification import background_jobs as jobs


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the status as JSON")


@dataclass
class ServiceStatus:
    service: str | None
    branch: str | None = None
    last: dict[str, Any] | None = None  # commit, verdict, timestamp, failure_reason, log
    in_flight: list[dict[str, Any]] = field(default_factory=list)
    unfinished: list[dict[str, Any]] = field(default_factory=list)  # stopped or killed since the last verdict

    @property
    def code(self) -> int:
        verdict = (self.last or {}).get("verdict")
        if verdict == "pass":
            return exit_codes.PASSED
        return exit_codes.FAILED if verdict == "fail" else exit_codes.INCONCLUSIVE

    def to_json(self) -> dict[str, Any]:
        return {"service": self.service, "branch": self.branch, "last": self.last, "in_flight": self.in_flight,
                "unfinished": self.unfinished}


def overall(statuses: list[ServiceStatus]) -> int:
    """1 if any latest verdict fails, else 3 if any is unknown (or there is none at all), else 0. Pure."""
    codes = [status.code for status in statuses]
    if exit_codes.FAILED in codes:
        return exit_codes.FAILED
    if not codes or exit_codes.INCONCLUSIVE in codes:
        return exit_codes.INCONCLUSIVE
    return exit_codes.PASSED


def collect(records: list[dict[str, Any]], job_list: list[jobs.Job], running: set[str],
            configured: str | None) -> list[ServiceStatus]:
    """One status per service: from the history's newest record and the running jobs. Pure.

    A record or job without a service (written before the service was configured) belongs to the
    configured service, as everywhere else in the records."""
    statuses: dict[str | None, ServiceStatus] = {}
    if configured is not None or not records:
        statuses[configured] = ServiceStatus(configured)
    branch_of = {(job.service or configured, job.commit): job for job in job_list}
    for record in records:
        service = record.get("service") if isinstance(record.get("service"), str) else configured
        status = statuses.setdefault(service, ServiceStatus(service))
        commit = record.get("commit")
        if not isinstance(commit, str):
            continue
        job = branch_of.get((service, commit))
        status.last = {"commit": commit, "verdict": record.get("verdict"), "timestamp": record.get("timestamp"),
                       "failure_reason": record.get("failure_reason"),
                       "log": job.log if job is not None else None}
        status.branch = job.branch if job is not None else status.branch
    for job in job_list:
        alive = job.id in running and not job.final
        # A job that stopped without a verdict (interrupted, or killed: never final) after the last verdict.
        stopped = job.state == jobs.INTERRUPTED or (not job.final and job.id not in running)
        if not alive and not stopped:
            continue
        service = job.service or configured
        status = statuses.setdefault(service, ServiceStatus(service))
        status.branch = status.branch or job.branch
        entry = {"commit": job.commit, "branch": job.branch, "since": job.created_at, "state": job.state,
                 "log": job.log}
        if alive:
            status.in_flight.append(entry)
        elif job.created_at >= str((status.last or {}).get("timestamp") or ""):
            status.unfinished.append(entry)
    return list(statuses.values())


def run(args: argparse.Namespace) -> int:
    from mosaic_hooks.core import config
    from mosaic_hooks.records import history
    from mosaic_hooks.verification.verify import history_file, service_of

    repo = git.find_repo()
    cfg = config.load(None if repo.bare else repo.root)
    records, warnings = history.read(history_file(cfg))
    store = jobs.Store(repo.common_dir)
    job_list = store.jobs()
    running = {job.id for job in job_list if not job.final and store.running(job.id)}
    statuses = collect(records, job_list, running, service_of(cfg))
    code = overall(statuses)
    if args.json:
        write_line(json.dumps({"exit_code": code, "services": [s.to_json() for s in statuses],
                               "warnings": warnings}, indent=2))
        return code
    for status in statuses:
        _print(status)
    for warning in warnings:
        write_line(f"warning: {warning}")
    return code


def _print(status: ServiceStatus) -> None:
    name = printable(status.service or "(service not named)")
    branch = printable((status.branch or "").removeprefix("refs/heads/")) or "?"
    write_line(f"{name} ({branch})")
    last = status.last
    if last is None:
        write_line("  last verified: nothing verified yet")
    else:
        verdict = str(last.get("verdict"))
        shown = color(verdict, {"pass": "green", "fail": "red"}.get(verdict, "yellow"))
        write_line(f"  last verified: {str(last['commit'])[:12]} {shown} at {last.get('timestamp')}")
        if last.get("failure_reason"):
            write_line(f"    {last['failure_reason']}")
        if last.get("log"):
            write_line(f"    log: {last['log']}")
    for job in status.in_flight:
        write_line(f"  in flight: {job['commit'][:12]} ({job['state']}) since {job['since']}, log: {job['log']}")
    for job in status.unfinished:
        write_line(f"  not verified: {job['commit'][:12]} stopped before it finished (pushed {job['since']}; "
                   f"nothing recorded), log: {job['log']}")

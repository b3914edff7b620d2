"""`mosaic-hooks status`: the latest verdict of each service from the history, with the background
verifications in flight; exit 0 all passing, 1 any failing, 3 unknown."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mosaic_hooks.cli.commands.status import collect, overall
from mosaic_hooks.core import exit_codes
from mosaic_hooks.verification import background_jobs as jobs
from tests.conftest import run_cli

A, B = "a" * 40, "b" * 40


def record(commit: str, verdict: str, service: str | None = "shop", at: str = "2026-12-03T07:00:00Z") -> dict[str, Any]:
    return {"commit": commit, "verdict": verdict, "success": verdict == "pass", "service": service, "timestamp": at,
            "failure_reason": None if verdict == "pass" else f"{verdict}: health"}


def job(commit: str, state: str, created: str = "2026-12-03T07:05:00Z") -> jobs.Job:
    return jobs.Job(id=commit[:8], service="shop", branch="refs/heads/main", remote="/r.git", commit=commit,
                    base=None, created_at=created, log=f"/logs/{commit[:8]}.log", state=state)


@pytest.mark.parametrize(("verdicts", "code"), [
    (["pass"], exit_codes.PASSED),
    (["fail", "pass"], exit_codes.PASSED),  # the latest counts
    (["pass", "fail"], exit_codes.FAILED),
    (["pass", "inconclusive"], exit_codes.INCONCLUSIVE),
    ([], exit_codes.INCONCLUSIVE),  # nothing verified yet: unknown
])
def test_the_exit_code_follows_the_latest_verdict(verdicts: list[str], code: int) -> None:
    records = [record(commit * 40, verdict, at=f"2026-12-03T07:0{i}:00Z")
               for i, (commit, verdict) in enumerate(zip("ab", verdicts, strict=False))]
    assert overall(collect(records, [], set(), "shop")) == code


def test_any_failing_service_fails_the_status() -> None:
    records = [record(A, "pass", "shop"), record(B, "fail", "admin")]
    statuses = collect(records, [], set(), "shop")
    assert {s.service: s.code for s in statuses} == {"shop": 0, "admin": 1}
    assert overall(statuses) == exit_codes.FAILED


def test_running_jobs_are_in_flight_and_stopped_ones_are_said_not_verified() -> None:
    statuses = collect([record(A, "pass")], [job(A, jobs.FINISHED, "2026-12-03T06:59:00Z"),
                                             job(B, jobs.VERIFYING)], {B[:8]}, "shop")
    [shop] = statuses
    assert shop.branch == "refs/heads/main" and shop.last is not None and shop.last["log"] == "/logs/aaaaaaaa.log"
    assert [j["commit"] for j in shop.in_flight] == [B] and shop.unfinished == []
    [stopped] = collect([record(A, "pass")], [job(B, jobs.VERIFYING)], set(), "shop")  # its process is gone
    assert stopped.in_flight == [] and [j["commit"] for j in stopped.unfinished] == [B]
    assert stopped.code == exit_codes.PASSED  # the latest verdict; the stopped one is said, not counted


def test_the_command_reads_the_history_of_the_repository(repo: Path) -> None:
    (repo / ".mosaic").mkdir()
    history = repo / ".mosaic" / "deployment_history.jsonl"
    history.write_text(json.dumps(record(A, "fail")) + "\n")
    (repo / ".mosaic" / "config.toml").write_text('service_name = "shop"\n')
    ran = run_cli("status", cwd=repo)
    assert ran.returncode == exit_codes.FAILED, ran.stderr
    assert "shop (?)" in ran.stdout and f"last verified: {A[:12]} fail at 2026-12-03T07:00:00Z" in ran.stdout
    data = json.loads(run_cli("status", "--json", cwd=repo).stdout)
    assert data["exit_code"] == 1 and data["services"][0]["last"]["verdict"] == "fail"
    history.write_text("")
    empty = run_cli("status", cwd=repo)
    assert empty.returncode == exit_codes.INCONCLUSIVE and "nothing verified yet" in empty.stdout


def test_outside_a_repository_one_line_and_exit_2(tmp_path: Path) -> None:
    ran = run_cli("status", cwd=tmp_path)
    assert ran.returncode == exit_codes.USAGE
    assert ran.stderr.count("\n") == 1 and "not inside a git repository" in ran.stderr


def test_records_written_before_the_service_was_configured_belong_to_it() -> None:
    """A pass recorded before RENDER_SERVICE_ID was set, then a failure with it: one service, failing."""
    records = [record(A, "pass", service=None), record(B, "fail", at="2026-12-03T07:10:00Z")]
    [status] = collect(records, [], set(), "shop")
    assert status.service == "shop" and status.last is not None and status.last["commit"] == B
    assert overall([status]) == exit_codes.FAILED

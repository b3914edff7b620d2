"""`mosaic-hooks verify` end to end: a real git repository, a real service on 127.0.0.1 (FastAPI under
uvicorn), the Render fake over real HTTP, the history and the reports written to disk."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from tests.conftest import commit_files, git, run_cli
from tests.support.apps import Toggles, fastapi_app, serve_asgi, unused_url

APP_BEFORE = '''from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
def health():
    return {"status": "ok"}
'''

APP_AFTER = APP_BEFORE + '''

@app.get("/items/{item_id}")
def get_item(item_id: int):
    return {"id": item_id, "name": "widget"}


@app.post("/items")
def create_item(item: dict):
    return item


@app.get("/reports")
def reports():
    return []
'''


@pytest.fixture(scope="module")
def service() -> Iterator[tuple[str, Toggles]]:
    toggles = Toggles()
    with serve_asgi(fastapi_app(toggles)) as url:
        yield url, toggles


@pytest.fixture(scope="module")
def service_without_reports() -> Iterator[str]:
    with serve_asgi(fastapi_app(Toggles(missing={"/reports"}))) as url:
        yield url


def project(repo: Path, url: str, gate_timeout: float = 20) -> tuple[str, str]:
    """The service's repository: a first commit, then one adding three endpoints. (base, head)."""
    (repo / "pyproject.toml").write_text(f'[tool.mosaic]\nbackend_url = "{url}"\nhealth_samples = 5\n'
                                         f'gate_timeout = {gate_timeout}\nrequest_timeout = 3\n')
    base = commit_files(repo, {"app.py": APP_BEFORE, "pyproject.toml": (repo / "pyproject.toml").read_text()},
                        "service")
    head = commit_files(repo, {"app.py": APP_AFTER}, "items and reports")
    return base, head


def history(repo: Path) -> list[dict[str, Any]]:
    path = repo / ".mosaic" / "deployment_history.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_a_working_deploy_passes_records_and_writes_the_reports(repo: Path, service: tuple[str, Toggles]) -> None:
    url, toggles = service
    base, head = project(repo, url)
    toggles.commit = head
    proc = run_cli("verify", "--no-wait", "--base", base, "--json", "--junit", "out/junit.xml", "--proof",
                   "out/PROOF.md", cwd=repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    assert report["verdict"] == "pass" and report["commit"] == head
    gates = {g["name"]: g for g in report["gates"]}
    assert gates["endpoints"]["status"] == "passed"
    assert "GET /items/{item_id} (/items/1): 200" in "\n".join(gates["endpoints"]["evidence"])
    assert gates["deploy"]["status"] == "passed"  # /version names the commit

    [record] = history(repo)
    assert record["commit"] == head and record["base"] == base
    assert record["success"] is True and record["verdict"] == "pass" and record["failure_reason"] is None
    assert [c["sha"] for c in record["commits"]] == [head]
    assert record["remediation"] is False
    assert {g["name"] for g in record["gates"]} >= {"deploy", "health", "endpoints"}
    assert (repo / ".mosaic" / "dora_metrics.json").exists()

    suites = ET.parse(repo / "out" / "junit.xml").getroot()
    assert [s.get("name") for s in suites.iter("testsuite")] == [g["name"] for g in report["gates"]]
    endpoint_cases = [c.get("name") for c in suites.iter("testcase")
                      if c.get("classname") == "mosaic_hooks.gates.endpoints"]
    assert sorted(endpoint_cases) == ["GET /items/{item_id} (/items/1)", "GET /reports", "POST /items"]
    proof = (repo / "out" / "PROOF.md").read_text()
    assert "8. [x] **DORA metrics recorded**" in proof and "Verdict: **PASS**" in proof


def test_the_next_verification_starts_from_the_last_verified_commit(repo: Path, service: tuple[str, Toggles]) -> None:
    url, toggles = service
    base, head = project(repo, url)
    toggles.commit = head
    assert run_cli("verify", "--no-wait", "--base", base, cwd=repo).returncode == 0
    proc = run_cli("verify", "--no-wait", "--json", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    gates = {g["name"]: g for g in json.loads(proc.stdout)["gates"]}
    assert gates["endpoints"]["status"] == "skipped"  # nothing new since the verified head
    assert history(repo)[-1]["base"] == head


def test_a_missing_endpoint_blocks_with_exit_1_and_names_the_404(repo: Path, service_without_reports: str) -> None:
    base, _ = project(repo, service_without_reports)
    proc = run_cli("verify", "--no-wait", "--base", base, cwd=repo, env={"NO_COLOR": "1"})
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "GET /reports: 404, the service's 'no such route' answer: not deployed" in proc.stdout
    assert "verdict: FAIL" in proc.stdout
    assert "\033[" not in proc.stdout
    [record] = history(repo)
    assert record["success"] is False and "endpoints" in str(record["failure_reason"])


@pytest.mark.parametrize(("toggles", "metrics", "gate", "evidence"), [
    (Toggles(slow_health_s=0.6), True, "health", "over the 500 ms limit"),
    (Toggles(crash_on_invalid=True), True, "errors", "POST /items (broken JSON): answered 500"),
    (Toggles(break_schema=True), True, "contract", "GET /items/1: 200 breaks its documented schema"),
    (Toggles(), False, "monitoring", "no metrics: GET /metrics answered 404"),
], ids=["slow-health", "500-on-invalid-input", "schema-broken", "no-metrics"])
def test_each_production_fault_blocks_with_exit_1_naming_its_gate(repo: Path, toggles: Toggles, metrics: bool,
                                                                  gate: str, evidence: str) -> None:
    with serve_asgi(fastapi_app(toggles, metrics=metrics)) as url:
        base, head = project(repo, url)
        toggles.commit = head
        proc = run_cli("verify", "--no-wait", "--base", base, "--json", cwd=repo)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    failed = {g["name"]: g for g in report["gates"] if g["status"] == "failed"}
    assert list(failed) == [gate]
    assert evidence in failed[gate]["summary"]
    assert history(repo)[-1]["failure_reason"].startswith(f"failed: {gate} (")


def test_a_handler_404_for_the_sample_id_does_not_block(repo: Path, service: tuple[str, Toggles]) -> None:
    url, toggles = service
    base, head = project(repo, url)
    toggles.commit = head
    (repo / ".mosaic").mkdir(exist_ok=True)
    (repo / ".mosaic" / "config.toml").write_text('sample_values = { item_id = "999" }\n')
    proc = run_cli("verify", "--no-wait", "--base", base, cwd=repo, env={"NO_COLOR": "1"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "GET     /items/999  404" in proc.stdout


def test_unreachable_production_is_inconclusive_exit_3_and_recorded(repo: Path) -> None:
    base, _ = project(repo, unused_url(), gate_timeout=2)
    proc = run_cli("verify", "--no-wait", "--base", base, "--json", cwd=repo)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    assert report["verdict"] == "inconclusive"
    assert all(g["status"] != "passed" for g in report["gates"])
    assert history(repo)[-1]["verdict"] == "inconclusive"


def test_remediation_is_recorded_when_mosaic_fix_is_set(repo: Path, service: tuple[str, Toggles]) -> None:
    url, toggles = service
    base, head = project(repo, url)
    toggles.commit = head
    run_cli("verify", "--no-wait", "--base", base, cwd=repo, env={"MOSAIC_FIX": "1"})
    assert history(repo)[-1]["remediation"] is True


def test_verify_waits_for_the_render_deploy_of_the_commit(repo: Path, service: tuple[str, Toggles]) -> None:
    from mosaic_hooks.testing.render_fake import RenderFake

    url, toggles = service
    base, head = project(repo, url)
    toggles.commit = head
    with RenderFake() as fake:
        fake.add_service("srv-verify", timeline=[("build_in_progress", 0.3), ("live", 0)])
        fake.push(head, "items and reports")
        env = {"MOSAIC_RENDER_API_URL": fake.api_url, "RENDER_API_KEY": fake.api_key,
               "RENDER_SERVICE_ID": "srv-verify", "MOSAIC_POLL_INTERVAL": "0.1"}
        (repo / ".mosaic").mkdir(exist_ok=True)
        (repo / ".mosaic" / "config.toml").write_text("poll_interval = 0.1\nwait_timeout = 20\ncrash_watch_s = 0.3\n")
        proc = run_cli("verify", "--base", base, "--json", cwd=repo, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    assert report["deploy"]["state"] == "live" and report["deploy"]["id"]
    [record] = history(repo)
    assert record["deploy_id"] == report["deploy"]["id"]
    assert record["deploy_live_at"] and record["service"] == "srv-verify"
    assert fake.api_key not in proc.stdout + proc.stderr


def test_a_failed_build_is_recorded_without_a_live_time_and_is_no_deploy(repo: Path,
                                                                         service: tuple[str, Toggles]) -> None:
    """Issue 15 item 1a: Render gives a failed build a finishedAt; it never went live."""
    from mosaic_hooks.testing.render_fake import RenderFake

    url, _toggles = service
    base, head = project(repo, url)
    with RenderFake() as fake:
        fake.add_service("srv-verify", timeline=[("build_in_progress", 0.2), ("build_failed", 0)])
        fake.push(head, "items and reports")
        env = {"MOSAIC_RENDER_API_URL": fake.api_url, "RENDER_API_KEY": fake.api_key,
               "RENDER_SERVICE_ID": "srv-verify", "MOSAIC_POLL_INTERVAL": "0.1"}
        (repo / ".mosaic").mkdir(exist_ok=True)
        (repo / ".mosaic" / "config.toml").write_text("poll_interval = 0.1\nwait_timeout = 20\n")
        proc = run_cli("verify", "--base", base, "--json", cwd=repo, env=env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    [record] = history(repo)
    assert record["verdict"] == "fail" and record["deploy_id"]
    assert record["deploy_live_at"] is None
    dora = run_cli("dora", "--json", cwd=repo)
    doc = json.loads(dora.stdout)
    assert doc["deployment_frequency"]["total_deployments"] == 0
    assert doc["time_to_restore_service"]["incidents"] == 0
    assert doc["skipped"]["not_live"] == 1


def test_an_unknown_commit_is_a_usage_error(repo: Path) -> None:
    proc = run_cli("verify", "--no-wait", "--commit", "no-such-rev", cwd=repo, env={"BACKEND_URL": unused_url()})
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("mosaic-hooks: --commit no-such-rev: no such commit in this repository "
                                   "(hint: give a sha or a ref)")


def test_no_backend_url_is_a_usage_error_with_one_line(repo: Path) -> None:
    proc = run_cli("verify", "--no-wait", cwd=repo)
    assert proc.returncode == 2
    assert "backend_url is not set" in proc.stderr and "Traceback" not in proc.stderr
    assert history(repo) == []


def test_git_is_untouched_by_a_verification(repo: Path, service: tuple[str, Toggles]) -> None:
    url, toggles = service
    base, head = project(repo, url)
    toggles.commit = head
    run_cli("verify", "--no-wait", "--base", base, cwd=repo)
    assert git(repo, "rev-parse", "HEAD") == head


def test_ctrl_c_exits_130_and_leaves_the_history_intact(repo: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    with serve_asgi(fastapi_app(Toggles(slow_health_s=5))) as url:
        base, _ = project(repo, url)
        history_path = repo / ".mosaic" / "deployment_history.jsonl"
        history_path.parent.mkdir(parents=True, exist_ok=True)
        earlier = '{"schema": 1, "timestamp": "2026-11-24T17:00:00Z", "commit": "' + base + '", "success": true}\n'
        history_path.write_text(earlier)
        proc = subprocess.Popen([sys.executable, "-m", "mosaic_hooks", "verify", "--no-wait", "--base", base],
                                cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ)
        time.sleep(1.5)  # the health check is under way
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, out + err
    assert err.strip().endswith("mosaic-hooks: interrupted")
    assert history_path.read_text() == earlier
    assert list(history_path.parent.glob(".*.tmp")) == []


@pytest.mark.parametrize("delay", [0.15, 0.2, 0.25, 0.3, 0.4, 0.6])
def test_ctrl_c_at_any_moment_of_start_up_exits_130_with_one_line(repo: Path, delay: float) -> None:
    """Ctrl-C while the gates start (imports, client, first requests): 130 and one line, no traceback at exit
    (on Python 3.10, asyncio.run let the interrupt escape from inside a task: 'Task exception was never
    retrieved', 'Exception ignored in: <coroutine object run_gates_async>')."""
    import os
    import signal
    import subprocess
    import sys
    import time

    with serve_asgi(fastapi_app(Toggles(slow_health_s=5))) as url:
        base, _ = project(repo, url)
        proc = subprocess.Popen([sys.executable, "-m", "mosaic_hooks", "verify", "--no-wait", "--base", base],
                                cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ)
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, out + err
    assert err.strip().endswith("mosaic-hooks: interrupted"), err
    assert "Traceback" not in err and "never retrieved" not in err

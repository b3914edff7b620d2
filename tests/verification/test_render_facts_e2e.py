"""Issue 13's verdicts end to end: `mosaic-hooks verify` and the pre-push check through a real `git push`,
a real service on 127.0.0.1 (FastAPI under uvicorn), the Render fake over real HTTP, the history on disk.

Late crashes, unreadable events, rollbacks, two deploys of one commit, image-backed services, Blueprints
with several services, and rollback on failure. These run in subprocesses, so on the wall clock: the
timelines and watch windows are fractions of a second (the minutes-long cases are in tests/render)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mosaic_hooks.testing.render_fake import RenderFake
from tests.conftest import commit_files, git, run_cli
from tests.support.apps import Toggles, fastapi_app, serve_asgi

QUICK = [("build_in_progress", 0.3), ("live", 0)]
SETTINGS = ("poll_interval = 0.1\nwait_timeout = 20\nrequest_timeout = 3\nhealth_samples = 3\ngate_timeout = 20\n"
            "push_wait_timeout = 20\n")
APP = "print('service')\n"  # no routes in the commit: these tests are about the deploy, not the endpoints


@pytest.fixture
def service() -> Iterator[tuple[str, Toggles]]:
    toggles = Toggles()
    with serve_asgi(fastapi_app(toggles)) as url:
        yield url, toggles


@pytest.fixture
def render() -> Iterator[RenderFake]:
    with RenderFake() as fake:
        yield fake


def project(repo: Path, url: str, extra: str = "", watch: float = 0.5) -> str:
    """The service's repository; `watch`: seconds the crash watch lasts after live (verify and pre-push)."""
    (repo / "pyproject.toml").write_text(f'[tool.mosaic]\nbackend_url = "{url}"\n{SETTINGS}'
                                         f'crash_watch_s = {watch}\npush_crash_watch_s = {watch}\n{extra}')
    return commit_files(repo, {"app.py": APP, "pyproject.toml": (repo / "pyproject.toml").read_text()}, "service")


def verify(repo: Path, render: RenderFake, service_id: str, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("verify", "--json", *args, cwd=repo, env=render.env(service_id), timeout=120)


def report(proc: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    first = proc.stdout[:proc.stdout.index("\n}") + 2]  # several services print one document each
    data: dict[str, Any] = json.loads(first)
    return data


def gate(proc: subprocess.CompletedProcess[str], name: str) -> dict[str, Any]:
    return next(g for g in report(proc)["gates"] if g["name"] == name)


def history(repo: Path) -> list[dict[str, Any]]:
    path = repo / ".mosaic" / "deployment_history.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


# ----- 1. crashes after live

def test_repeated_crashes_after_live_fail_the_deploy_gate_with_their_reasons(
        repo: Path, service: tuple[str, Toggles], render: RenderFake) -> None:
    url, toggles = service
    head = project(repo, url, watch=6)
    toggles.commit = head

    def crash_twice(deploy: dict[str, Any]) -> None:  # late: after the wait has seen it live
        now = render.clock.now()
        render.crash("srv-crash", at=now + 3.0, recovered_after=0.05)
        render.crash("srv-crash", at=now + 3.5, reason={"evicted": False, "nonZeroExit": 1})

    render.add_service("srv-crash", timeline=QUICK, on_live=crash_twice)
    render.push(head, "service")
    proc = verify(repo, render, "srv-crash")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    deploy_gate = gate(proc, "deploy")
    assert deploy_gate["status"] == "failed"
    assert "crashed repeatedly" in deploy_gate["summary"]
    assert "out of memory (limit 512Mi)" in deploy_gate["summary"] and "non-zero exit (1)" in deploy_gate["summary"]
    assert "watching the service's events for crashes" in proc.stderr
    assert history(repo)[-1]["success"] is False


def test_unreadable_events_pass_saying_crash_loops_unknown(repo: Path, service: tuple[str, Toggles],
                                                           render: RenderFake) -> None:
    url, toggles = service
    head = project(repo, url)
    toggles.commit = head
    render.add_service("srv-noevents", timeline=QUICK)
    render.push(head, "service")
    render.fail_next(1000, 400, path_contains="/events")
    proc = verify(repo, render, "srv-noevents")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert any("crash loops unknown: the service's events could not be read" in line
               for line in gate(proc, "deploy")["evidence"])


# ----- 3. deactivated is not proof

def test_a_deploy_rolled_back_since_is_not_a_pass(repo: Path, service: tuple[str, Toggles],
                                                 render: RenderFake) -> None:
    url, toggles = service
    older = git(repo, "rev-parse", "HEAD")
    head = project(repo, url)
    toggles.commit = older  # what is serving after the rollback
    render.add_service("srv-rolled")
    render.add_deploy(head, "deactivated", service_id="srv-rolled", created_ago=300)
    back = render.add_deploy(older, "live", service_id="srv-rolled", created_ago=100, trigger="rollback")
    proc = verify(repo, render, "srv-rolled")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    when = render.deploy(back)["finishedAt"]
    assert f"rolled back to {older[:12]} at {when}" in gate(proc, "deploy")["summary"]


# ----- 4. several deploys of one commit

def test_a_live_deploy_of_the_commit_counts_though_a_newer_one_was_canceled(
        repo: Path, service: tuple[str, Toggles], render: RenderFake) -> None:
    url, toggles = service
    head = project(repo, url)
    toggles.commit = head
    render.add_service("srv-twice")
    live = render.add_deploy(head, "live", service_id="srv-twice", created_ago=120)
    render.add_deploy(head, "canceled", service_id="srv-twice", created_ago=60, trigger="api")
    proc = verify(repo, render, "srv-twice")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert report(proc)["deploy"]["id"] == live


# ----- 5. image-backed services

def test_an_image_backed_service_is_inconclusive_at_once_or_verified_by_deploy_id(
        repo: Path, service: tuple[str, Toggles], render: RenderFake) -> None:
    url, _toggles = service
    project(repo, url)
    render.add_service("srv-image", image_path="docker.io/example/app:latest")
    image_deploy = render.add_deploy(None, "live", service_id="srv-image", created_ago=60)
    at_once = verify(repo, render, "srv-image")
    assert at_once.returncode == 3, at_once.stdout + at_once.stderr
    assert "image-backed" in gate(at_once, "deploy")["summary"]
    assert report(at_once)["duration_s"] < 15  # not the 20-minute wait of other tools
    by_id = verify(repo, render, "srv-image", "--deploy", image_deploy)
    assert by_id.returncode == 0, by_id.stdout + by_id.stderr
    assert report(by_id)["deploy"]["id"] == image_deploy


# ----- 6. Blueprints and monorepos

BLUEPRINT = """services:
  - type: web
    name: api
    rootDir: api
  - type: web
    name: web
    rootDir: web
    buildFilter:
      ignoredPaths: ["web/docs/**"]
"""


def blueprint_project(repo: Path, url: str) -> str:
    tables = ('\n[tool.mosaic.services.api]\nrender_service_id = "srv-api"\n'
              '\n[tool.mosaic.services.web]\nrender_service_id = "srv-web"\n')
    project(repo, url, tables)
    return commit_files(repo, {"render.yaml": BLUEPRINT, "api/main.py": APP, "web/main.py": APP}, "monorepo")


def test_verify_checks_only_the_services_render_deploys_and_names_them(
        repo: Path, service: tuple[str, Toggles], render: RenderFake) -> None:
    url, toggles = service
    base = blueprint_project(repo, url)
    head = commit_files(repo, {"web/main.py": APP + "\n# v2\n"}, "web only")
    toggles.commit = head
    render.add_service("srv-api", root_dir="api")
    render.add_service("srv-web", root_dir="web", ignored_paths=["web/docs/**"], timeline=QUICK)
    changed = ["web/main.py"]
    assert render.push(head, "web only", service_id="srv-api", changed_paths=changed) is None
    assert render.push(head, "web only", service_id="srv-web", changed_paths=changed) is not None
    proc = run_cli("verify", "--base", base, cwd=repo, env={"RENDER_API_KEY": render.api_key,
                                                            "MOSAIC_RENDER_API_URL": render.api_url}, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "service api: no deploy expected (nothing changed under its rootDir api/); not verified" in proc.stderr
    assert f"mosaic-hooks verify: {head[:12]} of service web" in proc.stdout
    assert [(r["service"], r["success"]) for r in history(repo)] == [("web", True)]
    assert render.request_count("/services/srv-api") == 0  # no wait on a deploy that will not come


# ----- 7. rollback on failure

def rollback_scene(repo: Path, service: tuple[str, Toggles], render: RenderFake) -> tuple[str, str]:
    """A first commit verified as passing, then a second whose deploy breaks the health check."""
    url, toggles = service
    good = project(repo, url)
    bad = commit_files(repo, {"app.py": APP + "\n# v2\n"}, "v2")

    def serve(deploy: dict[str, Any]) -> None:
        toggles.commit = deploy["commit"]["id"]
        toggles.health_status = 500 if deploy["commit"]["id"] == bad else 200

    render.add_service("srv-rb", timeline=QUICK, on_live=serve)
    render.push(good, "service")
    assert verify(repo, render, "srv-rb", "--commit", good).returncode == 0
    render.push(bad, "v2")
    return good, bad


def test_rollback_restores_the_last_verified_deploy_verifies_and_records_it(
        repo: Path, service: tuple[str, Toggles], render: RenderFake) -> None:
    good, bad = rollback_scene(repo, service, render)
    proc = verify(repo, render, "srv-rb", "--commit", bad, "--rollback")
    assert proc.returncode == 1, proc.stdout + proc.stderr  # the commit failed; production is restored
    first = history(repo)[0]
    assert render.rollbacks == [("srv-rb", first["deploy_id"])]
    assert "its verification passed; auto-deploy stays on: the next push deploys again" in proc.stderr
    records = history(repo)
    assert [(r["commit"], r["success"], r["remediation"]) for r in records] == [
        (good, True, False), (bad, False, False), (good, True, True)]
    assert records[-1]["rollback"]["from_commit"] == bad and records[-1]["deploy_id"] != first["deploy_id"]
    assert service[1].commit == good and service[1].health_status == 200


def test_no_rollback_without_the_setting(repo: Path, service: tuple[str, Toggles], render: RenderFake) -> None:
    _good, bad = rollback_scene(repo, service, render)
    proc = verify(repo, render, "srv-rb", "--commit", bad)
    assert proc.returncode == 1
    assert render.rollbacks == [] and "rolled back" not in proc.stderr


def test_never_a_rollback_to_a_deploy_that_was_not_verified(repo: Path, service: tuple[str, Toggles],
                                                            render: RenderFake) -> None:
    url, toggles = service
    project(repo, url, "rollback_on_failure = true\n")
    bad = commit_files(repo, {"app.py": APP + "\n# v2\n"}, "v2")
    render.add_service("srv-unverified", timeline=QUICK)
    render.add_deploy(git(repo, "rev-parse", "HEAD~1"), "live", service_id="srv-unverified", created_ago=600)
    render.push(bad, "v2")
    toggles.commit, toggles.health_status = bad, 500
    proc = verify(repo, render, "srv-unverified", "--commit", bad)
    assert proc.returncode == 1
    assert render.rollbacks == []
    assert "no rollback: no earlier deploy of this service passed verification" in proc.stderr


# ----- the pre-push check, through a real `git push`

def push(repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "push", "origin", "main"], cwd=repo, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=180)


def installed(repo: Path) -> None:
    assert run_cli("install", cwd=repo).returncode == 0


def test_a_push_is_blocked_when_production_crash_loops_after_live(
        repo: Path, remote: Path, service: tuple[str, Toggles], render: RenderFake) -> None:
    url, toggles = service
    production = project(repo, url, watch=2)
    git(repo, "push", "-q", "--no-verify", "origin", "main")
    toggles.commit = production

    def crash_twice(deploy: dict[str, Any]) -> None:
        render.crash("srv-push", at=render.clock.now() + 0.2)
        render.crash("srv-push", at=render.clock.now() + 0.4)

    render.add_service("srv-push", timeline=QUICK, on_live=crash_twice)
    render.push(production, "service")
    installed(repo)
    commit_files(repo, {"app.py": APP + "\n# next\n"}, "next")
    blocked = push(repo, render.env("srv-push"))
    assert blocked.returncode != 0, blocked.stderr
    assert "crashed repeatedly" in blocked.stderr and "out of memory" in blocked.stderr
    assert git(repo, "rev-parse", "origin/main") == production


def test_a_push_is_blocked_when_production_was_rolled_back_from_the_pushed_line(
        repo: Path, remote: Path, service: tuple[str, Toggles], render: RenderFake) -> None:
    url, toggles = service
    older = git(repo, "rev-parse", "HEAD")
    production = project(repo, url)
    git(repo, "push", "-q", "--no-verify", "origin", "main")
    toggles.commit = older
    render.add_service("srv-back")
    render.add_deploy(production, "deactivated", service_id="srv-back", created_ago=300)
    render.add_deploy(older, "live", service_id="srv-back", created_ago=100, trigger="rollback")
    installed(repo)
    commit_files(repo, {"app.py": APP + "\n# next\n"}, "next")
    blocked = push(repo, render.env("srv-back"))
    assert blocked.returncode != 0
    assert f"rolled back to {older[:12]}" in blocked.stderr


def test_a_push_checks_only_the_services_production_deployed(
        repo: Path, remote: Path, service: tuple[str, Toggles], render: RenderFake) -> None:
    url, toggles = service
    blueprint_project(repo, url)
    git(repo, "push", "-q", "--no-verify", "origin", "main")
    production = commit_files(repo, {"web/docs/guide.md": "docs\n", "api/main.py": APP + "\n# v2\n"}, "api")
    git(repo, "push", "-q", "--no-verify", "origin", "main")
    toggles.commit = production
    render.add_service("srv-api", root_dir="api", timeline=QUICK)
    render.add_service("srv-web", root_dir="web", ignored_paths=["web/docs/**"])
    changed = ["web/docs/guide.md", "api/main.py"]
    assert render.push(production, "api", service_id="srv-web", changed_paths=changed) is None
    assert render.push(production, "api", service_id="srv-api", changed_paths=changed) is not None
    installed(repo)
    commit_files(repo, {"api/main.py": APP + "\n# v3\n"}, "next")
    env = {"RENDER_API_KEY": render.api_key, "MOSAIC_RENDER_API_URL": render.api_url}
    pushed = push(repo, env)
    assert pushed.returncode == 0, pushed.stderr
    assert "service web: no deploy expected (every change matches its buildFilter.ignoredPaths" in pushed.stderr
    assert [(r["service"], r["commit"], r["success"]) for r in history(repo)] == [("api", production, True)]


def test_a_push_passes_when_any_deploy_of_the_production_commit_is_live(
        repo: Path, remote: Path, service: tuple[str, Toggles], render: RenderFake) -> None:
    url, toggles = service
    production = project(repo, url)
    git(repo, "push", "-q", "--no-verify", "origin", "main")
    toggles.commit = production
    render.add_service("srv-pair")
    render.add_deploy(production, "live", service_id="srv-pair", created_ago=120)
    render.add_deploy(production, "canceled", service_id="srv-pair", created_ago=60, trigger="api")
    installed(repo)
    commit_files(repo, {"app.py": APP + "\n# next\n"}, "next")
    pushed = push(repo, render.env("srv-pair"))
    assert pushed.returncode == 0, pushed.stderr
    assert [(r["commit"], r["success"]) for r in history(repo)] == [(production, True)]


def test_a_push_to_an_image_backed_service_is_not_waited_on(
        repo: Path, remote: Path, service: tuple[str, Toggles], render: RenderFake) -> None:
    url, _toggles = service
    project(repo, url)
    git(repo, "push", "-q", "--no-verify", "origin", "main")
    render.add_service("srv-img", image_path="docker.io/example/app:latest")
    render.add_deploy(None, "live", service_id="srv-img", created_ago=60)
    installed(repo)
    commit_files(repo, {"app.py": APP + "\n# next\n"}, "next")
    pushed = push(repo, render.env("srv-img"))
    assert pushed.returncode == 0, pushed.stderr
    assert "skipped: service srv-img is image-backed" in pushed.stderr
    assert history(repo) == []


def test_a_push_with_rollback_on_failure_restores_production_and_stays_blocked(
        repo: Path, remote: Path, service: tuple[str, Toggles], render: RenderFake) -> None:
    url, toggles = service
    good = project(repo, url, "rollback_on_failure = true\n")
    bad = commit_files(repo, {"app.py": APP + "\n# v2\n"}, "v2")

    def serve(deploy: dict[str, Any]) -> None:
        toggles.commit = deploy["commit"]["id"]
        toggles.health_status = 500 if deploy["commit"]["id"] == bad else 200

    render.add_service("srv-prb", timeline=QUICK, on_live=serve)
    render.push(good, "service")
    assert verify(repo, render, "srv-prb", "--commit", good).returncode == 0
    git(repo, "push", "-q", "--no-verify", "origin", "main")
    render.push(bad, "v2")
    installed(repo)
    commit_files(repo, {"app.py": APP + "\n# v3\n"}, "v3")
    blocked = push(repo, render.env("srv-prb"))
    assert blocked.returncode != 0
    assert "rolled back service srv-prb to" in blocked.stderr and "auto-deploy stays on" in blocked.stderr
    assert len(render.rollbacks) == 1
    assert [(r["commit"], r["success"], r["remediation"]) for r in history(repo)] == [
        (good, True, False), (bad, False, False), (good, True, True)]

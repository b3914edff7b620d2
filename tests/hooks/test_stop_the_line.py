"""Stop the line: before a push, production as it serves (Render's live deploy, or what /version reports) is
checked -- not the remote branch's head, which may never have been deployed; a fresh recorded pass is reused
after one health request; a failing production blocks the push unless MOSAIC_FIX=1; only the deploy branch's
deploy in progress is waited for.

Real git repositories with a bare remote, a real service on 127.0.0.1 serving /version and /health, the
Render fake over real HTTP, and the real verification flow and history file."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mosaic_hooks.core import config, exit_codes, git
from mosaic_hooks.core.isotime import iso
from mosaic_hooks.hooks.push_range import PushedRange as Push
from mosaic_hooks.hooks.stop_the_line import check_production, fresh_pass, pushed_branches
from mosaic_hooks.records.history import newest_of
from tests.conftest import commit_files
from tests.conftest import git as run_git
from tests.support import apps

HISTORY = Path(".mosaic") / "deployment_history.jsonl"
FAST: dict[str, Any] = {"poll_interval": 0.1, "push_wait_timeout": 3, "request_timeout": 2, "health_samples": 3,
                        "gate_timeout": 3, "push_crash_watch_s": 0.2}
NULL = "0" * 40


@dataclass
class Scene:
    repo: Path
    production: str  # the remote branch's current commit: what production should be serving
    push: Push  # the push about to happen: one new commit on main

    def cfg(self, backend_url: str, **overrides: Any) -> config.Config:
        (self.repo / ".mosaic").mkdir(exist_ok=True)
        settings = {**FAST, **overrides}
        (self.repo / ".mosaic" / "config.toml").write_text(
            "".join(f"{key} = {json.dumps(value)}\n" for key, value in settings.items()))
        return config.load(self.repo, env={"BACKEND_URL": backend_url})

    def history(self) -> list[dict[str, Any]]:
        path = self.repo / HISTORY
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.fixture
def scene(repo: Path, remote: Path, monkeypatch: pytest.MonkeyPatch) -> Scene:
    production = commit_files(repo, {"app.py": "print('v1')\n"}, "v1")
    run_git(repo, "push", "-q", "--no-verify", "origin", "main")
    head = commit_files(repo, {"app.py": "print('v2')\n"}, "v2")
    monkeypatch.chdir(repo)
    return Scene(repo, production, Push("refs/heads/main", head, "refs/heads/main", production, production, head))


@pytest.fixture
def service() -> Iterator[Any]:
    """A real Flask service; its toggles say which commit it serves and how healthy it is."""
    toggles = apps.Toggles()
    with apps.serve_wsgi(apps.flask_app(toggles)) as url:
        toggles.url = url
        yield toggles


def check(scene: Scene, cfg: config.Config, env: dict[str, str] | None = None) -> int:
    return check_production(git.find_repo(scene.repo), cfg, [scene.push], env=env or {})


# ----- not configured

def test_without_a_backend_url_the_production_check_is_skipped_saying_so(
        scene: Scene, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = config.load(scene.repo, env={})
    assert check(scene, cfg) == exit_codes.PASSED
    assert "production check skipped: not configured (set BACKEND_URL" in capsys.readouterr().err


# ----- production passes

def test_a_healthy_production_lets_the_push_through_and_is_recorded(
        scene: Scene, service: Any, capsys: pytest.CaptureFixture[str]) -> None:
    service.commit = scene.production
    assert check(scene, scene.cfg(service.url)) == exit_codes.PASSED
    assert f"production: {scene.production[:12]} (serving, from {service.url}/version) passed its checks" \
        in capsys.readouterr().err
    [record] = scene.history()
    assert record["commit"] == scene.production and record["success"] is True
    assert record["remediation"] is False


def passed_record(scene: Scene, at: float) -> None:
    (scene.repo / ".mosaic").mkdir(exist_ok=True)
    passed = {"schema": 1, "timestamp": iso(at), "commit": scene.production, "success": True,
              "verdict": "pass", "service": None}
    (scene.repo / HISTORY).write_text(json.dumps(passed) + "\n")


def test_a_fresh_recorded_pass_is_reused_after_one_health_request(
        scene: Scene, service: Any, capsys: pytest.CaptureFixture[str]) -> None:
    service.commit = scene.production
    passed_record(scene, time.time() - 120)
    requests_before = service.requests
    assert check(scene, scene.cfg(service.url)) == exit_codes.PASSED
    err = capsys.readouterr().err
    assert f"production: {scene.production[:12]} verified passed at" in err
    assert f"(2 min ago, reused for 15); health: {service.url}/health answered 200" in err
    assert len(scene.history()) == 1  # nothing new recorded
    assert service.requests - requests_before == 2  # /version, then /health: nothing more


def test_a_recorded_pass_does_not_let_a_push_through_while_production_is_down(
        scene: Scene, service: Any, capsys: pytest.CaptureFixture[str]) -> None:
    service.commit = scene.production
    service.health_status = 503
    passed_record(scene, time.time() - 60)
    assert check(scene, scene.cfg(service.url)) == exit_codes.FAILED
    err = capsys.readouterr().err
    assert f"but now: {service.url}/health answered 503" in err and "push blocked" in err


def test_with_production_unreachable_a_recorded_pass_is_inconclusive_and_blocks_by_default(
        scene: Scene, capsys: pytest.CaptureFixture[str]) -> None:
    passed_record(scene, time.time() - 60)
    assert check(scene, scene.cfg(apps.unused_url())) == exit_codes.INCONCLUSIVE
    err = capsys.readouterr().err
    assert "production is unreachable" in err and "push blocked" in err


def test_a_recorded_pass_older_than_reuse_pass_for_is_checked_again(
        scene: Scene, service: Any, capsys: pytest.CaptureFixture[str]) -> None:
    service.commit = scene.production
    passed_record(scene, time.time() - 11 * 60)
    assert check(scene, scene.cfg(service.url, reuse_pass_for=10)) == exit_codes.PASSED
    assert "is older than reuse_pass_for (10 min): checking again" in capsys.readouterr().err
    assert len(scene.history()) == 2


def test_freshness_is_judged_by_the_clock_given() -> None:
    record = {"success": True, "timestamp": "2026-11-24T17:00:00Z"}
    at = 1795539600.0  # 2026-11-24T17:00:00Z
    assert fresh_pass(record, 900, at + 899) == 899
    assert fresh_pass(record, 900, at + 900) is None
    assert fresh_pass({**record, "success": False}, 900, at) is None
    assert fresh_pass(None, 900, at) is None


def test_a_newer_failed_record_is_not_covered_by_an_older_pass(scene: Scene, service: Any) -> None:
    (scene.repo / ".mosaic").mkdir()
    lines = [{"timestamp": iso(time.time() - 120), "commit": scene.production, "success": True},
             {"timestamp": iso(time.time() - 60), "commit": scene.production, "success": False}]
    (scene.repo / HISTORY).write_text("".join(json.dumps(line) + "\n" for line in lines))
    service.commit = scene.production
    service.health_status = 503
    assert check(scene, scene.cfg(service.url)) == exit_codes.FAILED
    assert len(scene.history()) == 3


# ----- production as it serves, not the remote head

def test_a_remote_head_that_was_never_deployed_is_reported_not_waited_for_and_not_a_failure(
        scene: Scene, service: Any, capsys: pytest.CaptureFixture[str]) -> None:
    initial = run_git(scene.repo, "rev-parse", f"{scene.production}~1")
    service.commit = initial  # the remote head was skipped by a build filter: the commit before keeps serving
    started = time.monotonic()
    assert check(scene, scene.cfg(service.url, push_wait_timeout=300)) == exit_codes.PASSED
    assert time.monotonic() - started < 20  # no wait for a deploy that is not coming
    err = capsys.readouterr().err
    assert (f"main at {scene.production[:12]} is not what production serves ({initial[:12]}, from "
            f"{service.url}/version): not deployed (yet), reported, not a failure") in err
    [record] = scene.history()
    assert record["commit"] == initial and record["success"] is True


def test_production_serving_a_commit_this_clone_does_not_have_gets_the_health_request(
        scene: Scene, service: Any, capsys: pytest.CaptureFixture[str]) -> None:
    service.commit = "e" * 40  # deployed by someone else, not fetched
    assert check(scene, scene.cfg(service.url)) == exit_codes.PASSED
    err = capsys.readouterr().err
    assert "which is not in this repository (run git fetch to check it fully)" in err
    assert f"production is up ({service.url}/health answered 200)" in err
    service.health_status = 500
    assert check(scene, scene.cfg(service.url)) == exit_codes.FAILED


# ----- production fails: blocked, with the ways out

def test_a_failing_production_blocks_the_push_naming_the_checks_and_the_ways_out(
        scene: Scene, service: Any, capsys: pytest.CaptureFixture[str]) -> None:
    service.commit = scene.production
    service.health_status = 500
    assert check(scene, scene.cfg(service.url)) == exit_codes.FAILED
    err = capsys.readouterr().err
    assert f"production is failing: {scene.production[:12]} (serving, from {service.url}/version)" in err
    assert "failed       health:" in err
    assert "MOSAIC_FIX=1 git push" in err
    assert "git push --no-verify" in err
    [record] = scene.history()
    assert record["success"] is False and "health" in record["failure_reason"]


def test_mosaic_fix_lets_the_fix_through_and_records_a_remediation_attempt(
        scene: Scene, service: Any, capsys: pytest.CaptureFixture[str]) -> None:
    service.commit = scene.production
    service.health_status = 500
    assert check(scene, scene.cfg(service.url), env={"MOSAIC_FIX": "1"}) == exit_codes.PASSED
    err = capsys.readouterr().err
    assert "MOSAIC_FIX=1: letting this push through as the fix" in err
    [record] = scene.history()
    assert record["success"] is False and record["remediation"] is True


def test_an_unreachable_production_is_inconclusive_and_blocks_by_default(
        scene: Scene, capsys: pytest.CaptureFixture[str]) -> None:
    assert check(scene, scene.cfg(apps.unused_url())) == exit_codes.INCONCLUSIVE
    err = capsys.readouterr().err
    assert "production's serving commit is not known:" in err and "MOSAIC_FIX=1 git push" in err


def test_an_unreachable_production_does_not_block_when_inconclusive_blocks_is_off(
        scene: Scene, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = scene.cfg(apps.unused_url(), inconclusive_blocks=False, push_wait_timeout=0.5)
    assert check(scene, cfg) == exit_codes.PASSED
    assert "not blocking" in capsys.readouterr().err


# ----- the deploy branch

def test_the_push_that_creates_the_deploy_branch_has_no_production_to_check(
        scene: Scene, capsys: pytest.CaptureFixture[str]) -> None:
    first = Push("refs/heads/main", scene.push.head, "refs/heads/main", NULL, None, scene.push.head)
    cfg = scene.cfg(apps.unused_url())  # nothing serves yet
    assert check_production(git.find_repo(scene.repo), cfg, [first], env={}) == exit_codes.PASSED
    assert "production check skipped: nothing deployed yet to check (the deploy branch main is not on the remote " \
           "yet)" in capsys.readouterr().err


def test_with_the_render_api_a_service_with_nothing_live_has_no_production_to_check(
        scene: Scene, render: Any, capsys: pytest.CaptureFixture[str]) -> None:
    render.add_service("srv-shop")
    render.add_deploy(scene.production, "build_failed")
    scene.cfg(apps.unused_url())
    cfg = config.load(scene.repo, env={"BACKEND_URL": apps.unused_url(), **render.env("srv-shop")})
    assert check(scene, cfg) == exit_codes.PASSED
    assert "nothing deployed yet to check (service srv-shop has no live deploy" in capsys.readouterr().err


def test_a_push_to_another_branch_checks_production_as_it_stands_without_waiting_for_itself(
        scene: Scene, service: Any, capsys: pytest.CaptureFixture[str]) -> None:
    service.commit = scene.production
    feature = Push("refs/heads/feature", scene.push.head, "refs/heads/feature", NULL, None, scene.push.head)
    started = time.monotonic()
    cfg = scene.cfg(service.url, push_wait_timeout=300)
    assert check_production(git.find_repo(scene.repo), cfg, [feature], env={}) == exit_codes.PASSED
    assert time.monotonic() - started < 20
    err = capsys.readouterr().err
    assert "feature is not the deploy branch (main (origin's HEAD)): checking production as it stands" in err
    [record] = scene.history()
    assert record["commit"] == scene.production  # production judged, not the feature branch


def test_an_unknown_deploy_branch_is_said_once_and_nothing_waits(
        scene: Scene, service: Any, remote: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_git(remote, "symbolic-ref", "HEAD", "refs/heads/nothing-here")  # a bare remote whose HEAD names no branch
    service.commit = scene.production
    assert check(scene, scene.cfg(service.url, push_wait_timeout=300)) == exit_codes.PASSED
    err = capsys.readouterr().err
    assert err.count("the deploy branch is not known (no deploy_branch set, and origin's HEAD is not known; set " \
                     "deploy_branch)") == 1
    assert "is not the deploy branch" not in err


def test_the_deploy_branch_key_wins(scene: Scene, service: Any, capsys: pytest.CaptureFixture[str]) -> None:
    service.commit = scene.production
    cfg = scene.cfg(service.url, deploy_branch="production")
    assert check(scene, cfg) == exit_codes.PASSED
    assert "main is not the deploy branch (production (deploy_branch in the configuration))" \
        in capsys.readouterr().err


# ----- with Render's API (the package's own fake, over real HTTP)

@pytest.fixture
def render() -> Iterator[Any]:
    from mosaic_hooks.testing.render_fake import RenderFake

    with RenderFake() as fake:
        yield fake


def api_cfg(scene: Scene, service: Any, render: Any, **overrides: Any) -> config.Config:
    scene.cfg(service.url, **overrides)
    return config.load(scene.repo, env={"BACKEND_URL": service.url, **render.env("srv-shop")})


def test_with_the_render_api_a_deploy_of_the_remote_head_in_progress_is_waited_for_then_checked(
        scene: Scene, service: Any, render: Any, capsys: pytest.CaptureFixture[str]) -> None:
    service.commit = run_git(scene.repo, "rev-parse", f"{scene.production}~1")
    render.add_service("srv-shop", timeline=[("build_in_progress", 0.4), ("update_in_progress", 0.2), ("live", 0)],
                       on_live=lambda deploy: setattr(service, "commit", scene.production))
    deploy_id = render.push(scene.production, "v1")
    assert check(scene, api_cfg(scene, service, render)) == exit_codes.PASSED
    assert "is in progress, waiting at most 3 s" in capsys.readouterr().err
    [record] = scene.history()
    assert record["commit"] == scene.production and record["success"] is True
    assert record["deploy_id"] == deploy_id


def test_with_the_render_api_a_failed_deploy_of_the_remote_head_leaves_the_live_one_judged(
        scene: Scene, service: Any, render: Any, capsys: pytest.CaptureFixture[str]) -> None:
    initial = run_git(scene.repo, "rev-parse", f"{scene.production}~1")
    service.commit = initial  # the old deploy keeps serving
    render.add_service("srv-shop")
    live_id = render.add_deploy(initial, "live")
    render.add_deploy(scene.production, "build_failed", created_ago=60)
    assert check(scene, api_cfg(scene, service, render)) == exit_codes.PASSED
    err = capsys.readouterr().err
    assert f"is not what production serves ({initial[:12]}, from Render's live deploy {live_id})" in err
    [record] = scene.history()
    assert record["commit"] == initial and record["success"] is True


def test_with_the_render_api_the_deploy_branch_is_the_services(
        scene: Scene, service: Any, render: Any, capsys: pytest.CaptureFixture[str]) -> None:
    service.commit = scene.production
    render.add_service("srv-shop", branch="production")
    render.add_deploy(scene.production, "live")
    assert check(scene, api_cfg(scene, service, render)) == exit_codes.PASSED
    assert "main is not the deploy branch (production (Render service srv-shop))" in capsys.readouterr().err


# ----- the pure parts

def test_tags_and_deletions_bring_nothing_to_check_new_branches_do() -> None:
    a, b = "a" * 40, "b" * 40
    pushes = [
        Push("refs/heads/new", a, "refs/heads/new", NULL, None, a),  # new branch
        Push("refs/tags/v1", a, "refs/tags/v1", b, None, a),  # tag
        Push("(delete)", NULL, "refs/heads/old", b, None, NULL),  # deletion
        Push("refs/heads/main", a, "refs/heads/main", b, b, a),
    ]
    assert [p.remote_ref for p in pushed_branches(pushes)] == ["refs/heads/new", "refs/heads/main"]


def test_the_newest_record_of_the_commit_decides() -> None:
    history = [{"commit": "c1", "success": True, "service": "shop"},
               {"commit": "c1", "success": False, "service": "shop"},
               {"commit": "c2", "success": True, "service": "other"}]
    assert newest_of(history, "c1", "shop") == history[1]
    assert newest_of(history, "c2", "shop") is None
    assert newest_of(history, "c3", None) is None


# ----- through a real `git push` firing the installed hook

def test_a_real_git_push_is_blocked_by_a_failing_production_and_let_through_with_mosaic_fix(
        scene: Scene, service: Any) -> None:
    import os
    import subprocess

    from tests.conftest import run_cli

    scene.cfg(service.url)
    assert run_cli("install", cwd=scene.repo).returncode == 0
    service.commit = scene.production
    service.health_status = 500
    env = {**os.environ, "BACKEND_URL": service.url}

    def push(**extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", "push", "origin", "main"], cwd=scene.repo, env={**env, **extra},
                              capture_output=True, text=True, timeout=120)

    blocked = push()
    assert blocked.returncode != 0
    assert "production is failing" in blocked.stderr and "MOSAIC_FIX=1 git push" in blocked.stderr
    assert run_git(scene.repo, "rev-parse", "origin/main") == scene.production

    fixed = push(MOSAIC_FIX="1")
    assert fixed.returncode == 0, fixed.stderr
    assert run_git(scene.repo, "rev-parse", "origin/main") == scene.push.head
    assert [record["remediation"] for record in scene.history()] == [False, True]


def test_the_lines_behind_and_n_more_are_the_ones_shown_never_the_summary_again() -> None:
    from mosaic_hooks.gates.result import Findings
    from mosaic_hooks.hooks.stop_the_line import more_evidence

    findings = Findings("endpoints")
    for path in ("/a", "/b", "/c", "/d"):
        findings.fail(f"GET {path}: not deployed")
    result = findings.result(summary_ok="")
    assert result.summary == "GET /a: not deployed (and 3 more)"
    assert more_evidence(result) == ["FAIL GET /b: not deployed", "FAIL GET /c: not deployed",
                                     "FAIL GET /d: not deployed"]
    findings.fail("GET /e: not deployed")
    assert more_evidence(findings.result(summary_ok=""))[-1] == "... and 1 more (`mosaic-hooks verify` lists them all)"

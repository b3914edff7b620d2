"""Stop the line: before a push, production as it stands (the deploy of the remote branch's current commit)
is checked; a recorded pass is reused; a failing production blocks the push unless MOSAIC_FIX=1.

Real git repositories with a bare remote, a real service on 127.0.0.1 serving /version and /health, and
the real verification flow and history file."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mosaic_hooks.core import config, exit_codes, git
from mosaic_hooks.hooks.push_range import PushedRange as Push
from mosaic_hooks.hooks.stop_the_line import check_production, production_commits, recorded
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
    assert f"production: {scene.production[:12]} (refs/heads/main) passed its checks" in capsys.readouterr().err
    [record] = scene.history()
    assert record["commit"] == scene.production and record["success"] is True
    assert record["remediation"] is False


def test_a_recorded_pass_for_the_production_commit_is_reused_not_repeated(
        scene: Scene, capsys: pytest.CaptureFixture[str]) -> None:
    (scene.repo / ".mosaic").mkdir()
    passed = {"schema": 1, "timestamp": "2026-11-24T17:00:00Z", "commit": scene.production, "success": True,
              "verdict": "pass", "service": None}
    (scene.repo / HISTORY).write_text(json.dumps(passed) + "\n")
    # Nothing listens at the backend URL: any request would make the check inconclusive.
    assert check(scene, scene.cfg(apps.unused_url())) == exit_codes.PASSED
    err = capsys.readouterr().err
    assert f"{scene.production[:12]} (refs/heads/main) verified passed at 2026-11-24T17:00:00Z (recorded)" in err
    assert len(scene.history()) == 1  # nothing new recorded


def test_a_newer_failed_record_is_not_covered_by_an_older_pass(scene: Scene, service: Any) -> None:
    (scene.repo / ".mosaic").mkdir()
    lines = [{"timestamp": "2026-11-24T17:00:00Z", "commit": scene.production, "success": True},
             {"timestamp": "2026-11-24T17:30:00Z", "commit": scene.production, "success": False}]
    (scene.repo / HISTORY).write_text("".join(json.dumps(line) + "\n" for line in lines))
    service.commit = scene.production
    service.health_status = 503
    assert check(scene, scene.cfg(service.url)) == exit_codes.FAILED
    assert len(scene.history()) == 3


def test_a_deploy_still_in_progress_is_waited_for(scene: Scene, service: Any,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    initial = run_git(scene.repo, "rev-parse", f"{scene.production}~1")
    service.commit = initial  # still serving the commit before; the deploy goes live in a moment
    timer = threading.Timer(0.6, lambda: setattr(service, "commit", scene.production))
    timer.start()
    try:
        assert check(scene, scene.cfg(service.url)) == exit_codes.PASSED
    finally:
        timer.cancel()
    assert "waiting at most 3 s if in progress" in capsys.readouterr().err


# ----- production fails: blocked, with the ways out

def test_a_failing_production_blocks_the_push_naming_the_checks_and_the_ways_out(
        scene: Scene, service: Any, capsys: pytest.CaptureFixture[str]) -> None:
    service.commit = scene.production
    service.health_status = 500
    assert check(scene, scene.cfg(service.url)) == exit_codes.FAILED
    err = capsys.readouterr().err
    assert f"production is failing: refs/heads/main at {scene.production[:12]}" in err
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


def test_a_deploy_that_never_goes_live_is_inconclusive_and_blocks_by_default(
        scene: Scene, service: Any, capsys: pytest.CaptureFixture[str]) -> None:
    service.commit = run_git(scene.repo, "rev-parse", f"{scene.production}~1")  # behind, never updated
    assert check(scene, scene.cfg(service.url, push_wait_timeout=0.5)) == exit_codes.INCONCLUSIVE
    err = capsys.readouterr().err
    assert "production check of refs/heads/main inconclusive:" in err
    assert "MOSAIC_FIX=1 git push" in err


def test_an_unreachable_production_does_not_block_when_inconclusive_blocks_is_off(
        scene: Scene, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = scene.cfg(apps.unused_url(), inconclusive_blocks=False, push_wait_timeout=0.5)
    assert check(scene, cfg) == exit_codes.PASSED
    assert "not blocking" in capsys.readouterr().err


# ----- with Render's API (the package's own fake, over real HTTP)

@pytest.fixture
def render() -> Iterator[Any]:
    from mosaic_hooks.testing.render_fake import RenderFake

    with RenderFake() as fake:
        yield fake


def api_cfg(scene: Scene, service: Any, render: Any, **overrides: Any) -> config.Config:
    scene.cfg(service.url, **overrides)
    return config.load(scene.repo, env={"BACKEND_URL": service.url, **render.env("srv-shop")})


def test_with_the_render_api_a_deploy_in_progress_is_waited_for_then_checked(
        scene: Scene, service: Any, render: Any, capsys: pytest.CaptureFixture[str]) -> None:
    service.commit = run_git(scene.repo, "rev-parse", f"{scene.production}~1")
    render.add_service("srv-shop", timeline=[("build_in_progress", 0.4), ("update_in_progress", 0.2), ("live", 0)],
                       on_live=lambda deploy: setattr(service, "commit", scene.production))
    deploy_id = render.push(scene.production, "v1")
    assert check(scene, api_cfg(scene, service, render)) == exit_codes.PASSED
    [record] = scene.history()
    assert record["commit"] == scene.production and record["success"] is True
    assert record["deploy_id"] == deploy_id


def test_with_the_render_api_a_failed_deploy_blocks_the_push(
        scene: Scene, service: Any, render: Any, capsys: pytest.CaptureFixture[str]) -> None:
    service.commit = run_git(scene.repo, "rev-parse", f"{scene.production}~1")  # the old deploy keeps serving
    render.add_service("srv-shop", timeline=[("build_in_progress", 0.2), ("build_failed", 0)])
    render.push(scene.production, "v1")
    assert check(scene, api_cfg(scene, service, render)) == exit_codes.FAILED
    err = capsys.readouterr().err
    assert "failed       deploy:" in err
    assert "MOSAIC_FIX=1 git push" in err


def test_with_the_render_api_a_branch_the_service_does_not_deploy_is_not_checked(
        scene: Scene, service: Any, render: Any, capsys: pytest.CaptureFixture[str]) -> None:
    render.add_service("srv-shop", branch="production")
    feature = Push("refs/heads/main", scene.push.head, "refs/heads/feature", scene.production, scene.production,
                   scene.push.head)
    cfg = api_cfg(scene, service, render)
    assert check_production(git.find_repo(scene.repo), cfg, [feature], env={}) == exit_codes.PASSED
    assert "production check of refs/heads/feature skipped:" in capsys.readouterr().err
    assert scene.history() == []


# ----- what is production

def test_production_serving_another_line_of_history_is_not_this_branch(
        scene: Scene, service: Any, capsys: pytest.CaptureFixture[str]) -> None:
    run_git(scene.repo, "checkout", "-q", "-b", "elsewhere", f"{scene.production}~1")
    other = commit_files(scene.repo, {"other.py": "x = 1\n"}, "elsewhere")
    run_git(scene.repo, "checkout", "-q", "main")
    service.commit = other
    service.health_status = 500  # broken, but not what this branch deployed
    assert check(scene, scene.cfg(service.url)) == exit_codes.PASSED
    assert f"production serves {other[:12]}, which is not on refs/heads/main" in capsys.readouterr().err


def test_a_remote_commit_this_clone_does_not_have_is_not_checked(
        scene: Scene, service: Any, capsys: pytest.CaptureFixture[str]) -> None:
    unknown = "e" * 40  # pushed by someone else, not fetched
    push = Push("refs/heads/main", scene.push.head, "refs/heads/main", unknown, None, scene.push.head)
    assert check_production(git.find_repo(scene.repo), scene.cfg(service.url), [push], env={}) == exit_codes.PASSED
    assert "is not in this repository (run git fetch to check it)" in capsys.readouterr().err


def test_new_branches_tags_and_deletions_bring_nothing_to_check() -> None:
    a, b = "a" * 40, "b" * 40
    pushes = [
        Push("refs/heads/new", a, "refs/heads/new", NULL, None, a),  # new branch
        Push("refs/tags/v1", a, "refs/tags/v1", b, None, a),  # tag
        Push("(delete)", NULL, "refs/heads/old", b, None, NULL),  # deletion
        Push("refs/heads/main", a, "refs/heads/main", b, b, a),
        Push("refs/heads/main", a, "refs/heads/prod", b, b, a),  # same production commit: checked once
    ]
    assert production_commits(pushes) == [(b, "refs/heads/main")]


def test_the_newest_record_of_the_commit_decides() -> None:
    history = [{"commit": "c1", "success": True, "service": "shop"},
               {"commit": "c1", "success": False, "service": "shop"},
               {"commit": "c2", "success": True, "service": "other"}]
    assert recorded(history, "c1", "shop") == history[1]
    assert recorded(history, "c2", "shop") is None
    assert recorded(history, "c3", None) is None


# ----- through a real `git push` firing the installed hook

def _pre_push_calls_the_production_check() -> bool:
    try:
        from mosaic_hooks.cli.commands import pre_push
    except ImportError:
        return False
    return "check_production(" in Path(pre_push.__file__).read_text(encoding="utf-8")  # a call, not a mention


@pytest.mark.skipif(not _pre_push_calls_the_production_check(),
                    reason="the pre-push command does not call stop_the_line.check_production yet")
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

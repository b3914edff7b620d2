"""`mosaic-hooks wait`, run as a user runs it, against the Render fake."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from mosaic_hooks.testing.render_fake import RenderFake
from tests.conftest import commit_files, git, run_cli

QUICK = [("build_in_progress", 0.1), ("update_in_progress", 0.1), ("live", 0)]


@pytest.fixture(scope="module")
def fake() -> Iterator[RenderFake]:
    with RenderFake() as render:
        yield render


@pytest.fixture
def service(fake: RenderFake) -> str:
    return f"srv-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def project(repo: Path) -> Path:
    (repo / ".mosaic").mkdir()
    (repo / ".mosaic" / "config.toml").write_text("poll_interval = 0.05\nrequest_timeout = 2\n")
    return repo


def test_exit_0_when_the_deploy_of_head_goes_live(fake: RenderFake, service: str, project: Path) -> None:
    fake.add_service(service, timeline=[("build_in_progress", 0.3), ("update_in_progress", 0.2), ("live", 0)])
    sha = git(project, "rev-parse", "HEAD")
    proc = subprocess.Popen([sys.executable, "-m", "mosaic_hooks", "wait"], cwd=project,
                            env={**os.environ, **fake.env(service)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    assert proc.stderr is not None
    assert "waiting for Render to create a deploy" in proc.stderr.readline()
    deploy_id = fake.push(sha, "initial")  # the push reaches Render while we wait
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 0, stderr
    assert stdout.startswith("live: ") and str(deploy_id) in stdout
    changes = [line.split(" (")[0] for line in stderr.splitlines() if line.startswith(str(deploy_id))]
    assert changes == [f"{deploy_id}: {status}" for status in ("build_in_progress", "update_in_progress", "live")]


def test_exit_1_with_status_and_deploy_id_when_the_build_fails(fake: RenderFake, service: str,
                                                               project: Path) -> None:
    fake.add_service(service, timeline=[("build_in_progress", 0.1), ("build_failed", 0)])
    sha = git(project, "rev-parse", "HEAD")
    deploy_id = fake.push(sha, "initial")
    result = run_cli("wait", "--commit", sha[:10], cwd=project, env=fake.env(service))
    assert result.returncode == 1
    assert "FAILED" in result.stdout and "build_failed" in result.stdout and str(deploy_id) in result.stdout


def test_json_prints_the_deploy_and_how_it_was_found(fake: RenderFake, service: str, project: Path) -> None:
    fake.add_service(service, timeline=QUICK)
    sha = git(project, "rev-parse", "HEAD")
    fake.push(sha, "initial")
    result = run_cli("wait", "--json", cwd=project, env=fake.env(service))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["state"] == "live" and report["found_by"] == "render-api" and report["commit"] == sha
    assert set(report["deploy"]) == {"id", "status", "commit", "trigger", "createdAt", "startedAt", "finishedAt"}
    assert report["deploy"]["trigger"] == "new_commit" and report["deploy"]["commit"] == sha


def test_exit_2_without_a_service_or_backend(project: Path) -> None:
    result = run_cli("wait", cwd=project)
    assert result.returncode == 2
    assert result.stderr.startswith("mosaic-hooks: nothing to wait on")
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1


def test_exit_2_when_the_key_is_refused_and_the_key_is_never_shown(fake: RenderFake, service: str,
                                                                   project: Path) -> None:
    fake.add_service(service)
    wrong = "rnd_WrongKeyNeverShown12345"
    result = run_cli("wait", "--json", cwd=project, env={**fake.env(service), "RENDER_API_KEY": wrong})
    assert result.returncode == 2
    assert wrong not in result.stdout + result.stderr
    assert "401" in json.loads(result.stdout)["reason"]


def test_exit_3_when_time_runs_out(fake: RenderFake, service: str, project: Path) -> None:
    fake.add_service(service, timeline=[("build_in_progress", 60), ("live", 0)])
    fake.push(git(project, "rev-parse", "HEAD"), "initial")
    result = run_cli("wait", "--timeout", "0.5", cwd=project, env=fake.env(service))
    assert result.returncode == 3
    assert result.stdout.startswith("timed out: ") and "build_in_progress" in result.stdout


def test_exit_3_at_once_for_a_skip_phrase(fake: RenderFake, service: str, project: Path) -> None:
    fake.add_service(service)
    commit_files(project, {"docs.md": "x\n"}, "Docs [skip cd]")
    result = run_cli("wait", cwd=project, env=fake.env(service))
    assert result.returncode == 3
    assert result.stdout.startswith("no deploy will come: ") and "[skip cd]" in result.stdout


def test_outside_a_repository_a_full_sha_is_needed(fake: RenderFake, service: str, tmp_path: Path) -> None:
    fake.add_service(service)
    sha = "ab" * 20
    fake.add_deploy(sha, "live", service_id=service, created_ago=5)  # outside a repo the interval is the default
    env = fake.env(service)
    assert run_cli("wait", "--commit", sha, "--timeout", "20", cwd=tmp_path, env=env).returncode == 0
    short = run_cli("wait", cwd=tmp_path, env=env)
    assert short.returncode == 2 and "--commit" in short.stderr


@pytest.mark.parametrize("arguments", [["--commit", "no-such-branch"], ["--timeout", "0"]])
def test_bad_arguments_are_one_line_and_exit_2(project: Path, arguments: list[str]) -> None:
    result = run_cli("wait", *arguments, cwd=project, env={"BACKEND_URL": "http://127.0.0.1:9"})
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr


def test_ctrl_c_stops_cleanly_with_130(fake: RenderFake, service: str, project: Path) -> None:
    fake.add_service(service)  # nothing is pushed: it waits for a deploy to appear
    proc = subprocess.Popen([sys.executable, "-m", "mosaic_hooks", "wait"], cwd=project,
                            env={**os.environ, **fake.env(service)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    assert proc.stderr is not None
    first = proc.stderr.readline()
    assert "waiting for Render to create a deploy" in first
    proc.send_signal(signal.SIGINT)
    _, rest = proc.communicate(timeout=10)
    assert proc.returncode == 130
    assert "interrupted" in rest and "Traceback" not in rest


def test_on_a_terminal_progress_is_one_line_rewritten_in_place(fake: RenderFake, service: str,
                                                               project: Path) -> None:
    import pty

    fake.add_service(service, timeline=[("build_in_progress", 1.5), ("live", 0)])
    fake.push(git(project, "rev-parse", "HEAD"), "initial")
    controller, terminal = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "TERM")}
    proc = subprocess.Popen([sys.executable, "-m", "mosaic_hooks", "wait"], cwd=project,
                            env={**env, **fake.env(service)}, stdout=subprocess.PIPE, stderr=terminal, text=True)
    os.close(terminal)
    chunks: list[bytes] = []

    def drain() -> None:  # read as it comes, so the child never blocks on a full terminal buffer
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal closed with the process
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    stdout, _ = proc.communicate(timeout=30)
    reader.join(timeout=5)
    os.close(controller)
    seen = b"".join(chunks)
    assert proc.returncode == 0 and stdout.startswith("live: ")
    shown = seen.decode()
    assert shown.count("\r\x1b[K") >= 3  # rewritten several times while building
    assert shown.count(": build_in_progress (") >= 2 and ": live (" in shown
    assert shown.count("\n") <= 2  # only the notes are lines of their own

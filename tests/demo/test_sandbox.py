"""The demo's sandbox: its own git configuration and environment, and commands that leave nothing behind."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mosaic_hooks.demo.sandbox import DemoError, Sandbox, package_root


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    box = Sandbox(tmp_path / "demo")
    box.prepare()
    return box


def test_the_callers_mosaic_render_and_git_settings_do_not_reach_the_commands(
        sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"BACKEND_URL": "https://prod.example.invalid", "RENDER_API_KEY": "rnd_real",
                        "RENDER_SERVICE_ID": "srv-real", "MOSAIC_SKIP": "health", "MOSAIC_FIX": "1",
                        "GIT_DIR": "/elsewhere", "SKIP": "mosaic-gate"}.items():
        monkeypatch.setenv(name, value)
    sandbox.extra_env = {"BACKEND_URL": "http://127.0.0.1:1"}
    env = sandbox.env()
    assert env["BACKEND_URL"] == "http://127.0.0.1:1"
    for name in ("RENDER_API_KEY", "RENDER_SERVICE_ID", "MOSAIC_SKIP", "MOSAIC_FIX", "GIT_DIR", "SKIP"):
        assert name not in env
    assert env["GIT_CONFIG_GLOBAL"] == str(sandbox.gitconfig) and env["GIT_CONFIG_NOSYSTEM"] == "1"


def test_the_commands_import_the_very_package_the_demo_runs_from(sandbox: Sandbox, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A source checkout is put on PYTHONPATH; an installed package is found where it is installed."""
    import mosaic_hooks

    monkeypatch.delenv("PYTHONPATH", raising=False)  # as a user runs the demo (the suite sets its own)
    proc = subprocess.run([sys.executable, "-c", "import mosaic_hooks; print(mosaic_hooks.__file__)"],
                          cwd=tmp_path, env=sandbox.env(), capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert Path(proc.stdout.strip()).resolve() == Path(mosaic_hooks.__file__).resolve()
    if package_root().name != "site-packages":
        assert str(package_root()) in sandbox.env()["PYTHONPATH"].split(os.pathsep)


def test_the_users_git_config_is_not_read(sandbox: Sandbox, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    users = tmp_path / "users-gitconfig"
    users.write_text("[commit]\n\tgpgsign = true\n[core]\n\thooksPath = /nowhere\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(users))
    sandbox.git("init", "-q")
    assert sandbox.git("config", "--get", "commit.gpgsign").stdout.strip() == "false"
    assert sandbox.git("config", "--get", "core.hooksPath", check=False).code == 1
    assert sandbox.git("config", "--get", "user.email").stdout.strip() == "developer@example.invalid"


def test_a_failing_git_command_is_a_demo_error_with_gits_words(sandbox: Sandbox) -> None:
    with pytest.raises(DemoError, match=r"git rev-parse HEAD failed \(exit 128\): fatal: not a git repository"):
        sandbox.git("rev-parse", "HEAD", cwd=sandbox.root)


def test_a_command_over_its_time_limit_is_ended_with_everything_it_started(sandbox: Sandbox,
                                                                          tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    started = time.monotonic()
    with pytest.raises(DemoError, match=r"did not finish within 0\.5 s"):
        sandbox.run(["sh", "-c", f"sleep 30 & echo $! > {pidfile}; wait"], timeout=0.5)
    assert time.monotonic() - started < 10
    child = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while Path(f"/proc/{child}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)  # killed; reaped by init once its parent is gone
    assert not Path(f"/proc/{child}").exists()

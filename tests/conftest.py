"""Fixtures shared by the whole suite: real git repositories, isolated from the user's git setup."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own git identity and config, and no secrets or settings from the caller."""
    home = tmp_path_factory.mktemp("home")
    gitconfig = home / ".gitconfig"
    gitconfig.write_text("[init]\n\tdefaultBranch = main\n[protocol \"file\"]\n\tallow = always\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test Author")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "author@example.invalid")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test Committer")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "committer@example.invalid")
    monkeypatch.setenv("GIT_TEMPLATE_DIR", "")
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "BACKEND_URL", "RENDER_API_KEY",
                 "RENDER_SERVICE_ID", "MOSAIC_RENDER_API_URL", "DATABASE_URL", "MOSAIC_PROBE_TOKEN",
                 "MOSAIC_SKIP", "MOSAIC_HOOKS", "MOSAIC_FIX", "SKIP", "NO_COLOR", "FORCE_COLOR",
                 "PRE_COMMIT_FROM_REF", "PRE_COMMIT_TO_REF", "MOSAIC_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    # A push that production is configured for starts a verification that outlives the test (issue 14): off
    # unless a test is about it (tests/hooks/test_after_push.py switches it back on).
    monkeypatch.setenv("MOSAIC_VERIFY_AFTER_PUSH", "0")
    # Subprocesses (hooks fired by git, `python -m mosaic_hooks`) import this checkout.
    pythonpath = os.environ.get("PYTHONPATH")
    paths = [str(PROJECT_ROOT), *([pythonpath] if pythonpath else [])]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(paths))


def git(cwd: Path, *args: str, input: str | None = None, check: bool = True) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout.strip()


def commit_files(repo: Path, files: dict[str, str], message: str = "change") -> str:
    for name, content in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
        git(repo, "add", name)
    git(repo, "commit", "-q", "--no-verify", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def run_cli(*args: str, cwd: Path, input: str | None = None, env: dict[str, str] | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run `python -m mosaic_hooks ARGS` as a user would."""
    return subprocess.run([sys.executable, "-m", "mosaic_hooks", *args], cwd=cwd, input=input,
                          capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=timeout)


def run_cli_reader_gone(*args: str, cwd: Path, env: dict[str, str] | None = None,
                        timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run the CLI with a stdout whose reader has already gone (`mosaic-hooks ARGS | head -0`, without the race
    of head exiting before or after the output): its first write meets a closed pipe."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([sys.executable, "-m", "mosaic_hooks", *args], cwd=cwd, stdout=write_end,
                              stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})}, timeout=timeout)
    finally:
        os.close(write_end)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A fresh working repository with one commit on `main`."""
    path = tmp_path / "work"
    path.mkdir()
    git(path, "init", "-q")
    commit_files(path, {"README.md": "hello\n"}, "initial")
    return path


@pytest.fixture
def remote(tmp_path: Path, repo: Path) -> Iterator[Path]:
    """A local bare remote `origin` of `repo`, with `main` pushed and tracked."""
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    git(repo, "remote", "add", "origin", str(bare))
    git(repo, "push", "-q", "--no-verify", "-u", "origin", "main")
    yield bare

"""The commit hook's fast path: a change that touches nothing relevant is answered with only `os` loaded."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mosaic_hooks.cli import fast_path
from tests.conftest import git


def imported_by_hook(repo: Path) -> tuple[int, set[str], str]:
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "mosaic_hooks", "hook-impl",
                           "--hook-type", "pre-commit"], cwd=repo, capture_output=True, text=True, timeout=60)
    modules = {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    return proc.returncode, modules, proc.stdout


def test_readme_only_commit_loads_no_router_no_subprocess_no_config(repo: Path) -> None:
    (repo / "README.md").write_text("changed\n")
    git(repo, "add", "README.md")
    code, modules, out = imported_by_hook(repo)
    assert (code, out) == (0, "")
    assert "mosaic_hooks.cli.fast_path" in modules
    assert not modules & {"argparse", "subprocess", "dataclasses", "mosaic_hooks.cli.main", "mosaic_hooks.core.config",
                          "mosaic_hooks.core.git", "mosaic_hooks.cli.output", "tomllib"}


def test_a_relevant_path_takes_the_full_path(repo: Path) -> None:
    (repo / "app.py").write_text("x = 1\n")
    git(repo, "add", "app.py")
    code, modules, _ = imported_by_hook(repo)
    assert code == 0
    assert "mosaic_hooks.hooks.local_checks" in modules


@pytest.mark.parametrize(("variable", "value"), [
    ("MOSAIC_HOOKS", "0"), ("MOSAIC_SKIP", "health"), ("MOSAIC_SKIP", "typo"), ("SKIP", "flake8,mosaic-check"),
])
def test_a_bypass_variable_takes_the_full_path_so_the_skip_is_printed(
        repo: Path, variable: str, value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "README.md").write_text("changed\n")
    git(repo, "add", "README.md")
    monkeypatch.chdir(repo)
    assert fast_path.commit_needs_nothing()
    monkeypatch.setenv(variable, value)
    assert not fast_path.commit_needs_nothing()


@pytest.mark.parametrize(("variable", "value"), [("MOSAIC_HOOKS", "1"), ("SKIP", "flake8,mosaic-gate")])
def test_variables_that_ask_nothing_of_the_commit_stage_keep_the_fast_path(
        repo: Path, variable: str, value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "README.md").write_text("changed\n")
    git(repo, "add", "README.md")
    monkeypatch.chdir(repo)
    monkeypatch.setenv(variable, value)
    assert fast_path.commit_needs_nothing()


def test_nothing_staged_or_not_a_repository_takes_the_full_path(repo: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    assert not fast_path.commit_needs_nothing()  # nothing staged: the full path says so
    monkeypatch.chdir(tmp_path)
    assert fast_path.git_stdout(["diff", "--cached", "--name-only"]) is None
    assert not fast_path.hook_needs_nothing(["--hook-type", "pre-push"])


def test_a_finished_background_verification_is_told_even_when_the_commit_needs_nothing(repo: Path) -> None:
    from mosaic_hooks.verification import background_jobs as jobs

    store = jobs.Store(repo / ".git")
    job = jobs.Job(id="j1", service="shop", branch="refs/heads/main", remote="/r.git", commit="f" * 40, base=None,
                   created_at="2026-12-03T07:00:00Z", log=str(store.log_path("j1")), state=jobs.FINISHED,
                   verdict="fail", reason="failed: health (GET /health answered 500)")
    store.write(job)
    store.mark_unannounced(job.id)
    (repo / "README.md").write_text("changed\n")
    git(repo, "add", "README.md")
    proc = subprocess.run([sys.executable, "-m", "mosaic_hooks", "hook-impl", "--hook-type", "pre-commit"],
                          cwd=repo, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert "PRODUCTION FAILED: the background verification of shop of main at ffffffffff failed" in proc.stderr
    assert f"log: {job.log}" in proc.stderr
    assert store.unannounced() == []  # told once
    _, modules, _ = imported_by_hook(repo)
    assert "mosaic_hooks.cli.main" not in modules  # and the next commit is fast again


def test_the_common_git_dir_is_found_with_os_only_in_a_linked_worktree(repo: Path, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GIT_DIR", raising=False)
    monkeypatch.chdir(repo)
    assert Path(fast_path.common_git_dir() or "").resolve() == (repo / ".git").resolve()
    linked = tmp_path / "linked"
    git(repo, "worktree", "add", "-q", str(linked))
    monkeypatch.chdir(linked)
    assert Path(fast_path.common_git_dir() or "").resolve() == (repo / ".git").resolve()

"""`mosaic-hooks check`, the pre-commit stage: the staged change, one git call, nothing heavy imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import PROJECT_ROOT, git, run_cli


def stage(repo: Path, name: str | bytes, content: str = "x = 1\n") -> None:
    path = os.path.join(os.fsencode(repo), os.fsencode(name))
    with open(path, "w") as handle:
        handle.write(content)
    subprocess.run([b"git", b"add", b"--", os.fsencode(name)], cwd=repo, check=True)


def test_a_staged_python_file_is_handed_to_the_local_checks(repo: Path) -> None:
    stage(repo, "app.py")
    proc = run_cli("check", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert "mosaic[check] 1 relevant file: app.py" in proc.stdout


def test_a_commit_touching_only_a_readme_prints_nothing(repo: Path) -> None:
    stage(repo, "README.md", "changed\n")
    proc = run_cli("check", cwd=repo)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


def test_nothing_staged_says_so(repo: Path) -> None:
    proc = run_cli("check", cwd=repo)
    assert (proc.returncode, proc.stdout.strip()) == (0, "mosaic[check] nothing staged")


def test_empty_repository_and_unborn_branch(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    git(tmp_path, "init", "-q", str(empty))
    proc = run_cli("check", cwd=empty)
    assert (proc.returncode, proc.stdout.strip()) == (0, "mosaic[check] nothing staged")
    stage(empty, "first.py")  # first commit on an unborn branch: everything staged is new
    proc = run_cli("check", cwd=empty)
    assert proc.returncode == 0, proc.stderr
    assert "1 relevant file: first.py" in proc.stdout


def test_detached_head(repo: Path) -> None:
    git(repo, "checkout", "-q", "--detach")
    stage(repo, "d.py")
    proc = run_cli("check", cwd=repo)
    assert proc.returncode == 0 and "d.py" in proc.stdout


def test_file_names_that_are_not_utf8_are_shown_not_crashed_on(repo: Path) -> None:
    stage(repo, b"caf\xe9.py")
    proc = run_cli("check", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert "caf\ufffd.py" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_outside_a_repository_is_one_line_and_exit_2(tmp_path: Path) -> None:
    proc = run_cli("check", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith("mosaic-hooks: ") and proc.stderr.count("\n") == 1
    assert "not inside a git repository" in proc.stderr


def test_mosaic_hooks_0_and_skip_print_the_skip(repo: Path) -> None:
    stage(repo, "app.py")
    off = run_cli("check", cwd=repo, env={"MOSAIC_HOOKS": "0"})
    assert (off.returncode, off.stdout.strip()) == (0, "mosaic-hooks: check: skipped (MOSAIC_HOOKS=0)")
    skip = run_cli("check", cwd=repo, env={"SKIP": "mosaic-check"})
    assert (skip.returncode, skip.stdout.strip()) == (0, "mosaic-hooks: check: skipped (SKIP=mosaic-check)")
    typo = run_cli("check", cwd=repo, env={"MOSAIC_SKIP": "lokal"})
    assert typo.returncode == 2 and "unknown check(s): lokal" in typo.stderr


def test_the_staged_paths_cost_one_git_call_and_nothing_heavy_is_imported(repo: Path, tmp_path: Path) -> None:
    # A `git` on PATH that logs each call, then runs the real one.
    real_git = subprocess.run(["sh", "-c", "command -v git"], capture_output=True, text=True).stdout.strip()
    bindir = tmp_path / "bin"
    bindir.mkdir()
    calls = tmp_path / "git-calls.log"
    (bindir / "git").write_text(f'#!/bin/sh\necho "$*" >> {calls}\nexec {real_git} "$@"\n')
    (bindir / "git").chmod(0o755)
    stage(repo, "README.md", "changed\n")
    probe = (
        "import json, sys\n"
        "from mosaic_hooks.cli.main import main\n"
        "code = main(['check'])\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'git', 'httpx', 'packaging', 'yaml', 'tenacity',"
        " 'jsonschema', 'prometheus_client', 'filelock', 'sqlalchemy'})\n"
        "print(json.dumps({'code': code, 'heavy': heavy}))\n"
    )
    env = {**os.environ, "PATH": f"{bindir}:{os.environ['PATH']}", "PYTHONPATH": str(PROJECT_ROOT)}
    proc = subprocess.run([sys.executable, "-c", probe], cwd=repo, capture_output=True, text=True, env=env)
    assert json.loads(proc.stdout.splitlines()[-1]) == {"code": 0, "heavy": []}
    lines = calls.read_text().splitlines()
    assert sum(line.startswith("diff --cached") for line in lines) == 1
    assert len(lines) <= 4, lines  # locate the repository (2), HEAD (1), the staged paths (1)

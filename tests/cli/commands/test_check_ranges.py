"""`mosaic-hooks check --base REV [--head REV]`, `check --all-files`, and the pre-commit framework's
PRE_COMMIT_FROM_REF/TO_REF and all-files modes: CI can check a range or the whole tree, and nothing passes
while checking nothing."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import commit_files, run_cli


def project(repo: Path) -> str:
    return commit_files(repo, {"requirements.txt": "flask\n", "app/__init__.py": "", "app/main.py": "import flask\n",
                               "tests/test_main.py": "import flask\n"})


def test_base_and_head_check_the_range(repo: Path) -> None:
    base = project(repo)
    head = commit_files(repo, {"app/main.py": "import flask\nimport yaml\n"})
    proc = run_cli("check", "--base", base, "--head", head, cwd=repo)
    assert proc.returncode == 1
    assert f"mosaic[check] --base: {base[:10]}..{head[:10]}" in proc.stdout
    assert "FAILED imports: app/main.py:2: imports 'yaml' (distribution PyYAML)" in proc.stdout


def test_base_alone_ends_at_head(repo: Path) -> None:
    base = project(repo)
    commit_files(repo, {"app/main.py": "import flask\nimport yaml\n"})
    proc = run_cli("check", "--base", "HEAD~1", cwd=repo)
    assert proc.returncode == 1 and f"{base[:10]}.." in proc.stdout


def test_a_revision_that_names_no_commit_is_one_line_and_exit_2(repo: Path) -> None:
    proc = run_cli("check", "--base", "no-such-branch", cwd=repo)
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("mosaic-hooks: --base 'no-such-branch' does not name a commit")
    assert proc.stderr.count("\n") == 1
    assert run_cli("check", "--head", "HEAD", cwd=repo).returncode == 2


def test_all_files_checks_every_import_of_the_tree(repo: Path) -> None:
    project(repo)
    commit_files(repo, {"app/old.py": "import requests\n"})  # committed long ago, never declared
    proc = run_cli("check", "--all-files", cwd=repo)
    assert proc.returncode == 1
    assert "mosaic[check] whole tree: 4 Python files, 1 requirement file" in proc.stdout
    assert "FAILED imports: app/old.py:1: imports 'requests'" in proc.stdout
    assert "endpoint added" not in proc.stdout


def test_pre_commits_from_and_to_ref_are_honoured(repo: Path) -> None:
    base = project(repo)
    head = commit_files(repo, {"app/main.py": "import flask\nimport yaml\n"})
    proc = run_cli("check", cwd=repo, env={"PRE_COMMIT_FROM_REF": base, "PRE_COMMIT_TO_REF": head})
    assert proc.returncode == 1
    assert f"PRE_COMMIT_FROM_REF/TO_REF: {base[:10]}..{head[:10]}" in proc.stdout


def test_under_pre_commit_with_nothing_staged_the_whole_tree_is_checked(repo: Path) -> None:
    project(repo)
    commit_files(repo, {"app/old.py": "import requests\n"})
    proc = run_cli("check", cwd=repo, env={"PRE_COMMIT": "1"})
    assert proc.returncode == 1
    assert "pre-commit gave files but nothing is staged (--all-files or --files): checking the whole tree" \
        in proc.stdout
    assert "nothing staged\n" not in proc.stdout

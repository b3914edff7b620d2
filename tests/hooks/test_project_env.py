"""Which Python environment is the project's: the `python` key, VIRTUAL_ENV (not pre-commit's own), .venv/venv,
uv's and Poetry's environments; otherwise none. Real virtualenvs, asked for real what they have installed."""

from __future__ import annotations

from pathlib import Path

import pytest

from mosaic_hooks.core.errors import MosaicError
from mosaic_hooks.hooks import project_env
from tests.support.venvs import make_venv


def test_the_configured_python_wins(tmp_path: Path) -> None:
    python = make_venv(tmp_path / "envs" / "mine")
    make_venv(tmp_path / ".venv")
    found = project_env.find(tmp_path, "envs/mine", env={"VIRTUAL_ENV": str(tmp_path / ".venv")})
    assert found == project_env.ProjectPython(python, "config python")


def test_a_configured_python_that_is_not_an_interpreter_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(MosaicError, match="the configured python 'nope/bin/python' is not an executable"):
        project_env.find(tmp_path, "nope/bin/python", env={})


def test_the_active_virtualenv_comes_next_but_never_pre_commits_own(tmp_path: Path) -> None:
    active = make_venv(tmp_path / "active")
    dotvenv = make_venv(tmp_path / "repo" / ".venv")
    assert project_env.find(tmp_path / "repo", None, env={"VIRTUAL_ENV": str(tmp_path / "active")}) == \
        project_env.ProjectPython(active, "VIRTUAL_ENV")
    pre_commits = make_venv(tmp_path / "cache" / "repoabc" / "py_env-python3.11")
    assert pre_commits.exists()
    assert project_env.find(tmp_path / "repo", None, env={"VIRTUAL_ENV": str(pre_commits.parent.parent)}) == \
        project_env.ProjectPython(dotvenv, ".venv")


def test_venv_in_the_repository_then_poetry_then_nothing(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    assert project_env.find(repo, None, env={"HOME": str(tmp_path)}) is None
    (repo / "pyproject.toml").write_text('[tool.poetry]\nname = "Shop API"\nversion = "1"\n')
    cache = tmp_path / ".cache" / "pypoetry" / "virtualenvs"
    poetry = make_venv(cache / f"{project_env.poetry_env_name('Shop API', repo)}-py3.11")
    make_venv(cache / "someone-else-AbCdEfGh-py3.11")
    assert project_env.find(repo, None, env={"HOME": str(tmp_path)}) == project_env.ProjectPython(poetry, "poetry")
    plain = make_venv(repo / "venv")
    assert project_env.find(repo, None, env={"HOME": str(tmp_path)}) == project_env.ProjectPython(plain, "venv")


def test_the_report_is_what_that_interpreter_has_installed(tmp_path: Path) -> None:
    python = make_venv(tmp_path / ".venv", {"Requests": "2.31.0", "google-cloud-storage": "2.14.0"},
                       {"google-cloud-storage": ["google.cloud.storage"]})
    report = project_env.report(project_env.ProjectPython(python, ".venv"), modules=True)
    assert report.distributions == {"requests": "2.31.0", "google-cloud-storage": "2.14.0"}
    assert report.environment["python_version"]
    assert report.modules["google.cloud.storage"] == ("google-cloud-storage",)
    assert report.modules["requests"] == ("Requests",)

"""Development and production requirements, and namespace packages, in the local `imports` check.

Production code is judged against what production installs; tests/, test_*.py, conftest.py and the
`dev_paths` globs against the development requirements too. Imports map to distributions by the longest
module prefix, so `google.cloud.storage` is google-cloud-storage even where protobuf provides `google`."""

from __future__ import annotations

from pathlib import Path

import pytest

from mosaic_hooks.core import config
from mosaic_hooks.core import git as mgit
from mosaic_hooks.hooks.local_checks import check_change
from tests.conftest import commit_files, git
from tests.support.venvs import make_venv


@pytest.fixture(scope="module")
def project_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_venv(tmp_path_factory.mktemp("project") / ".venv",
                     {"flask": "3.0.0", "responses": "0.25.0", "pytest": "8.0.0", "protobuf": "4.25.0",
                      "google-cloud-storage": "2.14.0"},
                     {"protobuf": ["google.protobuf"], "google-cloud-storage": ["google.cloud.storage"]})


def run_check(repo: Path, base: str, python: Path | None, **settings: object) -> int:
    found = mgit.find_repo(repo)
    paths = mgit.changed_paths(found, base, None)
    cfg = config.load(None).replace(python=str(python) if python else None, **settings)
    return check_change(found, cfg, base=base, head=None, paths=paths)


def stage(repo: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
        git(repo, "add", name)


@pytest.fixture
def project(repo: Path) -> str:
    return commit_files(repo, {"requirements.txt": "flask>=3\n", "requirements-dev.txt": "pytest\nresponses\n",
                               "app/__init__.py": "", "app/main.py": "import flask\n",
                               "tests/test_main.py": "import pytest\n"})


def test_production_code_importing_a_development_only_requirement_fails(
        repo: Path, project: str, project_python: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stage(repo, {"app/main.py": "import flask\nimport responses\n"})
    assert run_check(repo, project, project_python) == 1
    out = capsys.readouterr().out
    assert ("FAILED imports: app/main.py:2: production code imports 'responses', but 'responses' is declared only "
            "as a development requirement (requirements-dev.txt): production will not have it; add 'responses' "
            "to requirements.txt") in out


def test_test_code_may_import_development_requirements(
        repo: Path, project: str, project_python: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stage(repo, {"tests/test_main.py": "import pytest\nimport responses\n", "conftest.py": "import responses\n"})
    assert run_check(repo, project, project_python) == 0, capsys.readouterr().out


def test_test_code_with_an_undeclared_import_is_told_the_development_file(
        repo: Path, project: str, project_python: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stage(repo, {"tests/test_main.py": "import pytest\nimport hypothesis\n"})
    assert run_check(repo, project, project_python) == 1
    assert "tests/test_main.py:2: imports 'hypothesis', which no requirement declares (not installed here); " \
           "add 'hypothesis' to requirements-dev.txt" in capsys.readouterr().out


def test_dev_paths_declare_more_development_code(
        repo: Path, project: str, project_python: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stage(repo, {"scripts/seed.py": "import responses\n"})
    assert run_check(repo, project, project_python) == 1
    capsys.readouterr()
    assert run_check(repo, project, project_python, dev_paths=["scripts/*"]) == 0, capsys.readouterr().out


def test_pytest_in_tests_of_a_project_without_development_requirements_is_not_a_failure(
        repo: Path, project_python: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = commit_files(repo, {"requirements.txt": "flask\n", "app.py": "import flask\n"})
    stage(repo, {"tests/test_app.py": "import pytest\n"})
    assert run_check(repo, base, project_python) == 0
    out = capsys.readouterr().out
    assert "add 'pytest' to requirements.txt" not in out
    assert "development code imports 'pytest', which no requirement declares" in out


def test_development_groups_in_pyproject_are_development_requirements(
        repo: Path, project_python: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = commit_files(repo, {"pyproject.toml": '[project]\nname = "svc"\ndependencies = ["flask"]\n'
                               '[project.optional-dependencies]\ntest = ["responses"]\n'
                               '[dependency-groups]\nlint = ["ruff"]\n', "svc.py": "import flask\n"})
    stage(repo, {"svc.py": "import flask\nimport responses\n", "tests/test_svc.py": "import responses\n"})
    assert run_check(repo, base, project_python) == 1
    out = capsys.readouterr().out
    assert "svc.py:2: production code imports 'responses'" in out
    assert "tests/test_svc.py" not in out.split("FAILED", 1)[1]


def test_a_namespace_package_import_names_its_own_distribution(
        repo: Path, project: str, project_python: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stage(repo, {"app/store.py": "from google.cloud import storage\nimport google.protobuf\n"})
    assert run_check(repo, project, project_python) == 1
    out = capsys.readouterr().out
    assert ("app/store.py:1: imports 'google.cloud.storage', which no requirement declares (installed here, but "
            "not declared); add 'google-cloud-storage' to requirements.txt") in out
    assert "app/store.py:2: imports 'google.protobuf' (distribution protobuf)" in out  # protobuf's, not storage's


def test_a_namespace_package_is_named_without_any_environment_too(
        repo: Path, project: str, capsys: pytest.CaptureFixture[str]) -> None:
    stage(repo, {"app/store.py": "import google.cloud.storage\n"})
    assert run_check(repo, project, None) == 1
    assert "add 'google-cloud-storage' to requirements.txt" in capsys.readouterr().out


def test_a_declared_namespace_distribution_passes(repo: Path, project_python: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    base = commit_files(repo, {"requirements.txt": "protobuf\n", "app.py": "import google.protobuf\n"})
    stage(repo, {"requirements.txt": "protobuf\ngoogle-cloud-storage>=2\n",
                 "app.py": "import google.protobuf\nfrom google.cloud import storage\n"})
    assert run_check(repo, base, project_python) == 0, capsys.readouterr().out

"""check_change(): the local checks of a commit or the staged index, against the PROJECT's Python environment
(a real virtualenv of the test project, not the one the tests run in)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mosaic_hooks.core import config
from mosaic_hooks.core import git as mgit
from mosaic_hooks.hooks.local_checks import check_change, requirement_findings, skipped_checks
from mosaic_hooks.hooks.project_env import EnvReport, ProjectPython
from tests.conftest import commit_files, git
from tests.support.venvs import make_venv

PROJECT_PACKAGES = {"packaging": "24.0", "pytest": "8.0.0", "PyYAML": "6.0.1", "beautifulsoup4": "4.12.0"}
PROJECT_MODULES = {"PyYAML": ["yaml"], "beautifulsoup4": ["bs4"]}


@pytest.fixture(scope="module")
def project_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_venv(tmp_path_factory.mktemp("project") / ".venv", PROJECT_PACKAGES, PROJECT_MODULES)


def run_check(repo: Path, base: str | None, head: str | None, *, server_side: bool = False,
              python: Path | None = None) -> int:
    found = mgit.find_repo(repo)
    paths = mgit.changed_paths(found, base, head)
    # The config is not read by the checks; a broken pyproject.toml must reach them (config.load would stop it).
    cfg = config.load(None).replace(python=str(python) if python else None)
    return check_change(found, cfg, base=base, head=head, paths=paths, server_side=server_side)


def staged(repo: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
        git(repo, "add", name)


@pytest.fixture
def project(repo: Path) -> tuple[Path, str]:
    base = commit_files(repo, {"requirements.txt": "packaging>=20\n", "app/__init__.py": "",
                               "app/main.py": "import os\nimport packaging\n"})
    return repo, base


def test_nothing_relevant_passes_silently(project: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    repo, base = project
    head = commit_files(repo, {"README.md": "docs\n"})
    assert run_check(repo, base, head) == 0
    assert capsys.readouterr().out == ""


def test_a_satisfied_new_requirement_and_declared_import_pass(
        project: tuple[Path, str], capsys: pytest.CaptureFixture[str], project_python: Path) -> None:
    repo, base = project
    staged(repo, {"requirements.txt": "packaging>=20\npytest>=7\n",
                  "app/main.py": "import os\nimport packaging\nimport pytest\nfrom app import main\n"})
    assert run_check(repo, base, None, python=project_python) == 0
    out = capsys.readouterr().out
    assert "requirement added: pytest>=7 (requirements.txt)" in out and "FAILED" not in out


def test_an_unsatisfied_requirement_fails_with_the_pip_command(
        project: tuple[Path, str], capsys: pytest.CaptureFixture[str], project_python: Path) -> None:
    repo, base = project
    staged(repo, {"requirements.txt": "packaging>=999\n"})
    assert run_check(repo, base, None, python=project_python) == 1
    out = capsys.readouterr().out
    assert "FAILED requirements-installed: requirements.txt:1: packaging>=999 is required but packaging" in out
    assert "run: pip install 'packaging>=999'" in out


def test_a_missing_requirement_fails_and_one_excluded_by_its_marker_does_not(
        project: tuple[Path, str], capsys: pytest.CaptureFixture[str], project_python: Path) -> None:
    repo, base = project
    staged(repo, {"requirements.txt": "packaging>=20\nnot-installed-anywhere-xyz==1.0\n"
                                      "also-not-installed-xyz==1; python_version < '3.0'\n"})
    assert run_check(repo, base, None, python=project_python) == 1
    out = capsys.readouterr().out
    assert ("requirements.txt:2: not-installed-anywhere-xyz==1.0 is not installed in the project's environment "
            f"{project_python} (config python)") in out
    assert "pip install 'not-installed-anywhere-xyz==1.0'" in out
    assert "also-not-installed" not in out.split("FAILED", 1)[1]


def test_a_missing_development_requirement_is_a_note_not_a_failure(
        project: tuple[Path, str], capsys: pytest.CaptureFixture[str], project_python: Path) -> None:
    repo, base = project
    staged(repo, {"requirements-dev.txt": "not-installed-anywhere-xyz\n"})
    assert run_check(repo, base, None, python=project_python) == 0
    assert "(development requirement) is not installed in" in capsys.readouterr().out


def test_server_side_does_not_look_at_the_local_environment(
        project: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    repo, base = project
    head = commit_files(repo, {"requirements.txt": "packaging>=999\n"})
    assert run_check(repo, base, head, server_side=True) == 0
    assert "requirements-installed: not checked server side" in capsys.readouterr().out


def test_an_undeclared_new_import_fails_with_file_and_line(
        project: tuple[Path, str], capsys: pytest.CaptureFixture[str], project_python: Path) -> None:
    repo, base = project
    staged(repo, {"app/main.py": "import os\nimport packaging\n\nimport yaml\nfrom bs4 import BeautifulSoup\n"
                                 "import json, app.main\n"})
    assert run_check(repo, base, None, python=project_python) == 1
    out = capsys.readouterr().out
    assert ("FAILED imports: app/main.py:4: imports 'yaml' (distribution PyYAML), which no requirement declares "
            "(installed here, but not declared); add 'PyYAML' to requirements.txt") in out
    assert "installed here" in out  # "here": the project's environment, which has PyYAML
    assert "FAILED imports: app/main.py:5: imports 'bs4' (distribution beautifulsoup4)" in out
    assert "'json'" not in out and "'app'" not in out and "'os'" not in out


def test_an_import_declared_under_its_distribution_name_passes(
        project: tuple[Path, str], capsys: pytest.CaptureFixture[str], project_python: Path) -> None:
    repo, base = project
    staged(repo, {"requirements.txt": "packaging>=20\nPyYAML>=5\n", "app/main.py": "import yaml\n"})
    assert run_check(repo, base, None, python=project_python) == 0, capsys.readouterr().out


def test_a_project_that_declares_no_requirements_gets_no_import_failure(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = commit_files(repo, {"pyproject.toml": "[tool.ruff]\nline-length = 100\n", "tool.py": "import os\n"})
    staged(repo, {"tool.py": "import os\nimport yaml\n"})
    assert run_check(repo, base, None) == 0
    assert "new imports (yaml) not checked: the project declares no requirements" in capsys.readouterr().out


def test_a_requirements_file_that_does_not_parse_fails_with_file_and_line(
        project: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    repo, base = project
    staged(repo, {"pyproject.toml": '[project]\nname = "svc"\ndependencies = [\n  "flask"\n  "x"\n]\n'})
    assert run_check(repo, base, None) == 1
    out = capsys.readouterr().out
    assert "FAILED requirements-parse: pyproject.toml:5: invalid TOML" in out


def test_mosaic_skip_names_the_checks_to_skip_and_each_skip_is_printed(
        project: tuple[Path, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        project_python: Path) -> None:
    repo, base = project
    staged(repo, {"requirements.txt": "packaging>=999\n", "app/main.py": "import yaml\n"})
    monkeypatch.setenv("MOSAIC_SKIP", "imports, requirements-installed")
    assert run_check(repo, base, None, python=project_python) == 0
    out = capsys.readouterr().out
    assert "imports: skipped (MOSAIC_SKIP)" in out and "requirements-installed: skipped (MOSAIC_SKIP)" in out
    assert "FAILED" not in out


def test_skip_groups_expand() -> None:
    assert skipped_checks({"MOSAIC_SKIP": "requirements"}) == {"requirements-installed", "requirements-parse"}
    assert skipped_checks({"MOSAIC_SKIP": "local"}) == {"imports", "requirements-installed", "requirements-parse"}
    assert skipped_checks({"MOSAIC_SKIP": "health"}) == set()


def test_new_migrations_are_listed_as_information(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = commit_files(repo, {"db/versions/a.py": "revision = 'a1'\ndown_revision = None\n"})
    head = commit_files(repo, {"db/versions/b.py": "revision = 'b2'\ndown_revision = 'a1'\n"})
    assert run_check(repo, base, head) == 0
    out = capsys.readouterr().out
    assert "migration added (alembic): b2 (db/versions/b.py)" in out and "migration heads: b2" in out


def test_requirement_findings_compare_with_the_project_environment_given() -> None:
    from mosaic_hooks.detect.requirements import Declared

    env = EnvReport(ProjectPython(Path("/p/.venv/bin/python"), ".venv"),
                    {"flask": "3.0.0", "rich": "13.0", "pendulum": "3.0"}, {"python_version": "3.11"})
    touched = [Declared("flask", ">=3.1", "r.txt", 1), Declared("rich", ">=13", "r.txt", 2),
               Declared("pendulum", "^3", "pyproject.toml", 3), Declared("rich", "", "r.txt", 4)]
    failures, notes = requirement_findings(touched, env)
    assert failures == ["r.txt:1: flask>=3.1 is required but flask 3.0.0 is installed in /p/.venv/bin/python "
                        "(.venv); run: pip install 'flask>=3.1'"]
    assert notes == ["pyproject.toml:3: not judged: pendulum^3: '^3' is not a PEP 440 specifier, version not compared"]


def test_a_marker_that_cannot_be_evaluated_is_not_judged_rather_than_an_internal_error(
        project: tuple[Path, str], capsys: pytest.CaptureFixture[str], project_python: Path) -> None:
    repo, base = project
    staged(repo, {"requirements.txt": 'packaging>=20\nfoo>=1; python_version ~= "abc"\n'})
    assert run_check(repo, base, None, python=project_python) == 0
    out = capsys.readouterr().out
    assert "requirements.txt:2: not judged: foo>=1: cannot evaluate marker 'python_version ~= \"abc\"'" in out
    assert "internal error" not in out


def test_without_a_project_environment_requirements_are_not_judged_and_nothing_fails(
        project: tuple[Path, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    repo, base = project
    for name in ("VIRTUAL_ENV", "MOSAIC_PYTHON"):  # the suite may itself run in an activated virtualenv
        monkeypatch.delenv(name, raising=False)
    staged(repo, {"requirements.txt": "packaging>=999\n"})
    assert run_check(repo, base, None) == 0
    assert "requirements-installed: not judged: no project environment found" in capsys.readouterr().out


def test_added_endpoints_are_listed_as_information(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = commit_files(repo, {"requirements.txt": "fastapi\n", "api.py": "from fastapi import FastAPI\n\n"
                               "app = FastAPI()\n"})
    staged(repo, {"api.py": "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get('/ping')\n"
                            "def ping() -> str:\n    return 'pong'\n"})
    assert run_check(repo, base, None) == 0
    assert "endpoint added: GET /ping (api.py:6)" in capsys.readouterr().out


def test_server_side_in_a_bare_repository_checks_imports_by_name_only(
        project: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo, base = project
    head = commit_files(repo, {"app/main.py": "import os\nimport packaging\nimport yaml\n",
                               "requirements.txt": "packaging>=999\n"})
    bare = tmp_path / "server.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(bare))
    assert run_check(bare, base, head, server_side=True) == 1
    out = capsys.readouterr().out
    # Without the project's environment, `yaml` maps to PyYAML through the table of well-known names.
    assert ("FAILED imports: app/main.py:3: imports 'yaml' (distribution PyYAML), which no requirement declares; "
            "add 'PyYAML' to requirements.txt") in out
    assert "requirements-installed: not checked server side" in out


def test_the_first_commit_of_a_repository_is_checked_whole(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    git(fresh, "init", "-q")
    staged(fresh, {"requirements.txt": "packaging>=20\n", "svc/app.py": "import packaging\nimport yaml\n"})
    assert run_check(fresh, None, None) == 1
    out = capsys.readouterr().out
    assert "requirement added: packaging>=20 (requirements.txt)" in out
    assert "FAILED imports: svc/app.py:2: imports 'yaml'" in out


def test_imports_are_not_judged_against_requirements_that_do_not_parse(
        project: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    repo, base = project
    staged(repo, {"requirements.txt": "packaging>=20\nPyYAML >=< 6\n", "app/main.py": "import yaml\n"})
    assert run_check(repo, base, None) == 1
    out = capsys.readouterr().out
    assert "FAILED requirements-parse: requirements.txt:2: invalid requirement" in out
    assert "new imports (yaml) not checked: requirements.txt:2: invalid requirement" in out
    assert "FAILED imports" not in out

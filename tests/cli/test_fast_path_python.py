"""The commit hook's quick answer for Python edits the stored endpoint result shows to be harmless.

Real repositories and the real hook entry (`python -m mosaic_hooks hook-impl`); what it loads is read
from `-X importtime`. The full path's answer for the same staged change is the reference.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mosaic_hooks.core import git as mgit
from mosaic_hooks.detect.cache import cache_dir
from tests.conftest import commit_files, git

ROUTES = """\
from fastapi import APIRouter
from app import services

router = APIRouter(prefix="/items")


@router.get("")
def list_items():
    return services.all_items()
"""
SERVICES = "def all_items():\n    items = []\n    return items\n"
ANALYSERS = {"mosaic_hooks.hooks.local_checks", "mosaic_hooks.detect.analyze", "mosaic_hooks.core.config",
             "mosaic_hooks.detect.endpoints.executor", "mosaic_hooks.detect.endpoints.django_apps", "subprocess",
             "argparse"}


def hook(repo: Path) -> tuple[int, set[str], str]:
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "mosaic_hooks", "hook-impl",
                           "--hook-type", "pre-commit"], cwd=repo, capture_output=True, text=True, timeout=120)
    modules = {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    said = "".join(line + "\n" for line in proc.stderr.splitlines() if not line.startswith("import time:"))
    return proc.returncode, modules, proc.stdout + said


def full_path_answer(repo: Path) -> tuple[int, str]:
    """The answer without any stored result (so the analysers run), the cache restored afterwards."""
    directory = cache_dir(mgit.find_repo(repo))
    saved = directory.with_name("saved")
    shutil.copytree(directory, saved)
    shutil.rmtree(directory)
    code, modules, said = hook(repo)
    assert "mosaic_hooks.hooks.local_checks" in modules
    shutil.rmtree(directory)
    saved.rename(directory)
    return code, said


def stage(repo: Path, name: str, text: str) -> None:
    (repo / name).write_text(text)
    git(repo, "add", name)


def warm_project(repo: Path) -> None:
    commit_files(repo, {"app/__init__.py": "", "app/main.py": "from fastapi import FastAPI\nfrom app.routes import "
                        "router\n\napp = FastAPI()\napp.include_router(router)\n", "app/routes.py": ROUTES,
                        "app/services.py": SERVICES})
    stage(repo, "app/services.py", SERVICES.replace("[]", "[0]"))
    code, modules, _ = hook(repo)  # no stored result yet: the full path runs and stores both sides
    assert code == 0 and "mosaic_hooks.hooks.local_checks" in modules
    git(repo, "commit", "-q", "--no-verify", "-m", "first edit")


def test_an_edit_inside_a_function_is_answered_without_the_analysers(repo: Path) -> None:
    warm_project(repo)
    stage(repo, "app/services.py", SERVICES.replace("[]", "[1]"))
    code, modules, said = hook(repo)
    assert not modules & ANALYSERS
    assert (code, said) == full_path_answer(repo) == (0, "mosaic[check] 1 relevant file: app/services.py\n")


def test_an_edit_inside_a_route_handler_is_answered_quickly_and_the_next_commit_too(repo: Path) -> None:
    warm_project(repo)
    stage(repo, "app/routes.py", ROUTES.replace("    return services", "    count = 1\n    return services"))
    code, modules, said = hook(repo)
    assert code == 0 and not modules & ANALYSERS
    assert (code, said) == full_path_answer(repo)
    git(repo, "commit", "-q", "--no-verify", "-m", "handler edit")  # its stored result is the next base
    stage(repo, "app/routes.py", ROUTES.replace("    return services", "    count = 2\n    return services"))
    assert not hook(repo)[1] & ANALYSERS


def test_a_new_route_takes_the_full_path_and_is_reported(repo: Path) -> None:
    warm_project(repo)
    stage(repo, "app/routes.py", ROUTES + '\n\n@router.post("")\ndef add():\n    return 1\n')
    code, modules, said = hook(repo)
    assert code == 0 and "mosaic_hooks.hooks.local_checks" in modules
    assert "endpoint added: POST /items (app/routes.py:12)" in said


def test_an_added_import_line_takes_the_full_path(repo: Path) -> None:
    warm_project(repo)
    stage(repo, "app/services.py", "import json\n" + SERVICES)
    assert "mosaic_hooks.hooks.local_checks" in hook(repo)[1]


def test_a_file_that_no_longer_parses_takes_the_full_path_which_says_so(repo: Path) -> None:
    warm_project(repo)
    stage(repo, "app/services.py", SERVICES.replace("return items", "return items)"))
    code, modules, said = hook(repo)
    assert code == 0 and "mosaic_hooks.hooks.local_checks" in modules
    assert "app/services.py: could not parse (line 3)" in said


def test_a_file_pinning_django_staged_with_a_harmless_edit_takes_the_full_path(repo: Path) -> None:
    warm_project(repo)
    stage(repo, "app/services.py", SERVICES.replace("[]", "[1]"))
    stage(repo, "Pipfile", '[packages]\ndjango = "==3.1.14"\n')  # the admin's layout follows Django's version
    code, modules, _ = hook(repo)
    assert code == 0 and "mosaic_hooks.hooks.local_checks" in modules


DOCUMENT = ("openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n"
            "  /items: {get: {responses: {'200': {description: ok}}}}\n")


def test_under_openapi_documents_always_the_quick_answer_is_the_full_paths(repo: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOSAIC_OPENAPI_DOCUMENTS", "always")
    commit_files(repo, {"docs/openapi.yaml": DOCUMENT})
    warm_project(repo)  # the stored results were computed under "always"
    stage(repo, "app/services.py", SERVICES.replace("[]", "[1]"))
    code, modules, said = hook(repo)
    assert not modules & ANALYSERS  # the quick path needs no configuration: its answer holds under every setting
    assert (code, said) == full_path_answer(repo)
    monkeypatch.setenv("MOSAIC_OPENAPI_DOCUMENTS", "never")
    assert (code, said) == full_path_answer(repo)
    git(repo, "commit", "-q", "--no-verify", "-m", "edit")
    monkeypatch.setenv("MOSAIC_OPENAPI_DOCUMENTS", "always")
    stage(repo, "docs/openapi.yaml", DOCUMENT + "  /reports: {get: {responses: {'200': {description: ok}}}}\n")
    code, modules, said = hook(repo)
    assert "endpoint added: GET /reports (docs/openapi.yaml:5)" in said
    monkeypatch.setenv("MOSAIC_OPENAPI_DOCUMENTS", "auto")
    assert "endpoint added" not in hook(repo)[2]  # the same stored results, the other setting's answer

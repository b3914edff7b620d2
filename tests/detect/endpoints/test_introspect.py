"""Opt-in introspection: the app at a revision is loaded in a separate process that lists its routes."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest

from mosaic_hooks.core import exit_codes
from mosaic_hooks.core import git as gitmod
from mosaic_hooks.detect.endpoints import introspect_endpoints
from mosaic_hooks.detect.endpoints.introspect import IntrospectionError

from .helpers import commit_tree, git, load_sibling

APP = "from fastapi import FastAPI\napp = FastAPI(openapi_url=None)\n\n@app.get('/v1')\ndef v1(): ...\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[gitmod.Repo, Path, list[str]]:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    repo_dir = tmp_path / "repo"
    repo_dir.mkdir()
    git(repo_dir, "init", "-q")
    first = commit_tree(repo_dir, {"svc/main.py": APP, "svc/__init__.py": ""}, "v1")
    second = commit_tree(repo_dir, {"svc/main.py": APP + "\n@app.post('/v2/{item_id:int}')\ndef v2(): ...\n"}, "v2")
    return gitmod.find_repo(repo_dir), scratch, [first, second]


def test_each_revision_reports_its_own_routes_and_the_checkout_is_removed(
        project: tuple[gitmod.Repo, Path, list[str]]) -> None:
    repo, scratch, (first, second) = project
    old = introspect_endpoints(repo, first, "svc.main:app", timeout=60)
    new = introspect_endpoints(repo, second, "svc.main:app", timeout=60)
    assert [e.key for e in old] == [("GET", "/v1")]
    assert [e.key for e in new] == [("GET", "/v1"), ("POST", "/v2/{item_id}")]
    assert (new[1].file, new[1].line, new[1].framework) == ("svc/main.py", 7, "fastapi")
    assert list(scratch.iterdir()) == []


def test_a_target_that_is_not_module_colon_app_is_a_usage_error(project: tuple[gitmod.Repo, Path, list[str]]) -> None:
    repo, _, (first, _second) = project
    with pytest.raises(IntrospectionError) as caught:
        introspect_endpoints(repo, first, "svc.main", timeout=5)
    assert caught.value.exit_code == exit_codes.USAGE


def test_an_app_that_fails_to_import_says_why(project: tuple[gitmod.Repo, Path, list[str]]) -> None:
    repo, scratch, _ = project
    broken = commit_tree(repo.root, {"svc/main.py": "raise RuntimeError('needs DATABASE_URL')\n"}, "broken")
    with pytest.raises(IntrospectionError) as caught:
        introspect_endpoints(repo, broken, "svc.main:app", timeout=60)
    assert "RuntimeError: needs DATABASE_URL" in caught.value.message
    assert caught.value.exit_code == exit_codes.INCONCLUSIVE
    assert list(scratch.iterdir()) == []


def test_an_app_that_hangs_at_import_is_stopped_at_the_time_limit(
        project: tuple[gitmod.Repo, Path, list[str]]) -> None:
    repo, scratch, _ = project
    hanging = commit_tree(repo.root, {"svc/main.py": "import time\ntime.sleep(60)\n"}, "hang")
    start = time.monotonic()
    with pytest.raises(IntrospectionError) as caught:
        introspect_endpoints(repo, hanging, "svc.main:app", timeout=1.5)
    assert time.monotonic() - start < 10
    assert "did not finish within 1.5s" in caught.value.message
    assert list(scratch.iterdir()) == []


def test_a_django_urlconf_target_is_loaded_after_django_setup(tmp_path: Path) -> None:
    corpus = load_sibling("corpus")
    repo_dir = tmp_path / "repo"
    repo_dir.mkdir()
    git(repo_dir, "init", "-q")
    sha = commit_tree(repo_dir, corpus.DJANGO_POLLS.files, "polls")
    repo = gitmod.find_repo(repo_dir)
    via_urlconf = introspect_endpoints(repo, sha, "mysite.urls:urlpatterns", timeout=60)
    via_wsgi = introspect_endpoints(repo, sha, "mysite.wsgi:application", timeout=60)
    assert via_urlconf == via_wsgi
    assert ("ANY", "/polls/{question_id}/vote/") in {e.key for e in via_urlconf}

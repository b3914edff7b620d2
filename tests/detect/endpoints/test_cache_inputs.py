"""The endpoint cache keeps everything a result says and is keyed by everything the result depends on:
the repository's files (Python, documents, the dependency files pinning Django) and the project's
environment, where installed Django apps' admin pages are read (outside the repository).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from mosaic_hooks.core import git as mgit
from mosaic_hooks.detect.analyze import analyze
from mosaic_hooks.detect.changeset import Endpoint
from mosaic_hooks.detect.endpoints import incremental
from mosaic_hooks.detect.endpoints.revision import RevisionEndpoints
from tests.conftest import commit_files

NON_DEFAULT_ENDPOINT = {"method": "POST", "path": "/x/{id}", "file": "app/x.py", "line": 7, "framework": "django",
                        "in_schema": False, "source": "openapi"}


def non_default_endpoint(**changes: object) -> Endpoint:
    values = {**NON_DEFAULT_ENDPOINT, **changes}
    return Endpoint(**values)  # type: ignore[arg-type]


def test_a_stored_result_keeps_every_field_of_its_endpoints_and_of_itself() -> None:
    endpoint = non_default_endpoint()
    default = Endpoint("GET", "/")
    # A field added to Endpoint without a non-default value here fails: store it, then test it here.
    assert {f.name for f in dataclasses.fields(Endpoint)} == set(NON_DEFAULT_ENDPOINT)
    for f in dataclasses.fields(Endpoint):
        if f.name not in ("method", "path"):
            assert getattr(endpoint, f.name) != getattr(default, f.name), f.name
    spec = non_default_endpoint(path="/doc", line=3)
    result = RevisionEndpoints(
        endpoints=[endpoint], specs={spec.key: (spec, "print")}, warnings=["app/x.py:1: odd"],
        unparsable={"app/broken.py"}, probed={"app/x.py"}, ran_bodies={("app/x.py", 3, 4)},
        unknown_prefixes={"/lost/"}, origins={endpoint.key: {"module:app/urls.py", "include:app/urls.py:api"}},
        unknown_sources={"include:app/urls.py:x"})
    empty = RevisionEndpoints()
    for f in dataclasses.fields(RevisionEndpoints):  # every field carries a value its default lacks
        assert getattr(result, f.name) != getattr(empty, f.name), f.name

    back = incremental.from_json(json.loads(json.dumps(incremental.to_json(result))))

    assert back is not None
    for f in dataclasses.fields(RevisionEndpoints):
        assert getattr(back, f.name) == getattr(result, f.name), f.name
    for before, after in [(result.endpoints[0], back.endpoints[0]), (spec, back.specs[spec.key][0])]:
        assert dataclasses.astuple(after) == dataclasses.astuple(before)  # Endpoint's == compares the key only


def test_a_stored_endpoint_with_a_missing_or_mistyped_field_is_a_miss() -> None:
    data = incremental.to_json(RevisionEndpoints(endpoints=[non_default_endpoint()]))
    stored = data["endpoints"][0]  # type: ignore[index]
    del stored["in_schema"]
    assert incremental.from_json(data) is None
    stored["in_schema"] = "no"
    assert incremental.from_json(data) is None


SETTINGS = "ROOT_URLCONF = 'proj.urls'\nINSTALLED_APPS = ['django.contrib.admin', 'shop']\n"
URLS = ("from django.contrib import admin\nfrom django.urls import path\n"
        "urlpatterns = [path('admin/', admin.site.urls)]\n")
PROJECT = {"manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings')\n",
           "proj/__init__.py": "", "proj/settings.py": SETTINGS, "proj/urls.py": URLS,
           "proj/helpers.py": "def shout(text):\n    return text.upper()\n",
           "shop/__init__.py": "",
           "shop/models.py": "from django.db import models\nclass Product(models.Model):\n    pass\n",
           "shop/admin.py": ("from django.contrib import admin\nfrom .models import Product\n"
                             "admin.site.register(Product)\n")}


def keys(found: list[Endpoint]) -> set[tuple[str, str]]:
    return {e.key for e in found}


def test_a_django_pin_changed_with_a_harmless_edit_changes_the_admin_layout(repo: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    base = commit_files(repo, {**PROJECT, "requirements.txt": "Django==5.0\n"})
    head = commit_files(repo, {"requirements.txt": "Django==3.1.14\n",
                               "proj/helpers.py": "def shout(text):\n    return text.upper() + '!'\n"})
    for _ in range(2):  # cold, then warm (both sides cached)
        found = analyze(mgit.find_repo(repo), base, head).endpoints
        assert ("ANY", "/admin/shop/product/autocomplete/") in keys(found.added)
        assert {("ANY", "/admin/autocomplete/"), ("ANY", "/admin/{url}")} <= keys(found.removed)


def test_an_app_installed_after_the_first_run_is_not_answered_from_the_cache(repo: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    base = commit_files(repo, PROJECT)
    head = commit_files(repo, {"proj/settings.py": SETTINGS.replace("'shop']", "'shop', 'beatish']")})
    first = analyze(mgit.find_repo(repo), base, head).endpoints
    assert not any("/beat/" in e.path for e in first.added)  # not installed: nothing to read

    site = repo / ".venv" / "lib" / "python3.12" / "site-packages"
    app = site / "beatish"
    app.mkdir(parents=True)
    (site / "beatish-1.0.dist-info").mkdir()
    (app / "__init__.py").write_text("")
    (app / "apps.py").write_text("from django.apps import AppConfig\nclass BeatConfig(AppConfig):\n"
                                 "    name = 'beatish'\n    label = 'beat'\n")
    (app / "models.py").write_text("from django.db import models\nclass PeriodicTask(models.Model):\n    pass\n")
    (app / "admin.py").write_text("from django.contrib import admin\nfrom .models import PeriodicTask\n"
                                  "admin.site.register(PeriodicTask)\n")

    second = analyze(mgit.find_repo(repo), base, head).endpoints
    assert ("ANY", "/admin/beat/periodictask/") in keys(second.added)

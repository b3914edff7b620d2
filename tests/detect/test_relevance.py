"""Which changed paths can matter, decided from their names alone."""

from __future__ import annotations

import pytest

from mosaic_hooks.detect.relevance import classify, is_relevant


@pytest.mark.parametrize("path", [
    "app/main.py", "requirements.txt", "requirements-dev.txt", "dev-requirements.txt", "requirements/base.txt",
    "requirements/prod.in", "constraints.txt", "pyproject.toml", "svc/pyproject.toml", "openapi.json",
    "docs/openapi.yaml", "api/swagger.yml", "alembic.ini", "setup.cfg",
])
def test_relevant_paths(path: str) -> None:
    assert is_relevant(path)


@pytest.mark.parametrize("path", [
    "README.md", "docs/index.rst", "static/app.js", "Dockerfile", "tox.ini", "notes.txt", "data/users.json",
    "templates/base.html", "app/main.pyi", ".github/workflows/ci.yml", "migrations/README",
])
def test_irrelevant_paths(path: str) -> None:
    assert not is_relevant(path)


def test_classify_sorts_paths_by_what_they_can_change() -> None:
    found = classify(["app/main.py", "requirements.txt", "db/versions/1_x.py", "blog/migrations/0002_a.py",
                      "openapi.json", "README.md", "alembic.ini"])
    assert found.python == ["app/main.py", "db/versions/1_x.py", "blog/migrations/0002_a.py"]
    assert found.dependencies == ["requirements.txt"]
    assert found.migrations == ["db/versions/1_x.py", "blog/migrations/0002_a.py", "alembic.ini"]
    assert found.openapi == ["openapi.json"]
    assert found.endpoint_sources == [*found.python, "openapi.json"]
    assert not classify(["README.md", "static/x.css"])

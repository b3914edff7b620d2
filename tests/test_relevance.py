"""Which paths the local checks look at: the rule the commit hook's fast path relies on."""

from __future__ import annotations

import pytest

from mosaic_hooks.relevance import any_relevant, is_relevant


@pytest.mark.parametrize("path", [
    "app.py", "src/api/routes.py", "requirements.txt", "requirements-dev.txt", "deploy/requirements.prod.txt",
    "pyproject.toml", "openapi.json", "docs/openapi.yaml", "app/migrations/0001_initial.py",
    "migrations/versions/abc_add.sql",
])
def test_relevant(path: str) -> None:
    assert is_relevant(path)


@pytest.mark.parametrize("path", [
    "README.md", "static/site.css", "docs/requirements.md", "pyproject.toml.bak", "notmigrations/x.sql",
    "setup.cfg",
])
def test_not_relevant(path: str) -> None:
    assert not is_relevant(path)


def test_any_relevant() -> None:
    assert not any_relevant([])
    assert any_relevant(["README.md", "app.py"])

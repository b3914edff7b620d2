"""Which changed paths can matter to the change detection, decided from the names alone.

Pure and cheap: the hooks call it on every commit, and a commit that touches no relevant path must
cost no reading and no parsing.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

# requirements.txt, requirements-dev.txt, dev-requirements.txt, requirements/base.txt, constraints.txt, *.in
_REQUIREMENTS_NAME = re.compile(r"(.*requirements.*|constraints.*)\.(txt|in)$", re.IGNORECASE)
_OPENAPI_NAME = re.compile(r"(openapi|swagger)[^/]*\.(json|ya?ml)$", re.IGNORECASE)
_DJANGO_MIGRATION = re.compile(r"(^|/)migrations/[^/]+\.py$")
_ALEMBIC_VERSION = re.compile(r"(^|/)versions/[^/]+\.py$")


def is_python(path: str) -> bool:
    return path.endswith(".py")


def is_requirements_file(path: str) -> bool:
    name = posixpath.basename(path)
    if _REQUIREMENTS_NAME.match(name):
        return True
    parent = posixpath.basename(posixpath.dirname(path))
    return parent.lower() == "requirements" and name.endswith((".txt", ".in"))


def is_pyproject(path: str) -> bool:
    return posixpath.basename(path) == "pyproject.toml"


def is_setuptools_file(path: str) -> bool:
    return posixpath.basename(path) in ("setup.cfg", "setup.py")


def is_dependency_file(path: str) -> bool:
    return is_requirements_file(path) or is_pyproject(path) or is_setuptools_file(path)


def is_openapi(path: str) -> bool:
    return bool(_OPENAPI_NAME.match(posixpath.basename(path)))


def is_alembic_ini(path: str) -> bool:
    return posixpath.basename(path) == "alembic.ini"


def is_migration(path: str) -> bool:
    """An Alembic revision file (`.../versions/x.py`) or a Django migration (`<app>/migrations/x.py`)."""
    if posixpath.basename(path) == "__init__.py":
        return False
    return bool(_ALEMBIC_VERSION.search(path) or _DJANGO_MIGRATION.search(path))


@dataclass
class Relevant:
    """The changed paths sorted by what they can change."""

    python: list[str] = field(default_factory=list)
    dependencies: list[str] = field(default_factory=list)  # requirements files and pyproject.toml
    migrations: list[str] = field(default_factory=list)  # revision/migration files and alembic.ini
    openapi: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.python or self.dependencies or self.migrations or self.openapi)

    @property
    def endpoint_sources(self) -> list[str]:
        return [*self.python, *self.openapi]


def classify(paths: Iterable[str]) -> Relevant:
    relevant = Relevant()
    for path in paths:
        if is_python(path):
            relevant.python.append(path)
        if is_dependency_file(path):
            relevant.dependencies.append(path)
        if is_migration(path) or is_alembic_ini(path):
            relevant.migrations.append(path)
        if is_openapi(path):
            relevant.openapi.append(path)
    return relevant


def is_relevant(path: str) -> bool:
    return bool(classify([path]))

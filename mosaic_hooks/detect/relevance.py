"""Which changed paths can matter to the change detection, decided from the names alone.

Pure, cheap and import-free (string operations only), so a hook's fast path can use this very rule:
a commit that touches no relevant path must cost no reading and no parsing.
"""

from __future__ import annotations

from collections.abc import Iterable

_SPEC_SUFFIXES = (".json", ".yaml", ".yml")
_REQUIREMENT_SUFFIXES = (".txt", ".in")


def _name(path: str) -> str:
    return path.rpartition("/")[2]


def _parent(path: str) -> str:
    return path.rpartition("/")[0].rpartition("/")[2]


def is_python(path: str) -> bool:
    return path.endswith(".py")


def is_requirements_file(path: str) -> bool:
    """requirements.txt, requirements-dev.txt, dev-requirements.txt, requirements/base.txt, constraints.txt, *.in."""
    name = _name(path).lower()
    if not name.endswith(_REQUIREMENT_SUFFIXES):
        return False
    return "requirements" in name or name.startswith("constraints") or _parent(path).lower() == "requirements"


def is_pyproject(path: str) -> bool:
    return _name(path) == "pyproject.toml"


def is_setuptools_file(path: str) -> bool:
    return _name(path) in ("setup.cfg", "setup.py")


def is_dependency_file(path: str) -> bool:
    return is_requirements_file(path) or is_pyproject(path) or is_setuptools_file(path)


def is_openapi(path: str) -> bool:
    name = _name(path).lower()
    return name.startswith(("openapi", "swagger")) and name.endswith(_SPEC_SUFFIXES)


def is_alembic_ini(path: str) -> bool:
    return _name(path) == "alembic.ini"


def is_migration(path: str) -> bool:
    """An Alembic revision file (`.../versions/x.py`) or a Django migration (`<app>/migrations/x.py`)."""
    name = _name(path)
    return name.endswith(".py") and name != "__init__.py" and _parent(path) in ("versions", "migrations")


class Relevant:
    """The changed paths sorted by what they can change."""

    __slots__ = ("dependencies", "migrations", "openapi", "python")

    def __init__(self) -> None:
        self.python: list[str] = []
        self.dependencies: list[str] = []  # requirements files, pyproject.toml, setup.cfg/setup.py
        self.migrations: list[str] = []  # revision/migration files and alembic.ini
        self.openapi: list[str] = []

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
    return is_python(path) or is_dependency_file(path) or is_openapi(path) or is_alembic_ini(path)


def any_relevant(paths: Iterable[str]) -> bool:
    return any(is_relevant(path) for path in paths)

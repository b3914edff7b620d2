"""The project's own Python environment: what the local checks judge requirements and imports against.

Not the environment mosaic-hooks runs in: under the pre-commit framework (`language: python`) that is
pre-commit's private virtualenv, which has mosaic-hooks and nothing of the project. In order:
1. the `python` configuration key (an interpreter path, relative to the repository root);
2. the active virtualenv (`VIRTUAL_ENV`), unless it is pre-commit's own (`py_env-*`);
3. `.venv` or `venv` in the repository (uv's and most tools' default);
4. a project manager's environment found without running it: `UV_PROJECT_ENVIRONMENT`, and Poetry's
   `{name}-{hash}-py*` under its cache directory;
otherwise there is none, and the checks that need one say "not judged" (never a failure).

The interpreter found is asked once (one subprocess, bounded) for its distributions, marker environment
and, when needed, the modules each distribution provides.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from packaging.utils import canonicalize_name

from mosaic_hooks.core.errors import MosaicError

REPORT_TIMEOUT = 20.0
NOT_FOUND = ("no project environment found (set `python` in [tool.mosaic], activate the project's "
             "virtualenv, or create .venv)")


@dataclass(frozen=True)
class ProjectPython:
    executable: Path
    how: str  # "config python", "VIRTUAL_ENV", ".venv", "poetry", ...


@dataclass(frozen=True)
class EnvReport:
    """What the project's environment has installed."""

    python: ProjectPython
    distributions: Mapping[str, str]  # normalised name -> version
    environment: Mapping[str, str]  # PEP 508 marker values
    modules: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # "google.cloud.storage" -> dists

    @property
    def where(self) -> str:
        return f"{self.python.executable} ({self.python.how})"


def _interpreter_of(env_dir: Path) -> Path | None:
    for candidate in (env_dir / "bin" / "python", env_dir / "bin" / "python3", env_dir / "Scripts" / "python.exe"):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def is_pre_commit_env(path: str) -> bool:
    """pre-commit's own virtualenvs are named `py_env-<version>` inside its cache."""
    return Path(path).name.startswith("py_env-")


def poetry_env_name(name: str, root: Path) -> str:
    """Poetry's virtualenv name stem for a project (poetry.utils.env.EnvManager.generate_env_name)."""
    sanitized = re.sub(r'[ $`!*@"\\\r\n\t]', "_", name.lower())[:42]
    digest = hashlib.sha256(str(root.resolve()).encode()).digest()
    return f"{sanitized}-{base64.urlsafe_b64encode(digest).decode()[:8]}"


def _poetry_cache(env: Mapping[str, str]) -> Path:
    if env.get("POETRY_VIRTUALENVS_PATH"):
        return Path(env["POETRY_VIRTUALENVS_PATH"])
    if env.get("POETRY_CACHE_DIR"):
        return Path(env["POETRY_CACHE_DIR"]) / "virtualenvs"
    base = env.get("XDG_CACHE_HOME") or str(Path(env.get("HOME", "~")).expanduser() / ".cache")
    return Path(base) / "pypoetry" / "virtualenvs"


def _poetry_project(root: Path) -> str | None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover (Python 3.10)
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

    try:
        doc = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    poetry = doc.get("tool", {}).get("poetry") if isinstance(doc.get("tool"), dict) else None
    project = doc.get("project") if isinstance(doc.get("project"), dict) else {}
    if not isinstance(poetry, dict):
        return None
    name = poetry.get("name") or project.get("name")
    return name if isinstance(name, str) else None


def find(root: Path | None, configured: str | None, env: Mapping[str, str] | None = None) -> ProjectPython | None:
    """The project's interpreter, or None. `configured`: the `python` key. Only looks at files, runs nothing."""
    env = os.environ if env is None else env
    if configured:
        path = Path(os.path.expanduser(configured))
        if not path.is_absolute() and root is not None:
            path = root / path
        if path.is_dir():  # a virtualenv directory is accepted too
            path = _interpreter_of(path) or path
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise MosaicError(f"the configured python '{configured}' is not an executable interpreter ({path})",
                              hint="set `python` to the project's interpreter, e.g. \".venv/bin/python\"")
        return ProjectPython(path, "config python")
    active = env.get("VIRTUAL_ENV")
    if active and not is_pre_commit_env(active) and (found := _interpreter_of(Path(active))) is not None:
        return ProjectPython(found, "VIRTUAL_ENV")
    if root is None:
        return None
    uv_env = env.get("UV_PROJECT_ENVIRONMENT")
    if uv_env:
        path = Path(uv_env) if os.path.isabs(uv_env) else root / uv_env
        if (found := _interpreter_of(path)) is not None:
            return ProjectPython(found, "UV_PROJECT_ENVIRONMENT")
    for name in (".venv", "venv"):
        if (found := _interpreter_of(root / name)) is not None:
            return ProjectPython(found, name)
    if (root / "poetry.lock").is_file() or (root / "pyproject.toml").is_file():
        project = _poetry_project(root)
        if project:
            stem = poetry_env_name(project, root)
            cache = _poetry_cache(env)
            for candidate in sorted(cache.glob(f"{stem}-py*"), reverse=True) if cache.is_dir() else []:
                if (found := _interpreter_of(candidate)) is not None:
                    return ProjectPython(found, "poetry")
    return None


def report(python: ProjectPython, *, modules: bool = False, timeout: float = REPORT_TIMEOUT) -> EnvReport:
    """Ask the project's interpreter what it has installed (one bounded subprocess)."""
    source = (Path(__file__).with_name("env_report_script.py")).read_text(encoding="utf-8")
    argv = [str(python.executable), "-E", "-c", source, *(["--modules"] if modules else [])]
    try:
        proc = subprocess.run(argv, capture_output=True, timeout=timeout, cwd=tempfile.gettempdir(),
                              stdin=subprocess.DEVNULL, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise MosaicError(f"cannot ask the project's interpreter {python.executable} what it has installed: {exc}",
                          hint="check the `python` key, or that the virtualenv still works") from None
    try:
        data = json.loads(proc.stdout.decode("utf-8", "replace"))
        dists: dict[str, str] = {}
        for name, version in data["distributions"]:
            dists.setdefault(canonicalize_name(str(name)), str(version))
        environment = {str(k): str(v) for k, v in data["environment"].items()}
        mods = {str(k): tuple(str(d) for d in v) for k, v in data.get("modules", {}).items()}
    except (ValueError, KeyError, AttributeError, TypeError):  # InvalidName is a ValueError
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        raise MosaicError(f"the project's interpreter {python.executable} did not report its packages "
                          f"(exit {proc.returncode}: {tail[0]})",
                          hint="check the `python` key, or that the virtualenv still works") from None
    return EnvReport(python, dists, environment, mods)

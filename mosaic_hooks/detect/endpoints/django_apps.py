"""Django's installed apps as the app registry sees them: their labels, the apps that live outside the
repository (read as source files from the project's environment, never imported), and the Django
version the project runs (the admin's URL layout differs across versions).

An app's label is `AppConfig.label`, else the last part of its module path; a model belongs to the
installed app whose package contains its module (the longest match), so a model in a sub-package of an
app gets that app's label, as `apps.get_containing_app_config` decides.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mosaic_hooks.detect.endpoints.evaluator import Evaluator
from mosaic_hooks.detect.endpoints.loader import Module
from mosaic_hooks.detect.endpoints.values import ClassVal, Const, ListVal, const_str

# Reading an app from the environment is bounded: a huge package is read in part, never blocks a push.
MAX_ENV_FILES_PER_APP = 400
MAX_ENV_BYTES_PER_APP = 8_000_000

# Where files read from the environment live among the analysed files: a directory no repository path
# can be, so the project's own imports of a library never resolve to the library's source.
ENV_ROOT = "@env"

_VERSION_PIN = re.compile(rb"^\s*django\s*(?:\[[^\]]*\])?\s*(?:==|~=|>=)\s*(\d+)\.(\d+)", re.I | re.M)
_POETRY_PIN = re.compile(rb"""^\s*django\s*=\s*["'{][^0-9\n]*(\d+)\.(\d+)""", re.I | re.M)


@dataclass
class App:
    entry: str  # as written in INSTALLED_APPS
    name: str  # the app's module path (AppConfig.name)
    label: str
    package_dir: str | None  # directory of its package in the analysed files (None: not found)


def read_env_package(site_packages: Sequence[Path], dotted: str) -> dict[str, bytes]:
    """The Python files of package `dotted` in the environment, keyed `@env/<path in site-packages>`;
    nothing when the package has no admin module (only its admin registrations matter here)."""
    rel = dotted.replace(".", "/")
    for site in site_packages:
        base = site / rel
        if not (base / "__init__.py").is_file():
            continue
        if not any((app / "admin.py").is_file() or (app / "admin").is_dir() for app in _packages(base)):
            return {}
        out: dict[str, bytes] = {}
        size = 0
        for directory, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if d not in {"tests", "migrations", "__pycache__", "locale",
                                                                  "static", "templates"})
            for name in sorted(filenames):
                if not name.endswith(".py") or len(out) >= MAX_ENV_FILES_PER_APP:
                    continue
                path = Path(directory) / name
                try:
                    data = path.read_bytes()
                except OSError:
                    continue
                size += len(data)
                if size > MAX_ENV_BYTES_PER_APP:
                    return out
                out[f"{ENV_ROOT}/{path.relative_to(site).as_posix()}"] = data
        return out
    return {}


def _packages(base: Path) -> list[Path]:
    """`base` and its sub-packages two levels down (rest_framework/authtoken)."""
    out = [base]
    for child in sorted(base.iterdir()):
        if (child / "__init__.py").is_file():
            out.append(child)
    return out


def django_version(pin_files: dict[str, bytes], site_packages: Sequence[Path]) -> tuple[int, int] | None:
    """The Django (major, minor) the revision pins (its own dependency files), else the one installed in
    the project's environment; None: not known (the newest layout is assumed)."""
    for path in sorted(pin_files, key=lambda p: (p.count("/"), p)):
        match = _VERSION_PIN.search(pin_files[path]) or _POETRY_PIN.search(pin_files[path])
        if match:
            return int(match.group(1)), int(match.group(2))
    for site in site_packages:
        for info in sorted(site.glob("[Dd]jango-*.dist-info")):
            found = re.match(r"[Dd]jango-(\d+)\.(\d+)", info.name)
            if found:
                return int(found.group(1)), int(found.group(2))
    return None


def installed_entries(interp: Evaluator, settings: Module | None) -> list[str] | None:
    """INSTALLED_APPS as strings, or None when the settings do not say (or say it in a way not followed)."""
    if settings is None:
        return None
    apps = interp.module_attr(settings, "INSTALLED_APPS")
    if not isinstance(apps, ListVal):
        return None
    return [v for v in (const_str(a) for a in apps.items) if v is not None]


def resolve_apps(interp: Evaluator, entries: Sequence[str], anchor: str,
                 site_packages: Sequence[Path]) -> list[App]:
    """Each installed app's name, label and package (apps outside the repository read from the env)."""
    apps: list[App] = []
    for entry in entries:
        if entry.startswith("django.contrib."):
            parts = entry.split(".")
            apps.append(App(entry, ".".join(parts[:3]), parts[2], None))
            continue
        where = anchor
        if _find(interp, entry, anchor) is None:
            _add_env_files(interp, site_packages, entry)
            where = ENV_ROOT
        package = _find(interp, entry, where)
        config: ClassVal | None = None
        if package is None or not package.is_package:
            # "app.apps.AppConfigClass": a dotted path to an AppConfig
            module_name, _, cls_name = entry.rpartition(".")
            module = _find(interp, module_name, where) if module_name else None
            if module is not None:
                found = interp.module_attr(module, cls_name)
                config = found if isinstance(found, ClassVal) else None
        elif package.is_package:
            config = _default_config(interp, package)
        name = entry if config is None else (const_str(interp.class_attr(config, "name")) or entry)
        label = (const_str(interp.class_attr(config, "label")) if config is not None else None) \
            or name.rsplit(".", 1)[-1]
        owner = package if name == entry else _find(interp, name, where)
        package_dir = owner.package_dir if owner is not None and owner.is_package else None
        apps.append(App(entry, name, label, package_dir))
    return apps


def _find(interp: Evaluator, dotted: str, anchor: str) -> Module | None:
    module = interp.find_module(dotted, anchor)
    return None if module is None or (module.path.endswith("/") and not module.is_package) else module


def _add_env_files(interp: Evaluator, site_packages: Sequence[Path], dotted: str) -> None:
    top = dotted.split(".", 1)[0]
    if top and site_packages and f"{ENV_ROOT}/{top}" not in interp.dirs:
        interp.add_files(read_env_package(site_packages, top))


def _default_config(interp: Evaluator, package: Module) -> ClassVal | None:
    """Django >= 3.2: the single AppConfig subclass of `<app>/apps.py` (or the one with default = True)."""
    apps_module = interp.submodule(package, "apps")
    if apps_module is None or apps_module.path.endswith("/"):
        return None
    interp.load(apps_module)
    configs = [v for v in apps_module.env.values() if isinstance(v, ClassVal) and v.module is apps_module
               and any(b.last == "AppConfig" for b in interp.external_bases(v))]
    marked = [c for c in configs if _is_true(c.env.get("default"))]
    if len(marked) == 1:
        return marked[0]
    return configs[0] if len(configs) == 1 else None


def labels_by_dir(apps: Sequence[App]) -> dict[str, str]:
    return {app.package_dir: app.label for app in apps if app.package_dir is not None}


def owning_label(by_dir: dict[str, str], path: str) -> str | None:
    """The label of the installed app whose package holds the file `path` (the longest match);
    `by_dir`: labels_by_dir(apps)."""
    directory = posixpath.dirname(path)
    while True:  # from the file's directory up: the first match is the longest
        if directory in by_dir:
            return by_dir[directory]
        if not directory:
            return None
        directory = posixpath.dirname(directory)


def label_of_name(apps: Sequence[App], dotted_app: str) -> str:
    """The label of the app an "app_label.Model" string or an app name refers to."""
    for app in apps:
        if app.label == dotted_app or app.name == dotted_app:
            return app.label
    return dotted_app.rsplit(".", 1)[-1]


def _is_true(value: object) -> bool:
    return isinstance(value, Const) and value.value is True

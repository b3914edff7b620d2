"""One revision's endpoints: choose the files, run the interpreter, let each framework collect its routes."""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mosaic_hooks.detect.changeset import Endpoint
from mosaic_hooks.detect.endpoint_reuse import routeish
from mosaic_hooks.detect.endpoints import openapi
from mosaic_hooks.detect.project_env import is_pin_file

if TYPE_CHECKING:  # the interpreter is imported when a revision is analysed: the predicates stay cheap
    from pathlib import Path

    from mosaic_hooks.detect.endpoints import django
    from mosaic_hooks.detect.endpoints.hooks import Hooks
    from mosaic_hooks.detect.endpoints.parsing import ParseCache, ParsedFile
    from mosaic_hooks.detect.endpoints.values import External

# Directories whose code is not the served application (tests build throwaway apps, docs carry samples).
EXCLUDED_DIRS = frozenset({
    "tests", "test", "testing", "docs", "docs_src", "doc", "node_modules", ".venv", "venv", "env",
    "site-packages", "__pycache__", ".git", ".tox", ".nox", "migrations", "alembic", "build", "dist",
    ".mypy_cache", ".pytest_cache",
})


# Directories that often hold side apps (examples, scripts, benchmarks): analysed only when the rest of
# the tree defines no route at all (then they are the project).
SECONDARY_DIRS = frozenset({"examples", "example", "scripts", "benchmarks", "bench", "samples", "sample"})


def is_secondary(path: str) -> bool:
    return any(part in SECONDARY_DIRS for part in path.split("/")[:-1])


def is_excluded(path: str) -> bool:
    parts = path.split("/")
    if any(part in EXCLUDED_DIRS for part in parts[:-1]):
        return True
    name = parts[-1]
    return name == "conftest.py" or name.startswith("test_") or name.endswith("_test.py") or name == "setup.py"


def is_python(path: str) -> bool:
    return path.endswith(".py") and not is_excluded(path)


# A spec under docs/ is the API's own contract (a common home for it); under tests/ it is a fixture.
_SPEC_EXCLUDED_DIRS = EXCLUDED_DIRS - {"docs", "doc"}


def is_spec(path: str) -> bool:
    return openapi.is_openapi_path(path) and not any(p in _SPEC_EXCLUDED_DIRS for p in path.split("/")[:-1])


def is_relevant(path: str) -> bool:
    return is_python(path) or is_spec(path)


def is_input(path: str) -> bool:
    """A file the analysis reads: a relevant one, or a dependency file pinning Django's version."""
    return is_relevant(path) or is_pin_file(path)


def _class_kind(base: External) -> str | None:
    from mosaic_hooks.detect.endpoints import django, fastapi, flask

    return fastapi.class_kind(base) or flask.class_kind(base) or django.class_kind(base)


def make_hooks(django_project: django.DjangoProject) -> Hooks:
    from mosaic_hooks.detect.endpoints import django, fastapi, flask, libraries
    from mosaic_hooks.detect.endpoints.hooks import Hooks

    return Hooks(
        external=[libraries.on_external, fastapi.on_external, flask.on_external, django_project.on_external],
        method=[fastapi.on_method, flask.on_method, django.on_method, django_project.on_site_method],
        attribute=[fastapi.on_attribute, flask.on_attribute, django.on_attribute],
        external_attribute=[django_project.on_settings_attribute],
        value_attribute=[django.on_value_attribute],
        call=[django.on_call],
        decorator=[django.on_decorator],
        setattr=[fastapi.on_setattr, flask.on_setattr],
        class_kind=_class_kind,
        unknown_method=[libraries.on_unknown_method],
    )


@dataclass
class RevisionEndpoints:
    endpoints: list[Endpoint] = field(default_factory=list)  # code endpoints, one per (method, path)
    specs: dict[tuple[str, str], tuple[Endpoint, str]] = field(default_factory=dict)  # key -> (endpoint, print)
    warnings: list[str] = field(default_factory=list)
    unparsable: set[str] = field(default_factory=set)
    probed: set[str] = field(default_factory=set)  # files whose content the result depends on
    ran_bodies: set[tuple[str, int, int]] = field(default_factory=set)  # functions run: (file, line, column)
    unknown_prefixes: set[str] = field(default_factory=set)  # where a route table could not be followed
    # Django: the sources (URLconf modules, include() calls) each endpoint came through, and those whose
    # routes could not be followed; an endpoint through a source unknown on the other side is not news.
    origins: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    unknown_sources: set[str] = field(default_factory=set)

    def all_endpoints(self, with_specs: bool | None = None) -> list[Endpoint]:
        """Code endpoints; a committed OpenAPI document's only when the code defines none (a document
        beside code is often a stale generated artifact, not a second source). `with_specs` overrides."""
        if with_specs is None:
            with_specs = not self.endpoints
        if not with_specs:
            return list(self.endpoints)
        seen = {e.key for e in self.endpoints}
        merged = list(self.endpoints) + [e for key, (e, _) in self.specs.items() if key not in seen]
        return sorted(merged, key=lambda e: (e.path, e.method))


def news_warnings(result: RevisionEndpoints, changed: set[str], head_paths: Container[str],
                  changed_contents: Mapping[str, bytes], parse: Callable[[bytes], ParsedFile]) -> list[str]:
    """The head's warnings worth telling about a change: those about changed files and about the analysis
    as a whole (an old problem is not news), and a changed Python file that no longer parses, even if it
    holds no route."""
    warnings = [w for w in result.warnings
                if w.split(":", 1)[0] in changed or w.split(":", 1)[0] not in head_paths]
    for path in sorted(changed):
        if is_python(path) and path in changed_contents and path not in result.unparsable:
            error = parse(changed_contents[path]).error
            if error:
                warnings.append(f"{path}: {error}")
    return warnings


def endpoints_of_revision(files: Mapping[str, bytes], cache: ParseCache,
                          site_packages: Sequence[Path] = ()) -> RevisionEndpoints:
    """Endpoints of one revision. `files`: contents of its Python and OpenAPI files and of the dependency
    files pinning Django (others are ignored); `site_packages`: the project environment's, where installed
    Django apps' sources are read."""
    from mosaic_hooks.detect.endpoints import django, django_urls, fastapi, flask
    from mosaic_hooks.detect.endpoints.django_apps import django_version
    from mosaic_hooks.detect.endpoints.executor import Interpreter
    from mosaic_hooks.detect.endpoints.loader import BudgetExceeded

    result = RevisionEndpoints()
    py_files = {p: d for p, d in files.items() if is_python(p) and not is_secondary(p)}
    if not any(routeish(d) for d in py_files.values()):
        py_files = {p: d for p, d in files.items() if is_python(p)}
    django_project = django.DjangoProject()
    interp = Interpreter(py_files, cache, make_hooks(django_project))
    eager = sorted(p for p, d in py_files.items() if routeish(d))
    code: list[Endpoint] = []
    try:
        if any(b"urlpatterns" in py_files[p] for p in eager):
            settings = django_urls.find_settings(interp, sorted(py_files))
            django_project.settings = settings[0][0] if settings else None
        for path in eager:
            module = interp.module_for_path(path)
            if module is not None:
                interp.load(module)
        interp.run_uncalled_factories(interp.modules[p] for p in eager if p in interp.modules)
        if any(b"urlpatterns" in py_files[p] for p in eager):
            version = django_version({p: d for p, d in files.items() if is_pin_file(p)}, site_packages)
            django_found, warnings = django_urls.collect(interp, django_project, sorted(py_files), site_packages,
                                                         version)
            code += django_found.endpoints
            result.origins, result.unknown_sources = django_found.origins, django_found.unknown_sources
            result.warnings += warnings
    except BudgetExceeded:
        interp.warnings.append("endpoint analysis stopped: the project's module code is too large to evaluate")
    except (Exception, RecursionError) as exc:
        interp.warnings.append(f"endpoint analysis incomplete: {type(exc).__name__}: {exc}")
    for collector in (fastapi.collect, flask.collect):
        try:
            found, warnings = collector(interp)
        except (Exception, RecursionError) as exc:  # a bug or an odd graph must not cost the other frameworks
            found, warnings = [], [f"endpoint analysis incomplete: {type(exc).__name__}: {exc}"]
        code += found
        result.warnings += warnings
    result.warnings = list(dict.fromkeys(interp.warnings + result.warnings))
    result.unparsable = set(interp.unparsable)
    result.probed = set(interp.probed) | set(eager)
    result.ran_bodies = set(interp.ran_bodies)
    result.unknown_prefixes = set(interp.unknown_prefixes)
    interp.dispose()
    by_key: dict[tuple[str, str], Endpoint] = {}
    for endpoint in sorted(code, key=lambda e: (e.path, e.method, e.file, e.line)):
        by_key.setdefault(endpoint.key, endpoint)
    result.endpoints = sorted(by_key.values(), key=lambda e: (e.path, e.method))
    documents = documents_of_revision(files)
    result.specs = documents.specs
    result.warnings += documents.warnings
    result.unparsable |= documents.unparsable
    return result


def documents_of_revision(files: Mapping[str, bytes]) -> RevisionEndpoints:
    """The endpoints of a revision's OpenAPI documents alone (the first document declaring one wins)."""
    result = RevisionEndpoints()
    for path in sorted(p for p in files if is_spec(p)):
        found_specs, warning = openapi.parse_document(path, files[path])
        if warning:
            result.warnings.append(warning)
            result.unparsable.add(path)
        for endpoint, fingerprint in found_specs:
            result.specs.setdefault(endpoint.key, (endpoint, fingerprint))
    return result

"""The local checks of one change (pre-commit on the staged diff, pre-push on the pushed range).

Checks, by the names MOSAIC_SKIP accepts:
- `requirements-parse`: a changed requirements file or pyproject.toml that does not parse fails (file:line).
- `requirements-installed`: a requirement added or changed that the current Python environment does
  not satisfy fails, with the `pip install` to run (skipped server side: not the project's environment).
- `imports`: a module newly imported by changed code that no requirement declares fails (file:line);
  only in a project that declares requirements at all (no requirements file, no dependency table:
  nothing to compare with, so nothing is claimed).
Added/removed endpoints, requirement changes and new migrations are listed as information.
`MOSAIC_SKIP=requirements` skips both requirement checks; `MOSAIC_SKIP=local` skips them all.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from mosaic_hooks.cli.output import error_line, printable, write_line
from mosaic_hooks.core import exit_codes, git
from mosaic_hooks.core.config import Config
from mosaic_hooks.core.errors import MosaicError
from mosaic_hooks.detect import relevance

if TYPE_CHECKING:  # imported lazily at run time: a commit with nothing relevant must stay cheap
    from mosaic_hooks.detect.analyze import CachingSnapshot, ChangeAnalysis
    from mosaic_hooks.detect.requirements import Declared

CHECKS = ("imports", "requirements-installed", "requirements-parse")
PREFIX = "mosaic-hooks:"

VersionLookup = Callable[[str], "str | None"]


def skipped_checks(env: Mapping[str, str] | None = None) -> set[str]:
    """The local checks MOSAIC_SKIP names (group names such as `requirements` and `local` expanded)."""
    from mosaic_hooks.hooks import bypass
    return set(bypass.skipped_checks(env)) & set(CHECKS)


def installed_version(name: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


def requirement_findings(touched: Sequence[Declared], lookup: VersionLookup = installed_version,
                         ) -> tuple[list[str], list[str]]:
    """(failures, notes) for requirements added or changed: each must be installed and satisfied here.

    Requirements whose marker excludes this environment are skipped; optional ones (extras, dev
    groups, dev requirement files) may be absent, but an installed one must satisfy the specifier.
    """
    failures: list[str] = []
    notes: list[str] = []
    if not touched:
        return failures, notes
    from packaging.markers import InvalidMarker, Marker
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    where = sys.executable
    for entry in touched:
        if entry.marker:
            try:
                if not Marker(entry.marker).evaluate({"extra": ""}):
                    continue
            except InvalidMarker:
                pass  # a marker we cannot evaluate: check as if it applied
        found = lookup(entry.name)
        command = f"pip install '{entry.install_argument()}'"
        label = f"{entry.file}:{entry.line}: {entry.install_argument()}"
        if found is None:
            if entry.optional:
                notes.append(f"{label} ({entry.group or 'development'} requirement) is not installed here")
            else:
                failures.append(f"{label} is not installed in this environment ({where}); run: {command}")
            continue
        if entry.url or not entry.specifier:
            continue
        try:
            spec = SpecifierSet(entry.specifier)
        except InvalidSpecifier:
            notes.append(f"{label}: cannot compare '{entry.specifier}' with the installed {found}")
            continue
        if not spec.contains(found, prereleases=True):
            failures.append(f"{label} is required but {entry.name} {found} is installed ({where}); run: {command}")
    return failures, notes


def _project_names(snapshot: CachingSnapshot, roots: Sequence[str]) -> set[str]:
    from mosaic_hooks.detect.requirements import project_name

    names = set()
    for data in snapshot.read([r for r in roots if relevance.is_pyproject(r)]).values():
        if (name := project_name(data)) is not None:
            names.add(name)
    return names


def _main_source(sources: Sequence[str]) -> str:
    """Where a new runtime requirement belongs: requirements.txt, else pyproject.toml, else the first."""
    import posixpath

    for wanted in ("requirements.txt", "pyproject.toml"):
        for source in sorted(sources, key=lambda s: s.count("/")):
            if posixpath.basename(source) == wanted:
                return source
    return sorted(sources, key=lambda s: (s.count("/"), s))[0]


def import_findings(analysis: ChangeAnalysis, *, server_side: bool) -> tuple[list[str], list[str]]:
    """(failures, notes) for modules newly imported by the changed Python files."""
    from mosaic_hooks.detect import imports
    from mosaic_hooks.detect.analyze import declared_requirements

    python = analysis.relevant.python
    if not python:
        return [], []
    head_files = analysis.head.read(python)
    base_files = analysis.base.read(python)
    new, warnings = imports.new_imports(base_files, head_files)
    notes = [f"warning: {w}" for w in warnings]
    candidates = imports.third_party_candidates(new)
    if not candidates:
        return [], notes
    head_paths = analysis.head.paths()
    first_party = imports.first_party_names(head_paths)
    candidates = imports.third_party_candidates(candidates, first_party)
    if not candidates:
        return [], notes
    roots = [path for path in head_paths if relevance.is_dependency_file(path)]
    declared = declared_requirements(analysis.head, roots)
    modules = ", ".join(sorted({c.module for c in candidates}))
    if not declared.declares_any:
        return [], [*notes, f"new imports ({modules}) not checked: the project declares no requirements "
                            "(no requirements*.txt, no dependencies in pyproject.toml, setup.cfg or setup.py)"]
    if declared.problems:  # what is declared is not fully known: claiming "undeclared" could be false
        return [], [*notes, f"new imports ({modules}) not checked: {declared.problems[0]}"]
    names = declared.names() | _project_names(analysis.head, roots)
    # First by the import name and the table of well-known names (cheap); the installed metadata is read
    # only for what is left. Server side it is not read at all: the server's Python is not the project's.
    missing = imports.undeclared_imports(candidates, declared=names, first_party=first_party,
                                         installed=None if server_side else {})
    if missing and not server_side:
        from importlib.metadata import packages_distributions

        installed: Mapping[str, Sequence[str]] = packages_distributions()
        missing = imports.undeclared_imports([item.imported for item in missing], declared=names,
                                             first_party=first_party, installed=installed)
    where = _main_source(declared.sources)
    return [item.message(where) for item in missing], notes


def _list_changes(analysis: ChangeAnalysis) -> None:
    changes = analysis.changeset
    for kind, endpoints in (("added", changes.endpoints.added), ("removed", changes.endpoints.removed),
                            ("changed", changes.endpoints.changed)):
        for endpoint in endpoints:
            write_line(f"{PREFIX} endpoint {kind}: {endpoint.method} {endpoint.path} ({endpoint.file}:{endpoint.line})")
    for req in changes.requirements.added:
        write_line(f"{PREFIX} requirement added: {req.name}{req.specifier} ({req.file})")
    for req in changes.requirements.removed:
        write_line(f"{PREFIX} requirement removed: {req.name} ({req.file})")
    for update in changes.requirements.changed:
        write_line(f"{PREFIX} requirement changed: {update.name} {update.old or '(any)'} -> "
                   f"{update.new or '(any)'} ({update.file})")
    migrations = changes.migrations
    for migration in migrations.added:
        write_line(f"{PREFIX} migration added ({migrations.tool}): {migration.id} ({migration.file})")
    if migrations.added:
        write_line(f"{PREFIX} migration heads: {', '.join(migrations.heads) or '(none)'}")


def check_change(repo: git.Repo, cfg: Config, *, base: str | None, head: str | None,
                 paths: list[str], server_side: bool = False) -> int:
    """Run the local checks on one change (head=None: the staged index; base=None: head is a root commit),
    print findings via output.write_line, return an exit code (0 / 1 / 2). `paths` = changed paths, computed
    by the caller with one git call. If no path is relevant (Python source, requirements*.txt, pyproject.toml,
    openapi.json/yaml, migrations), return 0 without reading or parsing anything.
    server_side=True (pre-receive in a bare repository) skips checks of the local Python environment."""
    if not relevance.any_relevant(paths):
        return exit_codes.PASSED
    shown = [printable(path) for path in paths if relevance.is_relevant(path)]
    write_line(f"mosaic[check] {len(shown)} relevant file(s): {', '.join(shown[:5])}"
               + (" ..." if len(shown) > 5 else ""))
    from mosaic_hooks.detect.analyze import analyze_full

    failures: list[tuple[str, str]] = []
    notes: list[str] = []
    try:
        skipped = skipped_checks()
        analysis = analyze_full(repo, base, head, paths=paths)
        if "requirements-parse" not in skipped:
            failures += [("requirements-parse", str(p)) for p in analysis.requirement_problems]
        if server_side:
            notes.append("requirements-installed: not checked server side (not the project's Python environment)")
        elif "requirements-installed" not in skipped:
            found, more = requirement_findings(analysis.touched_requirements)
            failures += [("requirements-installed", line) for line in found]
            notes += more
        if "imports" not in skipped:
            found, more = import_findings(analysis, server_side=server_side)
            failures += [("imports", line) for line in found]
            notes += more
    except MosaicError as exc:
        error_line(exc.line())
        return exc.exit_code
    for name in CHECKS:
        if name in skipped:
            write_line(f"{PREFIX} {name}: skipped (MOSAIC_SKIP)")
    _list_changes(analysis)
    problem_lines = {str(p) for p in analysis.requirement_problems}
    for warning in analysis.changeset.warnings:
        if warning not in problem_lines:
            write_line(f"{PREFIX} warning: {warning}")
    for note in notes:
        write_line(f"{PREFIX} {note}")
    for name, line in failures:
        write_line(f"{PREFIX} FAILED {name}: {line}")
    if failures:
        names = ",".join(sorted({name for name, _ in failures}))
        write_line(f"{PREFIX} {len(failures)} local check failure(s); fix them, or skip with MOSAIC_SKIP={names}")
        return exit_codes.FAILED
    return exit_codes.PASSED

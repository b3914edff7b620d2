"""The local checks of one change (pre-commit on the staged diff, pre-push on the pushed range).

Checks, by the names MOSAIC_SKIP accepts:
- `requirements-parse`: a changed requirements file or pyproject.toml that does not parse fails (file:line).
- `requirements-installed`: a requirement added or changed that the PROJECT's environment does not satisfy
  fails, with the `pip install` to run. The project's environment is found by `hooks.project_env` (the
  `python` key, VIRTUAL_ENV, .venv/venv, uv, Poetry), never the one mosaic-hooks runs in (pre-commit's
  own virtualenv); without one the check says "not judged" (skipped server side for the same reason).
- `imports`: a module newly imported by changed code that no requirement declares fails (file:line);
  only in a project that declares requirements at all (no requirements file, no dependency table:
  nothing to compare with, so nothing is claimed). Production code is judged against the production
  requirements (a package only in requirements-dev.txt is an ImportError in production); development
  code (tests/, test_*.py, conftest.py, `dev_paths`) against all of them.
Added/removed endpoints, requirement changes and new migrations are listed as information.
`MOSAIC_SKIP=requirements` skips both requirement checks; `MOSAIC_SKIP=local` skips them all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from mosaic_hooks.cli.output import error_line, printable, write_line
from mosaic_hooks.core import exit_codes, git
from mosaic_hooks.core.config import Config
from mosaic_hooks.core.errors import MosaicError
from mosaic_hooks.core.words import plural
from mosaic_hooks.detect import relevance

if TYPE_CHECKING:  # imported lazily at run time: a commit with nothing relevant must stay cheap
    from mosaic_hooks.detect.analyze import CachingSnapshot, ChangeAnalysis
    from mosaic_hooks.detect.requirements import Declared
    from mosaic_hooks.hooks.project_env import EnvReport

CHECKS = ("imports", "requirements-installed", "requirements-parse")
PREFIX = "mosaic-hooks:"
# Code that production never runs: judged against the development requirements too.
DEV_CODE = ("tests/*", "*/tests/*", "test/*", "*/test/*", "test_*.py", "*/test_*.py", "*_test.py", "conftest.py",
            "*/conftest.py")


def skipped_checks(env: Mapping[str, str] | None = None) -> set[str]:
    """The local checks MOSAIC_SKIP names (group names such as `requirements` and `local` expanded)."""
    from mosaic_hooks.hooks import bypass
    return set(bypass.skipped_checks(env)) & set(CHECKS)


def is_dev_code(path: str, extra: Sequence[str] = ()) -> bool:
    from fnmatch import fnmatchcase

    return any(fnmatchcase(path, pattern) for pattern in (*DEV_CODE, *extra))


def requirement_findings(touched: Sequence[Declared], env: EnvReport) -> tuple[list[str], list[str]]:
    """(failures, notes) for requirements added or changed: each must be installed and satisfied in the
    project's environment `env` (markers evaluated there). Optional ones (extras, dev groups, dev
    requirement files) may be absent, but an installed one must satisfy the specifier."""
    from mosaic_hooks.detect.requirements.judge import FAIL, OK, UNDECIDED, Wanted, judge

    failures: list[str] = []
    notes: list[str] = []
    for entry in touched:
        wanted = Wanted(entry.name, f"@ {entry.url}" if entry.url else entry.specifier, entry.marker)
        found = env.distributions.get(entry.name)
        verdict = judge(wanted, found, env.environment)
        command = f"pip install '{entry.install_argument()}'"
        label = f"{entry.file}:{entry.line}: {entry.install_argument()}"
        if verdict.verdict in (OK, "n/a"):
            continue
        if verdict.verdict == UNDECIDED:
            notes.append(f"{entry.file}:{entry.line}: not judged: {verdict.reason}")
        elif found is None and entry.optional:
            notes.append(f"{label} ({entry.group or 'development'} requirement) is not installed in {env.where}")
        elif found is None:
            failures.append(f"{label} is not installed in the project's environment {env.where}; run: {command}")
        elif verdict.verdict == FAIL:
            failures.append(f"{label} is required but {entry.name} {found} is installed in {env.where}; "
                            f"run: {command}")
    return failures, notes


def project_environment(cfg: Config, *, modules: bool = False) -> tuple[EnvReport | None, str]:
    """The project's environment report, or None and why not."""
    from mosaic_hooks.hooks import project_env

    python = project_env.find(cfg.root, cfg.python)
    if python is None:
        return None, project_env.NOT_FOUND
    return project_env.report(python, modules=modules), ""


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


def import_findings(analysis: ChangeAnalysis, cfg: Config, *, server_side: bool) -> tuple[list[str], list[str]]:
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
    modules = ", ".join(sorted({c.key for c in candidates}))
    if not declared.declares_any:
        return [], [*notes, f"new imports ({modules}) not checked: the project declares no requirements "
                            "(no requirements*.txt, no dependencies in pyproject.toml, setup.cfg or setup.py)"]
    if declared.problems:  # what is declared is not fully known: claiming "undeclared" could be false
        return [], [*notes, f"new imports ({modules}) not checked: {declared.problems[0]}"]
    own = _project_names(analysis.head, roots)
    everything = declared.names() | own
    production = declared.production_names() | own
    dev_code = [c for c in candidates if is_dev_code(c.file, cfg.dev_paths)]
    prod_code = [c for c in candidates if not is_dev_code(c.file, cfg.dev_paths)]
    # First by the import name and the table of well-known names (cheap); the project environment's
    # metadata is read only for what is left. Server side there is none: the server's Python is not the project's.
    installed: Mapping[str, Sequence[str]] | None = None if server_side else {}

    def undeclared(items: Sequence[imports.ImportedName], names: set[str]) -> list[imports.Undeclared]:
        return imports.undeclared_imports(items, declared=names, first_party=first_party, installed=installed)

    missing_prod = undeclared(prod_code, production)
    missing_dev = undeclared(dev_code, everything)
    if (missing_prod or missing_dev) and not server_side:
        env, why = project_environment(cfg, modules=True)
        if env is not None:
            installed = env.modules
            missing_prod = undeclared([m.imported for m in missing_prod], production)
            missing_dev = undeclared([m.imported for m in missing_dev], everything)
        else:
            notes.append(f"imports: distributions named from the built-in table only: {why}")
    failures = []
    main = _main_source([s for s in declared.sources if s not in declared.dev_sources] or declared.sources)
    for item in missing_prod:
        dev_only = [name for name in item.distributions if imports.canonical(name) in everything]
        if dev_only:
            sources = sorted({e.file for e in declared.entries if e.name == imports.canonical(dev_only[0])})
            failures.append(f"{item.imported.file}:{item.imported.line}: production code imports "
                            f"'{item.imported.key}', but '{dev_only[0]}' is declared only as a development "
                            f"requirement ({', '.join(sources)}): production will not have it; "
                            f"add '{dev_only[0]}' to {main}")
        else:
            failures.append(item.message(main))
    if missing_dev:
        if declared.dev_sources:
            dev_main = _main_source(declared.dev_sources)
            failures += [item.message(dev_main) for item in missing_dev]
        else:
            notes += [f"{item.imported.file}:{item.imported.line}: development code imports "
                      f"'{item.imported.key}', which no requirement declares (the project declares no "
                      "development requirements: not a failure)" for item in missing_dev]
    return failures, notes


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
                 paths: list[str], server_side: bool = False, whole_tree: bool = False) -> int:
    """Run the local checks on one change (head=None: the staged index; base=None: head is a root commit),
    print findings via output.write_line, return an exit code (0 / 1 / 2). `paths` = changed paths, computed
    by the caller with one git call. If no path is relevant (Python source, requirements*.txt, pyproject.toml,
    openapi.json/yaml, migrations), return 0 without reading or parsing anything.
    server_side=True (pre-receive in a bare repository) skips checks of the local Python environment.
    whole_tree=True (base None, `paths` every file): every import against the requirements, every
    requirement against the project's environment; endpoints and migrations are not listed."""
    if not relevance.any_relevant(paths):
        return exit_codes.PASSED
    if whole_tree:
        kinds = relevance.classify(paths)
        paths = [*kinds.python, *kinds.dependencies]
        write_line(f"mosaic[check] whole tree: {plural(len(kinds.python), 'Python file')}, "
                   f"{plural(len(kinds.dependencies), 'requirement file')}")
    else:
        shown = [printable(path) for path in paths if relevance.is_relevant(path)]
        write_line(f"mosaic[check] {plural(len(shown), 'relevant file')}: {', '.join(shown[:5])}"
                   + (" ..." if len(shown) > 5 else ""))
    from mosaic_hooks.detect.analyze import analyze_full

    failures: list[tuple[str, str]] = []
    notes: list[str] = []
    try:
        skipped = skipped_checks()
        analysis = analyze_full(repo, base, head, paths=paths, endpoints=not whole_tree,
                                openapi_documents=cfg.openapi_documents)
        if "requirements-parse" not in skipped:
            failures += [("requirements-parse", str(p)) for p in analysis.requirement_problems]
        if server_side:
            notes.append("requirements-installed: not checked server side (not the project's Python environment)")
        elif "requirements-installed" not in skipped and analysis.touched_requirements:
            env, why = project_environment(cfg)
            if env is None:
                notes.append(f"requirements-installed: not judged: {why}")
            else:
                found, more = requirement_findings(analysis.touched_requirements, env)
                failures += [("requirements-installed", line) for line in found]
                notes += more
        if "imports" not in skipped:
            found, more = import_findings(analysis, cfg, server_side=server_side)
            failures += [("imports", line) for line in found]
            notes += more
    except MosaicError as exc:
        error_line(exc.line())
        return exc.exit_code
    for name in CHECKS:
        if name in skipped:
            write_line(f"{PREFIX} {name}: skipped (MOSAIC_SKIP)")
    if not whole_tree:
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
        write_line(f"{PREFIX} {plural(len(failures), 'local check failure')}; fix them, "
                   f"or skip with MOSAIC_SKIP={names}")
        return exit_codes.FAILED
    return exit_codes.PASSED

"""Database migrations added by a change: Alembic revisions and Django migrations, read statically.

Revision files are parsed with `ast` (module-level `revision = ...` / `down_revision = ...`), never
imported: importing them would run project code. Files arrive through a `Snapshot`.
"""

from __future__ import annotations

import ast
import configparser
import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mosaic_hooks.detect.changeset import Migration, MigrationChanges
from mosaic_hooks.detect.relevance import is_alembic_ini, is_migration
from mosaic_hooks.detect.snapshot import Snapshot

_DJANGO = re.compile(r"^(?:(?P<prefix>.*)/)?(?P<app>[^/]+)/migrations/(?P<name>\d+_\w+)\.py$")
_VERSIONS = re.compile(r"(^|/)versions/")
_REVISION_TEXT = re.compile(r"^revision\s*(?::[^=\n]+)?=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)


@dataclass(frozen=True)
class AlembicRevision:
    id: str
    down: tuple[str, ...]  # the parents; () for the first revision
    file: str


def read_alembic_revision(path: str, data: bytes) -> tuple[AlembicRevision | None, str | None]:
    """The revision a file defines (None if it defines none) and a warning if it could not be parsed."""
    text = data.decode("utf-8", errors="replace")
    try:
        tree = ast.parse(text, filename=path)
    except (SyntaxError, ValueError) as exc:  # Python 3.10 raises ValueError for a NUL byte, 3.11+ SyntaxError
        found = _REVISION_TEXT.search(text)
        line = getattr(exc, "lineno", None) or 1
        warning = f"{path}: could not parse (line {line}): {getattr(exc, 'msg', None) or exc}"
        return (AlembicRevision(found.group(1), (), path) if found else None), warning
    values: dict[str, object] = {}
    for node in tree.body:
        target: ast.expr | None = None
        value: ast.expr | None = None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign):
            target, value = node.target, node.value
        if isinstance(target, ast.Name) and target.id in ("revision", "down_revision") and value is not None:
            try:
                values[target.id] = ast.literal_eval(value)
            except ValueError:
                values[target.id] = None
    revision = values.get("revision")
    if not isinstance(revision, str) or "down_revision" not in values:
        return None, None
    down = values["down_revision"]
    if isinstance(down, str):
        parents: tuple[str, ...] = (down,)
    elif isinstance(down, (tuple, list)):
        parents = tuple(str(item) for item in down)
    else:
        parents = ()
    return AlembicRevision(revision, parents, path), None


def alembic_heads(revisions: Iterable[AlembicRevision]) -> list[str]:
    """Revisions no other revision builds on."""
    revisions = list(revisions)
    parents = {parent for revision in revisions for parent in revision.down}
    return sorted({revision.id for revision in revisions if revision.id not in parents})


def version_dirs_from_ini(path: str, data: bytes) -> list[str]:
    """The versions folders an alembic.ini points at (`script_location`/versions, `version_locations`)."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(data.decode("utf-8", errors="replace"), source=path)
    except configparser.Error:
        return []
    if not parser.has_section("alembic"):
        return []
    here = posixpath.dirname(path)
    dirs = []

    def resolve(location: str) -> str | None:
        location = location.strip().replace("%(here)s", ".")  # relative to the ini, joined below
        if ":" in location and not location.startswith("/"):  # "package:resource" form
            package, _, resource = location.partition(":")
            location = posixpath.join(package.replace(".", "/"), resource)
        joined = posixpath.normpath(posixpath.join(here, location))
        return None if joined.startswith("..") or posixpath.isabs(joined) else joined

    script = parser.get("alembic", "script_location", fallback=None)
    if script and (resolved := resolve(script)) is not None:
        dirs.append(posixpath.normpath(posixpath.join(resolved, "versions")))
    locations = parser.get("alembic", "version_locations", fallback=None)
    if locations:
        for item in re.split(r"[\s,;:]+" if "%(here)s" not in locations else r"[\s,;]+", locations):
            if item and (resolved := resolve(item)) is not None:
                dirs.append(resolved)
    return dirs


def _alembic_candidates(paths: Sequence[str], version_dirs: Sequence[str]) -> list[str]:
    dirs = tuple(f"{d}/" if d != "." else "" for d in version_dirs)
    return [path for path in paths
            if path.endswith(".py") and posixpath.basename(path) != "__init__.py"
            and (_VERSIONS.search(path) or (dirs and path.startswith(dirs)))]


def _version_dir(path: str) -> str:
    return posixpath.dirname(path)


@dataclass(frozen=True)
class _Django:
    app: str  # "<app>" label (the folder holding migrations/)
    folder: str  # the migrations folder
    name: str  # "0002_add_field"

    @property
    def id(self) -> str:
        return f"{self.app}.{self.name}"

    @property
    def number(self) -> int:
        return int(self.name.split("_", 1)[0])


def _django(path: str) -> _Django | None:
    match = _DJANGO.match(path)
    if not match:
        return None
    return _Django(app=match.group("app"), folder=posixpath.dirname(path), name=match.group("name"))


def django_heads(paths: Iterable[str]) -> tuple[list[str], list[str]]:
    """The latest migration of each app (`app.0003_name`), and warnings for apps with two latest ones."""
    latest: dict[str, list[_Django]] = {}
    for path in paths:
        migration = _django(path)
        if migration is None:
            continue
        current = latest.get(migration.folder)
        if current is None or migration.number > current[0].number:
            latest[migration.folder] = [migration]
        elif migration.number == current[0].number:
            current.append(migration)
    heads: list[str] = []
    warnings: list[str] = []
    for folder in sorted(latest):
        group = sorted(latest[folder], key=lambda m: m.name)
        heads += [m.id for m in group]
        if len(group) > 1:
            names = ", ".join(m.name for m in group)
            warnings.append(f"django: app '{group[0].app}' has conflicting migrations {names} "
                            f"(merge them with `manage.py makemigrations --merge`)")
    return heads, warnings


def _alembic_state(snapshot: Snapshot) -> tuple[list[AlembicRevision], list[str]]:
    paths = snapshot.paths()
    inis = [path for path in paths if is_alembic_ini(path)]
    version_dirs: list[str] = []
    for path, data in snapshot.read(inis).items():
        version_dirs += version_dirs_from_ini(path, data)
    revisions: list[AlembicRevision] = []
    warnings: list[str] = []
    for path, data in sorted(snapshot.read(_alembic_candidates(paths, version_dirs)).items()):
        revision, warning = read_alembic_revision(path, data)
        if revision:
            revisions.append(revision)
        if warning:
            warnings.append(warning)
    return revisions, warnings


def _heads_by_folder(revisions: Sequence[AlembicRevision]) -> tuple[list[str], list[str]]:
    folders: dict[str, list[AlembicRevision]] = {}
    for revision in revisions:
        folders.setdefault(_version_dir(revision.file), []).append(revision)
    heads: list[str] = []
    warnings: list[str] = []
    for folder in sorted(folders):
        found = alembic_heads(folders[folder])
        heads += found
        if len(found) > 1:
            warnings.append(f"alembic: multiple heads in {folder or '.'}: {', '.join(found)} "
                            "(merge them with `alembic merge heads`)")
    return heads, warnings


def migration_heads(snapshot: Snapshot) -> tuple[MigrationChanges, list[str]]:
    """The heads of a revision (Alembic revisions, else Django's latest per app), with warnings."""
    revisions, warnings = _alembic_state(snapshot)
    if revisions:
        heads, more = _heads_by_folder(revisions)
        return MigrationChanges(heads=heads, tool="alembic"), warnings + more
    heads, more = django_heads(snapshot.paths())
    return MigrationChanges(heads=heads, tool="django" if heads else None), more


def migration_changes(base: Snapshot, head: Snapshot,
                      changed: Sequence[str]) -> tuple[MigrationChanges, list[str]]:
    """Migrations added between `base` and `head`, and the heads at `head`.

    Costs nothing when no changed path is a migration file or an alembic.ini.
    """
    relevant = [path for path in changed if is_migration(path) or is_alembic_ini(path)]
    if not relevant:
        return MigrationChanges(), []
    revisions, warnings = _alembic_state(head)
    result = MigrationChanges()
    added_alembic: list[Migration] = []
    if revisions:
        in_changed = set(relevant)
        base_ids: set[str] = set()
        # An id that existed at base under another (changed) name is a rename, not an addition.
        for path, data in base.read([p for p in relevant if p.endswith(".py") and _django(p) is None]).items():
            old, _ = read_alembic_revision(path, data)
            if old:
                base_ids.add(old.id)
        added_alembic = [Migration(id=r.id, file=r.file) for r in revisions
                         if r.file in in_changed and r.id not in base_ids]
        heads, more = _heads_by_folder(revisions)
        result = MigrationChanges(added=added_alembic, heads=heads, tool="alembic")
        warnings += more
    django_changed = [path for path in relevant if _django(path) is not None]
    if django_changed:
        at_head = head.read(django_changed)
        at_base = base.read(django_changed)
        added_django = [Migration(id=m.id, file=path) for path in django_changed
                        if path in at_head and path not in at_base and b"class Migration" in at_head[path]
                        and (m := _django(path)) is not None]
        heads, more = django_heads(head.paths())
        warnings += more
        if added_django or not revisions:
            result = MigrationChanges(added=[*result.added, *added_django], heads=[*result.heads, *heads],
                                      tool=result.tool or "django")
    return result, warnings

"""Migrations: Alembic revision graphs and Django migration folders, read without importing anything."""

from __future__ import annotations

from mosaic_hooks.detect.migrations import (
    alembic_heads,
    migration_changes,
    migration_heads,
    read_alembic_revision,
    version_dirs_from_ini,
)
from mosaic_hooks.detect.snapshot import DictSnapshot, EmptySnapshot


def revision(rev: str, down: str | tuple[str, ...] | None, *, annotated: bool = False) -> str:
    if annotated:
        return (f'"""add things\n\nRevision ID: {rev}\n"""\nfrom typing import Union\n\n'
                f"revision: str = {rev!r}\ndown_revision: Union[str, None] = {down!r}\n"
                "branch_labels = None\n\ndef upgrade() -> None:\n    raise SystemExit('never run')\n")
    return f"revision = {rev!r}\ndown_revision = {down!r}\n\ndef upgrade():\n    import os; os._exit(3)\n"


BASE = {
    "alembic.ini": "[alembic]\nscript_location = %(here)s/db/migrations\n",
    "db/migrations/env.py": "raise SystemExit('env.py must never be imported')\n",
    "db/migrations/versions/001_init.py": revision("a001", None),
    "db/migrations/versions/002_users.py": revision("b002", "a001", annotated=True),
}


def test_a_revision_file_is_read_statically_with_plain_and_annotated_assignments() -> None:
    plain, _ = read_alembic_revision("v.py", revision("x1", None).encode())
    annotated, _ = read_alembic_revision("w.py", revision("x2", "x1", annotated=True).encode())
    merge, _ = read_alembic_revision("m.py", revision("x3", ("x1", "x2")).encode())
    assert plain is not None and plain.id == "x1" and plain.down == ()
    assert annotated is not None and annotated.down == ("x1",)
    assert merge is not None and merge.down == ("x1", "x2")
    assert read_alembic_revision("env.py", b"import os\n") == (None, None)


def test_a_broken_revision_file_is_a_warning_with_its_line_and_its_id_is_still_found() -> None:
    found, warning = read_alembic_revision("v/bad.py", b"revision = 'c3'\ndown_revision = 'b2'\ndef up(:\n")
    assert found is not None and found.id == "c3"
    assert warning is not None and warning.startswith("v/bad.py: could not parse (line 3)")


def test_heads_are_the_revisions_nothing_builds_on() -> None:
    _, _ = read_alembic_revision("x", b"")
    revs = [read_alembic_revision(f"{r}.py", revision(r, d).encode())[0]
            for r, d in (("a", None), ("b", "a"), ("c", "a"), ("d", ("b", "c")))]
    assert alembic_heads([r for r in revs[:3] if r]) == ["b", "c"]
    assert alembic_heads([r for r in revs if r]) == ["d"]


def test_alembic_ini_points_at_the_versions_folder() -> None:
    assert version_dirs_from_ini("alembic.ini", BASE["alembic.ini"].encode()) == ["db/migrations/versions"]
    assert version_dirs_from_ini("svc/alembic.ini", b"[alembic]\nscript_location = migrations\n"
                                 b"version_locations = %(here)s/extra/v1 %(here)s/extra/v2\n") == [
        "svc/migrations/versions", "svc/extra/v1", "svc/extra/v2"]
    assert version_dirs_from_ini("alembic.ini", b"[alembic]\nscript_location = myapp.db:migrations\n") == [
        "myapp/db/migrations/versions"]


def test_an_added_alembic_revision_and_the_new_head_are_reported() -> None:
    head = {**BASE, "db/migrations/versions/003_orders.py": revision("c003", "b002")}
    found, warnings = migration_changes(DictSnapshot(BASE), DictSnapshot(head),
                                        ["db/migrations/versions/003_orders.py"])
    assert [(m.id, m.file) for m in found.added] == [("c003", "db/migrations/versions/003_orders.py")]
    assert found.heads == ["c003"] and found.tool == "alembic" and warnings == []


def test_two_branches_from_one_parent_are_reported_as_multiple_heads() -> None:
    head = {**BASE, "db/migrations/versions/003_a.py": revision("c003", "b002"),
            "db/migrations/versions/003_b.py": revision("d003", "b002")}
    found, warnings = migration_changes(DictSnapshot(BASE), DictSnapshot(head),
                                        ["db/migrations/versions/003_a.py", "db/migrations/versions/003_b.py"])
    assert sorted(m.id for m in found.added) == ["c003", "d003"]
    assert found.heads == ["c003", "d003"]
    assert warnings == ["alembic: multiple heads in db/migrations/versions: c003, d003 "
                        "(merge them with `alembic merge heads`)"]


def test_renaming_a_revision_file_adds_no_migration() -> None:
    head = dict(BASE)
    head["db/migrations/versions/002_users_renamed.py"] = head.pop("db/migrations/versions/002_users.py")
    found, _ = migration_changes(DictSnapshot(BASE), DictSnapshot(head), [
        "db/migrations/versions/002_users.py", "db/migrations/versions/002_users_renamed.py"])
    assert found.added == [] and found.heads == ["b002"]


def test_editing_a_revision_body_adds_nothing() -> None:
    head = {**BASE, "db/migrations/versions/002_users.py": BASE["db/migrations/versions/002_users.py"] + "# x\n"}
    found, _ = migration_changes(DictSnapshot(BASE), DictSnapshot(head), ["db/migrations/versions/002_users.py"])
    assert found.added == [] and found.heads == ["b002"]


def test_versions_folders_without_alembic_ini_are_found_by_their_content() -> None:
    files = {"migrations/versions/1_x.py": revision("r1", None), "migrations/env.py": "",
             "migrations/alembic.ini.template": ""}
    found, _ = migration_changes(EmptySnapshot(), DictSnapshot(files), list(files))
    assert [m.id for m in found.added] == ["r1"] and found.tool == "alembic"


def test_no_migration_path_changed_costs_nothing() -> None:
    class Exploding(DictSnapshot):
        def paths(self) -> list[str]:
            raise AssertionError("read")

    found, warnings = migration_changes(Exploding({}), Exploding({}), ["app/main.py", "README.md"])
    assert found.added == [] and found.tool is None and warnings == []


MIGRATION = "from django.db import migrations\n\nclass Migration(migrations.Migration):\n    dependencies = []\n"


def test_django_migrations_added_per_app_with_the_latest_per_app_as_heads() -> None:
    base = {"blog/migrations/__init__.py": "", "blog/migrations/0001_initial.py": MIGRATION,
            "shop/migrations/0001_initial.py": MIGRATION, "shop/migrations/0002_price.py": MIGRATION}
    head = {**base, "blog/migrations/0002_post_slug.py": MIGRATION}
    found, warnings = migration_changes(DictSnapshot(base), DictSnapshot(head), ["blog/migrations/0002_post_slug.py"])
    assert [(m.id, m.file) for m in found.added] == [("blog.0002_post_slug", "blog/migrations/0002_post_slug.py")]
    assert found.heads == ["blog.0002_post_slug", "shop.0002_price"]
    assert found.tool == "django" and warnings == []


def test_two_django_migrations_with_the_same_number_are_a_conflict() -> None:
    base = {"blog/migrations/0001_initial.py": MIGRATION}
    head = {**base, "blog/migrations/0002_a.py": MIGRATION, "blog/migrations/0002_b.py": MIGRATION}
    found, warnings = migration_changes(DictSnapshot(base), DictSnapshot(head),
                                        ["blog/migrations/0002_a.py", "blog/migrations/0002_b.py"])
    assert found.heads == ["blog.0002_a", "blog.0002_b"]
    assert warnings and "conflicting migrations 0002_a, 0002_b" in warnings[0]


def test_migration_heads_of_a_revision_without_a_change() -> None:
    heads, warnings = migration_heads(DictSnapshot(BASE))
    assert heads.heads == ["b002"] and heads.tool == "alembic" and warnings == []
    nothing, _ = migration_heads(DictSnapshot({"app/main.py": ""}))
    assert nothing.tool is None and nothing.heads == []

"""The migrations gate against real databases: SQLite files and a real PostgreSQL server, migrated by real
Alembic; Django's django_migrations table; and the probe as the source when there is no DATABASE_URL."""

from __future__ import annotations

import asyncio
import json
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mosaic_hooks.core import config
from mosaic_hooks.detect.changeset import ChangeSet, Migration, MigrationChanges
from mosaic_hooks.gates import migrations
from mosaic_hooks.gates.base import GateContext
from mosaic_hooks.gates.result import GateResult
from tests.support.postgres import PASSWORD, PostgresServer

HEAD_1 = "1a2b3c4d5e6f"
HEAD_2 = "9f8e7d6c5b4a"
PROBE_TOKEN = "probe-token-for-migrations-31"


def run_gate(root: Path, changes: MigrationChanges, env: dict[str, str]) -> GateResult:
    cfg = config.load(root, env=env)

    async def go() -> GateResult:
        async with httpx.AsyncClient() as client:
            ctx = GateContext(cfg=cfg, changes=ChangeSet(base=None, head="h" * 40, migrations=changes),
                              commit="c" * 40, outcome=None, client=client,
                              base_url=cfg.backend_url or "http://127.0.0.1:9", deadline=time.monotonic() + 30)
            return await migrations.run(ctx)

    return asyncio.run(go())


def shown(result: GateResult) -> str:
    """Everything a report would show of the result."""
    return json.dumps(result.to_json()) + result.summary


# ----- a real Alembic project

class AlembicProject:
    def __init__(self, root: Path) -> None:
        from alembic import command
        from alembic.config import Config

        self.root = root
        self.versions = root / "migrations"
        command.init(Config(str(root / "alembic.ini")), str(self.versions))

    def config(self, url: str | None = None) -> Any:
        from alembic.config import Config

        # No ini file: the generated env.py would otherwise reconfigure the test process's logging.
        cfg = Config()
        cfg.set_main_option("script_location", str(self.versions))
        if url:
            cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
        return cfg

    def revision(self, rev_id: str, message: str) -> None:
        from alembic import command

        command.revision(self.config(), message=message, rev_id=rev_id)

    def heads(self) -> list[str]:
        from alembic.script import ScriptDirectory

        return list(ScriptDirectory.from_config(self.config()).get_heads())

    def upgrade(self, url: str, target: str) -> None:
        from alembic import command

        command.upgrade(self.config(url), target)


@pytest.fixture
def alembic_project(tmp_path: Path) -> AlembicProject:
    project = AlembicProject(tmp_path / "service")
    project.revision(HEAD_1, "create items")
    return project


def sqlalchemy_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """(DATABASE_URL as production gives it, the URL Alembic migrates through), empty database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'prod.db'}"
        sqlite3.connect(tmp_path / "prod.db").close()
        return url, url
    server: PostgresServer = request.getfixturevalue("postgres")
    url = server.create_database(f"prod_{request.node.name.split('[')[-1].strip(']').replace('-', '_')}"[:60])
    return url, sqlalchemy_url(url)


def alembic_changes(project: AlembicProject, added: list[str]) -> MigrationChanges:
    return MigrationChanges(added=[Migration(id=rev, file=f"migrations/versions/{rev}.py") for rev in added],
                            heads=project.heads(), tool="alembic")


def test_alembic_database_at_the_repository_head_passes(
        alembic_project: AlembicProject, database: tuple[str, str], tmp_path: Path) -> None:
    prod_url, migrate_url = database
    alembic_project.upgrade(migrate_url, "head")
    result = run_gate(tmp_path, alembic_changes(alembic_project, [HEAD_1]), {"DATABASE_URL": prod_url})
    assert result.status == "passed", result
    assert HEAD_1 in result.summary
    assert any(f"at {HEAD_1}" in line for line in result.evidence)


def test_an_unapplied_alembic_migration_fails_naming_the_head_and_the_database_version(
        alembic_project: AlembicProject, database: tuple[str, str], tmp_path: Path) -> None:
    prod_url, migrate_url = database
    alembic_project.upgrade(migrate_url, "head")  # production at HEAD_1
    alembic_project.revision(HEAD_2, "add price")  # the pushed commit adds HEAD_2
    result = run_gate(tmp_path, alembic_changes(alembic_project, [HEAD_2]), {"DATABASE_URL": prod_url})
    assert result.status == "failed"
    assert f"not applied: head {HEAD_2}" in result.summary
    assert f"database at {HEAD_1}" in result.summary


def test_postgres_scheme_is_accepted_as_well_as_postgresql(
        alembic_project: AlembicProject, postgres: PostgresServer, tmp_path: Path) -> None:
    url = postgres.create_database("prod_scheme")
    alembic_project.upgrade(sqlalchemy_url(url), "head")
    short = url.replace("postgresql://", "postgres://", 1)
    assert run_gate(tmp_path, alembic_changes(alembic_project, []), {"DATABASE_URL": short}).status == "passed"


def test_a_database_never_migrated_fails(alembic_project: AlembicProject, database: tuple[str, str],
                                         tmp_path: Path) -> None:
    result = run_gate(tmp_path, alembic_changes(alembic_project, [HEAD_1]), {"DATABASE_URL": database[0]})
    assert result.status == "failed"
    assert "no alembic_version table" in result.summary and HEAD_1 in result.summary


def test_a_database_at_a_revision_that_is_not_a_head_of_the_commit_fails(
        alembic_project: AlembicProject, database: tuple[str, str], tmp_path: Path) -> None:
    prod_url, migrate_url = database
    alembic_project.revision(HEAD_2, "add price")
    alembic_project.upgrade(migrate_url, "head")  # production went ahead, to HEAD_2
    older = MigrationChanges(heads=[HEAD_1], tool="alembic")  # an older commit, whose head is HEAD_1
    result = run_gate(tmp_path, older, {"DATABASE_URL": prod_url})
    assert result.status == "failed"
    assert result.summary.endswith(f"not applied: head {HEAD_1} (database at {HEAD_2}, of which {HEAD_2} is not a "
                                   "head of this commit)")


def test_read_only_access_to_the_version_table_is_enough(
        alembic_project: AlembicProject, postgres: PostgresServer, tmp_path: Path) -> None:
    url = postgres.create_database("prod_readonly")
    alembic_project.upgrade(sqlalchemy_url(url), "head")
    postgres.execute("prod_readonly",
                     "DROP ROLE IF EXISTS gate_reader",
                     "CREATE ROLE gate_reader LOGIN PASSWORD 'reader-pass-01'",
                     "GRANT SELECT ON alembic_version TO gate_reader")
    reader_url = url.replace(url.split("//", 1)[1].split("@", 1)[0], "gate_reader:reader-pass-01")
    result = run_gate(tmp_path, alembic_changes(alembic_project, []), {"DATABASE_URL": reader_url})
    assert result.status == "passed", result


# ----- Django

DJANGO_TABLE = ('CREATE TABLE django_migrations (id {pk}, app varchar(255) NOT NULL, name varchar(255) NOT NULL, '
                'applied {ts} NOT NULL)')


def django_database(database: tuple[str, str], rows: list[tuple[str, str]],
                    postgres_server: Callable[[], PostgresServer]) -> str:
    url = database[0]
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        conn.execute(DJANGO_TABLE.format(pk="integer NOT NULL PRIMARY KEY AUTOINCREMENT", ts="datetime"))
        conn.executemany("INSERT INTO django_migrations (app, name, applied) VALUES (?, ?, '2026-11-24 10:00')", rows)
        conn.commit()
        conn.close()
    else:
        dbname = url.rsplit("/", 1)[1]
        values = ", ".join(f"('{app}', '{name}', now())" for app, name in rows)
        postgres_server().execute(dbname, DJANGO_TABLE.format(pk="bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
                                                              ts="timestamp with time zone"),
                                  f"INSERT INTO django_migrations (app, name, applied) VALUES {values}")
    return url


APPLIED = [("contenttypes", "0001_initial"), ("auth", "0001_initial"), ("shop", "0001_initial"),
           ("shop", "0002_price"), ("billing", "0001_initial")]


def test_django_migrations_all_applied_passes(database: tuple[str, str], tmp_path: Path,
                                              request: pytest.FixtureRequest) -> None:
    url = django_database(database, APPLIED, lambda: request.getfixturevalue("postgres"))
    changes = MigrationChanges(added=[Migration("shop.0002_price", "shop/migrations/0002_price.py")],
                               heads=["billing.0001_initial", "shop.0002_price"], tool="django")
    result = run_gate(tmp_path, changes, {"DATABASE_URL": url})
    assert result.status == "passed", result
    assert "ok production database" in "\n".join(result.evidence)


def test_an_unapplied_django_migration_fails_naming_it_and_the_latest_applied(
        database: tuple[str, str], tmp_path: Path, request: pytest.FixtureRequest) -> None:
    url = django_database(database, APPLIED, lambda: request.getfixturevalue("postgres"))
    changes = MigrationChanges(added=[Migration("shop.0003_stock", "shop/migrations/0003_stock.py")],
                               heads=["billing.0001_initial", "shop.0003_stock", "reviews.0001_initial"],
                               tool="django")
    result = run_gate(tmp_path, changes, {"DATABASE_URL": url})
    assert result.status == "failed"
    text = "\n".join(result.evidence)
    assert "not applied: shop.0003_stock (latest applied for shop: shop.0002_price)" in text
    assert "not applied: reviews.0001_initial (nothing applied for reviews)" in text
    assert "billing.0001_initial applied" in text


# ----- the database cannot be asked: inconclusive, and the password never shows

def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_a_wrong_password_is_inconclusive_and_the_password_never_shows(
        alembic_project: AlembicProject, postgres: PostgresServer, tmp_path: Path) -> None:
    postgres.create_database("prod_auth")
    url = postgres.url("prod_auth", password="Wrong-Pass-marker/9%x")
    result = run_gate(tmp_path, alembic_changes(alembic_project, [HEAD_1]), {"DATABASE_URL": url})
    assert result.status == "inconclusive"
    assert "password authentication failed" in result.summary
    text = shown(result)
    for secret in ("Wrong-Pass-marker/9%x", "Wrong-Pass-marker%2F9%25x", PASSWORD):
        assert secret not in text


def test_a_database_nobody_listens_on_is_inconclusive_within_the_timeout(
        alembic_project: AlembicProject, tmp_path: Path) -> None:
    url = f"postgres://app:Secret-marker-77@127.0.0.1:{_closed_port()}/shop"
    started = time.monotonic()
    result = run_gate(tmp_path, alembic_changes(alembic_project, [HEAD_1]), {"DATABASE_URL": url})
    assert time.monotonic() - started < 15
    assert result.status == "inconclusive"
    assert "cannot connect" in result.summary and "Connection refused" in result.summary
    assert "Secret-marker-77" not in shown(result)


def test_a_database_that_accepts_and_never_answers_is_inconclusive_in_bounded_time(
        alembic_project: AlembicProject, tmp_path: Path) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"postgresql://app:pw-marker-55@127.0.0.1:{listener.getsockname()[1]}/shop"
        (tmp_path / ".mosaic").mkdir()
        (tmp_path / ".mosaic" / "config.toml").write_text("request_timeout = 2\n")
        started = time.monotonic()
        result = run_gate(tmp_path, alembic_changes(alembic_project, [HEAD_1]), {"DATABASE_URL": url})
        assert time.monotonic() - started < 10
    assert result.status == "inconclusive"
    assert "pw-marker-55" not in shown(result)


@pytest.mark.parametrize("url", [
    "postgres://app:Pw-marker-1x@[::1/shop",  # libpq quotes a URI it cannot parse
    "postgresql://app:Pw-marker-1x@127.0.0.1:notaport/shop",
    "postgresql://app:Pw-marker-1x@127.0.0.1:5/shop?sslmode=bogus",
    "postgresql://app@127.0.0.1:1/shop?password=Pw-marker-1x",
    "postgresql://app:Pw%2Dmarker%2D1x@127.0.0.1:1/shop",
])
def test_a_malformed_database_url_is_inconclusive_and_its_password_never_shows(
        alembic_project: AlembicProject, tmp_path: Path, url: str) -> None:
    result = run_gate(tmp_path, alembic_changes(alembic_project, [HEAD_1]), {"DATABASE_URL": url})
    assert result.status == "inconclusive"
    assert "cannot connect" in result.summary
    text = shown(result)
    assert "Pw-marker-1x" not in text and "Pw%2Dmarker%2D1x" not in text


def test_a_missing_sqlite_file_is_inconclusive(alembic_project: AlembicProject, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nowhere.db'}"
    result = run_gate(tmp_path, alembic_changes(alembic_project, [HEAD_1]), {"DATABASE_URL": url})
    assert result.status == "inconclusive"
    assert "no such database file" in result.summary
    assert not (tmp_path / "nowhere.db").exists()  # read-only: the check never creates it


def test_an_unsupported_database_url_is_inconclusive_saying_which_schemes_work(
        alembic_project: AlembicProject, tmp_path: Path) -> None:
    result = run_gate(tmp_path, alembic_changes(alembic_project, [HEAD_1]),
                      {"DATABASE_URL": "mysql://app:pw-marker-88@127.0.0.1/shop"})
    assert result.status == "inconclusive"
    assert "unsupported database scheme 'mysql'" in result.summary
    assert "pw-marker-88" not in shown(result)


# ----- nothing to check, or nothing to check with

def test_no_migrations_in_the_repository_is_skipped(tmp_path: Path) -> None:
    result = run_gate(tmp_path, MigrationChanges(), {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    assert result.status == "skipped"
    assert result.summary == "no migrations in the repository"


def test_without_database_or_probe_existing_migrations_are_skipped_saying_how_to_check(
        alembic_project: AlembicProject, tmp_path: Path) -> None:
    result = run_gate(tmp_path, alembic_changes(alembic_project, []), {})
    assert result.status == "skipped"
    assert "set DATABASE_URL" in result.summary


def test_without_database_or_probe_new_migrations_are_inconclusive(
        alembic_project: AlembicProject, tmp_path: Path) -> None:
    result = run_gate(tmp_path, alembic_changes(alembic_project, [HEAD_1]), {})
    assert result.status == "inconclusive"
    assert "nothing can tell whether production applied them" in result.summary


# ----- the probe as the source

@pytest.fixture(scope="module")
def probe_service() -> Iterator[str]:
    """A Starlette service with mosaic_hooks.probe under uvicorn; its DATABASE_URL is this process's."""
    import uvicorn
    from starlette.applications import Starlette

    from mosaic_hooks import probe
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(Starlette(routes=[probe.starlette_route()]), log_level="error",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


def _probe_root(tmp_path: Path) -> Path:
    (tmp_path / ".mosaic").mkdir(exist_ok=True)
    (tmp_path / ".mosaic" / "config.toml").write_text('probe_path = "/_mosaic/status"\n')
    return tmp_path


@pytest.mark.parametrize(("target", "expected"), [("head", "passed"), (HEAD_1, "failed")])
def test_the_probe_reports_the_services_migrations_when_there_is_no_database_url(
        alembic_project: AlembicProject, probe_service: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        target: str, expected: str) -> None:
    service_db = f"sqlite:///{tmp_path / 'service.db'}"
    alembic_project.revision(HEAD_2, "add price")
    alembic_project.upgrade(service_db, target)
    monkeypatch.setenv("DATABASE_URL", service_db)  # the service's environment (same process)
    monkeypatch.setenv("MOSAIC_PROBE_TOKEN", PROBE_TOKEN)
    result = run_gate(_probe_root(tmp_path), alembic_changes(alembic_project, [HEAD_2]),
                      {"BACKEND_URL": probe_service, "MOSAIC_PROBE_TOKEN": PROBE_TOKEN})
    assert result.status == expected, result
    assert "production (probe)" in "\n".join(result.evidence)
    if expected == "failed":
        assert f"not applied: head {HEAD_2}" in result.summary


def test_a_probe_that_refuses_the_token_is_inconclusive(
        alembic_project: AlembicProject, probe_service: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOSAIC_PROBE_TOKEN", "the-service-has-another-token")
    result = run_gate(_probe_root(tmp_path), alembic_changes(alembic_project, [HEAD_1]),
                      {"BACKEND_URL": probe_service, "MOSAIC_PROBE_TOKEN": PROBE_TOKEN})
    assert result.status == "inconclusive"
    assert "refused the token (401)" in result.summary


def test_a_probe_without_a_database_is_inconclusive(
        alembic_project: AlembicProject, probe_service: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOSAIC_PROBE_TOKEN", PROBE_TOKEN)
    result = run_gate(_probe_root(tmp_path), alembic_changes(alembic_project, [HEAD_1]),
                      {"BACKEND_URL": probe_service, "MOSAIC_PROBE_TOKEN": PROBE_TOKEN})
    assert result.status == "inconclusive"
    assert "the service has no DATABASE_URL" in result.summary


# ----- the comparison itself

def test_compare_names_a_revision_the_commit_does_not_have() -> None:
    oks, failures = migrations.compare("alembic", ["b1", "b2"], ["b1", "b2", "x9"], table_found=True, where="db")
    assert not oks
    assert failures == ["db: at revision x9, which is not a head of this commit (heads: b1, b2)"]


def test_compare_requires_every_alembic_head_of_a_branched_history() -> None:
    oks, failures = migrations.compare("alembic", ["b1", "b2"], ["b1"], table_found=True, where="db")
    assert not oks and failures == ["db: not applied: head b2 (database at b1)"]
    oks, failures = migrations.compare("alembic", ["b1", "b2"], ["b2", "b1"], table_found=True, where="db")
    assert oks == ["db: at b1, b2, the repository's heads"] and not failures


# ----- from the repository itself, through the change analysis

def test_the_heads_found_by_the_change_analysis_are_checked_against_the_database(
        repo: Path, tmp_path: Path) -> None:
    from mosaic_hooks.core import git as gitedge
    from mosaic_hooks.detect.analyze import analyze
    from tests.conftest import git as run_git

    project = AlembicProject(repo)
    project.revision(HEAD_1, "create items")
    run_git(repo, "add", "-A")
    run_git(repo, "commit", "-q", "--no-verify", "-m", "first migration")
    deployed = run_git(repo, "rev-parse", "HEAD")
    project.revision(HEAD_2, "add price")
    run_git(repo, "add", "-A")
    run_git(repo, "commit", "-q", "--no-verify", "-m", "second migration")
    pushed = run_git(repo, "rev-parse", "HEAD")
    url = f"sqlite:///{tmp_path / 'prod.db'}"
    project.upgrade(url, HEAD_1)  # production's database: the first migration only

    changes = analyze(gitedge.find_repo(repo), deployed, pushed).migrations
    assert (changes.tool, changes.heads, [m.id for m in changes.added]) == ("alembic", [HEAD_2], [HEAD_2])
    result = run_gate(tmp_path, changes, {"DATABASE_URL": url})
    assert result.status == "failed"
    assert f"not applied: head {HEAD_2} (database at {HEAD_1}" in result.summary
    assert f"added in this range: {HEAD_2}" in result.evidence

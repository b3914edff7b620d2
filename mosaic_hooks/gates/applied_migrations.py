"""Which migrations a database has applied: one read-only query, bounded in time, no password shown.

Used by the migrations gate (production's `DATABASE_URL`) and by `mosaic_hooks.probe` (the service's own
`DATABASE_URL`). PostgreSQL goes through psycopg 3 (imported only here, only when needed); SQLite through
the standard library, opened read-only.

Accepted URLs: `postgres://`, `postgresql://` (and SQLAlchemy's `postgresql+psycopg://` style), and
SQLAlchemy's `sqlite:///relative/path` / `sqlite:////absolute/path`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from mosaic_hooks.core.errors import Inconclusive
from mosaic_hooks.core.redact import MASK, url_password

ALEMBIC = "alembic"
DJANGO = "django"
TOOLS = (ALEMBIC, DJANGO)

# The one query per tool. Django rows become "app.name".
_QUERIES = {
    ALEMBIC: "SELECT version_num FROM alembic_version",
    DJANGO: "SELECT app, name FROM django_migrations",
}

# libpq waits at least 2 s for a connection whatever it is told (a value of 1 counts as 2).
_MIN_CONNECT_TIMEOUT = 2


@dataclass(frozen=True)
class Applied:
    """What the database says it has applied."""

    tool: str | None  # "alembic" or "django"; None when neither table exists and the tool was not given
    versions: tuple[str, ...]  # Alembic: version_num rows; Django: "app.name", every applied migration
    table_found: bool  # False: no alembic_version / django_migrations table, so nothing was ever applied
    where: str  # the database, without credentials: "postgresql 127.0.0.1:5432/shop", "sqlite shop.db"


class DatabaseUnavailable(Inconclusive):
    """The database could not be asked: unreachable, refused, timed out, not a supported URL."""


def where(url: str) -> str:
    """The database a URL names, for people: host, port and database name, never user or password."""
    kind = _kind(url)
    if kind == "sqlite":
        return f"sqlite {_sqlite_path(url) or '(no path)'}"
    try:
        parts = urlsplit(url)
        host = parts.hostname or "localhost"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return f"{kind} (unparsable URL)"
    return f"{kind} {host}{port}{parts.path or ''}"


def read_applied(url: str, tool: str | None, *, timeout: float) -> Applied:
    """Read the applied migrations with one read-only query (`tool=None`: Alembic, else Django).

    Raises `DatabaseUnavailable` (one line, credentials removed) when the database cannot be asked.
    A missing version table is an answer, not an error: `table_found=False`, nothing applied.
    """
    tools = (tool,) if tool else TOOLS
    for name in tools:
        if name not in _QUERIES:
            raise ValueError(f"unknown migration tool {name!r}")
    kind = _kind(url)
    if kind == "sqlite":
        return _read_sqlite(url, tools, timeout)
    if kind == "postgresql":
        return _read_postgres(url, tools, timeout)
    raise DatabaseUnavailable(f"DATABASE_URL: unsupported database scheme '{_scheme(url)}'",
                              hint="use a postgres://, postgresql:// or sqlite:/// URL")


def _scheme(url: str) -> str:
    return url.split(":", 1)[0].lower() if ":" in url else "(none)"


def _kind(url: str) -> str:
    scheme = _scheme(url).split("+", 1)[0]
    if scheme in ("postgres", "postgresql"):
        return "postgresql"
    if scheme == "sqlite":
        return "sqlite"
    return scheme


_USERINFO = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s\"']*:)[^@\s\"']*@", re.I)
_PASSWORD_PARAM = re.compile(r"(\bpassword\s*=\s*)[^&\s\"']*", re.I)


def _scrub(text: str, url: str) -> str:
    """An error message on one line, with the URL and any password in it masked.

    libpq quotes a URI it cannot parse, and then the password cannot be found by parsing it: so the URL
    itself, any `scheme://user:password@` and any `password=` are masked too.
    """
    text = " ".join(text.split())
    text = text.replace(url, "(DATABASE_URL)")
    text = _USERINFO.sub(lambda m: m.group(1) + MASK + "@", text)
    text = _PASSWORD_PARAM.sub(lambda m: m.group(1) + MASK, text)
    password = url_password(url)
    if password:
        from urllib.parse import quote

        for secret in (password, quote(password, safe="")):
            text = text.replace(secret, MASK)
    return text


def _rows_to_versions(tool: str, rows: list[tuple[object, ...]]) -> tuple[str, ...]:
    if tool == DJANGO:
        return tuple(sorted(f"{app}.{name}" for app, name, *_ in rows))
    return tuple(sorted(str(row[0]) for row in rows))


# ----- SQLite

def _sqlite_path(url: str) -> str:
    """`sqlite:///rel.db` -> `rel.db`, `sqlite:////abs.db` -> `/abs.db` (SQLAlchemy's convention)."""
    rest = url.split(":", 1)[1] if ":" in url else ""
    rest = rest.split("?", 1)[0]
    if rest.startswith("///"):
        return unquote(rest[3:])
    if rest.startswith("//"):  # sqlite://host/path is not meaningful; take the path
        rest = rest[2:]
        return unquote(rest.split("/", 1)[1]) if "/" in rest else ""
    return unquote(rest)


def _read_sqlite(url: str, tools: tuple[str, ...], timeout: float) -> Applied:
    import sqlite3
    from pathlib import Path
    from urllib.request import pathname2url

    path = _sqlite_path(url)
    label = f"sqlite {path}"
    if not path or path == ":memory:":
        raise DatabaseUnavailable(f"{label}: an in-memory database has no migrations to read",
                                  hint="point DATABASE_URL at the database file")
    if not Path(path).is_file():
        raise DatabaseUnavailable(f"{label}: no such database file")
    try:
        # mode=ro: the check can never write, even by mistake.
        conn = sqlite3.connect(f"file:{pathname2url(path)}?mode=ro", uri=True, timeout=timeout)
    except sqlite3.Error as exc:
        raise DatabaseUnavailable(f"{label}: cannot open: {exc}") from None
    try:
        for tool in tools:
            try:
                rows = conn.execute(_QUERIES[tool]).fetchall()
            except sqlite3.OperationalError as exc:
                if "no such table" in str(exc):
                    continue
                raise DatabaseUnavailable(f"{label}: {exc}") from None
            except sqlite3.DatabaseError as exc:
                raise DatabaseUnavailable(f"{label}: {exc}") from None
            return Applied(tool, _rows_to_versions(tool, rows), True, label)
    finally:
        conn.close()
    return Applied(tools[0] if len(tools) == 1 else None, (), False, label)


# ----- PostgreSQL

def _postgres_conninfo(url: str) -> str:
    """libpq reads postgres:// and postgresql:// itself; only a SQLAlchemy driver suffix must go."""
    scheme, rest = url.split(":", 1)
    return "postgresql:" + rest if "+" in scheme else url


def _read_postgres(url: str, tools: tuple[str, ...], timeout: float) -> Applied:
    label = where(url)
    try:
        import psycopg
    except ImportError:
        raise DatabaseUnavailable(f"{label}: psycopg is not installed",
                                  hint="pip install 'mosaic-hooks[postgres]'") from None
    connect_timeout = max(_MIN_CONNECT_TIMEOUT, math.ceil(timeout))
    statement_ms = max(1, int(timeout * 1000))
    # Bounded on the server too, and read-only for every transaction of the session.
    options = f"-c statement_timeout={statement_ms} -c default_transaction_read_only=on"
    try:
        try:
            conn = psycopg.connect(_postgres_conninfo(url), connect_timeout=connect_timeout, options=options,
                                   application_name="mosaic-hooks")
        except psycopg.OperationalError as exc:
            # Connection poolers (PgBouncer) refuse startup options; the transaction stays read-only below.
            if "unsupported startup parameter" not in str(exc):
                raise
            conn = psycopg.connect(_postgres_conninfo(url), connect_timeout=connect_timeout,
                                   application_name="mosaic-hooks")
    except psycopg.Error as exc:
        raise DatabaseUnavailable(f"{label}: cannot connect: {_scrub(_first_line(exc), url)}") from None
    except Exception as exc:  # e.g. a malformed URL: libpq's message, never the URL itself
        raise DatabaseUnavailable(f"{label}: cannot connect: {_scrub(str(exc), url)}") from None
    try:
        conn.read_only = True
        for tool in tools:
            try:
                with conn.cursor() as cur:
                    cur.execute(_QUERIES[tool])
                    rows = cur.fetchall()
            except psycopg.errors.UndefinedTable:
                conn.rollback()
                continue
            except psycopg.Error as exc:
                raise DatabaseUnavailable(f"{label}: query failed: {_scrub(_first_line(exc), url)}") from None
            return Applied(tool, _rows_to_versions(tool, rows), True, label)
        return Applied(tools[0] if len(tools) == 1 else None, (), False, label)
    finally:
        try:
            conn.rollback()
        finally:
            conn.close()


def _first_line(exc: Exception) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__

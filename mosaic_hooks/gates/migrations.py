"""The migrations gate: the repository's migration heads are what production's database has applied.

Where production's state comes from, in order: the database in `DATABASE_URL` (one read-only query,
`mosaic_hooks.gates.applied_migrations`), else the service's `mosaic_hooks.probe` report. Neither configured:
skipped when the range adds no migration, inconclusive when it does (new migrations nobody could check).

Alembic: the set of `alembic_version` rows must equal the heads. Django: every head (`app.0003_name`,
the latest migration of each app) must be among the applied rows of `django_migrations`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from typing import Any

from mosaic_hooks.gates.base import GateContext
from mosaic_hooks.gates.result import Findings, GateResult, skipped

NAME = "migrations"


def _django_key(head: str) -> tuple[str, str]:
    """`app.0002_x` -> ("app", "0002_x"); also accepts `app:name`, `app/name`, `app/migrations/name.py`."""
    text = head.removesuffix(".py")
    if "/migrations/" in text:
        folder, name = text.rsplit("/migrations/", 1)
        return folder.rsplit("/", 1)[-1], name
    for sep in (".", ":", "/"):
        if sep in text:
            app, name = text.split(sep, 1)
            return app, name
    return "", text


def compare(tool: str, heads: Sequence[str], applied: Iterable[str], *, table_found: bool,
            where: str) -> tuple[list[str], list[str]]:
    """(ok lines, failure lines) for the repository's `heads` against the `applied` versions. Pure."""
    heads = sorted(set(heads))
    applied_set = set(applied)
    if not table_found:
        table = "alembic_version" if tool == "alembic" else "django_migrations"
        return [], [f"{where}: no {table} table, so no migration is applied; the repository is at "
                    f"{', '.join(heads)}"]
    if tool == "alembic":
        missing = [head for head in heads if head not in applied_set]
        unknown = sorted(applied_set - set(heads))
        at = ", ".join(sorted(applied_set)) or "no revision"
        if not missing and not unknown:
            return [f"{where}: at {at}, the repository's head{'s' if len(heads) > 1 else ''}"], []
        # Without the revision graph, a database at a revision that is not a head may be behind or ahead.
        foreign = f", of which {', '.join(unknown)} is not a head of this commit" if unknown else ""
        if missing:
            return [], [f"{where}: not applied: head {', '.join(missing)} (database at {at}{foreign})"]
        return [], [f"{where}: at revision {', '.join(unknown)}, which is not a head of this commit "
                    f"(heads: {', '.join(heads)})"]
    applied_keys = {_django_key(version) for version in applied_set}
    latest: dict[str, str] = {}
    for app, name in sorted(applied_keys):
        latest[app] = name  # names sort by their number prefix
    oks, failures = [], []
    for head in heads:
        app, name = _django_key(head)
        if (app, name) in applied_keys:
            oks.append(f"{where}: {app}.{name} applied")
        else:
            have = f"latest applied for {app}: {app}.{latest[app]}" if app in latest else f"nothing applied for {app}"
            failures.append(f"{where}: not applied: {app}.{name} ({have})")
    return oks, failures


def _probe_state(report: dict[str, Any], tool: str) -> tuple[list[str], bool] | str:
    """(applied, table_found) from the probe's `migrations` field, or why it cannot be used."""
    state = report.get("migrations")
    if state is None:
        return "the probe reports no database (the service has no DATABASE_URL)"
    if not isinstance(state, dict):
        return "the probe's migrations field is not an object"
    if state.get("error"):
        return f"the probe could not read the service's database: {state['error']}"
    applied = state.get("applied")
    if not isinstance(applied, list):
        return "the probe's migrations field has no applied list"
    found = bool(state.get("table_found", True))
    reported_tool = state.get("tool")
    if found and reported_tool and reported_tool != tool:
        return f"the service's database has {reported_tool} migrations, the repository {tool} ones"
    return [str(version) for version in applied], found


async def run(ctx: GateContext) -> GateResult:
    changes = ctx.changes.migrations
    tool, heads = changes.tool, list(changes.heads)
    if not tool or not heads:
        return skipped(NAME, "no migrations in the repository")
    if tool not in ("alembic", "django"):
        return skipped(NAME, f"migrations of '{tool}' are not checked")
    findings = Findings(NAME)
    added = [migration.id for migration in changes.added]
    if added:
        findings.note(f"added in this range: {', '.join(added)}")
    summary_ok = f"production's database is at the repository's head{'s' if len(heads) > 1 else ''} " \
                 f"{', '.join(sorted(heads))}"

    if ctx.cfg.database_url:
        from mosaic_hooks.core.errors import MosaicError
        from mosaic_hooks.gates.applied_migrations import read_applied

        url = str(ctx.cfg.database_url)
        limit = ctx.request_timeout()
        try:
            applied = await asyncio.wait_for(asyncio.to_thread(read_applied, url, tool, timeout=limit),
                                             timeout=limit * 2 + 1)
        except MosaicError as exc:
            findings.undecide(f"production database (DATABASE_URL) could not be read: {exc.line()}")
            return findings.result(summary_ok=summary_ok)
        except asyncio.TimeoutError:
            findings.undecide(f"production database (DATABASE_URL) did not answer within {limit * 2 + 1:.0f} s")
            return findings.result(summary_ok=summary_ok)
        oks, failures = compare(tool, heads, applied.versions, table_found=applied.table_found,
                                where=f"production database ({applied.where})")
    elif ctx.cfg.probe_path and ctx.cfg.probe_token:
        info = await ctx.probe()
        if info.data is None:
            findings.undecide(f"the probe could not be read: {info.error}")
            return findings.result(summary_ok=summary_ok)
        state = _probe_state(info.data, tool)
        if isinstance(state, str):
            findings.undecide(state)
            return findings.result(summary_ok=summary_ok)
        oks, failures = compare(tool, heads, state[0], table_found=state[1], where="production (probe)")
    else:
        reason = ("not configured: set DATABASE_URL (read-only access is enough) or probe_path to compare "
                  f"production's migrations with {', '.join(sorted(heads))}")
        if not added:
            return skipped(NAME, reason)
        findings.undecide(f"this range adds migrations, but nothing can tell whether production applied them: {reason}")
        return findings.result(summary_ok=summary_ok)

    for line in oks:
        findings.ok(line)
    for line in failures:
        findings.fail(line)
    return findings.result(summary_ok=summary_ok)

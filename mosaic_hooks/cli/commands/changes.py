"""`mosaic-hooks changes`: what a range changes (endpoints, requirements, migrations).

Defaults: `--head HEAD`; `--base` the merge base with the current branch's upstream (so commits
others pushed upstream do not show as reverted), or with `--staged` the current HEAD. Without an
upstream it compares with the parent commit and says so.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from mosaic_hooks.cli.output import write_line
from mosaic_hooks.core import exit_codes, git
from mosaic_hooks.core.errors import MosaicError
from mosaic_hooks.detect.changeset import ChangeSet, Endpoint, EndpointChanges


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base", metavar="REV", help="compare from this revision (default: the upstream)")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--head", metavar="REV", help="compare to this revision (default: HEAD)")
    which.add_argument("--staged", action="store_true", help="compare to the staged index (default base: HEAD)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--introspect", metavar="MODULE:APP",
                        help="find endpoints by loading the app at both revisions (executes project code)")
    parser.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                        help="time limit of each --introspect run (default 60)")


def _resolve(repo: git.Repo, rev: str, option: str) -> str:
    sha = git.resolve_commit(repo, rev)
    if sha is None:
        raise MosaicError(f"{option} {rev}: no such commit in this repository",
                          hint="give a branch, tag or commit sha (see `git log --oneline`)")
    return sha


def _note(text: str, as_json: bool) -> None:
    # With --json, stdout holds exactly one JSON object; notes go to stderr.
    write_line(f"mosaic-hooks: {text}", sys.stderr if as_json else None)


def resolve_range(repo: git.Repo, args: argparse.Namespace) -> tuple[str | None, str | None]:
    head = None if args.staged else _resolve(repo, args.head or "HEAD", "--head")
    if args.base:
        return _resolve(repo, args.base, "--base"), head
    if args.staged:
        return git.resolve_commit(repo, "HEAD"), None
    assert head is not None
    upstream = git.upstream(repo)
    if upstream is not None:
        merge_base = repo.git("merge-base", upstream, head, check=False).stdout.decode().strip()
        return merge_base or upstream, head
    parent = git.resolve_commit(repo, f"{head}^")
    branch = git.current_branch(repo) or "HEAD"
    if parent is None:
        _note(f"{branch} has no upstream and {head[:12]} is a root commit: everything in it counts as new "
              "(use --base REV to choose)", args.json)
        return None, head
    _note(f"{branch} has no upstream; comparing with the parent commit {parent[:12]} "
          "(use --base REV to compare with another revision)", args.json)
    return parent, head


def _introspected(repo: git.Repo, base: str | None, head: str, target: str, timeout: float) -> EndpointChanges:
    from mosaic_hooks.detect import endpoints as endpoint_detection

    def at(rev: str | None) -> dict[tuple[str, str], Endpoint]:
        if rev is None:
            return {}
        found = endpoint_detection.introspect_endpoints(repo, rev, target, timeout=timeout)
        return {endpoint.key: endpoint for endpoint in found}

    before, after = at(base), at(head)
    return EndpointChanges(added=sorted(after[k] for k in after.keys() - before.keys()),
                           removed=sorted(before[k] for k in before.keys() - after.keys()))


def summary_lines(changes: ChangeSet) -> list[str]:
    lines = [f"changes {(changes.base or '(empty tree)')[:12]}..{(changes.head or '(staged)')[:12]}"]
    endpoints = changes.endpoints
    for kind, items in (("+", endpoints.added), ("-", endpoints.removed), ("~", endpoints.changed)):
        lines += [f"  endpoint {kind} {e.method} {e.path}  ({e.file}:{e.line})"
                  + ("" if e.in_schema else "  [not in the OpenAPI schema]") for e in items]
    reqs = changes.requirements
    lines += [f"  requirement + {r.name}{r.specifier}  ({r.file})" for r in reqs.added]
    lines += [f"  requirement - {r.name}{r.specifier}  ({r.file})" for r in reqs.removed]
    lines += [f"  requirement ~ {u.name} {u.old or '(any)'} -> {u.new or '(any)'}  ({u.file})" for u in reqs.changed]
    migrations = changes.migrations
    lines += [f"  migration + {m.id}  ({m.file})" for m in migrations.added]
    if migrations.tool:
        lines.append(f"  migration heads ({migrations.tool}): {', '.join(migrations.heads) or '(none)'}")
    lines += [f"  warning: {w}" for w in changes.warnings]
    if changes.is_empty:
        lines.append("  no endpoint, requirement or migration changes")
    return lines


def run(args: argparse.Namespace) -> int:
    from mosaic_hooks.detect.analyze import analyze

    repo = git.find_repo()
    if args.introspect and args.staged:
        raise MosaicError("--introspect loads commits, not the staged index", hint="commit first, or drop --staged")
    if args.introspect and ":" not in args.introspect:
        raise MosaicError(f"--introspect {args.introspect}: expected MODULE:APP", hint="e.g. app.main:app")
    if args.timeout <= 0:
        raise MosaicError("--timeout must be greater than 0")
    base, head = resolve_range(repo, args)
    from mosaic_hooks.core import config

    changes = analyze(repo, base, head, openapi_documents=config.load(repo.root).openapi_documents)
    if args.introspect:
        assert head is not None
        _note(f"--introspect executed project code: loaded {args.introspect} at "
              f"{(base or 'the empty tree')[:12]} and {head[:12]} in a separate process", args.json)
        changes.endpoints = _introspected(repo, base, head, args.introspect, args.timeout)
    if args.json:
        payload: dict[str, Any] = changes.to_json()
        write_line(json.dumps(payload, indent=2))
    else:
        for line in summary_lines(changes):
            write_line(line)
    return exit_codes.PASSED

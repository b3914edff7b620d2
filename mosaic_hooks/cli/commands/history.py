"""`mosaic-hooks history push|pull|show`: share the deployment history through git notes, or list it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mosaic_hooks.cli.output import write_line
from mosaic_hooks.core import config, exit_codes, git
from mosaic_hooks.core.words import plural


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, help_text in (
        ("push", "record the local history as git notes (refs/notes/mosaic) and push them to the remote"),
        ("pull", "fetch the remote's notes, merge them, and add their records to the local history"),
    ):
        sub = actions.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--remote", metavar="NAME", help="the remote (default: the branch's remote, else origin)")
    show = actions.add_parser("show", help="list the recorded deploys, newest last",
                              description="list the recorded deploys, newest last")
    show.add_argument("--service", metavar="NAME", help="only this service")
    show.add_argument("-n", "--limit", type=int, default=20, metavar="N", help="the last N records (default 20)")
    show.add_argument("--json", action="store_true", help="print the records as JSON lines")


def run(args: argparse.Namespace) -> int:
    from mosaic_hooks.records import history
    repo = git.find_repo()
    cfg = config.load(repo.root)
    path = history.history_file(cfg.history_path)
    if args.action == "show":
        return _show(path, args, cfg.recorded_service)

    from mosaic_hooks.records import notes as history_notes
    remote = args.remote or history_notes.default_remote(repo)
    action = history_notes.push if args.action == "push" else history_notes.pull
    result = action(repo, path, remote)
    for warning in result.warnings:
        write_line(f"warning: {warning}", sys.stderr)
    if args.action == "push":
        if result.pushed:
            write_line(f"pushed {history_notes.NOTES_REF} to {remote} "
                       f"({plural(result.records_noted, 'new record')} from this clone)")
        else:
            write_line("nothing to push: no deployment recorded here or on the remote")
    elif not result.remote_had_notes:
        write_line(f"{remote} has no deployment notes yet (`mosaic-hooks history push` shares them)")
    else:
        write_line(f"pulled {history_notes.NOTES_REF} from {remote}: {plural(result.records_pulled, 'new record')} "
                   f"added to {path}")
    return exit_codes.PASSED


def _show(path: Path, args: argparse.Namespace, configured_service: str | None) -> int:
    from mosaic_hooks.records import history
    records, warnings = history.read(path)
    for warning in warnings:
        write_line(f"warning: {warning}", sys.stderr)
    if args.service:  # a record without a service belongs to the configured one
        records = [r for r in records if (r.get("service") or configured_service) == args.service]
    records.sort(key=lambda r: str(r.get("timestamp") or ""))
    shown = records[-args.limit:] if args.limit > 0 else records
    if args.json:
        for record in shown:
            write_line(json.dumps(record, ensure_ascii=False))
        return exit_codes.PASSED
    if not shown:
        write_line(f"no deployment recorded in {path}")
    for record in shown:
        verdict = str(record.get("verdict") or ("pass" if record.get("success") else "fail"))
        reason = f"  {record['failure_reason']}" if record.get("failure_reason") else ""
        write_line(f"{record.get('timestamp', '?')}  {str(record.get('commit') or '?')[:12]}  "
                   f"{verdict:<12}  {record.get('service') or '-'}{reason}")
    return exit_codes.PASSED

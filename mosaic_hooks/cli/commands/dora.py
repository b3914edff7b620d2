"""`mosaic-hooks dora`: DORA metrics of a period from the deployment history."""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from mosaic_hooks.cli.output import write_line
from mosaic_hooks.core import config, exit_codes, git, isotime
from mosaic_hooks.core.errors import MosaicError
from mosaic_hooks.core.words import plural


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", metavar="DATE",
                        help="start of the period: YYYY-MM-DD (00:00 UTC) or an ISO 8601 time (default: 30 days "
                             "before --until)")
    parser.add_argument("--until", metavar="DATE",
                        help="end of the period: YYYY-MM-DD (that whole day, UTC) or an ISO 8601 time "
                             "(default: now)")
    parser.add_argument("--service", metavar="NAME", help="only the deploys of this service")
    parser.add_argument("--json", action="store_true", help="print dora_metrics.json's content instead of a summary")
    parser.add_argument("--html", metavar="FILE", type=Path, help="also write a self-contained HTML page")
    parser.add_argument("--openmetrics", metavar="FILE", type=Path,
                        help="also write the metrics in the Prometheus text format (textfile collector, Pushgateway)")


class BadDate(MosaicError):
    exit_code = exit_codes.USAGE


def parse_bound(option: str, text: str, *, end: bool) -> float:
    """A date is a whole UTC day: as --since it starts at 00:00, as --until it includes that day."""
    text = text.strip()
    try:
        if len(text) == 10:
            day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=timezone.utc)
            return (day + timedelta(days=1) if end else day).timestamp()
        moment = isotime.parse(text)
    except ValueError:
        moment = None
    if moment is None:
        raise BadDate(f"{option}: '{text}' is not a date",
                      hint="use YYYY-MM-DD (e.g. 2026-01-31) or an ISO 8601 time (2026-01-31T18:00:00Z)")
    return moment.timestamp()


def period(since: str | None, until: str | None, now: float) -> tuple[float, float]:
    from mosaic_hooks.records.dora import DAY
    from mosaic_hooks.records.dora_files import DEFAULT_PERIOD_DAYS

    end = parse_bound("--until", until, end=True) if until else now
    start = parse_bound("--since", since, end=False) if since else end - DEFAULT_PERIOD_DAYS * DAY
    if end <= start:
        raise BadDate(f"the period is empty: --since {since or '(30 days before --until)'} is not before "
                      f"--until {until or '(now)'}", hint="give a --since earlier than --until")
    return start, end


def human_duration(minutes: float | None) -> str:
    if minutes is None:
        return "n/a"
    if minutes < 90:
        return f"{minutes:.0f} min"
    if minutes < 48 * 60:
        return f"{minutes / 60:.1f} h"
    return f"{minutes / 1440:.1f} d"


def summary_lines(doc: dict[str, Any]) -> list[str]:
    df, lt = doc["deployment_frequency"], doc["lead_time_for_changes"]
    cfr, ttr = doc["change_failure_rate"], doc["time_to_restore_service"]

    def rating(section: dict[str, Any]) -> str:
        return str(section["rating"]) if section["rating"] else "not rated"

    pct = cfr["percentage"]
    rows = [
        ("Deployment frequency",
         f"{plural(df['total_deployments'], 'deploy')}, {df['deployments_per_week']}/week, "
         f"{df['deploy_days_per_week']} deploy days/week", rating(df)),
        ("Lead time for changes",
         f"median {human_duration(lt['median_minutes'])}, P95 {human_duration(lt['p95_minutes'])} "
         f"({plural(lt['changes'], 'commit')})", rating(lt)),
        ("Change failure rate",
         f"{'n/a' if pct is None else f'{pct} %'} ({cfr['failed_deployments']} failed of "
         f"{cfr['failed_deployments'] + cfr['passed_deployments']}; "
         f"{cfr['inconclusive_deployments']} inconclusive, not counted)", rating(cfr)),
        ("Time to restore",
         f"median {human_duration(ttr['median_minutes'])}, P95 {human_duration(ttr['p95_minutes'])} "
         f"({plural(ttr['incidents'], 'incident')}, {ttr['open']} open)", rating(ttr)),
    ]
    scope = f"service {doc['service']}" if doc["service"] else "all services"
    lines = [f"DORA metrics {doc['period_start']} .. {doc['period_end']} ({doc['period_days']} days, {scope})"]
    width = max(len(value) for _, value, _ in rows)
    lines += [f"  {name:<22} {value:<{width}}  {level}" for name, value, level in rows]
    lines += [f"  note: {note}" for note in doc["notes"]]
    lines.append("  ratings: Apache DevLake's bands for the 2023 DORA report (listed in dora_metrics.json)")
    return lines


def run(args: argparse.Namespace) -> int:
    from mosaic_hooks.records import dora_files, history
    start, end = period(args.since, args.until, time.time())
    # the history lives in a repository, as for every other command: outside one, exit 2 (not a new ./.mosaic)
    cfg = config.load(git.find_repo().root)
    history_path = history.history_file(cfg.history_path)
    report, doc, warnings = dora_files.metrics_for(history_path, start=start, end=end, service=args.service,
                                                   default_service=cfg.recorded_service)
    for warning in warnings:
        write_line(f"warning: {warning}", sys.stderr)
    metrics_path = dora_files.metrics_file(cfg.history_path)
    written: list[Path] = []
    if args.service is None:  # a view of one service never replaces the file of every service
        dora_files.write_metrics(metrics_path, doc)
        written.append(metrics_path)
    if args.html:
        from mosaic_hooks.records import dora_html
        dora_files.write_atomic(args.html, dora_html.render(report))
        written.append(args.html)
    if args.openmetrics:
        from mosaic_hooks.records import openmetrics
        dora_files.write_atomic(args.openmetrics, openmetrics.render(report))
        written.append(args.openmetrics)
    if args.json:
        write_line(json.dumps(doc, indent=2, ensure_ascii=False))
        return exit_codes.PASSED
    if not history_path.exists():
        write_line(f"no deployment history yet ({history_path}): `mosaic-hooks verify` records each deploy")
    for line in summary_lines(doc):
        write_line(line)
    if written:
        write_line("wrote " + ", ".join(str(p) for p in written))
    if args.service is not None:
        write_line(f"{metrics_path} not written: it holds every service, this is a view of {args.service}")
    return exit_codes.PASSED

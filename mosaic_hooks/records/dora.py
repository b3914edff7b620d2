"""DORA metrics from deployment-history records: pure arithmetic, no I/O and no clock.

Definitions (where DORA leaves a choice, the choice is written here and in the JSON):

- A *deploy* is a deploy that went live, identified by (service, deploy id), or without one by (service,
  commit first seen serving); every later verification of it updates its verdict (the latest decides)
  and is not a new deploy. A verification whose deploy never went live (build failed, timed out)
  changed nothing in production: it is counted apart (`not_live`) and in no metric. Details, and the
  columns the deploys are kept in: records/deploy_table.py.
- Times are the deploy's live time (or first seen serving); deploys are sorted by it, so their order in
  the file does not matter.
- *Deployment frequency*: deploys in the period, per week, and distinct deploy days (UTC) per week.
- *Lead time for changes*: for every commit deployed, live time of its FIRST deploy (to that service)
  minus its commit time (committer date; author date when absent). A commit deployed again later is
  not counted again. A negative lead time (clock skew between the committer's machine and Render) is
  excluded and counted in `excluded_clock_skew`. Median, and P95 by the nearest-rank method.
- *Change failure rate*: failed deploys / (passed + failed deploys). Inconclusive verifications are
  excluded from the denominator and counted apart: they are neither a success nor a failure.
- *Failed deployment recovery time*: from a failed deploy to the next passing deploy of the same
  service. Failures back to back form one incident (the service was impaired from the first failure
  until the pass); an inconclusive deploy neither starts nor ends one. An incident never restored is
  listed as open and is not in the median. Incidents are those that started in the period; a
  restore after the period's end is still used.
- *Ratings*: Apache DevLake's DORA benchmarks for the 2023 report (DORA itself publishes cluster
  descriptions, not cut-offs). Fewer than MIN_DEPLOYS_TO_RATE deploys: no rating, and a note says why.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, repeat
from math import isnan
from operator import attrgetter, floordiv
from typing import Any, NamedTuple

from mosaic_hooks.core import isotime
from mosaic_hooks.records import deploy_table, ranks
from mosaic_hooks.records.deploy_table import FAIL, INCONCLUSIVE, PASS, REPEAT, VERDICTS, Deploy, DeployTable

SCHEMA_VERSION = "1.0"
HOUR = 3600.0
DAY = 24 * HOUR
WEEK = 7 * DAY
MONTH = 30 * DAY
MIN_DEPLOYS_TO_RATE = 5
LEAD_POINTS_KEPT = 2000
# failures and incidents listed one by one in dora_metrics.json: the most recent; the counts cover all
MAX_LISTED = 1000

LEVELS = ("elite", "high", "medium", "low")
BANDS_SOURCE = ("Apache DevLake DORA benchmarks, 2023 report mode (dora_benchmarks table, migration "
                "20240223_add_dora_2023_benchmark); DORA publishes cluster descriptions, not cut-offs")
BANDS: dict[str, dict[str, str]] = {
    "deployment_frequency": {
        "elite": "median deploy days per week >= 5 (on demand)",
        "high": "median deploy days per week >= 1",
        "medium": "median deploy days per month >= 1",
        "low": "median deploy days per month < 1",
    },
    "lead_time_for_changes": {
        "elite": "median < 1 day", "high": "median < 7 days", "medium": "median < 30 days", "low": "median >= 30 days",
    },
    "change_failure_rate": {"elite": "<= 5 %", "high": "<= 10 %", "medium": "<= 15 %", "low": "> 15 %"},
    "time_to_restore_service": {
        "elite": "median < 1 hour", "high": "median < 24 hours", "medium": "median < 7 days",
        "low": "median >= 7 days",
    },
}

Loaded = DeployTable  # what compute() takes: the deploys of a history, in columns


def load_deploys(records: Iterable[Mapping[str, Any]] = (), *, batches: Iterable[Sequence[Mapping[str, Any]]] = (),
                 service: str | None = None, default_service: str | None = None, expected: int = 0) -> DeployTable:
    """The deploys in `records`, or in the lists of records `batches` (as history.iter_batches reads them),
    of `service` only, if given, deduplicated and sorted by live time.

    A record without a service belongs to `default_service` (the configured service). `expected`: about
    how many records there are (a hint for sizing, nothing depends on it)."""
    return deploy_table.load(chain(deploy_table.in_batches(records), batches), service=service,
                             default_service=default_service, expected=expected)


def median(values: Sequence[float], *, presorted: bool = False) -> float | None:
    """The middle of the sorted values (the mean of the two middle ones for an even count)."""
    n = len(values)
    if n == 0:
        return None
    ordered = values if presorted else sorted(values)
    mid = n // 2
    return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def percentile(values: Sequence[float], pct: float, *, presorted: bool = False) -> float | None:
    """Nearest rank: the smallest value with at least `pct` % of the values at or below it."""
    n = len(values)
    if n == 0:
        return None
    rank = max(1, math.ceil(pct / 100 * n))
    return (values if presorted else sorted(values))[rank - 1]


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


@dataclass(frozen=True)
class Rating:
    level: str | None
    note: str | None = None


@dataclass(frozen=True)
class WeekBucket:
    start: float
    end: float
    passed: int
    failed: int
    inconclusive: int
    deploy_days: int
    full: bool  # a whole 7 days inside the period (only whole weeks enter the median)

    @property
    def deploys(self) -> int:
        return self.passed + self.failed + self.inconclusive


class LeadStats(NamedTuple):
    """The lead times of the commits deployed in the period (the values themselves are not kept)."""

    changes: int
    median: float | None
    p95: float | None  # nearest rank
    mean: float | None


class LeadTime(NamedTuple):
    """One commit's lead time; `commit` is the deploy that brought it (charts name it)."""

    commit: str
    service: str | None
    deployed_at: float
    seconds: float


@dataclass(frozen=True)
class Incident:
    """A run of failed deploys of one service, until the next passing one. Rows of the deploy table: a long
    history has tens of thousands of incidents, and only the listed ones are ever looked at in detail."""

    table: DeployTable = field(repr=False)
    failed_rows: tuple[int, ...]  # the failed deploys, back to back, oldest first
    restored_row: int | None

    @property
    def service(self) -> str | None:
        return self.table.service_of(self.failed_rows[0])

    @property
    def failed(self) -> tuple[Deploy, ...]:
        return tuple(self.table.deploy(row) for row in self.failed_rows)

    @property
    def restored_by(self) -> Deploy | None:
        return None if self.restored_row is None else self.table.deploy(self.restored_row)

    @property
    def started_at(self) -> float:
        return self.table.live[self.failed_rows[0]]

    @property
    def recovery_s(self) -> float | None:
        if self.restored_row is None:
            return None
        return max(0.0, self.table.live[self.restored_row] - self.started_at)


@dataclass(frozen=True)
class Report:
    period_start: float
    period_end: float
    service: str | None
    deployments: int  # deploys that went live in the period
    remediations: int  # of them, remediation deploys (MOSAIC_FIX)
    failures: list[tuple[Deploy, Incident | None]]  # the last MAX_LISTED failed deploys in the period
    loaded: Loaded
    weeks: list[WeekBucket]
    deploy_days: int
    median_deploy_days_per_week: float | None
    median_deploy_days_per_month: float | None
    lead: LeadStats
    lead_points: list[LeadTime]  # the most recent LEAD_POINTS_KEPT of them, for charts
    lead_excluded_skew: int
    lead_without_time: int
    incidents: list[Incident]
    ratings: dict[str, Rating]
    notes: list[str] = field(default_factory=list)
    all_incidents: list[Incident] = field(default_factory=list)  # of the whole history, for failures' outcome
    verdicts: dict[str, int] = field(default_factory=dict)  # deploys in the period by verdict

    @property
    def weeks_in_period(self) -> float:
        return (self.period_end - self.period_start) / WEEK

    def count(self, verdict: str) -> int:
        return self.verdicts.get(verdict, 0)

    @property
    def change_failure_rate(self) -> float | None:
        conclusive = self.count("pass") + self.count("fail")
        return self.count("fail") / conclusive if conclusive else None

    @property
    def recovery_times(self) -> list[float]:
        return _recovery_times(self.incidents)


def _recovery_times(incidents: Iterable[Incident]) -> list[float]:
    """The recovery time of each restored incident (an open one has none)."""
    return [seconds for seconds in map(attrgetter("recovery_s"), incidents) if seconds is not None]


def _windows(start: float, end: float, size: float) -> list[tuple[float, float, bool]]:
    """Windows of `size` counted back from `end`; the earliest is cut at `start` (and marked not full)."""
    windows = []
    right = end
    while right > start:
        left = right - size
        windows.append((max(left, start), right, left >= start))
        right = left
    windows.reverse()
    return windows


def _rate_lower_is_better(value: float, limits: tuple[float, float, float], inclusive: bool) -> str:
    for level, limit in zip(LEVELS[:3], limits, strict=True):
        if (value <= limit) if inclusive else (value < limit):
            return level
    return "low"


def _ratings(report_parts: dict[str, Any]) -> dict[str, Rating]:
    deployments = report_parts["deployments"]
    too_few = (f"too few deploys to rate ({deployments} in the period, at least {MIN_DEPLOYS_TO_RATE} needed)"
               if deployments < MIN_DEPLOYS_TO_RATE else None)
    ratings: dict[str, Rating] = {}

    # Deployment frequency
    weekly = report_parts["median_weekly"]
    monthly = report_parts["median_monthly"]
    if too_few:
        ratings["deployment_frequency"] = Rating(None, too_few)
    elif weekly is None:
        ratings["deployment_frequency"] = Rating(None, "period shorter than one week: no whole week to rate")
    elif weekly >= 5:
        ratings["deployment_frequency"] = Rating("elite")
    elif weekly >= 1:
        ratings["deployment_frequency"] = Rating("high")
    elif monthly is not None:
        ratings["deployment_frequency"] = Rating("medium" if monthly >= 1 else "low")
    else:  # shorter than a month: the deploy days of the period, scaled to 30 days
        scaled = report_parts["deploy_days"] * MONTH / report_parts["span"]
        ratings["deployment_frequency"] = Rating("medium" if scaled >= 1 else "low",
                                                 "period shorter than 30 days: deploy days scaled to a month")

    # Lead time
    lead = report_parts["lead_median"]
    if too_few:
        ratings["lead_time_for_changes"] = Rating(None, too_few)
    elif lead is None:
        ratings["lead_time_for_changes"] = Rating(None, "no deployed commit with a commit time")
    else:
        ratings["lead_time_for_changes"] = Rating(_rate_lower_is_better(lead, (DAY, 7 * DAY, 30 * DAY), False))

    # Change failure rate
    conclusive = report_parts["conclusive"]
    cfr = report_parts["cfr"]
    if conclusive < MIN_DEPLOYS_TO_RATE or cfr is None:
        ratings["change_failure_rate"] = Rating(
            None, f"too few deploys to rate ({conclusive} passed or failed in the period, "
                  f"at least {MIN_DEPLOYS_TO_RATE} needed)")
    else:
        ratings["change_failure_rate"] = Rating(_rate_lower_is_better(cfr * 100, (5, 10, 15), True))

    # Recovery time
    ttr = report_parts["ttr_median"]
    if too_few:
        ratings["time_to_restore_service"] = Rating(None, too_few)
    elif not report_parts["incidents"]:
        ratings["time_to_restore_service"] = Rating(None, "no failed deploy in the period: nothing to restore")
    elif ttr is None:
        ratings["time_to_restore_service"] = Rating(None, "no incident restored yet")
    else:
        ratings["time_to_restore_service"] = Rating(_rate_lower_is_better(ttr, (HOUR, DAY, 7 * DAY), False))
    return ratings


def _incidents(table: DeployTable) -> tuple[list[Incident], dict[int, Incident]]:
    """Every incident of the whole history (a run of failed deploys of one service until a pass), and the
    incident of each failed deploy's row."""
    incidents: list[Incident] = []
    of_row: dict[int, Incident] = {}
    open_runs: dict[int, list[int]] = {}
    services = table.service
    for row, code in enumerate(table.verdict):
        if code == FAIL:
            open_runs.setdefault(services[row], []).append(row)
        elif code == PASS and open_runs and services[row] in open_runs:
            incidents.append(Incident(table, tuple(open_runs.pop(services[row])), row))
    incidents.extend(Incident(table, tuple(rows), None) for rows in open_runs.values())
    incidents.sort(key=attrgetter("started_at"))
    for incident in incidents:
        of_row.update(dict.fromkeys(incident.failed_rows, incident))
    return incidents, of_row


def _lead_times(table: DeployTable, lo: int, hi: int) -> tuple[LeadStats, list[LeadTime], int, int]:
    """The lead times of the commits first deployed by the rows lo..hi, the most recent LEAD_POINTS_KEPT as
    points, and how many were clock-skewed or without a commit time."""
    a, b = table.commits_of(lo, hi)
    values = table.occ_lead[a:b]
    changes, average, found = ranks.summary(values, _median_and_p95_ranks)
    without_time = sum(map(isnan, values))  # NaN: no commit time
    skewed = len(values) - changes - without_time - values.count(REPEAT)
    # the points: walk back from the period's last deploy
    points: list[LeadTime] = []
    end = b
    for row in range(hi - 1, lo - 1, -1):
        if len(points) >= LEAD_POINTS_KEPT:
            break
        start = end - table.occ_count[row]
        for occurrence in range(end - 1, start - 1, -1):
            if table.occ_lead[occurrence] >= 0.0:
                points.append(LeadTime(table.commit(row), table.service_of(row), table.live[row],
                                       table.occ_lead[occurrence]))
        end = start
    points.reverse()
    if not changes:
        return LeadStats(0, None, None, None), points, skewed, without_time
    middle = found[0] if changes % 2 else (found[0] + found[1]) / 2
    return LeadStats(changes, middle, found[-1], average), points[-LEAD_POINTS_KEPT:], skewed, without_time


def _median_and_p95_ranks(n: int) -> list[int]:
    """The 1-based ranks of the median (two for an even count) and of P95 (nearest rank), as median()
    and percentile() take them."""
    middle = [n // 2 + 1] if n % 2 else [n // 2, n // 2 + 1]
    return [*middle, max(1, math.ceil(0.95 * n))]


def compute(loaded: Loaded, *, start: float, end: float, service: str | None = None) -> Report:
    """The metrics of the period [start, end) from `loaded` (already filtered by `service`)."""
    if end <= start:
        raise ValueError("the period must end after it starts")
    live, verdict = loaded.live, loaded.verdict
    lo, hi = bisect.bisect_left(live, start), bisect.bisect_left(live, end)
    span = end - start

    def deploy_days(a: int, b: int) -> int:
        """Distinct UTC days among the deploys in rows a..b (C-level passes: a period may hold a million)."""
        return len(set(map(floordiv, live[a:b], repeat(DAY))))

    def window(left: float, right: float) -> tuple[int, int]:
        return bisect.bisect_left(live, left, lo, hi), bisect.bisect_left(live, right, lo, hi)

    weeks = []
    for left, right, full in _windows(start, end, WEEK):
        a, b = window(left, right)
        codes = verdict[a:b]
        weeks.append(WeekBucket(
            start=left, end=right, full=full, deploy_days=deploy_days(a, b),
            passed=codes.count(PASS), failed=codes.count(FAIL), inconclusive=codes.count(INCONCLUSIVE),
        ))
    median_weekly = median([float(w.deploy_days) for w in weeks if w.full])
    months = [window(left, right) for left, right, full in _windows(start, end, MONTH) if full]
    median_monthly = median([float(deploy_days(a, b)) for a, b in months])
    days_in_period = deploy_days(lo, hi)

    lead, lead_points, skewed, without_time = _lead_times(loaded, lo, hi)
    all_incidents, incident_of = _incidents(loaded)
    incidents = [i for i in all_incidents if start <= i.started_at < end]

    in_period = verdict[lo:hi]
    verdicts = {name: in_period.count(code) for code, name in enumerate(VERDICTS)}
    passed, failed = verdicts["pass"], verdicts["fail"]
    recovery = _recovery_times(incidents)
    ratings = _ratings({
        "deployments": hi - lo, "median_weekly": median_weekly, "median_monthly": median_monthly,
        "deploy_days": days_in_period, "span": span,
        "lead_median": lead.median,
        "conclusive": passed + failed, "cfr": failed / (passed + failed) if passed + failed else None,
        "incidents": incidents, "ttr_median": median(recovery),
    })
    notes = []
    if skewed:
        notes.append(f"{skewed} commit(s) with a commit time after their deploy went live (clock skew) "
                     "left out of the lead time")
    if loaded.not_live:
        notes.append(f"{loaded.not_live} verification(s) of a deploy that never went live left out of every metric")
    if loaded.unreadable:
        notes.append(f"{loaded.unreadable} record(s) without a readable timestamp or verdict left out")
    notes.extend(f"{name.replace('_', ' ')}: {r.note}" for name, r in ratings.items() if r.level is None and r.note)
    failures: list[tuple[Deploy, Incident | None]] = []
    for row in range(hi - 1, lo - 1, -1):  # the most recent MAX_LISTED
        if len(failures) >= MAX_LISTED:
            break
        if verdict[row] == FAIL:
            failures.append((loaded.deploy(row), incident_of.get(row)))
    failures.reverse()
    return Report(
        period_start=start, period_end=end, service=service, deployments=hi - lo,
        remediations=loaded.remediation[lo:hi].count(1), failures=failures, loaded=loaded, weeks=weeks,
        deploy_days=days_in_period, median_deploy_days_per_week=median_weekly,
        median_deploy_days_per_month=median_monthly, lead=lead, lead_points=lead_points,
        lead_excluded_skew=skewed,
        lead_without_time=without_time, incidents=incidents, ratings=ratings, notes=notes,
        all_incidents=all_incidents, verdicts=verdicts,
    )


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def _section_rating(report: Report, name: str) -> dict[str, Any]:
    rating = report.ratings[name]
    section: dict[str, Any] = {"rating": rating.level}
    if rating.note:
        section["rating_note"] = rating.note
    section["bands"] = BANDS[name]
    return section


def _short(sha: str) -> str:
    return sha[:12]


def _incident_entry(incident: Incident, period_end: float) -> dict[str, Any]:
    failed, restored_by = incident.failed, incident.restored_by  # each made anew from the table when asked
    entry: dict[str, Any] = {
        "service": incident.service,
        "started_at": isotime.iso(incident.started_at),
        "failed_commits": [d.commit for d in failed],
        "failed_deploy_ids": [d.deploy_id for d in failed],
        "reason": failed[0].reason,
    }
    if restored_by is None:
        entry.update(status="open", restored_at=None, restored_by_commit=None, recovery_minutes=None,
                     open_minutes=_minutes(max(0.0, period_end - incident.started_at)))
    else:
        entry.update(status="restored", restored_at=isotime.iso(restored_by.live_at),
                     restored_by_commit=restored_by.commit, recovery_minutes=_minutes(incident.recovery_s))
    return entry


def _failure_entry(deploy: Deploy, incident: Incident | None) -> dict[str, Any]:
    restored_by = None if incident is None else incident.restored_by
    if restored_by is None:
        resolution = "open: no passing deploy of this service since"
    else:
        after = _minutes(max(0.0, restored_by.live_at - deploy.live_at))
        resolution = (f"restored by the deploy of {_short(restored_by.commit)} at "
                      f"{isotime.iso(restored_by.live_at)} ({after} min later)")
    return {
        "date": isotime.iso(deploy.live_at)[:10],
        "deployed_at": isotime.iso(deploy.live_at),
        "commit": deploy.commit,
        "service": deploy.service,
        "deploy_id": deploy.deploy_id,
        "reason": deploy.reason,
        "detection_time_minutes": _minutes(max(0.0, deploy.verified_at - deploy.live_at)),
        "resolution": resolution,
    }


def document(report: Report) -> dict[str, Any]:
    """The report in the shape of the Production Validation Standard's dora_metrics.json, extended."""
    lead = report.lead
    recovery = report.recovery_times
    weeks = report.weeks_in_period
    passed, failed, inconclusive = report.count("pass"), report.count("fail"), report.count("inconclusive")
    cfr = report.change_failure_rate
    return {
        "schema_version": SCHEMA_VERSION,
        "period_start": isotime.iso(report.period_start),
        "period_end": isotime.iso(report.period_end),
        "period_days": round((report.period_end - report.period_start) / DAY, 2),
        "service": report.service,
        "rating_bands_source": BANDS_SOURCE,
        "deployment_frequency": {
            "total_deployments": report.deployments,
            "deployments_per_week": round(report.deployments / weeks, 2),
            "deploy_days": report.deploy_days,
            "deploy_days_per_week": round(report.deploy_days / weeks, 2),
            "median_deploy_days_per_week": report.median_deploy_days_per_week,
            "remediation_deployments": report.remediations,
            "weekly": [{"start": isotime.iso(w.start), "end": isotime.iso(w.end), "deployments": w.deploys,
                        "failed": w.failed, "deploy_days": w.deploy_days, "whole_week": w.full}
                       for w in report.weeks],
            **_section_rating(report, "deployment_frequency"),
        },
        "lead_time_for_changes": {
            "changes": lead.changes,
            "median_minutes": _minutes(lead.median),
            "p95_minutes": _minutes(lead.p95),
            "avg_minutes": _minutes(lead.mean),
            "excluded_clock_skew": report.lead_excluded_skew,
            "without_commit_time": report.lead_without_time,
            "method": "deploy live time - commit time, each commit once at its first deploy; P95 nearest rank",
            **_section_rating(report, "lead_time_for_changes"),
        },
        "change_failure_rate": {
            "total_deployments": report.deployments,
            "passed_deployments": passed,
            "failed_deployments": failed,
            "inconclusive_deployments": inconclusive,
            "percentage": None if cfr is None else round(cfr * 100, 1),
            "method": "failed / (passed + failed) deploys; inconclusive verifications are not in the denominator",
            **_section_rating(report, "change_failure_rate"),
            # a failure whose incident started before the period is still resolved from the whole history
            "failures": [_failure_entry(deploy, incident) for deploy, incident in report.failures],
            "failures_not_listed": failed - len(report.failures),
        },
        "time_to_restore_service": {
            "incidents": len(report.incidents),
            "restored": len(recovery),
            "open": len(report.incidents) - len(recovery),
            "median_minutes": _minutes(median(recovery)),
            "p95_minutes": _minutes(percentile(recovery, 95)),
            "avg_minutes": _minutes(mean(recovery)),
            "method": "first failed deploy to the next passing deploy of the same service; open incidents "
                      "are listed, not in the median",
            **_section_rating(report, "time_to_restore_service"),
            "incident_list": [_incident_entry(i, report.period_end) for i in report.incidents[-MAX_LISTED:]],
            "incidents_not_listed": max(0, len(report.incidents) - MAX_LISTED),
        },
        "skipped": {"not_live": report.loaded.not_live, "unreadable": report.loaded.unreadable,
                    "duplicates": report.loaded.duplicates},
        "notes": report.notes,
    }

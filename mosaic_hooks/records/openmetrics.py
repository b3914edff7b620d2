"""DORA metrics in the OpenMetrics text format, which the Prometheus text format (0.0.4) also reads.

For node_exporter's textfile collector (write the file atomically into its directory; `*.prom`) or a
Pushgateway (`curl --data-binary @FILE http://gateway/metrics/job/mosaic_dora`). Every sample carries a
`service` label (the service, or "all"). Values that do not exist (no lead time without commits) are
left out rather than written as 0. Ratings are a state set: one sample per level, 1 for the current one.
"""

from __future__ import annotations

from mosaic_hooks.records import dora


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    return repr(float(value)) if isinstance(value, float) else str(value)


def render(report: dora.Report) -> str:
    service = _label(report.service or "all")
    lines: list[str] = []

    def gauge(name: str, help_text: str, value: float | None, extra: str = "") -> None:
        lines.append(f"# HELP {name} {help_text}")
        lines.append(f"# TYPE {name} gauge")
        if value is not None:
            lines.append(f'{name}{{service="{service}"{extra}}} {_number(value)}')

    lead = report.lead
    recovery = report.recovery_times
    weeks = report.weeks_in_period
    gauge("mosaic_dora_period_start_timestamp_seconds", "Start of the measured period (unix time).",
          report.period_start)
    gauge("mosaic_dora_period_end_timestamp_seconds", "End of the measured period (unix time).", report.period_end)
    gauge("mosaic_dora_deployments", "Deploys that went live in the period.", report.deployments)
    gauge("mosaic_dora_deployments_per_week", "Deploys per week over the period.", report.deployments / weeks)
    gauge("mosaic_dora_deploy_days_per_week", "Distinct UTC days with a deploy, per week.",
          report.deploy_days / weeks)
    gauge("mosaic_dora_lead_time_median_seconds", "Median commit-to-live time of the commits deployed.",
          lead.median)
    gauge("mosaic_dora_lead_time_p95_seconds", "95th percentile (nearest rank) commit-to-live time.",
          lead.p95)
    gauge("mosaic_dora_failed_deployments", "Deploys whose production verification failed.", report.count("fail"))
    gauge("mosaic_dora_inconclusive_deployments", "Deploys whose verification was inconclusive (not in the rate).",
          report.count("inconclusive"))
    gauge("mosaic_dora_change_failure_ratio", "Failed / (passed + failed) deploys, 0 to 1.",
          report.change_failure_rate)
    gauge("mosaic_dora_time_to_restore_median_seconds", "Median time from a failed deploy to the next passing one.",
          dora.median(recovery))
    gauge("mosaic_dora_time_to_restore_p95_seconds", "95th percentile (nearest rank) time to restore.",
          dora.percentile(recovery, 95))
    gauge("mosaic_dora_open_incidents", "Failed deploys not yet followed by a passing deploy of the service.",
          sum(1 for i in report.incidents if i.restored_by is None))

    name = "mosaic_dora_rating"
    lines.append(f"# HELP {name} DORA level per metric (Apache DevLake 2023 bands); 1 for the current level.")
    lines.append(f"# TYPE {name} gauge")
    for metric, rating in report.ratings.items():
        if rating.level is None:
            continue
        for level in dora.LEVELS:
            value = 1 if level == rating.level else 0
            lines.append(f'{name}{{service="{service}",metric="{metric}",level="{level}"}} {value}')
    lines.append("# EOF")  # OpenMetrics ends with it; to the Prometheus text format it is a comment
    return "\n".join(lines) + "\n"

"""The Prometheus text output, read back with prometheus_client's own parser."""

from __future__ import annotations

from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from mosaic_hooks.core import isotime
from mosaic_hooks.records import dora, openmetrics
from tests.support.dora_records import record

START = isotime.epoch("2026-01-01T00:00:00Z")
END = isotime.epoch("2026-01-29T00:00:00Z")
assert START is not None and END is not None


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(text):
        assert family.type == "gauge"
        assert family.documentation
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def _report(records: list[dict[str, Any]], service: str | None = None) -> dora.Report:
    return dora.compute(dora.load_deploys(records, service=service), start=START, end=END, service=service)


HISTORY = [
    record("a", "2026-01-02T10:00:00Z", commits=[("c1", "2026-01-02T09:00:00Z")]),  # 1 h
    record("b", "2026-01-03T10:00:00Z", "fail"),
    record("c", "2026-01-03T10:30:00Z", commits=[("c2", "2026-01-03T07:00:00Z")]),  # 3.5 h; restores b in 30 min
    record("d", "2026-01-04T10:00:00Z", "inconclusive"),
    record("e", "2026-01-05T10:00:00Z"),
    record("f", "2026-01-20T10:00:00Z", "fail"),  # open
]


def test_every_metric_parses_with_the_values_computed() -> None:
    text = openmetrics.render(_report(HISTORY))
    assert text.endswith("\n")
    samples = _samples(text)
    svc = (("service", "all"),)
    assert samples[("mosaic_dora_deployments", svc)] == 6
    assert samples[("mosaic_dora_deployments_per_week", svc)] == 1.5  # 6 / 4 weeks
    assert samples[("mosaic_dora_deploy_days_per_week", svc)] == 1.25  # 5 distinct days (b and c share one) / 4
    assert samples[("mosaic_dora_lead_time_median_seconds", svc)] == (3600 + 12600) / 2
    assert samples[("mosaic_dora_lead_time_p95_seconds", svc)] == 12600
    assert samples[("mosaic_dora_failed_deployments", svc)] == 2
    assert samples[("mosaic_dora_inconclusive_deployments", svc)] == 1
    assert samples[("mosaic_dora_change_failure_ratio", svc)] == 0.4  # 2 / (3 + 2)
    assert samples[("mosaic_dora_time_to_restore_median_seconds", svc)] == 1800
    assert samples[("mosaic_dora_open_incidents", svc)] == 1
    assert samples[("mosaic_dora_period_start_timestamp_seconds", svc)] == START
    # ratings as a state set: exactly one level is 1 per rated metric
    rated = {labels: value for (name, labels), value in samples.items() if name == "mosaic_dora_rating"}
    frequency = {dict(k)["level"]: v for k, v in rated.items() if dict(k)["metric"] == "deployment_frequency"}
    # deploy days per week [4, 0, 1, 0]: median 0.5 < 1; no whole 30 days, 5 days scaled to 30 days >= 1
    assert frequency == {"elite": 0, "high": 0, "medium": 1, "low": 0}
    assert {dict(k)["metric"] for k in rated} == {"deployment_frequency", "lead_time_for_changes",
                                                  "change_failure_rate", "time_to_restore_service"}


def test_missing_values_are_left_out_not_written_as_zero() -> None:
    samples = _samples(openmetrics.render(_report([record("a", "2026-01-02T10:00:00Z")])))
    names = {name for name, _ in samples}
    assert "mosaic_dora_deployments" in names
    assert "mosaic_dora_lead_time_median_seconds" not in names  # no commit: no lead time
    assert "mosaic_dora_time_to_restore_median_seconds" not in names
    assert "mosaic_dora_rating" not in names  # one deploy: nothing rated


def test_label_values_are_escaped() -> None:
    odd = 'we"ird\\service\nname'
    text = openmetrics.render(_report([record("a", "2026-01-02T10:00:00Z", service=odd)], service=odd))
    samples = _samples(text)
    assert samples[("mosaic_dora_deployments", (("service", odd),))] == 1


def test_the_file_is_valid_openmetrics_ending_with_eof_and_still_prometheus_text() -> None:
    """Issue 15 item 4: OpenMetrics requires the final `# EOF`; the strict parser rejects a file without it."""
    from prometheus_client.openmetrics.parser import text_string_to_metric_families as openmetrics_families

    text = openmetrics.render(_report(HISTORY))
    assert text.endswith("\n# EOF\n")
    families = {family.name: family for family in openmetrics_families(text)}
    assert families["mosaic_dora_deployments"].samples[0].value == 6
    assert _samples(text) == _samples(text.replace("# EOF\n", ""))  # the Prometheus text parser: a comment

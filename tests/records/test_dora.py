"""The DORA arithmetic against histories computed by hand (the expected numbers are worked out in comments)."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mosaic_hooks.core import isotime
from mosaic_hooks.records import deploy_table, dora, dora_files, history
from tests.support.dora_records import record, sha

START = isotime.epoch("2026-01-01T00:00:00Z")
END = isotime.epoch("2026-01-29T00:00:00Z")  # 28 days: four whole weeks, counted back from the end
assert START is not None and END is not None


def metrics(records: list[dict[str, Any]], *, service: str | None = None, start: float = START,
            end: float = END) -> dict[str, Any]:
    """The metrics of `records`, read as dicts; the same as of their lines read as `dora` reads a history file."""
    report = dora.compute(dora.load_deploys(records, service=service), start=start, end=end, service=service)
    doc = dora.document(report)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / history.HISTORY_FILE
        path.write_bytes(b"".join(map(history.encode, records)))
        _report, doc_of_file, warnings = dora_files.metrics_for(path, start=start, end=end, service=service)
    assert doc_of_file == doc and not warnings
    return doc


def test_percentiles_are_the_middle_and_the_nearest_rank() -> None:
    assert dora.median([]) is None
    assert dora.median([3.0]) == 3.0
    assert dora.median([4.0, 1.0, 2.0]) == 2.0
    assert dora.median([1.0, 2.0, 4.0, 10.0]) == 3.0
    # P95 of 20 values: rank ceil(0.95 * 20) = 19
    assert dora.percentile([float(v) for v in range(1, 21)], 95) == 19.0
    # P95 of 2 values: rank ceil(1.9) = 2, the larger
    assert dora.percentile([5.0, 1.0], 95) == 5.0
    assert dora.percentile([], 95) is None


def test_a_single_deploy_is_counted_but_not_rated() -> None:
    doc = metrics([record("a1", "2026-01-10T12:00:00Z", commits=[
        ("c1", "2026-01-10T10:00:00Z"),  # 2 h = 120 min
        ("c2", "2026-01-09T12:00:00Z"),  # 24 h = 1440 min
    ])])
    df, lt, cfr, ttr = (doc[k] for k in ("deployment_frequency", "lead_time_for_changes", "change_failure_rate",
                                         "time_to_restore_service"))
    assert df["total_deployments"] == 1
    assert df["deployments_per_week"] == 0.25  # 1 deploy / 4 weeks
    assert df["deploy_days"] == 1
    assert lt["changes"] == 2
    assert lt["median_minutes"] == 780.0  # (120 + 1440) / 2
    assert lt["p95_minutes"] == 1440.0  # nearest rank 2 of 2
    assert cfr["percentage"] == 0.0
    assert cfr["failures"] == []
    assert ttr["incidents"] == 0
    for section in (df, lt, cfr, ttr):
        assert section["rating"] is None
        assert "too few deploys to rate" in section["rating_note"]
    assert any("too few deploys to rate" in note for note in doc["notes"])
    assert doc["deployment_frequency"]["bands"]["elite"].startswith("median deploy days per week >= 5")


def gaps_history() -> list[dict[str, Any]]:
    """Four weeks: [Jan 1, 8) 3 deploys on 2 days, [Jan 8, 15) none, [Jan 15, 22) 4 on 4 days, [Jan 22, 29) 1."""
    lives = ["2026-01-02T09:00:00Z", "2026-01-02T15:00:00Z", "2026-01-03T09:00:00Z",
             "2026-01-15T09:00:00Z", "2026-01-16T09:00:00Z", "2026-01-17T09:00:00Z", "2026-01-20T09:00:00Z",
             "2026-01-28T09:00:00Z"]
    lead_hours = [1, 2, 3, 4, 5, 6, 7, 100]
    records = []
    for index, (live, hours) in enumerate(zip(lives, lead_hours, strict=True)):
        live_at = isotime.epoch(live)
        assert live_at is not None
        committed = isotime.iso(live_at - hours * 3600)
        records.append(record(f"d{index}", live, commits=[(f"c{index}", committed)]))
    return records


def test_gaps_frequency_lead_time_and_ratings() -> None:
    doc = metrics(gaps_history())
    df, lt, cfr, ttr = (doc[k] for k in ("deployment_frequency", "lead_time_for_changes", "change_failure_rate",
                                         "time_to_restore_service"))
    assert df["total_deployments"] == 8
    assert df["deployments_per_week"] == 2.0  # 8 / 4
    assert df["deploy_days"] == 7
    assert df["deploy_days_per_week"] == 1.75  # 7 / 4
    assert [w["deploy_days"] for w in df["weekly"]] == [2, 0, 4, 1]
    assert [w["deployments"] for w in df["weekly"]] == [3, 0, 4, 1]
    assert df["median_deploy_days_per_week"] == 1.5  # median of [2, 0, 4, 1] = (1 + 2) / 2
    assert df["rating"] == "high"  # >= 1 and < 5 deploy days a week
    # lead times 1..7 h and 100 h: median (4 + 5) / 2 = 4.5 h, P95 rank ceil(7.6) = 8 -> 100 h, mean 128 / 8 = 16 h
    assert lt["median_minutes"] == 270.0
    assert lt["p95_minutes"] == 6000.0
    assert lt["avg_minutes"] == 960.0
    assert lt["rating"] == "elite"  # median < 1 day
    assert cfr["percentage"] == 0.0
    assert cfr["rating"] == "elite"
    assert ttr["rating"] is None
    assert ttr["rating_note"] == "no failed deploy in the period: nothing to restore"


def failures_history() -> list[dict[str, Any]]:
    return [
        record("d1", "2026-01-02T10:00:00Z"),
        record("d2", "2026-01-03T10:00:00Z", "fail", reason="health: 503"),  # incident 1 starts
        record("d3", "2026-01-03T11:00:00Z", "fail", reason="new endpoint /items: 404"),  # back to back
        record("d4", "2026-01-03T11:30:00Z", "inconclusive"),  # neither ends nor starts one
        record("d5", "2026-01-03T12:30:00Z"),  # restores api: 2.5 h after d2
        record("w1", "2026-01-04T00:00:00Z", "fail", service="web"),  # incident of web
        record("d6", "2026-01-04T01:00:00Z"),  # an api pass does not restore web
        record("w2", "2026-01-04T06:00:00Z", service="web"),  # restores web: 6 h
        record("d7", "2026-01-06T00:00:00Z", "fail"),
        record("d8", "2026-01-06T00:30:00Z"),  # restores api: 30 min
        record("d9", "2026-01-27T12:00:00Z", "fail", reason="crash loop"),  # never restored
    ]


def test_failures_back_to_back_one_never_recovered_and_two_services() -> None:
    doc = metrics(failures_history())
    cfr, ttr = doc["change_failure_rate"], doc["time_to_restore_service"]
    assert cfr["total_deployments"] == 11
    assert (cfr["passed_deployments"], cfr["failed_deployments"], cfr["inconclusive_deployments"]) == (5, 5, 1)
    assert cfr["percentage"] == 50.0  # 5 / (5 + 5): the inconclusive deploy is not in the denominator
    assert cfr["rating"] == "low"  # > 15 %
    assert [f["commit"] for f in cfr["failures"]] == [sha(n) for n in ("d2", "d3", "w1", "d7", "d9")]
    by_commit = {f["commit"]: f for f in cfr["failures"]}
    assert by_commit[sha("d3")]["resolution"].startswith(f"restored by the deploy of {sha('d5')[:12]}")
    assert "(90.0 min later)" in by_commit[sha("d3")]["resolution"]  # 11:00 -> 12:30
    assert by_commit[sha("d9")]["resolution"].startswith("open")
    assert by_commit[sha("d9")]["reason"] == "crash loop"
    assert by_commit[sha("d2")]["date"] == "2026-01-03"

    assert ttr["incidents"] == 4
    assert (ttr["restored"], ttr["open"]) == (3, 1)
    # recoveries: api 150 min (d2 -> d5), web 360 min, api 30 min; d9 open, not in the median
    assert ttr["median_minutes"] == 150.0
    assert ttr["p95_minutes"] == 360.0  # rank ceil(2.85) = 3 of [30, 150, 360]
    assert ttr["avg_minutes"] == 180.0
    assert ttr["rating"] == "high"  # < 24 h
    incidents = ttr["incident_list"]
    assert [i["status"] for i in incidents] == ["restored", "restored", "restored", "open"]
    assert incidents[0]["failed_commits"] == [sha("d2"), sha("d3")]
    assert incidents[0]["restored_by_commit"] == sha("d5")
    assert incidents[1]["service"] == "web"
    assert incidents[1]["recovery_minutes"] == 360.0
    assert incidents[3]["open_minutes"] == 2160.0  # Jan 27 12:00 -> end of period Jan 29 00:00 = 36 h


def test_service_filter_keeps_one_service() -> None:
    doc = metrics(failures_history(), service="web")
    assert doc["service"] == "web"
    assert doc["change_failure_rate"]["total_deployments"] == 2
    assert doc["change_failure_rate"]["percentage"] == 50.0
    assert doc["time_to_restore_service"]["median_minutes"] == 360.0
    assert doc["change_failure_rate"]["rating"] is None  # 2 deploys: too few


def test_records_out_of_order_give_the_same_metrics() -> None:
    ordered = failures_history() + gaps_history()
    shuffled = list(ordered)
    random.Random(7).shuffle(shuffled)
    assert shuffled != ordered
    assert metrics(shuffled) == metrics(ordered)
    # the restore is found by time, not by position: a pass written before its failure still restores it
    late_fail_first = [record("p", "2026-01-10T01:00:00Z"), record("f", "2026-01-10T00:00:00Z", "fail")]
    assert metrics(late_fail_first)["time_to_restore_service"]["median_minutes"] == 60.0


def test_clock_skew_is_left_out_of_the_lead_time_with_a_note() -> None:
    doc = metrics([record("a", "2026-01-10T12:00:00Z", commits=[
        ("ok", "2026-01-10T11:00:00Z"),  # 60 min
        ("ahead", "2026-01-10T12:05:00Z"),  # committed 5 min after the deploy went live: clock skew
        ("untimed", None),
    ])])
    lt = doc["lead_time_for_changes"]
    assert lt["changes"] == 1
    assert lt["median_minutes"] == 60.0
    assert lt["excluded_clock_skew"] == 1
    assert lt["without_commit_time"] == 1
    assert any("clock skew" in note for note in doc["notes"])


def test_a_commit_deployed_twice_counts_once_at_its_first_deploy() -> None:
    doc = metrics([
        record("x", "2025-12-31T12:00:00Z", commits=[("old", "2025-12-31T11:00:00Z")]),  # before the period
        record("d1", "2026-01-02T06:00:00Z", commits=[("a", "2026-01-02T00:00:00Z")]),  # 6 h
        # redeploy carrying `a` again, `old` again (first deployed before the period) and the new `b` (2 h)
        record("d2", "2026-01-03T02:00:00Z", commits=[("old", "2025-12-31T11:00:00Z"), ("a", "2026-01-02T00:00:00Z"),
                                                      ("b", "2026-01-03T00:00:00Z")]),
    ])
    lt = doc["lead_time_for_changes"]
    assert lt["changes"] == 2  # a and b; not a again, not old
    assert lt["median_minutes"] == 240.0  # (360 + 120) / 2


def test_one_deploy_verified_twice_counts_once_with_its_latest_verdict() -> None:
    first = record("d", "2026-01-05T00:00:00Z", "inconclusive", deploy_id="dep-1", verified="2026-01-05T00:10:00Z")
    again = record("d", "2026-01-05T00:00:00Z", "pass", deploy_id="dep-1", verified="2026-01-05T01:00:00Z")
    loaded = dora.load_deploys([again, first, dict(again)])
    assert len(loaded.deploys) == 1
    assert loaded.deploys[0].verdict == "pass"
    assert loaded.duplicates == 2
    doc = metrics([first, again])
    assert doc["change_failure_rate"]["total_deployments"] == 1
    assert doc["skipped"]["duplicates"] == 1


def test_a_deploy_that_never_went_live_is_in_no_metric() -> None:
    doc = metrics([record("broken-build", None, "fail", verified="2026-01-05T00:00:00Z"),
                   {"commit": "x", "verdict": "pass"},  # no timestamp at all
                   record("ok", "2026-01-06T00:00:00Z")])
    assert doc["change_failure_rate"]["total_deployments"] == 1
    assert doc["change_failure_rate"]["failed_deployments"] == 0
    assert doc["skipped"] == {"not_live": 1, "unreadable": 1, "duplicates": 0}
    assert any("never went live" in note for note in doc["notes"])


def test_deploys_outside_the_period_are_not_counted() -> None:
    doc = metrics([record("before", "2025-12-31T23:59:59Z"), record("first", "2026-01-01T00:00:00Z"),
                   record("at-end", "2026-01-29T00:00:00Z")])
    assert doc["deployment_frequency"]["total_deployments"] == 1  # [start, end): the end is excluded


def test_band_edges_change_failure_rate_five_percent_is_elite() -> None:
    days = [f"2026-01-{day:02d}T{hour:02d}:00:00Z" for day in range(2, 12) for hour in (8, 16)]  # 20 deploys
    records = [record(f"d{i}", live, "fail" if i == 0 else "pass") for i, live in enumerate(days)]
    records.append(record("fix", "2026-01-02T08:30:00Z"))  # 21 deploys, 1 failed: 4.8 %
    assert metrics(records)["change_failure_rate"]["rating"] == "elite"
    records.pop()
    records[1] = record("d1", days[1], "fail")  # 2 of 20 = 10 %: high (the band is <= 10 %)
    cfr = metrics(records)["change_failure_rate"]
    assert cfr["percentage"] == 10.0
    assert cfr["rating"] == "high"


def test_lead_time_of_exactly_one_day_is_high_not_elite() -> None:
    records = [record(f"d{i}", f"2026-01-{10 + i}T12:00:00Z", commits=[(f"c{i}", f"2026-01-{9 + i}T12:00:00Z")])
               for i in range(5)]
    lt = metrics(records)["lead_time_for_changes"]
    assert lt["median_minutes"] == 1440.0
    assert lt["rating"] == "high"  # elite is < 1 day


@pytest.mark.parametrize(("per_week", "expected"), [(5, "elite"), (1, "high")])
def test_deployment_frequency_bands(per_week: int, expected: str) -> None:
    records = []
    for week in range(4):
        for day in range(per_week):
            records.append(record(f"w{week}d{day}", f"2026-01-{1 + week * 7 + day:02d}T10:00:00Z"))
    if len(records) < dora.MIN_DEPLOYS_TO_RATE:
        records.append(record("extra", "2026-01-01T11:00:00Z"))  # same day: no new deploy day
    assert metrics(records)["deployment_frequency"]["rating"] == expected


def test_few_deploy_days_a_month_rate_medium_or_low() -> None:
    end = isotime.epoch("2026-03-02T00:00:00Z")  # 60 days: two whole 30-day months, 8 whole weeks
    assert end is not None
    # five deploys on one day in each month: median 1 deploy day a month -> medium
    records = [record(f"m{m}d{i}", f"2026-{1 + m:02d}-10T1{i}:00:00Z") for m in range(2) for i in range(5)]
    assert metrics(records, end=end)["deployment_frequency"]["rating"] == "medium"
    # all on one day: median of [0, 1] deploy days a month = 0.5 -> low
    records = [record(f"d{i}", f"2026-02-10T1{i}:00:00Z") for i in range(5)]
    assert metrics(records, end=end)["deployment_frequency"]["rating"] == "low"


def test_a_period_shorter_than_a_week_has_no_frequency_rating() -> None:
    records = [record(f"d{i}", f"2026-01-0{1 + i}T10:00:00Z") for i in range(5)]
    end = isotime.epoch("2026-01-06T00:00:00Z")
    assert end is not None
    df = metrics(records, end=end)["deployment_frequency"]
    assert df["total_deployments"] == 5
    assert df["rating"] is None
    assert "shorter than one week" in df["rating_note"]


def test_the_document_has_the_standards_shape() -> None:
    doc = metrics(failures_history())
    for key in ("schema_version", "period_start", "period_end", "deployment_frequency", "lead_time_for_changes",
                "change_failure_rate", "time_to_restore_service"):
        assert key in doc
    assert doc["period_start"] == "2026-01-01T00:00:00Z"
    assert doc["period_end"] == "2026-01-29T00:00:00Z"
    for section in ("deployment_frequency", "lead_time_for_changes", "change_failure_rate", "time_to_restore_service"):
        assert "rating" in doc[section]
        assert set(doc[section]["bands"]) == {"elite", "high", "medium", "low"}
    assert "DevLake" in doc["rating_bands_source"] and "2023" in doc["rating_bands_source"]
    failure = doc["change_failure_rate"]["failures"][0]
    assert {"date", "commit", "reason", "detection_time_minutes", "resolution"} <= set(failure)


def test_detection_time_is_from_live_to_verified_and_never_negative() -> None:
    doc = metrics([record("f", "2026-01-05T00:00:00Z", "fail", verified="2026-01-05T00:12:00Z"),
                   record("g", "2026-01-06T00:00:00Z", "fail", verified="2026-01-05T23:59:00Z")])
    minutes = [f["detection_time_minutes"] for f in doc["change_failure_rate"]["failures"]]
    assert minutes == [12.0, 0.0]


def test_an_empty_history_is_a_report_of_nothing() -> None:
    doc = metrics([])
    assert doc["deployment_frequency"]["total_deployments"] == 0
    assert doc["lead_time_for_changes"]["median_minutes"] is None
    assert doc["change_failure_rate"]["percentage"] is None
    assert doc["time_to_restore_service"]["median_minutes"] is None


def test_an_empty_period_is_refused() -> None:
    with pytest.raises(ValueError):
        dora.compute(dora.load_deploys([]), start=END, end=START)


_live_minutes = st.integers(min_value=0, max_value=28 * 24 * 60 - 1)
_deploy = st.tuples(_live_minutes, st.sampled_from(["pass", "fail", "inconclusive"]), st.sampled_from(["api", "web"]),
                    st.integers(min_value=-120, max_value=30 * 24 * 60))


@settings(max_examples=60, deadline=None)
@given(st.lists(_deploy, max_size=40), st.randoms(use_true_random=False))
def test_any_history_gives_consistent_metrics_in_any_order(deploys: list[tuple[int, str, str, int]],
                                                          rng: random.Random) -> None:
    records = []
    for index, (minute, verdict, service, lead_minutes) in enumerate(deploys):
        live = START + minute * 60
        records.append(record(f"d{index}", isotime.iso(live), verdict, service=service,
                              commits=[(f"c{index}", isotime.iso(live - lead_minutes * 60))]))
    doc = metrics(records)
    shuffled = list(records)
    rng.shuffle(shuffled)
    assert metrics(shuffled) == doc
    cfr, lt, ttr = doc["change_failure_rate"], doc["lead_time_for_changes"], doc["time_to_restore_service"]
    assert cfr["passed_deployments"] + cfr["failed_deployments"] + cfr["inconclusive_deployments"] == len(records)
    assert len(cfr["failures"]) == cfr["failed_deployments"]
    if cfr["percentage"] is not None:
        assert 0 <= cfr["percentage"] <= 100
    assert ttr["restored"] + ttr["open"] == ttr["incidents"] == len(ttr["incident_list"])
    assert ttr["incidents"] <= cfr["failed_deployments"]
    assert lt["changes"] + lt["excluded_clock_skew"] == len(records)
    if lt["changes"]:
        assert 0 <= lt["median_minutes"] <= lt["p95_minutes"]
    if ttr["restored"]:
        assert 0 <= ttr["median_minutes"] <= ttr["p95_minutes"]


# -- issue 15 item 1: a deploy is a deploy ----------------------------------------------------------------


def _no_api(commit: str, seen_serving: str, verdict: str, verified: str, **extra: Any) -> dict[str, Any]:
    """A verification without the Render API: no deploy id; live time = when it saw the commit serving."""
    rec = record(commit, seen_serving, verdict, verified=verified, **extra)
    rec["deploy_id"] = None
    return rec


def test_an_old_record_of_a_failed_build_is_no_deploy() -> None:
    """Old records wrote the failed build's finishedAt as deploy_live_at; every gate but deploy was skipped."""
    broken = record("broken", "2026-01-05T00:00:00Z", "fail", reason="deploy: build failed")
    broken["gates"] = [{"name": "deploy", "status": "failed", "summary": "deploy dep-1 of broken failed: build"},
                       {"name": "health", "status": "skipped", "summary": "not run: the deploy is not live"}]
    crash = record("crashing", "2026-01-06T00:00:00Z", "fail", reason="deploy: crash loop")
    crash["gates"] = [{"name": "deploy", "status": "failed", "summary": "deploy dep-2 is crash-looping"},
                      {"name": "health", "status": "failed", "summary": "503"}]
    doc = metrics([broken, crash, record("ok", "2026-01-07T00:00:00Z")])
    assert doc["change_failure_rate"]["total_deployments"] == 2  # the crash-looping deploy went live
    assert doc["change_failure_rate"]["failed_deployments"] == 1
    assert doc["skipped"]["not_live"] == 1
    assert [i["failed_commits"] for i in doc["time_to_restore_service"]["incident_list"]] == [[sha("crashing")]]


def test_without_deploy_ids_eight_deploys_verified_thirteen_times_are_eight_deploys() -> None:
    """The issue's case: each blocked push and each MOSAIC_FIX re-check verified a deploy again."""
    records = []
    for day in range(1, 9):
        name, seen = f"d{day}", f"2026-01-{day + 1:02d}T10:00:00Z"
        failing = day % 2 == 0  # d2, d4, d6, d8 fail when first verified
        records.append(_no_api(name, seen, "fail" if failing else "pass", f"2026-01-{day + 1:02d}T10:05:00Z"))
        if failing and day != 8:
            # the next push is blocked: production (this deploy) is checked again, still failing ...
            records.append(_no_api(name, f"2026-01-{day + 1:02d}T12:00:00Z", "fail",
                                   f"2026-01-{day + 1:02d}T12:00:30Z"))
        if day == 8:
            # ... and the fixes of d8 are re-checked with MOSAIC_FIX: it still fails, then the fix is elsewhere
            records += [_no_api(name, f"2026-01-09T1{h}:00:00Z", "fail", f"2026-01-09T1{h}:00:30Z",
                                remediation=True) for h in (1, 2)]
    assert len(records) == 13
    doc = metrics(records)
    cfr = doc["change_failure_rate"]
    assert cfr["total_deployments"] == 8
    assert (cfr["failed_deployments"], cfr["percentage"]) == (4, 50.0)
    assert doc["skipped"]["duplicates"] == 5
    # each failed deploy went live at the time it was first seen serving
    assert [f["deployed_at"] for f in cfr["failures"]] == [f"2026-01-{d + 1:02d}T10:00:00Z" for d in (2, 4, 6, 8)]


def test_a_later_verification_updates_the_verdict_of_the_deploy() -> None:
    first = _no_api("d", "2026-01-05T10:00:00Z", "inconclusive", "2026-01-05T10:05:00Z")
    later = _no_api("d", "2026-01-05T11:00:00Z", "fail", "2026-01-05T11:00:10Z")
    doc = metrics([later, first])  # file order does not matter: the latest verification decides
    assert doc["change_failure_rate"]["failed_deployments"] == 1
    assert doc["change_failure_rate"]["failures"][0]["deployed_at"] == "2026-01-05T10:00:00Z"


def test_lead_time_ends_when_the_deploy_was_first_seen_serving_not_at_a_later_verify() -> None:
    commits = [("c", "2026-01-05T08:00:00Z")]
    doc = metrics([_no_api("d", "2026-01-05T10:00:00Z", "pass", "2026-01-05T10:01:00Z", commits=commits),
                   _no_api("d", "2026-01-07T10:00:00Z", "pass", "2026-01-07T10:01:00Z", commits=commits)])
    assert doc["lead_time_for_changes"]["changes"] == 1
    assert doc["lead_time_for_changes"]["median_minutes"] == 120.0
    assert doc["deployment_frequency"]["total_deployments"] == 1


def test_a_record_without_a_service_belongs_to_the_configured_service() -> None:
    before = record("d", "2026-01-05T10:00:00Z", "pass", service=None)
    again = record("d", "2026-01-05T10:00:00Z", "fail", service="srv-1", verified="2026-01-05T11:00:00Z",
                   deploy_id=before["deploy_id"])
    loaded = dora.load_deploys([before, again], service="srv-1", default_service="srv-1")
    assert [(d.service, d.verdict) for d in loaded.deploys] == [("srv-1", "fail")]
    assert loaded.duplicates == 1


def test_repeated_commits_get_the_same_lead_values_from_the_set_and_from_the_flat_table(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # the set finds repeats below deploy_table._SET_LIMIT commits, the flat table above: the same answer,
    # whatever the size hint; commits repeat within and across services (a repeat is counted at its first deploy)
    rng = random.Random(7)
    records = []
    assert START is not None
    for index in range(300):
        live_at = START + index * 3600 + rng.random() * 60
        commits: list[tuple[str, str | None]] = [
            (f"c{rng.randrange(120)}", isotime.iso(live_at - rng.randrange(1, 90_000)))
            for _ in range(rng.randint(1, 3))]
        records.append(record(f"d{index}", isotime.iso(live_at), rng.choice(["pass", "pass", "fail"]),
                              service=rng.choice(["api", "worker"]), commits=commits))

    def lead_values(expected: int) -> list[str]:
        return [repr(v) for v in dora.load_deploys(records, expected=expected).occ_lead]

    by_set = lead_values(0)
    assert "-inf" in by_set and any(v not in ("-inf", "nan") for v in by_set)
    monkeypatch.setattr(deploy_table, "_SET_LIMIT", 0)
    assert lead_values(0) == by_set
    assert lead_values(10_000_000) == by_set

"""The deploy table reads a history two ways: the writer's lines as typed summaries, column by column, and
anything else as dicts, record by record. Both ways make the same table of the same lines."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mosaic_hooks.core import git
from mosaic_hooks.gates.result import GateResult
from mosaic_hooks.records import deploy_table, history
from mosaic_hooks.records.deploy_table import DeployTable, Summary
from mosaic_hooks.render.outcome import WaitOutcome
from mosaic_hooks.verification.model import Verification
from mosaic_hooks.verification.verdict import decide
from mosaic_hooks.verification.verify import build_record


def written_record(sha: str, status: str = "passed", *, live: str = "2026-01-10T12:00:00.250Z",
                   deploy_id: str = "dep-1") -> dict[str, Any]:
    """A record as `mosaic-hooks verify` writes it: build_record of a run, with its id."""
    results = [GateResult("deploy", "passed", "deploy dep-1 is live", evidence=["live"]),
               GateResult("health", status, "GET /health 200", evidence=["200"])]  # type: ignore[arg-type]
    run = Verification(commit=sha, base="b" * 40, verdict=decide(results), results=results,
                       outcome=WaitOutcome("live", sha, "live", deploy={"id": deploy_id, "finishedAt": live}),
                       changes=None, started_at="2026-01-10T12:01:00Z", finished_at="2026-01-10T12:02:00Z",
                       duration_s=60.0, service="srv-api")
    commits = [git.Commit(sha, "", 1768046400, 1768046300)]
    return dict(history.identified(build_record(run, commits)))


def write(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"".join(line.rstrip(b"\n") + b"\n" for line in lines))
    return path


def test_the_writers_records_are_read_as_summaries(tmp_path: Path) -> None:
    path = write(tmp_path / "h.jsonl", [history.encode(written_record("a" * 40)),
                                        history.encode(written_record("b" * 40, "failed"))])
    (batch,) = history.iter_batches(path, [], decoder=deploy_table.SUMMARY_DECODER)
    assert [type(item) for item in batch] == [Summary, Summary]
    assert batch[1].verdict == "fail" and batch[1].deploy_live_at is not None


def test_a_batch_with_a_line_of_another_shape_comes_as_dicts(tmp_path: Path) -> None:
    odd = written_record("b" * 40)
    odd["timestamp"] = "2026-01-10T12:02:00"  # no offset: read as UTC, the general way
    path = write(tmp_path / "h.jsonl", [history.encode(written_record("a" * 40)), history.encode(odd)])
    (batch,) = history.iter_batches(path, [], decoder=deploy_table.SUMMARY_DECODER)
    assert [type(item) for item in batch] == [dict, dict]


def test_a_byte_broken_anywhere_in_a_line_is_noticed(tmp_path: Path) -> None:
    good = history.encode(written_record("a" * 40))
    broken = history.encode(written_record("b" * 40)).replace(b'"migrations"', b'"migr', 1)
    broken = broken.replace(b'"summary":"GET /health 200"', b'"summary":"GET /health 200', 1)
    warnings: list[str] = []
    batches = list(history.iter_batches(write(tmp_path / "h.jsonl", [good, broken]), warnings,
                                        decoder=deploy_table.SUMMARY_DECODER))
    assert [len(batch) for batch in batches] == [1]
    assert warnings == ["h.jsonl line 2: not a complete JSON record (cut by a crash?), skipped"]


def table_state(table: DeployTable) -> dict[str, Any]:
    """Everything the metrics read of a table (NaN made comparable)."""
    return {
        "deploys": table.deploys,
        "lead": [repr(value) for value in table.occ_lead],
        "counts": list(table.occ_count),
        "skipped": (table.not_live, table.unreadable, table.duplicates),
    }


def both_ways(path: Path, chunk: int, **options: Any) -> tuple[dict[str, Any], dict[str, Any], int]:
    """(table of the typed reading, table of the dict reading, how many batches were not read typed)."""
    typed_batches = list(history.iter_batches(path, [], decoder=deploy_table.SUMMARY_DECODER, chunk=chunk))
    typed = deploy_table.load(typed_batches, **options)
    general = deploy_table.load(history.iter_batches(path, [], chunk=chunk), **options)
    as_dicts = sum(1 for batch in typed_batches if batch and type(batch[0]) is not Summary)
    return table_state(typed), table_state(general), as_dicts


_SHAS = st.sampled_from(["a" * 40, "b" * 40, "0123456789" * 4, "ab" * 20, "c1".ljust(40, "."), "F" * 40,
                         "12 " + "d" * 37, "e" * 39])
_TIMES = st.sampled_from(["2026-01-10T12:00:00Z", "2026-01-10T12:00:00.250Z", "2026-01-10T14:00:00+02:00",
                          "2026-01-10T12:00:00.1234565Z", "2026-01-11T09:30:00Z", "2026-01-09T23:59:59.999Z"])
_ODD_TIMES = st.sampled_from(["2026-01-10T12:00:00", "2026-01-10", "soon", ""])


@st.composite
def a_record(draw: st.DrawFn) -> dict[str, Any]:
    """A record in the writer's layout, now and then with a field of another shape."""
    odd = draw(st.integers(0, 19)) == 0
    times = _ODD_TIMES if odd else _TIMES
    record: dict[str, Any] = {
        "schema": 1,
        "timestamp": draw(times),
        "commit": draw(_SHAS),
        "success": draw(st.booleans()),
        "verdict": draw(st.sampled_from(["pass", "pass", "fail", "inconclusive"] + (["weird"] if odd else []))),
        "failure_reason": draw(st.sampled_from([None, "failed: health (503)", "failed: endpoints"])),
        "service": draw(st.sampled_from(["srv-api", "srv-worker", None, ""] + ([3] if odd else []))),
        "deploy_id": draw(st.sampled_from([None, "", "dep-1", "dep-2", "dep-3"] + ([7] if odd else []))),
        "deploy_live_at": draw(st.one_of(st.none(), times)),
        "commits": draw(st.lists(st.fixed_dictionaries(
            {"sha": _SHAS, "committed_at": st.one_of(st.none(), times) if odd else times,
             "authored_at": st.one_of(st.none(), times)}),
            max_size=3)),
        "remediation": draw(st.sampled_from([True, False, None, 1])),
        "gates": draw(st.sampled_from([
            [{"name": "deploy", "status": "passed", "summary": "live"}, {"name": "health", "status": "failed"}],
            [{"name": "deploy", "status": "failed", "summary": "build failed"},
             {"name": "health", "status": "skipped", "summary": "not run"}],  # an old record of a failed build
            [], None])),
        "kind": "push",
        "id": draw(st.uuids()).hex,
    }
    for name in draw(st.lists(st.sampled_from(["service", "deploy_id", "deploy_live_at", "commits"]), max_size=1)):
        del record[name]
    return record


@settings(max_examples=150, deadline=None)
@given(records=st.lists(a_record(), max_size=40), chunk=st.sampled_from([1, 600, 1 << 20]),
       service=st.sampled_from([None, "srv-api"]), default_service=st.sampled_from([None, "srv-api"]))
def test_summaries_and_dicts_make_the_same_table(tmp_path_factory: Any, records: list[dict[str, Any]], chunk: int,
                                                  service: str | None, default_service: str | None) -> None:
    path = tmp_path_factory.mktemp("h") / "h.jsonl"
    write(path, [json.dumps(record, separators=(",", ":")).encode() for record in records])
    typed, general, _ = both_ways(path, chunk, service=service, default_service=default_service)
    assert typed == general


def test_the_same_table_is_made_when_most_batches_are_read_typed(tmp_path: Path) -> None:
    """The property above, on a history whose batches are (nearly all) summaries: duplicates across batches,
    out of order, odd commits, failed builds."""
    lines = []
    for i in range(400):
        record = written_record(f"{i % 150:040x}", "failed" if i % 7 == 0 else "passed",
                                live=f"2026-01-{10 + (i * 37) % 17:02d}T12:{i % 60:02d}:00.{i:03d}Z",
                                deploy_id=f"dep-{i - 1 if i % 9 == 0 else i}")  # every 9th verifies a deploy again
        if i % 11 == 0:
            record["commit"] = record["commits"][0]["sha"] = f"C{i:039d}"  # not lowercase hex
        if i % 13 == 0:
            record["deploy_live_at"] = None  # a build that failed
        lines.append(history.encode(record))
    lines.insert(200, b'{"timestamp": "2026-01-10T12:00:00"}')  # one batch of dicts in between
    typed, general, as_dicts = both_ways(write(tmp_path / "h.jsonl", lines), 16 * 1024)
    assert as_dicts == 1
    assert typed == general
    assert typed["skipped"][2] > 0 and any(math.isinf(float(v)) for v in typed["lead"])  # duplicates, repeats

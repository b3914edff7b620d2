"""The records survive concurrency and crashes: real processes append to the history at once, are killed
(SIGKILL) in the middle of an append or of rewriting `dora_metrics.json`, or interrupted (SIGINT) while
`mosaic-hooks verify` waits for a deploy. Files are judged by the strict readers of tests/support/processes.py,
not only by the product's own (forgiving) reader."""

from __future__ import annotations

import json
import os
import signal
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from mosaic_hooks.records import history
from mosaic_hooks.testing.render_fake import RenderFake
from tests.conftest import commit_files, git, run_cli
from tests.support import fuzz
from tests.support.processes import (
    Child,
    file_grew,
    python_code,
    read_json_strictly,
    read_jsonl_strictly,
    run_together,
    temp_file_appeared,
)
from tests.support.reliability_log import ReliabilityLog, has_traceback

CHECKOUT = str(Path(__file__).resolve().parents[2])
WRITERS = 20
RECORDS_EACH = 25

# One child's work: append records through the real history.append, printing each acknowledged number.
APPENDER = """
import hashlib, sys
from mosaic_hooks.records import history
from tests.support.dora_records import record
path, writer, count, pad = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
for i in range(count if count >= 0 else 10**9):
    # Some lines larger than PIPE_BUF (4096): an interleaving write would show there first.
    reason = "x" * (pad * (i % 3))
    rec = record(f"{writer}-{i}", "2026-11-24T18:00:00Z", "fail" if reason else "pass", deploy_id=f"{writer}/{i}",
                 reason=reason or None)
    rec["commit"] = hashlib.sha1(rec["deploy_id"].encode()).hexdigest()
    history.append(__import__("pathlib").Path(path), rec)
    print(i, flush=True)
"""


def _env() -> dict[str, str]:
    current = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": os.pathsep.join([CHECKOUT, *([current] if current else [])])}


def _appender(path: Path, writer: str, count: int, pad: int) -> list[str]:
    return [*python_code(APPENDER), str(path), writer, str(count), str(pad)]


def test_twenty_processes_appending_at_once_lose_and_tear_no_line(tmp_path: Path,
                                                                  reliability_log: ReliabilityLog) -> None:
    path = tmp_path / ".mosaic" / "deployment_history.jsonl"
    results = run_together([_appender(path, f"w{n}", RECORDS_EACH, 3000) for n in range(WRITERS)],
                           cwd=tmp_path, env=_env(), timeout=60)
    assert all(result.returncode == 0 for result in results), [r.stderr for r in results if r.returncode]
    strict = read_jsonl_strictly(path)
    expected = {f"w{n}/{i}" for n in range(WRITERS) for i in range(RECORDS_EACH)}
    found = [record["deploy_id"] for record in strict.records]
    invalid = len(strict.bad_lines) + sum(bool(fuzz.history_record_problems(r)) for r in strict.records)
    reliability_log.records(f"{WRITERS} processes x {RECORDS_EACH} appends at once", expected=len(expected),
                            found=len(set(found) & expected), invalid=invalid)
    assert strict.whole, strict.bad_lines[:3]
    assert sorted(found) == sorted(expected)  # every line present, once
    assert invalid == 0
    records, warnings = history.read(path)
    assert len(records) == len(expected) and warnings == []


def test_a_process_killed_mid_append_leaves_a_readable_history_and_the_next_append_works(
        tmp_path: Path, reliability_log: ReliabilityLog) -> None:
    path = tmp_path / ".mosaic" / "deployment_history.jsonl"
    with Child(_appender(path, "killed", -1, 200_000), cwd=tmp_path, env=_env()) as child:
        landed = child.wait_for(file_grew(path, 3_000_000), timeout=30)
        child.signal(signal.SIGKILL)
    result = child.finish()
    assert landed and result.killed_by == signal.SIGKILL
    acknowledged = {f"killed/{line}" for line in result.stdout.split()}
    records, _warnings = history.read(path)  # readable: at most a torn last line, skipped with a warning
    strict = read_jsonl_strictly(path)
    assert len(strict.bad_lines) <= 1 and all(n == max(n for n, _ in strict.bad_lines) for n, _ in strict.bad_lines)

    after = run_together([_appender(path, "next", 1, 0)], cwd=tmp_path, env=_env())[0]
    assert after.returncode == 0, after.stderr
    records, _warnings = history.read(path)
    ids = {record["deploy_id"] for record in records}
    lost = len(acknowledged - ids)
    reliability_log.records("SIGKILL in the middle of appends", expected=len(acknowledged) + 1,
                            found=len(acknowledged & ids) + ("next/0" in ids), invalid=0,
                            torn_lines=len(strict.bad_lines))
    assert lost == 0  # every append that returned is on disk
    assert records[-1]["deploy_id"] == "next/0"  # the next run's record starts on its own line
    assert read_jsonl_strictly(path).torn_tail is False


def test_a_line_cut_short_by_a_crash_costs_only_that_line(tmp_path: Path, reliability_log: ReliabilityLog) -> None:
    path = tmp_path / "deployment_history.jsonl"
    for n in range(3):
        history.append(path, {"schema": 1, "deploy_id": f"kept/{n}", "commit": "a" * 40, "success": True})
    whole = path.read_bytes()
    history.append(path, {"schema": 1, "deploy_id": "torn", "commit": "b" * 40, "success": True})
    torn = path.read_bytes()
    path.write_bytes(torn[: len(whole) + (len(torn) - len(whole)) // 2])  # as a power cut leaves it
    history.append(path, {"schema": 1, "deploy_id": "after", "commit": "c" * 40, "success": True})
    records, warnings = history.read(path)
    ids = [record["deploy_id"] for record in records]
    reliability_log.records("a line cut short, then one more append", expected=4, found=len(ids))
    assert ids == ["kept/0", "kept/1", "kept/2", "after"]
    assert len(warnings) == 1 and "line 4" in warnings[0]


METRICS_LOOP = """
import sys
from pathlib import Path
from mosaic_hooks.core import config
from mosaic_hooks.records import dora_files
cfg = config.load(Path(sys.argv[1]), env={})
n = 0
while True:
    dora_files.refresh_metrics(cfg)
    n += 1
    print(n, flush=True)
"""


@pytest.fixture
def big_history(tmp_path: Path) -> Path:
    from tests.support.dora_records import record

    root = tmp_path / "svc"
    (root / ".mosaic").mkdir(parents=True)
    git(root, "init", "-q")  # `dora`, like every command, runs inside a repository
    lines = [record(f"c{i}", f"2026-11-{(i % 20) + 1:02d}T10:00:00Z", "pass" if i % 4 else "fail",
                    commits=[(f"c{i}", f"2026-11-{(i % 20) + 1:02d}T09:00:00Z")]) for i in range(2000)]
    history.append_many(root / ".mosaic" / "deployment_history.jsonl", lines)
    return root


def test_a_process_killed_while_writing_the_metrics_leaves_them_whole_and_the_next_run_works(
        big_history: Path, reliability_log: ReliabilityLog) -> None:
    mosaic = big_history / ".mosaic"
    metrics = mosaic / "dora_metrics.json"
    history_before = (mosaic / "deployment_history.jsonl").read_bytes()
    hits = 0
    for _attempt in range(3):
        with Child([*python_code(METRICS_LOOP), str(big_history)], cwd=big_history, env=_env()) as child:
            # Wait for a rewrite in progress (its temporary file exists), then kill.
            landed = child.wait_for(temp_file_appeared(mosaic, ".dora_metrics.json.*.tmp"), timeout=30)
            child.signal(signal.SIGKILL)
        assert child.finish().killed_by == signal.SIGKILL
        hits += landed
        if metrics.exists():
            read_json_strictly(metrics)  # old or new, never half
    assert hits >= 1, "no kill landed while the metrics file was being rewritten"
    assert (mosaic / "deployment_history.jsonl").read_bytes() == history_before
    proc = run_cli("dora", "--json", cwd=big_history)  # the next run
    records, warnings = history.read(mosaic / "deployment_history.jsonl")
    reliability_log.records("SIGKILL while dora_metrics.json is rewritten, then `dora`", expected=2000,
                            found=len(records), invalid=len(warnings), kills_in_window=hits,
                            stale_temp_files=len(list(mosaic.glob(".dora_metrics.json.*.tmp"))))
    assert proc.returncode == 0 and not has_traceback(proc.stderr), proc.stderr
    written = read_json_strictly(metrics)
    assert {key: value for key, value in written.items() if key != "generated_at"} == json.loads(proc.stdout)
    assert len(records) == 2000 and warnings == []
    assert list(mosaic.glob(".dora_metrics.json.*.tmp")) == []  # the killed writers' temp files are cleaned up


@pytest.fixture(scope="module")
def render() -> Iterator[RenderFake]:
    with RenderFake(get_limit_per_minute=100_000) as fake:
        yield fake


def test_ctrl_c_while_verify_waits_for_the_deploy_exits_130_with_files_intact(
        repo: Path, render: RenderFake, reliability_log: ReliabilityLog) -> None:
    base = commit_files(repo, {"app.py": "x = 1\n"}, "service")
    head = commit_files(repo, {"app.py": "x = 2\n"}, "change")
    mosaic = repo / ".mosaic"
    mosaic.mkdir(exist_ok=True)
    (mosaic / "config.toml").write_text('backend_url = "http://127.0.0.1:9"\npoll_interval = 0.1\n'
                                        "wait_timeout = 30\nrequest_timeout = 1\ncrash_watch_s = 0\n")
    earlier = history.encode({"schema": 1, "timestamp": "2026-11-24T17:00:00Z", "commit": base, "success": True,
                              "verdict": "pass", "deploy_id": "dep-earlier"})
    (mosaic / "deployment_history.jsonl").write_bytes(earlier)
    (mosaic / "dora_metrics.json").write_text('{"kept": true}\n')
    service = f"srv-{uuid.uuid4().hex[:12]}"
    render.add_service(service, timeline=[("build_in_progress", 60), ("live", 0)])
    render.push(head, "change")
    argv = [sys.executable, "-m", "mosaic_hooks", "verify", "--base", base]
    with Child(argv, cwd=repo, env={**os.environ, **render.env(service)}) as child:
        waiting = child.wait_for(lambda: ": building" in child.stderr(), timeout=20)
        child.signal(signal.SIGINT)
    result = child.finish(timeout=20)
    strict = read_jsonl_strictly(mosaic / "deployment_history.jsonl")
    reliability_log.records("Ctrl-C while verify waits for the deploy", expected=1, found=len(strict.records),
                            invalid=len(strict.bad_lines), exit_code=result.returncode)
    assert waiting, result.stderr
    assert result.returncode == 130, result.stdout + result.stderr
    assert result.stderr.strip().endswith("mosaic-hooks: interrupted") and not has_traceback(result.stderr)
    assert (mosaic / "deployment_history.jsonl").read_bytes() == earlier
    assert read_json_strictly(mosaic / "dora_metrics.json") == {"kept": True}
    assert list(mosaic.glob(".*.tmp")) == []

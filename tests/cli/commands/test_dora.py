"""`mosaic-hooks dora` as a user runs it, in a real repository."""

from __future__ import annotations

import json
import time
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from mosaic_hooks.core import isotime
from mosaic_hooks.records import history
from tests.conftest import run_cli, run_cli_reader_gone
from tests.support.dora_records import record, sha


def _write_history(repo: Path) -> Path:
    path = repo / ".mosaic" / "deployment_history.jsonl"
    history.append_many(path, [
        record("a", "2026-01-02T10:00:00Z", commits=[("c1", "2026-01-02T09:00:00Z")]),
        record("b", "2026-01-05T10:00:00Z", "fail", reason="new endpoint /items: 404"),
        record("c", "2026-01-05T10:45:00Z", commits=[("c2", "2026-01-05T10:15:00Z")]),
        record("w", "2026-01-06T10:00:00Z", service="web"),
        record("late", "2026-02-10T10:00:00Z"),
    ])
    return path


def test_a_period_by_dates_prints_a_summary_and_writes_the_metrics_file(repo: Path) -> None:
    _write_history(repo)
    proc = run_cli("dora", "--since", "2026-01-01", "--until", "2026-01-31", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "DORA metrics 2026-01-01T00:00:00Z .. 2026-02-01T00:00:00Z" in out  # --until includes its day
    assert "4 deploys" in out
    assert "25.0 %" in out  # 1 failed of 4
    assert "median 45 min" in out  # time to restore: b -> c
    assert "too few deploys to rate" in out
    assert "DevLake" in out
    doc = json.loads((repo / ".mosaic" / "dora_metrics.json").read_text())
    assert doc["period_start"] == "2026-01-01T00:00:00Z"
    assert doc["change_failure_rate"]["failures"][0]["commit"] == sha("b")


def test_json_prints_the_document(repo: Path) -> None:
    _write_history(repo)
    proc = run_cli("dora", "--since", "2026-01-01", "--until", "2026-01-31", "--service", "web", "--json", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["service"] == "web"
    assert doc["deployment_frequency"]["total_deployments"] == 1


def test_the_default_period_is_the_last_30_days(repo: Path) -> None:
    path = repo / ".mosaic" / "deployment_history.jsonl"
    now = time.time()
    history.append_many(path, [record("recent", isotime.iso(now - 5 * 86400)),
                               record("old", isotime.iso(now - 40 * 86400))])
    proc = run_cli("dora", "--json", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["period_days"] == 30.0
    assert doc["deployment_frequency"]["total_deployments"] == 1


def test_bad_dates_are_one_line_and_exit_2(repo: Path) -> None:
    for args, message in (
        (("--since", "2026-13-01"), "--since: '2026-13-01' is not a date"),
        (("--until", "yesterday"), "--until: 'yesterday' is not a date"),
        (("--since", "2026-02-01", "--until", "2026-01-01"), "the period is empty"),
    ):
        proc = run_cli("dora", *args, cwd=repo)
        assert proc.returncode == 2
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1, proc.stderr
        assert message in lines[0]
        assert "Traceback" not in proc.stderr
    assert not (repo / ".mosaic" / "dora_metrics.json").exists()


def test_html_and_openmetrics_files_are_written(repo: Path, tmp_path: Path) -> None:
    _write_history(repo)
    page, prom = tmp_path / "out" / "dora.html", tmp_path / "dora.prom"
    proc = run_cli("dora", "--since", "2026-01-01", "--until", "2026-01-31", "--html", str(page),
                   "--openmetrics", str(prom), cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert f"wrote {repo / '.mosaic' / 'dora_metrics.json'}, {page}, {prom}" in proc.stdout
    assert page.read_text().startswith("<!DOCTYPE html>")
    families = {f.name: f for f in text_string_to_metric_families(prom.read_text())}
    assert families["mosaic_dora_deployments"].samples[0].value == 4


def test_broken_history_lines_are_warned_about_on_stderr(repo: Path) -> None:
    path = _write_history(repo)
    with path.open("ab") as handle:
        handle.write(b'{"cut by a cra')
    proc = run_cli("dora", "--since", "2026-01-01", "--until", "2026-01-31", cwd=repo)
    assert proc.returncode == 0
    assert "warning: deployment_history.jsonl line 6: not a complete JSON record" in proc.stderr
    assert "4 deploys" in proc.stdout


def test_without_a_history_it_says_so(repo: Path) -> None:
    proc = run_cli("dora", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert "no deployment history yet" in proc.stdout
    assert "0 deploys" in proc.stdout


def test_the_history_dir_setting_is_honoured(repo: Path) -> None:
    (repo / ".mosaic").mkdir()
    (repo / ".mosaic" / "config.toml").write_text('history_dir = "ops/dora"\n')
    history.append(repo / "ops" / "dora" / "deployment_history.jsonl", record("a", isotime.iso(time.time() - 60)))
    proc = run_cli("dora", "--json", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["deployment_frequency"]["total_deployments"] == 1
    assert (repo / "ops" / "dora" / "dora_metrics.json").is_file()


# -- issue 15 item 4: odd input is not an internal error --------------------------------------------------


def test_a_line_of_100000_nested_brackets_is_skipped_with_a_warning(repo: Path) -> None:
    path = _write_history(repo)
    with path.open("ab") as handle:
        handle.write(b"[" * 100_000 + b"]" * 100_000 + b"\n")
    history.append(path, record("after", "2026-01-07T10:00:00Z"))
    proc = run_cli("dora", "--since", "2026-01-01", "--until", "2026-01-31", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert "warning: deployment_history.jsonl line 6: nested too deeply to read, skipped" in proc.stderr
    assert "internal error" not in proc.stderr
    assert "5 deploys" in proc.stdout


def test_a_reader_that_stops_early_ends_dora_quietly(repo: Path) -> None:
    _write_history(repo)
    proc = run_cli_reader_gone("dora", "--since", "2026-01-01", cwd=repo)
    assert (proc.returncode, proc.stderr) == (0, "")


def test_a_view_of_one_service_never_overwrites_the_metrics_file(repo: Path) -> None:
    _write_history(repo)
    assert run_cli("dora", "--since", "2026-01-01", "--until", "2026-01-31", cwd=repo).returncode == 0
    metrics = repo / ".mosaic" / "dora_metrics.json"
    every_service = metrics.read_bytes()
    for service in ("nosuch", "web"):
        proc = run_cli("dora", "--since", "2026-01-01", "--until", "2026-01-31", "--service", service, cwd=repo)
        assert proc.returncode == 0, proc.stderr
        assert f"not written: it holds every service, this is a view of {service}" in proc.stdout
    assert metrics.read_bytes() == every_service
    assert json.loads(every_service)["deployment_frequency"]["total_deployments"] == 4


def test_outside_a_repository_dora_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    outside = tmp_path / "not-a-repo"
    outside.mkdir()
    proc = run_cli("dora", cwd=outside, env={"GIT_CEILING_DIRECTORIES": str(tmp_path)})
    assert proc.returncode == 2
    assert proc.stderr.startswith("mosaic-hooks: ") and len(proc.stderr.splitlines()) == 1
    assert list(outside.iterdir()) == []


def test_records_without_a_service_count_as_the_configured_service(repo: Path) -> None:
    path = repo / ".mosaic" / "deployment_history.jsonl"
    history.append_many(path, [record("a", "2026-01-02T10:00:00Z", service=None),
                               record("b", "2026-01-03T10:00:00Z", service="srv-1")])
    proc = run_cli("dora", "--since", "2026-01-01", "--until", "2026-01-31", "--service", "srv-1", "--json",
                   cwd=repo, env={"RENDER_SERVICE_ID": "srv-1"})
    assert json.loads(proc.stdout)["deployment_frequency"]["total_deployments"] == 2

"""dora_metrics.json: recomputed from the history file and replaced atomically."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from mosaic_hooks.core import config, isotime
from mosaic_hooks.records import dora_files, history
from mosaic_hooks.records.history import HistoryError
from tests.support.dora_records import record


def _ago(days: float) -> str:
    return isotime.iso(time.time() - days * 86400)


def test_refresh_metrics_writes_the_last_30_days_of_the_history(tmp_path: Path) -> None:
    cfg = config.load(tmp_path, env={})
    path = history.history_file(cfg.history_path)
    history.append_many(path, [
        record("old", _ago(45)),  # outside the default period
        record("a", _ago(10)),
        record("b", _ago(3), "fail"),
        record("c", _ago(2)),
    ])
    dora_files.refresh_metrics(cfg)
    doc = json.loads((tmp_path / ".mosaic" / "dora_metrics.json").read_text())
    assert doc["schema_version"] == "1.0"
    assert doc["deployment_frequency"]["total_deployments"] == 3
    assert doc["change_failure_rate"]["failed_deployments"] == 1
    assert doc["time_to_restore_service"]["restored"] == 1
    assert doc["period_days"] == 30.0
    start, end = isotime.epoch(doc["period_start"]), isotime.epoch(doc["period_end"])
    assert start is not None and end is not None
    assert abs(end - time.time()) < 60
    assert "generated_at" in doc


def test_refresh_metrics_without_a_history_writes_an_empty_report(tmp_path: Path) -> None:
    cfg = config.load(tmp_path, env={})
    dora_files.refresh_metrics(cfg)
    doc = json.loads((tmp_path / ".mosaic" / "dora_metrics.json").read_text())
    assert doc["deployment_frequency"]["total_deployments"] == 0


def test_refresh_metrics_skips_broken_lines(tmp_path: Path) -> None:
    cfg = config.load(tmp_path, env={})
    path = history.history_file(cfg.history_path)
    history.append(path, record("a", _ago(1)))
    with path.open("ab") as handle:
        handle.write(b'{"cut')
    loaded, warnings = dora_files.load_history(path)
    assert len(loaded.deploys) == 1
    assert warnings == ["deployment_history.jsonl line 2: not a complete JSON record (cut by a crash?), skipped"]
    dora_files.refresh_metrics(cfg)
    assert json.loads(dora_files.metrics_file(cfg.history_path).read_text())["deployment_frequency"][
        "total_deployments"] == 1


def test_the_metrics_file_is_replaced_whole_and_no_temporary_file_is_left(tmp_path: Path) -> None:
    target = tmp_path / "dora_metrics.json"
    target.write_text("old content")
    old_inode = os.stat(target).st_ino
    dora_files.write_metrics(target, {"schema_version": "1.0"}, generated_at=0)
    assert json.loads(target.read_text()) == {"schema_version": "1.0", "generated_at": "1970-01-01T00:00:00Z"}
    assert os.stat(target).st_ino != old_inode  # a new file renamed over the old one
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dora_metrics.json"]


def test_a_metrics_file_that_cannot_be_written_is_one_error_and_leaves_nothing_behind(tmp_path: Path) -> None:
    blocked = tmp_path / "dora_metrics.json"
    blocked.mkdir()  # a directory where the file should go: the rename fails, even for root
    (blocked / "keep").write_text("kept")
    with pytest.raises(HistoryError, match=r"dora_metrics\.json: cannot write"):
        dora_files.write_metrics(blocked, {"schema_version": "1.0"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dora_metrics.json"]
    assert (blocked / "keep").read_text() == "kept"
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    with pytest.raises(HistoryError, match="cannot write"):
        dora_files.write_metrics(not_a_dir / "dora_metrics.json", {})

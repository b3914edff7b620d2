"""The edge around the DORA arithmetic: read the history, write `dora_metrics.json` atomically."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mosaic_hooks.core import files, isotime
from mosaic_hooks.core.config import Config
from mosaic_hooks.records import deploy_table, dora, history
from mosaic_hooks.records.history import HistoryError

METRICS_FILE = "dora_metrics.json"
DEFAULT_PERIOD_DAYS = 30


_BYTES_PER_RECORD = 1500


def metrics_file(history_dir: Path) -> Path:
    return history_dir / METRICS_FILE


def load_history(path: Path, *, service: str | None = None,
                 default_service: str | None = None) -> tuple[dora.Loaded, list[str]]:
    """The deploys of the history file (streamed: records are not kept), and warnings for skipped lines."""
    warnings: list[str] = []
    try:  # a record as the writer makes it (9 gates) is ~1.2 kB: sizes the identity map, nothing else
        expected = path.stat().st_size // _BYTES_PER_RECORD
    except OSError:
        expected = 0
    with history.gc_paused():
        batches = history.iter_batches(path, warnings, decoder=deploy_table.SUMMARY_DECODER)
        loaded = dora.load_deploys(batches=batches, service=service, default_service=default_service,
                                   expected=expected)
    return loaded, warnings


def metrics_for(path: Path, *, start: float, end: float, service: str | None = None,
                default_service: str | None = None) -> tuple[dora.Report, dict[str, Any], list[str]]:
    """Read, compute and shape the metrics of the period: (report, dora_metrics.json content, warnings)."""
    with history.gc_paused():
        loaded, warnings = load_history(path, service=service, default_service=default_service)
        report = dora.compute(loaded, start=start, end=end, service=service)
        return report, dora.document(report), warnings


def write_atomic(path: Path, text: str) -> None:
    """Readers see the old file or the new one, never half of one (core.files); readable by all (0o644)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        files.remove_orphaned_temp_files(path)
        files.write_bytes_atomic(path, text.encode("utf-8"), mode=0o644)
    except OSError as exc:
        raise HistoryError(f"{path}: cannot write ({exc.strerror})") from None


def write_metrics(path: Path, doc: Mapping[str, Any], *, generated_at: float | None = None) -> None:
    payload = {**doc, "generated_at": isotime.iso(time.time() if generated_at is None else generated_at)}
    write_atomic(path, json.dumps(payload, indent=2, ensure_ascii=False) + "\n")


def refresh_metrics(cfg: Config) -> None:
    """Recompute the last 30 days for every service and rewrite `dora_metrics.json` (verify calls this).

    Broken history lines are skipped (the reader warns when `mosaic-hooks dora` runs). Raises
    HistoryError (one line, exit 2) if the history cannot be read or the metrics cannot be written.
    """
    end = time.time()
    start = end - DEFAULT_PERIOD_DAYS * dora.DAY
    _report, doc, _warnings = metrics_for(history.history_file(cfg.history_path), start=start, end=end,
                                          default_service=cfg.recorded_service)
    write_metrics(metrics_file(cfg.history_path), doc, generated_at=end)

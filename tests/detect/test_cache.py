"""The analysis cache's store: whole entries or none, checked when read, bounded in size."""

from __future__ import annotations

import os
from pathlib import Path

from mosaic_hooks.detect.cache import FORMAT, AnalysisCache


def test_an_entry_reads_back_as_written(tmp_path: Path) -> None:
    cache = AnalysisCache(tmp_path / "c")
    cache.put("endpoints", "k1", {"a": [1, "x"]})
    assert cache.get("endpoints", "k1") == {"a": [1, "x"]}
    assert cache.get("endpoints", "k2") is None
    assert cache.get("other", "k1") is None


def test_an_entry_stored_under_another_key_or_format_is_a_miss(tmp_path: Path) -> None:
    cache = AnalysisCache(tmp_path)
    cache.put("endpoints", "k1", {"a": 1})
    (tmp_path / "endpoints-k2.json").write_bytes((tmp_path / "endpoints-k1.json").read_bytes())
    assert cache.get("endpoints", "k2") is None  # copied or renamed: the header names k1
    text = (tmp_path / "endpoints-k1.json").read_text().replace(f'"format": {FORMAT}', f'"format": {FORMAT - 1}')
    (tmp_path / "endpoints-k1.json").write_text(text)
    assert cache.get("endpoints", "k1") is None


def test_the_least_recently_used_entries_go_when_the_cache_is_full(tmp_path: Path) -> None:
    cache = AnalysisCache(tmp_path, max_entries=8)
    for number in range(8):
        cache.put("endpoints", f"k{number}", {"n": number})
        os.utime(tmp_path / f"endpoints-k{number}.json", ns=(number * 10**9, number * 10**9))
    assert cache.get("endpoints", "k0") == {"n": 0}  # used now: the most recent
    cache.put("endpoints", "k8", {"n": 8})
    left = sorted(p.stem for p in tmp_path.glob("*.json"))
    assert len(left) <= 6 and "endpoints-k0" in left and "endpoints-k8" in left and "endpoints-k1" not in left


def test_an_unwritable_cache_directory_only_costs_the_cache(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    cache = AnalysisCache(blocker / "c")
    cache.put("endpoints", "k", {"a": 1})  # no exception
    assert cache.get("endpoints", "k") is None

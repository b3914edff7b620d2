"""Latency figures: nearest-rank percentiles. Pure."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from mosaic_hooks.core.words import plural


def percentile(samples: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (the value below which `pct` % of the samples lie, an actual sample)."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class LatencySummary:
    count: int
    p50: float
    p95: float
    max: float

    def line(self) -> str:
        return (f"P50 {self.p50:.0f} ms, P95 {self.p95:.0f} ms, max {self.max:.0f} ms "
                f"over {plural(self.count, 'sample')}")


def summarize(samples_ms: Sequence[float]) -> LatencySummary:
    return LatencySummary(len(samples_ms), percentile(samples_ms, 50), percentile(samples_ms, 95), max(samples_ms))

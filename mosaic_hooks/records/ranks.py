"""Exact order statistics (median, P95, mean) of millions of floats without a sorted copy of them all.

A sorted list of two million lead times costs 64 MB of float objects. Instead: a sorted sample gives two
pivots around each wanted rank; counting the values below the low pivot and sorting only the values
between the pivots gives the exact value at the rank. Every pass is a `map`/`filter` over a view of the
array, run in C. If the pivots miss the rank (a chance far below one in a million), the bracket widens
until it holds it. Only values >= 0 count (NaN and negative values are not among them). Pure.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

SAMPLE = 4096  # values in the sample: each bracket holds ~ 4 / sqrt(SAMPLE) of the values, 6 %
SMALL = 50_000  # fewer values than this: simply sorted


def _below(values: Sequence[float], pivot: float, negatives: int) -> int:
    """How many values v >= 0 have v < pivot."""
    return sum(map(pivot.__gt__, values)) - negatives


def _between(values: Sequence[float], low: float, high: float) -> list[float]:
    """The values in [low, high), sorted."""
    return sorted(filter(low.__le__, filter(high.__gt__, values)))


def summary(values: Sequence[float],
            ranks_for: Callable[[int], list[int]]) -> tuple[int, float | None, list[float]]:
    """(how many values are >= 0, their mean, the value at each 1-based rank `ranks_for(count)` among them)."""
    kept = list(filter((0.0).__le__, values)) if len(values) < SMALL else None
    if kept is not None:
        if not kept:
            return 0, None, []
        kept.sort()
        count = len(kept)
        return count, sum(kept) / count, [kept[rank - 1] for rank in ranks_for(count)]
    negatives = sum(map((0.0).__gt__, values))
    count = sum(map((0.0).__le__, values))
    if not count:
        return 0, None, []
    ranks = ranks_for(count)
    total = sum(filter((0.0).__le__, values))
    step = max(1, len(values) // SAMPLE)
    sample = sorted(filter((0.0).__le__, values[::step]))
    found = []
    for rank in ranks:
        margin = 2 * int(math.sqrt(len(sample))) + 2
        while True:
            at = (rank - 1) * len(sample) // count
            low = sample[at - margin] if at - margin >= 0 else 0.0
            high = sample[at + margin] if at + margin < len(sample) else math.inf
            below = _below(values, low, negatives) if low > 0.0 else 0
            if below < rank:
                middle = _between(values, low, high)
                if rank <= below + len(middle) or high == math.inf:
                    found.append(middle[rank - below - 1])
                    break
            margin *= 4  # the sample misjudged where the rank lies: widen
    return count, total / count, found

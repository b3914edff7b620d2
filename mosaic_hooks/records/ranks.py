"""Exact order statistics (median, P95, mean) of millions of floats without a sorted copy of them all.

A sorted list of two million lead times costs 64 MB of float objects. Instead: a sorted sample gives two
pivots around each wanted rank; counting the values below the low pivot and sorting only the values
between the pivots gives the exact value at the rank. Every pass is a `map`/`filter` over a view of the
array, run in C. If the pivots miss the rank (a chance far below one in a million), the bracket widens
until it holds it. Only values >= 0 count (NaN and negative values are not among them). Pure.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Sequence

SAMPLE = 4096  # values in the sample: each bracket holds ~ 4 / sqrt(SAMPLE) of the values, 6 %
SMALL = 500_000  # fewer values than this are simply sorted (16 MB of floats; faster than selecting)


def summary(values: Sequence[float], ranks_for: Callable[[int], list[int]],
            small: int = SMALL) -> tuple[int, float | None, list[float]]:
    """(how many values are >= 0, their mean, the value at each 1-based rank `ranks_for(count)` among them)."""
    kept = array("d", filter((0.0).__le__, values))  # NaN and negative values go; no float objects kept
    count = len(kept)
    if not count:
        return 0, None, []
    average = sum(kept) / count
    wanted = ranks_for(count)
    if count < small:
        ordered = sorted(kept)
        return count, average, [ordered[rank - 1] for rank in wanted]
    step = max(1, count // SAMPLE)
    sample = sorted(kept[::step])
    found: dict[int, float] = {}
    for rank in wanted:
        if rank in found:
            continue
        margin = 2 * int(math.sqrt(len(sample))) + 2
        while True:
            at = (rank - 1) * len(sample) // count
            low = sample[at - margin] if at - margin >= 0 else -math.inf
            high = sample[at + margin] if at + margin < len(sample) else math.inf
            below = sum(map(low.__gt__, kept)) if low > -math.inf else 0
            if below < rank:
                middle = sorted(filter(low.__le__, filter(high.__gt__, kept)))
                if rank <= below + len(middle):
                    # every wanted rank inside this bracket is answered by it (the median's two, often)
                    found.update((r, middle[r - below - 1]) for r in wanted if below < r <= below + len(middle))
                    break
            margin *= 4  # the sample misjudged where the rank lies: widen
    return count, average, [found[rank] for rank in wanted]

"""Order statistics without a sorted copy: exactly what sorting everything gives."""

from __future__ import annotations

import math
import random
from array import array

import pytest

from mosaic_hooks.records import ranks


def _expected(values: list[float], wanted: list[int]) -> tuple[int, float | None, list[float]]:
    kept = sorted(v for v in values if v >= 0.0)
    return len(kept), (sum(kept) / len(kept) if kept else None), [kept[r - 1] for r in wanted]


@pytest.mark.parametrize("seed", range(6))
def test_ranks_of_many_values_equal_those_of_the_sorted_values(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.choice([20_001, 60_000, 120_000])
    values = [rng.choice([rng.expovariate(1 / 3600), float(rng.randint(0, 50)), math.nan, -math.inf, -5.0])
              for _ in range(n)]
    if seed == 0:
        values.sort()  # a sample taken by stride from sorted values: the pivots lie at the ends
    kept = sum(1 for v in values if v >= 0.0)
    wanted = sorted({1, kept, kept // 2, kept // 2 + 1, math.ceil(0.95 * kept), rng.randint(1, kept)})
    count, mean, found = ranks.summary(array("d", values), lambda count: wanted, small=1000)
    expected_count, expected_mean, expected_found = _expected(values, wanted)
    assert (count, found) == (expected_count, expected_found)
    assert mean == pytest.approx(expected_mean)


def test_no_value_at_or_above_zero_has_no_ranks() -> None:
    values = memoryview(array("d", [-1.0, math.nan, -math.inf] * 30_000))
    assert ranks.summary(values, lambda count: [1]) == (0, None, [])
    assert ranks.summary([], lambda count: [1]) == (0, None, [])


def test_few_values_are_simply_sorted_with_the_same_answer() -> None:
    values = array("d", [3.0, math.nan, 1.0, -2.0, 2.0, -math.inf])
    assert ranks.summary(values, lambda count: [1, 2, 3]) == (3, 2.0, [1.0, 2.0, 3.0])

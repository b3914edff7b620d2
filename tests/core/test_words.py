"""Counts in words: one of a thing is singular."""

from __future__ import annotations

import pytest

from mosaic_hooks.core.words import noun, plural


@pytest.mark.parametrize(("count", "word", "expected"), [
    (1, "endpoint", "1 endpoint"), (0, "endpoint", "0 endpoints"), (2, "endpoint", "2 endpoints"),
    (1, "incident", "1 incident"), (3, "incident", "3 incidents"),
    (2, "match", "2 matches"), (2, "family", "2 families"), (2, "day", "2 days"),
])
def test_plural_agrees_with_the_count(count: int, word: str, expected: str) -> None:
    assert plural(count, word) == expected


def test_an_irregular_plural_can_be_given_and_verbs_agree() -> None:
    assert plural(2, "metric family", "metric families") == "2 metric families"
    assert (noun(1, "is"), noun(2, "is"), noun(1, "answers"), noun(2, "answers")) == ("is", "are", "answers", "answer")

"""Secrets never survive a cut: masked before the text is shortened, wherever the cut falls."""

from __future__ import annotations

import pytest

from mosaic_hooks.core import redact

KEY = "rnd_Straddle0123456789abcdefXYZ"


def _leaks(text: str, secret: str = KEY, size: int = 4) -> list[str]:
    return [secret[i:i + size] for i in range(len(secret) - size + 1) if secret[i:i + size] in text]


@pytest.mark.parametrize("before", [0, 1, 17])
def test_a_key_straddling_every_possible_cut_leaves_no_fragment(before: int) -> None:
    text = "e" * before + f"Authorization: Bearer {KEY} and more text after it"
    start = text.index(KEY)
    for limit in range(1, len(text) + 2):
        clipped = redact.clip(text, limit, [KEY])
        assert len(clipped) <= limit
        assert _leaks(clipped) == [], (limit, clipped)
        if limit > start + 3:  # room for the mask: the reader still sees that something was there
            assert "*" in clipped, (limit, clipped)


def test_text_already_cut_inside_a_key_has_that_start_masked() -> None:
    for size in range(4, len(KEY)):
        piece = "body: token=" + KEY[:size]  # the rest was never read
        assert redact.clip(piece, 1000, [KEY]) == "body: token=***"
    assert redact.clip("body: token=" + KEY[:3], 1000, [KEY]) == "body: token=" + KEY[:3]  # too short to tell


def test_the_keys_from_the_environment_are_used_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENDER_API_KEY", KEY)
    text = "x" * 100 + KEY
    for limit in range(100, 100 + len(KEY) + 2):
        assert _leaks(redact.clip(text, limit)) == []


def test_text_within_the_limit_is_unchanged_but_for_secrets() -> None:
    assert redact.clip("short", 10, [KEY]) == "short"
    assert redact.clip("a" * 20, 10, [KEY]) == "a" * 9 + "…"
    assert redact.clip(f"k={KEY}", 100, [KEY]) == "k=***"

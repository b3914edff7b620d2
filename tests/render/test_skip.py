"""Render's skip phrases in commit messages."""

from __future__ import annotations

import pytest

from mosaic_hooks.render.skip import skip_phrase


@pytest.mark.parametrize("message", [
    "Fix typo [skip render]", "[render skip] docs", "tweak [skip deploy]", "[deploy skip]", "x [skip cd]",
    "[cd skip]", "Docs [SKIP RENDER]", "subject\n\nbody [Render Skip]",
])
def test_each_documented_phrase_is_found_in_any_case(message: str) -> None:
    phrase = skip_phrase(message)
    assert phrase is not None and phrase.lower() in message.lower()


@pytest.mark.parametrize("message", [
    "skip render", "[skip ci]", "[skip-render]", "[skiprender]", "(skip render)", "[skip renders]", "",
])
def test_other_text_is_not_a_skip_phrase(message: str) -> None:
    assert skip_phrase(message) is None

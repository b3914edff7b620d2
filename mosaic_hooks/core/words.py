"""Counts in words: "1 endpoint", "2 endpoints". Pure."""

from __future__ import annotations

# Words whose plural is not the singular + "s".
_IRREGULAR = {"is": "are", "was": "were", "has": "have", "answers": "answer", "this": "these"}


def plural(count: int, word: str, many: str | None = None) -> str:
    """`count` and the word in the number it calls for: plural(1, "endpoint") == "1 endpoint"."""
    return f"{count} {noun(count, word, many)}"


def noun(count: int, word: str, many: str | None = None) -> str:
    """The word alone, in the number `count` calls for (for "1 endpoint answers" / "2 endpoints answer")."""
    if count == 1:
        return word
    if many is not None:
        return many
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"

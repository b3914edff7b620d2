"""Render's skip phrases: a commit whose message has one is not auto-deployed. Pure."""

from __future__ import annotations

import re

# Render documents `[skip render]` / `[render skip]`, with `deploy` or `cd` accepted in place of `render`.
_SKIP = re.compile(r"\[(?:skip (?:render|deploy|cd)|(?:render|deploy|cd) skip)\]", re.IGNORECASE)


def skip_phrase(message: str) -> str | None:
    """The first skip phrase in a commit message, as written there, or None."""
    match = _SKIP.search(message)
    return match.group(0) if match else None

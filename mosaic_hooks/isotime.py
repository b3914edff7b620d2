"""ISO 8601 times as the history writes them: UTC, seconds, a trailing Z."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any


def parse(value: Any) -> datetime | None:
    """An aware UTC datetime (a naive time is taken as UTC); None if absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    # Python 3.10's fromisoformat does not accept the Z suffix.
    text = value[:-1] + "+00:00" if value[-1] in "Zz" else value
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def epoch(value: Any) -> float | None:
    moment = parse(value)
    return None if moment is None else moment.timestamp()


def iso(moment: datetime | float) -> str:
    if not isinstance(moment, datetime):
        moment = datetime.fromtimestamp(moment, timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

"""ISO 8601 times as the history writes them: UTC, seconds, a trailing Z."""

from __future__ import annotations

import time
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


_fromisoformat = datetime.fromisoformat


def epoch(value: Any) -> float | None:
    """Unix seconds of an ISO 8601 time; None if absent or unreadable. On the hot path of every metric."""
    try:  # Python 3.11+ reads the trailing Z itself: the common case costs one C call
        moment = _fromisoformat(value)
    except (TypeError, ValueError):
        general = parse(value)
        return None if general is None else general.timestamp()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def iso(moment: datetime | float) -> str:
    if isinstance(moment, datetime):
        return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))

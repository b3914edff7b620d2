"""ISO 8601 times, read and written in one place. Pure.

Written: UTC with a trailing Z, to the second (`iso`: the history, reports, DORA) or to the millisecond
(`iso_millis`: the form Render's API writes and reads). Read (`parse`, `epoch`): a trailing Z, an offset,
or none (taken as UTC), with any number of fractional digits, to the nearest microsecond (half up: as
msgspec reads them, which reads the history for the DORA metrics).
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone


def parse(value: object) -> datetime | None:
    """An aware UTC datetime (a naive time is taken as UTC); None if absent or unreadable."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    # Python 3.10's fromisoformat accepts neither the Z suffix nor other than 3 or 6 fractional digits.
    if text[-1] in "Zz":
        text = text[:-1] + "+00:00"
    round_up = False
    if "." in text:
        head, _, rest = text.partition(".")
        digits = rest[: len(rest) - len(rest.lstrip("0123456789"))]  # the fraction, not the offset's digits
        if not digits:
            return None
        round_up = digits[6:7] >= "5"
        text = f"{head}.{(digits + '000000')[:6]}{rest[len(digits):]}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if round_up:
        moment += _MICROSECOND
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


_MICROSECOND = timedelta(microseconds=1)
_fraction_beyond_micros = re.compile(r"\.\d{7}").search


_fromisoformat = datetime.fromisoformat


def epoch(value: object) -> float | None:
    """Unix seconds of an ISO 8601 time; None if absent or unreadable."""
    try:  # Python 3.11+ reads the trailing Z itself: the common case costs one C call
        moment = _fromisoformat(value)  # type: ignore[arg-type]
        if isinstance(value, str) and "." in value and _fraction_beyond_micros(value):
            raise ValueError("fromisoformat cuts off what is beyond the microsecond; parse rounds it")
    except (TypeError, ValueError):
        general = parse(value)
        return None if general is None else general.timestamp()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def iso(moment: datetime | float) -> str:
    """`2026-11-24T18:00:00Z`: UTC, whole seconds."""
    if isinstance(moment, datetime):
        return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))


def iso_millis(moment: datetime | float) -> str:
    """`2026-11-24T18:00:00.000Z`: UTC, milliseconds, as Render writes and reads date-times."""
    if not isinstance(moment, datetime):
        moment = datetime.fromtimestamp(moment, tz=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def now() -> str:
    """The current time as `iso` writes it."""
    return iso(time.time())

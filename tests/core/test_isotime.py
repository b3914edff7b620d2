"""ISO 8601 times: one reader and two writers (seconds for our records, milliseconds for Render's API)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from mosaic_hooks.core import isotime


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-11-24T18:00:00Z", datetime(2026, 11, 24, 18, 0, tzinfo=timezone.utc)),
    ("2026-11-24T18:00:00.123Z", datetime(2026, 11, 24, 18, 0, 0, 123000, tzinfo=timezone.utc)),
    ("2026-11-24T18:00:00.12345Z", datetime(2026, 11, 24, 18, 0, 0, 123450, tzinfo=timezone.utc)),
    ("2026-11-24T18:00:00.123456789Z", datetime(2026, 11, 24, 18, 0, 0, 123457, tzinfo=timezone.utc)),  # rounded
    ("2026-11-24T19:00:00+01:00", datetime(2026, 11, 24, 18, 0, tzinfo=timezone.utc)),
    (" 2026-11-24T18:00:00z ", datetime(2026, 11, 24, 18, 0, tzinfo=timezone.utc)),
    ("2026-11-24T18:00:00", datetime(2026, 11, 24, 18, 0, tzinfo=timezone.utc)),  # naive: taken as UTC
    ("yesterday", None),
    ("", None),
    (None, None),
    (1764000000, None),
])
def test_times_are_read_in_every_form_render_and_our_records_write(text: object, expected: datetime | None) -> None:
    assert isotime.parse(text) == expected
    assert isotime.epoch(text) == (None if expected is None else expected.timestamp())


def test_times_are_written_in_utc_with_a_z_to_the_second_or_the_millisecond() -> None:
    moment = datetime(2026, 11, 24, 19, 0, 0, 250000, tzinfo=timezone(timedelta(hours=1)))
    assert isotime.iso(moment) == "2026-11-24T18:00:00Z"
    assert isotime.iso(moment.timestamp()) == "2026-11-24T18:00:00Z"
    assert isotime.iso_millis(moment) == "2026-11-24T18:00:00.250Z"
    assert isotime.iso_millis(moment.timestamp()) == "2026-11-24T18:00:00.250Z"
    assert isotime.parse(isotime.iso_millis(moment)) == moment


def test_now_is_the_current_second() -> None:
    before = datetime.now(timezone.utc).replace(microsecond=0)
    read = isotime.parse(isotime.now())
    assert read is not None and before <= read <= datetime.now(timezone.utc)


@pytest.mark.parametrize("text", ["2026-01-10T12:00:00.0000005Z", "2026-01-10T12:00:00.00000049Z",
                                  "2026-01-10T12:00:00.9999995+02:00", "2026-01-10T12:00:00.1234567891Z",
                                  "2026-01-10T12:00:00.123Z"])
def test_a_time_finer_than_a_microsecond_is_rounded_half_up_as_msgspec_reads_it(text: str) -> None:
    """The DORA metrics read the history with msgspec (records/deploy_table.py), everything else through
    isotime: the two must agree on every time, to the microsecond."""
    import msgspec

    by_msgspec = msgspec.json.decode(f'"{text}"'.encode(), type=datetime)
    assert isotime.parse(text) == by_msgspec
    assert isotime.epoch(text) == by_msgspec.timestamp()

"""The time a wait (and the Render fake) lives by: the system's, or a manual one in tests.

A wait over minutes of Render time, with the fake and the waiter sharing one `ManualClock`, runs in
milliseconds: every `sleep` moves the clock on instead of blocking. `now()` is wall time (epoch seconds,
what Render's date-times are), `monotonic()` what deadlines are measured on.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float: ...

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


SYSTEM_CLOCK = SystemClock()


class ManualClock:
    """A clock that moves only when told to, or when someone sleeps on it. Thread-safe.

    It starts at the real wall time (so git commit dates and Render date-times stay comparable)."""

    def __init__(self, start: float | None = None) -> None:
        self._lock = threading.Lock()
        self._now = time.time() if start is None else start
        self._origin = self._now

    def now(self) -> float:
        with self._lock:
            return self._now

    def monotonic(self) -> float:
        with self._lock:
            return self._now - self._origin

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        if seconds > 0:
            with self._lock:
                self._now += seconds

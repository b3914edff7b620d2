"""Fault injection: the next requests answer an error status (or 429 with `Retry-After`) instead."""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass
class Fault:
    status: int
    remaining: int
    retry_after: float | None = None
    path_contains: str | None = None

    def headers(self) -> dict[str, str]:
        """What Render sends with a 429: when to try again, and that nothing remains of the window."""
        if self.status != 429:
            return {}
        wait = self.retry_after if self.retry_after is not None else 1
        return {"Retry-After": f"{wait:g}", "Ratelimit-Remaining": "0", "Ratelimit-Reset": f"{wait:g}"}


class Faults:
    """The faults still to answer, in the order they were asked for."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[Fault] = []

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._pending.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()

    def take(self, path: str) -> Fault | None:
        """The fault that answers a request for `path`, if any (it counts as used once)."""
        with self._lock:
            for fault in self._pending:
                if fault.remaining > 0 and (fault.path_contains is None or fault.path_contains in path):
                    fault.remaining -= 1
                    return fault
            return None

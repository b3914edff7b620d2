"""The reliability suites (faults, bad input, records, secrets).

Every test in this directory is marked `reliability` and can record its figures through `reliability_log`
(see tests/support/reliability_log.py); `scripts/reliability_report.py` runs them and prints the table.

Fixtures for the tests here:
- `reliability_log`: appends one JSON line per case to $MOSAIC_RELIABILITY_LOG (no-op when unset).
- `secret_markers`: sets RENDER_API_KEY, MOSAIC_PROBE_TOKEN and DATABASE_URL to unique markers.
- `fault_proxy`: `fault_proxy(port)` starts a FaultProxy in front of 127.0.0.1:port, closed at teardown.
- `no_dns_for_invalid` (automatic): names under `.invalid` fail without a DNS query, in this process and in
  every Python subprocess started from it (PYTHONPATH carries a sitecustomize with the same guard).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.fault_proxy import RESOLVER_GUARD_PATH, FaultProxy, resolver_guard
from tests.support.reliability_log import reliability_log
from tests.support.secrets import secret_markers

__all__ = ["reliability_log", "secret_markers"]

_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in item.path.resolve().parents:
            item.add_marker(pytest.mark.reliability)


@pytest.fixture
def fault_proxy() -> Iterator[Callable[..., FaultProxy]]:
    """A factory: `proxy = fault_proxy(port, **options)` forwards to 127.0.0.1:port; all are closed after
    the test (which fails if a proxy thread does not stop)."""
    started: list[FaultProxy] = []

    def start(port: int, **options: Any) -> FaultProxy:
        proxy = FaultProxy(upstream=("127.0.0.1", port), **options).start()
        started.append(proxy)
        return proxy

    yield start
    for proxy in started:
        proxy.close()


@pytest.fixture(autouse=True)
def no_dns_for_invalid(monkeypatch: pytest.MonkeyPatch, isolated_env: None) -> Iterator[None]:
    current = os.environ.get("PYTHONPATH")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([RESOLVER_GUARD_PATH, *([current] if current else [])]))
    with resolver_guard():
        yield

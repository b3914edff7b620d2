"""Fixtures of the gate tests: a real PostgreSQL server shared by the session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.postgres import PostgresServer, start_server, stop_server
from tests.support.services import service_missing


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL server on 127.0.0.1 (skipped, saying why, only if PostgreSQL is not
    installed; failed instead when MOSAIC_REQUIRE_SERVICES=1)."""
    try:
        server = start_server()
    except FileNotFoundError as exc:
        service_missing(f"PostgreSQL is not installed: {exc} (.ci/run installs it)")
    try:
        yield server
    finally:
        stop_server(server)

"""Shared by the Render fake's tests: one fake per module, a client holding its key."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from mosaic_hooks.render.clock import ManualClock
from mosaic_hooks.testing.render_fake import RenderFake

KEY = "rnd_fakeTestKey0123456789"


@pytest.fixture(scope="module")
def fake() -> Iterator[RenderFake]:
    with RenderFake(KEY) as render:
        yield render


@pytest.fixture
def http(fake: RenderFake) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fake.api_url, headers={"Authorization": f"Bearer {KEY}"}, timeout=5) as client:
        yield client
    fake.clear_faults()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def timed(clock: ManualClock) -> Iterator[RenderFake]:
    """A fake on a manual clock: time passes only when the test moves it (clock.advance)."""
    with RenderFake(KEY, clock=clock) as render:
        yield render


@pytest.fixture
def timed_http(timed: RenderFake) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=timed.api_url, headers={"Authorization": f"Bearer {KEY}"}, timeout=5) as client:
        yield client

"""The health gate against a real FastAPI service: 200, retried through the switch-over, and P95."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mosaic_hooks.gates.latency import percentile, summarize
from tests.support.apps import Toggles, fastapi_app, serve_asgi, unused_url
from tests.support.gating import evidence, make_config, run


@pytest.fixture(scope="module")
def service() -> Iterator[tuple[str, Toggles]]:
    toggles = Toggles()
    with serve_asgi(fastapi_app(toggles)) as url:
        yield url, toggles


@pytest.fixture
def toggles(service: tuple[str, Toggles]) -> Iterator[Toggles]:
    _, flags = service
    yield flags
    flags.slow_health_s, flags.health_status = 0.0, 200


def test_a_healthy_service_passes_and_reports_p50_p95_max(service: tuple[str, Toggles]) -> None:
    url, _ = service
    result = run(make_config(url, health_samples=8), names=["health"])["health"]
    assert result.status == "passed", evidence(result)
    assert "P50" in result.summary and "P95" in result.summary and "max" in result.summary
    assert "over 8 samples" in result.summary
    assert sum(1 for e in result.exchanges if e.path == "/health") == 1  # the first 200; samples counted apart


def test_a_slow_health_check_fails_on_p95(service: tuple[str, Toggles], toggles: Toggles) -> None:
    url, _ = service
    toggles.slow_health_s = 0.6
    result = run(make_config(url, health_samples=4, p95_limit_ms=500), names=["health"])["health"]
    assert result.status == "failed"
    assert "over the 500 ms limit" in result.summary


def test_a_non_200_health_answer_fails_after_the_switch_over_window(service: tuple[str, Toggles],
                                                                    toggles: Toggles) -> None:
    url, _ = service
    toggles.health_status = 503
    result = run(make_config(url, gate_timeout=1.5), names=["health"])["health"]
    assert result.status == "failed"
    assert "answered 503, not 200" in result.summary
    assert sum(1 for e in result.exchanges if e.path == "/health") == 1
    assert "asked" in result.summary  # it was retried


def test_unreachable_health_is_inconclusive() -> None:
    result = run(make_config(unused_url(), gate_timeout=1), names=["health"])["health"]
    assert result.status == "inconclusive"
    assert "no answer" in result.summary


def test_percentiles_are_nearest_rank() -> None:
    samples = [float(x) for x in range(1, 21)]
    assert percentile(samples, 50) == 10
    assert percentile(samples, 95) == 19
    assert percentile([5.0], 95) == 5
    figures = summarize([3.0, 1.0, 2.0])
    assert (figures.p50, figures.p95, figures.max, figures.count) == (2.0, 3.0, 3.0, 3)

"""The gate runner: one client, time limits, and no way for an undecided gate to pass."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from mosaic_hooks.core.errors import ConfigError
from mosaic_hooks.gates import GateSpec
from mosaic_hooks.gates.base import GateContext
from mosaic_hooks.gates.result import Findings, GateResult
from mosaic_hooks.gates.runner import _run_one, make_client, run_gates
from tests.support.apps import Toggles, fastapi_app, serve_asgi
from tests.support.gating import changes, make_config


def test_all_gates_run_and_report_in_registry_order() -> None:
    with serve_asgi(fastapi_app()) as url:
        results = run_gates(make_config(url), changes(["GET /items/{item_id}"]), "0" * 40, None)
    assert [r.name for r in results] == ["deploy", "health", "endpoints", "contract", "errors", "dependencies",
                                         "migrations", "monitoring"]
    assert all(r.duration_s >= 0 for r in results)


def test_a_slow_production_is_inconclusive_within_the_gate_timeout() -> None:
    with serve_asgi(fastapi_app(Toggles(slow_health_s=1.2))) as url:
        start = time.monotonic()
        results = run_gates(make_config(url, gate_timeout=0.5), changes(), None, None, names=["health"])
        elapsed = time.monotonic() - start
    assert results[0].status == "inconclusive"
    assert elapsed < 1.1


def test_a_gate_that_raises_is_inconclusive_not_passed() -> None:
    async def go() -> GateResult:
        cfg = make_config("http://127.0.0.1:9")
        async with make_client(cfg) as client:
            ctx = GateContext(cfg=cfg, changes=changes(), commit=None, outcome=None, client=client,
                              base_url="http://127.0.0.1:9", deadline=time.monotonic() + 5)
            return await _run_one(ctx, GateSpec("broken", "tests.support.broken_gate"), [])

    result = asyncio.run(go())
    assert result.status == "inconclusive"
    assert "RuntimeError: a bug in a gate" in result.summary


def test_no_backend_url_is_a_config_error() -> None:
    cfg = make_config("http://127.0.0.1:9")
    cfg = cfg.replace(backend_url=None)
    with pytest.raises(ConfigError, match="backend_url is not set"):
        run_gates(cfg, changes(), None, None)


@pytest.mark.parametrize(("method", "body"), [("DELETE", None), ("POST", None), ("PUT", None), ("TRACE", None),
                                              ("GET", b"{}")])
def test_requests_that_could_change_production_are_refused(method: str, body: bytes | None) -> None:
    async def go() -> None:
        cfg = make_config("http://127.0.0.1:9")
        async with httpx.AsyncClient() as client:
            ctx = GateContext(cfg=cfg, changes=changes(), commit=None, outcome=None, client=client,
                              base_url="http://127.0.0.1:9", deadline=time.monotonic() + 5)
            await ctx.request(method, "/items/1", invalid_body=body)

    with pytest.raises(ValueError, match=r"refused|no body"):
        asyncio.run(go())


def test_findings_never_pass_without_a_decided_check() -> None:
    findings = Findings("x")
    findings.note("something seen")
    assert findings.result(summary_ok="fine").status == "skipped"
    findings.undecide("no answer")
    findings.ok("one thing fine")
    assert findings.result(summary_ok="fine").status == "inconclusive"
    findings.fail("broken")
    assert findings.result(summary_ok="fine").status == "failed"
    with pytest.raises(ValueError):
        GateResult("x", "passed", "no evidence")
    with pytest.raises(ValueError):
        GateResult("x", "green", "unknown status", ["e"])


@pytest.mark.parametrize("state", ["failed", "timed_out", "no_deploy"])
def test_checks_of_the_changes_wait_for_a_live_deploy(state: str) -> None:
    from mosaic_hooks.render.outcome import WaitOutcome
    from mosaic_hooks.verification.verdict import decide

    outcome = WaitOutcome(state, "ab" * 20, "why")
    with serve_asgi(fastapi_app(Toggles(missing={"/reports"}))) as url:
        results = {r.name: r for r in run_gates(make_config(url), changes(["GET /reports"]), "ab" * 20, outcome)}
    assert results["health"].status == "passed"
    assert results["endpoints"].status == "skipped"
    assert "the deploy of abababababab is not live" in results["endpoints"].summary
    assert decide(list(results.values())).verdict == ("fail" if state == "failed" else "inconclusive")

"""`mosaic-hooks verify` with the fault proxy between it and a real service (FastAPI under uvicorn on 127.0.0.1).

Each case of `fault_matrix.SERVICE_FAULTS`: a transient fault that clears within the limits still passes; one
that does not fails or is inconclusive, never passes; the run stays within its bound (request and gate
timeouts); the output names the cause in one line, with no traceback. The verdict is recorded in the history
either way.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mosaic_hooks.core import exit_codes
from tests.conftest import commit_files, run_cli
from tests.reliability.fault_matrix import SERVICE_FAULTS, VERDICT_BY_EXIT, FaultCase, Limits
from tests.support.apps import Toggles, fastapi_app, serve_asgi
from tests.support.fault_proxy import ClosedPort, FaultProxy
from tests.support.reliability_log import ReliabilityLog, has_traceback

VERIFY_LIMITS = Limits(request_timeout=1.0, poll_interval=0.1, wait_timeout=2.0, gate_timeout=3.0,
                       health_samples=5, slack=5.0)

# What a cause must not be called: a name that does not resolve or a failed TLS handshake is not "refused",
# and a reset is not an exception class name.
MISLEADING = {"unresolvable": ("refused",), "tls_to_plain_http": ("refused",), "reset": ("readerror",)}
# A spike of 0.5 s among five samples is the P95, and must fit in one request: the limits leave room for it.
P95_LIMIT_MS = 1500

APP_BEFORE = 'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/health")\ndef health():\n    return {}\n'
APP_AFTER = APP_BEFORE + '\n\n@app.get("/items/{item_id}")\ndef get_item(item_id: int):\n    return {}\n'


@pytest.fixture(scope="module")
def service() -> Iterator[tuple[int, Toggles]]:
    toggles = Toggles()
    with serve_asgi(fastapi_app(toggles)) as url:
        yield int(url.rsplit(":", 1)[1].rstrip("/")), toggles


def project(repo: Path, limits: Limits) -> tuple[str, str]:
    """A service repository whose head adds an endpoint, with short limits in .mosaic/config.toml."""
    (repo / ".mosaic").mkdir(exist_ok=True)
    (repo / ".mosaic" / "config.toml").write_text(
        f"request_timeout = {limits.request_timeout}\npoll_interval = {limits.poll_interval}\n"
        f"wait_timeout = {limits.wait_timeout}\ngate_timeout = {limits.gate_timeout}\n"
        f"health_samples = {limits.health_samples}\np95_limit_ms = {P95_LIMIT_MS}\ncrash_watch_s = 0\n")
    base = commit_files(repo, {"app.py": APP_BEFORE}, "service")
    head = commit_files(repo, {"app.py": APP_AFTER}, "items")
    return base, head


def verdict_line(stdout: str) -> str | None:
    """The line of `verify`'s table that states the verdict and its reason."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    named = [line for line in lines if line.lower().startswith(("verdict", "pass", "fail", "inconclusive"))]
    return named[-1] if named else (lines[-1] if lines else None)


@pytest.mark.parametrize("case", SERVICE_FAULTS, ids=lambda case: case.name)
def test_verify_gives_the_right_verdict_in_time_under_a_service_fault(
        case: FaultCase, service: tuple[int, Toggles], fault_proxy: object, repo: Path,
        reliability_log: ReliabilityLog) -> None:
    port, toggles = service
    base, head = project(repo, VERIFY_LIMITS)
    toggles.commit = head
    proxy: FaultProxy = fault_proxy(port)  # type: ignore[operator]
    with ClosedPort() as closed:
        case.apply(proxy)
        started = time.monotonic()
        proc = run_cli("verify", "--no-wait", "--base", base, cwd=repo,
                       env={"BACKEND_URL": case.url(proxy, closed.port)}, timeout=VERIFY_LIMITS.verify_bound() + 30)
        elapsed = time.monotonic() - started
    output = proc.stdout + proc.stderr
    reliability_log.fault(case.name, target="verify", expected=case.expected_verdicts,
                          actual=VERDICT_BY_EXIT.get(proc.returncode, f"exit {proc.returncode}"), elapsed=elapsed,
                          bound=VERIFY_LIMITS.verify_bound(), cause=verdict_line(proc.stdout),
                          traceback=has_traceback(output),
                          injected=proxy.stats().faults_injected if case.needs_proxy else None)
    assert not has_traceback(output), output
    assert proc.returncode in case.expected_exits, output
    if not case.transient:
        # The verdict line itself names the cause (the URL printed elsewhere must not count as naming it).
        line = verdict_line(proc.stdout) or ""
        assert case.names_cause(line), line
        assert not any(word in line.lower() for word in MISLEADING.get(case.kind, ())), line
    assert elapsed <= VERIFY_LIMITS.verify_bound(), f"{elapsed:.1f} s > {VERIFY_LIMITS.verify_bound()} s"
    history = (repo / ".mosaic" / "deployment_history.jsonl").read_text().splitlines()
    record = json.loads(history[-1])
    assert record["commit"] == head
    assert record["success"] is (proc.returncode == exit_codes.PASSED)

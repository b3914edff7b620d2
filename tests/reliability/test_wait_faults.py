"""`mosaic-hooks wait` with the fault proxy between it and the Render API (the Render fake behind the proxy).

Each case of `fault_matrix.RENDER_API_FAULTS`: a transient fault that clears within the limits still ends
with the deploy live (exit 0); one that does not is timed out / unreachable (exit 3), never live; the run
stays within its time bound; the output names the cause in one line, with no traceback.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from mosaic_hooks.core import exit_codes
from mosaic_hooks.testing.render_fake import RenderFake
from tests.conftest import git, run_cli
from tests.reliability.fault_matrix import RENDER_API_FAULTS, VERDICT_BY_EXIT, FaultCase, Limits
from tests.support.fault_proxy import UNRESOLVABLE_HOST, ClosedPort, FaultProxy
from tests.support.reliability_log import ReliabilityLog, has_traceback

# Shorter than fault_matrix.LIMITS: a fault that never clears costs the whole wait, eleven times over.
WAIT_LIMITS = Limits(request_timeout=0.5, poll_interval=0.1, wait_timeout=4.0, slack=4.0)
QUICK = [("build_in_progress", 0.1), ("live", 0)]


@pytest.fixture(scope="module")
def render() -> Iterator[RenderFake]:
    with RenderFake(get_limit_per_minute=100_000) as fake:
        yield fake


def limits_file(repo: Path, limits: Limits) -> None:
    (repo / ".mosaic").mkdir(exist_ok=True)
    (repo / ".mosaic" / "config.toml").write_text(
        f"poll_interval = {limits.poll_interval}\nrequest_timeout = {limits.request_timeout}\n"
        f"wait_timeout = {limits.wait_timeout}\n")


def api_url(case: FaultCase, proxy: FaultProxy, closed: ClosedPort) -> str:
    if case.kind == "unresolvable":  # the key goes over plain http to 127.0.0.1 only: a remote name is https
        return f"https://{UNRESOLVABLE_HOST}/v1"
    return case.url(proxy, closed.port) + "/v1"


def last_line(text: str) -> str | None:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else None


@pytest.mark.parametrize("case", RENDER_API_FAULTS, ids=lambda case: case.name)
def test_wait_gives_the_right_verdict_in_time_under_an_api_fault(
        case: FaultCase, render: RenderFake, fault_proxy: object, repo: Path,
        reliability_log: ReliabilityLog) -> None:
    limits_file(repo, WAIT_LIMITS)
    service = f"srv-{uuid.uuid4().hex[:12]}"
    render.add_service(service, timeline=QUICK)
    render.push(git(repo, "rev-parse", "HEAD"), "initial")
    proxy: FaultProxy = fault_proxy(render.port)  # type: ignore[operator]
    with ClosedPort() as closed:
        case.apply(proxy)
        env = {**render.env(service), "MOSAIC_RENDER_API_URL": api_url(case, proxy, closed)}
        started = time.monotonic()
        proc = run_cli("wait", cwd=repo, env=env, timeout=WAIT_LIMITS.wait_bound() + 30)
        elapsed = time.monotonic() - started
    output = proc.stdout + proc.stderr
    verdict_line = last_line(proc.stdout) or last_line(proc.stderr)
    reliability_log.fault(case.name, target="wait", expected=case.expected_verdicts,
                          actual=VERDICT_BY_EXIT.get(proc.returncode, f"exit {proc.returncode}"), elapsed=elapsed,
                          bound=WAIT_LIMITS.wait_bound(), cause=verdict_line, traceback=has_traceback(output),
                          injected=proxy.stats().faults_injected if case.needs_proxy else None)
    assert not has_traceback(output), output
    if case.transient:
        assert proc.returncode == exit_codes.PASSED, output
        assert proc.stdout.startswith("live: "), output
    else:
        assert proc.returncode == exit_codes.INCONCLUSIVE, output
        assert not proc.stdout.startswith("live"), output
        assert proc.stdout.count("\n") == 1, output  # the verdict in one line
        assert case.names_cause(proc.stdout), proc.stdout
    assert elapsed <= WAIT_LIMITS.wait_bound(), f"{elapsed:.1f} s > {WAIT_LIMITS.wait_bound()} s"

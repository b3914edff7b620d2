"""The faults of issue 8 as data: what to inject, whether it clears within the limits, what must follow.

A fault suite walks a matrix, e.g. for `verify` against a service behind a FaultProxy:

    @pytest.mark.parametrize("case", SERVICE_FAULTS, ids=lambda case: case.name)
    def test_verify_under_fault(case, fault_proxy, service, repo, reliability_log):
        proxy = fault_proxy(service.port)
        env = {**LIMITS.env(), "BACKEND_URL": case.url(proxy)}
        case.apply(proxy)
        started = time.monotonic()
        proc = run_cli("verify", cwd=repo, env=env, timeout=LIMITS.verify_bound() + 30)
        elapsed = time.monotonic() - started
        reliability_log.fault(case.name, target="verify", expected=case.expected_verdicts,
                              actual=VERDICT_BY_EXIT.get(proc.returncode, f"exit {proc.returncode}"),
                              elapsed=elapsed, bound=LIMITS.verify_bound(), cause=last_line(proc),
                              traceback=has_traceback(proc.stderr), injected=proxy.stats().faults_injected)
        assert proc.returncode in case.expected_exits
        assert case.names_cause(proc.stdout + proc.stderr)

The rule (issue 8): a transient fault that clears within the limits still passes; one that does not is
inconclusive or failed, never passed; the time stays within the configured bounds; the output names the
cause in one line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mosaic_hooks.core import exit_codes
from tests.support.fault_proxy import UNRESOLVABLE_URL, FaultProxy

VERDICT_BY_EXIT = {exit_codes.PASSED: "pass", exit_codes.FAILED: "fail", exit_codes.INCONCLUSIVE: "inconclusive",
                   exit_codes.USAGE: "usage error", exit_codes.INTERRUPTED: "interrupted"}
NOT_PASSED = (exit_codes.FAILED, exit_codes.INCONCLUSIVE)


@dataclass(frozen=True)
class Limits:
    """Short limits for the fault suites (seconds), passed to the product through its config keys."""

    request_timeout: float = 1.0
    poll_interval: float = 0.2
    wait_timeout: float = 8.0
    push_wait_timeout: float = 8.0
    gate_timeout: float = 8.0
    health_samples: int = 5
    slack: float = 5.0  # process start-up, git, writing the history

    def toml(self) -> str:
        """The `[tool.mosaic]` lines that set these limits (for a test repository's pyproject.toml)."""
        return "\n".join([
            "[tool.mosaic]", f"request_timeout = {self.request_timeout}", f"poll_interval = {self.poll_interval}",
            f"wait_timeout = {self.wait_timeout}", f"push_wait_timeout = {self.push_wait_timeout}",
            f"gate_timeout = {self.gate_timeout}", f"health_samples = {self.health_samples}",
            "crash_watch_s = 0", "push_crash_watch_s = 0", ""])

    def wait_bound(self) -> float:
        return self.wait_timeout + self.request_timeout + self.slack

    def verify_bound(self) -> float:
        return self.wait_timeout + self.gate_timeout + 2 * self.request_timeout + self.slack


LIMITS = Limits()


@dataclass(frozen=True)
class FaultCase:
    name: str
    kind: str  # a FaultProxy fault, or "unresolvable", "nothing_listening", "tls_to_plain_http"
    params: dict[str, Any] = field(default_factory=dict)
    transient: bool = False  # clears within the limits above
    cause_words: tuple[str, ...] = ()  # the one-line cause should contain one of these (case-insensitive)

    @property
    def expected_exits(self) -> tuple[int, ...]:
        return (exit_codes.PASSED,) if self.transient else NOT_PASSED

    @property
    def expected_verdicts(self) -> list[str]:
        return [VERDICT_BY_EXIT[code] for code in self.expected_exits]

    @property
    def needs_proxy(self) -> bool:
        return self.kind not in ("unresolvable", "nothing_listening", "tls_to_plain_http")

    def apply(self, proxy: FaultProxy) -> None:
        if self.needs_proxy:
            proxy.set(self.kind, **self.params)

    def url(self, proxy: FaultProxy, closed_port: int | None = None) -> str:
        """Where the client under test should be pointed for this case."""
        if self.kind == "unresolvable":
            return UNRESOLVABLE_URL
        if self.kind == "nothing_listening":
            if closed_port is None:
                raise ValueError("pass the port of a ClosedPort")
            return f"http://127.0.0.1:{closed_port}"
        if self.kind == "tls_to_plain_http":
            return proxy.https_url
        return proxy.url

    def names_cause(self, output: str) -> bool:
        lowered = output.lower()
        return not self.cause_words or any(word in lowered for word in self.cause_words)


_TIMEOUT = ("timed out", "timeout", "did not answer", "no answer")
_UNREACHABLE = ("unreachable", "refused", "could not connect", "cannot connect", "connect")
_BROKEN = ("reset", "closed", "incomplete", "truncated", "disconnected", "broken", "protocol")

#: Faults between `verify` and the service (BACKEND_URL points at the proxy).
SERVICE_FAULTS: list[FaultCase] = [
    FaultCase("latency 0.2 s on every request", "latency", {"seconds": 0.2}, transient=True),
    FaultCase("latency spike 0.5 s on every 4th request", "spike", {"seconds": 0.5, "every": 4}, transient=True),
    FaultCase("503 burst x2, then healthy", "status", {"status": 503, "count": 2, "retry_after": 0},
              transient=True),
    FaultCase("502 burst x2, then healthy", "status", {"status": 502, "count": 2}, transient=True),
    FaultCase("one connection reset, then healthy", "reset", {"count": 1}, transient=True),
    FaultCase("503 on every request", "status", {"status": 503}, cause_words=("503", "unavailable")),
    FaultCase("502 on every request", "status", {"status": 502}, cause_words=("502", "bad gateway")),
    FaultCase("latency above the request timeout", "latency", {"seconds": 3.0}, cause_words=_TIMEOUT),
    FaultCase("accepts and never answers", "hang", {"hold": 60}, cause_words=_TIMEOUT),
    FaultCase("reset mid-response on every request", "reset", {}, cause_words=_BROKEN),
    FaultCase("truncated bodies on every request", "truncate", {"keep_fraction": 0.5}, cause_words=_BROKEN),
    FaultCase("connection dropped on accept", "drop", {}, cause_words=_BROKEN + _UNREACHABLE),
    FaultCase("DNS name that does not resolve", "unresolvable",
              cause_words=("resolve", "name", "dns", "not known", "unreachable")),
    FaultCase("nothing listening", "nothing_listening", cause_words=_UNREACHABLE),
    FaultCase("TLS to a plain-HTTP port", "tls_to_plain_http", cause_words=("ssl", "tls", "https", "handshake")),
]

#: Faults between `wait` / `verify` and the Render API (MOSAIC_RENDER_API_URL points at the proxy; the proxy
#: forwards to the Render fake). `path_prefix="/v1"` keeps the faults on API calls.
RENDER_API_FAULTS: list[FaultCase] = [
    FaultCase("API latency 0.3 s", "latency", {"seconds": 0.3}, transient=True),
    FaultCase("API 503 burst x2", "status", {"status": 503, "count": 2, "retry_after": 0}, transient=True),
    FaultCase("API 429 x2 with Retry-After 1", "rate_limit", {"count": 2, "retry_after": 1}, transient=True),
    FaultCase("API one reset", "reset", {"count": 1}, transient=True),
    FaultCase("API 429 storm", "rate_limit", {"retry_after": 1}, cause_words=("429", "rate")),
    FaultCase("API 503 on every request", "status", {"status": 503}, cause_words=("503", "unavailable")),
    FaultCase("API never answers", "hang", {"hold": 60}, cause_words=_TIMEOUT),
    FaultCase("API truncated bodies", "truncate", {"keep_fraction": 0.5}, cause_words=_BROKEN),
    FaultCase("API name does not resolve", "unresolvable",
              cause_words=("resolve", "name", "dns", "not known", "unreachable")),
    FaultCase("API nothing listening", "nothing_listening", cause_words=_UNREACHABLE),
    FaultCase("API over TLS to a plain-HTTP port", "tls_to_plain_http", cause_words=("ssl", "tls", "https")),
]

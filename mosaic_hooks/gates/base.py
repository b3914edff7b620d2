"""The gate interface: what every production check receives and what it returns.

A gate is a module in `mosaic_hooks.gates` with

    NAME = "health"
    async def run(ctx: GateContext) -> GateResult

registered in `mosaic_hooks.gates.GATES`. The runner gives every gate the same `GateContext` (one pooled
`httpx.AsyncClient`, one deadline) and runs them concurrently.

Honesty is built in, so that a check that could not be decided can never come out as "passed":

- `GateResult` refuses `passed` without evidence, and refuses an unknown status.
- Gates build their result with `Findings`: each sub-check is recorded as `ok`, `fail` or `undecided`;
  `Findings.result()` gives failed if anything failed, inconclusive if anything was undecided, skipped
  (with the reason) if nothing was checked at all, and passed only when every recorded check was ok.
- The runner turns a gate that raises, or overruns its time, into "inconclusive" with the reason.
- `GateContext.request` never raises for network trouble: it returns an `Exchange` whose `error` says
  what happened, which a gate must treat as undecided, not as an answer.

Never harm production: `GateContext.request` sends only GET, HEAD and OPTIONS, and POST/PUT/PATCH only
with `invalid_body=...` (a body built to be rejected); it refuses DELETE and anything else outright.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mosaic_hooks.gates.result import Exchange

if TYPE_CHECKING:
    import httpx

    from mosaic_hooks.core.config import Config
    from mosaic_hooks.core.git import Repo
    from mosaic_hooks.detect.changeset import ChangeSet
    from mosaic_hooks.render.outcome import WaitOutcome

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
INVALID_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})  # only ever with a deliberately invalid body


MAX_BODY = 16 << 20  # large enough for a big OpenAPI document; bodies past it are cut


@dataclass
class ProbeInfo:
    """What the service's `mosaic_hooks.probe` status endpoint reported, or why it could not be read."""

    data: dict[str, Any] | None  # the probe's JSON object (commit, distributions, migration, started_at)
    error: str | None  # one line: "not configured (no probe_path)", "answered 401", ...


@dataclass
class GateContext:
    cfg: Config
    changes: ChangeSet
    commit: str | None  # the commit that should be serving
    outcome: WaitOutcome | None  # None with --no-wait
    client: httpx.AsyncClient  # the one pooled client; gates never open their own to production
    base_url: str  # no trailing slash
    deadline: float  # time.monotonic() by which every gate must be done
    repo: Repo | None = None
    probe_info: ProbeInfo | None = None  # filled on first `await ctx.probe()`
    exchanges: list[Exchange] = field(default_factory=list)  # every request sent, in order
    shared: dict[str, Any] = field(default_factory=dict)  # what gates learn once and share (e.g. no-route answers)
    max_in_flight: int = 64  # requests in flight at once, whatever the gates ask
    _probe_lock: asyncio.Lock | None = field(default=None, repr=False)
    _slots: asyncio.Semaphore | None = field(default=None, repr=False)
    _cache: dict[tuple[str, str], asyncio.Future[Exchange]] = field(default_factory=dict, repr=False)

    # ----- time
    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def request_timeout(self) -> float:
        return max(0.05, min(float(self.cfg.request_timeout), self.remaining()))

    def url(self, path: str) -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    # ----- requests
    async def request(
        self,
        method: str,
        path: str,
        *,
        invalid_body: bytes | None = None,
        content_type: str = "application/json",
        headers: Mapping[str, str] | None = None,
        note: str = "",
        timeout: float | None = None,
    ) -> Exchange:
        """Send one request to production; never raises for network trouble (see Exchange.error).

        POST/PUT/PATCH go out only with `invalid_body` (a body made so no handler can accept it);
        DELETE and other methods are refused: a gate must never change production.
        """
        method = method.upper()
        if method in INVALID_BODY_METHODS:
            if invalid_body is None:
                raise ValueError(f"{method} {path}: refused, write methods need a deliberately invalid body")
        elif method not in SAFE_METHODS:
            raise ValueError(f"{method} {path}: refused, gates send only GET, HEAD, OPTIONS and invalid bodies")
        elif invalid_body is not None:
            raise ValueError(f"{method} {path}: no body on a safe method")
        send_headers = dict(headers or {})
        if invalid_body is not None:
            send_headers.setdefault("content-type", content_type)
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.max_in_flight)
        async with self._slots:
            return await self._send(method, path, invalid_body, send_headers, note, timeout)

    async def _send(self, method: str, path: str, invalid_body: bytes | None, send_headers: dict[str, str],
                    note: str, timeout: float | None) -> Exchange:
        import httpx

        limit = self.request_timeout() if timeout is None else max(0.05, min(timeout, self.remaining()))
        start = time.perf_counter()
        status: int | None = None
        error: str | None = None
        body = b""
        resp_headers: dict[str, str] = {}
        try:
            async with self.client.stream(method, self.url(path), content=invalid_body, headers=send_headers,
                                          timeout=limit) as response:
                status = response.status_code
                resp_headers = {k.lower(): v for k, v in response.headers.items()}
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    chunks.append(chunk)
                    size += len(chunk)
                    if size >= MAX_BODY:
                        break
                body = b"".join(chunks)[:MAX_BODY]
        except httpx.TimeoutException:
            status, error = None, f"timed out after {limit:.1f} s"
        except httpx.HTTPError as exc:
            status, error = None, _network_error(exc)
        elapsed = (time.perf_counter() - start) * 1000
        exchange = Exchange(method, path, status, elapsed, error, body, resp_headers.get("content-type", ""),
                            resp_headers, note)
        self.exchanges.append(exchange)
        return exchange

    async def get_once(self, path: str, *, note: str = "") -> Exchange:
        """GET `path` once per run, shared between gates (the endpoints and contract gates read the same answer)."""
        key = ("GET", path)
        future = self._cache.get(key)
        if future is None:
            # A task of its own: a gate cancelled at its deadline must not cancel the others' answer.
            future = asyncio.ensure_future(self.request("GET", path, note=note))
            self._cache[key] = future
        return await asyncio.shield(future)

    async def settle(self) -> None:
        """Cancel what is still in flight for the gates (shared requests, lessons), before the client closes."""
        pending = [f for f in (*self._cache.values(), *self.shared.values())
                   if isinstance(f, asyncio.Future) and not f.done()]
        for future in pending:
            future.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)

    # ----- the probe (mosaic_hooks.probe), read once and shared by the gates that use it
    async def probe(self) -> ProbeInfo:
        """The probe's report, read once per run.

        Calls `mosaic_hooks.probe.fetch_status(client, url, token, *, timeout) -> dict[str, Any]`, which
        raises `MosaicError` (one-line message) when the probe cannot be read. Never raises.
        """
        if self._probe_lock is None:
            self._probe_lock = asyncio.Lock()
        async with self._probe_lock:
            if self.probe_info is None:
                self.probe_info = await self._fetch_probe()
            return self.probe_info

    async def _fetch_probe(self) -> ProbeInfo:
        path = self.cfg.probe_path
        token = self.cfg.probe_token
        if not path:
            return ProbeInfo(None, "not configured (no probe_path)")
        if not token:
            return ProbeInfo(None, "not configured (MOSAIC_PROBE_TOKEN is not set)")
        from mosaic_hooks.core.errors import MosaicError
        from mosaic_hooks.probe import fetch_status as fetch

        try:
            data = await fetch(self.client, self.url(path), token, timeout=self.request_timeout())
        except MosaicError as exc:
            return ProbeInfo(None, exc.line())
        except Exception as exc:  # the probe must never crash a gate
            return ProbeInfo(None, f"{type(exc).__name__}: {exc}")
        if not isinstance(data, dict):
            return ProbeInfo(None, "the probe did not answer with a JSON object")
        return ProbeInfo(data, None)


def _network_error(exc: Exception) -> str:
    import httpx

    if isinstance(exc, httpx.ConnectError):
        # Name the cause the user must fix: a wrong host name and https:// on a plain-HTTP port are not
        # "refused", and the three call for different fixes.
        detail = str(exc).lower()
        if "ssl" in detail or "tls" in detail or "handshake" in detail:
            return "TLS handshake failed (is the URL https:// on a plain-HTTP port?)"
        if "name or service not known" in detail or "nodename nor servname" in detail or "name resolution" in detail:
            return "the host name does not resolve (DNS)"
        return "connection refused or host unreachable"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the server closed the connection without an answer"
    if isinstance(exc, (httpx.ReadError, httpx.WriteError)):
        reason = " ".join(str(exc).split())
        return "the connection was reset or closed mid-answer" + (f" ({reason})" if reason else "")
    text = str(exc).strip() or type(exc).__name__
    return " ".join(text.split())

"""The Render fake over real HTTP on 127.0.0.1: paths under `/v1`, Bearer auth, rate limits, pages.

It follows Render's documented behaviour (see the reference notes): `[{deploy, cursor}]` and
`[{event, cursor}]` lists with `limit`/`cursor` pages, a bare deploy from `GET .../deploys/{id}`,
`POST .../deploys` answering 201 with a deploy or 202 with an empty body, `{id, message}` error bodies,
`Ratelimit-*` headers on every answer and 429 with `Retry-After`.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from mosaic_hooks.core.isotime import epoch as parse_iso
from mosaic_hooks.render.clock import SYSTEM_CLOCK, Clock
from mosaic_hooks.testing.render_fake.faults import Fault, Faults
from mosaic_hooks.testing.render_fake.model import FakeService, RenderState, iso

_MESSAGES = {
    400: ("invalid", "The request could not be understood by the server."),
    401: ("unauthorized", "Authorization information is missing or invalid."),
    403: ("forbidden", "You do not have permissions for the requested resource."),
    404: ("not_found", "Unable to find the requested resource."),
    429: ("rate_limited", "Rate limit has been surpassed."),
    500: ("internal_error", "An unexpected server error has occurred."),
    502: ("bad_gateway", "Bad gateway."),
    503: ("unavailable", "Server currently unavailable."),
}


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    query: dict[str, list[str]]
    status: int
    at: float  # the fake's clock.monotonic()
    authorized: bool


class RenderFake(RenderState):
    """A scripted Render API on 127.0.0.1. Use as a context manager, or call start() and close()."""

    def __init__(self, api_key: str | None = None, *, port: int = 0, get_limit_per_minute: int = 400,
                 tick: float = 0.02, clock: Clock = SYSTEM_CLOCK) -> None:
        super().__init__(clock)
        self.api_key = api_key or "rnd_fake" + secrets.token_hex(12)
        self._port = port
        self.get_limit_per_minute = get_limit_per_minute
        self._tick = tick
        self.requests: list[RequestRecord] = []
        self.rollbacks: list[tuple[str, str]] = []  # (service id, target deploy id) asked through the API
        self._faults = Faults()
        self._window_start = self.clock.monotonic()
        self._window_gets = 0
        self._server: ThreadingHTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()

    # -- lifecycle -------------------------------------------------------------------------------
    def __enter__(self) -> RenderFake:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def start(self) -> RenderFake:
        if self._server is not None:
            return self
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", self._port), handler)
        self._server.daemon_threads = True
        self._stop.clear()
        for target in (lambda: self._serve(), self._ticker):
            thread = threading.Thread(target=target, daemon=True, name="render-fake")
            thread.start()
            self._threads.append(thread)
        return self

    def _serve(self) -> None:
        assert self._server is not None
        self._server.serve_forever(poll_interval=0.05)

    def close(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the Render fake is not started")
        return int(self._server.server_address[1])

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def env(self, service_id: str) -> dict[str, str]:
        """Environment variables that point mosaic-hooks at this fake."""
        return {"MOSAIC_RENDER_API_URL": self.api_url, "RENDER_API_KEY": self.api_key, "RENDER_SERVICE_ID": service_id}

    # -- faults ----------------------------------------------------------------------------------
    def fail_next(self, n: int, status: int = 503, *, path_contains: str | None = None) -> None:
        """The next `n` API requests (optionally only those whose path contains a string) answer `status`."""
        self._faults.add(Fault(status=status, remaining=n, path_contains=path_contains))

    def rate_limit(self, n: int, retry_after: float = 1) -> None:
        """The next `n` API requests answer 429 with `Retry-After: retry_after`."""
        self._faults.add(Fault(status=429, remaining=n, retry_after=retry_after))

    def clear_faults(self) -> None:
        self._faults.clear()

    # -- inspection ------------------------------------------------------------------------------
    def request_count(self, path_contains: str = "", method: str | None = None) -> int:
        with self._lock:
            return sum(1 for r in self.requests if path_contains in r.path and (method is None or r.method == method))

    # -- the clock -------------------------------------------------------------------------------
    def _ticker(self) -> None:
        while not self._stop.wait(self._tick):
            self._advance()

    # -- HTTP ------------------------------------------------------------------------------------
    def _answer(self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str],
                body: bytes) -> tuple[int, Any, dict[str, str]]:
        self._advance()
        with self._lock:
            extra = self._rate_headers(method)
            fault = self._faults.take(path)
            authorized = headers.get("authorization", "") == f"Bearer {self.api_key}"
            if fault is not None:
                status, payload = fault.status, _error(fault.status)
                extra.update(fault.headers())
            elif method == "GET" and self._window_gets > self.get_limit_per_minute:
                status, payload = 429, _error(429)
                extra["Retry-After"] = extra["Ratelimit-Reset"]
            elif not authorized:
                status, payload = 401, _error(401)
            else:
                status, payload = self._route(method, path, query, body)
            self.requests.append(RequestRecord(method, path, query, status, self.clock.monotonic(), authorized))
            return status, payload, extra

    def _rate_headers(self, method: str) -> dict[str, str]:
        now = self.clock.monotonic()
        if now - self._window_start >= 60:
            self._window_start, self._window_gets = now, 0
        if method == "GET":
            self._window_gets += 1
        reset = max(1, round(60 - (now - self._window_start)))
        remaining = max(0, self.get_limit_per_minute - self._window_gets)
        return {"Ratelimit-Limit": str(self.get_limit_per_minute), "Ratelimit-Remaining": str(remaining),
                "Ratelimit-Reset": str(reset)}

    def _route(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> tuple[int, Any]:
        parts = path.strip("/").split("/")
        if not parts or parts[0] != "v1":
            return 404, _error(404)
        parts = parts[1:]
        now = self.clock.now()
        if parts == ["services"] and method == "GET":
            items = [{"service": s.as_json(), "cursor": _cursor(s.id)} for s in self.services.values()]
            return 200, items
        if len(parts) < 2 or parts[0] != "services" or parts[1] not in self.services:
            return 404, _error(404)
        service = self.services[parts[1]]
        rest = parts[2:]
        if rest == [] and method == "GET":
            return 200, service.as_json()
        if rest == ["deploys"] and method == "GET":
            return self._list_deploys(service, query, now)
        if rest == ["deploys"] and method == "POST":
            return self._create_deploy(service, body, now)
        if len(rest) == 2 and rest[0] == "deploys" and method == "GET":
            for deploy in service.deploys:
                if deploy.id == rest[1] and deploy.created_at <= now:
                    return 200, deploy.as_json(now)
            return 404, _error(404)
        if len(rest) == 3 and rest[0] == "deploys" and rest[2] == "cancel" and method == "POST":
            if not any(d.id == rest[1] for d in service.deploys):
                return 404, _error(404)
            return 200, self.cancel(service.id, rest[1]).as_json(now)
        if rest == ["rollback"] and method == "POST":
            return self._rollback(service, body, now)
        if rest == ["events"] and method == "GET":
            return self._list_events(service, query, now)
        return 404, _error(404)

    def _rollback(self, service: FakeService, body: bytes, now: float) -> tuple[int, Any]:
        """`POST /services/{id}/rollback` with `{"deployId": "dep-..."}`: 201 with the new deploy."""
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            return 400, _error(400)
        target = request.get("deployId") if isinstance(request, dict) else None
        if not isinstance(target, str):
            return 400, _error(400)
        if not any(d.id == target and d.created_at <= now for d in service.deploys):
            return 404, _error(404)
        self.rollbacks.append((service.id, target))
        return 201, self.rollback(service.id, target).as_json(now)

    def _list_deploys(self, service: FakeService, query: dict[str, list[str]], now: float) -> tuple[int, Any]:
        deploys = sorted((d for d in service.deploys if d.created_at <= now),
                         key=lambda d: (d.created_at, d.seq), reverse=True)
        statuses = set(query.get("status", []))
        if statuses:
            deploys = [d for d in deploys if d.status(now)[0] in statuses]
        for name, sign in (("createdAfter", 1), ("createdBefore", -1)):
            if name in query:
                moment = parse_iso(query[name][0])
                if moment is None:
                    return 400, _error(400)
                deploys = [d for d in deploys if (d.created_at - moment) * sign > 0]
        items = [{"deploy": d.as_json(now), "cursor": _cursor(d.id)} for d in deploys]
        return _page(items, query)

    def _list_events(self, service: FakeService, query: dict[str, list[str]], now: float) -> tuple[int, Any]:
        start = parse_iso(query["startTime"][0]) if "startTime" in query else now - 3600
        end = parse_iso(query["endTime"][0]) if "endTime" in query else now
        if start is None or end is None:
            return 400, _error(400)
        types = set(query.get("type", []))
        if len(query.get("type", [])) > 1:  # the spec's `type` is ONE event type (render.md, corrections)
            return 400, _error(400)
        events = [e for e in service.events if start <= e["_at"] <= end and (not types or e["type"] in types)]
        events.sort(key=lambda e: e["_at"], reverse=True)
        items = [{"event": {k: v for k, v in e.items() if k != "_at"}, "cursor": _cursor(e["id"])} for e in events]
        return _page(items, query)

    def _create_deploy(self, service: FakeService, body: bytes, now: float) -> tuple[int, Any]:
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            return 400, _error(400)
        if not isinstance(request, dict):
            return 400, _error(400)
        sha = request.get("commitId")
        if service.image_path is not None:
            image = request.get("imageUrl") or service.image_path
            deploy = self._create(service, None, None, "api", now)
            deploy.image = {"ref": image, "sha": "sha256:" + "1" * 64, "registryCredential": None}
            return 201, deploy.as_json(now)
        if sha is not None:
            known = next((d.commit for d in reversed(service.deploys) if d.commit and d.commit["id"] == sha), None)
            commit = known or {"id": sha, "message": "", "createdAt": iso(now)}
        elif service.head is not None:
            commit = service.head
        else:
            return 400, _error(400)
        if service.create_answers_202:
            self._create(service, commit, None, "api", now + 0.2)  # queued: exists only a moment later
            return 202, None
        return 201, self._create(service, commit, None, "api", now).as_json(now)


def _cursor(identifier: str) -> str:
    return base64.urlsafe_b64encode(identifier.encode()).decode().rstrip("=")


def _error(status: int) -> dict[str, str]:
    error_id, message = _MESSAGES.get(status, ("error", "Error."))
    return {"id": error_id, "message": message}


def _page(items: list[dict[str, Any]], query: dict[str, list[str]]) -> tuple[int, Any]:
    try:
        limit = int(query.get("limit", ["20"])[0])
    except ValueError:
        return 400, _error(400)
    if not 1 <= limit <= 100:
        return 400, _error(400)
    start = 0
    if "cursor" in query:
        positions = [i for i, item in enumerate(items) if item["cursor"] == query["cursor"][0]]
        if not positions:
            return 400, _error(400)
        start = positions[0] + 1
    return 200, items[start:start + limit]


class _Handler(BaseHTTPRequestHandler):
    fake: RenderFake
    protocol_version = "HTTP/1.1"
    server_version = "render-fake"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read the request log instead
        pass

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        query = parse_qs(url.query, keep_blank_values=True)
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, payload, extra = self.fake._answer(method, url.path, query, headers, body)
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        for name, value in extra.items():
            self.send_header(name, value)
        if data:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")


"""A fake of Render's REST API (v1), served over real HTTP on 127.0.0.1 in a background thread.

It follows Render's documented behaviour (see the reference notes): paths under `/v1`, Bearer auth,
`[{deploy, cursor}]` and `[{event, cursor}]` lists with `limit`/`cursor` pages, a bare deploy from
`GET .../deploys/{id}`, `POST .../deploys` answering 201 with a deploy or 202 with an empty body,
`{id, message}` error bodies, `Ratelimit-*` headers on every answer and 429 with `Retry-After`.

Deploys advance through a scripted timeline by wall-clock time, so a test waits only as long as its
timeline. A newer deploy cancels an older one still in progress (what Render does on a new push); a
deploy going live deactivates the previous live one and calls the service's `on_live` callback.

    with RenderFake() as fake:
        fake.add_service("srv-1", timeline=[("build_in_progress", 0.2), ("live", 0)])
        fake.push(sha, "add orders endpoint")
        # MOSAIC_RENDER_API_URL=fake.api_url, RENDER_API_KEY=fake.api_key, RENDER_SERVICE_ID=srv-1
"""

from __future__ import annotations

import argparse
import base64
import json
import secrets
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

Timeline = Sequence[tuple[str, float]]
DEFAULT_TIMELINE: Timeline = (("build_in_progress", 0.2), ("update_in_progress", 0.2), ("live", 0))
_WAITING = frozenset({"created", "queued"})
_IN_PROGRESS = frozenset({"created", "queued", "build_in_progress", "pre_deploy_in_progress", "update_in_progress"})
_FAILED = frozenset({"build_failed", "pre_deploy_failed", "update_failed"})
_SKIP_WORDS = ("render", "deploy", "cd")

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


def _iso(moment: float | None) -> str | None:
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _parse_iso(text: str) -> float | None:
    value = text.strip().replace("Z", "+00:00").replace("z", "+00:00")
    if "." in value:
        head, _, rest = value.partition(".")
        digits = "".join(ch for ch in rest if ch.isdigit())
        value = f"{head}.{(digits + '000000')[:6]}{rest[len(digits):]}"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.timestamp()


def _new_id(prefix: str) -> str:
    alphabet = "abcdefghijklmnopqrstuv0123456789"
    return prefix + "".join(secrets.choice(alphabet) for _ in range(20))


def has_skip_phrase(message: str) -> bool:
    lowered = message.lower()
    return any(f"[skip {w}]" in lowered or f"[{w} skip]" in lowered for w in _SKIP_WORDS)


@dataclass
class FakeDeploy:
    id: str
    service_id: str
    seq: int
    created_at: float
    timeline: list[tuple[str, float]]
    commit: dict[str, Any] | None
    image: dict[str, Any] | None = None
    trigger: str = "new_commit"
    override: tuple[str, float] | None = None  # (status, since) after a cancel or deactivation
    reason: dict[str, Any] | None = None
    processed: bool = False  # its arrival has canceled the older deploys
    ended: bool = False
    live_fired: bool = False

    def natural(self, now: float) -> tuple[str, float]:
        """(status, since) by the timeline alone."""
        at = self.created_at
        for status, duration in self.timeline[:-1]:
            if now < at + duration:
                return status, at
            at += duration
        return self.timeline[-1][0], at

    def status(self, now: float) -> tuple[str, float]:
        if self.override is not None and now >= self.override[1]:
            return self.override
        return self.natural(now)

    def started_at(self, now: float) -> float | None:
        at = self.created_at
        for status, duration in self.timeline:
            if status not in _WAITING:
                return at if at <= now else None
            at += duration
        return None

    def finished_at(self, now: float) -> float | None:
        status, since = self.status(now)
        if status in _IN_PROGRESS or status not in (_FAILED | {"live", "deactivated", "canceled"}):
            return None
        if status == "deactivated":  # finishedAt stays when it went live
            return self.natural(now)[1]
        return since

    def as_json(self, now: float) -> dict[str, Any]:
        status, since = self.status(now)
        body: dict[str, Any] = {
            "id": self.id,
            "commit": self.commit,
            "status": status,
            "trigger": self.trigger,
            "createdAt": _iso(self.created_at),
            "updatedAt": _iso(max(since, self.created_at)),
            "startedAt": _iso(self.started_at(now)),
            "finishedAt": _iso(self.finished_at(now)),
        }
        if self.image is not None:
            body["image"] = self.image
        return body


@dataclass
class FakeService:
    id: str
    name: str
    branch: str
    auto_deploy: bool
    auto_deploy_trigger: str  # commit | checksPass | off
    suspended: bool
    timeline: list[tuple[str, float]]
    url: str
    health_check_path: str
    repo: str
    on_live: Callable[[dict[str, Any]], None] | None
    create_answers_202: bool
    supersede: bool
    created_at: float
    head: dict[str, Any] | None = None  # the last commit pushed to its branch
    deploys: list[FakeDeploy] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        trigger = "off" if not self.auto_deploy else self.auto_deploy_trigger
        return {
            "id": self.id, "name": self.name, "slug": self.name, "type": "web_service",
            "ownerId": "tea-fakeowner000000000000", "repo": self.repo, "branch": self.branch, "rootDir": "",
            "createdAt": _iso(self.created_at), "updatedAt": _iso(self.created_at),
            "autoDeploy": "yes" if self.auto_deploy else "no", "autoDeployTrigger": trigger,
            "buildFilter": {"paths": [], "ignoredPaths": []},
            "dashboardUrl": f"https://dashboard.render.com/web/{self.id}", "environmentId": None,
            "notifyOnFail": "default", "imagePath": None, "registryCredential": None,
            "suspended": "suspended" if self.suspended else "not_suspended",
            "suspenders": ["user"] if self.suspended else [],
            "serviceDetails": {
                "url": self.url, "healthCheckPath": self.health_check_path, "numInstances": 1,
                "plan": "starter", "region": "oregon", "runtime": "python", "env": "python",
                "maxShutdownDelaySeconds": 30, "openPorts": [{"port": 10000, "protocol": "TCP"}],
                "previews": {"generation": "off"}, "parentServer": None,
            },
        }


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    query: dict[str, list[str]]
    status: int
    at: float  # time.monotonic()
    authorized: bool


@dataclass
class _Fault:
    status: int
    remaining: int
    retry_after: float | None = None
    path_contains: str | None = None


class RenderFake:
    """A scripted Render API on 127.0.0.1. Use as a context manager, or call start() and close()."""

    def __init__(self, api_key: str | None = None, *, port: int = 0, get_limit_per_minute: int = 400,
                 tick: float = 0.02) -> None:
        self.api_key = api_key or "rnd_fake" + secrets.token_hex(12)
        self._port = port
        self.get_limit_per_minute = get_limit_per_minute
        self._tick = tick
        self._lock = threading.RLock()
        self.services: dict[str, FakeService] = {}
        self.requests: list[RequestRecord] = []
        self._faults: list[_Fault] = []
        self._seq = 0
        self._window_start = time.monotonic()
        self._window_gets = 0
        self._server: ThreadingHTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()
        self.callback_errors: list[BaseException] = []

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

    # -- scripting -------------------------------------------------------------------------------
    def add_service(self, service_id: str, branch: str = "main", auto_deploy: bool = True, suspended: bool = False,
                    timeline: Timeline = DEFAULT_TIMELINE, *, auto_deploy_trigger: str = "commit",
                    name: str | None = None, url: str | None = None, health_check_path: str = "/health",
                    repo: str = "https://github.com/example/service", on_live: Callable[[dict[str, Any]], None]
                    | None = None, create_answers_202: bool = False, supersede: bool = True) -> FakeService:
        _check_timeline(timeline)
        service = FakeService(
            id=service_id, name=name or service_id, branch=branch, auto_deploy=auto_deploy,
            auto_deploy_trigger=auto_deploy_trigger, suspended=suspended, timeline=list(timeline),
            url=url or f"https://{name or service_id}.onrender.com", health_check_path=health_check_path,
            repo=repo, on_live=on_live, create_answers_202=create_answers_202, supersede=supersede,
            created_at=time.time())
        with self._lock:
            self.services[service_id] = service
        return service

    def _service(self, service_id: str | None) -> FakeService:
        with self._lock:
            if service_id is None:  # the service added last
                if not self.services:
                    raise ValueError("the Render fake has no service yet: call add_service() first")
                return next(reversed(self.services.values()))
            return self.services[service_id]

    def push(self, commit_sha: str, message: str = "", branch: str = "main", commit_created_at: float | None = None,
             *, service_id: str | None = None, timeline: Timeline | None = None, delay: float = 0.0) -> str | None:
        """A git push reaching Render: the deploy id it creates, or None when Render would not deploy
        (other branch, auto-deploy off, suspended, skip phrase). `delay` seconds pass before the deploy
        exists (webhook latency, `checksPass`)."""
        service = self._service(service_id)
        now = time.time()
        commit = {"id": commit_sha, "message": message, "createdAt": _iso(commit_created_at or now)}
        with self._lock:
            if branch != service.branch:
                return None
            service.head = commit
            if not service.auto_deploy or service.auto_deploy_trigger == "off" or service.suspended:
                return None
            if has_skip_phrase(message):
                self._event(service, "commit_ignored", {"id": commit_sha, "url": f"{service.repo}/commit/{commit_sha}"},
                            now)
                return None
            return self._create(service, commit, timeline, "new_commit", now + delay).id

    def add_deploy(self, commit_sha: str | None, status: str = "live", *, service_id: str | None = None,
                   created_ago: float = 3600.0, message: str = "", trigger: str = "new_commit") -> str:
        """A deploy already in the history, fixed at `status`; `commit_sha=None` is an image deploy."""
        service = self._service(service_id)
        created = time.time() - created_ago
        commit = None if commit_sha is None else {"id": commit_sha, "message": message, "createdAt": _iso(created)}
        with self._lock:
            deploy = self._create(service, commit, [(status, 0)], trigger if commit else "api", created)
            deploy.processed = deploy.ended = deploy.live_fired = True
            if commit is None:
                deploy.image = {"ref": "docker.io/example/app:latest", "sha": "sha256:" + "0" * 64,
                                "registryCredential": None}
            return deploy.id

    def _create(self, service: FakeService, commit: dict[str, Any] | None, timeline: Timeline | None, trigger: str,
                created_at: float) -> FakeDeploy:
        if timeline is not None:
            _check_timeline(timeline)
        self._seq += 1
        deploy = FakeDeploy(id=_new_id("dep-"), service_id=service.id, seq=self._seq, created_at=created_at,
                            timeline=list(timeline or service.timeline), commit=commit, trigger=trigger)
        service.deploys.append(deploy)
        return deploy

    def add_event(self, service_id: str, type: str, details: dict[str, Any] | None = None,
                  timestamp: float | None = None) -> str:
        with self._lock:
            return self._event(self.services[service_id], type, details or {}, timestamp or time.time())

    def _event(self, service: FakeService, type: str, details: dict[str, Any], at: float) -> str:
        event = {"id": _new_id("evt-"), "timestamp": _iso(at), "serviceId": service.id, "type": type,
                 "details": details, "_at": at}
        service.events.append(event)
        return str(event["id"])

    def set_service(self, service_id: str, **changes: Any) -> None:
        """Change a service's settings (e.g. suspended=True, auto_deploy=False)."""
        with self._lock:
            service = self.services[service_id]
            for name, value in changes.items():
                if not hasattr(service, name):
                    raise AttributeError(name)
                setattr(service, name, value)

    def fail_next(self, n: int, status: int = 503, *, path_contains: str | None = None) -> None:
        """The next `n` API requests (optionally only those whose path contains a string) answer `status`."""
        with self._lock:
            self._faults.append(_Fault(status=status, remaining=n, path_contains=path_contains))

    def rate_limit(self, n: int, retry_after: float = 1) -> None:
        """The next `n` API requests answer 429 with `Retry-After: retry_after`."""
        with self._lock:
            self._faults.append(_Fault(status=429, remaining=n, retry_after=retry_after))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    # -- inspection ------------------------------------------------------------------------------
    def deploy(self, deploy_id: str) -> dict[str, Any]:
        with self._lock:
            self._advance()
            for service in self.services.values():
                for deploy in service.deploys:
                    if deploy.id == deploy_id:
                        return deploy.as_json(time.time())
        raise KeyError(deploy_id)

    def request_count(self, path_contains: str = "", method: str | None = None) -> int:
        with self._lock:
            return sum(1 for r in self.requests if path_contains in r.path and (method is None or r.method == method))

    # -- the clock -------------------------------------------------------------------------------
    def _ticker(self) -> None:
        while not self._stop.wait(self._tick):
            self._advance()

    def _advance(self) -> None:
        """Apply what the clock has reached: supersedes, deactivations, events, on_live callbacks."""
        callbacks: list[tuple[Callable[[dict[str, Any]], None], dict[str, Any]]] = []
        with self._lock:
            now = time.time()
            for service in self.services.values():
                ordered = sorted(service.deploys, key=lambda d: (d.created_at, d.seq))
                for deploy in ordered:
                    if deploy.created_at > now:
                        continue
                    if not deploy.processed:
                        deploy.processed = True
                        self._event(service, "deploy_started",
                                    {"deployId": deploy.id, "trigger": {"newCommit": (deploy.commit or {}).get("id")}},
                                    deploy.created_at)
                        if service.supersede:
                            for older in ordered:
                                if older is deploy or (older.created_at, older.seq) > (deploy.created_at, deploy.seq):
                                    continue
                                status, _ = older.status(deploy.created_at)
                                if older.override is None and status in _IN_PROGRESS:
                                    older.override = ("canceled", deploy.created_at)
                                    older.reason = {"newDeploy": {"id": deploy.id}}
                    status, since = deploy.status(now)
                    if status == "live" and not deploy.live_fired:
                        deploy.live_fired = True
                        for older in ordered:
                            if older is not deploy and older.created_at <= deploy.created_at \
                                    and older.status(since)[0] == "live":
                                older.override = ("deactivated", since)
                        if service.on_live is not None:
                            callbacks.append((service.on_live, deploy.as_json(now)))
                    if not deploy.ended and (status in _FAILED or status in ("live", "canceled")):
                        deploy.ended = True
                        outcome = {"live": "succeeded", "canceled": "canceled"}.get(status, "failed")
                        self._event(service, "deploy_ended", {"deployId": deploy.id, "deployStatus": outcome,
                                                              "reason": deploy.reason or {}}, since)
        for callback, body in callbacks:
            try:
                callback(body)
            except BaseException as exc:  # a test's callback failing must not kill the clock
                self.callback_errors.append(exc)

    # -- HTTP ------------------------------------------------------------------------------------
    def _answer(self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str],
                body: bytes) -> tuple[int, Any, dict[str, str]]:
        self._advance()
        with self._lock:
            extra = self._rate_headers(method)
            fault = self._take_fault(path)
            authorized = headers.get("authorization", "") == f"Bearer {self.api_key}"
            if fault is not None:
                status, payload = fault.status, _error(fault.status)
                if fault.status == 429:
                    wait = fault.retry_after if fault.retry_after is not None else 1
                    extra.update({"Retry-After": f"{wait:g}", "Ratelimit-Remaining": "0",
                                  "Ratelimit-Reset": f"{wait:g}"})
            elif method == "GET" and self._window_gets > self.get_limit_per_minute:
                status, payload = 429, _error(429)
                extra["Retry-After"] = extra["Ratelimit-Reset"]
            elif not authorized:
                status, payload = 401, _error(401)
            else:
                status, payload = self._route(method, path, query, body)
            self.requests.append(RequestRecord(method, path, query, status, time.monotonic(), authorized))
            return status, payload, extra

    def _rate_headers(self, method: str) -> dict[str, str]:
        now = time.monotonic()
        if now - self._window_start >= 60:
            self._window_start, self._window_gets = now, 0
        if method == "GET":
            self._window_gets += 1
        reset = max(1, round(60 - (now - self._window_start)))
        remaining = max(0, self.get_limit_per_minute - self._window_gets)
        return {"Ratelimit-Limit": str(self.get_limit_per_minute), "Ratelimit-Remaining": str(remaining),
                "Ratelimit-Reset": str(reset)}

    def _take_fault(self, path: str) -> _Fault | None:
        for fault in self._faults:
            if fault.remaining > 0 and (fault.path_contains is None or fault.path_contains in path):
                fault.remaining -= 1
                return fault
        return None

    def _route(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> tuple[int, Any]:
        parts = path.strip("/").split("/")
        if not parts or parts[0] != "v1":
            return 404, _error(404)
        parts = parts[1:]
        now = time.time()
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
        if rest == ["events"] and method == "GET":
            return self._list_events(service, query, now)
        return 404, _error(404)

    def _list_deploys(self, service: FakeService, query: dict[str, list[str]], now: float) -> tuple[int, Any]:
        deploys = sorted((d for d in service.deploys if d.created_at <= now),
                         key=lambda d: (d.created_at, d.seq), reverse=True)
        statuses = set(query.get("status", []))
        if statuses:
            deploys = [d for d in deploys if d.status(now)[0] in statuses]
        for name, sign in (("createdAfter", 1), ("createdBefore", -1)):
            if name in query:
                moment = _parse_iso(query[name][0])
                if moment is None:
                    return 400, _error(400)
                deploys = [d for d in deploys if (d.created_at - moment) * sign > 0]
        items = [{"deploy": d.as_json(now), "cursor": _cursor(d.id)} for d in deploys]
        return _page(items, query)

    def _list_events(self, service: FakeService, query: dict[str, list[str]], now: float) -> tuple[int, Any]:
        start = _parse_iso(query["startTime"][0]) if "startTime" in query else now - 3600
        end = _parse_iso(query["endTime"][0]) if "endTime" in query else now
        if start is None or end is None:
            return 400, _error(400)
        types = set(query.get("type", []))
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
        if sha is not None:
            known = next((d.commit for d in reversed(service.deploys) if d.commit and d.commit["id"] == sha), None)
            commit = known or {"id": sha, "message": "", "createdAt": _iso(now)}
        elif service.head is not None:
            commit = service.head
        else:
            return 400, _error(400)
        if service.create_answers_202:
            self._create(service, commit, None, "api", now + 0.2)  # queued: exists only a moment later
            return 202, None
        return 201, self._create(service, commit, None, "api", now).as_json(now)


def _check_timeline(timeline: Timeline) -> None:
    if not timeline:
        raise ValueError("a timeline needs at least one (status, seconds) step")
    for status, seconds in timeline:
        if not isinstance(status, str) or seconds < 0:
            raise ValueError(f"bad timeline step {(status, seconds)!r}")


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


# -- command line: a fake to try a configuration against, offline ---------------------------------------
def _parse_timeline(text: str) -> list[tuple[str, float]]:
    steps = []
    for item in text.split(","):
        name, _, seconds = item.strip().partition(":")
        steps.append((name.strip(), float(seconds or 0)))
    return steps


def _branch_sha(repo: str, branch: str) -> str | None:
    import subprocess

    proc = subprocess.run(["git", "-C", repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}"],
                          capture_output=True, text=True, timeout=10)
    return proc.stdout.strip() if proc.returncode == 0 else None


def _watch(fake: RenderFake, service_id: str, repo: str, branch: str, stop: threading.Event,
           seen: str | None) -> None:
    """Push to the fake whenever `branch` moves in the git repository `repo` (a bare remote works).
    `seen` is the branch as it was when the fake started: not a new push."""
    import subprocess

    while not stop.wait(0.2):
        sha = _branch_sha(repo, branch)
        if sha is None or sha == seen:
            continue
        seen = sha
        message = subprocess.run(["git", "-C", repo, "log", "-1", "--format=%B", sha], capture_output=True,
                                 text=True, timeout=10).stdout
        deploy_id = fake.push(sha, message, branch=branch, service_id=service_id)
        print(f"push of {sha[:12]} -> {deploy_id or 'no deploy (skip phrase or auto-deploy off)'}", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mosaic_hooks.testing.render_fake",
                                     description="Serve a fake Render API on 127.0.0.1 with one service.")
    parser.add_argument("--port", type=int, default=0, help="port (default: any free one)")
    parser.add_argument("--service", default="srv-fake", help="service id (default srv-fake)")
    parser.add_argument("--branch", default="main")
    parser.add_argument("--key", default=None, help="API key the fake accepts (default: a generated one)")
    parser.add_argument("--timeline", default="build_in_progress:5,update_in_progress:5,live",
                        help="deploy timeline, STATUS:SECONDS,... (default %(default)s)")
    parser.add_argument("--watch-repo", metavar="PATH",
                        help="create a deploy whenever the branch moves in this git repository (e.g. a bare remote)")
    args = parser.parse_args(argv)
    fake = RenderFake(args.key, port=args.port)
    fake.start()
    fake.add_service(args.service, branch=args.branch, timeline=_parse_timeline(args.timeline))
    stop = threading.Event()
    if args.watch_repo:
        initial = _branch_sha(args.watch_repo, args.branch)
        threading.Thread(target=_watch, args=(fake, args.service, args.watch_repo, args.branch, stop, initial),
                         daemon=True).start()
    key_shown = fake.api_key if args.key is None else "<the key you passed>"
    print(f"Render fake: service {args.service} (branch {args.branch}) at {fake.api_url}\n"
          f"  export MOSAIC_RENDER_API_URL={fake.api_url}\n"
          f"  export RENDER_SERVICE_ID={args.service}\n"
          f"  export RENDER_API_KEY={key_shown}\n"
          f"Create a deploy: curl -X POST -H \"Authorization: Bearer $RENDER_API_KEY\" -d '{{\"commitId\": \"SHA\"}}' "
          f"{fake.api_url}/services/{args.service}/deploys\n"
          "Ctrl-C stops.", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    finally:
        stop.set()
        fake.close()


if __name__ == "__main__":
    sys.exit(main())

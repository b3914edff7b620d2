"""A fault-injecting HTTP proxy of the test suite's own, over real sockets on 127.0.0.1.

Put it between a client (`verify`, `wait`, the Render client) and a real upstream server (the service under
test, the Render fake) and switch faults on and off while the client runs:

    with FaultProxy(upstream=("127.0.0.1", port)) as proxy:
        proxy.set("status", status=503, count=3, retry_after=1)   # the next 3 requests get 503
        ... point the client at proxy.url ...
        assert proxy.stats().faults_injected == 3

Faults (the `kind` of `set` / `add`), each with its own parameters:

- ``latency``    ``seconds``: every matching request waits this long before it is forwarded.
- ``spike``      ``seconds``, ``every``: only every Nth matching request waits (a latency spike).
- ``status``     ``status`` (default 503), ``retry_after`` (None: no header), ``body``: the proxy answers itself.
- ``rate_limit`` ``retry_after`` (default 1): 429 with Retry-After and Render's RateLimit-* headers.
- ``reset``      ``after_bytes`` (default: the head and half the body): send that much of the real response,
                 then abort the connection with a TCP RST (SO_LINGER 0).
- ``truncate``   ``keep_bytes`` or ``keep_fraction`` (default 0.5) of the body: send the head (which still
                 announces the full length) and part of the body, then close cleanly (FIN).
- ``hang``       ``hold`` (default 60 s): read the request, answer nothing, keep the connection open until the
                 client gives up, the hold ends or the proxy stops.
- ``redirect``   ``location``, ``status`` (default 307): send the client elsewhere (e.g. another host, to check
                 that credentials are not carried along).
- ``drop``       connection-level: accept, then reset the connection before reading anything.

Common parameters: ``count`` (apply to the next N matching requests, then expire; None = until cleared),
``every`` (apply only to every Nth matching request), ``path_prefix`` (only requests whose path starts with it),
``method``.  Latency faults add up; of the answering faults, the first one that applies wins.

Helpers for faults that need no proxy: `tls_to_plain_http_url` (https:// to a plain-HTTP port),
`UNRESOLVABLE_URL` (a name under the reserved ``.invalid`` TLD) with `resolver_guard` (makes sure such names
fail inside this machine), and `ClosedPort` (a port on 127.0.0.1 where nothing listens).

Everything is bounded: sockets use short select() slices and deadlines, a hold or a latency ends when the proxy
stops, and `close()` joins every thread it started.
"""

from __future__ import annotations

import contextlib
import json
import select
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

LOCALHOST = "127.0.0.1"

#: A host name under the ``.invalid`` TLD (RFC 6761): it never resolves.
UNRESOLVABLE_HOST = "mosaic-nonexistent.invalid"
UNRESOLVABLE_URL = f"http://{UNRESOLVABLE_HOST}:80"

_SLICE = 0.05  # seconds between checks of the stop flag while waiting on a socket
_MAX_HEAD = 64 * 1024
_MAX_BODY = 64 * 1024 * 1024

LATENCY_KINDS = frozenset({"latency", "spike"})
ANSWER_KINDS = frozenset({"status", "rate_limit", "reset", "truncate", "hang", "redirect"})
CONNECTION_KINDS = frozenset({"drop"})
KINDS = LATENCY_KINDS | ANSWER_KINDS | CONNECTION_KINDS

_COMMON = {"count", "every", "path_prefix", "method"}
_PARAMS: dict[str, set[str]] = {
    "latency": {"seconds"},
    "spike": {"seconds"},
    "status": {"status", "retry_after", "body", "headers"},
    "rate_limit": {"retry_after", "body"},
    "reset": {"after_bytes", "pause"},
    "truncate": {"keep_bytes", "keep_fraction"},
    "hang": {"hold"},
    "redirect": {"location", "status"},
    "drop": set(),
}
_REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 307: "Temporary Redirect",
            308: "Permanent Redirect", 400: "Bad Request", 429: "Too Many Requests", 500: "Internal Server Error",
            502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}
# Render's error bodies (`{"id", "message"}`), so an API client meets the shape it will meet in production.
_MESSAGES = {429: "Rate limit has been surpassed.", 500: "An unexpected server error has occurred.",
             502: "Bad gateway.", 503: "Server currently unavailable.", 504: "Gateway timeout."}


class _Closed(Exception):
    """The peer closed, the deadline passed or the proxy is stopping: drop this connection."""


@dataclass
class _Rule:
    kind: str
    params: dict[str, Any]
    count: int | None
    every: int
    path_prefix: str | None
    method: str | None
    matched: int = 0
    applied: int = 0

    def take(self, method: str | None, path: str | None) -> bool:
        """Count one matching request (or connection) and say whether the fault applies to it."""
        if self.path_prefix is not None and (path is None or not path.startswith(self.path_prefix)):
            return False
        if self.method is not None and method != self.method:
            return False
        self.matched += 1
        if self.matched % self.every:
            return False
        if self.count is not None and self.applied >= self.count:
            return False
        self.applied += 1
        return True


@dataclass(frozen=True)
class SeenRequest:
    """One request as the proxy received it (headers included, so a test can look for leaked credentials)."""

    connection: int
    number: int  # 1-based, over the proxy's lifetime
    method: str
    target: str
    headers: tuple[tuple[str, str], ...]
    fault: str | None
    status: int | None  # what the client was sent (None: nothing complete)

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((value for key, value in self.headers if key.lower() == lowered), None)


@dataclass(frozen=True)
class ProxyStats:
    connections: int
    requests: int
    forwarded: int
    faults_injected: int
    by_fault: dict[str, int]
    upstream_errors: int

    def injected(self, kind: str) -> int:
        return self.by_fault.get(kind, 0)


@dataclass
class _Plan:
    delay: float = 0.0
    answer: _Rule | None = None
    kinds: list[str] = field(default_factory=list)


@dataclass
class _Request:
    method: str
    target: str
    version: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((value for key, value in self.headers if key.lower() == lowered), None)

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def keep_alive(self) -> bool:
        connection = (self.header("connection") or "").lower()
        if self.version == "HTTP/1.0":
            return "keep-alive" in connection
        return "close" not in connection


class _Reader:
    """Buffered reads from a socket that give up on a deadline or when the proxy stops."""

    def __init__(self, sock: socket.socket, stop: threading.Event) -> None:
        self.sock = sock
        self.stop = stop
        self.buffer = b""

    def _fill(self, deadline: float) -> bool:
        """Read more into the buffer; False at end of stream."""
        while True:
            if self.stop.is_set():
                raise _Closed("proxy stopping")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Closed("deadline")
            try:
                ready, _, _ = select.select([self.sock], [], [], min(_SLICE, remaining))
            except (OSError, ValueError) as exc:  # closed under us by close()
                raise _Closed(str(exc)) from None
            if not ready:
                continue
            try:
                chunk = self.sock.recv(65536)
            except OSError as exc:
                raise _Closed(str(exc)) from None
            if not chunk:
                return False
            self.buffer += chunk
            return True

    def until(self, marker: bytes, limit: int, deadline: float) -> bytes:
        while (index := self.buffer.find(marker)) < 0:
            if len(self.buffer) > limit:
                raise _Closed("head too large")
            if not self._fill(deadline):
                raise _Closed("eof")
        end = index + len(marker)
        data, self.buffer = self.buffer[:end], self.buffer[end:]
        return data

    def exactly(self, size: int, deadline: float) -> bytes:
        while len(self.buffer) < size:
            if not self._fill(deadline):
                raise _Closed("eof")
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def to_eof(self, limit: int, deadline: float) -> bytes:
        while self._fill(deadline):
            if len(self.buffer) > limit:
                raise _Closed("body too large")
        data, self.buffer = self.buffer, b""
        return data

    def first_bytes(self, deadline: float) -> bytes:
        """At least one byte, without consuming it."""
        while not self.buffer:
            if not self._fill(deadline):
                raise _Closed("eof")
        return self.buffer


def _parse_head(head: bytes) -> tuple[str, list[tuple[str, str]]]:
    lines = head.decode("latin-1").split("\r\n")
    headers = []
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise _Closed("malformed header")
        headers.append((name.strip(), value.strip()))
    return lines[0], headers


def _read_chunked(reader: _Reader, deadline: float) -> bytes:
    """The raw bytes of a chunked body, framing included (so a cut keeps the framing honest)."""
    raw = b""
    while True:
        size_line = reader.until(b"\r\n", 1024, deadline)
        raw += size_line
        try:
            size = int(size_line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise _Closed("bad chunk size") from None
        if size == 0:
            while (trailer := reader.until(b"\r\n", _MAX_HEAD, deadline)) != b"\r\n":
                raw += trailer
            return raw + b"\r\n"
        raw += reader.exactly(size + 2, deadline)
        if len(raw) > _MAX_BODY:
            raise _Closed("body too large")


def _dechunk(raw: bytes) -> bytes:
    body, rest = b"", raw
    while True:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            return body
        body, rest = body + rest[:size], rest[size + 2:]


def _response(status: int, body: bytes, headers: list[tuple[str, str]], *, close: bool) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Fault')}"]
    lines += [f"{name}: {value}" for name, value in headers]
    lines.append(f"Content-Length: {len(body)}")
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def _abort(sock: socket.socket) -> None:
    """Close with a TCP RST instead of a FIN."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


class FaultProxy:
    """An HTTP/1.1 reverse proxy on 127.0.0.1 whose faults can be switched while it runs (thread-safe)."""

    def __init__(self, upstream: tuple[str, int], *, connect_timeout: float = 2.0, upstream_timeout: float = 30.0,
                 idle_timeout: float = 30.0, request_timeout: float = 10.0, keep_seen: int = 1000) -> None:
        if upstream[0] not in (LOCALHOST, "localhost"):
            raise ValueError("the fault proxy forwards only to 127.0.0.1")
        self._upstream = upstream
        self.connect_timeout = connect_timeout
        self.upstream_timeout = upstream_timeout
        self.idle_timeout = idle_timeout
        self.request_timeout = request_timeout
        self._keep_seen = keep_seen
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._rules: list[_Rule] = []
        self._threads: set[threading.Thread] = set()
        self._sockets: set[socket.socket] = set()
        self._seen: list[SeenRequest] = []
        self._connections = 0
        self._requests = 0
        self._forwarded = 0
        self._upstream_errors = 0
        self._by_fault: Counter[str] = Counter()
        self._listener: socket.socket | None = None
        self._accept_thread: threading.Thread | None = None
        self.port = 0

    # -- lifecycle -----------------------------------------------------------------------------------------

    def start(self) -> FaultProxy:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((LOCALHOST, 0))
        listener.listen(128)
        listener.setblocking(False)
        self._listener = listener
        self.port = listener.getsockname()[1]
        self._accept_thread = threading.Thread(target=self._accept_loop, name=f"fault-proxy-{self.port}",
                                               daemon=True)
        self._accept_thread.start()
        return self

    def close(self, timeout: float = 5.0) -> None:
        """Stop accepting, end every connection, join every thread (each within `timeout`)."""
        self._stop.set()
        if self._accept_thread is not None:
            self._accept_thread.join(timeout)
        if self._listener is not None:
            self._listener.close()
        with self._lock:
            sockets = list(self._sockets)
            threads = list(self._threads)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        alive = [thread.name for thread in threads if thread.is_alive()]
        if alive or (self._accept_thread is not None and self._accept_thread.is_alive()):
            raise RuntimeError(f"fault proxy threads did not stop: {alive}")

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- addresses -----------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{LOCALHOST}:{self.port}"

    @property
    def https_url(self) -> str:
        """TLS to this plain-HTTP port: the client's handshake meets an HTTP answer."""
        return tls_to_plain_http_url(self.port)

    @property
    def upstream(self) -> tuple[str, int]:
        with self._lock:
            return self._upstream

    def retarget(self, upstream: tuple[str, int]) -> None:
        """Forward to another upstream from the next request on (e.g. a service restarted on a new port)."""
        if upstream[0] not in (LOCALHOST, "localhost"):
            raise ValueError("the fault proxy forwards only to 127.0.0.1")
        with self._lock:
            self._upstream = upstream

    # -- faults --------------------------------------------------------------------------------------------

    def set(self, kind: str, **params: Any) -> None:
        """Make `kind` the only active fault."""
        rule = self._rule(kind, params)
        with self._lock:
            self._rules = [rule]

    def add(self, kind: str, **params: Any) -> None:
        """Add a fault to the active ones (e.g. latency on top of a 503 burst)."""
        rule = self._rule(kind, params)
        with self._lock:
            self._rules.append(rule)

    def clear(self) -> None:
        """No faults from the next request on (a hang or latency already under way runs to its end)."""
        with self._lock:
            self._rules = []

    @contextlib.contextmanager
    def fault(self, kind: str, **params: Any) -> Iterator[FaultProxy]:
        """`with proxy.fault("hang"): ...` - the fault is active inside the block only."""
        self.set(kind, **params)
        try:
            yield self
        finally:
            self.clear()

    @staticmethod
    def _rule(kind: str, params: dict[str, Any]) -> _Rule:
        if kind not in KINDS:
            raise ValueError(f"unknown fault {kind!r}; known: {sorted(KINDS)}")
        unknown = set(params) - _PARAMS[kind] - _COMMON
        if unknown:
            raise TypeError(f"fault {kind!r} takes no parameter(s) {sorted(unknown)}")
        if kind in ("latency", "spike") and not float(params.get("seconds", 0)) > 0:
            raise ValueError(f"fault {kind!r} needs seconds > 0")
        if kind == "spike" and "every" not in params:
            raise ValueError("fault 'spike' needs every=N")
        if kind == "redirect" and "location" not in params:
            raise ValueError("fault 'redirect' needs location=URL")
        own = dict(params)
        every = int(own.pop("every", 1))
        count = own.pop("count", None)
        path_prefix = own.pop("path_prefix", None)
        method = own.pop("method", None)
        if every < 1 or (count is not None and count < 0):
            raise ValueError("every must be >= 1 and count >= 0")
        return _Rule(kind=kind, params=own, count=count, every=every, path_prefix=path_prefix, method=method)

    # -- observation ---------------------------------------------------------------------------------------

    def stats(self) -> ProxyStats:
        with self._lock:
            return ProxyStats(connections=self._connections, requests=self._requests, forwarded=self._forwarded,
                              faults_injected=sum(self._by_fault.values()), by_fault=dict(self._by_fault),
                              upstream_errors=self._upstream_errors)

    def seen(self) -> list[SeenRequest]:
        """The requests received so far (the newest `keep_seen`), oldest first."""
        with self._lock:
            return list(self._seen)

    def reset_stats(self) -> None:
        with self._lock:
            self._connections = self._requests = self._forwarded = self._upstream_errors = 0
            self._by_fault.clear()
            self._seen.clear()

    # -- the proxy -----------------------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([self._listener], [], [], _SLICE)
            except (OSError, ValueError):
                return
            if not ready:
                continue
            try:
                client, _ = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                return
            client.setblocking(True)
            with self._lock:
                self._connections += 1
                number = self._connections
                drop = next((rule for rule in self._rules if rule.kind in CONNECTION_KINDS
                             and rule.take(None, None)), None)
                if drop is not None:
                    self._by_fault[drop.kind] += 1
            if drop is not None:
                _abort(client)
                continue
            thread = threading.Thread(target=self._serve, args=(client, number),
                                      name=f"fault-proxy-{self.port}-conn-{number}", daemon=True)
            with self._lock:
                self._sockets.add(client)
                # Finished threads leave the set here, not by themselves: `close` must join every live one.
                self._threads = {alive for alive in self._threads if alive.is_alive()}
                self._threads.add(thread)
            thread.start()

    def _serve(self, client: socket.socket, connection: int) -> None:
        aborted = False
        try:
            reader = _Reader(client, self._stop)
            while not self._stop.is_set():
                try:
                    first = reader.first_bytes(time.monotonic() + self.idle_timeout)
                    if not first[:1].isalpha():  # e.g. a TLS ClientHello: answer as a plain HTTP server would
                        client.sendall(_response(400, b"Bad Request: this port speaks plain HTTP\n",
                                                 [("Content-Type", "text/plain")], close=True))
                        return
                    request = self._read_request(reader)
                except _Closed:
                    return
                keep_open, aborted = self._handle(client, connection, request)
                if not keep_open:
                    return
        except OSError:
            return
        finally:
            with self._lock:
                self._sockets.discard(client)
            if not aborted:
                with contextlib.suppress(OSError):
                    client.close()

    def _read_request(self, reader: _Reader) -> _Request:
        deadline = time.monotonic() + self.request_timeout
        head = reader.until(b"\r\n\r\n", _MAX_HEAD, deadline)
        request_line, headers = _parse_head(head)
        parts = request_line.split(" ")
        if len(parts) != 3:
            raise _Closed("malformed request line")
        method, target, version = parts
        request = _Request(method=method, target=target, version=version, headers=headers, body=b"")
        if (request.header("transfer-encoding") or "").lower() == "chunked":
            request.body = _dechunk(_read_chunked(reader, deadline))
            request.headers = [(k, v) for k, v in headers if k.lower() != "transfer-encoding"]
            request.headers.append(("Content-Length", str(len(request.body))))
        elif (length := request.header("content-length")) is not None:
            try:
                request.body = reader.exactly(int(length), deadline)
            except ValueError:
                raise _Closed("bad content-length") from None
        return request

    def _plan(self, request: _Request) -> tuple[int, _Plan]:
        plan = _Plan()
        with self._lock:
            self._requests += 1
            number = self._requests
            for rule in self._rules:
                if rule.kind in CONNECTION_KINDS:
                    continue
                if rule.kind in ANSWER_KINDS and plan.answer is not None:
                    continue
                if not rule.take(request.method, request.path):
                    continue
                self._by_fault[rule.kind] += 1
                plan.kinds.append(rule.kind)
                if rule.kind in LATENCY_KINDS:
                    plan.delay += float(rule.params["seconds"])
                else:
                    plan.answer = rule
        return number, plan

    def _record(self, connection: int, number: int, request: _Request, plan: _Plan, status: int | None) -> None:
        seen = SeenRequest(connection=connection, number=number, method=request.method, target=request.target,
                           headers=tuple(request.headers), fault="+".join(plan.kinds) or None, status=status)
        with self._lock:
            self._seen.append(seen)
            del self._seen[:-self._keep_seen]

    def _handle(self, client: socket.socket, connection: int, request: _Request) -> tuple[bool, bool]:
        """Answer one request; (keep the connection open?, was it aborted with a RST?)."""
        number, plan = self._plan(request)
        if plan.delay and self._stop.wait(plan.delay):
            return False, False
        rule = plan.answer
        close = not request.keep_alive
        if rule is not None and rule.kind in ("status", "rate_limit", "redirect"):
            status, payload = self._own_answer(rule)
            self._record(connection, number, request, plan, status)
            client.sendall(_response(status, payload[1], payload[0], close=close))
            return not close, False
        if rule is not None and rule.kind == "hang":
            self._record(connection, number, request, plan, None)
            self._hold(client, float(rule.params.get("hold", 60.0)))
            return False, False
        upstream = self._forward(request)
        if upstream is None:
            with self._lock:
                self._upstream_errors += 1
            body = json.dumps({"id": "bad_gateway", "message": "upstream unreachable"}).encode()
            self._record(connection, number, request, plan, 502)
            client.sendall(_response(502, body, [("Content-Type", "application/json")], close=close))
            return not close, False
        status, head, body, close_delimited = upstream
        close = close or close_delimited
        head = head + (b"Connection: close\r\n\r\n" if close else b"\r\n")
        if rule is not None and rule.kind == "truncate":
            keep = rule.params.get("keep_bytes")
            if keep is None:
                keep = int(len(body) * float(rule.params.get("keep_fraction", 0.5)))
            self._record(connection, number, request, plan, None)
            client.sendall(head + body[:min(int(keep), max(len(body) - 1, 0))])
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_WR)
            return False, False
        if rule is not None and rule.kind == "reset":
            after = rule.params.get("after_bytes")
            after = len(head) + len(body) // 2 if after is None else int(after)
            self._record(connection, number, request, plan, None)
            client.sendall((head + body)[:after])
            # A short pause lets the client take in the partial answer before the RST arrives.
            self._stop.wait(float(rule.params.get("pause", 0.05)))
            _abort(client)
            return False, True
        # Recorded before the answer leaves, so a client that has its answer also sees it in `seen()`.
        self._record(connection, number, request, plan, status)
        client.sendall(head + body)
        return not close, False

    @staticmethod
    def _own_answer(rule: _Rule) -> tuple[int, tuple[list[tuple[str, str]], bytes]]:
        params = rule.params
        if rule.kind == "redirect":
            status = int(params.get("status", 307))
            return status, ([("Location", str(params["location"])), ("Content-Type", "text/plain")], b"")
        status = 429 if rule.kind == "rate_limit" else int(params.get("status", 503))
        retry_after = params.get("retry_after", 1 if rule.kind == "rate_limit" else None)
        headers: list[tuple[str, str]] = [("Content-Type", "application/json")]
        if retry_after is not None:
            headers.append(("Retry-After", str(retry_after)))
        if rule.kind == "rate_limit":
            headers += [("Ratelimit-Limit", "400"), ("Ratelimit-Remaining", "0"),
                        ("Ratelimit-Reset", str(retry_after if retry_after is not None else 60))]
        headers += list(params.get("headers", []))
        body = params.get("body")
        if body is None:
            message = _MESSAGES.get(status, "Injected fault.")
            body = json.dumps({"id": f"fault_{status}", "message": message})
        return status, (headers, body.encode() if isinstance(body, str) else bytes(body))

    def _hold(self, client: socket.socket, hold: float) -> None:
        """Say nothing until the client closes, the hold ends or the proxy stops."""
        deadline = time.monotonic() + hold
        while not self._stop.is_set() and time.monotonic() < deadline:
            try:
                ready, _, _ = select.select([client], [], [], _SLICE)
                if ready and not client.recv(65536):
                    return
            except (OSError, ValueError):
                return

    def _forward(self, request: _Request) -> tuple[int, bytes, bytes, bool] | None:
        """(status, head without its final blank line, body as sent, close-delimited?) or None if unreachable."""
        deadline = time.monotonic() + self.upstream_timeout
        try:
            upstream = socket.create_connection(self.upstream, timeout=self.connect_timeout)
        except OSError:
            return None
        with self._lock:
            self._sockets.add(upstream)
        try:
            lines = [f"{request.method} {request.target} {request.version}"]
            lines += [f"{name}: {value}" for name, value in request.headers
                      if name.lower() not in ("connection", "keep-alive", "proxy-connection")]
            lines.append("Connection: close")
            upstream.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + request.body)
            reader = _Reader(upstream, self._stop)
            head = reader.until(b"\r\n\r\n", _MAX_HEAD, deadline)
            status_line, headers = _parse_head(head)
            try:
                status = int(status_line.split(" ", 2)[1])
            except (IndexError, ValueError):
                return None
            lowered = {name.lower(): value for name, value in headers}
            close_delimited = False
            if request.method == "HEAD" or status < 200 or status in (204, 304):
                body = b""
            elif lowered.get("transfer-encoding", "").lower() == "chunked":
                body = _read_chunked(reader, deadline)
            elif "content-length" in lowered:
                body = reader.exactly(int(lowered["content-length"]), deadline)
            else:
                body = reader.to_eof(_MAX_BODY, deadline)
                close_delimited = True
        except (_Closed, OSError, ValueError):
            return None
        finally:
            with self._lock:
                self._sockets.discard(upstream)
            upstream.close()
        with self._lock:
            self._forwarded += 1
        kept = [f"{name}: {value}" for name, value in headers
                if name.lower() not in ("connection", "keep-alive", "proxy-connection")]
        new_head = ("\r\n".join([status_line, *kept]) + "\r\n").encode("latin-1")
        return status, new_head, body, close_delimited


# -- faults that need no proxy -------------------------------------------------------------------------------


def tls_to_plain_http_url(port: int, path: str = "") -> str:
    """An https:// URL for a port that speaks plain HTTP: the TLS handshake fails (client side)."""
    return f"https://{LOCALHOST}:{port}{path}"


class ClosedPort:
    """A port on 127.0.0.1 where nothing listens, reserved while the block runs.

    The socket is bound but never listens, so a connection is refused at once (RST) and no other
    process can start listening on the port meanwhile.
    """

    def __init__(self) -> None:
        self._sock: socket.socket | None = None
        self.port = 0

    def __enter__(self) -> ClosedPort:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind((LOCALHOST, 0))
        self.port = self._sock.getsockname()[1]
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._sock is not None:
            self._sock.close()

    @property
    def url(self) -> str:
        return f"http://{LOCALHOST}:{self.port}"


_real_getaddrinfo = socket.getaddrinfo

#: Put on a subprocess's PYTHONPATH: its `sitecustomize` installs the `.invalid` guard at start-up.
RESOLVER_GUARD_PATH = str(Path(__file__).resolve().parent / "resolver_guard")


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    name = host.decode("ascii", "replace") if isinstance(host, bytes) else str(host or "")
    if name.rstrip(".").lower().endswith(".invalid"):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return _real_getaddrinfo(host, *args, **kwargs)


@contextlib.contextmanager
def resolver_guard() -> Iterator[None]:
    """Names under `.invalid` fail in this process without a DNS query (what RFC 6761 asks of resolvers).

    glibc does not special-case `.invalid`: without the guard the query goes to the configured name server,
    which answers NXDOMAIN. The guard keeps that query from leaving the machine.  For a subprocess, put
    `RESOLVER_GUARD_PATH` on its PYTHONPATH (a `sitecustomize` that installs the same guard).
    """
    socket.getaddrinfo = _guarded_getaddrinfo
    try:
        yield
    finally:
        socket.getaddrinfo = _real_getaddrinfo


def install_resolver_guard() -> None:
    """Install the `.invalid` guard for the rest of the process (used by the subprocess sitecustomize)."""
    socket.getaddrinfo = _guarded_getaddrinfo

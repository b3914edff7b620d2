"""The fault proxy does what each fault says, seen by a real HTTP client against a real upstream server."""

from __future__ import annotations

import gc
import json
import os
import socket
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.support.fault_proxy import (
    RESOLVER_GUARD_PATH,
    UNRESOLVABLE_URL,
    ClosedPort,
    FaultProxy,
    resolver_guard,
    tls_to_plain_http_url,
)

pytestmark = pytest.mark.filterwarnings("error::ResourceWarning")


class _Upstream(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # keep the test output clean
        pass

    def _send(self, status: int, body: bytes, content_type: str = "application/octet-stream") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        parts = self.path.strip("/").split("/")
        if parts[0] == "ok" or parts[0] == "health":
            self._send(200, b'{"ok": true}', "application/json")
        elif parts[0] == "bytes":
            self._send(200, bytes(i % 251 for i in range(int(parts[1]))))
        elif parts[0] == "chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for _ in range(int(parts[1])):
                self.wfile.write(b"400\r\n" + b"x" * 1024 + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        elif parts[0] == "close":  # body delimited by closing the connection
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"until the end")
            self.close_connection = True
        elif parts[0] == "echo":
            headers = {name.lower(): value for name, value in self.headers.items()}
            self._send(200, json.dumps({"path": self.path, "headers": headers}).encode(), "application/json")
        else:
            self._send(404, b"not found")

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self._send(200, json.dumps({"received": len(body), "body": body.decode()}).encode(), "application/json")


@pytest.fixture(scope="module")
def upstream() -> Iterator[tuple[str, int]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield ("127.0.0.1", server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def proxy(upstream: tuple[str, int]) -> Iterator[FaultProxy]:
    with warnings.catch_warnings():  # sockets an earlier test left for the collector are not this test's
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
    with FaultProxy(upstream=upstream) as running:
        yield running
    gc.collect()  # any unclosed socket warns now, inside the test's warning filter


def _timed_get(client: httpx.Client, url: str) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = client.get(url)
    return response, time.monotonic() - started


# -- no fault ------------------------------------------------------------------------------------------------


def test_without_faults_requests_and_bodies_pass_through_unchanged(proxy: FaultProxy) -> None:
    with httpx.Client(base_url=proxy.url, timeout=5) as client:
        assert client.get("/ok").json() == {"ok": True}
        assert client.get("/bytes/100000").content == bytes(i % 251 for i in range(100000))
        assert client.get("/chunked/50").content == b"x" * 1024 * 50
        assert client.get("/close").content == b"until the end"
        assert client.post("/echo", content=b"hello proxy").json() == {"received": 11, "body": "hello proxy"}
        assert client.get("/missing").status_code == 404
    stats = proxy.stats()
    assert stats.requests == 6
    assert stats.forwarded == 6
    assert stats.faults_injected == 0


def test_client_keep_alive_is_kept_so_requests_share_a_connection(proxy: FaultProxy) -> None:
    with httpx.Client(base_url=proxy.url, timeout=5) as client:
        for _ in range(5):
            assert client.get("/ok").status_code == 200
    assert proxy.stats().connections == 1
    assert proxy.stats().requests == 5


def test_request_headers_are_recorded_for_leak_checks(proxy: FaultProxy) -> None:
    httpx.get(f"{proxy.url}/echo", headers={"Authorization": "Bearer abc"}, timeout=5)
    (seen,) = proxy.seen()
    assert seen.method == "GET"
    assert seen.target == "/echo"
    assert seen.header("authorization") == "Bearer abc"
    assert seen.status == 200


# -- latency -------------------------------------------------------------------------------------------------


def test_latency_delays_every_request_until_cleared(proxy: FaultProxy) -> None:
    proxy.set("latency", seconds=0.3)
    with httpx.Client(base_url=proxy.url, timeout=5) as client:
        slow, slow_elapsed = _timed_get(client, "/ok")
        proxy.clear()
        fast, fast_elapsed = _timed_get(client, "/ok")
    assert slow.status_code == fast.status_code == 200
    assert slow_elapsed >= 0.3
    # Which requests were delayed is read from the proxy, not from a clock that a busy machine stretches.
    assert [seen.fault for seen in proxy.seen()] == ["latency", None]
    assert fast_elapsed < slow_elapsed


def test_latency_spike_hits_only_every_nth_request(proxy: FaultProxy) -> None:
    proxy.set("spike", seconds=0.3, every=3)
    with httpx.Client(base_url=proxy.url, timeout=5) as client:
        elapsed = [_timed_get(client, "/ok")[1] for _ in range(6)]
    assert [seen.number for seen in proxy.seen() if seen.fault == "spike"] == [3, 6]
    assert elapsed[2] >= 0.3 and elapsed[5] >= 0.3
    assert proxy.stats().injected("spike") == 2


def test_latency_longer_than_the_client_timeout_is_a_read_timeout(proxy: FaultProxy) -> None:
    proxy.set("latency", seconds=2)
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(f"{proxy.url}/ok", timeout=0.3)
    assert time.monotonic() - started < 3


# -- answers of the proxy's own ------------------------------------------------------------------------------


def test_a_503_burst_answers_the_next_n_requests_then_forwards_again(proxy: FaultProxy) -> None:
    proxy.set("status", status=503, count=3, retry_after=2)
    with httpx.Client(base_url=proxy.url, timeout=5) as client:
        responses = [client.get("/ok") for _ in range(5)]
    assert [r.status_code for r in responses] == [503, 503, 503, 200, 200]
    assert responses[0].headers["Retry-After"] == "2"
    assert responses[0].json()["message"] == "Server currently unavailable."
    assert proxy.stats().injected("status") == 3
    assert proxy.stats().forwarded == 2


def test_a_502_burst_without_retry_after_sends_no_such_header(proxy: FaultProxy) -> None:
    proxy.set("status", status=502, count=1)
    response = httpx.get(f"{proxy.url}/ok", timeout=5)
    assert response.status_code == 502
    assert "Retry-After" not in response.headers


def test_a_429_storm_lasts_until_cleared_and_carries_retry_after(proxy: FaultProxy) -> None:
    proxy.set("rate_limit", retry_after=3)
    with httpx.Client(base_url=proxy.url, timeout=5) as client:
        storm = [client.get("/ok") for _ in range(10)]
        proxy.clear()
        after = client.get("/ok")
    assert {r.status_code for r in storm} == {429}
    assert {r.headers["Retry-After"] for r in storm} == {"3"}
    assert storm[0].headers["Ratelimit-Remaining"] == "0"
    assert storm[0].json() == {"id": "fault_429", "message": "Rate limit has been surpassed."}
    assert after.status_code == 200
    assert proxy.stats().injected("rate_limit") == 10


def test_faults_can_target_one_path_prefix(proxy: FaultProxy) -> None:
    proxy.set("status", status=503, path_prefix="/health")
    with httpx.Client(base_url=proxy.url, timeout=5) as client:
        assert client.get("/health").status_code == 503
        assert client.get("/ok").status_code == 200


def test_latency_and_a_burst_combine(proxy: FaultProxy) -> None:
    proxy.set("latency", seconds=0.2)
    proxy.add("status", status=503, count=1)
    with httpx.Client(base_url=proxy.url, timeout=5) as client:
        first, elapsed = _timed_get(client, "/ok")
        second = client.get("/ok")
    assert first.status_code == 503
    assert elapsed >= 0.2
    assert second.status_code == 200
    assert proxy.stats().by_fault == {"latency": 2, "status": 1}


def test_a_redirect_to_another_host_is_followed_without_the_credentials(
        proxy: FaultProxy, upstream: tuple[str, int]) -> None:
    with FaultProxy(upstream=upstream) as other_host:
        # Another host name for the same loopback address: httpx must treat it as a different origin.
        proxy.set("redirect", location=f"http://localhost:{other_host.port}/echo", count=1)
        with httpx.Client(timeout=5, follow_redirects=True) as client:
            response = client.get(f"{proxy.url}/echo", headers={"Authorization": "Bearer not-for-you"})
        assert response.status_code == 200
        assert response.history[0].status_code == 307
        (arrived,) = other_host.seen()
        assert arrived.header("authorization") is None


# -- broken connections --------------------------------------------------------------------------------------


def test_reset_mid_response_delivers_part_of_the_body_then_a_connection_reset(proxy: FaultProxy) -> None:
    proxy.set("reset")
    received = 0
    with (httpx.Client(timeout=5) as client, pytest.raises(httpx.ReadError, match="reset"),
          client.stream("GET", f"{proxy.url}/bytes/200000") as response):
        assert response.status_code == 200
        for chunk in response.iter_bytes():
            received += len(chunk)
    assert 0 < received < 200000
    assert proxy.stats().injected("reset") == 1


def test_reset_before_any_byte_is_a_server_disconnect(proxy: FaultProxy) -> None:
    proxy.set("reset", after_bytes=0)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        httpx.get(f"{proxy.url}/ok", timeout=5)


def test_a_truncated_body_is_an_incomplete_message(proxy: FaultProxy) -> None:
    proxy.set("truncate", keep_bytes=1000)
    received = 0
    with (httpx.Client(timeout=5) as client,
          pytest.raises(httpx.RemoteProtocolError, match="complete message body"),
          client.stream("GET", f"{proxy.url}/bytes/10000") as response):
        assert response.headers["Content-Length"] == "10000"
        for chunk in response.iter_bytes():
            received += len(chunk)
    assert received == 1000


def test_a_truncated_chunked_body_is_an_incomplete_message(proxy: FaultProxy) -> None:
    proxy.set("truncate", keep_fraction=0.3)
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(f"{proxy.url}/chunked/20", timeout=5)


def test_hang_accepts_and_never_answers_so_the_client_times_out(proxy: FaultProxy) -> None:
    proxy.set("hang")
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(f"{proxy.url}/ok", timeout=0.4)
    assert 0.4 <= time.monotonic() - started < 3
    # The proxy notices the client left and frees the connection's thread.
    deadline = time.monotonic() + 2
    while _connection_threads(proxy) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _connection_threads(proxy) == []


def test_drop_resets_the_connection_before_reading_the_request(proxy: FaultProxy) -> None:
    proxy.set("drop", count=1)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError, httpx.ConnectError)):
        httpx.get(f"{proxy.url}/ok", timeout=5)
    assert httpx.get(f"{proxy.url}/ok", timeout=5).status_code == 200
    assert proxy.stats().injected("drop") == 1


def test_an_unreachable_upstream_is_a_502_from_the_proxy(upstream: tuple[str, int]) -> None:
    with ClosedPort() as closed, FaultProxy(upstream=("127.0.0.1", closed.port)) as proxy:
        response = httpx.get(f"{proxy.url}/ok", timeout=5)
        assert response.status_code == 502
        assert proxy.stats().upstream_errors == 1
        proxy.retarget(upstream)
        assert httpx.get(f"{proxy.url}/ok", timeout=5).status_code == 200


# -- faults without a proxy ----------------------------------------------------------------------------------


def test_tls_to_a_plain_http_port_fails_the_handshake(proxy: FaultProxy, upstream: tuple[str, int]) -> None:
    for url in (proxy.https_url + "/ok", tls_to_plain_http_url(upstream[1], "/ok")):
        started = time.monotonic()
        with pytest.raises(httpx.ConnectError, match=r"SSL|ssl|TLS|record"):
            httpx.get(url, timeout=5)
        assert time.monotonic() - started < 3


def test_nothing_listening_is_refused_at_once() -> None:
    with ClosedPort() as closed:
        started = time.monotonic()
        with pytest.raises(httpx.ConnectError, match=r"refused|Errno 111"):
            httpx.get(closed.url, timeout=5)
        assert time.monotonic() - started < 2


def test_an_invalid_name_fails_fast_without_a_dns_query() -> None:
    with resolver_guard():
        with pytest.raises(socket.gaierror) as info:
            socket.getaddrinfo("mosaic-nonexistent.invalid", 80)
        assert info.value.errno == socket.EAI_NONAME
        assert socket.getaddrinfo("localhost", 80)  # other names resolve as before
        started = time.monotonic()
        with pytest.raises(httpx.ConnectError, match="not known"):
            httpx.get(UNRESOLVABLE_URL, timeout=5)
        assert time.monotonic() - started < 2


def test_the_resolver_guard_works_in_a_subprocess() -> None:
    code = ("import socket\ntry:\n socket.getaddrinfo('x.invalid', 80)\nexcept socket.gaierror as e:\n"
            " print('refused', e.errno == socket.EAI_NONAME)\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([RESOLVER_GUARD_PATH, os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=30)
    assert proc.stdout.strip() == "refused True", proc.stderr


# -- bookkeeping ---------------------------------------------------------------------------------------------


def _connection_threads(proxy: FaultProxy) -> list[str]:
    prefix = f"fault-proxy-{proxy.port}-conn-"
    return [thread.name for thread in threading.enumerate() if thread.name.startswith(prefix)]


def test_counters_are_exact_under_concurrent_clients(proxy: FaultProxy) -> None:
    proxy.set("status", status=503, every=5)
    statuses: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        with httpx.Client(base_url=proxy.url, timeout=5) as client:
            for _ in range(25):
                status = client.get("/ok").status_code
                with lock:
                    statuses.append(status)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    stats = proxy.stats()
    assert stats.requests == 200
    assert stats.injected("status") == 40
    assert statuses.count(503) == 40
    assert stats.forwarded == 160


def test_closing_stops_every_thread_and_the_port(upstream: tuple[str, int]) -> None:
    proxy = FaultProxy(upstream=upstream).start()
    proxy.set("hang", hold=30)
    hanging = socket.create_connection(("127.0.0.1", proxy.port), timeout=5)
    try:
        hanging.sendall(b"GET /ok HTTP/1.1\r\nHost: x\r\n\r\n")
        deadline = time.monotonic() + 2
        while proxy.stats().requests < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        started = time.monotonic()
        proxy.close()
        assert time.monotonic() - started < 2
        assert hanging.recv(100) == b""  # the proxy closed the held connection
    finally:
        hanging.close()
    assert not [t for t in threading.enumerate() if t.name.startswith(f"fault-proxy-{proxy.port}")]
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", proxy.port), timeout=2).close()


def test_unknown_faults_and_parameters_are_refused(proxy: FaultProxy) -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        proxy.set("gremlins")
    with pytest.raises(TypeError, match="no parameter"):
        proxy.set("latency", seconds=1, jitter=2)
    with pytest.raises(ValueError, match="every"):
        proxy.set("spike", seconds=1)
    with pytest.raises(ValueError, match=r"127\.0\.0\.1"):
        FaultProxy(upstream=("example.com", 80))


def test_the_fault_context_manager_clears_on_exit(proxy: FaultProxy) -> None:
    with proxy.fault("status", status=503):
        assert httpx.get(f"{proxy.url}/ok", timeout=5).status_code == 503
    assert httpx.get(f"{proxy.url}/ok", timeout=5).status_code == 200

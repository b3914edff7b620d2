"""The reliability directory's own fixtures and fault matrix: marker, DNS guard, proxy factory, limits."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import httpx
import pytest

from mosaic_hooks.core import config
from tests.reliability.fault_matrix import LIMITS, RENDER_API_FAULTS, SERVICE_FAULTS
from tests.support.fault_proxy import FaultProxy


def test_tests_here_are_marked_reliability(request: pytest.FixtureRequest) -> None:
    assert request.node.get_closest_marker("reliability") is not None


def test_invalid_names_fail_without_a_query_here_and_in_child_processes() -> None:
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("backend.invalid", 443)
    code = ("import socket\ntry:\n socket.getaddrinfo('backend.invalid', 443)\n"
            "except socket.gaierror:\n print('refused')\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert proc.stdout.strip() == "refused", proc.stderr


class _Ok(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_the_fault_proxy_factory_forwards_to_the_given_port(fault_proxy: Callable[..., FaultProxy]) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Ok)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        proxy = fault_proxy(server.server_address[1])
        assert httpx.get(proxy.url, timeout=5).text == "ok"
        proxy.set("status", status=503, count=1)
        assert httpx.get(proxy.url, timeout=5).status_code == 503
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_every_matrix_case_is_a_fault_the_proxy_accepts(fault_proxy: Callable[..., FaultProxy]) -> None:
    proxy = fault_proxy(9)  # never forwarded to: only the fault settings are checked
    for case in [*SERVICE_FAULTS, *RENDER_API_FAULTS]:
        case.apply(proxy)
        assert case.url(proxy, closed_port=1).startswith(("http://", "https://"))
        assert case.transient == (case.expected_exits == (0,))
        assert case.transient or case.cause_words, case.name


def test_the_limits_render_as_config_the_loader_accepts(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(LIMITS.toml())
    cfg = config.load(tmp_path, env={})
    assert (cfg.request_timeout, cfg.wait_timeout, cfg.health_samples) == (
        LIMITS.request_timeout, LIMITS.wait_timeout, LIMITS.health_samples)
    assert LIMITS.verify_bound() > LIMITS.wait_bound()

"""Benchmark: the production gate vs the standard's approach, on the same endpoints, in the same run.

A local service (a lean ASGI app under uvicorn, in its own process, on 127.0.0.1) with 200 GET endpoints adds 50 ms
to every answer. Measured:

- the gate runner, as `mosaic-hooks verify --no-wait` runs it (every gate; a change set listing the
  200 endpoints as added), over its one pooled client;
- the standard's Gate 10: one `curl` after another (health, then each endpoint), with real `curl`
  processes when curl is installed, else sequential httpx requests (the output says which).

Usage: python scripts/bench_gate.py [--endpoints 200] [--delay-ms 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def bench_app(endpoints: int, delay_s: float) -> Any:
    """A lean ASGI service: what is measured is the 50 ms and the checking, not a framework's overhead.

    It serves what every gate asks for: /health, /version, GET /bench/{i}, /openapi.json (3.1) documenting
    them, /metrics (requests counted by path), 404 {"detail": "Not Found"} for unknown paths, 405 for
    OPTIONS on known ones.
    """
    routes = {f"/bench/{i}": json.dumps({"n": i}).encode() for i in range(endpoints)}
    routes["/health"] = b'{"status": "ok"}'
    routes["/version"] = json.dumps({"commit": "0" * 40}).encode()
    item = {"type": "object", "required": ["n"], "properties": {"n": {"type": "integer"}}}
    document = {"openapi": "3.1.0", "info": {"title": "bench", "version": "1"}, "paths": {
        path: {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {
            "schema": item if path.startswith("/bench/") else {"type": "object"}}}}}}}
        for path in routes}}
    routes["/openapi.json"] = json.dumps(document).encode()
    counts: dict[tuple[str, str, int], int] = {}

    def metrics() -> bytes:
        lines = ["# HELP http_requests_total Requests by path.", "# TYPE http_requests_total counter"]
        for (method, path, status), count in sorted(counts.items()):
            lines.append(f'http_requests_total{{method="{method}",path="{path}",status="{status}"}} {count}')
        return ("\n".join(lines) + "\n").encode()

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await asyncio.sleep(delay_s)
        method, path = scope["method"], scope["path"]
        known = path in routes or path == "/metrics"
        if method == "OPTIONS":
            status, body, kind = (405, b'{"detail": "Method Not Allowed"}', b"application/json") if known \
                else (404, b'{"detail": "Not Found"}', b"application/json")
        elif method != "GET" or not known:
            status, body, kind = 404, b'{"detail": "Not Found"}', b"application/json"
        elif path == "/metrics":
            status, body, kind = 200, metrics(), b"text/plain; version=0.0.4"
        else:
            status, body, kind = 200, routes[path], b"application/json"
        counts[(method, path if known else "none", status)] = counts.get((method, path if known else "none",
                                                                          status), 0) + 1
        headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode())]
        if status == 405:
            headers.append((b"allow", b"GET"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


def serve(port: int, endpoints: int, delay_ms: float) -> None:
    import uvicorn

    uvicorn.run(bench_app(endpoints, delay_ms / 1000), host="127.0.0.1", port=port, log_level="critical",
                lifespan="off", access_log=False, backlog=2048)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, timeout: float = 20) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/version", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit("the benchmark service did not start")


def run_gate(url: str, endpoints: int) -> tuple[float, list[str]]:
    from mosaic_hooks.core import config
    from mosaic_hooks.detect.changeset import ChangeSet, Endpoint, EndpointChanges
    from mosaic_hooks.gates.runner import run_gates

    cfg = config.load(None, {"BACKEND_URL": url})
    added = [Endpoint("GET", f"/bench/{i}") for i in range(endpoints)]
    changes = ChangeSet(base=None, head="0" * 40, endpoints=EndpointChanges(added=added))
    start = time.perf_counter()
    results = run_gates(cfg, changes, "0" * 40, None)
    elapsed = time.perf_counter() - start
    return elapsed, [f"{r.name}: {r.status} ({r.duration_s:.2f} s) {r.summary}" for r in results]


def run_sequential(url: str, endpoints: int) -> tuple[float, str, int]:
    """The standard's approach: health, then every endpoint, one request after another."""
    paths = ["/health"] + [f"/bench/{i}" for i in range(endpoints)]
    curl = shutil.which("curl")
    not_404 = 0
    start = time.perf_counter()
    if curl:
        for path in paths:
            proc = subprocess.run([curl, "-s", "-o", os.devnull, "-w", "%{http_code}", "--max-time", "10",
                                   url + path], capture_output=True, text=True, check=False)
            not_404 += proc.stdout.strip() not in ("404", "000")
        how = f"real curl processes ({curl})"
    else:
        import httpx

        with httpx.Client(timeout=10) as client:
            for path in paths:
                not_404 += client.get(url + path).status_code != 404
        how = "sequential httpx requests (curl is not installed)"
    return time.perf_counter() - start, how, not_404


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=200)
    parser.add_argument("--delay-ms", type=float, default=50)
    parser.add_argument("--gate-runs", type=int, default=3, help="gate runs (the median is compared)")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.endpoints, args.delay_ms)
        return 0
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(port), "--endpoints", str(args.endpoints),
                               "--delay-ms", str(args.delay_ms)], cwd=ROOT)
    try:
        wait_until_up(url)
        print(f"service: {args.endpoints} GET endpoints, +{args.delay_ms:g} ms per answer, at {url}")
        runs = [run_gate(url, args.endpoints) for _ in range(args.gate_runs)]
        for line in runs[0][1]:
            print(f"  {line}")
        times = sorted(t for t, _ in runs)
        gate_s = statistics.median(times)
        sequential_s, how, answered = run_sequential(url, args.endpoints)
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (the figures are this run's)")
    print(f"gate runner (verify --no-wait, all gates): {gate_s:.2f} s "
          f"(median of {len(times)} runs: {', '.join(f'{t:.2f}' for t in times)})")
    print(f"sequential, the standard's approach ({how}): {sequential_s:.2f} s "
          f"({answered} of {args.endpoints + 1} non-404)")
    ratio = sequential_s / gate_s
    print(f"ratio: {ratio:.1f}x faster (target >= 8x and < 1.5 s: "
          f"{'met' if ratio >= 8 and gate_s < 1.5 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

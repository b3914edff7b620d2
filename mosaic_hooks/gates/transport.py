"""One client's connection pool, split into small pools (shards).

httpcore's pool walks all its connections and queued requests on every request and every release;
with dozens of connections that costs milliseconds of CPU per request. Several small pools, each
request sent through the least busy one, keep the same concurrency at a fraction of the cost.
"""

from __future__ import annotations

import sys
from typing import Any

import httpx


def _no_failed_import_per_request() -> None:
    """httpcore runs `import sniffio` on every request; when sniffio is not installed, each failed
    import searches the whole sys.path (~0.3 ms). Recording the absence once makes it instant."""
    if "sniffio" in sys.modules:
        return
    import importlib

    try:
        importlib.import_module("sniffio")
    except ImportError:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


class ShardedTransport(httpx.AsyncBaseTransport):
    def __init__(self, shards: int, connections_per_shard: int, **transport_options: Any) -> None:
        _no_failed_import_per_request()
        limits = httpx.Limits(max_connections=connections_per_shard,
                              max_keepalive_connections=connections_per_shard)
        # One TLS context for all shards: loading the CA bundle takes ~30 ms each time.
        transport_options.setdefault("verify", httpx.create_ssl_context())
        self._shards = [httpx.AsyncHTTPTransport(limits=limits, **transport_options) for _ in range(shards)]
        self._busy = [0] * shards

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        index = min(range(len(self._shards)), key=self._busy.__getitem__)
        self._busy[index] += 1
        try:  # counted until the answer's headers arrive: gate bodies are small
            return await self._shards[index].handle_async_request(request)
        finally:
            self._busy[index] -= 1

    async def aclose(self) -> None:
        for shard in self._shards:
            await shard.aclose()

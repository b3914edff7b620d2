"""The service's "no such route" answer, learnt by asking for paths that cannot exist.

A handler's own 404 ("item not found" for a sample id) is then told apart from a route that is not
deployed: the two differ in status, content type or body (FastAPI `{"detail":"Not Found"}` vs
`{"detail":"Item not found"}`; Flask's HTML page vs a JSON 404). Two random paths are asked, so a
body that changes on every request (a timestamp, a request id) is noticed and only its shape compared.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from dataclasses import dataclass
from typing import Any

from mosaic_hooks.gates.base import GateContext
from mosaic_hooks.gates.result import Exchange

BROKEN_JSON = b'{"mosaic-hooks": "deliberately invalid JSON'
_PLACEHOLDER = b"\x00PATH\x00"


@dataclass(frozen=True)
class NoRoute:
    """How the service answers `method` on a path that does not exist."""

    method: str
    status: int | None  # None: the service did not answer the question
    content_type: str
    body: bytes  # normalised; b"" when volatile
    shape: str | None  # JSON structure, compared when the body is volatile
    volatile: bool
    error: str | None = None

    @property
    def known(self) -> bool:
        return self.status is not None

    def describe(self) -> str:
        if self.status is None:
            return f"{self.method} on an unknown path: no answer ({self.error})"
        return f"{self.method} on an unknown path answers {self.status} {self.content_type or '(no type)'}"

    def matches(self, exchange: Exchange) -> bool:
        """True when `exchange` is this "no such route" answer (the route is not deployed)."""
        if self.status is None or exchange.status != self.status:
            return False
        if _media(exchange.content_type) != self.content_type:
            return False
        if self.volatile:
            return self.shape is not None and _shape(exchange.body) == self.shape
        return _normalise(exchange.body, exchange.path) == self.body


def _media(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _normalise(body: bytes, path: str) -> bytes:
    from urllib.parse import quote

    bare = path.split("?", 1)[0]
    for variant in {bare, quote(bare, safe="/")}:
        body = body.replace(variant.encode(), _PLACEHOLDER)
    try:  # whitespace-insensitive for JSON
        return json.dumps(json.loads(body.decode("utf-8", "surrogateescape")), sort_keys=True).encode()
    except ValueError:
        return body


def _shape(body: bytes) -> str | None:
    try:
        data = json.loads(body.decode("utf-8"))
    except ValueError:
        return None
    return json.dumps(_structure(data), sort_keys=True)


def _structure(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _structure(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_structure(data[0])] if data else []
    return type(data).__name__


def random_path() -> str:
    return f"/mosaic-no-such-route-{secrets.token_hex(6)}/{secrets.token_hex(4)}"


async def learn(ctx: GateContext, method: str = "GET") -> NoRoute:
    """The no-route answer for `method`, learnt once per run and shared by the gates."""
    key = f"no_route:{method}"
    existing = ctx.shared.get(key)
    if existing is None:
        existing = asyncio.ensure_future(_learn(ctx, method))
        ctx.shared[key] = existing
    result: NoRoute = await asyncio.shield(existing)
    return result


async def _learn(ctx: GateContext, method: str) -> NoRoute:
    body = BROKEN_JSON if method in ("POST", "PUT", "PATCH") else None
    first, second = await asyncio.gather(
        *(ctx.request(method, random_path(), invalid_body=body, note="unknown path") for _ in range(2)))
    if first.status is None or second.status is None:
        failed = first if first.status is None else second
        return NoRoute(method, None, "", b"", None, False, failed.error)
    content_type = _media(first.content_type)
    one, two = _normalise(first.body, first.path), _normalise(second.body, second.path)
    volatile = one != two or first.status != second.status
    return NoRoute(method, first.status, content_type, b"" if volatile else one, _shape(first.body), volatile)

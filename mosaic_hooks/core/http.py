"""The one place HTTP clients to the service (`backend_url`) are made: gates, probe, version endpoint.

Choices, made once here for every request to the service:

- Redirects are not followed by default. For a gate a redirect is the answer under test (following it
  could leave the service), and a request carrying a token (the probe) must reach the configured address
  and nowhere else. A read that carries no secret and wants the target's answer (the version endpoint)
  asks per request, `client.get(url, follow_redirects=True)`, for at most `MAX_REDIRECTS` hops.
- The environment is not trusted (`trust_env=False`): HTTP(S)_PROXY, SSL_CERT_FILE and .netrc are
  ignored, so the verdict is about the service itself and does not change with the shell it runs in
  (a proxy would answer for the service: its latency, its 4xx, its 502).
- One User-Agent names the tool, its version and what the request is for.

Render's API is another host with its own rules (a key, proxies allowed for the real API): see
`render/api.py`. httpx is imported when a client is made: a hook that sends nothing never pays for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mosaic_hooks import __version__

if TYPE_CHECKING:
    import httpx

MAX_REDIRECTS = 5


def user_agent(purpose: str) -> str:
    return f"mosaic-hooks/{__version__} ({purpose})"


def backend_client(*, timeout: float, purpose: str) -> httpx.Client:
    """A blocking client for a few requests to the service."""
    import httpx

    return httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=False, max_redirects=MAX_REDIRECTS,
                        trust_env=False, headers={"user-agent": user_agent(purpose)})


def backend_async_client(*, timeout: float, purpose: str,
                         transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    """A pooled asynchronous client for many concurrent requests to the service (the gates)."""
    import httpx

    return httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(timeout), follow_redirects=False,
                             max_redirects=MAX_REDIRECTS, trust_env=False,
                             headers={"user-agent": user_agent(purpose)})

"""The one HTTP client factory for requests to the service: no redirects unless asked, no proxies from the
environment, one User-Agent. Driven against real servers on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from mosaic_hooks import __version__
from mosaic_hooks.core.http import MAX_REDIRECTS, backend_async_client, backend_client
from tests.support.recording_server import RecordingServer


def _hop(path: str) -> str | None:
    """/hop/N answers a 302 to /hop/N-1; /hop/0 answers 200 "arrived"."""
    hops = int(path.rsplit("/", 1)[-1]) if path.startswith("/hop/") else 0
    return f"/hop/{hops - 1}" if hops > 0 else None


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    started = RecordingServer(_hop, lambda _path: b"arrived")
    yield started
    started.close()


def test_a_redirect_is_an_answer_unless_the_request_asks_to_follow_it(server: RecordingServer) -> None:
    with backend_client(timeout=5, purpose="test") as client:
        assert client.get(server.url + "/hop/1").status_code == 302
        followed = client.get(server.url + "/hop/2", follow_redirects=True)
    assert followed.status_code == 200 and followed.text == "arrived"
    assert [path for path, _agent in server.seen] == ["/hop/1", "/hop/2", "/hop/1", "/hop/0"]


def test_following_stops_after_max_redirects(server: RecordingServer) -> None:
    import httpx

    with backend_client(timeout=5, purpose="test") as client, pytest.raises(httpx.TooManyRedirects):
        client.get(server.url + f"/hop/{MAX_REDIRECTS + 1}", follow_redirects=True)
    assert len(server.seen) == MAX_REDIRECTS + 1


def test_proxies_from_the_environment_are_not_used(server: RecordingServer, monkeypatch: pytest.MonkeyPatch) -> None:
    proxy = RecordingServer(_hop, lambda _path: b"arrived")  # records every request it is sent
    try:
        for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
            monkeypatch.setenv(name, proxy.url)
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        with backend_client(timeout=5, purpose="test") as client:
            assert client.get(server.url + "/hop/0").status_code == 200

        async def through_the_async_client() -> int:
            async with backend_async_client(timeout=5, purpose="test") as client:
                return (await client.get(server.url + "/hop/0")).status_code

        assert asyncio.run(through_the_async_client()) == 200
        assert proxy.seen == [] and len(server.seen) == 2
    finally:
        proxy.close()


def test_every_request_names_the_tool_its_version_and_its_purpose(server: RecordingServer) -> None:
    with backend_client(timeout=5, purpose="version endpoint") as client:
        client.get(server.url + "/hop/0")
    assert server.seen == [("/hop/0", f"mosaic-hooks/{__version__} (version endpoint)")]

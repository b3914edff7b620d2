"""Production as it serves, asked before a push: its requests to the service are made by the one client
factory (`core/http.py`), like the gates': one User-Agent, no proxy from the environment, a redirect of the
health path is its answer, the version read follows one. Real servers on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from mosaic_hooks import __version__
from mosaic_hooks.core import config
from mosaic_hooks.hooks.serving import health_now, serving_now
from tests.support.recording_server import RecordingServer

SHA = "0123456789abcdef0123456789abcdef01234567"


# /health 200; /moved-health 302 to /health; /version 302 to /v2/version, which reports SHA.
_MOVED = {"/moved-health": "/health", "/version": "/v2/version"}


@pytest.fixture
def service() -> Iterator[RecordingServer]:
    started = RecordingServer(_MOVED.get, lambda path: json.dumps({"commit": SHA}).encode() if path == "/v2/version"
                              else b"ok")
    yield started
    started.close()


def _cfg(root: Path, url: str, **env: str) -> config.Config:
    return config.load(root, env={"BACKEND_URL": url, **env})


def test_the_health_look_names_the_tool_and_ignores_proxies_from_the_environment(
        service: RecordingServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    proxy = RecordingServer(lambda _path: None, lambda _path: b"ok")  # records every request it is sent
    try:
        for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
            monkeypatch.setenv(name, proxy.url)
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        health = health_now(_cfg(tmp_path, service.url))
        assert health.up is True and health.line == f"{service.url}/health answered 200"
        assert proxy.seen == []
        assert service.seen == [("/health", f"mosaic-hooks/{__version__} (health)")]
    finally:
        proxy.close()


def test_a_redirected_health_path_is_not_up_as_the_health_gate_judges_it(service: RecordingServer,
                                                                         tmp_path: Path) -> None:
    (tmp_path / ".mosaic").mkdir()
    (tmp_path / ".mosaic" / "config.toml").write_text('health_path = "/moved-health"\n')
    health = health_now(_cfg(tmp_path, service.url))
    assert health.up is False
    assert health.line == f"{service.url}/moved-health answered 302 (a redirect, not followed)"
    assert [path for path, _agent in service.seen] == ["/moved-health"]


def test_the_serving_commit_is_read_from_the_version_endpoint_following_its_redirect(service: RecordingServer,
                                                                                    tmp_path: Path) -> None:
    serving = serving_now(_cfg(tmp_path, service.url))
    assert (serving.commit, serving.how) == (SHA, f"{service.url}/version")
    assert service.seen == [("/version", f"mosaic-hooks/{__version__} (serving commit)"),
                            ("/v2/version", f"mosaic-hooks/{__version__} (serving commit)")]

"""The Render API client: pages, retries, rate limits, refusals, and a key that never leaks."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from mosaic_hooks.render.api import (
    RenderAPI,
    RenderAPIError,
    RenderRefused,
    RenderUnreachable,
)
from mosaic_hooks.testing.render_fake import RenderFake

KEY = "rnd_testSECRETkey9876543210"


class Scripted:
    """A tiny HTTP server answering a scripted queue of (status, headers, body, delay); records requests."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, dict[str, str], bytes, float]] = []
        self.seen: list[tuple[str, dict[str, str], float]] = []
        scripted = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                scripted.seen.append((self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic()))
                status, headers, body, delay = (scripted.answers.pop(0) if scripted.answers
                                                else (200, {}, b"{}", 0.0))
                time.sleep(delay)
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the client gave up waiting

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def url(self, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.server.server_address[1]}/v1"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def scripted() -> Iterator[Scripted]:
    server = Scripted()
    yield server
    server.close()


@pytest.fixture(scope="module")
def fake() -> Iterator[RenderFake]:
    with RenderFake(KEY) as render:
        render.add_service("srv-api")
        yield render


def client(url: str, **kwargs: Any) -> RenderAPI:
    return RenderAPI(url, KEY, timeout=kwargs.pop("timeout", 2), backoff_base=kwargs.pop("backoff_base", 0.01),
                     **kwargs)


def exception_chain_text(exc: BaseException) -> str:
    parts = []
    seen: BaseException | None = exc
    while seen is not None:
        parts += [str(seen), repr(seen), repr(vars(seen))]
        seen = seen.__cause__ or seen.__context__
    return " ".join(parts)


def test_list_deploys_follows_cursor_pages_and_unwraps_items(fake: RenderFake) -> None:
    fake.add_service("srv-pages")
    for i in range(130):
        fake.add_deploy(f"{i:040x}", "deactivated", service_id="srv-pages", created_ago=1000 - i)
    api = client(fake.api_url)
    before = fake.request_count("/srv-pages/deploys")
    deploys = api.list_deploys("srv-pages")
    assert len(deploys) == 130 and len({d["id"] for d in deploys}) == 130
    assert all("cursor" not in d and d["commit"]["id"] for d in deploys)
    assert fake.request_count("/srv-pages/deploys") - before == 2  # 100, then 30 < limit: stop


def test_list_deploys_sends_created_after_and_statuses(fake: RenderFake) -> None:
    fake.add_service("srv-filter")
    old = fake.add_deploy("a" * 40, "live", service_id="srv-filter", created_ago=600)
    new = fake.add_deploy("b" * 40, "build_failed", service_id="srv-filter", created_ago=60)
    api = client(fake.api_url)
    recent = api.list_deploys("srv-filter", created_after=datetime.now(timezone.utc) - timedelta(seconds=300))
    assert [d["id"] for d in recent] == [new]
    live = api.list_deploys("srv-filter", statuses=["live", "deactivated"])
    assert [d["id"] for d in live] == [old]
    request = [r for r in fake.requests if r.path.endswith("srv-filter/deploys")][-1]
    assert request.query["status"] == ["live", "deactivated"] and request.query["limit"] == ["100"]


def test_get_deploy_service_and_events(fake: RenderFake) -> None:
    deploy_id = fake.add_deploy("c" * 40, "live", service_id="srv-api", created_ago=5)
    fake.add_event("srv-api", "server_restarted", {"triggeredByUser": False})
    api = client(fake.api_url)
    assert api.get_deploy("srv-api", deploy_id)["commit"]["id"] == "c" * 40
    assert api.get_service("srv-api")["branch"] == "main"
    events = api.list_events("srv-api", start_time=datetime.now(timezone.utc) - timedelta(minutes=1),
                             event_type="server_restarted")
    assert [e["type"] for e in events] == ["server_restarted"]
    asked = [r for r in fake.requests if r.path.endswith("srv-api/events")][-1]
    assert asked.query["type"] == ["server_restarted"]  # one type per request, as the spec allows


def test_a_rollback_is_one_post_with_the_deploy_id_never_retried(fake: RenderFake) -> None:
    target = fake.add_deploy("d" * 40, "deactivated", service_id="srv-api", created_ago=50)
    api = client(fake.api_url)
    started = api.rollback("srv-api", target)
    assert started["trigger"] == "rollback" and started["commit"]["id"] == "d" * 40
    fake.fail_next(1, 503, path_contains="/rollback")
    before = fake.request_count("/rollback", method="POST")
    with pytest.raises(RenderUnreachable, match="not retried"):
        api.rollback("srv-api", target)
    assert fake.request_count("/rollback", method="POST") - before == 1


def test_server_errors_are_retried_with_backoff(fake: RenderFake) -> None:
    fake.fail_next(3, 503)
    api = client(fake.api_url)
    assert api.get_service("srv-api")["id"] == "srv-api"
    assert api.requests == 4


def test_persistent_server_errors_give_up_with_one_line(fake: RenderFake) -> None:
    fake.fail_next(5, 500)
    api = client(fake.api_url, attempts=3)
    with pytest.raises(RenderUnreachable) as caught:
        api.get_service("srv-api")
    fake.clear_faults()
    assert "500" in caught.value.line() and "\n" not in caught.value.line()
    assert api.requests == 3


def test_retries_never_pass_the_deadline(fake: RenderFake) -> None:
    fake.fail_next(10_000, 503)
    api = client(fake.api_url, attempts=1000, backoff_base=0.2, deadline=time.monotonic() + 0.6)
    started = time.monotonic()
    with pytest.raises(RenderUnreachable):
        api.get_service("srv-api")
    fake.clear_faults()
    assert time.monotonic() - started < 1.0


def test_429_waits_for_retry_after(fake: RenderFake) -> None:
    fake.rate_limit(1, retry_after=0.5)
    api = client(fake.api_url)
    started = time.monotonic()
    api.get_service("srv-api")
    assert time.monotonic() - started >= 0.5
    assert api.requests == 2


def test_429_retry_after_as_an_http_date_is_understood(scripted: Scripted) -> None:
    scripted.answers.append((429, {"Retry-After": formatdate(time.time() + 1.5, usegmt=True)}, b"{}", 0))
    api = client(scripted.url())
    api.get("/services/srv-x")
    first, second = scripted.seen[0][2], scripted.seen[1][2]
    assert second - first >= 0.4  # an HTTP date has whole seconds: somewhere in (0.5, 1.5]


def test_ratelimit_remaining_zero_pauses_until_the_reset(scripted: Scripted) -> None:
    scripted.answers.append((200, {"Ratelimit-Remaining": "0", "Ratelimit-Reset": "0.6"}, b"{}", 0))
    api = client(scripted.url())
    api.get("/services/srv-x")
    api.get("/services/srv-x")
    assert scripted.seen[1][2] - scripted.seen[0][2] >= 0.6


def test_ratelimit_reset_as_epoch_seconds_is_understood(scripted: Scripted) -> None:
    scripted.answers.append((200, {"Ratelimit-Remaining": "0", "Ratelimit-Reset": str(int(time.time()) + 2)},
                             b"{}", 0))
    api = client(scripted.url())
    api.get("/services/srv-x")
    api.get("/services/srv-x")
    assert 0.9 <= scripted.seen[1][2] - scripted.seen[0][2] <= 2.5  # not read as 1.7e9 seconds to go


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_key_fails_at_once_without_showing_it(scripted: Scripted, status: int) -> None:
    scripted.answers.append((status, {}, json.dumps({"id": "unauthorized", "message": f"bad key {KEY}"}).encode(), 0))
    api = client(scripted.url())
    with pytest.raises(RenderRefused) as caught:
        api.get_service("srv-x")
    assert str(status) in caught.value.line() and "RENDER_API_KEY" in caught.value.line()
    assert KEY not in exception_chain_text(caught.value)
    assert len(scripted.seen) == 1
    assert scripted.seen[0][1]["authorization"] == f"Bearer {KEY}"
    assert scripted.seen[0][1]["accept"] == "application/json"


def test_not_found_fails_at_once_naming_the_service_id(fake: RenderFake) -> None:
    api = client(fake.api_url)
    with pytest.raises(RenderRefused) as caught:
        api.get_service("srv-missing")
    assert "404" in caught.value.line() and "RENDER_SERVICE_ID" in caught.value.line()
    assert api.requests == 1


def test_a_redirect_is_not_followed_so_the_key_stays_home(scripted: Scripted) -> None:
    other = Scripted()
    try:
        scripted.answers.append((307, {"Location": other.url("localhost") + "/services/srv-x"}, b"", 0))
        api = client(scripted.url())
        with pytest.raises(RenderRefused) as caught:
            api.get_service("srv-x")
        assert "redirect" in caught.value.line() and "localhost" in caught.value.line()
        assert other.seen == []
    finally:
        other.close()


def test_timeouts_are_retried_then_reported(scripted: Scripted) -> None:
    scripted.answers += [(200, {}, b"{}", 1.0), (200, {}, b"{}", 1.0)]
    api = client(scripted.url(), timeout=0.2, attempts=2)
    with pytest.raises(RenderUnreachable) as caught:
        api.get_service("srv-x")
    assert "no answer within 0.2s" in caught.value.line()
    assert KEY not in exception_chain_text(caught.value)
    assert caught.value.__context__ is None and caught.value.__cause__ is None


def test_connection_errors_carry_no_request_and_no_key() -> None:
    api = client("http://127.0.0.1:9/v1", attempts=2)
    with pytest.raises(RenderUnreachable) as caught:
        api.get_service("srv-x")
    assert "cannot connect to 127.0.0.1" in caught.value.line()
    assert KEY not in exception_chain_text(caught.value)
    assert caught.value.__context__ is None


def test_a_body_that_is_not_json_is_an_api_error(scripted: Scripted) -> None:
    scripted.answers.append((200, {"Content-Type": "text/html"}, b"<html>login</html>", 0))
    with pytest.raises(RenderAPIError) as caught:
        client(scripted.url()).get_service("srv-x")
    assert "not JSON" in caught.value.line()


@pytest.mark.parametrize("url", ["http://api.example.invalid/v1", "ftp://api.render.com/v1", "api.render.com"])
def test_unsafe_or_malformed_api_urls_are_refused_before_any_request(url: str) -> None:
    with pytest.raises(RenderRefused):
        RenderAPI(url, KEY)


def _fragments(key: str, size: int = 4) -> set[str]:
    return {key[i:i + size] for i in range(len(key) - size + 1)}


def test_an_error_message_repeating_the_key_across_its_cut_leaves_no_part_of_it(scripted: Scripted) -> None:
    """Issue 15 item 2: the message is cut to 200 characters; the key is masked before, wherever the cut falls."""
    prefix = "proxy error; request headers: Authorization: Bearer "
    pads = range(200 - len(prefix) - len(KEY) - 2, 200 - len(prefix) + 2)  # the cut before, in, after the key
    for pad in pads:
        message = "x" * pad + prefix + KEY + " (end of headers)"
        scripted.answers.append((400, {}, json.dumps({"id": "bad_request", "message": message}).encode(), 0))
    for pad in pads:
        with pytest.raises(RenderAPIError) as caught:
            client(scripted.url()).get_service("srv-x")
        text = exception_chain_text(caught.value) + caught.value.line()
        assert not any(fragment in text for fragment in _fragments(KEY)), (pad, caught.value.line())
        assert "*" in caught.value.line() or pad + len(prefix) >= 199, (pad, caught.value.line())

"""The Render fake's HTTP API answers as Render's is documented: auth, errors, fields, pages, creation,
events, limits."""

from __future__ import annotations

import time

import httpx
import pytest

from mosaic_hooks.core.isotime import iso_millis as format_time
from mosaic_hooks.render.clock import ManualClock
from mosaic_hooks.testing.render_fake import RenderFake
from tests.testing.render_fake.conftest import KEY


def test_the_api_url_is_local_and_ends_in_v1(fake: RenderFake) -> None:
    assert fake.api_url.startswith("http://127.0.0.1:") and fake.api_url.endswith("/v1")
    assert fake.env("srv-x") == {"MOSAIC_RENDER_API_URL": fake.api_url, "RENDER_API_KEY": KEY,
                                 "RENDER_SERVICE_ID": "srv-x"}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": KEY}])
def test_requests_without_the_right_bearer_key_get_401(fake: RenderFake, headers: dict[str, str]) -> None:
    fake.add_service("srv-auth")
    answer = httpx.get(f"{fake.api_url}/services/srv-auth", headers=headers)
    assert answer.status_code == 401
    assert answer.json() == {"id": "unauthorized", "message": "Authorization information is missing or invalid."}


def test_an_unknown_service_is_404_with_an_error_body(http: httpx.Client) -> None:
    answer = http.get("/services/srv-nope")
    assert answer.status_code == 404 and set(answer.json()) == {"id", "message"}


def test_a_service_has_the_documented_fields(fake: RenderFake, http: httpx.Client) -> None:
    fake.add_service("srv-fields", branch="prod", auto_deploy_trigger="checksPass", suspended=True)
    service = http.get("/services/srv-fields").json()
    assert service["branch"] == "prod" and service["autoDeploy"] == "yes"
    assert service["autoDeployTrigger"] == "checksPass" and service["suspended"] == "suspended"
    assert service["serviceDetails"]["url"].startswith("https://")
    assert service["serviceDetails"]["healthCheckPath"] == "/health"


def test_deploy_lists_page_by_cursor_and_filter(fake: RenderFake, http: httpx.Client) -> None:
    fake.add_service("srv-list")
    ids = [fake.add_deploy(f"{i:040x}", "live" if i % 2 else "build_failed", service_id="srv-list",
                           created_ago=100 - i) for i in range(25)]
    first = http.get("/services/srv-list/deploys").json()
    assert len(first) == 20  # Render's default limit
    rest = http.get("/services/srv-list/deploys", params={"cursor": first[-1]["cursor"], "limit": 100}).json()
    assert [i["deploy"]["id"] for i in first + rest] == ids[::-1]
    failed = http.get("/services/srv-list/deploys", params={"status": ["build_failed"], "limit": 100}).json()
    assert {i["deploy"]["status"] for i in failed} == {"build_failed"} and len(failed) == 13
    cutoff = format_time(time.time() - 80.5)
    recent = http.get("/services/srv-list/deploys", params={"createdAfter": cutoff, "limit": 100}).json()
    assert len(recent) == 5
    assert http.get("/services/srv-list/deploys", params={"limit": 101}).status_code == 400
    assert http.get("/services/srv-list/deploys", params={"cursor": "bogus"}).status_code == 400


def test_creating_a_deploy_answers_201_with_it_or_202_with_no_body(timed: RenderFake, timed_http: httpx.Client,
                                                                 clock: ManualClock) -> None:
    fake, http = timed, timed_http
    fake.add_service("srv-post")
    created = http.post("/services/srv-post/deploys", json={"commitId": "f" * 40})
    assert created.status_code == 201 and created.json()["commit"]["id"] == "f" * 40
    assert created.json()["trigger"] == "api"
    fake.add_service("srv-queued", create_answers_202=True)
    fake.push("e" * 40, "head")
    before = len(http.get("/services/srv-queued/deploys").json())
    queued = http.post("/services/srv-queued/deploys", json={})
    assert queued.status_code == 202 and queued.content == b""
    clock.advance(0.3)
    assert len(http.get("/services/srv-queued/deploys").json()) == before + 1


def test_events_are_listed_with_cursor_items_and_a_start_time(fake: RenderFake, http: httpx.Client) -> None:
    fake.add_service("srv-events")
    fake.add_event("srv-events", "server_failed", {"reason": {"nonZeroExit": 1}}, timestamp=time.time() - 7200)
    fake.add_event("srv-events", "server_restarted", {"triggeredByUser": False})
    recent = http.get("/services/srv-events/events").json()  # Render's default: the last hour
    assert [i["event"]["type"] for i in recent] == ["server_restarted"]
    assert set(recent[0]) == {"event", "cursor"}
    assert set(recent[0]["event"]) == {"id", "timestamp", "serviceId", "type", "details"}
    everything = http.get("/services/srv-events/events", params={"startTime": "2000-01-01T00:00:00Z"}).json()
    assert len(everything) == 2


def test_the_get_limit_per_minute_is_enforced() -> None:
    with RenderFake(KEY, get_limit_per_minute=3) as small:
        small.add_service("srv-1")
        codes = [httpx.get(f"{small.api_url}/services/srv-1", headers={"Authorization": f"Bearer {KEY}"}).status_code
                 for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_the_request_log_counts_requests(fake: RenderFake, http: httpx.Client) -> None:
    fake.add_service("srv-log")
    before = fake.request_count("/services/srv-log")
    http.get("/services/srv-log")
    http.get("/services/srv-log/deploys")
    assert fake.request_count("/services/srv-log") - before == 2
    assert fake.requests[-1].path == "/v1/services/srv-log/deploys" and fake.requests[-1].authorized

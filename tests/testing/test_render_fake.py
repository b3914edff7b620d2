"""The Render fake behaves as Render's API is documented, over real HTTP."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mosaic_hooks.core.isotime import iso_millis as format_time
from mosaic_hooks.testing.render_fake import RenderFake
from tests.conftest import commit_files, git

KEY = "rnd_fakeTestKey0123456789"


@pytest.fixture(scope="module")
def fake() -> Iterator[RenderFake]:
    with RenderFake(KEY) as render:
        yield render


@pytest.fixture
def http(fake: RenderFake) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fake.api_url, headers={"Authorization": f"Bearer {KEY}"}, timeout=5) as client:
        yield client
    fake.clear_faults()


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


def test_a_push_advances_through_the_timeline_by_wall_clock(fake: RenderFake, http: httpx.Client) -> None:
    went_live: list[dict[str, Any]] = []
    fake.add_service("srv-time", timeline=[("build_in_progress", 0.2), ("update_in_progress", 0.2), ("live", 0)],
                     on_live=went_live.append)
    deploy_id = fake.push("a" * 40, "first")
    assert deploy_id is not None and deploy_id.startswith("dep-")
    deploy = http.get(f"/services/srv-time/deploys/{deploy_id}").json()
    assert deploy["status"] == "build_in_progress" and deploy["finishedAt"] is None
    assert deploy["commit"] == {"id": "a" * 40, "message": "first", "createdAt": deploy["commit"]["createdAt"]}
    assert deploy["trigger"] == "new_commit"
    time.sleep(0.25)
    assert http.get(f"/services/srv-time/deploys/{deploy_id}").json()["status"] == "update_in_progress"
    time.sleep(0.25)
    deploy = http.get(f"/services/srv-time/deploys/{deploy_id}").json()
    assert deploy["status"] == "live" and deploy["finishedAt"]
    assert [d["id"] for d in went_live] == [deploy_id]


def test_a_newer_push_cancels_the_older_deploy_and_live_deactivates_the_previous(fake: RenderFake,
                                                                                http: httpx.Client) -> None:
    fake.add_service("srv-sup", timeline=[("build_in_progress", 0.2), ("live", 0)])
    previous = fake.add_deploy("0" * 40, "live", service_id="srv-sup", created_ago=60)
    first = fake.push("1" * 40, "one")
    time.sleep(0.05)
    second = fake.push("2" * 40, "two")
    time.sleep(0.3)
    items = http.get("/services/srv-sup/deploys").json()
    assert all(set(item) == {"deploy", "cursor"} for item in items)
    by_id = {item["deploy"]["id"]: item["deploy"]["status"] for item in items}
    assert by_id == {second: "live", first: "canceled", previous: "deactivated"}
    assert [item["deploy"]["id"] for item in items] == [second, first, previous]  # newest first
    ended = [e["event"] for e in http.get("/services/srv-sup/events").json()
             if e["event"]["type"] == "deploy_ended"]
    canceled = next(e for e in ended if e["details"]["deployId"] == first)
    assert canceled["details"]["deployStatus"] == "canceled"
    assert canceled["details"]["reason"] == {"newDeploy": {"id": second}}


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


def test_image_deploys_have_no_commit(fake: RenderFake, http: httpx.Client) -> None:
    fake.add_service("srv-image")
    deploy_id = fake.add_deploy(None, "live", service_id="srv-image")
    deploy = http.get(f"/services/srv-image/deploys/{deploy_id}").json()
    assert deploy["commit"] is None and deploy["image"]["ref"]


def test_creating_a_deploy_answers_201_with_it_or_202_with_no_body(fake: RenderFake, http: httpx.Client) -> None:
    fake.add_service("srv-post")
    created = http.post("/services/srv-post/deploys", json={"commitId": "f" * 40})
    assert created.status_code == 201 and created.json()["commit"]["id"] == "f" * 40
    assert created.json()["trigger"] == "api"
    fake.add_service("srv-queued", create_answers_202=True)
    fake.push("e" * 40, "head")
    before = len(http.get("/services/srv-queued/deploys").json())
    queued = http.post("/services/srv-queued/deploys", json={})
    assert queued.status_code == 202 and queued.content == b""
    time.sleep(0.3)
    assert len(http.get("/services/srv-queued/deploys").json()) == before + 1


def test_pushes_render_would_not_deploy_create_nothing(fake: RenderFake) -> None:
    fake.add_service("srv-none", branch="main")
    assert fake.push("1" * 40, "x", branch="feature", service_id="srv-none") is None
    assert fake.push("2" * 40, "docs [skip render]", service_id="srv-none") is None
    fake.set_service("srv-none", suspended=True)
    assert fake.push("3" * 40, "x", service_id="srv-none") is None
    fake.set_service("srv-none", suspended=False, auto_deploy=False)
    assert fake.push("4" * 40, "x", service_id="srv-none") is None
    ignored = [e for e in fake.services["srv-none"].events if e["type"] == "commit_ignored"]
    assert [e["details"]["id"] for e in ignored] == ["2" * 40]


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


def test_scripted_rate_limits_answer_429_with_retry_after(fake: RenderFake, http: httpx.Client) -> None:
    fake.add_service("srv-429")
    fake.rate_limit(1, retry_after=2)
    limited = http.get("/services/srv-429")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "2"
    assert limited.headers["Ratelimit-Remaining"] == "0"
    assert limited.json()["message"] == "Rate limit has been surpassed."
    fine = http.get("/services/srv-429")
    assert fine.status_code == 200
    assert int(fine.headers["Ratelimit-Limit"]) == 400 and "Ratelimit-Reset" in fine.headers


def test_the_get_limit_per_minute_is_enforced() -> None:
    with RenderFake(KEY, get_limit_per_minute=3) as small:
        small.add_service("srv-1")
        codes = [httpx.get(f"{small.api_url}/services/srv-1", headers={"Authorization": f"Bearer {KEY}"}).status_code
                 for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_scripted_server_error_bursts(fake: RenderFake, http: httpx.Client) -> None:
    fake.add_service("srv-5xx")
    fake.fail_next(2, 502)
    assert [http.get("/services/srv-5xx").status_code for _ in range(3)] == [502, 502, 200]


def test_the_request_log_counts_requests(fake: RenderFake, http: httpx.Client) -> None:
    fake.add_service("srv-log")
    before = fake.request_count("/services/srv-log")
    http.get("/services/srv-log")
    http.get("/services/srv-log/deploys")
    assert fake.request_count("/services/srv-log") - before == 2
    assert fake.requests[-1].path == "/v1/services/srv-log/deploys" and fake.requests[-1].authorized


def test_the_command_line_fake_serves_a_service_and_deploys_pushes_to_a_watched_repo(tmp_path: Path,
                                                                                     repo: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "mosaic_hooks.testing.render_fake", "--service", "srv-cli",
                             "--key", KEY, "--timeline", "build_in_progress:0.1,live", "--watch-repo", str(repo)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        url = first.split(" at ")[1].strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")
        headers = {"Authorization": f"Bearer {KEY}"}
        assert httpx.get(f"{url}/services/srv-cli", headers=headers).json()["id"] == "srv-cli"
        sha = commit_files(repo, {"a.py": "a = 1\n"}, "new work")
        for _ in range(50):
            items = httpx.get(f"{url}/services/srv-cli/deploys", headers=headers).json()
            if items:
                break
            time.sleep(0.1)
        assert [item["deploy"]["commit"]["id"] for item in items] == [sha]
        assert git(repo, "rev-parse", "HEAD") == sha
    finally:
        proc.terminate()
        proc.wait(timeout=10)

"""Deploys move on as Render's do: by the timeline on the fake's clock (a manual one here), superseded
by newer pushes, and not created when Render would not deploy."""

from __future__ import annotations

from typing import Any

import httpx

from mosaic_hooks.render.clock import ManualClock
from mosaic_hooks.testing.render_fake import RenderFake


def test_a_push_advances_through_the_timeline_by_its_clock(timed: RenderFake, timed_http: httpx.Client,
                                                          clock: ManualClock) -> None:
    fake, http = timed, timed_http
    went_live: list[dict[str, Any]] = []
    fake.add_service("srv-time", timeline=[("build_in_progress", 0.2), ("update_in_progress", 0.2), ("live", 0)],
                     on_live=went_live.append)
    deploy_id = fake.push("a" * 40, "first")
    assert deploy_id is not None and deploy_id.startswith("dep-")
    deploy = http.get(f"/services/srv-time/deploys/{deploy_id}").json()
    assert deploy["status"] == "build_in_progress" and deploy["finishedAt"] is None
    assert deploy["commit"] == {"id": "a" * 40, "message": "first", "createdAt": deploy["commit"]["createdAt"]}
    assert deploy["trigger"] == "new_commit"
    clock.advance(0.25)
    assert http.get(f"/services/srv-time/deploys/{deploy_id}").json()["status"] == "update_in_progress"
    clock.advance(0.25)
    deploy = http.get(f"/services/srv-time/deploys/{deploy_id}").json()
    assert deploy["status"] == "live" and deploy["finishedAt"]
    assert [d["id"] for d in went_live] == [deploy_id]


def test_a_newer_push_cancels_the_older_deploy_and_live_deactivates_the_previous(
        timed: RenderFake, timed_http: httpx.Client, clock: ManualClock) -> None:
    fake, http = timed, timed_http
    fake.add_service("srv-sup", timeline=[("build_in_progress", 0.2), ("live", 0)])
    previous = fake.add_deploy("0" * 40, "live", service_id="srv-sup", created_ago=60)
    first = fake.push("1" * 40, "one")
    clock.advance(0.05)
    second = fake.push("2" * 40, "two")
    clock.advance(0.3)
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


def test_image_deploys_have_no_commit(fake: RenderFake, http: httpx.Client) -> None:
    fake.add_service("srv-image")
    deploy_id = fake.add_deploy(None, "live", service_id="srv-image")
    deploy = http.get(f"/services/srv-image/deploys/{deploy_id}").json()
    assert deploy["commit"] is None and deploy["image"]["ref"]


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

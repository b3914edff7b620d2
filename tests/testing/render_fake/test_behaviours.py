"""The behaviours of real Render the fake learned from render.md's "Corrections and facts added later":
late crashes, one event type per request, rollbacks, two deploys of one commit, image-backed services,
rootDir and build filters. Each is checked against the documented shapes, over HTTP, on a manual clock."""

from __future__ import annotations

import httpx

from mosaic_hooks.render.clock import ManualClock
from mosaic_hooks.testing.render_fake import RenderFake

A, B = "a" * 40, "b" * 40


def statuses(http: httpx.Client, service: str) -> dict[str, str]:
    return {i["deploy"]["id"]: i["deploy"]["status"] for i in http.get(f"/services/{service}/deploys").json()}


def test_a_late_crash_is_server_failed_then_server_available_with_a_failure_reason(
        timed: RenderFake, timed_http: httpx.Client, clock: ManualClock) -> None:
    timed.add_service("srv-oom")
    timed.crash("srv-oom", at=clock.now() + 54 * 60)  # 54 minutes after: invisible until then
    assert timed_http.get("/services/srv-oom/events").json() == []
    clock.advance(60 * 60)
    events = [i["event"] for i in timed_http.get("/services/srv-oom/events").json()]
    assert [e["type"] for e in events] == ["server_available", "server_failed"]  # newest first
    failed = events[1]
    assert set(failed) == {"id", "timestamp", "serviceId", "type", "details"}
    assert failed["details"]["reason"]["evicted"] is False
    assert failed["details"]["reason"]["oomKilled"] == {"memoryLimit": "512Mi"}


def test_restarts_name_the_user_who_asked_or_null(timed: RenderFake, timed_http: httpx.Client,
                                                  clock: ManualClock) -> None:
    timed.add_service("srv-restart")
    timed.restart("srv-restart", at=clock.now() - 5)
    timed.restart("srv-restart", at=clock.now() - 4, by=None)
    details = [i["event"]["details"] for i in timed_http.get("/services/srv-restart/events").json()]
    assert details == [{"triggeredByUser": None}, {"triggeredByUser": "user@example.com"}]


def test_events_take_one_type_per_request(timed: RenderFake, timed_http: httpx.Client, clock: ManualClock) -> None:
    timed.add_service("srv-types")
    timed.crash("srv-types", at=clock.now() - 30, recovered_after=None)
    one = timed_http.get("/services/srv-types/events", params={"type": "server_failed"})
    assert one.status_code == 200 and len(one.json()) == 1
    two = timed_http.get("/services/srv-types/events", params={"type": ["server_failed", "server_restarted"]})
    assert two.status_code == 400 and set(two.json()) == {"id", "message"}


def test_a_rollback_is_a_new_deploy_of_the_old_commit_that_deactivates_the_current_one(
        timed: RenderFake, timed_http: httpx.Client, clock: ManualClock) -> None:
    timed.add_service("srv-rb", timeline=[("build_in_progress", 60), ("live", 0)])
    old = timed.push(A, "old")
    clock.advance(61)
    new = timed.push(B, "new")
    clock.advance(61)
    assert statuses(timed_http, "srv-rb") == {new: "live", old: "deactivated"}
    answer = timed_http.post("/services/srv-rb/rollback", json={"deployId": old})
    assert answer.status_code == 201
    back = answer.json()
    assert back["trigger"] == "rollback" and back["commit"]["id"] == A and back["id"] not in (old, new)
    clock.advance(2)  # from the build artifact: no build step
    assert statuses(timed_http, "srv-rb") == {back["id"]: "live", new: "deactivated", old: "deactivated"}
    deactivated = next(i["deploy"] for i in timed_http.get("/services/srv-rb/deploys").json()
                       if i["deploy"]["id"] == new)
    live = next(i["deploy"] for i in timed_http.get("/services/srv-rb/deploys").json()
                if i["deploy"]["id"] == back["id"])
    assert deactivated["updatedAt"] == live["finishedAt"]  # replaced when the next one went live
    started = [i["event"]["details"] for i in timed_http.get("/services/srv-rb/events").json()
               if i["event"]["type"] == "deploy_started" and i["event"]["details"]["deployId"] == back["id"]]
    assert started[0]["trigger"]["rollback"] is True and started[0]["trigger"]["rollbackTargetDeployId"] == old
    assert timed_http.get("/services/srv-rb").json()["autoDeploy"] == "yes"  # a rollback leaves auto-deploy on
    assert timed_http.post("/services/srv-rb/rollback", json={}).status_code == 400
    assert timed_http.post("/services/srv-rb/rollback", json={"deployId": "dep-nope"}).status_code == 404


def test_a_redeploy_of_the_same_commit_is_queued_behind_it_not_canceling_it(
        timed: RenderFake, timed_http: httpx.Client, clock: ManualClock) -> None:
    timed.add_service("srv-twice", timeline=[("build_in_progress", 100), ("live", 0)])
    pushed = timed.push(A, "x")
    clock.advance(12)
    redeploy = timed_http.post("/services/srv-twice/deploys", json={"commitId": A}).json()
    assert redeploy["status"] == "queued" and redeploy["trigger"] == "api"
    assert statuses(timed_http, "srv-twice") == {pushed: "build_in_progress", redeploy["id"]: "queued"}
    clock.advance(90)
    assert statuses(timed_http, "srv-twice") == {pushed: "live", redeploy["id"]: "build_in_progress"}


def test_a_deploy_can_be_canceled(timed: RenderFake, timed_http: httpx.Client) -> None:
    timed.add_service("srv-cancel", timeline=[("build_in_progress", 100), ("live", 0)])
    deploy_id = timed.push(A, "x")
    answer = timed_http.post(f"/services/srv-cancel/deploys/{deploy_id}/cancel")
    assert answer.status_code == 200 and answer.json()["status"] == "canceled"


def test_an_image_backed_service_has_image_path_and_deploys_without_a_commit(
        timed: RenderFake, timed_http: httpx.Client) -> None:
    timed.add_service("srv-img", image_path="docker.io/example/app:latest")
    assert timed_http.get("/services/srv-img").json()["imagePath"] == "docker.io/example/app:latest"
    assert timed.push(A, "a git push") is None  # image-backed services do not deploy on a push
    deploy = timed_http.post("/services/srv-img/deploys", json={}).json()
    assert deploy["commit"] is None and deploy["image"]["ref"] == "docker.io/example/app:latest"


def test_root_dir_and_build_filters_decide_whether_a_push_deploys(timed: RenderFake,
                                                                  timed_http: httpx.Client) -> None:
    timed.add_service("srv-api", root_dir="api", build_paths=["api/**"], ignored_paths=["api/docs/**"])
    service = timed_http.get("/services/srv-api").json()
    assert service["rootDir"] == "api"
    assert service["buildFilter"] == {"paths": ["api/**"], "ignoredPaths": ["api/docs/**"]}
    assert timed.push(A, "web only", service_id="srv-api", changed_paths=["web/index.js"]) is None
    assert timed.push(B, "docs", service_id="srv-api", changed_paths=["api/docs/readme.md"]) is None
    ignored = [i["event"]["details"]["id"] for i in timed_http.get("/services/srv-api/events").json()
               if i["event"]["type"] == "commit_ignored"]
    assert sorted(ignored) == [A, B]
    assert timed.push("c" * 40, "code", service_id="srv-api", changed_paths=["api/app.py"]) is not None

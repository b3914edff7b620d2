"""Waiting for the deploy of exactly one commit, against the Render fake over real HTTP and real git.

The fake and the wait share a manual clock: every poll's sleep moves Render's time on, so a timeline of
minutes runs in milliseconds and nothing depends on how loaded the machine is."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mosaic_hooks.core import git as mgit
from mosaic_hooks.render import outcome as oc
from mosaic_hooks.render.clock import ManualClock
from mosaic_hooks.render.wait import wait_for_deploy
from mosaic_hooks.testing.render_fake import RenderFake
from tests.conftest import commit_files, git
from tests.render.conftest import make_cfg

NORMAL = [("build_in_progress", 0.15), ("update_in_progress", 0.15), ("live", 0)]


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def fake(clock: ManualClock) -> Iterator[RenderFake]:
    """A fake on the test's manual clock (one per test: its time is the test's)."""
    with RenderFake(clock=clock) as render:
        yield render


def wait(cfg: Any, sha: str, repo: Path | None, timeout: float = 10, **kwargs: Any) -> oc.WaitOutcome:
    lines: list[str] = kwargs.pop("lines", [])
    clock = kwargs.pop("clock", None) or _CLOCKS[-1]
    return wait_for_deploy(cfg, sha, repo=mgit.find_repo(repo) if repo else None, timeout=timeout,
                           report=lines.append, clock=clock, **kwargs)


_CLOCKS: list[Any] = []


@pytest.fixture(autouse=True)
def _the_clock(clock: ManualClock) -> Iterator[None]:
    """`wait()` runs on the test's clock."""
    _CLOCKS.append(clock)
    yield
    _CLOCKS.pop()


def test_a_normal_deploy_is_followed_until_live(fake: RenderFake, service_id: str, repo: Path) -> None:
    fake.add_service(service_id, timeline=NORMAL)
    sha = head(repo)
    deploy_id = fake.push(sha, "initial")
    lines: list[str] = []
    outcome = wait(make_cfg(repo, fake.env(service_id)), sha, repo, lines=lines)
    assert outcome.state == oc.LIVE, outcome.reason
    assert outcome.exit_code == 0
    assert outcome.deploy is not None
    assert outcome.deploy["id"] == deploy_id and outcome.deploy["commit"] == sha
    assert outcome.deploy["status"] == "live" and outcome.deploy["finishedAt"]
    assert outcome.crash_loop is False
    assert outcome.found_by == "render-api"
    assert any("building" in line for line in lines)  # status changes reported
    assert any(deploy_id in line and "live" in line for line in lines)


@pytest.mark.parametrize("failure", ["build_failed", "pre_deploy_failed", "update_failed"])
def test_a_failed_deploy_fails_with_its_status_and_id(fake: RenderFake, service_id: str, repo: Path,
                                                      failure: str) -> None:
    fake.add_service(service_id, timeline=[("build_in_progress", 0.1), (failure, 0)])
    sha = head(repo)
    deploy_id = fake.push(sha, "initial")
    outcome = wait(make_cfg(repo, fake.env(service_id)), sha, repo)
    assert outcome.state == oc.FAILED
    assert outcome.exit_code == 1
    assert failure in outcome.reason and str(deploy_id) in outcome.reason
    assert outcome.deploy is not None and outcome.deploy["status"] == failure


def test_a_deploy_canceled_by_a_newer_commit_containing_ours_is_followed(fake: RenderFake, service_id: str,
                                                                        repo: Path) -> None:
    fake.add_service(service_id, timeline=[("build_in_progress", 0.4), ("update_in_progress", 0.1), ("live", 0)])
    ours = commit_files(repo, {"a.py": "a = 1\n"}, "first")
    newer = commit_files(repo, {"b.py": "b = 1\n"}, "second")
    first_id = fake.push(ours, "first")
    fake.clock.advance(0.1)
    second_id = fake.push(newer, "second")
    lines: list[str] = []
    outcome = wait(make_cfg(repo, fake.env(service_id)), ours, repo, lines=lines)
    assert outcome.state == oc.LIVE, outcome.reason
    assert outcome.superseded_by == [second_id]
    assert outcome.deploy is not None and outcome.deploy["id"] == second_id and outcome.deploy["commit"] == newer
    assert f"contains {ours[:12]}" in outcome.reason
    assert fake.deploy(str(first_id))["status"] == "canceled"
    assert any("superseded" in line and str(second_id) in line for line in lines)


def test_a_deploy_canceled_for_an_unrelated_commit_is_a_failure(fake: RenderFake, service_id: str,
                                                               repo: Path) -> None:
    fake.add_service(service_id, timeline=[("build_in_progress", 0.4), ("live", 0)])
    base = head(repo)
    ours = commit_files(repo, {"a.py": "a = 1\n"}, "ours")
    git(repo, "checkout", "-q", "-b", "other", base)
    sibling = commit_files(repo, {"b.py": "b = 1\n"}, "sibling")
    fake.push(ours, "ours")
    fake.clock.advance(0.05)
    fake.push(sibling, "sibling")
    outcome = wait(make_cfg(repo, fake.env(service_id)), ours, repo)
    assert outcome.state == oc.FAILED
    assert "canceled" in outcome.reason and "do not contain" in outcome.reason


def test_without_the_repository_a_supersede_cannot_be_judged_and_fails_saying_so(fake: RenderFake, service_id: str,
                                                                                 tmp_path: Path) -> None:
    fake.add_service(service_id, timeline=[("build_in_progress", 0.4), ("live", 0)])
    ours, newer = "1" * 40, "2" * 40
    fake.push(ours, "ours")
    fake.clock.advance(0.05)
    fake.push(newer, "newer")
    outcome = wait(make_cfg(tmp_path, fake.env(service_id)), ours, None)
    assert outcome.state == oc.FAILED
    assert "cannot tell" in outcome.reason


def test_a_deploy_canceled_with_no_newer_deploy_is_a_failure(fake: RenderFake, service_id: str, repo: Path) -> None:
    fake.add_service(service_id)
    sha = head(repo)
    fake.add_deploy(sha, "canceled", service_id=service_id, created_ago=30)
    outcome = wait(make_cfg(repo, fake.env(service_id)), sha, repo)
    assert outcome.state == oc.FAILED
    assert "no newer deploy" in outcome.reason


def test_a_deploy_that_appears_late_is_waited_for_saying_what_for(fake: RenderFake, service_id: str,
                                                                  repo: Path) -> None:
    fake.add_service(service_id, timeline=[("build_in_progress", 0.1), ("live", 0)])
    sha = head(repo)
    fake.push(sha, "initial", delay=0.5)
    lines: list[str] = []
    outcome = wait(make_cfg(repo, fake.env(service_id)), sha, repo, lines=lines)
    assert outcome.state == oc.LIVE, outcome.reason
    assert any(f"waiting for Render to create a deploy of {sha[:12]}" in line for line in lines)
    assert outcome.elapsed_s >= 0.5


def test_the_commit_is_found_on_a_later_page_and_image_deploys_are_skipped(fake: RenderFake, service_id: str,
                                                                           repo: Path) -> None:
    fake.add_service(service_id)
    sha = head(repo)
    ours = fake.add_deploy(sha, "live", service_id=service_id, created_ago=600)
    for i in range(130):  # newer deploys push ours onto the second page of 100
        fake.add_deploy(None if i % 2 else f"{i:040x}", "deactivated", service_id=service_id,
                        created_ago=500 - i)
    outcome = wait(make_cfg(repo, fake.env(service_id)), sha, repo)
    assert outcome.state == oc.LIVE, outcome.reason
    assert outcome.deploy is not None and outcome.deploy["id"] == ours
    listings = [r for r in fake.requests if r.path.endswith(f"{service_id}/deploys")]
    assert any("cursor" in r.query for r in listings)
    assert all(r.query["limit"] == ["100"] and "createdAfter" in r.query for r in listings)


def test_a_commit_never_deployed_itself_is_found_in_a_deploy_of_a_newer_commit(fake: RenderFake, service_id: str,
                                                                              repo: Path) -> None:
    fake.add_service(service_id, timeline=[("build_in_progress", 0.1), ("live", 0)])
    ours = commit_files(repo, {"a.py": "a = 1\n"}, "first")
    tip = commit_files(repo, {"b.py": "b = 1\n"}, "second")
    tip_deploy = fake.push(tip, "second")  # one push of two commits: Render deploys only the tip
    outcome = wait(make_cfg(repo, fake.env(service_id)), ours, repo)
    assert outcome.state == oc.LIVE, outcome.reason
    assert outcome.deploy is not None and outcome.deploy["commit"] == tip
    assert outcome.superseded_by == [tip_deploy]


def test_rate_limiting_waits_for_retry_after(fake: RenderFake, service_id: str, repo: Path) -> None:
    fake.add_service(service_id, timeline=[("build_in_progress", 0.1), ("live", 0)])
    sha = head(repo)
    fake.push(sha, "initial")
    fake.rate_limit(2, retry_after=0.3)
    outcome = wait(make_cfg(repo, fake.env(service_id)), sha, repo)
    assert outcome.state == oc.LIVE, outcome.reason
    assert outcome.elapsed_s >= 0.6
    limited = [r for r in fake.requests if r.status == 429 and service_id in r.path]
    assert len(limited) == 2


def test_flapping_server_errors_are_retried(fake: RenderFake, service_id: str, repo: Path) -> None:
    fake.add_service(service_id, timeline=[("build_in_progress", 0.3), ("live", 0)])
    sha = head(repo)
    fake.push(sha, "initial")
    fake.fail_next(2, 503, path_contains=service_id)
    fake.fail_next(2, 502, path_contains="/deploys/")
    outcome = wait(make_cfg(repo, fake.env(service_id)), sha, repo)
    assert outcome.state == oc.LIVE, outcome.reason
    assert {r.status for r in fake.requests if service_id in r.path} >= {502, 503, 200}


def test_server_errors_that_do_not_stop_make_render_unreachable(fake: RenderFake, service_id: str,
                                                                repo: Path) -> None:
    fake.add_service(service_id)
    sha = head(repo)
    fake.fail_next(10_000, 500, path_contains=service_id)
    outcome = wait(make_cfg(repo, fake.env(service_id)), sha, repo, timeout=5)
    assert outcome.state == oc.UNREACHABLE
    assert outcome.exit_code == 3
    assert "500" in outcome.reason


def test_a_refused_key_is_a_configuration_error_that_never_shows_the_key(fake: RenderFake, service_id: str,
                                                                         repo: Path) -> None:
    fake.add_service(service_id)
    wrong = "rnd_wrongSECRETkey0123456789"
    env = {**fake.env(service_id), "RENDER_API_KEY": wrong}
    lines: list[str] = []
    outcome = wait(make_cfg(repo, env), head(repo), repo, lines=lines)
    assert outcome.state == oc.CONFIG_ERROR and outcome.exit_code == 2
    assert "401" in outcome.reason and "RENDER_API_KEY" in outcome.reason
    assert wrong not in outcome.reason + "".join(lines) + repr(outcome)
    assert outcome.requests == 1  # no retry of a refusal


def test_an_unknown_service_is_a_configuration_error(fake: RenderFake, service_id: str, repo: Path) -> None:
    outcome = wait(make_cfg(repo, fake.env(service_id)), head(repo), repo)
    assert outcome.state == oc.CONFIG_ERROR
    assert "404" in outcome.reason and "RENDER_SERVICE_ID" in outcome.reason


def test_a_skip_phrase_means_no_deploy_at_once(fake: RenderFake, service_id: str, repo: Path) -> None:
    fake.add_service(service_id)
    sha = commit_files(repo, {"doc.md": "x\n"}, "Docs only [Skip Render]")
    fake.push(sha, "Docs only [Skip Render]")
    outcome = wait(make_cfg(repo, fake.env(service_id)), sha, repo, timeout=30)
    assert outcome.state == oc.NO_DEPLOY and outcome.exit_code == 3
    assert "[Skip Render]" in outcome.reason
    assert outcome.elapsed_s < 5
    assert fake.request_count(service_id) == 0


def test_without_the_repository_a_skipped_commit_is_known_from_its_commit_ignored_event(
        fake: RenderFake, service_id: str, tmp_path: Path) -> None:
    fake.add_service(service_id)
    sha = "3" * 40
    assert fake.push(sha, "tweak [deploy skip]") is None
    outcome = wait(make_cfg(tmp_path, fake.env(service_id)), sha, None, timeout=30)
    assert outcome.state == oc.NO_DEPLOY
    assert "commit_ignored" in outcome.reason
    assert outcome.elapsed_s < 5


@pytest.mark.parametrize(("settings", "expected"), [
    ({"suspended": True}, "suspended"),
    ({"auto_deploy": False}, "auto-deploy is off"),
    ({"auto_deploy_trigger": "off"}, "auto-deploy is off"),
])
def test_when_no_deploy_will_come_it_says_so_without_waiting(fake: RenderFake, service_id: str, repo: Path,
                                                             settings: dict[str, Any], expected: str) -> None:
    fake.add_service(service_id, **settings)
    sha = head(repo)
    assert fake.push(sha, "initial") is None
    outcome = wait(make_cfg(repo, fake.env(service_id)), sha, repo, timeout=30)
    assert outcome.state == oc.NO_DEPLOY
    assert expected in outcome.reason
    assert outcome.elapsed_s < 5


def test_a_commit_not_on_the_services_branch_gets_no_deploy(fake: RenderFake, service_id: str, repo: Path) -> None:
    fake.add_service(service_id, branch="production")
    git(repo, "branch", "production")
    sha = commit_files(repo, {"a.py": "a = 1\n"}, "on main only")
    outcome = wait(make_cfg(repo, fake.env(service_id)), sha, repo, timeout=30)
    assert outcome.state == oc.NO_DEPLOY
    assert "production" in outcome.reason and sha[:12] in outcome.reason
    pushed = wait(make_cfg(repo, fake.env(service_id)), sha, repo, timeout=30, branch="refs/heads/feature")
    assert pushed.state == oc.NO_DEPLOY and "pushed to feature" in pushed.reason


def test_a_deploy_waiting_for_ci_checks_says_so(fake: RenderFake, service_id: str, repo: Path) -> None:
    fake.add_service(service_id, auto_deploy_trigger="checksPass", timeline=[("build_in_progress", 0.1), ("live", 0)])
    sha = head(repo)
    fake.push(sha, "initial", delay=0.3)
    lines: list[str] = []
    outcome = wait(make_cfg(repo, fake.env(service_id)), sha, repo, lines=lines)
    assert outcome.state == oc.LIVE
    assert any("CI checks" in line for line in lines)


def test_an_unknown_status_is_treated_as_in_progress(fake: RenderFake, service_id: str, repo: Path) -> None:
    fake.add_service(service_id, timeline=[("build_in_progress", 0.1), ("warming_caches", 0.3), ("live", 0)])
    sha = head(repo)
    fake.push(sha, "initial")
    seen: list[str] = []
    outcome = wait(make_cfg(repo, fake.env(service_id)), sha, repo,
                   on_status=lambda _id, status, _elapsed: seen.append(status))
    assert outcome.state == oc.LIVE, outcome.reason
    assert "warming_caches" in seen


def test_a_deactivated_deploy_replaced_by_a_newer_commit_containing_it_is_live(fake: RenderFake, service_id: str,
                                                                               repo: Path) -> None:
    fake.add_service(service_id, timeline=[("build_in_progress", 60), ("live", 0)])
    ours = commit_files(repo, {"a.py": "a = 1\n"}, "ours")
    newer = commit_files(repo, {"b.py": "b = 1\n"}, "newer")
    mine = fake.push(ours, "ours")
    fake.clock.advance(61)
    theirs = fake.push(newer, "newer")
    fake.clock.advance(61)
    assert fake.deploy(str(mine))["status"] == "deactivated"
    outcome = wait(make_cfg(repo, fake.env(service_id)), ours, repo)
    assert outcome.state == oc.LIVE, outcome.reason
    assert outcome.deploy is not None and outcome.deploy["id"] == theirs and outcome.superseded_by == [theirs]


def test_a_deploy_rolled_back_to_an_older_commit_is_not_a_pass(fake: RenderFake, service_id: str,
                                                               repo: Path) -> None:
    fake.add_service(service_id, timeline=[("build_in_progress", 60), ("live", 0)])
    older = head(repo)
    ours = commit_files(repo, {"a.py": "a = 1\n"}, "ours")
    previous = fake.push(older, "older")
    fake.clock.advance(61)
    fake.push(ours, "ours")
    fake.clock.advance(61)
    back = fake.rollback(service_id, str(previous))  # someone rolled back in the dashboard
    fake.clock.advance(5)
    outcome = wait(make_cfg(repo, fake.env(service_id)), ours, repo)
    assert outcome.state == oc.FAILED and outcome.exit_code == 1
    live_at = fake.deploy(back.id)["finishedAt"]
    assert f"rolled back to {older[:12]} at {live_at}" in outcome.reason


def test_a_deactivated_deploy_replaced_by_an_unknown_commit_is_undecided(fake: RenderFake, service_id: str,
                                                                         repo: Path) -> None:
    fake.add_service(service_id)
    sha = head(repo)
    fake.add_deploy(sha, "deactivated", service_id=service_id, created_ago=600)
    fake.add_deploy("e" * 40, "live", service_id=service_id, created_ago=300)  # not in this clone
    outcome = wait(make_cfg(repo, fake.env(service_id)), sha, repo)
    assert outcome.state == oc.UNDECIDED and outcome.exit_code == 3
    assert "cannot tell whether it contains" in outcome.reason


def test_the_commit_is_live_if_an_older_deploy_of_it_is_though_the_newest_was_canceled(
        fake: RenderFake, service_id: str, repo: Path) -> None:
    fake.add_service(service_id)
    sha = head(repo)
    live = fake.add_deploy(sha, "live", service_id=service_id, created_ago=120)
    fake.add_deploy(sha, "canceled", service_id=service_id, created_ago=60, trigger="api")
    outcome = wait(make_cfg(repo, fake.env(service_id)), sha, repo)
    assert outcome.state == oc.LIVE, outcome.reason
    assert outcome.deploy is not None and outcome.deploy["id"] == live


def test_a_redundant_queued_redeploy_of_the_commit_is_not_waited_for(fake: RenderFake, service_id: str,
                                                                     repo: Path) -> None:
    fake.add_service(service_id, timeline=[("build_in_progress", 120), ("live", 0)])
    sha = head(repo)
    pushed = fake.push(sha, "initial")
    fake.clock.advance(12)
    redeploy = fake.push(sha, "initial")  # an API redeploy of the same commit, 12 s later: queued behind it
    assert fake.deploy(str(redeploy))["status"] == "queued"
    outcome = wait(make_cfg(repo, fake.env(service_id), poll_interval=5), sha, repo, timeout=600)
    assert outcome.state == oc.LIVE, outcome.reason
    assert outcome.deploy is not None and outcome.deploy["id"] == pushed
    assert fake.deploy(str(redeploy))["status"] != "live"  # still going: not waited for
    assert outcome.elapsed_s < 130


def test_an_image_backed_service_ends_the_wait_at_once_saying_why(fake: RenderFake, service_id: str,
                                                                  repo: Path) -> None:
    fake.add_service(service_id, image_path="docker.io/example/app:latest")
    fake.add_deploy(None, "live", service_id=service_id, created_ago=60)
    outcome = wait(make_cfg(repo, fake.env(service_id)), head(repo), repo, timeout=1200)
    assert outcome.state == oc.NO_DEPLOY and outcome.exit_code == 3
    assert "image-backed" in outcome.reason and "--deploy" in outcome.reason
    assert outcome.elapsed_s == 0  # not a single poll's sleep


def test_an_image_deploy_is_followed_by_its_id_when_asked(fake: RenderFake, service_id: str, repo: Path) -> None:
    fake.add_service(service_id, image_path="docker.io/example/app:latest",
                     timeline=[("update_in_progress", 30), ("live", 0)])
    fake.add_deploy(None, "live", service_id=service_id, created_ago=600)
    import httpx

    deploy = httpx.post(f"{fake.api_url}/services/{service_id}/deploys", json={},
                        headers={"Authorization": f"Bearer {fake.api_key}"}).json()
    outcome = wait(make_cfg(repo, fake.env(service_id), poll_interval=5), head(repo), repo, timeout=120,
                   deploy_id=deploy["id"])
    assert outcome.state == oc.LIVE, outcome.reason
    assert outcome.deploy is not None and outcome.deploy["id"] == deploy["id"] and outcome.deploy["commit"] is None
    assert "an image" in outcome.reason


OOM = {"evicted": False, "oomKilled": {"memoryLimit": "512Mi"}}


def test_crashes_long_after_live_are_caught_by_the_crash_watch(fake: RenderFake, service_id: str,
                                                               repo: Path) -> None:
    fake.add_service(service_id, timeline=[("build_in_progress", 60), ("live", 0)])
    sha = head(repo)
    fake.push(sha, "initial")
    live_at = fake.clock.now() + 60
    fake.crash(service_id, at=live_at + 54 * 60)  # the captured real list: OOM kills 54 and 56 minutes after live
    fake.crash(service_id, at=live_at + 56 * 60)
    lines: list[str] = []
    outcome = wait(make_cfg(repo, fake.env(service_id), poll_interval=120), sha, repo, timeout=600,
                   crash_watch_s=3600, lines=lines)
    assert outcome.state == oc.FAILED and outcome.crash_loop is True
    assert "2 crashes (out of memory (limit 512Mi) x2)" in outcome.reason
    assert any("watching the service's events for crashes" in line for line in lines)
    assert 56 * 60 < outcome.elapsed_s < 60 * 60  # it stopped at the second crash, not at the window's end


def test_without_a_watch_window_a_crash_that_comes_later_is_not_seen(fake: RenderFake, service_id: str,
                                                                     repo: Path) -> None:
    fake.add_service(service_id, timeline=[("build_in_progress", 60), ("live", 0)])
    sha = head(repo)
    fake.push(sha, "initial")
    fake.crash(service_id, at=fake.clock.now() + 60 + 54 * 60)
    fake.crash(service_id, at=fake.clock.now() + 60 + 56 * 60)
    outcome = wait(make_cfg(repo, fake.env(service_id), poll_interval=30), sha, repo, timeout=600, crash_watch_s=60)
    assert outcome.state == oc.LIVE and outcome.crash_loop is False
    assert "watched 1m" in outcome.reason or "watched 60" in outcome.reason


@pytest.mark.parametrize(("script", "loop"), [
    ([("crash", OOM), ("crash", {"evicted": False, "nonZeroExit": 1})], True),
    ([("crash", {"evicted": False, "unhealthy": "GET /health 503"})], False),  # once: reported, not a loop
    ([("crash", {"evicted": True, "evictionReason": "node drained"})] * 3, False),
    ([("restart", "ops@example.com")] * 3, False),
    ([("restart", None)] * 2, True),
])
def test_what_counts_as_a_crash_loop_after_live(fake: RenderFake, service_id: str, repo: Path,
                                                script: list[tuple[str, Any]], loop: bool) -> None:
    fake.add_service(service_id, timeline=[("build_in_progress", 10), ("live", 0)])
    fake.crash(service_id, at=fake.clock.now() - 30)  # the old instance, before this deploy: not counted
    sha = head(repo)
    fake.push(sha, "initial")
    for minute, (kind, detail) in enumerate(script, start=1):
        at = fake.clock.now() + 10 + 60 * minute
        if kind == "crash":
            fake.crash(service_id, at=at, reason=detail)
        else:
            fake.restart(service_id, at=at, by=detail)
    outcome = wait(make_cfg(repo, fake.env(service_id), poll_interval=60), sha, repo, timeout=600,
                   crash_watch_s=600)
    assert outcome.crash_loop is loop, outcome.reason
    assert outcome.state == (oc.FAILED if loop else oc.LIVE)
    assert len(outcome.crash_lines) == len(script)
    asked = [r for r in fake.requests if r.path.endswith(f"{service_id}/events")]
    assert asked and all(len(r.query.get("type", [])) <= 1 for r in asked)  # one event type per request


def test_unreadable_events_say_crash_loops_unknown(fake: RenderFake, service_id: str, repo: Path) -> None:
    fake.add_service(service_id, timeline=[("build_in_progress", 10), ("live", 0)])
    sha = head(repo)
    fake.push(sha, "initial")
    fake.fail_next(100, 400, path_contains="/events")
    outcome = wait(make_cfg(repo, fake.env(service_id), poll_interval=5), sha, repo, timeout=600, crash_watch_s=60)
    assert outcome.state == oc.LIVE and outcome.crash_loop is None
    assert "crash loops unknown" in outcome.reason and outcome.crash_unknown


def test_a_deploy_still_building_at_the_time_limit_times_out_saying_where_it_was(fake: RenderFake, service_id: str,
                                                                                repo: Path) -> None:
    fake.add_service(service_id, timeline=[("build_in_progress", 30), ("live", 0)])
    sha = head(repo)
    deploy_id = fake.push(sha, "initial")
    outcome = wait(make_cfg(repo, fake.env(service_id)), sha, repo, timeout=0.5)
    assert outcome.state == oc.TIMED_OUT and outcome.exit_code == 3
    assert str(deploy_id) in outcome.reason and "build_in_progress" in outcome.reason
    assert 0.5 <= outcome.elapsed_s < 3


def test_a_deploy_that_never_appears_times_out(fake: RenderFake, service_id: str, repo: Path) -> None:
    fake.add_service(service_id)
    outcome = wait(make_cfg(repo, fake.env(service_id)), head(repo), repo, timeout=0.4)
    assert outcome.state == oc.TIMED_OUT
    assert "no deploy of" in outcome.reason


def test_polling_stays_at_about_one_request_per_interval(fake: RenderFake, service_id: str, repo: Path) -> None:
    fake.add_service(service_id, timeline=[("build_in_progress", 1.0), ("live", 0)])
    sha = head(repo)
    fake.push(sha, "initial")
    interval = 0.1
    outcome = wait(make_cfg(repo, fake.env(service_id), poll_interval=interval), sha, repo)
    assert outcome.state == oc.LIVE
    # service + listing + events, then one GET per poll: never more than one request per interval
    assert outcome.requests <= outcome.elapsed_s / interval + 4


def test_render_unreachable_is_inconclusive(service_id: str, repo: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    env = {"MOSAIC_RENDER_API_URL": f"http://127.0.0.1:{port}/v1", "RENDER_API_KEY": "rnd_unreachable_key",
           "RENDER_SERVICE_ID": service_id}
    outcome = wait(make_cfg(repo, env), head(repo), repo, timeout=5)
    assert outcome.state == oc.UNREACHABLE
    assert "rnd_unreachable_key" not in outcome.reason


@pytest.mark.parametrize(("env", "expected"), [
    ({}, "nothing to wait on"),
    ({"RENDER_SERVICE_ID": "srv-x"}, "RENDER_API_KEY is not"),
])
def test_missing_configuration_is_a_configuration_error(repo: Path, env: dict[str, str], expected: str) -> None:
    outcome = wait(make_cfg(repo, env), head(repo), repo)
    assert outcome.state == oc.CONFIG_ERROR and outcome.exit_code == 2
    assert expected in outcome.reason


def test_a_short_sha_is_refused(repo: Path) -> None:
    outcome = wait(make_cfg(repo, {"BACKEND_URL": "http://127.0.0.1:9"}), head(repo)[:8], repo)
    assert outcome.state == oc.CONFIG_ERROR
    assert "full commit sha" in outcome.reason


def test_plain_http_to_a_remote_api_is_refused_before_sending_the_key(repo: Path) -> None:
    env = {"MOSAIC_RENDER_API_URL": "http://api.example.invalid/v1", "RENDER_API_KEY": "rnd_plain_http_key",
           "RENDER_SERVICE_ID": "srv-x"}
    outcome = wait(make_cfg(repo, env), head(repo), repo)
    assert outcome.state == oc.CONFIG_ERROR
    assert "plain http" in outcome.reason


def test_missing_configuration_is_reported_before_a_skip_phrase(repo: Path) -> None:
    sha = commit_files(repo, {"doc.md": "x\n"}, "Docs [skip render]")
    outcome = wait(make_cfg(repo, {}), sha, repo)
    assert outcome.state == oc.CONFIG_ERROR


def test_a_skip_phrase_also_ends_a_version_endpoint_wait_at_once(repo: Path) -> None:
    sha = commit_files(repo, {"doc.md": "x\n"}, "Docs [render skip]")
    outcome = wait(make_cfg(repo, {"BACKEND_URL": "http://127.0.0.1:9"}), sha, repo, timeout=30)
    assert outcome.state == oc.NO_DEPLOY and outcome.elapsed_s < 5

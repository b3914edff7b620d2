"""The deploy gate: from the wait's outcome, or, with --no-wait, from the version endpoint."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mosaic_hooks.gates.result import GateResult
from mosaic_hooks.render.outcome import FAILED, LIVE, NO_DEPLOY, TIMED_OUT, WaitOutcome
from tests.support.apps import Toggles, fastapi_app, serve_asgi
from tests.support.gating import evidence, make_config, run

COMMIT = "c0ffee" + "0" * 34


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with serve_asgi(fastapi_app(Toggles(commit=COMMIT))) as base:
        yield base


def deploy(url: str, outcome: WaitOutcome | None, commit: str = COMMIT) -> GateResult:
    return run(make_config(url), names=["deploy"], outcome=outcome, commit=commit)["deploy"]


def test_a_live_deploy_without_crash_loop_passes(url: str) -> None:
    outcome = WaitOutcome(LIVE, COMMIT, "deploy live", deploy={"id": "dep-1"}, crash_loop=False)
    result = deploy(url, outcome)
    assert result.status == "passed"
    assert result.summary == f"deploy dep-1 of {COMMIT[:12]} is live"
    assert "ok no crash loop since it went live" in result.evidence


def test_a_crash_loop_after_going_live_fails(url: str) -> None:
    outcome = WaitOutcome(LIVE, COMMIT, "deploy live", deploy={"id": "dep-1"}, crash_loop=True)
    assert deploy(url, outcome).status == "failed"


def test_unknown_crash_loops_are_said_so(url: str) -> None:
    result = deploy(url, WaitOutcome(LIVE, COMMIT, "version endpoint matched", crash_loop=None))
    assert result.status == "passed"
    assert "crash loops unknown (needs the Render API key)" in result.evidence


def test_unreadable_events_say_crash_loops_unknown_with_why(url: str) -> None:
    outcome = WaitOutcome(LIVE, COMMIT, "deploy live", deploy={"id": "dep-1"}, crash_loop=None,
                          crash_unknown="the service's events could not be read (400: bad request)")
    result = deploy(url, outcome)
    assert result.status == "passed"
    assert ("crash loops unknown: the service's events could not be read (400: bad request)"
            in " ".join(result.evidence))


def test_repeated_crashes_fail_naming_their_reasons(url: str) -> None:
    outcome = WaitOutcome(FAILED, COMMIT, "deploy dep-1 went live, then the service crashed repeatedly: 2 crashes "
                          "(out of memory (limit 512Mi) x2) (a crash loop)", deploy={"id": "dep-1"}, crash_loop=True,
                          crash_watch_s=600, crash_lines=["2026-10-14T06:10:02Z: crash: out of memory (limit 512Mi)",
                                                          "2026-10-14T06:12:40Z: crash: out of memory (limit 512Mi)"])
    result = deploy(url, outcome)
    assert result.status == "failed"
    assert result.summary.startswith("crash loop after going live (watched 600 s after live): deploy dep-1 went live")
    assert "out of memory (limit 512Mi) x2" in result.summary
    assert sum("crash: out of memory" in line for line in result.evidence) == 2


def test_a_failed_deploy_fails_with_the_reason(url: str) -> None:
    result = deploy(url, WaitOutcome(FAILED, COMMIT, "build failed: exit 1", deploy={"id": "dep-2"}))
    assert result.status == "failed"
    assert "build failed: exit 1" in result.summary


@pytest.mark.parametrize("state", [TIMED_OUT, NO_DEPLOY])
def test_an_unconfirmed_deploy_is_inconclusive(url: str, state: str) -> None:
    assert deploy(url, WaitOutcome(state, COMMIT, "no answer")).status == "inconclusive"


def test_no_wait_with_the_version_endpoint_naming_the_commit_passes(url: str) -> None:
    result = deploy(url, None)
    assert result.status == "passed", evidence(result)
    assert "/version reports commit c0ffee000000" in evidence(result)


def test_no_wait_with_another_commit_serving_is_skipped_with_the_reason(url: str) -> None:
    result = deploy(url, None, commit="a" * 40)
    assert result.status == "skipped"
    assert result.summary == "--no-wait: the deploy of aaaaaaaaaaaa was not confirmed"
    assert "/version: serving c0ffee000000" in result.evidence

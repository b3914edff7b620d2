"""The deploy gate: from the wait's outcome, or, with --no-wait, from the version endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mosaic_hooks.core import git
from mosaic_hooks.gates.result import GateResult
from mosaic_hooks.render.outcome import FAILED, LIVE, NO_DEPLOY, TIMED_OUT, WaitOutcome
from tests.conftest import commit_files
from tests.support.apps import Toggles, fastapi_app, serve_asgi
from tests.support.gating import changes, evidence, make_config, run

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
    assert "/version reports c0ffee000000: the verified commit is serving" in evidence(result)


def test_no_wait_with_a_commit_the_repository_cannot_place_is_undecided(url: str) -> None:
    result = deploy(url, None, commit="a" * 40)  # no repository at hand: c0ffee... may or may not contain it
    assert result.status == "inconclusive"
    assert result.summary.startswith("/version reports c0ffee000000, a commit this repository does not have")


# ---- the serving commit against the verified one, on a real repository

@pytest.fixture
def history_of(repo: Path) -> tuple[git.Repo, list[str]]:
    """A repository with three commits A <- B <- C (shas in that order)."""
    shas = [commit_files(repo, {"app.py": f"# version {n}\n"}, f"v{n}") for n in range(3)]
    return git.find_repo(repo), shas


@pytest.fixture(scope="module")
def switchable() -> Iterator[tuple[str, Toggles]]:
    toggles = Toggles()
    with serve_asgi(fastapi_app(toggles)) as base:
        yield base, toggles


def live(commit: str) -> WaitOutcome:
    return WaitOutcome(LIVE, commit, "Render reports it live", deploy={"id": "dep-9"}, crash_loop=False)


def test_render_live_but_an_older_commit_serving_is_a_stale_instance_naming_both(
        switchable: tuple[str, Toggles], history_of: tuple[git.Repo, list[str]]) -> None:
    url, toggles = switchable
    repo, (a, b, _) = history_of
    toggles.commit = a
    result = run(make_config(url), names=["deploy"], outcome=live(b), commit=b, repo=repo)["deploy"]
    assert result.status == "failed"
    assert result.summary == (f"stale instance: /version reports {a[:12]} (an older commit), "
                              f"not the verified commit {b[:12]}")


def test_a_newer_commit_that_contains_the_verified_one_passes(
        switchable: tuple[str, Toggles], history_of: tuple[git.Repo, list[str]]) -> None:
    url, toggles = switchable
    repo, (_, b, c) = history_of
    toggles.commit = c
    result = run(make_config(url), names=["deploy"], outcome=live(b), commit=b, repo=repo)["deploy"]
    assert result.status == "passed", evidence(result)
    assert f"ok /version reports {c[:12]}, a newer commit that contains {b[:12]}" in result.evidence


def test_the_probe_is_read_even_with_the_render_api_and_a_stale_probe_fails(
        switchable: tuple[str, Toggles], history_of: tuple[git.Repo, list[str]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi import FastAPI

    from mosaic_hooks import probe

    repo, (a, b, _) = history_of
    monkeypatch.setenv("MOSAIC_PROBE_TOKEN", "probe-secret")
    monkeypatch.setenv("RENDER_GIT_COMMIT", a)  # read by the probe, in this process's service
    app = FastAPI()
    app.include_router(probe.fastapi_router())
    with serve_asgi(app) as base:
        cfg = make_config(base, probe_path="/_mosaic/status", probe_token="probe-secret")
        result = run(cfg, names=["deploy"], outcome=live(b), commit=b, repo=repo)["deploy"]
    assert result.status == "failed"
    assert f"stale instance: the probe reports {a[:12]} (an older commit), not the verified commit {b[:12]}" \
        in result.evidence[0]


def test_the_probe_and_version_naming_the_same_stale_commit_are_one_failure(
        history_of: tuple[git.Repo, list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    repo, (a, b, _) = history_of
    monkeypatch.setenv("MOSAIC_PROBE_TOKEN", "probe-secret")
    monkeypatch.setenv("RENDER_GIT_COMMIT", a)
    from fastapi import FastAPI

    from mosaic_hooks import probe

    app = FastAPI()
    app.include_router(probe.fastapi_router())

    @app.get("/version")
    def version() -> dict[str, str]:
        return {"commit": a}

    with serve_asgi(app) as base:
        cfg = make_config(base, probe_path="/_mosaic/status", probe_token="probe-secret")
        results = run(cfg, changes(("GET /items",)), outcome=live(b), commit=b, repo=repo)
    assert results["deploy"].summary == (f"stale instance: the probe and /version report {a[:12]} (an older commit), "
                                         f"not the verified commit {b[:12]}")
    assert results["endpoints"].status == "skipped"
    assert results["endpoints"].summary == (f"not run: production serves {a[:12]}, not {b[:12]} "
                                            "(stale instance, see deploy)")
    assert results["health"].status != "skipped"  # whatever serves is still checked for health


def test_a_service_that_cannot_tell_its_commit_passes_saying_so(
        switchable: tuple[str, Toggles], history_of: tuple[git.Repo, list[str]]) -> None:
    url, _ = switchable
    repo, (_, b, _) = history_of
    cfg = make_config(url, version_path="/no-version-here")
    result = run(cfg, names=["deploy"], outcome=live(b), commit=b, repo=repo)["deploy"]
    assert result.status == "passed", evidence(result)
    assert result.summary.endswith("; the serving commit is unknown (no probe or version endpoint reports it)")
    assert any(line.startswith("serving commit: unknown, so a stale instance cannot be detected")
               and "/no-version-here: answered 404" in line for line in result.evidence)


def test_no_wait_with_an_older_commit_serving_fails(
        switchable: tuple[str, Toggles], history_of: tuple[git.Repo, list[str]]) -> None:
    url, toggles = switchable
    repo, (a, b, _) = history_of
    toggles.commit = a
    result = run(make_config(url), names=["deploy"], outcome=None, commit=b, repo=repo)["deploy"]
    assert result.status == "failed"
    assert f"{a[:12]} (an older commit)" in result.summary and b[:12] in result.summary

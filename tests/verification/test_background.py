"""The background verification's own rules, on an injected clock: how long it waits for a push to land,
when it gives up, when a newer push takes over, and which `verify` it runs."""

from __future__ import annotations

from collections.abc import Callable

from mosaic_hooks.verification import background_jobs as jobs
from mosaic_hooks.verification.background import (
    LANDED,
    NOT_LANDED,
    SUPERSEDED,
    verify_argv,
    wait_until_landed,
)

PUSHED = "b" * 40
BEFORE = "a" * 40


class Clock:
    """Time that passes only when slept."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def remote_becomes(sha: str, at: float, clock: Clock, asked: list[float]) -> Callable[[], str | None]:
    def remote_sha() -> str | None:
        asked.append(clock.now)
        return sha if clock.now >= at else BEFORE
    return remote_sha


def test_the_push_is_seen_landed_at_the_first_look_after_it_lands() -> None:
    clock, asked = Clock(), []  # type: ignore[var-annotated]
    result = wait_until_landed(remote_becomes(PUSHED, 1.0, clock, asked), PUSHED, timeout=60,
                               superseded=lambda: False, clock=clock, sleep=clock.sleep)
    assert result == LANDED
    assert clock.now < 2.0  # the looks back off from 0.25 s: 0, 0.25, 0.75, 1.75
    assert len(asked) == 4


def test_a_push_that_never_lands_ends_at_the_bound_with_few_looks() -> None:
    clock, asked = Clock(), []  # type: ignore[var-annotated]
    result = wait_until_landed(remote_becomes(PUSHED, 10_000, clock, asked), PUSHED, timeout=120,
                               superseded=lambda: False, clock=clock, sleep=clock.sleep)
    assert result == NOT_LANDED
    assert clock.now == 120  # not a moment longer than the bound
    assert max(clock.sleeps) <= 10  # backed off to at most 10 s between looks
    assert len(asked) < 25  # a rejected push to a far remote costs a few requests, not hundreds


def test_a_newer_push_of_the_branch_stops_the_wait() -> None:
    clock, asked = Clock(), []  # type: ignore[var-annotated]
    result = wait_until_landed(remote_becomes(PUSHED, 10_000, clock, asked), PUSHED, timeout=120,
                               superseded=lambda: clock.now > 3, clock=clock, sleep=clock.sleep)
    assert result == SUPERSEDED and clock.now < 10


def job(base: str | None) -> jobs.Job:
    return jobs.Job(id="x", service="shop", branch="refs/heads/main", remote="/r.git", commit=PUSHED, base=base,
                    created_at="2026-12-03T07:00:00Z", log="/x.log")


def test_verify_is_asked_for_the_remotes_previous_commit_as_base_when_it_passed() -> None:
    assert verify_argv(job(BEFORE), base_passed=True) == ["verify", "--commit", PUSHED, "--base", BEFORE]


def test_a_previous_commit_without_a_pass_is_no_base_its_changes_are_checked_again() -> None:
    assert verify_argv(job(BEFORE), base_passed=False) == ["verify", "--commit", PUSHED]
    assert verify_argv(job(None), base_passed=False) == ["verify", "--commit", PUSHED]  # a new branch


def test_the_background_verification_uses_the_push_paths_shorter_crash_watch() -> None:
    """Issue 14: a good push is recorded about one poll after live, not after verify's full crash watch."""
    assert verify_argv(job(BEFORE), base_passed=True, crash_watch_s=10) == [
        "verify", "--commit", PUSHED, "--base", BEFORE, "--crash-watch", "10"]

"""The verdict: failed beats undecided beats passed; nothing checked is never a pass."""

from __future__ import annotations

from mosaic_hooks.gates.result import GateResult
from mosaic_hooks.verification.verdict import decide


def gate(name: str, status: str, summary: str = "s") -> GateResult:
    return GateResult(name, status, summary, ["evidence"])


def test_all_passed_or_skipped_is_a_pass_with_exit_0() -> None:
    verdict = decide([gate("health", "passed"), gate("contract", "skipped")])
    assert (verdict.verdict, verdict.exit_code, verdict.failure_reason, verdict.success) == ("pass", 0, None, True)


def test_a_failed_gate_fails_with_exit_1_and_names_it() -> None:
    verdict = decide([gate("health", "passed"), gate("endpoints", "failed", "GET /reports: 404"),
                      gate("monitoring", "inconclusive")])
    assert (verdict.verdict, verdict.exit_code) == ("fail", 1)
    assert verdict.failure_reason == "failed: endpoints (GET /reports: 404)"


def test_an_undecided_gate_is_inconclusive_with_exit_3() -> None:
    verdict = decide([gate("health", "inconclusive", "no answer"), gate("deploy", "passed")])
    assert (verdict.verdict, verdict.exit_code, verdict.success) == ("inconclusive", 3, False)
    assert verdict.failure_reason == "undecided: health (no answer)"


def test_inconclusive_does_not_block_when_configured_but_is_not_a_success() -> None:
    verdict = decide([gate("health", "inconclusive")], inconclusive_blocks=False)
    assert (verdict.verdict, verdict.exit_code, verdict.success) == ("inconclusive", 0, False)


def test_nothing_checked_is_inconclusive_not_a_pass() -> None:
    for results in ([], [gate("contract", "skipped"), gate("errors", "skipped")]):
        verdict = decide(results)
        assert (verdict.verdict, verdict.exit_code) == ("inconclusive", 3)
        assert verdict.failure_reason == "nothing was checked: every gate was skipped"


def test_the_failure_reason_is_one_bounded_line() -> None:
    verdict = decide([gate(f"g{i}", "failed", "line one\nline two " * 20) for i in range(10)])
    assert verdict.failure_reason is not None
    assert "\n" not in verdict.failure_reason and len(verdict.failure_reason) <= 400


def test_the_cut_of_a_long_reason_never_leaves_a_piece_of_a_word() -> None:
    """A key in a gate's summary is masked whole by every writer; a piece of it left at the cut could not be.
    Wherever the key lies against the cut, the reason holds all of it or none of it."""
    key = "rnd_" + "K3y" * 12
    for offset in range(340, 420):
        verdict = decide([gate("health", "failed", "x" * offset + f" {key} after")])
        reason = verdict.failure_reason
        assert reason is not None and len(reason) <= 400
        assert key in reason or key[:4] not in reason, (offset, reason[-60:])
        assert key not in reason or reason.index(key) + len(key) <= 400


def test_a_single_word_longer_than_the_limit_is_dropped_not_cut() -> None:
    verdict = decide([gate("health", "failed", "t" * 1000)])
    assert verdict.failure_reason == "failed: health…"  # "(ttt…)" is one word

"""From the gates' results to the verdict and the exit code. Pure.

- any gate failed: "fail", exit 1;
- else any gate undecided, or no gate decided anything (all skipped): "inconclusive", exit 3, or exit 0
  when `inconclusive_blocks` is off (the verdict stays "inconclusive": it is recorded as not a success);
- else "pass", exit 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from mosaic_hooks.core import exit_codes
from mosaic_hooks.gates.result import FAILED, INCONCLUSIVE, PASSED, GateResult

VerdictName = Literal["pass", "fail", "inconclusive"]
PASS: Final = "pass"
FAIL: Final = "fail"
UNDECIDED: Final = "inconclusive"
_REASON_LIMIT = 400
ELLIPSIS = "…"


@dataclass(frozen=True)
class Verdict:
    verdict: VerdictName
    exit_code: int
    failure_reason: str | None  # one line naming the failing (or undecided) gates

    @property
    def success(self) -> bool:
        return self.verdict == PASS


def decide(results: Sequence[GateResult], *, inconclusive_blocks: bool = True) -> Verdict:
    failed = [r for r in results if r.status == FAILED]
    if failed:
        return Verdict(FAIL, exit_codes.FAILED, _reason("failed", failed))
    undecided = [r for r in results if r.status == INCONCLUSIVE]
    blocks = exit_codes.INCONCLUSIVE if inconclusive_blocks else exit_codes.PASSED
    if undecided:
        return Verdict(UNDECIDED, blocks, _reason("undecided", undecided))
    if not any(r.status == PASSED for r in results):
        return Verdict(UNDECIDED, blocks, "nothing was checked: every gate was skipped")
    return Verdict(PASS, exit_codes.PASSED, None)


def _reason(kind: str, results: Sequence[GateResult]) -> str:
    text = f"{kind}: " + "; ".join(f"{r.name} ({r.summary})" for r in results)
    return one_bounded_line(text, _REASON_LIMIT)


def one_bounded_line(text: str, limit: int) -> str:
    """`text` on one line in at most `limit` characters, cut between words and never inside one (an ellipsis
    marks the cut).

    The secret values are not known here (that would read the environment), and need not be: a whole key
    or token left in the reason is masked by every writer (records, reports, the terminal), while a piece
    cut off one could no longer be recognised. So a word the cut would split is dropped whole.
    """
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    head = line[:max(0, limit - len(ELLIPSIS))]
    if not line[len(head)].isspace():  # the cut falls inside a word: drop all of it
        head = head.rpartition(" ")[0]
    return head.rstrip() + ELLIPSIS

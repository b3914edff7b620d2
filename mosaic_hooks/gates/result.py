"""What a gate returns: its status, summary and evidence, and the requests it sent. Pure: no I/O.

Honesty is built in, so that a check that could not be decided can never come out as "passed":
`GateResult` refuses `passed` without evidence, and refuses an unknown status; gates build their result
with `Findings`, whose `result()` gives failed if anything failed, inconclusive if anything was undecided,
skipped (with the reason) if nothing was checked at all, and passed only when every recorded check was ok.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

GateStatus = Literal["passed", "failed", "skipped", "inconclusive"]
PASSED: Final = "passed"
FAILED: Final = "failed"
SKIPPED: Final = "skipped"
INCONCLUSIVE: Final = "inconclusive"
STATUSES: tuple[GateStatus, ...] = (PASSED, FAILED, SKIPPED, INCONCLUSIVE)

@dataclass(frozen=True)
class Exchange:
    """One request sent to production and what came back (or why nothing did)."""

    method: str
    path: str  # as requested, query included
    status: int | None  # None: no answer (see error)
    elapsed_ms: float
    error: str | None = None  # "timed out after 10 s", "connection refused", ...
    body: bytes = b""  # at most MAX_BODY bytes
    content_type: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names
    note: str = ""  # why it was sent, e.g. "sample id", "broken JSON"

    @property
    def answered(self) -> bool:
        return self.status is not None

    def json(self) -> Any:
        """The body parsed as JSON; raises ValueError when it is not JSON."""
        import json

        return json.loads(self.body.decode("utf-8"))

    def describe(self) -> str:
        """`GET /items/1 -> 200 (12 ms)` or `GET /items/1 -> no answer: timed out`."""
        if self.status is None:
            return f"{self.method} {self.path} -> no answer: {self.error}"
        return f"{self.method} {self.path} -> {self.status} ({self.elapsed_ms:.0f} ms)"


@dataclass
class GateResult:
    name: str
    status: GateStatus
    summary: str  # one line
    evidence: list[str] = field(default_factory=list)
    duration_s: float = 0.0
    exchanges: list[Exchange] = field(default_factory=list)  # requests worth listing in the report

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"gate {self.name}: unknown status {self.status!r}")
        if self.status == PASSED and not self.evidence:
            raise ValueError(f"gate {self.name}: 'passed' needs evidence")
        self.summary = " ".join(self.summary.split())  # one line, whatever a gate put in it

    def to_json(self, *, evidence: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "status": self.status, "summary": self.summary}
        if evidence:
            data["evidence"] = list(self.evidence)
        return data


class Findings:
    """The sub-checks of one gate, turned into an honest status by `result()`."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.oks: list[str] = []
        self.failures: list[str] = []
        self.undecided: list[str] = []
        self.notes: list[str] = []  # evidence that decides nothing (skipped routes, figures)
        self.exchanges: list[Exchange] = []

    def ok(self, line: str) -> None:
        self.oks.append(line)

    def fail(self, line: str) -> None:
        self.failures.append(line)

    def undecide(self, line: str) -> None:
        self.undecided.append(line)

    def note(self, line: str) -> None:
        self.notes.append(line)

    @property
    def checked(self) -> int:
        return len(self.oks) + len(self.failures) + len(self.undecided)

    def result(self, *, summary_ok: str, skipped_reason: str = "nothing to check") -> GateResult:
        """failed > inconclusive > skipped (nothing checked) > passed."""
        evidence = [*(f"FAIL {x}" for x in self.failures), *(f"UNDECIDED {x}" for x in self.undecided),
                    *(f"ok {x}" for x in self.oks), *self.notes]
        status: GateStatus
        if self.failures:
            status, summary = FAILED, _first_and_count(self.failures)
        elif self.undecided:
            status, summary = INCONCLUSIVE, _first_and_count(self.undecided)
        elif not self.oks:
            status, summary = SKIPPED, skipped_reason
        else:
            status, summary = PASSED, summary_ok
        return GateResult(self.name, status, summary, evidence, exchanges=list(self.exchanges))


def _first_and_count(lines: list[str]) -> str:
    return lines[0] if len(lines) == 1 else f"{lines[0]} (and {len(lines) - 1} more)"


def skipped(name: str, reason: str, evidence: list[str] | None = None) -> GateResult:
    return GateResult(name, SKIPPED, reason, list(evidence or []))


def inconclusive(name: str, reason: str, evidence: list[str] | None = None) -> GateResult:
    return GateResult(name, INCONCLUSIVE, reason, list(evidence or [reason]))

"""The figures the reliability suites leave for `scripts/reliability_report.py`.

Each case appends one JSON line to the file named by MOSAIC_RELIABILITY_LOG (nothing is written when it is
unset, so the suites run the same under a plain `pytest`). Every line has `schema`, `kind`, `test` (the
pytest node id) and `at` (UTC), plus by kind:

- ``fault``      one injected fault against one command or function:
                 ``fault`` (e.g. "503 burst x3"), ``target`` (e.g. "verify"), ``expected`` (list of acceptable
                 verdicts), ``actual``, ``right`` (actual in expected), ``elapsed_s``, ``bound_s``,
                 ``within_bound``, ``cause`` (the line that names the cause, or null), ``traceback`` (bool),
                 ``injected`` (how many times the proxy applied it, or null).
- ``fuzz``       one property run: ``target``, ``cases``, ``accepted``, ``rejected`` (the documented error),
                 ``tracebacks`` (anything else), ``examples`` (repr of the first unexpected errors).
- ``bad_input``  one crafted input through the CLI: ``target``, ``case``, ``exit_code``, ``expected_exit``,
                 ``right``, ``one_line``, ``traceback``, ``elapsed_s``, ``bound_s``, ``within_bound``.
- ``records``    one records scenario: ``scenario``, ``expected``, ``found``, ``invalid``, ``lost``.
- ``secrets``    one secret scan: ``scope``, ``sources``, ``bytes``, ``occurrences``, ``hits`` (masked).

Use from a test (the `reliability_log` fixture; see tests/reliability/conftest.py):

    def test_503_burst_that_clears_still_passes(reliability_log, proxy, ...):
        started = time.monotonic()
        proc = run_cli("verify", ...)
        reliability_log.fault("503 burst x3", target="verify", expected="pass", actual=verdict_of(proc),
                              elapsed=time.monotonic() - started, bound=30, cause=last_line(proc.stderr),
                              traceback=has_traceback(proc.stderr), injected=proxy.stats().faults_injected)
        assert ...
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

ENV_VAR = "MOSAIC_RELIABILITY_LOG"
SCHEMA = 1

#: Signs that an exception escaped: a Python traceback, or the CLI's catch-all for our own bugs.
TRACEBACK_SIGNS = ("Traceback (most recent call last)", "internal error:")


def has_traceback(text: str | bytes | None) -> bool:
    if text is None:
        return False
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return any(sign in text for sign in TRACEBACK_SIGNS)


def is_one_line(text: str) -> bool:
    """Exactly one non-empty line (a trailing newline allowed)."""
    return len(text.rstrip("\n").split("\n")) == 1 and bool(text.strip())


@dataclass
class FuzzTally:
    """Counts the cases of one property run; `case()` wraps each example."""

    target: str
    expected: tuple[type[BaseException], ...]
    cases: int = 0
    accepted: int = 0
    rejected: int = 0
    tracebacks: int = 0
    examples: list[str] = field(default_factory=list)

    @contextlib.contextmanager
    def case(self) -> Iterator[None]:
        """Run one example: a documented error counts as rejected (and is swallowed); any other exception
        counts as a traceback and propagates, so the property fails."""
        self.cases += 1
        try:
            yield
        except self.expected:
            self.rejected += 1
        except BaseException as exc:
            if not isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
                self.tracebacks += 1
                if len(self.examples) < 5:
                    self.examples.append(f"{type(exc).__name__}: {str(exc)[:200]}")
            raise
        else:
            self.accepted += 1


class ReliabilityLog:
    def __init__(self, path: Path | None, test: str) -> None:
        self.path = path
        self.test = test

    @property
    def enabled(self) -> bool:
        return self.path is not None

    def write(self, kind: str, **fields: Any) -> dict[str, Any]:
        record = {"schema": SCHEMA, "kind": kind, "test": self.test,
                  "at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), **fields}
        if self.path is not None:
            line = (json.dumps(record, default=str, sort_keys=True) + "\n").encode()
            # One write with O_APPEND: lines from concurrent writers do not interleave.
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)
        return record

    def fault(self, fault: str, *, target: str, expected: str | Sequence[str], actual: str, elapsed: float,
              bound: float, cause: str | None = None, traceback: bool = False, injected: int | None = None,
              **extra: Any) -> dict[str, Any]:
        accepted = [expected] if isinstance(expected, str) else list(expected)
        return self.write("fault", fault=fault, target=target, expected=accepted, actual=actual,
                          right=actual in accepted, elapsed_s=round(elapsed, 3), bound_s=bound,
                          within_bound=elapsed <= bound, cause=cause, traceback=traceback, injected=injected,
                          **extra)

    @contextlib.contextmanager
    def fuzz(self, target: str, expected: tuple[type[BaseException], ...] = ()) -> Iterator[FuzzTally]:
        """Count a property run's cases; the record is written when the block ends, even if it fails."""
        tally = FuzzTally(target=target, expected=expected)
        try:
            yield tally
        finally:
            self.write("fuzz", target=target, cases=tally.cases, accepted=tally.accepted, rejected=tally.rejected,
                       tracebacks=tally.tracebacks, examples=tally.examples)

    def bad_input(self, target: str, case: str, *, exit_code: int, expected_exit: int | Sequence[int],
                  output: str, elapsed: float, bound: float, **extra: Any) -> dict[str, Any]:
        """One crafted input. `output` is what the user saw on the error stream (one line expected)."""
        accepted = [expected_exit] if isinstance(expected_exit, int) else list(expected_exit)
        return self.write("bad_input", target=target, case=case, exit_code=exit_code, expected_exit=accepted,
                          right=exit_code in accepted, one_line=is_one_line(output) if exit_code else True,
                          traceback=has_traceback(output), elapsed_s=round(elapsed, 3), bound_s=bound,
                          within_bound=elapsed <= bound, **extra)

    def records(self, scenario: str, *, expected: int, found: int, invalid: int = 0,
                **extra: Any) -> dict[str, Any]:
        return self.write("records", scenario=scenario, expected=expected, found=found, invalid=invalid,
                          lost=max(0, expected - found) + invalid, **extra)

    def secrets(self, scope: str, result: Any) -> dict[str, Any]:
        """Record a `tests.support.secrets.ScanResult`."""
        return self.write("secrets", scope=scope, sources=result.sources, bytes=result.bytes_scanned,
                          occurrences=len(result.hits), hits=[str(hit) for hit in result.hits[:10]])


@contextlib.contextmanager
def timed() -> Iterator[list[float]]:
    """`with timed() as elapsed: ...` then `elapsed[0]` is the block's duration in seconds."""
    holder = [0.0]
    started = time.monotonic()
    try:
        yield holder
    finally:
        holder[0] = time.monotonic() - started


@pytest.fixture
def reliability_log(request: pytest.FixtureRequest) -> ReliabilityLog:
    """Appends this test's figures to $MOSAIC_RELIABILITY_LOG (a no-op when it is unset)."""
    raw = os.environ.get(ENV_VAR)
    return ReliabilityLog(Path(raw).resolve() if raw else None, request.node.nodeid)

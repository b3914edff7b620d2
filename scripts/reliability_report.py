#!/usr/bin/env python3
"""Run the reliability suites and print their figures.

    python scripts/reliability_report.py                 # pytest -m reliability over tests/, then the table
    python scripts/reliability_report.py --markdown      # the table as Markdown (for the README)
    python scripts/reliability_report.py --from-log FILE # no run: the figures of an earlier log
    python scripts/reliability_report.py -- tests/reliability/test_config_faults.py -k TOML

The suites append one JSON line per case to $MOSAIC_RELIABILITY_LOG (see tests/support/reliability_log.py for
the fields); this script points that variable at a fresh file, runs pytest, and sums the lines up:
faults injected, right verdicts, worst time against its bound, fuzz cases tried, tracebacks, records lost,
secret occurrences. A figure no case measured is shown as "n/a", never as a reassuring 0.

Exit code: pytest's (0 when the suites pass); with --strict, also 1 when a figure is bad (a wrong verdict,
a time over its bound, a traceback, a lost record or a secret occurrence).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ENV_VAR = "MOSAIC_RELIABILITY_LOG"


@dataclass
class PytestResult:
    exit_code: int | None = None
    tests: int = 0
    failures: int = 0
    errors: int = 0
    skipped: int = 0  # skips and xfails


@dataclass
class Figures:
    fault_cases: int = 0
    faults_injected: int | None = None  # times the proxy applied a fault, when the cases said
    right_verdicts: int = 0
    bad_input_cases: int = 0
    right_exits: int = 0
    worst: tuple[float, float, str] | None = None  # elapsed, bound, label: the highest elapsed/bound
    over_bound: int = 0
    fuzz_cases: int = 0
    fuzz_runs: int = 0
    tracebacks: int = 0
    records_scenarios: int = 0
    records_expected: int = 0
    records_lost: int = 0
    secret_scans: int = 0
    secret_sources: int = 0
    secret_bytes: int = 0
    secret_occurrences: int = 0
    broken_lines: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def bad(self) -> bool:
        return bool(self.right_verdicts < self.fault_cases or self.right_exits < self.bad_input_cases
                    or self.over_bound or self.tracebacks or self.records_lost or self.secret_occurrences)


def read_log(path: Path) -> tuple[list[dict[str, Any]], int]:
    """The records of a log, and how many lines were not valid records."""
    records: list[dict[str, Any]] = []
    broken = 0
    if not path.exists():
        return records, broken
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            broken += 1
            continue
        if isinstance(record, dict) and "kind" in record:
            records.append(record)
        else:
            broken += 1
    return records, broken


def _timed(figures: Figures, record: dict[str, Any], label: str) -> None:
    elapsed, bound = record.get("elapsed_s"), record.get("bound_s")
    if not isinstance(elapsed, (int, float)) or not isinstance(bound, (int, float)) or bound <= 0:
        return
    if elapsed > bound:
        figures.over_bound += 1
        figures.problems.append(f"over its bound: {label} took {elapsed:.2f} s of {bound:g} s")
    if figures.worst is None or elapsed / bound > figures.worst[0] / figures.worst[1]:
        figures.worst = (float(elapsed), float(bound), label)


def summarize(records: Iterable[dict[str, Any]], broken_lines: int = 0) -> Figures:
    figures = Figures(broken_lines=broken_lines)
    for record in records:
        kind = record.get("kind")
        if kind == "fault":
            label = f"{record.get('target')}: {record.get('fault')}"
            figures.fault_cases += 1
            if record.get("right"):
                figures.right_verdicts += 1
            else:
                figures.problems.append(f"wrong verdict: {label}: expected {record.get('expected')}, "
                                        f"got {record.get('actual')!r}")
            if isinstance(record.get("injected"), int):
                figures.faults_injected = (figures.faults_injected or 0) + record["injected"]
            if record.get("traceback"):
                figures.tracebacks += 1
                figures.problems.append(f"traceback: {label}")
            _timed(figures, record, label)
        elif kind == "bad_input":
            label = f"{record.get('target')}: {record.get('case')}"
            figures.bad_input_cases += 1
            if record.get("right") and record.get("one_line", True):
                figures.right_exits += 1
            else:
                figures.problems.append(f"wrong exit or output: {label}: exit {record.get('exit_code')}, "
                                        f"expected {record.get('expected_exit')}, one line: {record.get('one_line')}")
            if record.get("traceback"):
                figures.tracebacks += 1
                figures.problems.append(f"traceback: {label}")
            _timed(figures, record, label)
        elif kind == "fuzz":
            figures.fuzz_runs += 1
            figures.fuzz_cases += int(record.get("cases") or 0)
            if record.get("tracebacks"):
                figures.tracebacks += int(record["tracebacks"])
                figures.problems.append(f"traceback: {record.get('target')}: {record.get('examples')}")
        elif kind == "records":
            figures.records_scenarios += 1
            figures.records_expected += int(record.get("expected") or 0)
            lost = int(record.get("lost") or 0)
            figures.records_lost += lost
            if lost:
                figures.problems.append(f"records lost: {record.get('scenario')}: {lost}")
        elif kind == "secrets":
            figures.secret_scans += 1
            figures.secret_sources += int(record.get("sources") or 0)
            figures.secret_bytes += int(record.get("bytes") or 0)
            occurrences = int(record.get("occurrences") or 0)
            figures.secret_occurrences += occurrences
            if occurrences:
                figures.problems.append(f"secret occurrences: {record.get('scope')}: {record.get('hits')}")
    return figures


def _size(count: int) -> str:
    return f"{count / 1e6:.1f} MB" if count >= 1e6 else f"{count / 1e3:.1f} kB"


def rows(figures: Figures) -> list[tuple[str, str]]:
    f = figures
    injected = "n/a (no fault case ran)" if not f.fault_cases else (
        f"{f.fault_cases} cases" + (f", {f.faults_injected} injections" if f.faults_injected is not None else ""))
    verdict_parts = []
    if f.fault_cases:
        verdict_parts.append(f"{f.right_verdicts}/{f.fault_cases} fault cases")
    if f.bad_input_cases:
        verdict_parts.append(f"{f.right_exits}/{f.bad_input_cases} bad-input cases (exit code, one line)")
    worst = "n/a (no timed case)" if f.worst is None else (
        f"{f.worst[0]:.2f} s of {f.worst[1]:g} s ({100 * f.worst[0] / f.worst[1]:.0f}%), {f.worst[2]}"
        + (f"; {f.over_bound} over their bound" if f.over_bound else ""))
    fuzz = "n/a (no property ran)" if not f.fuzz_runs else f"{f.fuzz_cases} in {f.fuzz_runs} properties"
    timed_cases = f.fault_cases + f.bad_input_cases + f.fuzz_runs
    tracebacks = "n/a (no case ran)" if not timed_cases else str(f.tracebacks)
    records = "n/a (no records scenario ran)" if not f.records_scenarios else (
        f"{f.records_lost} of {f.records_expected} in {f.records_scenarios} scenarios")
    secrets = "n/a (no scan ran)" if not f.secret_scans else (
        f"{f.secret_occurrences} in {f.secret_sources} outputs/files ({_size(f.secret_bytes)}), {f.secret_scans} scans")
    return [
        ("faults injected", injected),
        ("right verdicts", "; ".join(verdict_parts) or "n/a"),
        ("worst time against its bound", worst),
        ("fuzz cases tried", fuzz),
        ("tracebacks", tracebacks),
        ("records lost", records),
        ("secret occurrences", secrets),
    ]


def render(figures: Figures, result: PytestResult | None, markdown: bool = False) -> str:
    table = rows(figures)
    lines = []
    if result is not None:
        passed = result.tests - result.failures - result.errors - result.skipped
        lines.append(f"pytest: {passed} passed, {result.failures} failed, {result.errors} errors, "
                     f"{result.skipped} skipped/xfailed (exit {result.exit_code})")
    if markdown:
        lines += ["", "| figure | value |", "|---|---|"] + [f"| {name} | {value} |" for name, value in table]
    else:
        width = max(len(name) for name, _ in table)
        lines += [""] + [f"  {name:<{width}}  {value}" for name, value in table]
    if figures.broken_lines:
        lines.append(f"\n{figures.broken_lines} log line(s) were not valid records")
    if figures.problems:
        lines.append("\nproblems:")
        lines += [f"  - {problem}" for problem in figures.problems[:30]]
        if len(figures.problems) > 30:
            lines.append(f"  ... and {len(figures.problems) - 30} more")
    return "\n".join(lines)


def read_junit(path: Path) -> PytestResult:
    result = PytestResult()
    if not path.exists():
        return result
    root = ElementTree.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    for suite in suites:
        result.tests += int(suite.get("tests", 0))
        result.failures += int(suite.get("failures", 0))
        result.errors += int(suite.get("errors", 0))
        result.skipped += int(suite.get("skipped", 0))
    return result


def run_suites(log: Path, pytest_args: Sequence[str], timeout: float, quiet: bool) -> PytestResult:
    log.write_bytes(b"")
    with tempfile.TemporaryDirectory(prefix="mosaic-reliability-") as tmp:
        junit = Path(tmp) / "junit.xml"
        selection = list(pytest_args) or ["tests"]
        command = [sys.executable, "-m", "pytest", "-q", "-m", "reliability", f"--junitxml={junit}", *selection]
        env = {**os.environ, ENV_VAR: str(log)}
        try:
            proc = subprocess.run(command, cwd=ROOT, env=env, timeout=timeout, text=True,
                                  stdout=subprocess.PIPE if quiet else sys.stderr,
                                  stderr=subprocess.STDOUT if quiet else sys.stderr)
        except subprocess.TimeoutExpired:
            print(f"reliability_report: the suites ran longer than {timeout:g} s and were stopped", file=sys.stderr)
            result = read_junit(junit)
            result.exit_code = 124
            return result
        if quiet and proc.returncode not in (0, 5):
            print("\n".join((proc.stdout or "").splitlines()[-40:]), file=sys.stderr)
        result = read_junit(junit)
        result.exit_code = proc.returncode
        return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--log", type=Path, help="keep the JSON-lines log here (default: a temporary file)")
    parser.add_argument("--from-log", type=Path, help="print the figures of an existing log; run nothing")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a figure is bad")
    parser.add_argument("--quiet", action="store_true", help="hide pytest's output unless it fails")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds the suites may run (default 1800)")
    parser.add_argument("--examples", type=int, help="examples per property (sets MOSAIC_FUZZ_EXAMPLES; default 150)")
    parser.add_argument("pytest_args", nargs="*", help="after --: what pytest runs (default: tests)")
    args = parser.parse_args(argv)

    if args.examples:
        os.environ["MOSAIC_FUZZ_EXAMPLES"] = str(args.examples)
    result: PytestResult | None = None
    if args.from_log:
        if not args.from_log.is_file():
            print(f"reliability_report: no log at {args.from_log}", file=sys.stderr)
            return 2
        log = args.from_log
    else:
        if args.log:
            log = args.log.resolve()
            log.parent.mkdir(parents=True, exist_ok=True)
            result = run_suites(log, args.pytest_args, args.timeout, args.quiet)
        else:
            with tempfile.TemporaryDirectory(prefix="mosaic-reliability-log-") as tmp:
                log = Path(tmp) / "reliability.jsonl"
                result = run_suites(log, args.pytest_args, args.timeout, args.quiet)
                records, broken = read_log(log)
            return _finish(summarize(records, broken), result, args)
    records, broken = read_log(log)
    return _finish(summarize(records, broken), result, args)


def _finish(figures: Figures, result: PytestResult | None, args: argparse.Namespace) -> int:
    if args.json:
        payload = {"pytest": vars(result) if result else None, "figures": dict(rows(figures)),
                   "raw": {k: v for k, v in vars(figures).items() if k != "problems"},
                   "problems": figures.problems}
        print(json.dumps(payload, indent=2))
    else:
        print(render(figures, result, markdown=args.markdown))
    code = 0 if result is None or result.exit_code in (0, None) else 1
    if args.strict and figures.bad:
        code = 1
    return code


if __name__ == "__main__":
    sys.exit(main())

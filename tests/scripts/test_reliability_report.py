"""scripts/reliability_report.py: sums the suites' JSON lines into the table, and runs the suites."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "scripts" / "reliability_report.py"


@pytest.fixture(scope="module")
def report() -> ModuleType:
    spec = importlib.util.spec_from_file_location("reliability_report", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["reliability_report"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


RECORDS = [
    {"kind": "fault", "fault": "503 x3", "target": "verify", "expected": ["pass"], "actual": "pass", "right": True,
     "elapsed_s": 2.0, "bound_s": 10, "traceback": False, "injected": 3},
    {"kind": "fault", "fault": "hang", "target": "wait", "expected": ["inconclusive"], "actual": "pass",
     "right": False, "elapsed_s": 9.0, "bound_s": 10, "traceback": False, "injected": 1},
    {"kind": "fault", "fault": "reset", "target": "verify", "expected": ["fail", "inconclusive"],
     "actual": "inconclusive", "right": True, "elapsed_s": 12.0, "bound_s": 10, "traceback": True},
    {"kind": "bad_input", "target": "config", "case": "bom", "exit_code": 2, "expected_exit": [2], "right": True,
     "one_line": True, "traceback": False, "elapsed_s": 0.2, "bound_s": 10},
    {"kind": "fuzz", "target": "config.load", "cases": 150, "tracebacks": 0},
    {"kind": "fuzz", "target": "pre-push stdin", "cases": 100, "tracebacks": 2, "examples": ["KeyError: 'x'"]},
    {"kind": "records", "scenario": "20 appenders", "expected": 20, "found": 19, "invalid": 1, "lost": 2},
    {"kind": "secrets", "scope": "verify", "sources": 12, "bytes": 2_000_000, "occurrences": 1, "hits": ["x"]},
]


def test_the_figures_add_up(report: ModuleType) -> None:
    figures = report.summarize(RECORDS)
    assert (figures.fault_cases, figures.faults_injected, figures.right_verdicts) == (3, 4, 2)
    assert (figures.bad_input_cases, figures.right_exits) == (1, 1)
    assert figures.worst == (12.0, 10, "verify: reset")
    assert figures.over_bound == 1
    assert (figures.fuzz_cases, figures.fuzz_runs) == (250, 2)
    assert figures.tracebacks == 3  # one fault case, two fuzz cases
    assert (figures.records_lost, figures.records_expected) == (2, 20)
    assert (figures.secret_occurrences, figures.secret_sources) == (1, 12)
    assert figures.bad
    assert any("wrong verdict: wait: hang" in problem for problem in figures.problems)


def test_the_table_names_every_figure(report: ModuleType) -> None:
    text = report.render(report.summarize(RECORDS), None)
    for name in ("faults injected", "right verdicts", "worst time against its bound", "fuzz cases tried",
                 "tracebacks", "records lost", "secret occurrences"):
        assert name in text
    assert "3 cases, 4 injections" in text
    assert "2/3 fault cases" in text
    assert "12.00 s of 10 s (120%), verify: reset; 1 over their bound" in text
    assert "2 of 20 in 1 scenarios" in text


def test_unmeasured_figures_are_not_shown_as_zero(report: ModuleType) -> None:
    text = report.render(report.summarize([]), None, markdown=True)
    assert "| records lost | n/a (no records scenario ran) |" in text
    assert "| secret occurrences | n/a (no scan ran) |" in text
    assert not report.summarize([]).bad


def test_broken_log_lines_are_counted_not_fatal(report: ModuleType, tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    log.write_text(json.dumps(RECORDS[0]) + "\n{not json\n[1, 2]\n\n" + json.dumps(RECORDS[4]) + "\n")
    records, broken = report.read_log(log)
    assert len(records) == 2 and broken == 2


def test_from_log_prints_the_figures_without_running(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    log.write_text("".join(json.dumps(record) + "\n" for record in RECORDS))
    proc = subprocess.run([sys.executable, str(SCRIPT), "--from-log", str(log), "--strict"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 1  # --strict: the figures are bad
    assert "250 in 2 properties" in proc.stdout
    missing = subprocess.run([sys.executable, str(SCRIPT), "--from-log", str(tmp_path / "none")],
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2
    assert "no log at" in missing.stderr


def test_a_run_collects_the_figures_the_suites_write(tmp_path: Path) -> None:
    log = tmp_path / "kept.jsonl"
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--quiet", "--json", "--log", str(log), "--",
         "tests/reliability/test_config_faults.py", "-k", "invalid or UTF-16"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    payload = json.loads(proc.stdout)
    assert payload["pytest"]["tests"] == 2
    assert payload["raw"]["bad_input_cases"] == 2
    assert payload["figures"]["right verdicts"] == "2/2 bad-input cases (exit code, one line)"
    assert payload["figures"]["faults injected"] == "n/a (no fault case ran)"
    assert len(log.read_text().splitlines()) == 2

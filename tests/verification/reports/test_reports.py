"""The reports of one verification: terminal, --json, --junit and the --proof handoff document."""

from __future__ import annotations

import io
import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from mosaic_hooks.gates.result import Exchange, GateResult
from mosaic_hooks.render.outcome import LIVE, WaitOutcome
from mosaic_hooks.verification.model import Verification
from mosaic_hooks.verification.reports import json_report, junit, proof, terminal
from mosaic_hooks.verification.verdict import decide

COMMIT = "1e57859" + "0" * 33
SECRET = "probe-token-that-must-not-leak"


def verification(*results: GateResult, recorded: bool = True, outcome: WaitOutcome | None = None) -> Verification:
    run = Verification(commit=COMMIT, base=None, verdict=decide(list(results)), results=list(results),
                       outcome=outcome, changes=None, started_at="2026-11-24T18:00:00Z",
                       finished_at="2026-11-24T18:00:02Z", duration_s=2.0, backend_url="http://127.0.0.1:8000")
    if recorded:
        run.history_file = Path(".mosaic/deployment_history.jsonl")
        run.metrics_file = Path(".mosaic/dora_metrics.json")
    return run


def failing_run() -> Verification:
    endpoints = GateResult("endpoints", "failed", "GET /reports: 404, the service's 'no such route' answer",
                           ["FAIL GET /reports: 404", "ok GET /items/1: 200 (12 ms)"],
                           exchanges=[Exchange("GET", "/reports", 404, 8.4), Exchange("GET", "/items/1", 200, 12.0)])
    return verification(
        GateResult("deploy", "passed", "deploy dep-1 is live", ["ok live"]),
        GateResult("health", "passed", "GET /health 200; P95 20 ms", ["ok 200"]),
        endpoints,
        GateResult("contract", "skipped", "no OpenAPI document at /openapi.json (answered 404)"),
        GateResult("errors", "inconclusive", "POST /items: no answer", [f"UNDECIDED token {SECRET} seen"]),
    )


def test_json_has_the_documented_shape() -> None:
    data = json.loads(json_report.render(failing_run()))
    assert data["verdict"] == "fail" and data["commit"] == COMMIT and data["deploy"] is None
    first = data["gates"][2]
    assert {"name", "status", "summary", "evidence"} <= set(first)
    assert first["requests"][0] == {"method": "GET", "path": "/reports", "status": 404, "ms": 8.4, "error": None}


def test_json_deploy_comes_from_the_wait_outcome() -> None:
    outcome = WaitOutcome(LIVE, COMMIT, "live", deploy={"id": "dep-1", "createdAt": "t0", "finishedAt": "t1"},
                          found_by="render-api", crash_loop=False)
    run = verification(GateResult("deploy", "passed", "live", ["ok"]), outcome=outcome)
    deploy = json.loads(json_report.render(run))["deploy"]
    assert deploy["id"] == "dep-1" and deploy["state"] == "live" and deploy["finished_at"] == "t1"


def test_junit_has_one_suite_per_gate_and_one_testcase_per_check(tmp_path: Path) -> None:
    path = tmp_path / "reports" / "gate.xml"
    junit.write(failing_run(), path)
    root = ET.parse(path).getroot()
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    assert list(suites) == ["deploy", "health", "endpoints", "contract", "errors"]
    endpoints = {case.get("name"): case for case in suites["endpoints"].iter("testcase")}
    # Named by the request, without the status and timing that change from run to run.
    assert list(endpoints) == ["GET /reports", "GET /items/1"]
    assert {case.get("classname") for case in endpoints.values()} == {"mosaic_hooks.gates.endpoints"}
    failure = endpoints["GET /reports"].find("failure")
    assert failure is not None and failure.get("message") == "GET /reports: 404"
    assert failure.text == "GET /reports: 404\nGET /reports -> 404 (8 ms)"  # the evidence and its request
    assert endpoints["GET /items/1"].find("failure") is None
    [contract] = suites["contract"].iter("testcase")  # nothing checked: one case for the gate, skipped
    assert contract.get("name") == "contract" and contract.find("skipped") is not None
    [errors] = suites["errors"].iter("testcase")
    undecided = errors.find("failure")
    assert undecided is not None and undecided.get("type") == "inconclusive"
    assert suites["endpoints"].get("tests") == "2" and suites["endpoints"].get("failures") == "1"
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("6", "2", "1")


def test_junit_names_repeated_checks_apart() -> None:
    result = GateResult("contract", "passed", "ok", ["ok GET /a: documented", "ok GET /a: 200 matches"])
    names = [case.get("name") for case in ET.fromstring(junit.render(verification(result))).iter("testcase")]
    assert names == ["GET /a", "GET /a #2"]


def test_the_proof_lists_the_ten_criteria_with_evidence_or_not_met(tmp_path: Path) -> None:
    path = tmp_path / "PROOF.md"
    proof.write(failing_run(), path)
    text = path.read_text()
    numbered = [line for line in text.splitlines() if line.split(".", 1)[0].isdigit()]
    assert len(numbered) == 10
    assert numbered[0].startswith("1. [x] **Code committed and pushed**: commit 1e5785900000")
    assert numbered[3].startswith("4. [x] **Health checks passing**")
    assert numbered[5] == ("6. [ ] **All new endpoints respond (non-404)**: not met — failed: GET /reports: 404, "
                           "the service's 'no such route' answer")
    assert numbered[2].startswith("3. [ ] **Service restarted without errors**: not met")
    assert "work is NOT complete" in text
    assert "Verdict: **FAIL**" in text


def test_an_unrecorded_run_does_not_claim_the_dora_criteria() -> None:
    rows = proof.assess(verification(GateResult("health", "passed", "ok", ["ok"]), recorded=False))
    assert [met for _, met, _ in rows][7:9] == [False, False]


def test_secrets_never_reach_the_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOSAIC_PROBE_TOKEN", SECRET)
    run = failing_run()
    junit.write(run, tmp_path / "j.xml")
    proof.write(run, tmp_path / "p.md")
    stream = io.StringIO()
    terminal.print_report(run, stream)
    for text in (json_report.render(run), (tmp_path / "j.xml").read_text(), (tmp_path / "p.md").read_text(),
                 stream.getvalue()):
        assert SECRET not in text
        assert "***" in text


def test_terminal_lists_each_gate_and_each_endpoint_request_without_colour_in_a_pipe() -> None:
    stream = io.StringIO()
    terminal.print_report(failing_run(), stream)
    text = stream.getvalue()
    assert "\033[" not in text
    assert "endpoints" in text and "failed" in text
    assert "GET     /reports  404 8 ms" in text
    assert "GET     /items/1  200 12 ms" in text
    assert "FAIL GET /reports: 404" in text
    assert text.rstrip().splitlines()[-2].startswith("verdict: FAIL (failed: endpoints")


def test_terminal_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    terminal.print_report(failing_run(), stream)
    assert "\033[31m" in stream.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    stream = Terminal()
    terminal.print_report(failing_run(), stream)
    assert "\033[" not in stream.getvalue()

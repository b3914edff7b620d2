"""`--junit FILE`: JUnit XML for CI, one `<testsuite>` per gate and one `<testcase>` per check in it.

A CI dashboard then shows which request or check failed, as Schemathesis and Hurl report, not only which
gate. The checks are the gate's evidence lines (`ok ...`, `FAIL ...`, `UNDECIDED ...`); a case is named
by the line up to its first ": " (the request or the subject, without the status or timing that vary
from run to run), and a failing case carries the whole line and the requests it names. A gate that
recorded no single check (skipped, or undecided as a whole) is one case named after the gate.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

from mosaic_hooks.core.files import write_text_atomic
from mosaic_hooks.gates.result import FAILED, INCONCLUSIVE, SKIPPED, GateResult
from mosaic_hooks.verification.model import Verification

OK, FAIL, UNDECIDED = "ok", "FAIL", "UNDECIDED"
_NAME_LIMIT = 200


def checks(result: GateResult) -> list[tuple[str, str]]:
    """(outcome, line) of each check a gate recorded, in its order. Pure."""
    found = []
    for line in result.evidence:
        outcome, _, rest = line.partition(" ")
        if outcome in (OK, FAIL, UNDECIDED) and rest:
            found.append((outcome, rest))
    return found


def case_name(line: str) -> str:
    """The stable part of a check's line: `GET /items/{id} (/items/1): 200 (12 ms)` -> `GET /items/{id} (/items/1)`."""
    name = line.split(": ", 1)[0].strip() or line
    return name if len(name) <= _NAME_LIMIT else name[: _NAME_LIMIT - 1] + "…"


def _unique(names: list[str]) -> Iterator[str]:
    seen: dict[str, int] = {}
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        yield name if seen[name] == 1 else f"{name} #{seen[name]}"


def _requests(result: GateResult, line: str) -> list[str]:
    return [e.describe() for e in result.exchanges if f" {e.path}" in f" {line}" or e.path in line.split()]


def _gate_suite(parent: ET.Element, run: Verification, result: GateResult) -> None:
    found = checks(result)
    blocks = run.inconclusive_blocks
    cases: list[tuple[str, str | None, str]] = []  # (name, outcome or None for the gate as a whole, text)
    names = _unique([case_name(text) for _, text in found])
    cases.extend((name, outcome, text) for name, (outcome, text) in zip(names, found, strict=True))
    if not found:
        cases.append((result.name, None, result.summary))
    failures = sum(1 for _, outcome, _ in cases if outcome == FAIL or (outcome is None and result.status == FAILED)
                   or (blocks and (outcome == UNDECIDED or (outcome is None and result.status == INCONCLUSIVE))))
    skipped = sum(1 for _, outcome, _ in cases if (outcome is None and result.status == SKIPPED)
                  or (not blocks and (outcome == UNDECIDED or (outcome is None and result.status == INCONCLUSIVE))))
    suite = ET.SubElement(parent, "testsuite", name=result.name, tests=str(len(cases)), failures=str(failures),
                          errors="0", skipped=str(skipped), time=f"{result.duration_s:.3f}",
                          timestamp=run.finished_at)
    classname = f"mosaic_hooks.gates.{result.name}"
    for case_label, case_outcome, text in cases:
        case = ET.SubElement(suite, "testcase", classname=classname, name=case_label, time="0.000")
        details = "\n".join([text, *_requests(result, text)])
        status = result.status if case_outcome is None else {OK: "passed", FAIL: FAILED,
                                                              UNDECIDED: INCONCLUSIVE}[case_outcome]
        if status == FAILED:
            ET.SubElement(case, "failure", message=text, type="failed").text = details
        elif status == INCONCLUSIVE and blocks:
            ET.SubElement(case, "failure", message=text, type="inconclusive").text = details
        elif status in (SKIPPED, INCONCLUSIVE):
            ET.SubElement(case, "skipped", message=f"{status}: {text}")
    # The gate's verdict and the evidence that decided nothing (notes: what was left out and why).
    ET.SubElement(suite, "system-out").text = "\n".join([f"{result.status}: {result.summary}", *result.evidence])


def render(run: Verification) -> str:
    suites = ET.Element("testsuites", name="mosaic-hooks verify", time=f"{run.duration_s:.3f}")
    for name, value in (("commit", run.commit), ("base", run.base), ("verdict", run.verdict.verdict),
                        ("backend_url", run.backend_url)):
        suites.set(name, str(value or ""))
    for result in run.results:
        _gate_suite(suites, run, result)
    totals = {key: sum(int(s.get(key, "0")) for s in suites.iter("testsuite"))
              for key in ("tests", "failures", "errors", "skipped")}
    for key, total in totals.items():
        suites.set(key, str(total))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def write(run: Verification, path: Path) -> None:
    write_text_atomic(path, render(run))

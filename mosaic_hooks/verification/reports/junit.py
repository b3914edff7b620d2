"""`--junit FILE`: JUnit XML for CI, one testcase per gate."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

from mosaic_hooks.core.files import write_text_atomic
from mosaic_hooks.gates.result import FAILED, INCONCLUSIVE, SKIPPED
from mosaic_hooks.verification.model import Verification


def render(run: Verification) -> str:
    failures = sum(1 for r in run.results if r.status == FAILED or (r.status == INCONCLUSIVE and
                                                                     run.inconclusive_blocks))
    skipped = sum(1 for r in run.results if r.status == SKIPPED or (r.status == INCONCLUSIVE and
                                                                     not run.inconclusive_blocks))
    suites = ET.Element("testsuites", name="mosaic-hooks verify")
    suite = ET.SubElement(suites, "testsuite", name="production gate", tests=str(len(run.results)),
                          failures=str(failures), errors="0", skipped=str(skipped),
                          time=f"{run.duration_s:.3f}", timestamp=run.finished_at)
    properties = ET.SubElement(suite, "properties")
    for name, value in (("commit", run.commit), ("base", run.base), ("verdict", run.verdict.verdict),
                        ("backend_url", run.backend_url)):
        ET.SubElement(properties, "property", name=name, value=str(value or ""))
    for result in run.results:
        case = ET.SubElement(suite, "testcase", classname="mosaic_hooks.gates", name=result.name,
                             time=f"{result.duration_s:.3f}")
        details = "\n".join(result.evidence)
        if result.status == FAILED:
            ET.SubElement(case, "failure", message=result.summary, type="failed").text = details
        elif result.status == INCONCLUSIVE and run.inconclusive_blocks:
            ET.SubElement(case, "failure", message=result.summary, type="inconclusive").text = details
        elif result.status in (SKIPPED, INCONCLUSIVE):
            ET.SubElement(case, "skipped", message=f"{result.status}: {result.summary}")
        ET.SubElement(case, "system-out").text = f"{result.status}: {result.summary}\n{details}"
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def write(run: Verification, path: Path) -> None:
    write_text_atomic(path, render(run))

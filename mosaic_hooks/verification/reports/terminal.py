"""The terminal report: each gate with its status and summary, each request to an endpoint with its
status code and time, the evidence of what did not pass, and the verdict. Colour only on a terminal."""

from __future__ import annotations

import sys
from typing import TextIO

from mosaic_hooks.cli.output import color, write_line
from mosaic_hooks.gates import switches
from mosaic_hooks.gates.result import FAILED, INCONCLUSIVE, PASSED, SKIPPED, Exchange
from mosaic_hooks.verification.model import Verification

_COLOR = {PASSED: "green", FAILED: "red", INCONCLUSIVE: "yellow", SKIPPED: "dim"}
_VERDICT_COLOR = {"pass": "green", "fail": "red", "inconclusive": "yellow"}
ENDPOINT_GATES = ("endpoints", "errors")


def lines(run: Verification, stream: TextIO | None = None) -> list[str]:
    out = stream or sys.stdout
    width = max((len(r.name) for r in run.results), default=8)
    commit = (run.commit or "?")[:12]
    header = (f"mosaic-hooks verify: {commit}" + (f" of service {run.service}" if run.service else "")
              + (f" on {run.backend_url}" if run.backend_url else ""))
    text = [color(header, "bold", out)]
    if run.changes is not None:
        from mosaic_hooks.verification.verify import summarize_changes

        since = f"since {run.base[:12]}" if run.base else "in the whole commit (no verified base)"
        text.append(f"  changes {since}: {summarize_changes(run.changes)}")
    for result in run.results:
        status = color(f"{result.status:<12}", _COLOR[result.status], out)
        text.append(f"  {result.name:<{width}}  {status} {result.summary}  ({result.duration_s:.2f} s)")
        if result.status in (FAILED, INCONCLUSIVE):
            text.extend(f"      {line}" for line in result.evidence if not line.startswith("ok "))
        if result.name in ENDPOINT_GATES and result.exchanges:
            text.extend(f"      {_exchange(e, out)}" for e in result.exchanges)
    verdict = run.verdict
    shown = color(verdict.verdict.upper(), _VERDICT_COLOR[verdict.verdict], out)
    tail = f" ({verdict.failure_reason})" if verdict.failure_reason else ""
    skips = switches.line(run.switched_off)  # a skip is part of the verdict, never hidden in the rows above
    text.append(f"verdict: {shown}{tail}; exit {verdict.exit_code}; {run.duration_s:.1f} s"
                + (f"; {skips}" if skips else ""))
    if run.history_file is not None:
        text.append(f"recorded in {run.history_file}")
    elif run.recording_error:
        text.append(f"not recorded: {run.recording_error}")
    return text


def _exchange(exchange: Exchange, out: TextIO) -> str:
    if exchange.status is None:
        code = color("---", "yellow", out)
        return f"{exchange.method:<7} {exchange.path}  {code} {exchange.error}"
    shade = "red" if exchange.status >= 500 else "green" if exchange.status < 400 else "yellow"
    note = f"  ({exchange.note})" if exchange.note else ""
    return f"{exchange.method:<7} {exchange.path}  {color(str(exchange.status), shade, out)} " \
           f"{exchange.elapsed_ms:.0f} ms{note}"


def print_report(run: Verification, stream: TextIO | None = None) -> None:
    for line in lines(run, stream):
        write_line(line, stream)

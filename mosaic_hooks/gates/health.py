"""health: GET the health path answers 200, and its P95 latency over N samples is under the limit.

Render switches traffic to the new instance up to a minute after the deploy is marked live, so the
first 200 is waited for (retried, within the gate's time), then the samples are taken.
"""

from __future__ import annotations

import asyncio
import time

from mosaic_hooks.core.words import plural
from mosaic_hooks.gates.base import GateContext
from mosaic_hooks.gates.latency import summarize
from mosaic_hooks.gates.result import Exchange, Findings, GateResult

NAME = "health"
SWITCHOVER_S = 90.0  # how long a non-200 health answer is retried before it counts
# No answer at all is not the switch-over (Render's edge answers through it): a wrong URL or a service
# that is down; retried briefly, for a network blip.
NO_ANSWER_S = 10.0
SAMPLE_CONCURRENCY = 4  # a light load: the figures should be the service's, not our own queue's


async def run(ctx: GateContext) -> GateResult:
    path = ctx.cfg.health_path
    findings = Findings(NAME)
    first = await _first_ok(ctx, path)
    findings.exchanges.append(first)
    if first.status is None:
        findings.undecide(f"GET {path}: no answer ({first.error})")
        return findings.result(summary_ok="")
    if first.status != 200:
        findings.fail(f"GET {path} answered {first.status}, not 200{_retried(ctx)}")
        return findings.result(summary_ok="")
    findings.ok(f"GET {path} answered 200")

    count = int(ctx.cfg.health_samples)
    limit = float(ctx.cfg.p95_limit_ms)
    samples = await _samples(ctx, path, count)
    answered = [s for s in samples if s.status is not None]
    not_ok = [s for s in answered if s.status != 200]
    timed_out = [s for s in samples if s.status is None and s.error and s.error.startswith("timed out")]
    lost = [s for s in samples if s.status is None and s not in timed_out]
    if not_ok:
        codes = ", ".join(sorted({str(s.status) for s in not_ok}))
        findings.fail(f"GET {path} answered {codes} on {len(not_ok)} of {plural(count, 'sample')}")
    if lost:
        findings.undecide(f"GET {path}: {len(lost)} of {plural(count, 'sample')} got no answer ({lost[0].error})")
    # A timed-out sample took at least as long as its timeout: it counts, at that duration.
    durations = [s.elapsed_ms for s in answered] + [s.elapsed_ms for s in timed_out]
    if durations:
        figures = summarize(durations)
        line = f"{figures.line()}, limit {limit:.0f} ms"
        if figures.p95 < limit:
            findings.ok(f"latency {line}")
        else:
            findings.fail(f"P95 {figures.p95:.0f} ms is over the {limit:.0f} ms limit ({figures.line()})")
        if timed_out:
            findings.note(f"{plural(len(timed_out), 'sample')} timed out")
        summary = f"GET {path} 200; {line}"
    else:
        summary = f"GET {path} 200"
    return findings.result(summary_ok=summary)


async def _first_ok(ctx: GateContext, path: str) -> Exchange:
    """The first answer that is 200, or the last answer seen when the switch-over window closes."""
    started = time.monotonic()
    delay = 0.25
    while True:
        exchange = await ctx.request("GET", path, note="health")
        window = SWITCHOVER_S if exchange.status is not None else NO_ANSWER_S
        window_end = min(started + window, ctx.deadline)
        if exchange.status == 200 or time.monotonic() + delay >= window_end:
            return exchange
        await asyncio.sleep(delay)
        delay = min(delay * 2, 3.0)


async def _samples(ctx: GateContext, path: str, count: int) -> list[Exchange]:
    gate = asyncio.Semaphore(SAMPLE_CONCURRENCY)

    async def one(i: int) -> Exchange:
        async with gate:
            return await ctx.request("GET", path, note=f"health sample {i + 1}")

    return list(await asyncio.gather(*(one(i) for i in range(count))))


def _retried(ctx: GateContext) -> str:
    retries = sum(1 for e in ctx.exchanges if e.note == "health") - 1
    return f" (asked {retries + 1} times through the switch-over window)" if retries > 0 else ""

"""Runs the gates concurrently over one pooled HTTP client, each within the time left, the whole
within `gate_timeout`. A gate that raises or overruns is "inconclusive" with the reason, never "passed".
"""

from __future__ import annotations

import asyncio
import importlib
import signal
import threading
import time
from collections.abc import Coroutine, Mapping, Sequence
from types import FrameType
from typing import TYPE_CHECKING, Any, TypeVar

from mosaic_hooks.core.errors import ConfigError
from mosaic_hooks.core.words import plural
from mosaic_hooks.gates import GATES, GateSpec
from mosaic_hooks.gates.base import GateContext
from mosaic_hooks.gates.deploy import STALE_KEY
from mosaic_hooks.gates.result import INCONCLUSIVE, SKIPPED, GateResult

if TYPE_CHECKING:
    import httpx

    from mosaic_hooks.core.config import Config
    from mosaic_hooks.core.git import Repo
    from mosaic_hooks.detect.changeset import ChangeSet
    from mosaic_hooks.render.outcome import WaitOutcome

T = TypeVar("T")

# At most this many requests in flight: 200 endpoints at 50 ms each take ~4 rounds (see
# scripts/bench_gate.py), and a small instance is not flooded.
MAX_IN_FLIGHT = 64
# httpcore's pool does bookkeeping over all its connections and queued requests on every request, so
# one pool of 64 spends more CPU than the requests themselves; 16 pools of 4 behind one client do not.
SHARDS = 16


def make_client(cfg: Config) -> httpx.AsyncClient:
    from mosaic_hooks.core.http import backend_async_client
    from mosaic_hooks.gates.transport import ShardedTransport

    return backend_async_client(timeout=float(cfg.request_timeout), purpose="production gate",
                                transport=ShardedTransport(SHARDS, MAX_IN_FLIGHT // SHARDS))


def run_gates(cfg: Config, changes: ChangeSet, commit: str | None, outcome: WaitOutcome | None, *,
              repo: Repo | None = None, names: Sequence[str] | None = None,
              off: Mapping[str, str] | None = None) -> list[GateResult]:
    """Run the gates (all, or `names`) against `cfg.backend_url`; results in registry order.

    `off`: gates switched off ({name: why}, see gates.switches): reported as skipped with the reason."""
    return run_interruptibly(run_gates_async(cfg, changes, commit, outcome, repo=repo, names=names, off=off))


def run_interruptibly(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run`, with Ctrl-C handled the way Python 3.11's does it on every version: the signal cancels
    the main task (its `finally` blocks close the client), then KeyboardInterrupt is raised here. On 3.10,
    `asyncio.run` let it escape from inside whichever task was running, leaving a coroutine that printed a
    traceback at exit."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)  # as asyncio.run does: gather() below and the gates find this loop
    task = loop.create_task(main)
    interrupted = False

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        nonlocal interrupted
        if interrupted:  # a second Ctrl-C does not wait for the clean-up
            raise KeyboardInterrupt
        interrupted = True
        loop.call_soon_threadsafe(task.cancel)

    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, on_sigint) if in_main_thread else None
    try:
        try:
            result = loop.run_until_complete(task)
        except asyncio.CancelledError:
            if interrupted:
                raise KeyboardInterrupt from None
            raise
        if interrupted:
            raise KeyboardInterrupt
        return result
    finally:
        if in_main_thread:
            signal.signal(signal.SIGINT, signal.default_int_handler if previous is None else previous)
        try:
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for leftover in pending:
                leftover.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            asyncio.set_event_loop(None)
            loop.close()


async def run_gates_async(cfg: Config, changes: ChangeSet, commit: str | None, outcome: WaitOutcome | None, *,
                          repo: Repo | None = None, names: Sequence[str] | None = None,
                          client: httpx.AsyncClient | None = None,
                          off: Mapping[str, str] | None = None) -> list[GateResult]:
    base_url = cfg.backend_url
    if not base_url:
        raise ConfigError("backend_url is not set: the production checks need the service's URL",
                          hint="set BACKEND_URL or backend_url in [tool.mosaic]")
    specs = [spec for spec in GATES if names is None or spec.name in names]
    own_client = client is None
    http = make_client(cfg) if client is None else client
    deadline = time.monotonic() + float(cfg.gate_timeout)
    ctx = GateContext(cfg=cfg, changes=changes, commit=commit, outcome=outcome, client=http,
                      base_url=str(base_url).rstrip("/"), deadline=deadline, repo=repo, max_in_flight=MAX_IN_FLIGHT)
    try:
        tasks: dict[str, asyncio.Task[GateResult]] = {}
        for spec in specs:
            before = [tasks[name] for name in spec.waits_for if name in tasks]
            why = (off or {}).get(spec.name)
            tasks[spec.name] = asyncio.ensure_future(
                _run_one(ctx, spec, before) if why is None else _switched_off(spec, why))
        results = await asyncio.gather(*tasks.values())
    finally:
        await ctx.settle()
        if own_client:
            await http.aclose()
    return list(results)


# Meaningful whatever commit is serving; the others check this commit's changes, so they wait for its deploy.
WITHOUT_LIVE_DEPLOY = frozenset({"deploy", "health"})


def _not_deployed(ctx: GateContext, spec: GateSpec) -> GateResult | None:
    """Skip the checks of this commit's changes when the wait found its deploy not live."""
    outcome = ctx.outcome
    if outcome is None or outcome.state == "live" or spec.name in WITHOUT_LIVE_DEPLOY:
        return None
    return GateResult(spec.name, SKIPPED, f"not run: the deploy of {outcome.commit[:12]} is not live "
                                          f"({outcome.state}), production serves another commit")


async def _switched_off(spec: GateSpec, why: str) -> GateResult:
    return GateResult(spec.name, SKIPPED, why)


async def _run_one(ctx: GateContext, spec: GateSpec, before: list[asyncio.Task[GateResult]]) -> GateResult:
    if (not_run := _not_deployed(ctx, spec)) is not None:
        return not_run
    if before:
        await asyncio.wait(before, timeout=ctx.remaining())
    if spec.name not in WITHOUT_LIVE_DEPLOY and isinstance(stale := ctx.shared.get(STALE_KEY), str):
        return GateResult(spec.name, SKIPPED, f"not run: {stale}")  # one cause, one failure: the deploy's
    start = time.monotonic()
    module = importlib.import_module(spec.module)
    try:
        result: GateResult = await asyncio.wait_for(module.run(ctx), timeout=max(0.01, ctx.remaining()))
    except asyncio.TimeoutError:
        result = GateResult(spec.name, INCONCLUSIVE,
                            f"did not finish within gate_timeout ({float(ctx.cfg.gate_timeout):g} s)",
                            [f"{plural(len(ctx.exchanges), 'request')} sent in all before the time ran out"])
    except Exception as exc:  # a bug in a gate decides nothing: inconclusive, with what happened
        result = GateResult(spec.name, INCONCLUSIVE, f"the check failed to run: {type(exc).__name__}: {exc}",
                            ["internal error: rerun with MOSAIC_DEBUG=1 for the traceback"])
        import os

        if os.environ.get("MOSAIC_DEBUG"):
            raise
    if result.name != spec.name:
        result.name = spec.name
    result.duration_s = round(time.monotonic() - start, 3)
    return result

"""`mosaic-hooks demo [--keep] [--json]`: the whole flow, offline, in a temporary directory.

A small shop service in a git repository with a local bare remote, served on 127.0.0.1; the package's
Render fake; the real hooks (`mosaic-hooks install`), real `git push`es and the real `verify` and
`dora` commands. See `mosaic_hooks/demo/story.py` for the steps. Exit 0 only if every step went as
described (so the demo is also a self-test), 1 naming the step that did not, 130 on Ctrl-C; nothing
is left running either way.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

from mosaic_hooks.cli.output import write_line
from mosaic_hooks.core import exit_codes
from mosaic_hooks.core.errors import MosaicError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary directory (the repository, its history and the deploys)")
    parser.add_argument("--json", action="store_true", help="print the steps and their outcomes as JSON")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    from mosaic_hooks.demo.sandbox import DemoError, Sandbox
    from mosaic_hooks.demo.service import ShopService
    from mosaic_hooks.demo.story import SERVICE_ID, SERVICE_NAME, TIMELINE, Story
    from mosaic_hooks.testing.render_fake import RenderFake

    def say(line: str) -> None:
        if not args.json:
            write_line(line)

    started = time.monotonic()
    try:
        root = Path(tempfile.mkdtemp(prefix="mosaic-demo-")).resolve()
    except OSError as exc:
        raise MosaicError(f"cannot create a temporary directory: {exc.strerror} ({tempfile.gettempdir()})",
                          hint="set TMPDIR to a writable directory") from None
    in_main_thread = threading.current_thread() is threading.main_thread()
    if in_main_thread:  # `kill` is handled as Ctrl-C: clean up, exit 130
        previous_term = signal.signal(signal.SIGTERM, _interrupt)
    sandbox = Sandbox(root)
    fake = RenderFake()
    service = ShopService(sandbox)
    story: Story | None = None
    passed = False
    code = exit_codes.FAILED
    problem: str | None = None
    try:
        sandbox.prepare()
        fake.start()
        fake.add_service(SERVICE_ID, name=SERVICE_NAME, timeline=TIMELINE)
        sandbox.extra_env = {**fake.env(SERVICE_ID), "BACKEND_URL": service.url}
        say("mosaic-hooks demo: the whole flow, offline: a shop service on 127.0.0.1, a local Render fake,")
        say("the real hooks and the real commands.")
        say(f"  repository: {sandbox.repo} (remote {sandbox.remote})")
        story = Story(sandbox, service, fake, say)
        passed = story.play()
        code = exit_codes.PASSED if passed else exit_codes.FAILED
    except KeyboardInterrupt:
        code, problem = exit_codes.INTERRUPTED, "interrupted"
        if story is not None and story.current is not None and story.current.outcome == "not run":
            story.current.outcome = "interrupted"
    except (DemoError, OSError) as exc:
        code, problem = exit_codes.FAILED, f"the demo could not run: {exc}"
    finally:
        # A second Ctrl-C must not cut the clean-up short: nothing may be left running.
        if in_main_thread:
            previous_int = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            from mosaic_hooks.verification.background_jobs import Store

            Store(sandbox.repo / ".git").stop_running()  # a verification the pushes started, if interrupted
            service.stop()
            fake.close()
            if not args.keep:
                shutil.rmtree(root, ignore_errors=True)
        finally:
            if in_main_thread:
                signal.signal(signal.SIGINT, previous_int)
                signal.signal(signal.SIGTERM, previous_term)
    duration = round(time.monotonic() - started, 1)
    steps = story.steps if story is not None else []
    if args.json:
        failed = next((s for s in steps if s.outcome == "failed"), None)
        write_line(json.dumps({
            "passed": passed, "exit_code": code, "duration_s": duration,
            "problem": problem or (f"{failed.key}: {failed.problem}" if failed else None),
            "repository": str(sandbox.repo), "kept": bool(args.keep),
            "steps": [step.to_json() for step in steps],
        }, indent=2))
        return code
    say("")
    if code == exit_codes.INTERRUPTED:
        write_line("mosaic-hooks demo: interrupted; the service and the Render fake are stopped", sys.stderr)
    elif passed:
        say(f"Every step went as described ({duration:g} s).")
    else:
        failed = next((s for s in steps if s.outcome == "failed"), None)
        reason = problem or (f"{failed.title.split(':')[0]} did not go as described: {failed.problem}"
                             if failed else "unknown")
        write_line(f"mosaic-hooks demo: {reason}", sys.stderr)
    if args.keep:
        say(f"Kept: {root}")
        say(f"  cd {sandbox.repo} && git log --oneline && cat .mosaic/deployment_history.jsonl")
    else:
        say(f"Removed {root} (run with --keep to look around).")
    return code

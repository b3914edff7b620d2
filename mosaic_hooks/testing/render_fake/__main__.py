"""`python -m mosaic_hooks.testing.render_fake`: a fake to try a configuration against, offline."""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from mosaic_hooks.testing.render_fake.server import RenderFake


def _parse_timeline(text: str) -> list[tuple[str, float]]:
    steps = []
    for item in text.split(","):
        name, _, seconds = item.strip().partition(":")
        steps.append((name.strip(), float(seconds or 0)))
    return steps


def _branch_sha(repo: str, branch: str) -> str | None:
    proc = subprocess.run(["git", "-C", repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}"],
                          capture_output=True, text=True, timeout=10)
    return proc.stdout.strip() if proc.returncode == 0 else None


def _changed(repo: str, old: str | None, new: str) -> list[str]:
    """The paths a push from `old` to `new` changed (every file when the branch is new)."""
    args = ["diff", "--name-only", old, new] if old else ["ls-tree", "-r", "--name-only", new]
    out = subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True, timeout=10).stdout
    return [line for line in out.splitlines() if line]


def _watch(fake: RenderFake, service_id: str, repo: str, branch: str, stop: threading.Event,
           seen: str | None) -> None:
    """Push to the fake whenever `branch` moves in the git repository `repo` (a bare remote works).
    `seen` is the branch as it was when the fake started: not a new push."""
    while not stop.wait(0.2):
        sha = _branch_sha(repo, branch)
        if sha is None or sha == seen:
            continue
        changed = _changed(repo, seen, sha)
        seen = sha
        message = subprocess.run(["git", "-C", repo, "log", "-1", "--format=%B", sha], capture_output=True,
                                 text=True, timeout=10).stdout
        deploy_id = fake.push(sha, message, branch=branch, service_id=service_id, changed_paths=changed)
        print(f"push of {sha[:12]} -> {deploy_id or 'no deploy (skip phrase, build filter or auto-deploy off)'}",
              flush=True)


def _crash_after(fake: RenderFake, service_id: str, seconds: float) -> Callable[[dict[str, Any]], None]:
    def crash(deploy: dict[str, Any]) -> None:
        now = fake.clock.now()
        for offset in (seconds, seconds + 1):
            fake.crash(service_id, at=now + offset)
        print(f"deploy {deploy['id']} live; two out-of-memory crashes in {seconds:g} s", flush=True)
    return crash


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mosaic_hooks.testing.render_fake",
                                     description="Serve a fake Render API on 127.0.0.1 with one service.")
    parser.add_argument("--port", type=int, default=0, help="port (default: any free one)")
    parser.add_argument("--service", default="srv-fake", help="service id (default srv-fake)")
    parser.add_argument("--branch", default="main")
    parser.add_argument("--key", default=None, help="API key the fake accepts (default: a generated one)")
    parser.add_argument("--timeline", default="build_in_progress:5,update_in_progress:5,live",
                        help="deploy timeline, STATUS:SECONDS,... (default %(default)s)")
    parser.add_argument("--root-dir", default="", help="the service's rootDir (only changes under it deploy)")
    parser.add_argument("--build-path", action="append", default=[], metavar="GLOB", help="buildFilter.paths")
    parser.add_argument("--ignored-path", action="append", default=[], metavar="GLOB",
                        help="buildFilter.ignoredPaths")
    parser.add_argument("--image-path", help="an image-backed service (deploys have no commit)")
    parser.add_argument("--crash-after", type=float, metavar="SECONDS",
                        help="after each deploy goes live, two out-of-memory crashes, SECONDS and SECONDS+1 later")
    parser.add_argument("--watch-repo", metavar="PATH",
                        help="create a deploy whenever the branch moves in this git repository (e.g. a bare remote)")
    args = parser.parse_args(argv)
    fake = RenderFake(args.key, port=args.port)
    fake.start()
    fake.add_service(args.service, branch=args.branch, timeline=_parse_timeline(args.timeline),
                     root_dir=args.root_dir, build_paths=args.build_path, ignored_paths=args.ignored_path,
                     image_path=args.image_path,
                     on_live=_crash_after(fake, args.service, args.crash_after) if args.crash_after else None)
    stop = threading.Event()
    if args.watch_repo:
        initial = _branch_sha(args.watch_repo, args.branch)
        threading.Thread(target=_watch, args=(fake, args.service, args.watch_repo, args.branch, stop, initial),
                         daemon=True).start()
    key_shown = fake.api_key if args.key is None else "<the key you passed>"
    print(f"Render fake: service {args.service} (branch {args.branch}) at {fake.api_url}\n"
          f"  export MOSAIC_RENDER_API_URL={fake.api_url}\n"
          f"  export RENDER_SERVICE_ID={args.service}\n"
          f"  export RENDER_API_KEY={key_shown}\n"
          f"Create a deploy: curl -X POST -H \"Authorization: Bearer $RENDER_API_KEY\" -d '{{\"commitId\": \"SHA\"}}' "
          f"{fake.api_url}/services/{args.service}/deploys\n"
          "Ctrl-C stops.", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    finally:
        stop.set()
        fake.close()


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark of `wait_for_deploy` against the Render fake (127.0.0.1 only).

Prints two figures the issue asks for:
1. the time from a deploy turning `live` to the waiter noticing it, against the polling interval
   (it must be at most one interval);
2. API requests per minute during a long wait, measured at a short interval and scaled to the
   default 10 s interval (target: under 12 a minute; Render allows 400 GET a minute), next to a
   baseline measured in the same run: a naive waiter that re-lists the deploys every poll.

    python scripts/bench_wait.py [--interval 0.2] [--runs 8] [--polls 100]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mosaic_hooks.core import config, git
from mosaic_hooks.core.isotime import parse as parse_time
from mosaic_hooks.render.api import RenderAPI
from mosaic_hooks.render.wait import wait_for_deploy
from mosaic_hooks.testing.render_fake import RenderFake

DEFAULT_INTERVAL = 10.0


def make_repo(root: Path) -> tuple[git.Repo, str]:
    env = ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", *env, "-C", str(root), "commit", "-q", "--allow-empty", "-m", "bench"], check=True)
    sha = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                         check=True).stdout.strip()
    return git.find_repo(root), sha


def cfg_for(root: Path, fake: RenderFake, service: str, interval: float) -> config.Config:
    (root / ".mosaic").mkdir(exist_ok=True)
    (root / ".mosaic" / "config.toml").write_text(f"poll_interval = {interval}\nrequest_timeout = 5\n")
    return config.load(root, env=fake.env(service))


def notice_latency(fake: RenderFake, root: Path, repo: git.Repo, sha: str, interval: float, runs: int) -> list[float]:
    latencies = []
    for run in range(runs):
        service = f"srv-latency-{run}"
        # live at an offset that lands anywhere inside a polling interval
        build = 3 * interval + interval * run / runs
        fake.add_service(service, timeline=[("build_in_progress", build), ("live", 0)])
        deploy_id = fake.push(sha, "bench", service_id=service)
        seen: list[float] = []

        def on_status(_deploy_id: str | None, status: str, _elapsed: float, seen: list[float] = seen) -> None:
            if status == "live" and not seen:
                seen.append(time.time())

        outcome = wait_for_deploy(cfg_for(root, fake, service, interval), sha, repo=repo, timeout=60,
                                  on_status=on_status)
        assert outcome.state == "live" and seen, outcome.reason
        noticed = seen[0]
        went_live = parse_time(fake.deploy(str(deploy_id))["finishedAt"])
        assert went_live is not None
        latencies.append(noticed - went_live.timestamp())
    return latencies


def long_wait(fake: RenderFake, root: Path, repo: git.Repo, sha: str, interval: float, polls: int) -> tuple[int, float]:
    service = "srv-long"
    fake.add_service(service, timeline=[("build_in_progress", polls * interval), ("live", 0)])
    fake.push(sha, "bench", service_id=service)
    outcome = wait_for_deploy(cfg_for(root, fake, service, interval), sha, repo=repo, timeout=polls * interval * 3)
    assert outcome.state == "live", outcome.reason
    return outcome.requests, outcome.elapsed_s


def naive_wait(fake: RenderFake, interval: float, polls: int, sha: str) -> tuple[int, float]:
    """Baseline: re-list the deploys (limit 100, all pages) every poll until ours is live."""
    service = "srv-naive"
    fake.add_service(service, timeline=[("build_in_progress", polls * interval), ("live", 0)])
    for i in range(150):  # a service with some history
        fake.add_deploy(f"{i:040x}", "deactivated", service_id=service, created_ago=10_000 - i)
    fake.push(sha, "bench", service_id=service)
    api = RenderAPI(fake.api_url, fake.api_key)
    started = time.monotonic()
    while True:
        deploys = api.list_deploys(service)
        if any(d["commit"] and d["commit"]["id"] == sha and d["status"] == "live" for d in deploys):
            break
        time.sleep(interval)
    return api.requests, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--interval", type=float, default=0.2, help="polling interval used in the run (s)")
    parser.add_argument("--runs", type=int, default=8, help="deploys timed for the notice latency")
    parser.add_argument("--polls", type=int, default=100, help="polling intervals in the long wait")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, RenderFake() as fake:
        root = Path(tmp)
        repo, sha = make_repo(root)
        interval = args.interval
        latencies = notice_latency(fake, root, repo, sha, interval, args.runs)
        print(f"live -> noticed, polling every {interval:g}s, {len(latencies)} deploys:")
        print(f"  median {statistics.median(latencies):.3f}s, max {max(latencies):.3f}s "
              f"= {max(latencies) / interval:.2f} of one interval (must be <= 1 plus request time)")

        requests, elapsed = long_wait(fake, root, repo, sha, interval, args.polls)
        per_interval = requests / (elapsed / interval)
        per_minute = per_interval * 60 / DEFAULT_INTERVAL
        naive_requests, naive_elapsed = naive_wait(fake, interval, args.polls, sha)
        naive_per_minute = naive_requests / (naive_elapsed / interval) * 60 / DEFAULT_INTERVAL
        print(f"long wait: {requests} requests in {elapsed:.1f}s at {interval:g}s "
              f"({elapsed / interval:.0f} intervals) = {per_interval:.2f} requests per interval")
        print(f"  scaled to the default {DEFAULT_INTERVAL:g}s interval: {per_minute:.1f} requests/min "
              f"(target < 12; Render's GET limit 400)")
        print(f"  baseline, re-listing all deploys every poll: {naive_per_minute:.1f} requests/min "
              f"-> the waiter uses {per_minute / naive_per_minute:.2f}x the baseline's requests")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: history lines to DORA metrics (read + parse + compute + the JSON document).

Targets (issue 15): at most the time the standard library needs just to `json.loads` every line (the
"floor", measured in the same run on the same file), and at most 200 MB peak memory, for 1M lines.
(Issue 6's 100,000 lines in at most 1 s is shown too.)

Each measurement runs in a fresh child process, so the peak memory (ru_maxrss) is that of the metrics
alone, and one run's garbage does not burden the next. Times are CPU seconds of that process (other load
on a shared machine disturbs them less than the wall clock; the wall clock is printed too). Every record
lies in the period, so every line is parsed, converted and counted; 8 % of the deploys failed. The
metrics and the floor take turns, `--repeat` times each, and the best of each is reported.

    python scripts/bench_dora.py [--sizes 100000,1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mosaic_hooks.core import git, isotime
from mosaic_hooks.gates.result import GateResult
from mosaic_hooks.records import dora_files, history
from mosaic_hooks.render.outcome import WaitOutcome
from mosaic_hooks.verification.model import Verification
from mosaic_hooks.verification.verdict import decide
from mosaic_hooks.verification.verify import build_record

START = 1_700_000_000.0  # 2023-11-14
STEP = 600.0  # one deploy every 10 minutes
GATES = [  # (name, summary) as a verification with the Render API writes them
    ("deploy", "deploy {deploy} of {short} is live"),
    ("health", "GET /health 200; P50 {p50} ms, P95 {p95} ms, max {p95} ms over 20 samples, limit 500 ms"),
    ("endpoints", "the added endpoint answers"),
    ("contract", "no OpenAPI document at /openapi.json (answered 404)"),
    ("errors", "no added endpoint takes input"),
    ("dependencies", "no requirement added or changed in the range"),
    ("migrations", "no migrations in the repository"),
    ("monitoring", "/metrics exposes valid metrics"),
]


def write_history(path: Path, lines: int, seed: int = 1) -> None:
    """Records as `mosaic-hooks verify` writes them (verify.build_record, history.encode; ~1.5 kB: 1-3
    commits, 8 gates, Render's millisecond times): 8 % failed, 2 % inconclusive, 4 services."""
    rng = random.Random(seed)
    services = ["srv-api", "srv-api", "srv-api", "srv-worker"]
    with path.open("wb") as handle:
        for i in range(lines):
            live = START + i * STEP + rng.random() * 60
            roll = rng.random()
            failed, undecided = roll < 0.08, 0.08 <= roll < 0.10
            commits = [git.Commit(f"{rng.getrandbits(160):040x}", "", int(live - rng.expovariate(1 / 20000)),
                                  int(live - rng.expovariate(1 / 40000))) for _ in range(rng.randint(1, 3))]
            sha, deploy_id = commits[-1].sha, f"dep-{rng.getrandbits(100):020x}"
            results = []
            for name, summary in GATES:
                status = ("failed" if failed and name == "health" else
                          "inconclusive" if undecided and name == "monitoring" else "passed")
                text = summary.format(deploy=deploy_id, short=sha[:12], p50=rng.randint(5, 40),
                                      p95=rng.randint(40, 400))
                results.append(GateResult(name, status, text, evidence=[text]))  # type: ignore[arg-type]
            outcome = WaitOutcome("live", sha, "live", deploy={
                "id": deploy_id, "createdAt": isotime.iso_millis(live - 240), "finishedAt": isotime.iso_millis(live)})
            run = Verification(
                commit=sha, base=f"{rng.getrandbits(160):040x}", verdict=decide(results), results=results,
                outcome=outcome, changes=None, started_at=isotime.iso(live + 30), finished_at=isotime.iso(live + 90),
                duration_s=round(rng.uniform(20, 200), 3), service=rng.choice(services),
                remediation=not failed and rng.random() < 0.05, kind="push")
            handle.write(history.encode(history.identified(build_record(run, commits))))


def _child(kind: str, path: Path) -> None:
    """Measure once, in this fresh process; print {"wall", "cpu", "peak_mb", "deploys"} as JSON."""
    began, began_cpu = time.perf_counter(), time.process_time()
    deploys = None
    if kind == "floor":
        with path.open("rb") as handle:
            for line in handle:
                json.loads(line)
    else:
        end = START + 30 * 365 * 86400  # a period that holds every record
        _report, doc, warnings = dora_files.metrics_for(path, start=START - 86400, end=end)
        assert not warnings, warnings[:3]
        deploys = doc["deployment_frequency"]["total_deployments"]
    wall, cpu = time.perf_counter() - began, time.process_time() - began_cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"wall": wall, "cpu": cpu, "peak_mb": peak_mb, "deploys": deploys}))


def measure(kind: str, path: Path) -> dict[str, float]:
    proc = subprocess.run([sys.executable, __file__, "--child", kind, str(path)], capture_output=True, text=True,
                          check=True)
    result: dict[str, float] = json.loads(proc.stdout)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs per size, the metrics and the floor taking turns; the best of each is reported")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], Path(args.child[1]))
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"{'lines':>9} {'file MB':>8} {'cpu s':>7} {'wall s':>7} {'floor cpu s':>12} {'floor wall s':>13} "
          f"{'ratio':>6} {'peak MB':>8}")
    verdicts = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            path = Path(tmp) / history.HISTORY_FILE
            write_history(path, size)
            # taking turns, so a noisy spell of a shared machine burdens both sides alike
            metrics, floors = [], []
            for _ in range(max(1, args.repeat)):
                metrics.append(measure("metrics", path))
                floors.append(measure("floor", path))
            assert all(m["deploys"] == size for m in metrics), (metrics, size)
            cpu, wall = min(m["cpu"] for m in metrics), min(m["wall"] for m in metrics)
            floor_cpu, floor_wall = min(f["cpu"] for f in floors), min(f["wall"] for f in floors)
            peak = max(m["peak_mb"] for m in metrics)
            ratio = cpu / floor_cpu
            print(f"{size:>9} {path.stat().st_size / 1e6:>8.1f} {cpu:>7.2f} {wall:>7.2f} {floor_cpu:>12.2f} "
                  f"{floor_wall:>13.2f} {ratio:>6.2f} {peak:>8.0f}")
            verdicts.append((size, ratio, peak, cpu))
            path.unlink()
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    for size, ratio, peak, cpu in verdicts:
        time_ok, memory_ok = ratio <= 1.0, peak <= 200
        print(f"{size:,} lines: {ratio:.2f}x the json.loads floor ({'met' if time_ok else 'NOT met'}: <= 1), "
              f"peak {peak:.0f} MB ({'met' if memory_ok else 'NOT met'}: <= 200 MB)"
              + (f"; {cpu:.2f} s CPU for issue 6's 100,000 lines in <= 1 s" if size == 100_000 else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

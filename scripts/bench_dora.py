"""Benchmark: history lines to DORA metrics (read + parse + compute + the JSON document).

Targets (issue 15): at most the time the standard library needs just to `json.loads` every line (the
"floor", measured in the same run on the same file), and at most 200 MB peak memory, for 1M lines.
(Issue 6's 100,000 lines in at most 1 s is shown too.)

Each measurement runs in a fresh child process, so the peak memory (ru_maxrss) is that of the metrics
alone, and one run's garbage does not burden the next. Times are CPU seconds of that process (other load
on a shared machine disturbs them less than the wall clock; the wall clock is printed too). Every record
lies in the period, so every line is parsed, converted and counted; 8 % of the deploys failed.

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

from mosaic_hooks.core import isotime
from mosaic_hooks.records import dora_files, history

START = 1_700_000_000.0  # 2023-11-14
STEP = 600.0  # one deploy every 10 minutes
GATES = ["health", "latency", "new_endpoints", "contract", "invalid_input", "dependencies", "migrations",
         "metrics", "crash_loop"]


def write_history(path: Path, lines: int, seed: int = 1) -> None:
    """Realistic records (~1.2 kB: 1-3 commits, 9 gates), written the way `history.append` encodes them."""
    rng = random.Random(seed)
    services = ["api", "api", "api", "worker"]
    with path.open("w", encoding="utf-8") as handle:
        for i in range(lines):
            live = START + i * STEP + rng.random() * 60
            roll = rng.random()
            verdict = "fail" if roll < 0.08 else "inconclusive" if roll < 0.10 else "pass"
            commits = [{"sha": f"{rng.getrandbits(160):040x}",
                        "committed_at": isotime.iso(live - rng.expovariate(1 / 20000)),
                        "authored_at": isotime.iso(live - rng.expovariate(1 / 40000))}
                       for _ in range(rng.randint(1, 3))]
            rec = {
                "schema": 1, "timestamp": isotime.iso(live + 90), "commit": commits[-1]["sha"],
                "base": f"{rng.getrandbits(160):040x}", "success": verdict == "pass", "verdict": verdict,
                "failure_reason": "health: 503 Service Unavailable" if verdict == "fail" else None,
                "service": rng.choice(services), "deploy_id": f"dep-{i:08d}",
                "deploy_created_at": isotime.iso(live - 240), "deploy_live_at": isotime.iso(live),
                "commits": commits, "remediation": verdict == "pass" and rng.random() < 0.05,
                "gates": [{"name": g, "status": "failed" if verdict == "fail" and g == "health" else "passed",
                           "summary": f"{g}: ok in {rng.randint(5, 400)} ms"} for g in GATES],
                "duration_s": round(rng.uniform(20, 200), 1),
            }
            handle.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")


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
    parser.add_argument("--repeat", type=int, default=3, help="runs per size (1M lines: 1); the best is reported")
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
            runs = max(1, args.repeat if size <= 100_000 else 1)
            metrics = [measure("metrics", path) for _ in range(runs)]
            floors = [measure("floor", path) for _ in range(runs)]
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

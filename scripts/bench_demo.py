"""How long does `mosaic-hooks demo` take, and where does the time go?

Runs the demo N times (`--json`, each in its own temporary directory) and prints the median of each
step and of the whole run, as a fraction of the 30 s budget the README promises; for scale, the median
start-up of `python -m mosaic_hooks --version` measured in the same run (the demo's hooks and commands
are such interpreters, each doing real work). Nothing here touches the network.

    python scripts/bench_demo.py [-n 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUDGET_S = 30.0


def env() -> dict[str, str]:
    inherited = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT), *([inherited] if inherited else [])])}


def startup() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mosaic_hooks", "--version"], env=env(), check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=3, help="demo runs (default 3)")
    args = parser.parse_args()
    totals: list[float] = []
    steps: dict[str, list[float]] = {}
    starts: list[float] = []
    for _ in range(args.n):
        starts.extend(startup() for _ in range(3))
        began = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "mosaic_hooks", "demo", "--json"], env=env(),
                              capture_output=True, text=True, timeout=300)
        totals.append(time.perf_counter() - began)
        report = json.loads(proc.stdout)
        if proc.returncode != 0:
            print(f"demo failed: {report['problem']}")
            return 1
        for step in report["steps"]:
            steps.setdefault(step["step"], []).append(step["duration_s"])
    total = statistics.median(totals)
    start = statistics.median(starts)
    print(f"mosaic-hooks demo, median of {args.n} runs: {total:.1f} s = {total / BUDGET_S:.2f} of the "
          f"{BUDGET_S:g} s budget")
    for name, values in steps.items():
        print(f"  {name:<14} {statistics.median(values):5.1f} s")
    print(f"  for scale: one `python -m mosaic_hooks --version` start-up {start * 1000:.0f} ms; "
          f"the demo = {total / start:.0f} such start-ups")
    return 0


if __name__ == "__main__":
    sys.exit(main())

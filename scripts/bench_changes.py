"""Benchmark of the change detection on a generated repository (real git).

The repository holds 2,000 FastAPI routers (`app/routers/rNNNN.py`, each an `APIRouter(prefix=...)`),
all included by `app/main.py`. For 250 / 500 / 1,000 / 2,000 files, a commit edits that many routers
(a new route and a new import in each) plus requirements.txt and adds an Alembic revision; we time
`analyze(base, head)` and the whole local check (`check_change`, which adds the import check), and
print the time per changed file and the growth (time ratio / file-count ratio against the smallest
diff: 1.0 is linear, below 1 is better than linear). A bare
`git diff --name-only` of the same range is the baseline measured in the same run.

Then a commit touching no relevant file (docs, static assets): it must cost no parsing at all, so we
count `ast.parse` / TOML parses and blob reads, and compare its time with the bare `git diff`.

Run: python scripts/bench_changes.py [--sizes 250,500,1000,2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mosaic_hooks.core import config
from mosaic_hooks.core import git as mgit
from mosaic_hooks.detect import analyze as analyze_module
from mosaic_hooks.detect.analyze import analyze_full
from mosaic_hooks.hooks.local_checks import check_change

ROUTERS = 2000
ENV = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
       "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid",
       "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env=ENV, check=True, capture_output=True,
                          text=True).stdout.strip()


def router(index: int, *, extra: bool) -> str:
    name = f"r{index:04d}"
    text = (
        "from fastapi import APIRouter, HTTPException\n"
        + ("import httpx\n" if extra else "")
        + f"\nrouter = APIRouter(prefix=\"/{name}\", tags=[\"{name}\"])\n\n\n"
        "@router.get(\"/items/{item_id}\")\n"
        "async def read_item(item_id: int) -> dict[str, int]:\n"
        "    if item_id < 0:\n        raise HTTPException(status_code=404)\n"
        "    return {\"item_id\": item_id}\n\n\n"
        "@router.post(\"/items\")\n"
        "async def create_item(payload: dict[str, str]) -> dict[str, str]:\n"
        "    return payload\n"
    )
    if extra:
        text += ("\n\n@router.get(\"/status\")\n"
                 "async def status() -> dict[str, str]:\n"
                 "    async with httpx.AsyncClient(timeout=1) as client:\n"
                 "        return {\"client\": str(client)}\n")
    return text


def write(root: Path, path: str, text: str) -> None:
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)


def build(root: Path, sizes: list[int]) -> tuple[str, dict[int, str], str]:
    """The base commit, a head commit per size (a branch each), and a commit touching nothing relevant."""
    git(root, "init", "-q", "-b", "main")
    write(root, "requirements.txt", "fastapi>=0.110\nuvicorn\n")
    write(root, "alembic.ini", "[alembic]\nscript_location = db\n")
    write(root, "db/versions/0001_init.py", "revision = '0001'\ndown_revision = None\n")
    write(root, "app/__init__.py", "")
    write(root, "app/routers/__init__.py", "")
    imports = "".join(f"from app.routers import r{i:04d}\n" for i in range(ROUTERS))
    includes = "".join(f"app.include_router(r{i:04d}.router, prefix=\"/api/v1\")\n" for i in range(ROUTERS))
    write(root, "app/main.py", f"from fastapi import FastAPI\n\n{imports}\napp = FastAPI()\n{includes}")
    for i in range(ROUTERS):
        write(root, f"app/routers/r{i:04d}.py", router(i, extra=False))
    write(root, "README.md", "# generated\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    base = git(root, "rev-parse", "HEAD")
    heads = {}
    for size in sizes:
        git(root, "checkout", "-q", "-B", f"size-{size}", base)
        for i in range(size):
            write(root, f"app/routers/r{i:04d}.py", router(i, extra=True))
        write(root, "requirements.txt", "fastapi>=0.115\nuvicorn\nhttpx>=0.27\n")
        write(root, "db/versions/0002_more.py", "revision = '0002'\ndown_revision = '0001'\n")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", f"touch {size} routers")
        heads[size] = git(root, "rev-parse", "HEAD")
    git(root, "checkout", "-q", "-B", "docs", base)
    write(root, "README.md", "# generated\n\nMore documentation.\n")
    write(root, "docs/guide.md", "A guide.\n")
    write(root, "static/site.css", "body { margin: 0 }\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "docs only")
    return base, heads, git(root, "rev-parse", "HEAD")


def best(repeat: int, action: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


class Counter:
    """Counts calls of the parsers while installed (ast.parse, tomllib.loads) and blob reads."""

    def __init__(self) -> None:
        self.calls = {"ast.parse": 0, "tomllib.loads": 0, "git cat-file": 0}

    @contextlib.contextmanager
    def installed(self) -> Any:
        import tomllib

        from mosaic_hooks.detect.requirements import pyproject as pyproject_module

        originals = (ast.parse, tomllib.loads, mgit.read_files, mgit.read_blobs)

        def counting(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                self.calls[name] += 1
                return function(*args, **kwargs)
            return wrapper

        ast.parse = counting("ast.parse", originals[0])  # type: ignore[assignment]
        tomllib.loads = counting("tomllib.loads", originals[1])  # type: ignore[assignment]
        pyproject_module.tomllib.loads = tomllib.loads  # type: ignore[attr-defined]
        mgit.read_files = counting("git cat-file", originals[2])  # type: ignore[assignment]
        mgit.read_blobs = counting("git cat-file", originals[3])  # type: ignore[assignment]
        try:
            yield self
        finally:
            ast.parse, tomllib.loads, mgit.read_files, mgit.read_blobs = originals  # type: ignore[assignment]
            pyproject_module.tomllib.loads = originals[1]  # type: ignore[attr-defined]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="250,500,1000,2000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    endpoints = "present" if _has_endpoints() else "ABSENT (analyze covers requirements and migrations only)"
    print(f"endpoint extraction module: {endpoints}")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (times are only comparable "
          "within one run)")
    with tempfile.TemporaryDirectory(prefix="mosaic-bench-") as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        base, heads, docs_head = build(root, sizes)
        print(f"generated {ROUTERS} routers and {len(sizes)} head commits in {time.perf_counter() - start:.1f} s")
        repo = mgit.find_repo(root)
        cfg = config.load(None)
        print()
        print(f"{'files':>6} {'git diff':>9} {'analyze':>9} {'per file':>9} {'growth':>7} {'check':>9} "
              f"{'per file':>9} {'parses':>7}  found")
        first: tuple[int, float] | None = None
        for size in sizes:
            head = heads[size]
            diff_s = best(args.repeat, lambda h=head: mgit.changed_paths(repo, base, h))  # type: ignore[misc]
            paths = mgit.changed_paths(repo, base, head)
            analyze_s = best(args.repeat, lambda h=head, p=paths: analyze_full(repo, base, h, paths=p))  # type: ignore[misc]
            def local_check(h: str = head, p: list[str] = paths) -> int:
                with contextlib.redirect_stdout(io.StringIO()):
                    return check_change(repo, cfg, base=base, head=h, paths=p)

            check_s = best(args.repeat, local_check)
            counter = Counter()
            with counter.installed():
                analysis = analyze_full(repo, base, head, paths=paths)
                code = local_check()
            changes = analysis.changeset
            found = (f"+{len(changes.endpoints.added)} endpoints, +{len(changes.requirements.added)}"
                     f"/~{len(changes.requirements.changed)} requirements, +{len(changes.migrations.added)} "
                     f"migrations; check exit {code}")
            py = sum(1 for p in paths if p.endswith(".py"))
            first = first or (py, analyze_s)
            # growth: how much longer than the smallest diff, per how many times more files (1.0 = linear)
            growth = (analyze_s / first[1]) / (py / first[0])
            print(f"{py:>6} {diff_s * 1000:>7.0f}ms {analyze_s * 1000:>7.0f}ms {analyze_s / py * 1e6:>7.0f}µs "
                  f"{growth:>7.2f} {check_s * 1000:>7.0f}ms {check_s / py * 1e6:>7.0f}µs "
                  f"{counter.calls['ast.parse']:>7}  {found}")
        print()
        docs_paths = mgit.changed_paths(repo, base, docs_head)
        diff_s = best(args.repeat * 3, lambda: mgit.changed_paths(repo, base, docs_head))
        counter = Counter()
        with counter.installed():
            analysis = analyze_full(repo, base, docs_head)
            with contextlib.redirect_stdout(io.StringIO()):
                code = check_change(repo, cfg, base=base, head=docs_head, paths=docs_paths)
        analyze_s = best(args.repeat * 3, lambda: analyze_full(repo, base, docs_head))
        only_s = best(args.repeat * 3, lambda: analyze_full(repo, base, docs_head, paths=docs_paths))
        print(f"commit touching no relevant file ({', '.join(docs_paths)}):")
        print(f"  parses: ast.parse {counter.calls['ast.parse']}, TOML {counter.calls['tomllib.loads']}; "
              f"blob reads (git cat-file): {counter.calls['git cat-file']}; snapshot reads "
              f"{analysis.base.reads + analysis.head.reads}; check exit {code}")
        print(f"  bare git diff {diff_s * 1000:.1f} ms; analyze (incl. its git diff) {analyze_s * 1000:.1f} ms "
              f"= {analyze_s / diff_s:.2f}x the bare diff; analyze given the paths {only_s * 1e6:.0f} µs")
    return 0


def _has_endpoints() -> bool:
    import importlib.util

    return importlib.util.find_spec(f"{analyze_module.__package__}.endpoints") is not None


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: endpoint_changes on a generated FastAPI project whose diff touches N router files.

Prints, for N = 250, 500, 1000, 2000: the time of endpoint_changes (both revisions analysed), the time
of merely parsing the changed files at both revisions with ast.parse (the baseline, measured in the
same run), their ratio, and the time per changed file (flat = linear growth).

    python scripts/bench_endpoints.py [--sizes 250,500,1000,2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mosaic_hooks.core import git
from mosaic_hooks.detect.endpoints import endpoint_changes
from mosaic_hooks.detect.snapshot import DictSnapshot, GitSnapshot, Snapshot

ROUTER = '''from typing import Any

from fastapi import APIRouter, Depends, HTTPException

from app.core.config import settings
from app.deps import get_session
from app.models import Item{n}, Item{n}Create

router = APIRouter(prefix="/r{n}", tags=["r{n}"])


@router.get("/", response_model=list[Item{n}])
def list_items_{n}(session: Any = Depends(get_session), skip: int = 0, limit: int = 100) -> Any:
    return session.query(Item{n}).offset(skip).limit(limit).all()


@router.get("/{{item_id}}", response_model=Item{n})
def read_item_{n}(item_id: int, session: Any = Depends(get_session)) -> Any:
    item = session.get(Item{n}, item_id)
    if item is None:
        raise HTTPException(status_code=404, detail="not found")
    return item
'''
EXTRA = '''

@router.post("/", response_model=Item{n}, status_code=201)
def create_item_{n}(body: Item{n}Create, session: Any = Depends(get_session)) -> Any:
    return body
'''


def project(n: int, changed: bool) -> dict[str, str]:
    files = {
        "app/__init__.py": "",
        "app/core/__init__.py": "",
        "app/core/config.py": "class Settings:\n    API_V1_STR: str = '/api/v1'\n\n\nsettings = Settings()\n",
        "app/deps.py": "def get_session():\n    yield None\n",
        "app/models.py": "\n".join(f"class Item{i}: ...\nclass Item{i}Create: ..." for i in range(n)) + "\n",
        "app/routes/__init__.py": "",
    }
    for i in range(n):
        files[f"app/routes/r{i}.py"] = ROUTER.format(n=i) + (EXTRA.format(n=i) if changed else "")
    imports = "\n".join(f"from app.routes import r{i}" for i in range(n))
    includes = "\n".join(f"api_router.include_router(r{i}.router)" for i in range(n))
    files["app/api.py"] = f"from fastapi import APIRouter\n{imports}\n\napi_router = APIRouter()\n{includes}\n"
    files["app/main.py"] = (
        "from fastapi import FastAPI\n\nfrom app.api import api_router\nfrom app.core.config import settings\n\n"
        "app = FastAPI()\napp.include_router(api_router, prefix=settings.API_V1_STR)\n")
    return files


def _commit(root: Path, files: dict[str, str], message: str) -> str:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    env = ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", *env, "commit", "-q", "--no-verify", "-m", message], cwd=root, check=True)
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, check=True, capture_output=True,
                          text=True).stdout.strip()


def measure(n: int, repeat: int, use_git: bool) -> tuple[float, float, int]:
    base, head = project(n, False), project(n, True)
    with tempfile.TemporaryDirectory() as tmp:
        if use_git:
            root = Path(tmp)
            subprocess.run(["git", "init", "-q"], cwd=root, check=True)
            repo = git.find_repo(root)
            base_sha, head_sha = _commit(root, base, "base"), _commit(root, head, "head")
            changed = git.changed_paths(repo, base_sha, head_sha)
        else:
            changed = sorted(p for p in head if base.get(p) != head[p])
        best = best_parse = float("inf")
        added = 0
        for _ in range(repeat):
            base_snap: Snapshot = GitSnapshot(repo, base_sha) if use_git else DictSnapshot(base)
            head_snap: Snapshot = GitSnapshot(repo, head_sha) if use_git else DictSnapshot(head)
            start = time.perf_counter()
            result, _ = endpoint_changes(base_snap, head_snap, changed)
            best = min(best, time.perf_counter() - start)
            added = len(result.added)
            start = time.perf_counter()
            for path in changed:
                ast.parse(base[path])
                ast.parse(head[path])
            best_parse = min(best_parse, time.perf_counter() - start)
    assert added == n, f"expected {n} added endpoints, got {added}"
    return best, best_parse, len(changed)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="250,500,1000,2000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--git", action="store_true", help="commit both trees and read them through git")
    args = parser.parse_args()
    print("snapshots:", "git commits (cat-file)" if args.git else "in memory (DictSnapshot)")
    print(f"{'changed files':>14} {'endpoint_changes':>17} {'ast.parse only':>15} {'ratio':>6} {'per file':>10}")
    for n in (int(s) for s in args.sizes.split(",")):
        total, parse, files = measure(n, args.repeat, args.git)
        print(f"{files:>14} {total:>16.3f}s {parse:>14.3f}s {total / parse:>6.2f} {total / files * 1e3:>8.3f}ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

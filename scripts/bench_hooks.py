"""How cheap is the commit hook, next to `pre-commit run`'s floor, on small and large projects?

In one run this times, side by side (median of N, runs interleaved so machine noise hits both alike):

  mosaic      the pre-commit hook `mosaic-hooks install` wrote (.git/hooks/pre-commit), run as git runs it
  pre-commit  `pre-commit run` of one no-op `language: system` hook (`entry: true`) in the same repository,
              the framework's floor

for these cases, each in its own throw-away repository, and prints both medians and their ratio:

  nothing     a README change staged (target <= 0.35)
  small       a one-line change inside a function of an ordinary module of a small FastAPI project (<= 0.35)
  large       a large project, warm (its cache filled by one earlier commit): a one-line change inside a
              function of an ordinary module, and one inside a route handler (<= 0.5 each)

Each timed run stages a new edit first (untimed), so the staged side is never in the cache; only the
committed side is, as after a real earlier commit. The large project is generated (about 700 modules
and a 650 KB OpenAPI YAML under docs/) unless --large names a checkout whose files are copied instead
(e.g. Netflix/dispatch). --package runs another copy of mosaic_hooks (e.g. an older checkout) for a
before/after comparison. With --commit it also times whole `git commit`s of the README change.
Nothing here touches the network.

    python scripts/bench_hooks.py [-n 30] [--large PATH] [--package DIR] [--only nothing,small,large] [--commit]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.35  # nothing relevant, and a small project
LARGE_TARGET = 0.5  # a large project, warm

PRE_COMMIT_CONFIG = """\
repos:
  - repo: local
    hooks:
      - id: noop
        name: no-op
        entry: "true"
        language: system
        always_run: true
        pass_filenames: false
"""


def installed_copy(dest: Path, package: Path) -> Path:
    """The package as pip would install it: its own directory, bytecode compiled.

    (Run from a checkout with PYTHONDONTWRITEBYTECODE set, every start would compile our modules
    again, which no installed copy does.)
    """
    site = dest / "site"
    shutil.copytree(package, site / "mosaic_hooks",
                    ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(site)], check=True, stdout=subprocess.DEVNULL,
                   env={**os.environ, "PYTHONDONTWRITEBYTECODE": ""})
    return site


def isolated_env(home: Path, site: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("GIT_", "MOSAIC_", "PRE_COMMIT")) and key not in ("SKIP",)}
    gitconfig = home / ".gitconfig"
    gitconfig.write_text("[init]\n\tdefaultBranch = main\n[user]\n\tname = Bench\n\temail = bench@example.invalid\n")
    env.update(HOME=str(home), GIT_CONFIG_GLOBAL=str(gitconfig), GIT_CONFIG_NOSYSTEM="1", GIT_TEMPLATE_DIR="",
               PYTHONPATH=str(site), PRE_COMMIT_HOME=str(home / "pre-commit-home"))
    return env


def run(argv: list[str], cwd: Path, env: dict[str, str]) -> None:
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise SystemExit(f"bench: {' '.join(argv)} failed ({proc.returncode}): {proc.stdout}{proc.stderr}")


def timed(fn: Callable[[], None]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def timed_both(fn: Callable[[], None]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the processes it ran): CPU does not count the waits a loaded
    machine adds, so its ratio is the steadier one when other work shares the cores."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = timed(fn)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def pre_commit_executable() -> list[str]:
    found = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which("pre-commit")
    return [found] if found else [sys.executable, "-m", "pre_commit"]


# ----------------------------------------------------------------------------- projects

SMALL_FILES = {
    "app/__init__.py": "",
    "app/main.py": "from fastapi import FastAPI\nfrom app.routes import router\n\napp = FastAPI()\n"
                   "app.include_router(router)\n",
    "app/routes.py": "from fastapi import APIRouter\nfrom app import services\n\n"
                     "router = APIRouter(prefix='/items')\n\n\n"
                     "@router.get('')\ndef list_items():\n    return services.all_items()\n",
    "app/services.py": "def all_items():\n    items = []\n    return items\n\n\ndef total(items):\n"
                       "    return sum(items)\n",
    "requirements.txt": "fastapi\n",
}


def large_files(modules: int = 700, routers: int = 60) -> dict[str, str]:
    """A FastAPI application of `modules` modules, `routers` of them routers of 10 routes each, included
    by one api module, and a committed OpenAPI YAML of about 650 KB under docs/."""
    files = {"bigapp/__init__.py": "", "bigapp/config.py": "API_PREFIX = '/api/v1'\nDEBUG = False\n"}
    ordinary = modules - routers - 3
    for i in range(ordinary):
        files[f"bigapp/lib/mod{i:03d}.py"] = (
            "from bigapp.config import DEBUG\n\n\n"
            + "".join(f"def helper_{i}_{j}(value):\n    if DEBUG:\n        print(value)\n    result = value * {j}\n"
                      f"    return result\n\n\n" for j in range(8))
            + f"class Model{i}:\n    name = 'model{i}'\n\n    def describe(self):\n        return self.name\n")
    files["bigapp/lib/__init__.py"] = ""
    files["bigapp/routers/__init__.py"] = ""
    includes = []
    for r in range(routers):
        body = (f"from fastapi import APIRouter\nfrom bigapp.lib import mod{r:03d}\n\n"
                f"router = APIRouter(prefix='/thing{r}', tags=['thing{r}'])\n\n\n")
        for k in range(10):
            method = ("get", "post", "put", "delete", "patch")[k % 5]
            body += (f"@router.{method}('/item{k}/{{item_id}}')\ndef handle_{r}_{k}(item_id: int):\n"
                     f"    value = mod{r:03d}.helper_{r}_{k % 8}(item_id)\n    return {{'value': value}}\n\n\n")
        files[f"bigapp/routers/r{r:02d}.py"] = body
        includes.append(f"from bigapp.routers.r{r:02d} import router as r{r:02d}\n")
    files["bigapp/api.py"] = ("from fastapi import APIRouter\n" + "".join(includes)
                              + "\napi_router = APIRouter()\n"
                              + "".join(f"api_router.include_router(r{r:02d})\n" for r in range(routers)))
    files["bigapp/main.py"] = ("from fastapi import FastAPI\nfrom bigapp.api import api_router\n"
                               "from bigapp.config import API_PREFIX\n\napp = FastAPI()\n"
                               "app.include_router(api_router, prefix=API_PREFIX)\n")
    spec = ["openapi: 3.0.2\ninfo:\n  title: bigapp\n  version: 0.1.0\npaths:\n"]
    for r in range(routers):
        for k in range(10):
            method = ("get", "post", "put", "delete", "patch")[k % 5]
            spec.append(f"  /api/v1/thing{r}/item{k}/{{item_id}}:\n    {method}:\n      tags:\n      - thing{r}\n"
                        f"      summary: Handle {r} {k}\n      operationId: handle_{r}_{k}\n      parameters:\n"
                        "      - required: true\n        schema:\n          title: Item Id\n          type: integer\n"
                        "        name: item_id\n        in: path\n      responses:\n        '200':\n"
                        "          description: Successful Response\n          content:\n"
                        "            application/json:\n"
                        "              schema: {}\n        '422':\n          description: Validation Error\n"
                        "          content:\n            application/json:\n              schema:\n"
                        "                $ref: '#/components/schemas/HTTPValidationError'\n")
    spec.append("components:\n  schemas:\n")
    for i in range(ordinary * 2):
        spec.append(f"    Model{i}:\n      title: Model{i}\n      type: object\n      properties:\n"
                    "        name:\n          title: Name\n          type: string\n        description:\n"
                    "          title: Description\n          type: string\n")
    files["docs/openapi.yaml"] = "".join(spec)
    return files


ROUTE_DECORATOR = re.compile(r"^@\w+\.(get|post|put|patch|delete)\(", re.M)
INDENTED_RETURN = re.compile(r"^( {4,})return\b", re.M)


def pick_files(repo: Path) -> tuple[str, str]:
    """(an ordinary module, a route module) of an application: both with a `return` inside a function."""
    ordinary = route = None
    for path in sorted(repo.rglob("*.py")):
        rel = path.relative_to(repo).as_posix()
        if any(part in {"tests", "test", "docs", "migrations", "alembic", "scripts", "examples"}
               for part in rel.split("/")[:-1]) or path.name.startswith("test"):
            continue
        text = path.read_text(errors="replace")
        if not INDENTED_RETURN.search(text):
            continue
        if ROUTE_DECORATOR.search(text):
            route = route or rel
        elif "route" not in text.lower() and "FastAPI" not in text and "Flask" not in text:
            ordinary = ordinary or rel
        if ordinary and route:
            return ordinary, route
    raise SystemExit(f"bench: no ordinary module and route module with a function found in {repo}")


ORIGINALS: dict[Path, str] = {}


def edit(repo: Path, rel: str, number: int) -> None:
    """A one-line change inside the first function of `rel` that returns: a new statement before that return."""
    path = repo / rel
    original = ORIGINALS.setdefault(path, path.read_text())
    match = INDENTED_RETURN.search(original)
    assert match is not None
    path.write_text(original[:match.start()] + f"{match.group(1)}_edit = {number}\n" + original[match.start():])


# ----------------------------------------------------------------------------- timing


def make_repo(root: Path, env: dict[str, str], files: dict[str, str] | None = None,
              copy_from: Path | None = None) -> Path:
    repo = root / "repo"
    if copy_from is not None:
        shutil.copytree(copy_from, repo, ignore=shutil.ignore_patterns(".git"), symlinks=True)
    else:
        repo.mkdir()
    for rel, text in (files or {}).items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    (repo / "README.md").write_text("hello\n")
    (repo / ".pre-commit-config.yaml").write_text(PRE_COMMIT_CONFIG)
    run(["git", "init", "-q"], repo, env)
    run(["git", "add", "-A"], repo, env)
    run(["git", "commit", "-q", "--no-verify", "-m", "initial"], repo, env)
    run([sys.executable, "-m", "mosaic_hooks", "install", "--hook-type", "pre-commit"], repo, env)
    return repo


Sample = tuple[float, float]  # (wall, CPU) medians


def side_by_side(repo: Path, env: dict[str, str], n: int, stage: Callable[[int], None]) -> tuple[float, Sample, Sample]:
    """(cold first run of the hook, hook medians, pre-commit run medians), each hook run on a fresh edit."""
    hook = repo / ".git" / "hooks" / "pre-commit"
    pre_commit = pre_commit_executable()
    stage(0)
    cold = timed(lambda: run([str(hook)], repo, env))  # fills the cache (the committed side) as a commit would
    for _ in range(2):  # warm pre-commit's store, the page cache
        run([*pre_commit, "run", "noop"], repo, env)
    ours: list[tuple[float, float]] = []
    framework: list[tuple[float, float]] = []
    for i in range(1, n + 1):
        stage(i)
        ours.append(timed_both(lambda: run([str(hook)], repo, env)))
        framework.append(timed_both(lambda: run([*pre_commit, "run", "noop"], repo, env)))

    def medians(samples: list[tuple[float, float]]) -> Sample:
        return statistics.median(w for w, _ in samples), statistics.median(c for _, c in samples)

    return cold, medians(ours), medians(framework)


def report(label: str, target: float, cold: float, ours: Sample, framework: Sample) -> None:
    verdict = "ok" if ours[1] / framework[1] <= target else "ABOVE TARGET"
    print(f"  {label}")
    print(f"    wall: mosaic {ours[0] * 1000:6.1f} ms  pre-commit {framework[0] * 1000:6.1f} ms  ratio "
          f"{ours[0] / framework[0]:4.2f} | CPU: mosaic {ours[1] * 1000:6.1f} ms  pre-commit "
          f"{framework[1] * 1000:6.1f} ms  ratio {ours[1] / framework[1]:4.2f} (target <= {target}: {verdict})"
          f" | first run {cold * 1000:.0f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=30, help="runs of each (default 30)")
    parser.add_argument("--large", type=Path, help="a checkout to copy as the large project (default: generated)")
    parser.add_argument("--package", type=Path, default=PROJECT_ROOT / "mosaic_hooks",
                        help="the mosaic_hooks package directory to run (default: this checkout's)")
    parser.add_argument("--only", default="nothing,small,large", help="cases to run (comma-separated)")
    parser.add_argument("--commit", action="store_true", help="also time whole `git commit`s")
    args = parser.parse_args()
    cases = set(args.only.split(","))

    with tempfile.TemporaryDirectory(prefix="bench-hooks-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        env = isolated_env(home, installed_copy(Path(tmp), args.package))
        print(f"median of {args.n}, {args.package} (the verdict is on the CPU ratio):")
        if "nothing" in cases:
            root = Path(tmp) / "nothing"
            root.mkdir()
            repo = make_repo(root, env, {"app.py": "app = 1\n"})

            def readme(i: int, repo: Path = repo) -> None:
                (repo / "README.md").write_text(f"hello {i}\n")
                run(["git", "add", "README.md"], repo, env)

            report("nothing relevant (README change staged)", TARGET, *side_by_side(repo, env, args.n, readme))
            if args.commit:
                time_commits(repo, env, args.n)
        if "small" in cases:
            root = Path(tmp) / "small"
            root.mkdir()
            repo = make_repo(root, env, SMALL_FILES)
            small_edit = staged_edit(repo, env, "app/services.py")
            report("small project, ordinary module", TARGET, *side_by_side(repo, env, args.n, small_edit))
        if "large" in cases:
            root = Path(tmp) / "large"
            root.mkdir()
            repo = make_repo(root, env, None if args.large else large_files(), copy_from=args.large)
            ordinary, route = pick_files(repo)
            name = args.large.name if args.large else "generated"
            for label, rel in ((f"large ({name}), ordinary module {rel_short(ordinary)}", ordinary),
                               (f"large ({name}), route module {rel_short(route)}", route)):
                report(label, LARGE_TARGET, *side_by_side(repo, env, args.n, staged_edit(repo, env, rel)))
    return 0


def rel_short(rel: str) -> str:
    return rel if len(rel) <= 28 else "..." + rel[-25:]


def staged_edit(repo: Path, env: dict[str, str], rel: str) -> Callable[[int], None]:
    def stage(i: int) -> None:
        edit(repo, rel, i)
        run(["git", "add", rel], repo, env)
    return stage


def time_commits(repo: Path, env: dict[str, str], n: int) -> None:
    pre_commit = pre_commit_executable()
    ours = repo / ".git" / "hooks" / "pre-commit"
    precommit_dir = repo.parent / "pre-commit-hooks"
    run([*pre_commit, "install", "--hook-type", "pre-commit", "--overwrite"], repo, env)
    precommit_dir.mkdir()
    shutil.move(str(ours), precommit_dir / "pre-commit")
    run([sys.executable, "-m", "mosaic_hooks", "install", "--hook-type", "pre-commit"], repo, env)
    ours_dir = repo / ".git" / "hooks"
    commits: dict[str, list[float]] = {"mosaic": [], "pre-commit": [], "none": []}
    for i in range(n):
        for name, hooks in (("mosaic", ours_dir), ("pre-commit", precommit_dir), ("none", None)):
            (repo / "README.md").write_text(f"change {i} {name}\n")
            run(["git", "add", "README.md"], repo, env)
            argv = ["git", "-c", f"core.hooksPath={hooks}", "commit", "-q", "-m", "x"] if hooks else \
                ["git", "commit", "-q", "--no-verify", "-m", "x"]
            commits[name].append(timed(lambda argv=argv: run(argv, repo, env)))
    print(f"  whole `git commit` of a README change, median of {n}:")
    for name, label in (("none", "--no-verify (no hook)"), ("mosaic", "with mosaic-hooks"),
                        ("pre-commit", "with pre-commit, no-op hook")):
        print(f"    {label:<34}  {statistics.median(commits[name]) * 1000:7.1f} ms")


if __name__ == "__main__":
    raise SystemExit(main())

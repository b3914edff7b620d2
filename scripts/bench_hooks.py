"""How cheap is a hook with nothing to do?

In one run, in one throw-away repository with a README change staged, this times (median of N, runs
interleaved so machine noise hits both alike):

  mosaic   the pre-commit hook `mosaic-hooks install` wrote (.git/hooks/pre-commit), run as git runs it
  pre-commit  `pre-commit run` of one no-op `language: system` hook (`entry: true`), the framework's floor

and prints both medians and the ratio (target: at most 0.35). With --commit it also times whole
`git commit`s firing each installed hook. Nothing here touches the network.

    python scripts/bench_hooks.py [-n 30] [--commit]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.35

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


def installed_copy(dest: Path) -> Path:
    """The package as pip would install it: its own directory, bytecode compiled.

    (Run from a checkout with PYTHONDONTWRITEBYTECODE set, every start would compile our modules
    again, which no installed copy does.)
    """
    site = dest / "site"
    shutil.copytree(PROJECT_ROOT / "mosaic_hooks", site / "mosaic_hooks",
                    ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(site)], check=True)
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
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise SystemExit(f"bench: {' '.join(argv)} failed ({proc.returncode}): {proc.stdout}{proc.stderr}")


def timed(fn: Callable[[], None]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def pre_commit_executable() -> list[str]:
    found = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which("pre-commit")
    return [found] if found else [sys.executable, "-m", "pre_commit"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=30, help="runs of each (default 30)")
    parser.add_argument("--commit", action="store_true", help="also time whole `git commit`s")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-hooks-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        env = isolated_env(home, installed_copy(Path(tmp)))
        repo = Path(tmp) / "repo"
        repo.mkdir()
        run(["git", "init", "-q"], repo, env)
        (repo / "README.md").write_text("hello\n")
        (repo / ".pre-commit-config.yaml").write_text(PRE_COMMIT_CONFIG)
        (repo / "app.py").write_text("app = 1\n")
        run(["git", "add", "."], repo, env)
        run(["git", "commit", "-q", "--no-verify", "-m", "initial"], repo, env)

        run([sys.executable, "-m", "mosaic_hooks", "install", "--hook-type", "pre-commit"], repo, env)
        ours = repo / ".git" / "hooks" / "pre-commit"
        pre_commit = pre_commit_executable()
        (repo / "README.md").write_text("hello again\n")
        run(["git", "add", "README.md"], repo, env)

        def mosaic() -> None:
            run([str(ours)], repo, env)

        def framework() -> None:
            run([*pre_commit, "run", "noop"], repo, env)

        for fn in (mosaic, framework):  # warm the caches (pre-commit's store, the page cache, .pyc)
            fn()
            fn()
        samples: dict[str, list[float]] = {"mosaic": [], "pre-commit": []}
        for _ in range(args.n):
            samples["mosaic"].append(timed(mosaic))
            samples["pre-commit"].append(timed(framework))
        m = statistics.median(samples["mosaic"])
        p = statistics.median(samples["pre-commit"])
        print(f"hook with nothing to do (README change staged), median of {args.n}:")
        print(f"  mosaic-hooks pre-commit hook        {m * 1000:7.1f} ms")
        print(f"  pre-commit run, one no-op hook      {p * 1000:7.1f} ms")
        verdict = "ok" if m / p <= TARGET else "ABOVE TARGET"
        print(f"  ratio                               {m / p:7.2f}   (target <= {TARGET}: {verdict})")

        # For scale: the same hook when a Python file is staged, so the full path (router, config,
        # the local checks of this build) runs.
        (repo / "app.py").write_text("app = 2\n")
        run(["git", "add", "app.py"], repo, env)
        mosaic()
        full = statistics.median(timed(mosaic) for _ in range(args.n))
        print(f"  (for scale: the hook with a .py file staged, full path: {full * 1000:.1f} ms)")
        run(["git", "reset", "-q", "app.py"], repo, env)
        run(["git", "checkout", "-q", "app.py"], repo, env)

        if args.commit:
            precommit_dir = Path(tmp) / "pre-commit-hooks"
            run([*pre_commit, "install", "--hook-type", "pre-commit", "--overwrite"], repo, env)
            precommit_dir.mkdir()
            shutil.move(str(ours), precommit_dir / "pre-commit")
            run([sys.executable, "-m", "mosaic_hooks", "install", "--hook-type", "pre-commit"], repo, env)
            ours_dir = repo / ".git" / "hooks"
            commits: dict[str, list[float]] = {"mosaic": [], "pre-commit": [], "none": []}
            for i in range(args.n):
                for name, hooks in (("mosaic", ours_dir), ("pre-commit", precommit_dir), ("none", None)):
                    (repo / "README.md").write_text(f"change {i} {name}\n")
                    run(["git", "add", "README.md"], repo, env)
                    argv = ["git", "-c", f"core.hooksPath={hooks}", "commit", "-q", "-m", "x"] if hooks else \
                        ["git", "commit", "-q", "--no-verify", "-m", "x"]
                    commits[name].append(timed(lambda argv=argv: run(argv, repo, env)))
            print(f"whole `git commit` of a README change, median of {args.n}:")
            for name, label in (("none", "--no-verify (no hook)"), ("mosaic", "with mosaic-hooks"),
                                ("pre-commit", "with pre-commit, no-op hook")):
                print(f"  {label:<34}  {statistics.median(commits[name]) * 1000:7.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

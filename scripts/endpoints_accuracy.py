"""Accuracy of static endpoint detection on the test corpus, against the frameworks' own route listing.

Each corpus project (tests/detect/endpoints/corpus.py) is committed to a temporary repository; the
static result (extract_endpoints) is compared with introspect_endpoints, which loads the app with the
real framework in a child process. Prints precision and recall per project and in total.

Then the Django history (tests/detect/endpoints/django_history.py): every commit's `endpoint_changes`
against the difference of what Django's resolver lists before and after it. Prints added and removed
precision/recall and how many commits that change no endpoint were reported as changing.

    python scripts/endpoints_accuracy.py [--django-only] [-v]
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mosaic_hooks.core import git as gitmod  # noqa: E402
from mosaic_hooks.detect.endpoints import extract_endpoints, introspect_endpoints  # noqa: E402
from mosaic_hooks.detect.snapshot import GitSnapshot  # noqa: E402


def load_corpus(name: str = "corpus") -> object:
    spec = importlib.util.spec_from_file_location(f"endpoint_{name}", ROOT / f"tests/detect/endpoints/{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[f"endpoint_{name}"] = module
    spec.loader.exec_module(module)
    return module


def django_history(verbose: bool) -> int:
    """Score change detection on the Django history; 1 when a target is missed."""
    history = load_corpus("django_history")
    with tempfile.TemporaryDirectory() as tmp:
        scores = history.measure(Path(tmp))  # type: ignore[attr-defined]
    print("\nDjango history (changes per commit vs Django's resolver)")
    for line in scores.lines:
        if verbose or not line.startswith("    "):
            print("  " + line)
    figures = [("added precision", scores.added_precision, ">=", 0.95),
               ("added recall", scores.added_recall, ">=", 0.90),
               ("removed precision", scores.removed_precision, ">=", 0.95),
               ("removed recall", scores.removed_recall, ">=", 0.85),
               ("no-change commits reported as changing", scores.no_change_flagged_rate, "<=", 0.05)]
    missed = 0
    for name, value, op, target in figures:
        ok = value >= target if op == ">=" else value <= target
        missed += not ok
        print(f"  {name:<40} {value:6.3f}  (target {op} {target})  {'ok' if ok else 'MISSED'}")
    print(f"  no-change commits: {scores.no_change_flagged}/{scores.no_change_commits} reported as changing")
    return 1 if missed else 0


def run(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def main() -> int:
    verbose = "-v" in sys.argv[1:]
    if "--django-only" in sys.argv[1:]:
        return django_history(verbose)
    corpus = load_corpus()
    projects = corpus.PROJECTS  # type: ignore[attr-defined]
    total_tp = total_static = total_truth = 0
    print(f"{'project':<22} {'truth':>5} {'static':>6} {'precision':>9} {'recall':>6}")
    for name, project in sorted(projects.items()):
        with tempfile.TemporaryDirectory() as tmp:
            repo_dir = Path(tmp)
            run("init", "-q", cwd=repo_dir)
            for rel, content in project.files.items():
                path = repo_dir / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(content)
            run("add", "-A", cwd=repo_dir)
            run("-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "commit", "-q", "-m", "corpus",
                cwd=repo_dir)
            repo = gitmod.find_repo(repo_dir)
            sha = run("rev-parse", "HEAD", cwd=repo_dir)
            static = {e.key for e in extract_endpoints(GitSnapshot(repo, sha))[0]}
            truth = {e.key for e in introspect_endpoints(repo, sha, project.target, timeout=120)}
        tp = len(static & truth)
        total_tp, total_static, total_truth = total_tp + tp, total_static + len(static), total_truth + len(truth)
        print(f"{name:<22} {len(truth):>5} {len(static):>6} {tp / max(len(static), 1):>9.3f} "
              f"{tp / max(len(truth), 1):>6.3f}")
        for key in sorted(static - truth):
            print(f"    invented: {key}")
        for key in sorted(truth - static):
            print(f"    missed:   {key}")
    print(f"{'total':<22} {total_truth:>5} {total_static:>6} {total_tp / max(total_static, 1):>9.3f} "
          f"{total_tp / max(total_truth, 1):>6.3f}")
    return django_history(verbose)


if __name__ == "__main__":
    raise SystemExit(main())

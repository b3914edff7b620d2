"""Accuracy of static endpoint detection on the test corpus, against the frameworks' own route listing.

Each corpus project (tests/detect/endpoints/corpus.py) is committed to a temporary repository; the
static result (extract_endpoints) is compared with introspect_endpoints, which loads the app with the
real framework in a child process. Prints precision and recall per project and in total.

    python scripts/endpoints_accuracy.py
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


def load_corpus() -> object:
    spec = importlib.util.spec_from_file_location("endpoint_corpus", ROOT / "tests/detect/endpoints/corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["endpoint_corpus"] = module
    spec.loader.exec_module(module)
    return module


def run(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def main() -> int:
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

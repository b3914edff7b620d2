"""`mosaic-hooks demo` run for real, as a new user runs it: a subprocess, its own temporary directory,
the real hooks, `git push`es, the service on 127.0.0.1 and the Render fake. Each run takes ~10 s, so
the runs are shared by the tests that read them."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PROJECT_ROOT, git

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

pytestmark = pytest.mark.timeout(180)

PYPROJECT = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
# Distributions a fresh virtual environment has before `pip install .`.
VENV_BASICS = {"pip", "setuptools", "wheel", "mosaic-hooks"}


@dataclass
class DemoRun:
    proc: subprocess.CompletedProcess[str]
    tmpdir: Path  # TMPDIR of the run: the demo's temporary directory is made in it

    @property
    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.proc.stdout)
        return data


def leftover_processes(under: Path) -> list[str]:
    """Processes whose command line or working directory is inside `under` (a /proc scan)."""
    found = []
    marker = str(under)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            cwd = os.readlink(entry / "cwd")
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if marker in cmdline or cwd.startswith(marker):
            found.append(f"{entry.name}: {cmdline.strip()} (cwd {cwd})")
    return found


def _distribution(requirement: str) -> tuple[str, bool]:
    """(normalized name, whether it applies here without extras)."""
    from packaging.requirements import Requirement

    req = Requirement(requirement)
    applies = req.marker is None or req.marker.evaluate({"extra": ""})
    return re.sub(r"[-_.]+", "-", req.name).lower(), applies


def runtime_closure() -> set[str]:
    """The distributions `pip install .` brings: the runtime dependencies and theirs."""
    wanted = [name for name, applies in map(_distribution, PYPROJECT["project"]["dependencies"]) if applies]
    seen: set[str] = set()
    while wanted:
        name = wanted.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        wanted.extend(dep for dep, applies in map(_distribution, requires) if applies)
    return seen


def installed_modules() -> dict[str, set[str]]:
    """Top-level module -> the distributions providing it, from top_level.txt or the files installed
    (Python 3.10's `packages_distributions` reads top_level.txt only, which many wheels lack)."""
    found: dict[str, set[str]] = {}
    for dist in metadata.distributions():
        declared = (dist.read_text("top_level.txt") or "").split()
        inferred = [f.parts[0] if len(f.parts) > 1 else f.name.split(".")[0]
                    for f in dist.files or () if f.suffix in (".py", ".so")]
        for module in {*declared, *inferred}:
            found.setdefault(module, set()).add(dist.metadata["Name"])
    return found


def blocked_modules() -> list[str]:
    """Top-level modules installed here that a fresh `pip install .` would not have."""
    allowed = runtime_closure() | VENV_BASICS
    blocked = []
    for module, dists in installed_modules().items():
        names = {re.sub(r"[-_.]+", "-", d).lower() for d in dists}
        if module.isidentifier() and not module.startswith("_") and not names & allowed:
            blocked.append(module)
    return sorted(blocked)


def demo_env(tmpdir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The caller's environment (module-scoped runs start before the per-test isolation), importing this
    checkout, with the demo's temporary directory made in `tmpdir`."""
    inherited = os.environ.get("PYTHONPATH")
    pythonpath = os.pathsep.join([str(PROJECT_ROOT), *([inherited] if inherited else [])])
    return {**os.environ, "PYTHONPATH": pythonpath, "TMPDIR": str(tmpdir), **(extra or {})}


def run_demo(tmpdir: Path, *args: str, pythonpath_first: Path | None = None,
             env: dict[str, str] | None = None) -> DemoRun:
    tmpdir.mkdir(parents=True, exist_ok=True)
    full_env = demo_env(tmpdir, env)
    if pythonpath_first is not None:
        full_env["PYTHONPATH"] = os.pathsep.join([str(pythonpath_first), full_env["PYTHONPATH"]])
    proc = subprocess.run([sys.executable, "-m", "mosaic_hooks", "demo", *args], cwd=tmpdir, env=full_env,
                          capture_output=True, text=True, timeout=150)
    return DemoRun(proc, tmpdir)


@pytest.fixture(scope="module")
def plain_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """`mosaic-hooks demo` with every module the runtime dependencies do not bring made unimportable."""
    stubs = tmp_path_factory.mktemp("only-runtime-deps")
    for module in blocked_modules():
        package = stubs / module
        package.mkdir()
        (package / "__init__.py").write_text(
            f"raise ImportError('{module} is not installed by `pip install .` (blocked by the demo test)')\n")
    return run_demo(tmp_path_factory.mktemp("plain"), pythonpath_first=stubs)


@pytest.fixture(scope="module")
def kept_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    return run_demo(tmp_path_factory.mktemp("kept"), "--keep", "--json")


def test_the_demo_plays_every_step_and_exits_0(plain_run: DemoRun) -> None:
    assert plain_run.proc.returncode == 0, plain_run.proc.stdout + plain_run.proc.stderr
    out = plain_run.proc.stdout
    for line in ("setup: the first version of the shop (/health) is pushed, deployed and verified",
                 "step 1: a commit adds GET /items",
                 "step 2: a commit adds GET /orders, but the deploy serves the old code",
                 "step 3: the fix is pushed with MOSAIC_FIX=1",
                 "Every step went as described"):
        assert line in out


def test_the_narration_quotes_the_real_commands(plain_run: DemoRun) -> None:
    out = plain_run.proc.stdout
    assert "mosaic-hooks install: pre-commit and pre-push hooks" in out
    # Nobody runs `verify`: each push the hook lets through is verified in the background.
    assert len(re.findall(r"\| mosaic-hooks: [0-9a-f]{10} \(main\) will be verified in the background", out)) == 4
    assert re.search(r"\| GET +/items +200", out)  # verify's own report line, from the background log
    assert re.search(r"the background verification \(nobody ran a command\): [0-9a-f]{10} fail, exit 1.*\n"
                     r"  production fails: Render says live but the old code still serves:\n"
                     r".*deploy +failed +stale instance: /version reports [0-9a-f]{12} \(an older commit\)", out)
    assert "mosaic-hooks status: exit 1" in out and "mosaic-hooks status: exit 0" in out
    assert re.search(r"the next hook run \(this commit\) told it loudly:\n.*PRODUCTION FAILED: the background "
                     r"verification of shop of main at [0-9a-f]{10} failed\n.*log: .*\.log", out)
    assert re.search(r"git push of [0-9a-f]{10}: BLOCKED by the pre-push hook", out)
    assert "| mosaic-hooks: push blocked until production works again" in out
    assert "| mosaic-hooks: MOSAIC_FIX=1: letting this push through as the fix" in out
    assert re.search(r"\| GET +/orders +200", out)
    for metric in ("Deployment frequency", "Lead time for changes", "Change failure rate", "Time to restore"):
        assert re.search(rf"\| {metric} ", out), metric
    assert re.search(r"the incident: production failed at .* restored at .* by the fix [0-9a-f]{10}: \d+ s", out)


def test_without_keep_the_temporary_directory_is_removed_and_said(plain_run: DemoRun) -> None:
    match = re.search(r"^Removed (\S+) \(run with --keep", plain_run.proc.stdout, re.M)
    assert match, plain_run.proc.stdout
    root = Path(match.group(1))
    assert root.parent == plain_run.tmpdir.resolve()
    assert not root.exists()
    assert list(plain_run.tmpdir.iterdir()) == []


def test_no_process_is_left_running(plain_run: DemoRun, kept_run: DemoRun) -> None:
    assert leftover_processes(plain_run.tmpdir) == []
    assert leftover_processes(kept_run.tmpdir) == []


def test_json_lists_the_steps_and_their_outcomes(kept_run: DemoRun) -> None:
    assert kept_run.proc.returncode == 0, kept_run.proc.stdout + kept_run.proc.stderr
    report = kept_run.json
    assert report["passed"] is True and report["exit_code"] == 0 and report["problem"] is None
    assert [step["step"] for step in report["steps"]] == ["setup", "deploy-passes", "deploy-fails", "fix"]
    assert all(step["outcome"] == "passed" and step["problem"] is None for step in report["steps"])
    evidence = {step["step"]: "\n".join(step["evidence"]) for step in report["steps"]}
    assert "stale instance: /version reports" in evidence["deploy-fails"] and "BLOCKED" in evidence["deploy-fails"]
    assert "Change failure rate" in evidence["fix"]


def test_keep_keeps_the_repository_with_the_history_the_flow_recorded(kept_run: DemoRun) -> None:
    report = kept_run.json
    repo = Path(report["repository"])
    assert report["kept"] is True and repo.is_dir()
    subjects = git(repo, "log", "--format=%s", "--reverse").splitlines()
    assert subjects == ["Shop service with a health check", "Add GET /items", "Add GET /orders",
                        "Document the orders endpoint",
                        "Fix the stuck release: declare the start command in render.yaml"]
    shas = git(repo, "log", "--format=%H", "--reverse").splitlines()
    base, items, orders, blocked, fixed = shas
    assert git(repo.parent / "remote.git", "rev-parse", "refs/heads/main") == fixed
    assert (repo / ".git" / "hooks" / "pre-push").is_file()

    history = repo / ".mosaic" / "deployment_history.jsonl"
    records = [json.loads(line) for line in history.read_text().splitlines()]
    # the baseline and /items pass; the stuck release of /orders fails when verified, and again each time
    # a push checks production as it stands (the blocked push; the MOSAIC_FIX=1 push, as a remediation
    # attempt); the fix's deploy passes, as a remediation. The blocked commit never reached production.
    outcomes = [(r["commit"], r["verdict"], r["remediation"]) for r in records]
    assert outcomes[:3] == [(base, "pass", False), (items, "pass", False), (orders, "fail", False)]
    assert outcomes[-1] == (fixed, "pass", True)
    assert {(commit, verdict) for commit, verdict, _ in outcomes[3:-1]} == {(orders, "fail")}
    assert len(records) >= 4  # today 6: the two pushes' checks of production are recorded too
    assert all("deploy (stale instance" in r["failure_reason"] for r in records if not r["success"])
    assert [c["sha"] for c in records[-1]["commits"]] == [orders, blocked, fixed]
    assert (repo / ".mosaic" / "dora_metrics.json").is_file()
    assert git(repo, "status", "--porcelain") == ""  # the history files are git-ignored


def test_ctrl_c_stops_everything_and_exits_130(tmp_path: Path) -> None:
    env = demo_env(tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "mosaic_hooks", "demo"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # the service is running once step 1 has begun
            if line.startswith("step 1:"):
                break
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    assert "interrupted" in err
    assert leftover_processes(tmp_path) == []
    assert list(tmp_path.iterdir()) == []


def test_a_step_that_does_not_go_as_described_exits_1_naming_it(tmp_path: Path) -> None:
    no_git = tmp_path / "empty-bin"
    no_git.mkdir()
    run = run_demo(tmp_path / "tmp", "--json", env={"PATH": str(no_git)})
    assert run.proc.returncode == 1
    report = run.json
    assert report["passed"] is False and report["exit_code"] == 1
    assert report["problem"].startswith("setup: git is not installed")
    assert [step["outcome"] for step in report["steps"]] == ["failed", "not run", "not run", "not run"]
    assert leftover_processes(tmp_path) == []


# -- the README's first command ------------------------------------------------------------------------
def _demo_block() -> str:
    match = re.search(r"<!-- demo-command -->\n```sh\n(.*?)\n```", README, re.S)
    assert match, "README has no sh block after <!-- demo-command -->"
    return match.group(1).strip()


def test_the_readme_demo_command_installs_the_package_alone_then_runs_the_demo() -> None:
    commands = [part.strip() for part in _demo_block().split("&&")]
    assert commands[-1] == "mosaic-hooks demo"
    installs = [c for c in commands if c.startswith(("pip install", "python3 -m pip install"))]
    assert installs == ["pip install ."]  # no extras: the demo needs the runtime dependencies only
    assert PYPROJECT["project"]["scripts"]["mosaic-hooks"] == "mosaic_hooks.cli.main:main"


def test_the_demo_ran_with_nothing_but_the_runtime_dependencies(plain_run: DemoRun) -> None:
    blocked = blocked_modules()
    for module in ("fastapi", "flask", "uvicorn", "pytest"):
        assert module in blocked  # the check above really ran without them
    assert plain_run.proc.returncode == 0, plain_run.proc.stderr
    assert "blocked by the demo test" not in plain_run.proc.stdout + plain_run.proc.stderr

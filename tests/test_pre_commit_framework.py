"""Through the real pre-commit framework: a config pointing at this repository installs and runs our hooks.

pre-commit builds one virtualenv for (repository, rev) and pip-installs the package into it, which is
slow; the tests share one PRE_COMMIT_HOME and one clone of the committed project, so it happens once.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT, commit_files, git

pytestmark = pytest.mark.timeout(900)


@pytest.fixture(scope="session")
def hooks_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, Path]]:
    """(a clone of the committed project, its HEAD, a shared PRE_COMMIT_HOME)."""
    base = tmp_path_factory.mktemp("pre-commit-shared")
    clone = base / "mosaic-hooks"
    subprocess.run(["git", "clone", "-q", str(PROJECT_ROOT), str(clone)], check=True, capture_output=True)
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=clone, check=True, capture_output=True,
                         text=True).stdout.strip()
    yield clone, rev, base / "pre-commit-home"


def pre_commit(cwd: Path, home: Path, *args: str, env: dict[str, str] | None = None,
               ) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PRE_COMMIT_HOME": str(home), **(env or {})}
    full_env.pop("PYTHONPATH", None)  # the hook must run the package pre-commit installed, not this checkout
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=cwd, capture_output=True, text=True,
                          env=full_env, timeout=800)


def git_run(cwd: Path, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
    env.pop("PYTHONPATH", None)
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=800)


def test_try_repo_runs_the_commit_stage_hook(hooks_repo: tuple[Path, str, Path], repo: Path) -> None:
    clone, _, home = hooks_repo
    (repo / "app.py").write_text("x = 1\n")
    git(repo, "add", "app.py")
    proc = pre_commit(repo, home, "try-repo", str(clone), "mosaic-check", "--verbose")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "mosaic-hooks check (staged change)" in proc.stdout and "Passed" in proc.stdout
    assert "mosaic[check] 1 relevant file: app.py" in proc.stdout


def test_config_installs_and_runs_all_three_hooks(hooks_repo: tuple[Path, str, Path], repo: Path,
                                                  remote: Path) -> None:
    clone, rev, home = hooks_repo
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n"
        f"  - repo: {clone}\n"
        f"    rev: {rev}\n"
        f"    hooks:\n"
        f"      - id: mosaic-check\n"
        f"      - id: mosaic-gate\n"
        f"      - id: mosaic-verify\n"
        f"        args: [--help]\n"
    )
    commit_files(repo, {".pre-commit-config.yaml": (repo / ".pre-commit-config.yaml").read_text()}, "config")
    git(repo, "push", "-q", "--no-verify", "origin", "main")
    installed = pre_commit(repo, home, "install", "--hook-type", "pre-commit", "--hook-type", "pre-push")
    assert installed.returncode == 0, installed.stderr

    (repo / "service.py").write_text("app = 1\n")
    git(repo, "add", "service.py")
    commit = git_run(repo, "commit", "-m", "service", home=home)
    assert commit.returncode == 0, commit.stdout + commit.stderr
    shown = commit.stdout + commit.stderr  # git shows a commit hook's output on stderr
    assert "mosaic-hooks check (staged change)" in shown and "Passed" in shown

    base = git(repo, "rev-parse", "origin/main")
    head = git(repo, "rev-parse", "HEAD")
    push = git_run(repo, "push", "origin", "main", home=home)
    assert push.returncode == 0, push.stdout + push.stderr
    shown = push.stdout + push.stderr
    assert "mosaic-hooks pre-push (pushed range, then production)" in shown and "Passed" in shown
    assert git(remote, "rev-parse", "main") == head

    # The gate's own output shows it got the range from the framework (pre-commit shows it with -v).
    gate = pre_commit(repo, home, "run", "--hook-stage", "pre-push", "mosaic-gate", "--verbose",
                      env={"PRE_COMMIT_FROM_REF": base, "PRE_COMMIT_TO_REF": head})
    assert gate.returncode == 0, gate.stdout
    assert f"{base[:10]}..{head[:10]} (from PRE_COMMIT_FROM_REF/TO_REF)" in gate.stdout
    assert "relevant file: service.py" in gate.stdout

    verify = pre_commit(repo, home, "run", "--hook-stage", "manual", "mosaic-verify", "--verbose")
    assert "mosaic-hooks verify (production gate)" in verify.stdout
    assert verify.returncode == 0 and "usage: mosaic-hooks verify" in verify.stdout, verify.stdout


def test_a_skipped_gate_shows_on_a_passing_push_under_the_framework(hooks_repo: tuple[Path, str, Path], repo: Path,
                                                                    remote: Path) -> None:
    """pre-commit hides a passing hook's output; mosaic-gate is verbose, so a MOSAIC_SKIP is never silent."""
    from tests.cli.commands.test_verify_verdicts import FASTAPI_APP, configure
    from tests.support.served_repo import serve_repo

    clone, rev, home = hooks_repo
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {clone}\n    rev: {rev}\n    hooks:\n      - id: mosaic-gate\n")
    head = commit_files(repo, {"app.py": FASTAPI_APP, ".pre-commit-config.yaml":
                               (repo / ".pre-commit-config.yaml").read_text()}, "shop")
    git(repo, "push", "-q", "--no-verify", "origin", "main")
    assert pre_commit(repo, home, "install", "--hook-type", "pre-push").returncode == 0
    with serve_repo(repo, "app:app", commit=head) as url:
        configure(repo, url)
        commit_files(repo, {"NOTES.md": "a change\n"}, "notes")
        env = {**os.environ, "PRE_COMMIT_HOME": str(home), "MOSAIC_SKIP": "contract"}
        env.pop("PYTHONPATH", None)
        push = subprocess.run(["git", "push", "origin", "main"], cwd=repo, capture_output=True, text=True, env=env,
                              timeout=800)
    shown = push.stdout + push.stderr
    assert push.returncode == 0, shown
    assert "Passed" in shown
    assert (f"production: {head[:12]} (serving, from {url}/version) passed its checks; "
            "skipped: contract (MOSAIC_SKIP)") in shown  # the serving commit, named with where it came from


def test_mosaic_gate_starts_the_background_verification_of_the_push(
        hooks_repo: tuple[Path, str, Path], repo: Path, remote: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 14: the same from the framework's hook as from `mosaic-hooks install`'s: a real push through
    pre-commit's pre-push hook is verified in the background against a real service and the Render fake."""
    import json
    import time

    from mosaic_hooks.testing.render_fake import RenderFake
    from mosaic_hooks.verification import background_jobs as jobs
    from tests.support import apps

    monkeypatch.delenv("MOSAIC_VERIFY_AFTER_PUSH")  # the suite switches it off; here it is what is tested
    clone, rev, home = hooks_repo
    config = (f"repos:\n  - repo: {clone}\n    rev: {rev}\n    hooks:\n      - id: mosaic-gate\n")
    settings = {"poll_interval": 0.1, "push_wait_timeout": 5, "wait_timeout": 15, "request_timeout": 2,
                "health_samples": 3, "gate_timeout": 5, "push_land_timeout": 10, "service_name": "shop",
                "desktop_notify": False}
    files = {".pre-commit-config.yaml": config, ".gitignore": ".mosaic/*.json*\n.mosaic/*.lock\n",
             ".mosaic/config.toml": "".join(f"{k} = {json.dumps(v)}\n" for k, v in settings.items())}
    commit_files(repo, files, "config")
    git(repo, "push", "-q", "--no-verify", "origin", "main")
    assert pre_commit(repo, home, "install", "--hook-type", "pre-push").returncode == 0
    toggles = apps.Toggles()
    with RenderFake() as render, apps.serve_wsgi(apps.flask_app(toggles)) as url:
        render.add_service("srv-shop", timeline=[("build_in_progress", 0.2), ("live", 0)])
        toggles.commit = git(repo, "rev-parse", "HEAD")
        render.push(toggles.commit, "config")
        monkeypatch.setenv("BACKEND_URL", url)
        for name, value in render.env("srv-shop").items():
            monkeypatch.setenv(name, value)
        head = commit_files(repo, {"app.py": "x = 2\n"}, "v2")
        push = git_run(repo, "push", "origin", "main", home=home)
        assert push.returncode == 0, push.stdout + push.stderr
        render.services["srv-shop"].on_live = lambda deploy: setattr(toggles, "commit", head)
        render.push(head, "v2")
        store = jobs.Store(repo / ".git")
        deadline = time.monotonic() + 60
        job = store.read(jobs.job_id("shop", head))
        while (job is None or not job.final) and time.monotonic() < deadline:
            time.sleep(0.1)
            job = store.read(jobs.job_id("shop", head))
        log = store.log_path(jobs.job_id("shop", head))
        assert job is not None and (job.state, job.verdict) == (jobs.FINISHED, "pass"), (
            log.read_text() if log.exists() else push.stderr)
        assert job.remote == str(remote) and job.remote_name == "origin"


# ----- a project with its own virtualenv, through `pre-commit install`, a real commit and a real push

def project_config(clone: Path, rev: str) -> str:
    return (f"repos:\n"
            f"  - repo: {clone}\n"
            f"    rev: {rev}\n"
            f"    hooks:\n"
            f"      - id: mosaic-check\n"
            f"        verbose: true\n"
            f"      - id: mosaic-gate\n"
            f"        verbose: true\n")


@pytest.fixture
def framework_project(hooks_repo: tuple[Path, str, Path], repo: Path, remote: Path) -> tuple[Path, Path]:
    """A project whose own .venv has requests 2.31.0 (pre-commit's virtualenv does not), hooks installed."""
    from tests.support.venvs import make_venv

    clone, rev, home = hooks_repo
    make_venv(repo / ".venv", {"requests": "2.31.0", "flask": "3.0.0"})
    (repo / ".gitignore").write_text(".venv/\n")
    commit_files(repo, {".pre-commit-config.yaml": project_config(clone, rev), ".gitignore": ".venv/\n",
                        "requirements.txt": "flask\n", "app.py": "import flask\n",
                        "requirements-dev.txt": "pytest\n"}, "project")
    git(repo, "push", "-q", "--no-verify", "origin", "main")
    installed = pre_commit(repo, home, "install", "--hook-type", "pre-commit", "--hook-type", "pre-push")
    assert installed.returncode == 0, installed.stderr
    return repo, home


def test_requirements_are_judged_in_the_projects_virtualenv_not_pre_commits(
        framework_project: tuple[Path, Path]) -> None:
    repo, home = framework_project
    (repo / "requirements.txt").write_text("flask\nrequests>=2.31\n")
    git(repo, "add", "requirements.txt")
    commit = git_run(repo, "commit", "-m", "requests", home=home)
    shown = commit.stdout + commit.stderr
    assert commit.returncode == 0, shown
    assert "not installed" not in shown and "py_env-" not in shown
    # Pinned beyond what the project's .venv has: the failure names that environment, not pre-commit's.
    (repo / "requirements.txt").write_text("flask\nrequests>=2.32\n")
    git(repo, "add", "requirements.txt")
    blocked = git_run(repo, "commit", "-m", "requests 2.32", home=home)
    shown = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0
    assert f"requests 2.31.0 is installed in {repo}/.venv/bin/python (.venv); run: pip install 'requests>=2.32'" \
        in shown
    assert "py_env-" not in shown


def test_without_a_project_environment_nothing_is_judged_and_nothing_fails(
        hooks_repo: tuple[Path, str, Path], repo: Path) -> None:
    clone, rev, home = hooks_repo
    commit_files(repo, {".pre-commit-config.yaml": project_config(clone, rev), "requirements.txt": "flask\n"})
    assert pre_commit(repo, home, "install").returncode == 0
    (repo / "requirements.txt").write_text("flask\nrequests>=2.31\n")
    git(repo, "add", "requirements.txt")
    commit = git_run(repo, "commit", "-m", "requests", home=home)
    assert commit.returncode == 0, commit.stdout + commit.stderr
    assert "requirements-installed: not judged: no project environment found" in commit.stdout + commit.stderr


def test_all_files_and_from_to_ref_check_something(framework_project: tuple[Path, Path]) -> None:
    repo, home = framework_project
    base = git(repo, "rev-parse", "HEAD")
    commit_files(repo, {"old.py": "import responses\n"}, "production code importing a dev-only package")
    head = git(repo, "rev-parse", "HEAD")
    whole = pre_commit(repo, home, "run", "--all-files", "mosaic-check")
    assert whole.returncode == 1, whole.stdout
    assert "checking the whole tree" in whole.stdout and "nothing staged" not in whole.stdout
    assert "old.py:1: imports 'responses', which no requirement declares" in whole.stdout
    ranged = pre_commit(repo, home, "run", "--from-ref", base, "--to-ref", head, "mosaic-check")
    assert ranged.returncode == 1, ranged.stdout
    assert f"PRE_COMMIT_FROM_REF/TO_REF: {base[:10]}..{head[:10]}" in ranged.stdout


def test_a_feature_branch_push_does_not_wait_for_its_own_commit(framework_project: tuple[Path, Path]) -> None:
    import time

    from tests.support import apps

    repo, home = framework_project
    production = git(repo, "rev-parse", "HEAD")
    toggles = apps.Toggles(commit=production)
    with apps.serve_wsgi(apps.flask_app(toggles)) as url:
        (repo / ".mosaic").mkdir()
        (repo / ".mosaic" / "config.toml").write_text("push_wait_timeout = 300\nhealth_samples = 3\n")
        git(repo, "checkout", "-q", "-b", "feature")
        commit_files(repo, {"app.py": "import flask\n\nVALUE = 2\n"}, "feature work")
        env = {**os.environ, "PRE_COMMIT_HOME": str(home), "BACKEND_URL": url}
        env.pop("PYTHONPATH", None)
        started = time.monotonic()
        push = subprocess.run(["git", "push", "origin", "feature"], cwd=repo, capture_output=True, text=True,
                              env=env, timeout=800)
        elapsed = time.monotonic() - started
    shown = push.stdout + push.stderr
    assert push.returncode == 0, shown
    assert "feature is not the deploy branch (main (origin's HEAD))" in shown
    assert "passed its checks" in shown  # production as it stands: main's commit, which /version reports
    assert elapsed < 60  # no wait of push_wait_timeout (300 s) for the feature branch's commit

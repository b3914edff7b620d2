"""`mosaic-hooks install` / `uninstall` with real git: hooks fire on real commits and pushes."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mosaic_hooks.cli import hook_script
from tests.conftest import commit_files, git, run_cli


def git_run(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=60)


def hooks_dir(repo: Path) -> Path:
    return repo / ".git" / "hooks"


def write_hook(path: Path, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/usr/bin/env bash\n{body}\n")
    path.chmod(0o755)


def test_install_writes_both_client_hooks_running_this_interpreter(repo: Path) -> None:
    proc = run_cli("install", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    for name in ("pre-commit", "pre-push"):
        hook = hooks_dir(repo) / name
        text = hook.read_text()
        assert os.access(hook, os.X_OK)
        assert hook_script.is_our_script(text)
        assert f"INSTALL_PYTHON={sys.executable}" in text
        assert f"installed {name} hook at {hook}" in proc.stdout


def test_hooks_are_rwxr_xr_x_whatever_the_umask_and_no_temporary_file_is_left(repo: Path) -> None:
    old_umask = os.umask(0o077)  # inherited by the install process
    try:
        proc = run_cli("install", cwd=repo)
    finally:
        os.umask(old_umask)
    assert proc.returncode == 0, proc.stderr
    for name in ("pre-commit", "pre-push"):
        assert stat.S_IMODE((hooks_dir(repo) / name).stat().st_mode) == 0o755
    assert not [p.name for p in hooks_dir(repo).iterdir() if p.name.startswith(".")]


def test_install_twice_changes_nothing(repo: Path) -> None:
    write_hook(hooks_dir(repo) / "pre-commit", "exit 0")
    run_cli("install", cwd=repo)
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in hooks_dir(repo).iterdir()}
    proc = run_cli("install", cwd=repo)
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in hooks_dir(repo).iterdir()}
    assert proc.returncode == 0
    assert before == after
    assert "(unchanged)" in proc.stdout
    assert not (hooks_dir(repo) / "pre-commit.legacy.legacy").exists()


def test_hook_type_chooses_what_is_installed(repo: Path) -> None:
    assert run_cli("install", "--hook-type", "pre-push", cwd=repo).returncode == 0
    assert (hooks_dir(repo) / "pre-push").exists()
    assert not (hooks_dir(repo) / "pre-commit").exists()


def test_foreign_hook_is_kept_chained_and_restored_by_uninstall(repo: Path) -> None:
    original = "echo foreign-hook-ran >> \"$(git rev-parse --git-dir)/foreign.log\"\nexit 0"
    write_hook(hooks_dir(repo) / "pre-commit", original)
    text_before = (hooks_dir(repo) / "pre-commit").read_text()
    proc = run_cli("install", cwd=repo)
    assert "kept the existing hook as pre-commit.legacy" in proc.stdout
    assert (hooks_dir(repo) / "pre-commit.legacy").read_text() == text_before

    (repo / "a.py").write_text("x = 1\n")
    git(repo, "add", "a.py")
    commit = git_run(repo, "commit", "-m", "a")
    assert commit.returncode == 0, commit.stderr
    assert (repo / ".git" / "foreign.log").read_text() == "foreign-hook-ran\n"
    assert "mosaic[check]" in commit.stdout + commit.stderr  # our check ran after it

    proc = run_cli("uninstall", cwd=repo)
    assert "restored the previous one" in proc.stdout
    assert (hooks_dir(repo) / "pre-commit").read_text() == text_before
    assert not (hooks_dir(repo) / "pre-commit.legacy").exists()
    assert not (hooks_dir(repo) / "pre-push").exists()


def test_failing_foreign_hook_blocks_the_commit(repo: Path) -> None:
    write_hook(hooks_dir(repo) / "pre-commit", "echo 'lint failed' >&2\nexit 1")
    run_cli("install", cwd=repo)
    (repo / "a.txt").write_text("x\n")
    git(repo, "add", "a.txt")
    head = git(repo, "rev-parse", "HEAD")
    commit = git_run(repo, "commit", "-m", "blocked")
    assert commit.returncode != 0
    assert "the previous pre-commit hook" in commit.stderr and "failed with exit 1" in commit.stderr
    assert git(repo, "rev-parse", "HEAD") == head


def test_foreign_pre_push_gets_the_same_stdin_and_arguments(repo: Path, remote: Path) -> None:
    log = repo / ".git" / "legacy-push.log"
    write_hook(hooks_dir(repo) / "pre-push", f'echo "args: $*" > {log}\ncat >> {log}')
    run_cli("install", cwd=repo)
    head = commit_files(repo, {"a.py": "1\n"})
    push = git_run(repo, "push", "origin", "main")
    assert push.returncode == 0, push.stderr
    lines = log.read_text().splitlines()
    assert lines[0] == f"args: origin {remote}"
    assert lines[1].startswith(f"refs/heads/main {head} refs/heads/main ")
    assert "mosaic[pre-push] refs/heads/main -> refs/heads/main: checking" in push.stdout + push.stderr


def test_a_legacy_hook_that_calls_our_hook_again_is_stopped(repo: Path) -> None:
    run_cli("install", "--hook-type", "pre-commit", cwd=repo)
    ours = hooks_dir(repo) / "pre-commit"
    write_hook(hooks_dir(repo) / "pre-commit.legacy", f'exec {ours} "$@"')  # e.g. a wrapper gone wrong
    proc = subprocess.run([str(ours)], cwd=repo, capture_output=True, text=True, timeout=30)
    assert proc.returncode != 0
    assert "runs the mosaic-hooks hook again (a loop)" in proc.stderr


def test_uninstall_leaves_a_hook_that_is_not_ours(repo: Path) -> None:
    write_hook(hooks_dir(repo) / "pre-push", "exit 0")
    proc = run_cli("uninstall", cwd=repo)
    assert proc.returncode == 0
    assert "not a mosaic-hooks hook; left alone" in proc.stdout
    assert (hooks_dir(repo) / "pre-push").exists()


def test_worktree_installs_for_the_whole_repository(repo: Path, tmp_path: Path) -> None:
    worktree = tmp_path / "wt"
    git(repo, "worktree", "add", "-q", "-b", "side", str(worktree))
    proc = run_cli("install", cwd=worktree)
    assert proc.returncode == 0, proc.stderr
    assert (hooks_dir(repo) / "pre-commit").exists()  # the common hooks dir, not .git/worktrees/wt/hooks
    assert not (repo / ".git" / "worktrees" / "wt" / "hooks").exists()
    (worktree / "w.py").write_text("1\n")
    git(worktree, "add", "w.py")
    commit = git_run(worktree, "commit", "-m", "from the worktree")
    assert commit.returncode == 0
    assert "mosaic[check] 1 relevant file: w.py" in commit.stdout + commit.stderr


def test_repository_local_core_hooks_path_is_honoured(repo: Path) -> None:
    git(repo, "config", "core.hooksPath", ".githooks")
    proc = run_cli("install", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert (repo / ".githooks" / "pre-commit").exists()
    assert not (hooks_dir(repo) / "pre-commit").exists()
    assert "core.hooksPath '.githooks' is relative" in proc.stdout
    # The developer's own virtualenv in the repository has mosaic-hooks.
    write_hook(repo / ".venv" / "bin" / "mosaic-hooks", f'exec {sys.executable} -m mosaic_hooks "$@"')
    (repo / "h.py").write_text("1\n")
    git(repo, "add", "h.py")
    commit = git_run(repo, "commit", "-m", "x")
    assert "mosaic[check]" in commit.stdout + commit.stderr  # git shows a commit hook's output on stderr


def test_global_core_hooks_path_is_refused_unless_forced(repo: Path, tmp_path: Path) -> None:
    shared = tmp_path / "global-hooks"
    git(repo, "config", "--global", "core.hooksPath", str(shared))
    proc = run_cli("install", cwd=repo)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "core.hooksPath is set in the global git config" in proc.stderr
    assert "git config core.hooksPath .git/hooks" in proc.stderr  # the hint
    assert not shared.exists()
    forced = run_cli("install", "--force", cwd=repo)
    assert forced.returncode == 0
    assert (shared / "pre-commit").exists()
    assert "warning: writing into" in forced.stdout


def test_interpreter_gone_falls_back_to_mosaic_hooks_on_path(repo: Path, tmp_path: Path) -> None:
    run_cli("install", "--hook-type", "pre-commit", cwd=repo)
    hook = hooks_dir(repo) / "pre-commit"
    hook.write_text(hook.read_text().replace(f"INSTALL_PYTHON={sys.executable}",
                                             f"INSTALL_PYTHON={tmp_path}/deleted-venv/bin/python"))
    (repo / "a.py").write_text("1\n")
    git(repo, "add", "a.py")
    # No mosaic-hooks anywhere: the commit is blocked with a line saying what to do.
    bare_path = "/usr/bin:/bin"
    blocked = git_run(repo, "commit", "-m", "x", env={"PATH": bare_path})
    assert blocked.returncode != 0
    assert "not on PATH" in blocked.stderr
    # With mosaic-hooks on PATH, it is used, and the user is told why.
    bindir = tmp_path / "bin"
    write_hook(bindir / "mosaic-hooks", f'exec {sys.executable} -m mosaic_hooks "$@"')
    ok = git_run(repo, "commit", "-m", "x", env={"PATH": f"{bindir}:{bare_path}"})
    assert ok.returncode == 0, ok.stderr
    assert "is gone; using" in ok.stderr
    assert "mosaic[check]" in ok.stderr


def test_bare_repository_gets_server_hooks(tmp_path: Path) -> None:
    bare = tmp_path / "server.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    proc = run_cli("install", cwd=bare)
    assert proc.returncode == 0, proc.stderr
    assert (bare / "hooks" / "pre-receive").exists() and (bare / "hooks" / "post-receive").exists()
    assert not (bare / "hooks" / "pre-commit").exists()
    refused = run_cli("install", "--hook-type", "pre-commit", cwd=bare)
    assert refused.returncode == 2 and "bare repository" in refused.stderr


@pytest.fixture
def server(tmp_path: Path, repo: Path) -> Path:
    bare = tmp_path / "server.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    git(repo, "remote", "add", "server", str(bare))
    git(repo, "push", "-q", "--no-verify", "server", "main")
    assert run_cli("install", cwd=bare).returncode == 0
    return bare


def test_push_to_bare_repository_runs_pre_receive_on_every_range(repo: Path, server: Path) -> None:
    commit_files(repo, {"app.py": "x = 1\n"})
    git(repo, "checkout", "-q", "-b", "feature")
    commit_files(repo, {"feature.py": "y = 1\n"})
    push = git_run(repo, "push", "--no-verify", "server", "main", "feature")
    assert push.returncode == 0, push.stderr
    assert "remote: mosaic[check] 1 relevant file: app.py" in push.stderr
    assert "remote: mosaic[check] 1 relevant file: feature.py" in push.stderr


def test_pre_receive_rejects_the_push_with_the_reason(repo: Path, server: Path) -> None:
    before = git(server, "rev-parse", "main")
    commit_files(repo, {"app.py": "x = 1\n"})
    push = git_run(repo, "push", "--no-verify", "server", "main", env={"MOSAIC_SKIP": "no-such-check"})
    assert push.returncode != 0
    assert "remote: mosaic-hooks: MOSAIC_SKIP names unknown check(s): no-such-check" in push.stderr
    assert "pre-receive hook declined" in push.stderr
    assert git(server, "rev-parse", "main") == before
    # A failing chained pre-receive hook rejects as well.
    write_hook(server / "hooks" / "pre-receive.legacy", "echo 'policy: no pushes today'\nexit 1")
    push = git_run(repo, "push", "--no-verify", "server", "main")
    assert push.returncode != 0 and "policy: no pushes today" in push.stderr
    assert git(server, "rev-parse", "main") == before


def test_post_receive_starts_verification_in_the_background(repo: Path, server: Path) -> None:
    before = git(server, "rev-parse", "main")
    head = commit_files(repo, {"README.md": "new\n"})
    push = git_run(repo, "push", "--no-verify", "server", "main")
    assert push.returncode == 0, push.stderr
    log = server / "mosaic-hooks" / "verify.log"
    assert f"remote: mosaic-hooks: verifying {head[:10]} on refs/heads/main in the background (log: " in push.stderr
    header = log.read_text().splitlines()[0]
    assert f"verify {head} (base {before})" in header
    # The verification's own output goes to the log, never to the pusher.
    deadline = time.monotonic() + 30
    while len(log.read_text().splitlines()) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(log.read_text().splitlines()) >= 2
    first_output = log.read_text().splitlines()[1]
    assert first_output not in push.stderr


def test_a_foreign_hook_and_a_foreign_legacy_file_are_both_left_alone(repo: Path) -> None:
    write_hook(hooks_dir(repo) / "pre-commit", "exit 0")
    write_hook(hooks_dir(repo) / "pre-commit.legacy", "exit 0")
    proc = run_cli("install", "--hook-type", "pre-commit", cwd=repo)
    assert proc.returncode == 2
    assert "both" in proc.stderr and "neither is ours" in proc.stderr
    assert not hook_script.is_our_script((hooks_dir(repo) / "pre-commit").read_text())


def test_submodule_installs_into_its_own_git_dir(repo: Path, tmp_path: Path) -> None:
    library = tmp_path / "library"
    git(tmp_path, "init", "-q", str(library))
    commit_files(library, {"lib.py": "x = 1\n"})
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(library), "vendor/lib")
    sub = repo / "vendor" / "lib"
    proc = run_cli("install", "--hook-type", "pre-commit", cwd=sub)
    assert proc.returncode == 0, proc.stderr
    assert (repo / ".git" / "modules" / "vendor" / "lib" / "hooks" / "pre-commit").exists()
    (sub / "more.py").write_text("y = 2\n")
    git(sub, "add", "more.py")
    commit = git_run(sub, "commit", "-m", "in the submodule")
    assert commit.returncode == 0
    assert "mosaic[check] 1 relevant file: more.py" in commit.stderr


def test_commit_all_and_partial_commits_see_the_index_git_is_committing(repo: Path) -> None:
    commit_files(repo, {"tracked.py": "x = 1\n", "other.py": "y = 1\n"})
    run_cli("install", "--hook-type", "pre-commit", cwd=repo)
    (repo / "tracked.py").write_text("x = 2\n")  # modified, not staged: `commit -a` stages it in a temporary index
    commit = git_run(repo, "commit", "-a", "-m", "all")
    assert commit.returncode == 0
    assert "mosaic[check] 1 relevant file: tracked.py" in commit.stderr
    (repo / "other.py").write_text("y = 2\n")
    (repo / "README.md").write_text("readme change\n")
    git(repo, "add", "README.md")
    partial = git_run(repo, "commit", "-m", "only other.py", "--", "other.py")
    assert partial.returncode == 0
    assert "mosaic[check] 1 relevant file: other.py" in partial.stderr


def test_hooks_for_a_committed_hooks_directory_name_no_interpreter(repo: Path, tmp_path: Path) -> None:
    git(repo, "config", "core.hooksPath", ".githooks")
    proc = run_cli("install", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert "is inside the work tree: the hooks run mosaic-hooks from the repository's .venv/venv or PATH" \
        in proc.stdout
    for name in ("pre-commit", "pre-push"):
        text = (repo / ".githooks" / name).read_text()
        assert "INSTALL_PYTHON=''" in text and sys.executable not in text and str(Path.home()) not in text
    # Another developer's clone, with mosaic-hooks on PATH only: the committed hook works there too.
    git(repo, "add", ".githooks")
    git(repo, "commit", "-q", "--no-verify", "-m", "share the hooks")
    bindir = tmp_path / "bin"
    write_hook(bindir / "mosaic-hooks", f'exec {sys.executable} -m mosaic_hooks "$@"')
    (repo / "h.py").write_text("1\n")
    git(repo, "add", "h.py")
    ok = git_run(repo, "commit", "-m", "x", env={"PATH": f"{bindir}:/usr/bin:/bin"})
    assert ok.returncode == 0, ok.stderr
    assert "mosaic[check]" in ok.stderr and "is gone" not in ok.stderr


def test_install_beside_the_pre_commit_frameworks_hook_refuses_and_says_what_to_add(repo: Path) -> None:
    framework = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo, capture_output=True,
                               text=True, timeout=120)
    assert framework.returncode == 0, framework.stderr
    before = (hooks_dir(repo) / "pre-commit").read_bytes()
    proc = run_cli("install", cwd=repo)
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert lines[0].startswith("mosaic-hooks: refusing to install: pre-commit in ")
    assert "managed by the pre-commit framework" in lines[0] and "nothing was changed" in lines[0]
    assert lines[2:4] == ["  - {repo: https://github.com/mosaic-hooks/mosaic-hooks, rev: <commit sha>,",
                          "     hooks: [{id: mosaic-check}, {id: mosaic-gate}, {id: mosaic-verify}]}"]
    assert "pre-commit install --hook-type pre-commit --hook-type pre-push" in lines[4]
    assert "Traceback" not in proc.stderr
    # Never rewritten: pre-commit's hook is untouched, nothing renamed to .legacy, no pre-push written.
    assert (hooks_dir(repo) / "pre-commit").read_bytes() == before
    assert not (hooks_dir(repo) / "pre-commit.legacy").exists()
    assert not (hooks_dir(repo) / "pre-push").exists()


def test_beside_pre_commit_with_mosaic_hooks_already_configured_it_says_so(repo: Path) -> None:
    (repo / ".pre-commit-config.yaml").write_text("repos:\n  - repo: local\n    hooks:\n      - id: mosaic-check\n"
                                                  "        name: m\n        entry: mosaic-hooks check\n"
                                                  "        language: system\n        pass_filenames: false\n")
    subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo, check=True, capture_output=True,
                   timeout=120)
    proc = run_cli("install", cwd=repo)
    assert proc.returncode == 2
    assert "already in .pre-commit-config.yaml; for the pre-push stage too run: pre-commit install " \
           "--hook-type pre-push" in proc.stderr

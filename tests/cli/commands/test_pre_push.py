"""`mosaic-hooks pre-push`: every ref of a real `git push`, the pre-commit framework's range, bad input."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import commit_files, git, run_cli


def git_run(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=60)


@pytest.fixture
def hooked(repo: Path, remote: Path) -> Path:
    """`repo` with its bare remote and our pre-push hook installed."""
    assert run_cli("install", "--hook-type", "pre-push", cwd=repo).returncode == 0
    return repo


def test_every_ref_of_a_push_is_checked(hooked: Path) -> None:
    commit_files(hooked, {"main.py": "1\n"})
    git(hooked, "checkout", "-q", "-b", "feature")
    commit_files(hooked, {"feature.py": "1\n"})
    git(hooked, "branch", "other", "main")
    push = git_run(hooked, "push", "origin", "main", "feature")
    assert push.returncode == 0, push.stderr
    assert "mosaic[pre-push] refs/heads/main -> refs/heads/main: checking" in push.stderr
    assert "mosaic[pre-push] refs/heads/feature -> refs/heads/feature: checking" in push.stderr
    assert "relevant file: main.py" in push.stderr and "relevant file: feature.py" in push.stderr


def test_deletion_and_existing_tag_send_nothing_and_say_so(hooked: Path) -> None:
    git(hooked, "push", "-q", "--no-verify", "origin", "main:refs/heads/gone")
    git(hooked, "tag", "-a", "v1", "-m", "v1")
    push = git_run(hooked, "push", "origin", ":gone", "v1")
    assert push.returncode == 0, push.stderr
    assert "mosaic[pre-push] refs/heads/gone: deleted, nothing to check" in push.stderr
    assert "mosaic[pre-push] refs/tags/v1 -> refs/tags/v1: no new commits, nothing to check" in push.stderr


def test_detached_head_push(hooked: Path) -> None:
    git(hooked, "checkout", "-q", "--detach")
    commit_files(hooked, {"d.py": "1\n"})
    push = git_run(hooked, "push", "origin", "HEAD:refs/heads/detached")
    assert push.returncode == 0, push.stderr
    assert "mosaic[pre-push] HEAD -> refs/heads/detached: checking" in push.stderr
    assert "relevant file: d.py" in push.stderr


def test_shallow_clone_push(hooked: Path, remote: Path, tmp_path: Path) -> None:
    commit_files(hooked, {"two.py": "2\n"})
    git(hooked, "push", "-q", "--no-verify", "origin", "main")
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{remote}", str(shallow))
    assert run_cli("install", "--hook-type", "pre-push", cwd=shallow).returncode == 0
    git(shallow, "checkout", "-q", "-b", "new")
    commit_files(shallow, {"s.py": "1\n"})
    push = git_run(shallow, "push", "origin", "new")
    assert push.returncode == 0, push.stderr
    assert "relevant file: s.py" in push.stderr


def test_sha256_repository_push_and_delete(tmp_path: Path) -> None:
    work = tmp_path / "w256"
    bare = tmp_path / "r256.git"
    git(tmp_path, "init", "-q", "--object-format=sha256", str(work))
    git(tmp_path, "init", "-q", "--bare", "--object-format=sha256", str(bare))
    commit_files(work, {"a.py": "1\n"})
    git(work, "remote", "add", "origin", str(bare))
    assert run_cli("install", "--hook-type", "pre-push", cwd=work).returncode == 0
    push = git_run(work, "push", "origin", "main", "main:refs/heads/extra")
    assert push.returncode == 0, push.stderr
    assert "refs/heads/main -> refs/heads/main: checking (root)" in push.stderr
    delete = git_run(work, "push", "origin", ":extra")
    assert delete.returncode == 0, delete.stderr
    assert "mosaic[pre-push] refs/heads/extra: deleted, nothing to check" in delete.stderr


def test_garbage_on_stdin_is_one_line_and_exit_2(repo: Path) -> None:
    proc = run_cli("pre-push", "origin", "url", cwd=repo, input="this is not a ref line\n")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "pre-push input line 1 is not '<local ref> <local sha> <remote ref> <remote sha>'" in proc.stderr


def test_no_input_at_all_has_nothing_to_check(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    git(tmp_path, "init", "-q", str(empty))
    proc = run_cli("pre-push", cwd=empty, input="")
    assert proc.returncode == 0
    assert proc.stdout.strip() == ("mosaic[pre-push] nothing to check: no ref lines on stdin and no "
                                   "PRE_COMMIT_FROM_REF/PRE_COMMIT_TO_REF")


def test_pre_commit_framework_refs_give_the_range(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD")
    head = commit_files(repo, {"api.py": "1\n"})
    proc = run_cli("pre-push", cwd=repo, input="ignored garbage\n",
                   env={"PRE_COMMIT_FROM_REF": base, "PRE_COMMIT_TO_REF": head})
    assert proc.returncode == 0, proc.stderr
    assert f"{base[:10]}..{head[:10]} (from PRE_COMMIT_FROM_REF/TO_REF)" in proc.stdout
    assert "relevant file: api.py" in proc.stdout


def test_bypasses_print_one_line_each(hooked: Path) -> None:
    commit_files(hooked, {"x.py": "1\n"})
    off = git_run(hooked, "push", "origin", "main", env={"MOSAIC_HOOKS": "0"})
    assert off.returncode == 0 and "mosaic-hooks: pre-push: skipped (MOSAIC_HOOKS=0)" in off.stderr
    commit_files(hooked, {"y.py": "1\n"})
    skip = git_run(hooked, "push", "origin", "main", env={"SKIP": "mosaic-gate"})
    assert skip.returncode == 0 and "mosaic-hooks: pre-push: skipped (SKIP=mosaic-gate)" in skip.stderr
    commit_files(hooked, {"z.py": "1\n"})
    local = git_run(hooked, "push", "origin", "main", env={"MOSAIC_SKIP": "local"})
    assert local.returncode == 0 and "mosaic-hooks: local: skipped (MOSAIC_SKIP)" in local.stderr
    assert "relevant file" not in local.stderr


def test_end_to_end_one_push_passes_one_is_blocked(hooked: Path, remote: Path) -> None:
    assert run_cli("install", "--hook-type", "pre-commit", cwd=hooked).returncode == 0
    (hooked / "service.py").write_text("app = 1\n")
    git(hooked, "add", "service.py")
    commit = git_run(hooked, "commit", "-m", "service")
    assert commit.returncode == 0 and "mosaic[check] 1 relevant file: service.py" in commit.stderr
    push = git_run(hooked, "push", "origin", "main")
    assert push.returncode == 0, push.stderr
    assert git(remote, "rev-parse", "main") == git(hooked, "rev-parse", "HEAD")

    commit_files(hooked, {"more.py": "1\n"})
    blocked = git_run(hooked, "push", "origin", "main", env={"MOSAIC_SKIP": "helth"})
    assert blocked.returncode != 0
    assert "mosaic-hooks: MOSAIC_SKIP names unknown check(s): helth" in blocked.stderr
    assert "failed to push" in blocked.stderr
    assert git(remote, "rev-parse", "main") != git(hooked, "rev-parse", "HEAD")
    forced = git_run(hooked, "push", "--no-verify", "origin", "main", env={"MOSAIC_SKIP": "helth"})
    assert forced.returncode == 0 and "mosaic" not in forced.stderr  # git's own bypass: the hook never ran


def test_hook_messages_keep_porcelain_stdout_clean(hooked: Path) -> None:
    commit_files(hooked, {"p.py": "1\n"})
    push = git_run(hooked, "push", "--porcelain", "origin", "main")
    assert push.returncode == 0
    assert "mosaic" not in push.stdout and "mosaic[pre-push]" in push.stderr


def test_force_push_over_a_remote_tip_this_clone_never_saw(hooked: Path, remote: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(remote), str(other))
    commit_files(other, {"theirs.py": "1\n"})
    git(other, "push", "-q", "--no-verify", "origin", "main")  # hooked's clone has not fetched this
    commit_files(hooked, {"ours.py": "1\n"})
    push = git_run(hooked, "push", "--force", "origin", "main")
    assert push.returncode == 0, push.stderr
    assert "fatal" not in push.stderr.lower()  # the probe for the unknown remote tip is silent
    assert "relevant file: ours.py" in push.stderr and "theirs.py" not in push.stderr


def test_pushed_file_names_that_are_not_utf8(hooked: Path) -> None:
    name = b"caf\xe9.py"
    with open(bytes(hooked) + b"/" + name, "w") as handle:
        handle.write("x = 1\n")
    subprocess.run([b"git", b"add", b"--", name], cwd=hooked, check=True)
    git(hooked, "commit", "-q", "--no-verify", "-m", "latin-1 name")
    push = git_run(hooked, "push", "origin", "main")
    assert push.returncode == 0, push.stderr
    assert "relevant file: caf\ufffd.py" in push.stderr and "Traceback" not in push.stderr


def test_a_silent_stdin_pipe_is_an_error_not_a_hang(monkeypatch: pytest.MonkeyPatch) -> None:
    from mosaic_hooks.cli.commands import pre_push
    from mosaic_hooks.hooks.push_range import PushInputError

    read_end, write_end = os.pipe()  # a writer that never writes nor closes
    try:
        with open(read_end) as silent:
            monkeypatch.setattr("sys.stdin", silent)
            with pytest.raises(PushInputError, match=r"no input on stdin within 0\.2 s"):
                pre_push.read_stdin(timeout=0.2)
    finally:
        os.close(write_end)


def test_under_the_pre_commit_framework_stdin_is_not_read(repo: Path) -> None:
    proc = run_cli("pre-push", cwd=repo, input="garbage the framework would have consumed\n",
                   env={"PRE_COMMIT": "1"})
    assert proc.returncode == 0
    assert "nothing to check" in proc.stdout

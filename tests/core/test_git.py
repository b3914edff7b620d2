"""Finding the repository from anywhere: clone, subdirectory, linked worktree, submodule, bare, .git dir."""

from __future__ import annotations

from pathlib import Path

import pytest

from mosaic_hooks.core import git as mgit
from mosaic_hooks.core.errors import GitError
from tests.conftest import git


def test_clone_and_subdirectory(repo: Path) -> None:
    sub = repo / "pkg" / "inner"
    sub.mkdir(parents=True)
    found = mgit.find_repo(sub)
    assert (found.root, found.git_dir, found.common_dir, found.bare) == (
        repo, repo / ".git", repo / ".git", False)


def test_linked_worktree_shares_the_common_dir(repo: Path, tmp_path: Path) -> None:
    worktree = tmp_path / "wt"
    git(repo, "worktree", "add", "-q", "-b", "side", str(worktree))
    found = mgit.find_repo(worktree)
    assert found.root == worktree
    assert found.git_dir == repo / ".git" / "worktrees" / "wt"
    assert found.common_dir == repo / ".git"
    assert not found.bare


def test_submodule(repo: Path, tmp_path: Path) -> None:
    library = tmp_path / "library"
    library.mkdir()
    git(library, "init", "-q")
    (library / "lib.py").write_text("x = 1\n")
    git(library, "add", ".")
    git(library, "commit", "-q", "-m", "lib")
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(library), "vendor/lib")
    found = mgit.find_repo(repo / "vendor" / "lib")
    assert found.root == repo / "vendor" / "lib"
    assert found.git_dir == repo / ".git" / "modules" / "vendor" / "lib"
    assert found.common_dir == found.git_dir
    assert not found.bare


def test_bare_repository(tmp_path: Path) -> None:
    bare = tmp_path / "server.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    found = mgit.find_repo(bare)
    assert (found.root, found.git_dir, found.bare) == (bare, bare, True)
    assert mgit.find_repo(bare / "refs" / "heads").git_dir == bare


def test_inside_the_git_directory(repo: Path) -> None:
    found = mgit.find_repo(repo / ".git" / "refs")
    assert (found.root, found.git_dir, found.bare) == (repo, repo / ".git", False)


def test_outside_any_repository_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(GitError, match="not inside a git repository"):
        mgit.find_repo(tmp_path)
    with pytest.raises(GitError, match="no such directory"):
        mgit.find_repo(tmp_path / "missing")


def test_a_full_sha_is_40_or_64_lowercase_hex_digits_and_nothing_else() -> None:
    assert mgit.is_full_sha("a" * 40) and mgit.is_full_sha("0123456789abcdef" * 4)
    assert not mgit.is_full_sha("a" * 39) and not mgit.is_full_sha("a" * 41) and not mgit.is_full_sha("a" * 63)
    assert not mgit.is_full_sha("A" * 40)  # git prints lowercase; callers lower user input first
    assert not mgit.is_full_sha("HEAD") and not mgit.is_full_sha("a" * 40 + "\n")


def test_blobs_and_object_types_are_read_in_one_process_each_and_unknown_names_are_left_out(repo: Path) -> None:
    (repo / "a.txt").write_text("alpha\n")
    git(repo, "add", "a.txt")
    git(repo, "commit", "-qm", "a")
    r = mgit.find_repo(repo)
    head = r.out("rev-parse", "HEAD")
    blob = r.out("rev-parse", "HEAD:a.txt")
    absent = "f" * 40
    assert mgit.read_blobs(r, [absent, blob, blob]) == {blob: b"alpha\n"}
    assert mgit.object_types(r, [f"{head}^{{commit}}", blob, f"{absent}^{{commit}}", f"{blob}^{{commit}}"]) == {
        f"{head}^{{commit}}": "commit", blob: "blob"}


def test_a_failed_git_call_says_gits_last_reason_line(repo: Path) -> None:
    with pytest.raises(GitError, match=r"^git cat-file failed: fatal: Not a valid object name nope$"):
        mgit.run("cat-file", "-p", "nope", cwd=repo)

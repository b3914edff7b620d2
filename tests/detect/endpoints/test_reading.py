"""Revisions are read by blob id (git.blob_ids + git.read_blobs), the same contents as a path read."""

from __future__ import annotations

from pathlib import Path

from mosaic_hooks.core import git as gitmod

from .helpers import commit_tree, git


def test_blob_reads_match_path_reads_for_a_commit_and_the_index(tmp_path: Path) -> None:
    repo_dir = tmp_path / "repo"
    repo_dir.mkdir()
    git(repo_dir, "init", "-q")
    files = {"a.py": "print('a')\n", "dir/b.py": "b = 1\n", "dir/with space.py": "", "dup.py": "b = 1\n"}
    sha = commit_tree(repo_dir, files, "files")
    (repo_dir / "a.py").write_text("print('staged')\n")
    git(repo_dir, "add", "a.py")
    (repo_dir / "a.py").write_text("print('worktree only')\n")
    repo = gitmod.find_repo(repo_dir)
    for rev in (sha, None):
        ids = gitmod.blob_ids(repo, rev)
        assert sorted(ids) == sorted(files)
        blobs = gitmod.read_blobs(repo, ids.values())
        assert {p: blobs[oid] for p, oid in ids.items()} == gitmod.read_files(repo, rev, list(ids))
    assert gitmod.read_blobs(repo, [gitmod.blob_ids(repo, None)["a.py"]]) != {}
    assert next(iter(gitmod.read_blobs(repo, [gitmod.blob_ids(repo, None)["a.py"]]).values())) == b"print('staged')\n"
    assert gitmod.read_blobs(repo, []) == {}

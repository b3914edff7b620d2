"""Static analysis against the truth: the routes each framework reports once the app is loaded.

Every corpus project is committed to a real repository; `extract_endpoints` reads it statically and
`introspect_endpoints` imports the app in a child process with the real framework. The sets must match
exactly, Django admin pages included.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mosaic_hooks.core import git as gitmod
from mosaic_hooks.detect.endpoints import extract_endpoints, introspect_endpoints
from mosaic_hooks.detect.snapshot import GitSnapshot

from .helpers import commit_tree, git, load_sibling

corpus = load_sibling("corpus")


@pytest.mark.parametrize("name", sorted(corpus.PROJECTS))
def test_static_endpoints_match_what_the_app_itself_reports(name: str, tmp_path: Path) -> None:
    project = corpus.PROJECTS[name]
    repo_dir = tmp_path / "repo"
    repo_dir.mkdir()
    git(repo_dir, "init", "-q")
    sha = commit_tree(repo_dir, project.files, "corpus")
    repo = gitmod.find_repo(repo_dir)

    static, warnings = extract_endpoints(GitSnapshot(repo, sha))
    truth = introspect_endpoints(repo, sha, project.target, timeout=60)

    static_keys = {e.key for e in static}
    truth_keys = {e.key for e in truth}
    assert truth_keys, "the app reported no route: the corpus project is broken"
    assert static_keys - truth_keys == set(), "invented endpoints"
    assert truth_keys - static_keys == set(), "missed endpoints"
    assert warnings == []

"""Which branch the service deploys: the `deploy_branch` key first, always; then Render's service branch when
the API is configured; then the remote's HEAD (as last fetched, for the hook's cheap question; asked of the
remote when the clone does not know it). When nobody can tell, only main or master deploy."""

from __future__ import annotations

from pathlib import Path

from mosaic_hooks.core import config, git
from mosaic_hooks.render import deploy_branch
from mosaic_hooks.render.deploy_branch import DeployBranch
from mosaic_hooks.testing.render_fake import RenderFake
from tests.conftest import git as run_git


def test_a_clone_knows_the_remotes_head_without_asking_it(remote: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    run_git(tmp_path, "clone", "-q", str(remote), str(clone))
    found, cfg = git.find_repo(clone), config.load(clone, env={})
    assert deploy_branch.known_locally(found, cfg, "origin").ref == "refs/heads/main"
    assert deploy_branch.known_locally(found, cfg, None).ref is None


def test_a_repository_that_only_pushed_does_not_know_it_locally_but_the_remote_says(repo: Path,
                                                                                  remote: Path) -> None:
    found, cfg = git.find_repo(repo), config.load(repo, env={})
    assert deploy_branch.known_locally(found, cfg, "origin").name is None
    assert deploy_branch.resolve(found, cfg, remote=str(remote)).ref == "refs/heads/main"
    assert deploy_branch.resolve(found, cfg).describe() == "main (origin's HEAD)"
    run_git(remote, "symbolic-ref", "HEAD", "refs/heads/production")  # a HEAD naming a branch not there yet
    assert deploy_branch.resolve(found, cfg, remote=str(remote)).name is None


def test_the_key_wins_in_the_cheap_answer_and_the_full_one(remote: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    run_git(tmp_path, "clone", "-q", str(remote), str(clone))
    with RenderFake() as fake:
        fake.add_service("srv-1", branch="production")
        cfg = config.load(clone, env={**fake.env("srv-1"), "MOSAIC_DEPLOY_BRANCH": "release"})
        found = git.find_repo(clone)
        assert deploy_branch.known_locally(found, cfg, "origin").ref == "refs/heads/release"
        assert deploy_branch.resolve(found, cfg, remote="origin").ref == "refs/heads/release"
        assert fake.requests == []  # the key answers before Render is asked


def test_render_s_service_branch_wins_over_the_remotes_head_when_the_api_is_configured(repo: Path,
                                                                                       remote: Path) -> None:
    with RenderFake() as fake:
        fake.add_service("srv-1", branch="production")
        cfg = config.load(repo, env=fake.env("srv-1"))
        found = git.find_repo(repo)
        assert deploy_branch.known_locally(found, cfg, "origin").name is None
        assert fake.requests == []  # the cheap answer (the hook's) asks nobody
        assert deploy_branch.resolve(found, cfg, remote=str(remote)).ref == "refs/heads/production"


def test_when_nobody_can_tell_only_main_or_master_deploys() -> None:
    unknown = DeployBranch(None, "nobody knows")
    assert deploy_branch.deploys("refs/heads/main", unknown)
    assert deploy_branch.deploys("refs/heads/master", unknown)
    assert not deploy_branch.deploys("refs/heads/feature", unknown)
    production = DeployBranch("production", "deploy_branch in the configuration")
    assert deploy_branch.deploys("refs/heads/production", production)
    assert not deploy_branch.deploys("refs/heads/main", production)

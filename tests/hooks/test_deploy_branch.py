"""Which branch deploys, until a `deploy_branch` setting says so: the remote's HEAD (as last fetched, for the
hook; as the remote says, for the background job), Render's service branch when the API is configured, and
when nobody can tell, main or master."""

from __future__ import annotations

from pathlib import Path

from mosaic_hooks.core import config, git
from mosaic_hooks.hooks import deploy_branch
from tests.conftest import git as run_git


def test_a_clone_knows_the_remotes_head_without_asking_it(remote: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    run_git(tmp_path, "clone", "-q", str(remote), str(clone))
    assert deploy_branch.known_locally(git.find_repo(clone), "origin") == "refs/heads/main"
    assert deploy_branch.known_locally(git.find_repo(clone), None) is None


def test_a_repository_that_only_pushed_does_not_know_it_locally_but_the_remote_says(repo: Path,
                                                                                  remote: Path) -> None:
    found = git.find_repo(repo)
    assert deploy_branch.known_locally(found, "origin") is None
    assert deploy_branch.remote_head(found, str(remote)) == "refs/heads/main"
    run_git(remote, "symbolic-ref", "HEAD", "refs/heads/production")  # a HEAD naming a branch not there yet
    assert deploy_branch.remote_head(found, str(remote)) is None
    assert deploy_branch.resolve(found, config.load(repo, env={}), str(remote)) is None


def test_render_s_service_branch_wins_when_the_api_is_configured(repo: Path, remote: Path) -> None:
    from mosaic_hooks.testing.render_fake import RenderFake

    with RenderFake() as fake:
        fake.add_service("srv-1", branch="production")
        cfg = config.load(repo, env=fake.env("srv-1"))
        assert deploy_branch.resolve(git.find_repo(repo), cfg, str(remote)) == "refs/heads/production"


def test_when_nobody_can_tell_only_main_or_master_deploys() -> None:
    assert deploy_branch.deploys("refs/heads/main", None)
    assert deploy_branch.deploys("refs/heads/master", None)
    assert not deploy_branch.deploys("refs/heads/feature", None)
    assert deploy_branch.deploys("refs/heads/production", "refs/heads/production")
    assert not deploy_branch.deploys("refs/heads/main", "refs/heads/production")

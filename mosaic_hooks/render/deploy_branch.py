"""Which branch the service deploys: the `deploy_branch` key, else the Render service's `branch` (API),
else the remote's HEAD (its default branch).

`resolve()` is the one public answer, used by the pre-push stage (a push to any other branch checks
production as it stands and never waits for its own commit) and by anything that needs "the branch the
service deploys". Every question is bounded: one API request (two attempts), one local git lookup, and
at most one `git ls-remote` with a timeout.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mosaic_hooks.core import git
from mosaic_hooks.core.errors import GitError

if TYPE_CHECKING:
    from mosaic_hooks.core.config import Config

LS_REMOTE_TIMEOUT = 10.0


@dataclass(frozen=True)
class DeployBranch:
    name: str | None  # a short branch name ("main"); None: unknown
    source: str  # where the answer came from, or why there is none

    @property
    def ref(self) -> str | None:
        return f"refs/heads/{self.name}" if self.name else None

    def describe(self) -> str:
        return f"{self.name} ({self.source})" if self.name else f"unknown ({self.source})"


def _from_render(cfg: Config) -> str | None:
    from mosaic_hooks.render.api import RenderAPI, RenderAPIError

    assert cfg.render_api_key and cfg.render_service_id
    try:
        with RenderAPI(cfg.render_api_url, cfg.render_api_key, timeout=float(cfg.request_timeout),
                       attempts=2, backoff_max=2.0) as api:
            branch = api.get_service(cfg.render_service_id).get("branch")
    except RenderAPIError:
        return None
    return branch if isinstance(branch, str) and branch else None


def _from_remote_head(repo: git.Repo, remote: str) -> str | None:
    prefix = f"refs/remotes/{remote}/"
    proc = repo.git("symbolic-ref", "--quiet", f"{prefix}HEAD", check=False)
    target = proc.stdout.decode(errors="replace").strip()
    if proc.returncode == 0 and target.startswith(prefix):
        return target[len(prefix):]
    # Not recorded locally (a remote added by hand, not cloned): ask the remote, bounded and never prompting.
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_SSH_COMMAND": os.environ.get("GIT_SSH_COMMAND", "ssh")
           + " -o BatchMode=yes"}
    try:
        proc = repo.git("ls-remote", "--symref", remote, "HEAD", check=False, timeout=LS_REMOTE_TIMEOUT, env=env)
    except GitError:
        return None
    for line in proc.stdout.decode(errors="replace").splitlines():
        if line.startswith("ref: refs/heads/") and line.endswith("\tHEAD"):
            return line[len("ref: refs/heads/"):-len("\tHEAD")]
    return None


def default_remote(repo: git.Repo) -> str:
    """The remote of the current branch's upstream, else `origin`."""
    branch = git.current_branch(repo)
    if branch:
        proc = repo.git("config", "--get", f"branch.{branch}.remote", check=False)
        name = proc.stdout.decode(errors="replace").strip()
        if proc.returncode == 0 and name and name != ".":
            return name
    return "origin"


def resolve(repo: git.Repo | None, cfg: Config, *, remote: str | None = None) -> DeployBranch:
    """The branch the service deploys, and how that is known."""
    if cfg.deploy_branch:
        return DeployBranch(cfg.deploy_branch.removeprefix("refs/heads/"), "deploy_branch in the configuration")
    if cfg.render_api_key and cfg.render_service_id:
        branch = _from_render(cfg)
        if branch:
            return DeployBranch(branch, f"Render service {cfg.render_service_id}")
    if repo is None or repo.bare:
        return DeployBranch(None, "no deploy_branch set and no remote to ask")
    remote = remote or default_remote(repo)
    branch = _from_remote_head(repo, remote)
    if branch:
        return DeployBranch(branch, f"{remote}'s HEAD")
    return DeployBranch(None, f"no deploy_branch set, and {remote}'s HEAD is not known")

"""Which branch the service deploys: the `deploy_branch` key, else the Render service's `branch` (API),
else the remote's HEAD (its default branch).

Two questions, of different cost, with the same first answer (the `deploy_branch` key):
- `known_locally()`: what the clone knows without a network call (the key, else the remote's HEAD as last
  fetched). The pre-push hook's start of the background verification asks it, and must stay fast.
- `resolve()`: the full answer, asked by the pre-push production check and by the background verification.
  Every question is bounded: one API request (two attempts), one local git lookup, and at most one
  `git ls-remote` with a timeout.

`deploys()` says whether a push to a branch deploys; when nobody can tell which branch does, only main or
master are taken for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from mosaic_hooks.core import git
from mosaic_hooks.core.errors import GitError

if TYPE_CHECKING:
    from mosaic_hooks.core.config import Config

HEADS = "refs/heads/"
LS_REMOTE_TIMEOUT = 10.0
# When nobody can tell which branch deploys, only these are taken for it: verifying a feature branch
# would wait for a deploy that never comes and record an undecided verdict.
CONVENTIONAL = ("main", "master")


@dataclass(frozen=True)
class DeployBranch:
    name: str | None  # a short branch name ("main"); None: unknown
    source: str  # where the answer came from, or why there is none

    @property
    def ref(self) -> str | None:
        return f"{HEADS}{self.name}" if self.name else None

    def describe(self) -> str:
        return f"{self.name} ({self.source})" if self.name else f"unknown ({self.source})"


def deploys(ref: str, deploy: DeployBranch) -> bool:
    """Whether a push to `ref` (`refs/heads/...`) deploys: it is the deploy branch, or that is unknown and
    `ref` is main or master. Pure."""
    if deploy.ref is not None:
        return ref == deploy.ref
    return ref in (HEADS + name for name in CONVENTIONAL)


def configured(cfg: Config) -> DeployBranch | None:
    """The `deploy_branch` key's answer; None when it is not set."""
    if not cfg.deploy_branch:
        return None
    return DeployBranch(cfg.deploy_branch.removeprefix(HEADS), "deploy_branch in the configuration")


def known_locally(repo: git.Repo, cfg: Config, remote_name: str | None) -> DeployBranch:
    """The key, else the remote's HEAD as this clone last saw it: no network, one git process at most."""
    key = configured(cfg)
    if key is not None:
        return key
    branch = _local_remote_head(repo, remote_name) if remote_name else None
    if branch:
        return DeployBranch(branch, f"{remote_name}'s HEAD as last fetched")
    return DeployBranch(None, "no deploy_branch set, and the remote's HEAD is not known locally")


def resolve(repo: git.Repo | None, cfg: Config, *, remote: str | None = None) -> DeployBranch:
    """The branch the service deploys, and how that is known. `remote` is a remote's name or URL."""
    key = configured(cfg)
    if key is not None:
        return key
    if cfg.render_api_key and cfg.render_service_id:
        branch = _from_render(cfg)
        if branch:
            return DeployBranch(branch, f"Render service {cfg.render_service_id}")
    if repo is None or repo.bare:
        return DeployBranch(None, "no deploy_branch set and no remote to ask")
    remote = remote or default_remote(repo)
    branch = _local_remote_head(repo, remote) or _asked_remote_head(repo, remote)
    if branch:
        return DeployBranch(branch, f"{remote}'s HEAD")
    return DeployBranch(None, f"no deploy_branch set, and {remote}'s HEAD is not known")


def default_remote(repo: git.Repo) -> str:
    """The remote of the current branch's upstream, else `origin`."""
    branch = git.current_branch(repo)
    if branch:
        proc = repo.git("config", "--get", f"branch.{branch}.remote", check=False)
        name = proc.stdout.decode(errors="replace").strip()
        if proc.returncode == 0 and name and name != ".":
            return name
    return "origin"


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


def _local_remote_head(repo: git.Repo, remote: str) -> str | None:
    """`refs/remotes/<remote>/HEAD` as recorded by a clone or `git remote set-head`; no network."""
    prefix = f"refs/remotes/{remote}/"
    proc = repo.git("symbolic-ref", "--quiet", f"{prefix}HEAD", check=False)
    target = proc.stdout.decode(errors="replace").strip()
    return target[len(prefix):] if proc.returncode == 0 and target.startswith(prefix) else None


def _asked_remote_head(repo: git.Repo, remote: str) -> str | None:
    """The branch the remote's HEAD names, asked of the remote (bounded, never prompting); None if it cannot
    be asked or its HEAD names a branch that does not exist yet."""
    import os

    env = git.network_env()  # a hook or a background process has nobody to type a password
    env["GIT_SSH_COMMAND"] = os.environ.get("GIT_SSH_COMMAND", "ssh") + " -o BatchMode=yes"
    try:
        proc = repo.git("ls-remote", "--symref", "--", remote, "HEAD", check=False, timeout=LS_REMOTE_TIMEOUT,
                        env=env)
    except GitError:
        return None
    for line in proc.stdout.decode(errors="replace").splitlines():
        if line.startswith(f"ref: {HEADS}") and line.endswith("\tHEAD"):
            return line[len(f"ref: {HEADS}"):-len("\tHEAD")]
    return None

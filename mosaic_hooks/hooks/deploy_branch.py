"""Which branch the service deploys, until a `deploy_branch` setting says so (the neighbouring issue 12).

Two questions, of different cost:
- `known_locally`: what this clone knows without a network call (the remote's HEAD as last fetched),
  asked by the pre-push hook, which must stay fast; None when it does not know.
- `resolve`: asked by the background verification, which may take its time: Render's service `branch`
  when the API is configured, else the remote's HEAD as the remote says (`git ls-remote --symref`).

A later `deploy_branch` key goes first in both; nothing else needs to change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mosaic_hooks.core import git
from mosaic_hooks.core.errors import GitError

if TYPE_CHECKING:
    from mosaic_hooks.core.config import Config

HEADS = "refs/heads/"
LS_REMOTE_TIMEOUT = 30.0
# When nobody can tell which branch deploys, only these are taken for it: verifying a feature branch
# would wait for a deploy that never comes and record an undecided verdict.
CONVENTIONAL = ("refs/heads/main", "refs/heads/master")


def known_locally(repo: git.Repo, remote: str | None) -> str | None:
    """`refs/heads/<branch>` of the remote's HEAD as this clone last saw it; None when unknown."""
    if not remote:
        return None
    proc = repo.git("symbolic-ref", "--quiet", f"refs/remotes/{remote}/HEAD", check=False)
    if proc.returncode != 0:
        return None
    tracking = proc.stdout.decode("utf-8", "surrogateescape").strip()
    prefix = f"refs/remotes/{remote}/"
    return HEADS + tracking[len(prefix):] if tracking.startswith(prefix) else None


def resolve(repo: git.Repo, cfg: Config, remote: str) -> str | None:
    """`refs/heads/<branch>` the service deploys; None when nobody can tell (see `deploys`)."""
    if cfg.render_api_key and cfg.render_service_id:
        branch = _render_branch(cfg)
        if branch:
            return HEADS + branch
    return remote_head(repo, remote)


def _render_branch(cfg: Config) -> str | None:
    from mosaic_hooks.core.errors import MosaicError
    from mosaic_hooks.render.api import RenderAPI

    try:
        with RenderAPI(str(cfg.render_api_url), str(cfg.render_api_key), timeout=float(cfg.request_timeout),
                       attempts=3) as api:
            service = api.get_service(str(cfg.render_service_id))
    except (MosaicError, OSError):
        return None
    branch = service.get("branch") if isinstance(service, dict) else None
    return branch if isinstance(branch, str) and branch else None


def remote_head(repo: git.Repo, remote: str) -> str | None:
    """The branch the remote's HEAD names, asked of the remote itself; None if it cannot be asked."""
    try:  # network_env: a background process has nobody to type a password
        proc = repo.git("ls-remote", "--symref", "--", remote, "HEAD", check=False, timeout=LS_REMOTE_TIMEOUT,
                        env=git.network_env())
    except (GitError, OSError):
        return None
    if proc.returncode != 0:
        return None
    for line in proc.stdout.decode("utf-8", "surrogateescape").splitlines():
        if line.startswith("ref: ") and line.endswith("\tHEAD"):
            ref = line[len("ref: "):-len("\tHEAD")]
            return ref if ref.startswith(HEADS) else None
    return None


def deploys(branch: str, deploy_branch: str | None) -> bool:
    """Whether a push to `branch` deploys: it is the deploy branch, or that is unknown and `branch` is main or
    master. Pure."""
    return branch == deploy_branch if deploy_branch is not None else branch in CONVENTIONAL

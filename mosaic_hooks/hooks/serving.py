"""Production as it serves, asked once each: which commit is live, and is it up.

The serving commit comes from Render's newest live deploy (with the API), else from the service's version
endpoint. Each is one bounded request: the pre-push stage never polls for a commit that may never come.
Requests to the service go through `core/http.py`'s client, as the gates' do: the health look takes a
redirect as its answer (the health gate would), the version read follows it (it carries no secret).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mosaic_hooks.core.config import Config

RECENT_DEPLOYS = 20


@dataclass(frozen=True)
class Serving:
    commit: str | None  # as reported (full sha from Render, maybe a prefix from /version); None: unknown
    how: str  # "Render's live deploy dep-...", "https://.../version", or why unknown
    in_progress: dict[str, Any] | None = None  # a deploy of the watched commit still on its way (API only)
    nothing_live: bool = False  # Render says no deploy is live: there is no production yet
    image_backed: bool = False  # the live deploy has no commit (`commit: null`): Render deploys an image
    live: dict[str, Any] | None = None  # Render's live deploy (API only)
    replaced: dict[str, Any] | None = None  # a deploy of the watched commit that was live and was replaced


@dataclass(frozen=True)
class Health:
    up: bool | None  # None: could not be reached
    line: str


def serving_now(cfg: Config, watch: str | None = None) -> Serving:
    """What production serves now; `watch`: a commit whose deploy, if in progress, the caller may wait for."""
    if cfg.render_api_key and cfg.render_service_id:
        return _from_render(cfg, watch)
    return _from_version(cfg)


def _from_render(cfg: Config, watch: str | None) -> Serving:
    from mosaic_hooks.render import statuses
    from mosaic_hooks.render.api import RenderAPI, RenderAPIError
    from mosaic_hooks.render.wait import deploy_sha

    assert cfg.render_api_key and cfg.render_service_id
    try:
        with RenderAPI(cfg.render_api_url, cfg.render_api_key, timeout=float(cfg.request_timeout),
                       attempts=2, backoff_max=2.0) as api:
            deploys = api.list_deploys(cfg.render_service_id, limit=RECENT_DEPLOYS, max_pages=1)
    except RenderAPIError as exc:
        return Serving(None, f"Render's API could not be read: {exc.line()}")
    in_progress = replaced = None
    if watch:
        for deploy in deploys:
            status = deploy.get("status")
            if deploy_sha(deploy) != watch:
                continue
            if in_progress is None and not statuses.is_terminal(status if isinstance(status, str) else None):
                in_progress = deploy
            if replaced is None and status == "deactivated":  # it was live: a rollback or a newer deploy followed
                replaced = deploy
    for deploy in deploys:  # newest first
        if deploy.get("status") == "live":
            sha = deploy_sha(deploy)
            return Serving(sha, f"Render's live deploy {deploy.get('id')}", in_progress, image_backed=sha is None,
                           live=deploy, replaced=replaced)
    return Serving(None, f"service {cfg.render_service_id} has no live deploy among its recent ones", in_progress,
                   nothing_live=True)


def _from_version(cfg: Config) -> Serving:
    import httpx

    from mosaic_hooks.core.http import backend_client
    from mosaic_hooks.render.version_endpoint import reported_commit

    url = str(cfg.backend_url).rstrip("/") + str(cfg.version_path)
    try:
        with backend_client(timeout=float(cfg.request_timeout), purpose="serving commit") as client:
            response = client.get(url, follow_redirects=True)
    except httpx.HTTPError as exc:
        return Serving(None, f"{url} could not be reached ({type(exc).__name__})")
    if response.status_code != 200:
        return Serving(None, f"{url} answered {response.status_code}")
    reported = reported_commit(response.content)
    if reported is None:
        return Serving(None, f"{url} answered without a commit sha")
    return Serving(reported, url)


def health_now(cfg: Config) -> Health:
    """One GET of the health path: the cheap look that always comes before letting a push through."""
    import httpx

    from mosaic_hooks.core.http import backend_client

    url = str(cfg.backend_url).rstrip("/") + str(cfg.health_path)
    try:
        with backend_client(timeout=float(cfg.request_timeout), purpose="health") as client:
            response = client.get(url)
    except httpx.TimeoutException:
        return Health(None, f"{url} did not answer within {float(cfg.request_timeout):g} s")
    except httpx.HTTPError as exc:
        return Health(None, f"{url} could not be reached ({type(exc).__name__})")
    if 200 <= response.status_code < 300:
        return Health(True, f"{url} answered {response.status_code}")
    if response.is_redirect:  # as the health gate judges it: the health path itself must answer
        return Health(False, f"{url} answered {response.status_code} (a redirect, not followed)")
    return Health(False, f"{url} answered {response.status_code}")

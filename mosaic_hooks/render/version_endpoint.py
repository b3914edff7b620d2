"""Without a Render API key: poll the service's version endpoint until it reports our commit.

Services on Render read the deployed sha from `RENDER_GIT_COMMIT` and serve it, e.g. at `/version`.
The answer may be a JSON object with `commit`, `sha` or `git_commit`, a JSON string, or the plain body.

A short sha is accepted when it is a prefix of ours of at least 7 hex digits (what `git rev-parse
--short` prints) and, when the repository is at hand, names no other object there. A reported commit
that contains ours (a newer push already serving) also counts, when the repository can tell.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

from mosaic_hooks.core import git
from mosaic_hooks.core.errors import GitError
from mosaic_hooks.render.outcome import LIVE, TIMED_OUT, UNREACHABLE, WaitOutcome

_HEX = re.compile(r"[0-9a-f]{7,64}")
FIELDS = ("commit", "sha", "git_commit")
MIN_PREFIX = 7


def reported_commit(body: bytes) -> str | None:
    """The sha a version endpoint reports (lower case), or None if the body names none. Pure."""
    text = body.decode("utf-8", errors="replace").strip()
    if not text:
        return None
    try:
        data: Any = json.loads(text)
    except ValueError:
        data = text
    if isinstance(data, dict):
        for name in FIELDS:
            value = data.get(name)
            if isinstance(value, dict):  # {"commit": {"id": "..."}} as Render's own deploy objects have it
                value = value.get("id") or value.get("sha")
            if isinstance(value, str) and _HEX.fullmatch(value.strip().lower()):
                return value.strip().lower()
        return None
    if isinstance(data, str) and _HEX.fullmatch(data.strip().lower()):
        return data.strip().lower()
    return None


def match(reported: str, commit: str, repo: git.Repo | None) -> str | None:
    """How `reported` names `commit`: "exact", "prefix", "contains" (a descendant), or None."""
    if reported == commit:
        return "exact"
    if len(reported) >= MIN_PREFIX and commit.startswith(reported):
        if repo is None:
            return "prefix"
        return "prefix" if _resolve(repo, reported) == commit else None
    if repo is not None:
        resolved = _resolve(repo, reported)
        if resolved is not None and resolved != commit and git.is_ancestor(repo, commit, resolved):
            return "contains"
    return None


def _resolve(repo: git.Repo, rev: str) -> str | None:
    try:
        return git.resolve_commit(repo, rev)
    except GitError:
        return None


def wait_for_version(url: str, commit: str, *, repo: git.Repo | None, deadline: float, interval: float,
                     request_timeout: float, status: Callable[[str | None, str], None],
                     say: Callable[[str], None]) -> WaitOutcome:
    import httpx

    short = commit[:12]
    requests = 0
    reached = False
    last = "no answer yet"
    from mosaic_hooks.core.http import backend_client

    with backend_client(timeout=request_timeout, purpose="version endpoint") as client:
        while True:
            remaining = deadline - time.monotonic()
            requests += 1
            try:
                response = client.get(url, timeout=max(0.5, min(request_timeout, remaining)), follow_redirects=True)
            except httpx.TimeoutException:
                last = f"no answer within {request_timeout:g}s"
            except httpx.HTTPError as exc:
                last = f"unreachable ({type(exc).__name__})"
            else:
                reached = True
                if response.status_code == 200:
                    reported = reported_commit(response.content)
                    how = match(reported, commit, repo) if reported else None
                    if how is not None:
                        return _live(url, commit, reported or commit, how, requests)
                    last = f"serving {reported[:12]}" if reported else "answered 200 without a commit sha"
                else:
                    last = f"answered {response.status_code}"
            status(None, last)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            time.sleep(min(interval, remaining))
    if not reached:
        return WaitOutcome(UNREACHABLE, commit, f"{url} could not be reached: {last}",
                           found_by="version-endpoint", requests=requests)
    say(f"{url}: {last}")
    return WaitOutcome(TIMED_OUT, commit, f"{url} did not report {short} in time (last: {last})",
                       found_by="version-endpoint", requests=requests)


def _live(url: str, commit: str, reported: str, how: str, requests: int) -> WaitOutcome:
    from mosaic_hooks.core.isotime import iso_millis as format_time

    short = commit[:12]
    reason = {
        "exact": f"{url} reports {short}",
        "prefix": f"{url} reports {reported}, a prefix of {short}",
        "contains": f"{url} reports {reported[:12]}, a newer commit that contains {short}",
    }[how]
    deploy = {"id": None, "status": "live", "commit": reported if how == "contains" else commit, "trigger": None,
              "createdAt": None, "startedAt": None, "finishedAt": format_time(time.time())}
    return WaitOutcome(LIVE, commit, reason, deploy=deploy, found_by="version-endpoint", requests=requests)

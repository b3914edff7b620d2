"""Wait until Render's deploy of exactly one commit is live.

With an API key and a service id, the deploy is found by `deploy.commit.id == sha` (never "the latest
deploy"), followed until it ends, followed on to a newer deploy when Render canceled it for a newer
commit that contains ours, and once live its service events are watched for crashes for `crash_watch_s`.
The commit is live if any of its deploys is live (Render may deploy one commit twice); a deactivated
deploy is checked against what is live now (a rollback replaces it with an older commit). Image-backed
services never deploy a commit: the wait ends at once, or follows a deploy id given. Without a key, the
service's version endpoint is polled until it reports the commit. Network and API trouble never raises:
it is an outcome. Time comes from a `Clock`, so tests run minutes of Render time in milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from mosaic_hooks.cli.progress import format_elapsed
from mosaic_hooks.core import git
from mosaic_hooks.core.config import Config
from mosaic_hooks.core.errors import GitError
from mosaic_hooks.core.isotime import parse as parse_time
from mosaic_hooks.render import crash, statuses
from mosaic_hooks.render.api import LOOPBACK_HOSTS, RenderAPI, RenderAPIError, RenderRefused
from mosaic_hooks.render.clock import SYSTEM_CLOCK, Clock
from mosaic_hooks.render.outcome import (
    CONFIG_ERROR,
    FAILED,
    LIVE,
    NO_DEPLOY,
    TIMED_OUT,
    UNDECIDED,
    UNREACHABLE,
    WaitOutcome,
    WaitState,
)
from mosaic_hooks.render.skip import skip_phrase

# Deploys are looked for from a little before the commit was made: clocks differ, and amend keeps dates.
_LOOKBACK = timedelta(hours=1)
_SKEW = timedelta(minutes=10)
_MAX_POLL_FAILURES = 3  # consecutive polls that failed after their own retries
_IGNORED_EVERY = 6  # polls between looks for a `commit_ignored` event while no deploy exists
MIN_REMOTE_INTERVAL = 2.0  # seconds between polls of a Render API that is not on this machine

StatusCallback = Callable[[str | None, str, float], None]


def wait_for_deploy(cfg: Config, commit: str, *, repo: git.Repo | None, timeout: float,
                    report: Callable[[str], None] | None = None, branch: str | None = None,
                    on_status: StatusCallback | None = None, clock: Clock = SYSTEM_CLOCK,
                    crash_watch_s: float = 0.0, deploy_id: str | None = None) -> WaitOutcome:
    """Wait at most `timeout` seconds for the deploy of `commit` (a full sha) to be live.

    `report` gets one line per event worth telling (found, superseded, waiting for what, trouble);
    `on_status(deploy_id, status, elapsed_s)` is called on every poll (for a live progress line);
    without it, status changes go to `report` too. `branch` is the branch the commit was pushed to,
    when the caller knows it (otherwise the repository's branches are asked). Once live, the service's
    events are watched until `crash_watch_s` after it went live. `deploy_id` follows that deploy instead
    of looking for the commit's (image-backed services, whose deploys have no commit).
    """
    started = clock.monotonic()
    reporter = _Reporter(report, on_status, started, clock)
    commit = commit.strip().lower()
    if not git.is_full_sha(commit):
        return _done(WaitOutcome(CONFIG_ERROR, commit, f"{commit!r} is not a full commit sha (40 hex digits)"),
                     started, clock)
    key, service_id = cfg.render_api_key, cfg.render_service_id
    use_api = bool(key and service_id)
    if not use_api and not cfg.backend_url:
        if service_id:
            reason = "RENDER_SERVICE_ID is set but RENDER_API_KEY is not, and there is no BACKEND_URL to poll instead"
        elif key:
            reason = "RENDER_API_KEY is set but RENDER_SERVICE_ID is not, and there is no BACKEND_URL to poll instead"
        else:
            reason = ("nothing to wait on: set RENDER_SERVICE_ID and RENDER_API_KEY (Render's API), "
                      "or BACKEND_URL (the service's version endpoint)")
        return _done(WaitOutcome(CONFIG_ERROR, commit, reason), started, clock)
    commit_info = _commit_info(repo, commit)
    if deploy_id is None and commit_info is not None and (phrase := skip_phrase(commit_info.message)):
        return _done(WaitOutcome(NO_DEPLOY, commit, f"the message of commit {commit[:12]} has {phrase}: "
                                                    "Render does not deploy it"), started, clock)
    deadline = started + max(0.0, timeout)
    if key and service_id:
        waiter = _ApiWait(cfg, commit, key=key, service_id=service_id, repo=repo, branch=_short_branch(branch),
                          deadline=deadline, timeout=timeout, reporter=reporter,
                          committed_at=commit_info.committed_at if commit_info else None, clock=clock,
                          crash_watch_s=crash_watch_s, deploy_id=deploy_id)
        return _done(waiter.run(), started, clock)
    from mosaic_hooks.render.version_endpoint import wait_for_version

    url = (cfg.backend_url or "") + cfg.version_path  # not empty: checked above
    reporter.say(f"no Render API key: waiting for {url} to report {commit[:12]}")
    outcome = wait_for_version(url, commit, repo=repo, deadline=deadline, interval=float(cfg.poll_interval),
                               request_timeout=float(cfg.request_timeout), status=reporter.status, say=reporter.say)
    return _done(outcome, started, clock)


def _done(outcome: WaitOutcome, started: float, clock: Clock) -> WaitOutcome:
    outcome.elapsed_s = round(clock.monotonic() - started, 3)
    return outcome


def _short_branch(branch: str | None) -> str | None:
    return branch.removeprefix("refs/heads/") if branch else None


def _commit_info(repo: git.Repo | None, commit: str) -> git.Commit | None:
    if repo is None:
        return None
    try:
        return git.commit_info(repo, commit)
    except GitError:
        return None


def deploy_sha(deploy: dict[str, Any]) -> str | None:
    """The commit of a deploy; None for image deploys (`commit: null`)."""
    commit = deploy.get("commit")
    sha = commit.get("id") if isinstance(commit, dict) else None
    return sha.lower() if isinstance(sha, str) and sha else None


def deploy_summary(deploy: dict[str, Any]) -> dict[str, Any]:
    return {"id": deploy.get("id"), "status": deploy.get("status"), "commit": deploy_sha(deploy),
            "trigger": deploy.get("trigger"), "createdAt": deploy.get("createdAt"),
            "startedAt": deploy.get("startedAt"), "finishedAt": deploy.get("finishedAt")}


def pick(deploys: list[dict[str, Any]]) -> dict[str, Any]:
    """Which of several deploys of one commit to follow: a live one, else one under way (a build before
    one `queued` behind it: a redundant redeploy is not waited on), else the newest. Pure."""
    def rank(deploy: dict[str, Any]) -> tuple[int, datetime]:
        status = deploy.get("status")
        phase = statuses.phase(status if isinstance(status, str) else None)
        order = {"live": 3, "in_progress": 1 if status in ("queued", "created") else 2}.get(phase, 0)
        return order, _created(deploy)

    return max(deploys, key=rank)


def _created(deploy: dict[str, Any]) -> datetime:
    return parse_time(deploy.get("createdAt")) or datetime.min.replace(tzinfo=timezone.utc)


class _Reporter:
    def __init__(self, report: Callable[[str], None] | None, on_status: StatusCallback | None,
                 started: float, clock: Clock) -> None:
        self._clock = clock
        self._report = report
        self._on_status = on_status
        self._started = started
        self._last: tuple[str | None, str] | None = None

    def say(self, line: str) -> None:
        if self._report is not None:
            self._report(line)

    def status(self, deploy_id: str | None, status: str) -> None:
        if self._on_status is not None:
            self._on_status(deploy_id, status, self._clock.monotonic() - self._started)
        elif (deploy_id, status) != self._last:
            described = statuses.describe(status) if statuses.is_known(status) else status
            self.say(f"{deploy_id}: {described}" if deploy_id else described)
        self._last = (deploy_id, status)


class _ApiWait:
    def __init__(self, cfg: Config, commit: str, *, key: str, service_id: str, repo: git.Repo | None,
                 branch: str | None, deadline: float, timeout: float, reporter: _Reporter,
                 committed_at: int | None, clock: Clock, crash_watch_s: float, deploy_id: str | None) -> None:
        self.cfg = cfg
        self.clock = clock
        self.crash_watch_s = max(0.0, crash_watch_s)
        self.deploy_id = deploy_id
        self.floor: datetime | None = None
        self.commit = commit
        self.short = commit[:12]
        self.repo = repo
        self.branch = branch
        self.deadline = deadline
        self.timeout = timeout
        self.reporter = reporter
        self.key = key
        self.service_id = service_id
        self.interval = float(cfg.poll_interval)
        self.committed_at = (datetime.fromtimestamp(committed_at, tz=timezone.utc)
                             if committed_at is not None else None)
        self.superseded_by: list[str] = []
        self.found_by = "render-api"
        self._failures = 0
        self._last_poll = self.clock.monotonic()
        self._contains_cache: dict[str, bool | None] = {}
        self.api: RenderAPI

    def outcome(self, state: WaitState, reason: str, deploy: dict[str, Any] | None = None, **extra: Any) -> WaitOutcome:
        if state == LIVE and deploy is not None and deploy_sha(deploy) != self.commit:
            reason += f" (a newer commit that contains {self.short})"
        return WaitOutcome(state, self.commit, reason, deploy=deploy_summary(deploy) if deploy else None,
                           found_by=self.found_by, superseded_by=list(self.superseded_by),
                           requests=self.api.requests if hasattr(self, "api") else 0, **extra)

    def run(self) -> WaitOutcome:
        try:
            # Retries back off from a tenth of the polling interval: short in tests, polite in real use.
            api = RenderAPI(self.cfg.render_api_url, self.key, timeout=float(self.cfg.request_timeout),
                            deadline=self.deadline, backoff_base=min(1.0, self.interval / 10), clock=self.clock)
        except RenderRefused as exc:
            return WaitOutcome(CONFIG_ERROR, self.commit, exc.line(), found_by="render-api")
        self.api = api
        if api.host not in LOOPBACK_HOSTS and self.interval < MIN_REMOTE_INTERVAL:
            self.interval = MIN_REMOTE_INTERVAL  # at most 30 polls a minute against Render itself
        with api:
            try:
                return self._run()
            except RenderRefused as exc:
                return self.outcome(CONFIG_ERROR, exc.line())
            except RenderAPIError as exc:
                return self.outcome(UNREACHABLE, exc.line())

    # -- finding the deploy ------------------------------------------------------------------------
    def _run(self) -> WaitOutcome:
        service = self.api.get_service(self.service_id)
        if self.deploy_id is not None:
            deploy = self.api.get_deploy(self.service_id, self.deploy_id)
            self.reporter.say(f"following deploy {self.deploy_id} as asked")
            return self._follow(deploy)
        image = service.get("imagePath")
        if isinstance(image, str) and image:
            return self.outcome(NO_DEPLOY, f"service {self.service_id} is image-backed ({image}): Render deploys "
                                           f"images there, never a commit, so no deploy of {self.short} will come "
                                           "(to verify the image's deploy: mosaic-hooks verify --deploy dep-...)")
        floor = self.committed_at - _LOOKBACK if self.committed_at else None
        self.floor = floor
        created_after = floor
        wall_start = self._wall()
        polls = 0
        checked_blockers = False
        waiting_line = None
        while True:
            deploys = self._poll(self.api.list_deploys, self.service_id, created_after=created_after)
            if deploys is not None:
                exact = [d for d in deploys if deploy_sha(d) == self.commit]
                if exact:
                    deploy = pick(exact)
                    others = len(exact) - 1
                    also = f" ({others} other deploy{'s' if others > 1 else ''} of it)" if others else ""
                    self.reporter.say(f"found deploy {deploy.get('id')} of {self.short}{also}")
                    return self._follow(deploy)
                containing = self._newest_containing(deploys, exclude=None)
                if containing is not None:
                    self.reporter.say(f"no deploy of {self.short} itself; deploy {containing.get('id')} of "
                                      f"{deploy_sha(containing) or '?'} contains it: following that one")
                    self.superseded_by.append(str(containing.get("id")))
                    return self._follow(containing)
                if not checked_blockers:
                    checked_blockers = True
                    reason = self._no_deploy_reason(service)
                    if reason is not None:
                        return self.outcome(NO_DEPLOY, reason)
                if polls % _IGNORED_EVERY == 0 and (reason := self._ignored()) is not None:
                    return self.outcome(NO_DEPLOY, reason)
                newer = wall_start - _SKEW
                created_after = max(floor, newer) if floor else newer
            line = self._waiting_line(service)
            if line != waiting_line:
                self.reporter.say(line)
                waiting_line = line
            self.reporter.status(None, "no deploy yet")
            if not self._sleep():
                return self.outcome(TIMED_OUT, f"no deploy of {self.short} appeared on service {self.service_id} "
                                               f"within {format_elapsed(self.timeout)} (see the service's Events page: "
                                               "a build filter may have skipped it)")
            polls += 1

    def _waiting_line(self, service: dict[str, Any]) -> str:
        branch = service.get("branch")
        line = f"waiting for Render to create a deploy of {self.short} on service {self.service_id}"
        if branch:
            line += f" (branch {branch})"
        if service.get("autoDeployTrigger") == "checksPass":
            line += "; its auto-deploy starts after the CI checks pass"
        return line

    def _no_deploy_reason(self, service: dict[str, Any]) -> str | None:
        sid = self.service_id
        if service.get("suspended") == "suspended":
            return f"service {sid} is suspended: Render deploys nothing until it is resumed"
        if service.get("autoDeploy") == "no" or service.get("autoDeployTrigger") == "off":
            return (f"auto-deploy is off for service {sid}: Render will not deploy {self.short} by itself "
                    "(start a deploy in the dashboard or through the API, then wait again)")
        service_branch = service.get("branch")
        if not isinstance(service_branch, str) or not service_branch:
            return None
        if self.branch is not None:
            if self.branch != service_branch:
                return f"{self.short} was pushed to {self.branch}, but service {sid} deploys {service_branch}"
            return None
        if self.repo is not None and self._on_branch(service_branch) is False:
            return (f"{self.short} is not on {service_branch}, the branch service {sid} deploys "
                    f"(merge it there, or fetch if it already is)")
        return None

    def _on_branch(self, branch: str) -> bool | None:
        """Whether a local or remote-tracking ref named `branch` contains our commit; None: no such ref."""
        assert self.repo is not None
        patterns = [f"refs/heads/{branch}", f"refs/remotes/*/{branch}"]
        try:
            refs = self.repo.out("for-each-ref", "--format=%(refname)", *patterns)
            if not refs:
                return None
            return bool(self.repo.out("for-each-ref", "--format=%(refname)", "--contains", self.commit, *patterns))
        except GitError:
            return None

    def _wall(self) -> datetime:
        return datetime.fromtimestamp(self.clock.now(), tz=timezone.utc)

    def _ignored(self) -> str | None:
        start = (self.committed_at - _LOOKBACK) if self.committed_at else self._wall() - _LOOKBACK
        events = self._poll(self.api.list_events, self.service_id, start_time=start, event_type="commit_ignored")
        for event in events or []:
            details = event.get("details")
            sha = details.get("id") if isinstance(details, dict) else None
            if isinstance(sha, str) and sha.lower() == self.commit:
                return (f"Render ignored commit {self.short} (a commit_ignored event: a skip phrase or a build "
                        "filter), so no deploy will come")
        return None

    # -- following it ------------------------------------------------------------------------------
    def _follow(self, deploy: dict[str, Any]) -> WaitOutcome:
        current = deploy
        while True:
            deploy_id = str(current.get("id"))
            status = current.get("status")
            self.reporter.status(deploy_id, str(status))
            phase = statuses.phase(status if isinstance(status, str) else None)
            if phase == "live":
                return self._after_live(current)
            if phase == "deactivated":
                return self._replaced(current)
            if phase in ("failed", "canceled") and (sibling := self._sibling(current)) is not None:
                self.reporter.say(f"deploy {deploy_id} of {self._of(current)} ended {status}; deploy "
                                  f"{sibling.get('id')} of the same commit is {sibling.get('status')}: following it")
                current = sibling
                continue
            if phase == "failed":
                return self.outcome(FAILED, f"deploy {deploy_id} of {self._of(current)}: {status} "
                                            f"({statuses.describe(str(status))})", current)
            if phase == "canceled":
                successor, why = self._successor(current)
                self.reporter.say(why)
                if successor is None:
                    return self.outcome(FAILED, why, current)
                self.superseded_by.append(str(successor.get("id")))
                current = successor
                continue
            if not self._sleep():
                return self.outcome(TIMED_OUT, f"deploy {deploy_id} of {self._of(current)} is still {status} after "
                                               f"{format_elapsed(self.timeout)}", current)
            fresh = self._poll(self.api.get_deploy, self.service_id, deploy_id)
            if fresh is not None:
                current = fresh

    def _sibling(self, ended: dict[str, Any]) -> dict[str, Any] | None:
        """Another deploy of the same commit that is live, or still going (Render may deploy one commit
        twice, e.g. an API redeploy while the push's deploy builds): the commit is live if any is."""
        sha = deploy_sha(ended)
        if sha is None or self.deploy_id is not None:
            return None
        listing = self._poll(self.api.list_deploys, self.service_id, created_after=self.floor)
        same = [d for d in listing or [] if deploy_sha(d) == sha and d.get("id") != ended.get("id")
                and statuses.phase(d.get("status") if isinstance(d.get("status"), str) else None)
                in ("live", "in_progress")]
        return pick(same) if same else None

    def _replaced(self, deploy: dict[str, Any]) -> WaitOutcome:
        """`deactivated`: it was live and was replaced, by a newer commit or by a rollback to an older one.
        Only the deploy live now says which commit is serving."""
        head = f"deploy {deploy.get('id')} of {self._of(deploy)} was live and has been replaced"
        live = self.api.list_deploys(self.service_id, statuses=["live"], limit=1, max_pages=1)
        if not live:
            return self.outcome(UNDECIDED, f"{head}, and no deploy of service {self.service_id} is live now", deploy)
        now = live[0]
        sha = deploy_sha(now)
        when = now.get("finishedAt") or now.get("createdAt") or "?"
        if sha is not None and self.repo is not None and self._contains(sha):
            self.reporter.say(f"{head} by deploy {now.get('id')} of {sha[:12]}, which contains it")
            self.superseded_by.append(str(now.get("id")))
            return self._after_live(now)
        if sha is not None and now.get("trigger") == "rollback":
            return self.outcome(FAILED, f"{head}: rolled back to {sha[:12]} at {when} (deploy {now.get('id')}); "
                                        f"production no longer runs {self.short}", deploy)
        if sha is None:
            return self.outcome(FAILED, f"{head}: an image deploy {now.get('id')} is live since {when}", deploy)
        if self.repo is None or self._contains(sha) is None:
            return self.outcome(UNDECIDED, f"{head} by deploy {now.get('id')} of {sha[:12]} (live since {when}); "
                                           f"cannot tell whether it contains {self.short} (run inside the clone, "
                                           "after git fetch)", deploy)
        return self.outcome(FAILED, f"{head} by deploy {now.get('id')} of {sha[:12]} (live since {when}), which "
                                    f"does not contain {self.short}", deploy)

    def _of(self, deploy: dict[str, Any]) -> str:
        sha = deploy_sha(deploy)
        return sha[:12] if sha else "an image"

    def _successor(self, canceled: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
        """The newer deploy that replaced a canceled one and contains our commit, and what to say."""
        deploy_id = canceled.get("id")
        head = f"deploy {deploy_id} of {self._of(canceled)} was canceled"
        created = _created(canceled)
        listing = self.api.list_deploys(self.service_id, created_after=created - timedelta(seconds=1))
        newer = sorted((d for d in listing if d.get("id") != deploy_id and deploy_sha(d) and _created(d) >= created),
                       key=_created, reverse=True)
        if not newer:
            return None, f"{head} and no newer deploy replaced it"
        if self.repo is None:
            other = newer[0]
            return None, (f"{head}; a newer deploy {other.get('id')} of {deploy_sha(other)} exists, but without the "
                          f"git repository mosaic-hooks cannot tell whether it contains {self.short} "
                          "(run inside the clone)")
        successor = self._newest_containing(newer, exclude=deploy_id)
        if successor is not None:
            return successor, (f"{head}: superseded by deploy {successor.get('id')} of {self._of(successor)}, "
                               f"which contains {self.short}; following it")
        unknown = [deploy_sha(d) for d in newer if self._contains(deploy_sha(d) or "") is None]
        if unknown:
            return None, (f"{head}; cannot tell whether the newer commit {str(unknown[0])[:12]} contains "
                          f"{self.short}: it is not in the local repository (git fetch, then wait again)")
        shown = ", ".join(f"{d.get('id')} of {self._of(d)}" for d in newer[:3])
        return None, f"{head}; the newer deploys ({shown}) do not contain {self.short}"

    def _newest_containing(self, deploys: list[dict[str, Any]], exclude: object) -> dict[str, Any] | None:
        if self.repo is None:
            return None
        for deploy in sorted(deploys, key=_created, reverse=True):
            sha = deploy_sha(deploy)
            if sha and deploy.get("id") != exclude and self._contains(sha):
                return deploy
        return None

    def _contains(self, sha: str) -> bool | None:
        """Whether commit `sha` has ours in its history; None when the repository does not know `sha`."""
        if sha == self.commit:
            return True
        if sha not in self._contains_cache:
            assert self.repo is not None
            try:
                known = git.resolve_commit(self.repo, sha) is not None
                self._contains_cache[sha] = git.is_ancestor(self.repo, self.commit, sha) if known else None
            except GitError:
                self._contains_cache[sha] = None
        return self._contains_cache[sha]

    def _after_live(self, deploy: dict[str, Any]) -> WaitOutcome:
        """Live; then the service's events are watched until `crash_watch_s` after it went live (crashes
        come late: a captured list shows OOM kills 54 minutes after live). Repeated crashes fail it."""
        deploy_id = deploy.get("id")
        what = f"deploy {deploy_id} of {self._of(deploy)}"
        began = parse_time(deploy.get("startedAt")) or _created(deploy)
        live_at = parse_time(deploy.get("finishedAt")) or self._wall()
        watch_end = live_at + timedelta(seconds=self.crash_watch_s)
        told = False
        while True:
            try:
                events = self._crash_events(began)
            except RenderAPIError as exc:
                return self.outcome(LIVE, f"{what} is live; crash loops unknown: the service's events could not be "
                                          f"read ({exc.message})", deploy,
                                    crash_unknown=f"the service's events could not be read ({exc.message})",
                                    crash_watch_s=self.crash_watch_s)
            verdict = crash.judge(events, live_at)
            if verdict.crash_loop:
                return self.outcome(FAILED, f"{what} went live, then the service crashed repeatedly: "
                                            f"{verdict.summary} (a crash loop)", deploy, crash_loop=True,
                                    events=verdict.evidence, crash_lines=verdict.lines(),
                                    crash_watch_s=self.crash_watch_s)
            left = min(self.crash_watch_s, (watch_end - self._wall()).total_seconds())  # bounded, whatever the clocks
            if left <= 0:
                break
            if not told and left >= 1:
                told = True
                self.reporter.say(f"{what} is live; watching the service's events for crashes for "
                                  f"{format_elapsed(left)} more (crash_watch_s)")
            self.reporter.status(str(deploy_id), "live, watching for crashes")
            self.clock.sleep(min(self.interval, left))
        watched = f"watched {format_elapsed(self.crash_watch_s)} after live" if self.crash_watch_s else "since live"
        found = f"; {verdict.summary}" if verdict.summary else ""
        return self.outcome(LIVE, f"{what} is live (no crash loop {watched}{found})", deploy, crash_loop=False,
                            events=verdict.evidence, crash_lines=verdict.lines(), crash_watch_s=self.crash_watch_s)

    def _crash_events(self, since: datetime) -> list[dict[str, Any]]:
        """The crash-relevant events since `since`: one request per event type, as Render's spec allows."""
        events: list[dict[str, Any]] = []
        for event_type in crash.CRASH_EVENTS:
            events += self.api.list_events(self.service_id, start_time=since, event_type=event_type)
        return events

    # -- pacing ------------------------------------------------------------------------------------
    def _sleep(self) -> bool:
        """Sleep until one polling interval after the last poll (or the deadline); False when time is up."""
        now = self.clock.monotonic()
        remaining = self.deadline - now
        if remaining <= 0:
            return False
        # Polls keep their cadence: the time a request took counts against the interval.
        pause = max(0.0, self._last_poll + self.interval - now)
        self.clock.sleep(min(pause, remaining))
        self._last_poll = self.clock.monotonic()
        return True

    def _poll(self, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """One periodic request: trouble that outlasted the client's retries skips this poll, until it
        happens `_MAX_POLL_FAILURES` times in a row (refusals end the wait at once)."""
        try:
            result = call(*args, **kwargs)
        except RenderRefused:
            raise
        except RenderAPIError as exc:
            self._failures += 1
            if self._failures >= _MAX_POLL_FAILURES or self.clock.monotonic() >= self.deadline:
                raise
            self.reporter.say(f"{exc.message}; trying again at the next poll")
            return None
        self._failures = 0
        return result

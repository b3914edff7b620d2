"""What the Render fake knows: services, their deploys and events, and the clock that moves deploys on.

Deploys advance through a scripted timeline by the fake's clock: the system clock by default, or a
`ManualClock` shared with the waiter, so minutes of Render time pass in milliseconds. A newer deploy
cancels an older one still in progress (what Render does on a new push), but a redeploy of the same
commit queues behind it; a deploy going live deactivates the previous live one and calls the service's
`on_live` callback. `RenderState` is the fake without HTTP; server.RenderFake serves it.
"""

from __future__ import annotations

import fnmatch
import secrets
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from mosaic_hooks.core.isotime import iso_millis
from mosaic_hooks.render.clock import SYSTEM_CLOCK, Clock
from mosaic_hooks.render.skip import skip_phrase

Timeline = Sequence[tuple[str, float]]
DEFAULT_TIMELINE: Timeline = (("build_in_progress", 0.2), ("update_in_progress", 0.2), ("live", 0))
_WAITING = frozenset({"created", "queued"})
IN_PROGRESS = frozenset({"created", "queued", "build_in_progress", "pre_deploy_in_progress", "update_in_progress"})
FAILED = frozenset({"build_failed", "pre_deploy_failed", "update_failed"})


def iso(moment: float | None) -> str | None:
    return None if moment is None else iso_millis(moment)


def _new_id(prefix: str) -> str:
    alphabet = "abcdefghijklmnopqrstuv0123456789"
    return prefix + "".join(secrets.choice(alphabet) for _ in range(20))


@dataclass
class FakeDeploy:
    id: str
    service_id: str
    seq: int
    created_at: float
    timeline: list[tuple[str, float]]
    commit: dict[str, Any] | None
    image: dict[str, Any] | None = None
    trigger: str = "new_commit"
    rollback_of: str | None = None  # the deploy a rollback deploy restored
    override: tuple[str, float] | None = None  # (status, since) after a cancel or deactivation
    reason: dict[str, Any] | None = None
    processed: bool = False  # its arrival has canceled the older deploys
    ended: bool = False
    live_fired: bool = False

    def natural(self, now: float) -> tuple[str, float]:
        """(status, since) by the timeline alone."""
        at = self.created_at
        for status, duration in self.timeline[:-1]:
            if now < at + duration:
                return status, at
            at += duration
        return self.timeline[-1][0], at

    def status(self, now: float) -> tuple[str, float]:
        if self.override is not None and now >= self.override[1]:
            return self.override
        return self.natural(now)

    def started_at(self, now: float) -> float | None:
        at = self.created_at
        for status, duration in self.timeline:
            if status not in _WAITING:
                return at if at <= now else None
            at += duration
        return None

    def finished_at(self, now: float) -> float | None:
        status, since = self.status(now)
        if status in IN_PROGRESS or status not in (FAILED | {"live", "deactivated", "canceled"}):
            return None
        if status == "deactivated":  # finishedAt stays when it went live
            return self.natural(now)[1]
        return since

    def as_json(self, now: float) -> dict[str, Any]:
        status, since = self.status(now)
        body: dict[str, Any] = {
            "id": self.id,
            "commit": self.commit,
            "status": status,
            "trigger": self.trigger,
            "createdAt": iso(self.created_at),
            "updatedAt": iso(max(since, self.created_at)),
            "startedAt": iso(self.started_at(now)),
            "finishedAt": iso(self.finished_at(now)),
        }
        if self.image is not None:
            body["image"] = self.image
        return body


@dataclass
class FakeService:
    id: str
    name: str
    branch: str
    auto_deploy: bool
    auto_deploy_trigger: str  # commit | checksPass | off
    suspended: bool
    timeline: list[tuple[str, float]]
    url: str
    health_check_path: str
    repo: str
    on_live: Callable[[dict[str, Any]], None] | None
    create_answers_202: bool
    supersede: bool
    created_at: float
    image_path: str | None = None  # set: an image-backed service (deploys have `commit: null`)
    root_dir: str = ""
    build_paths: list[str] = field(default_factory=list)  # buildFilter.paths
    ignored_paths: list[str] = field(default_factory=list)  # buildFilter.ignoredPaths
    head: dict[str, Any] | None = None  # the last commit pushed to its branch
    deploys: list[FakeDeploy] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        trigger = "off" if not self.auto_deploy else self.auto_deploy_trigger
        return {
            "id": self.id, "name": self.name, "slug": self.name, "type": "web_service",
            "ownerId": "tea-fakeowner000000000000", "repo": self.repo, "branch": self.branch,
            "rootDir": self.root_dir,
            "createdAt": iso(self.created_at), "updatedAt": iso(self.created_at),
            "autoDeploy": "yes" if self.auto_deploy else "no", "autoDeployTrigger": trigger,
            "buildFilter": {"paths": list(self.build_paths), "ignoredPaths": list(self.ignored_paths)},
            "dashboardUrl": f"https://dashboard.render.com/web/{self.id}", "environmentId": None,
            "notifyOnFail": "default", "imagePath": self.image_path, "registryCredential": None,
            "suspended": "suspended" if self.suspended else "not_suspended",
            "suspenders": ["user"] if self.suspended else [],
            "serviceDetails": {
                "url": self.url, "healthCheckPath": self.health_check_path, "numInstances": 1,
                "plan": "starter", "region": "oregon", "runtime": "python", "env": "python",
                "maxShutdownDelaySeconds": 30, "openPorts": [{"port": 10000, "protocol": "TCP"}],
                "previews": {"generation": "off"}, "parentServer": None,
            },
        }

    def deploys_for(self, changed_paths: Sequence[str]) -> bool:
        """Render's monorepo rule: with a rootDir only changes under it deploy; with a build filter only
        changes matching `paths` and no `ignoredPaths` (ignored wins). Globs as fnmatch reads them."""
        def matches(path: str, globs: Sequence[str]) -> bool:
            return any(fnmatch.fnmatchcase(path, g) or fnmatch.fnmatchcase(path, g.rstrip("*").rstrip("/") + "/*")
                       for g in globs)

        relevant = [p for p in changed_paths if not self.root_dir or p.startswith(self.root_dir.rstrip("/") + "/")]
        if self.build_paths:
            relevant = [p for p in relevant if matches(p, self.build_paths)]
        return any(not matches(p, self.ignored_paths) for p in relevant)


def check_timeline(timeline: Timeline) -> None:
    if not timeline:
        raise ValueError("a timeline needs at least one (status, seconds) step")
    for status, seconds in timeline:
        if not isinstance(status, str) or seconds < 0:
            raise ValueError(f"bad timeline step {(status, seconds)!r}")


class RenderState:
    """The services, deploys and events of a fake Render, scripted by tests and moved on by the clock."""

    def __init__(self, clock: Clock = SYSTEM_CLOCK) -> None:
        self.clock = clock
        self._lock = threading.RLock()
        self.services: dict[str, FakeService] = {}
        self._seq = 0
        self.callback_errors: list[BaseException] = []

    # -- scripting -------------------------------------------------------------------------------
    def add_service(self, service_id: str, branch: str = "main", auto_deploy: bool = True, suspended: bool = False,
                    timeline: Timeline = DEFAULT_TIMELINE, *, auto_deploy_trigger: str = "commit",
                    name: str | None = None, url: str | None = None, health_check_path: str = "/health",
                    repo: str = "https://github.com/example/service", on_live: Callable[[dict[str, Any]], None]
                    | None = None, create_answers_202: bool = False, supersede: bool = True,
                    image_path: str | None = None, root_dir: str = "", build_paths: Sequence[str] = (),
                    ignored_paths: Sequence[str] = ()) -> FakeService:
        check_timeline(timeline)
        service = FakeService(
            id=service_id, name=name or service_id, branch=branch, auto_deploy=auto_deploy,
            auto_deploy_trigger=auto_deploy_trigger, suspended=suspended, timeline=list(timeline),
            url=url or f"https://{name or service_id}.onrender.com", health_check_path=health_check_path,
            repo=repo, on_live=on_live, create_answers_202=create_answers_202, supersede=supersede,
            created_at=self.clock.now(), image_path=image_path, root_dir=root_dir, build_paths=list(build_paths),
            ignored_paths=list(ignored_paths))
        with self._lock:
            self.services[service_id] = service
        return service

    def _service(self, service_id: str | None) -> FakeService:
        with self._lock:
            if service_id is None:  # the service added last
                if not self.services:
                    raise ValueError("the Render fake has no service yet: call add_service() first")
                return next(reversed(self.services.values()))
            return self.services[service_id]

    def push(self, commit_sha: str, message: str = "", branch: str = "main", commit_created_at: float | None = None,
             *, service_id: str | None = None, timeline: Timeline | None = None, delay: float = 0.0,
             changed_paths: Sequence[str] | None = None) -> str | None:
        """A git push reaching Render: the deploy id it creates, or None when Render would not deploy
        (other branch, image-backed service, auto-deploy off, suspended, skip phrase, rootDir or build
        filter matching none of `changed_paths`). `delay` seconds pass before the deploy exists (webhook
        latency, `checksPass`)."""
        service = self._service(service_id)
        now = self.clock.now()
        commit = {"id": commit_sha, "message": message, "createdAt": iso(commit_created_at or now)}
        with self._lock:
            if branch != service.branch or service.image_path:
                return None
            service.head = commit
            if not service.auto_deploy or service.auto_deploy_trigger == "off" or service.suspended:
                return None
            if skip_phrase(message):
                self._event(service, "commit_ignored", {"id": commit_sha, "url": f"{service.repo}/commit/{commit_sha}"},
                            now)
                return None
            if changed_paths is not None and not service.deploys_for(changed_paths):
                self._event(service, "commit_ignored", {"id": commit_sha, "url": f"{service.repo}/commit/{commit_sha}"},
                            now)
                return None
            return self._create(service, commit, timeline, "new_commit", now + delay).id

    def add_deploy(self, commit_sha: str | None, status: str = "live", *, service_id: str | None = None,
                   created_ago: float = 3600.0, message: str = "", trigger: str = "new_commit") -> str:
        """A deploy already in the history, fixed at `status`; `commit_sha=None` is an image deploy."""
        service = self._service(service_id)
        created = self.clock.now() - created_ago
        commit = None if commit_sha is None else {"id": commit_sha, "message": message, "createdAt": iso(created)}
        with self._lock:
            deploy = self._create(service, commit, [(status, 0)], trigger if commit else "api", created)
            deploy.processed = deploy.ended = deploy.live_fired = True
            if commit is None:
                deploy.image = {"ref": service.image_path or "docker.io/example/app:latest",
                                "sha": "sha256:" + "0" * 64, "registryCredential": None}
            return deploy.id

    def rollback(self, service_id: str, deploy_id: str, timeline: Timeline | None = None) -> FakeDeploy:
        """Render's rollback: a new deploy (trigger `rollback`) of the target's commit from its build
        artifact, so no build step; it replaces whatever is live. Auto-deploy stays as it was."""
        with self._lock:
            service = self.services[service_id]
            target = next(d for d in service.deploys if d.id == deploy_id)
            steps = timeline or [("update_in_progress", min(1.0, _total(service.timeline))), ("live", 0)]
            deploy = self._create(service, target.commit, steps, "rollback", self.clock.now())
            deploy.image = target.image
            deploy.rollback_of = deploy_id
            return deploy

    def cancel(self, service_id: str, deploy_id: str) -> FakeDeploy:
        """`POST .../deploys/{id}/cancel`: an in-progress deploy becomes `canceled` now."""
        with self._lock:
            now = self.clock.now()
            deploy = next(d for d in self.services[service_id].deploys if d.id == deploy_id)
            if deploy.status(now)[0] in IN_PROGRESS:
                deploy.override = ("canceled", now)
            return deploy

    def crash(self, service_id: str, at: float, reason: dict[str, Any] | None = None, *,
              recovered_after: float | None = 20.0, instance: str | None = None) -> None:
        """A `server_failed` at `at` (default reason: an out-of-memory kill), then `server_available`
        once Render has restarted the instance, as a captured real event list shows (no `server_restarted`).
        `reason` is Render's failureReason, e.g. {"evicted": False, "nonZeroExit": 1}."""
        failure = reason if reason is not None else {"evicted": False, "oomKilled": {"memoryLimit": "512Mi"}}
        details = {"instanceID": instance or f"{service_id}-7d9f8c6b5-x2x4q", "reason": failure}
        self.add_event(service_id, "server_failed", details, timestamp=at)
        if recovered_after is not None:
            self.add_event(service_id, "server_available", {}, timestamp=at + recovered_after)

    def restart(self, service_id: str, at: float, by: str | None = "user@example.com") -> None:
        """`server_restarted`; `triggeredByUser` names who asked (None: not asked by a user)."""
        self.add_event(service_id, "server_restarted", {"triggeredByUser": by}, timestamp=at)

    def _create(self, service: FakeService, commit: dict[str, Any] | None, timeline: Timeline | None, trigger: str,
                created_at: float) -> FakeDeploy:
        if timeline is not None:
            check_timeline(timeline)
        self._seq += 1
        steps = list(timeline or service.timeline)
        if commit is not None and trigger != "rollback":
            # A second deploy of a commit still being deployed waits `queued` until the first has ended
            # (a captured list shows an `api` redeploy queued behind the push's `new_commit` deploy).
            busy = [d.created_at + _total(d.timeline[:-1]) for d in service.deploys
                    if d.commit is not None and d.commit.get("id") == commit.get("id") and d.override is None
                    and d.natural(created_at)[0] in IN_PROGRESS]
            if busy:
                steps = [("queued", max(busy) - created_at), *steps]
        deploy = FakeDeploy(id=_new_id("dep-"), service_id=service.id, seq=self._seq, created_at=created_at,
                            timeline=steps, commit=commit, trigger=trigger)
        service.deploys.append(deploy)
        return deploy

    def add_event(self, service_id: str, type: str, details: dict[str, Any] | None = None,
                  timestamp: float | None = None) -> str:
        with self._lock:
            return self._event(self.services[service_id], type, details or {}, timestamp or self.clock.now())

    def _event(self, service: FakeService, type: str, details: dict[str, Any], at: float) -> str:
        event = {"id": _new_id("evt-"), "timestamp": iso(at), "serviceId": service.id, "type": type,
                 "details": details, "_at": at}
        service.events.append(event)
        return str(event["id"])

    def set_service(self, service_id: str, **changes: Any) -> None:
        """Change a service's settings (e.g. suspended=True, auto_deploy=False)."""
        with self._lock:
            service = self.services[service_id]
            for name, value in changes.items():
                if not hasattr(service, name):
                    raise AttributeError(name)
                setattr(service, name, value)

    # -- inspection ------------------------------------------------------------------------------
    def deploy(self, deploy_id: str) -> dict[str, Any]:
        with self._lock:
            self._advance()
            for service in self.services.values():
                for deploy in service.deploys:
                    if deploy.id == deploy_id:
                        return deploy.as_json(self.clock.now())
        raise KeyError(deploy_id)

    # -- the clock -------------------------------------------------------------------------------
    def _advance(self) -> None:
        """Apply what the clock has reached: supersedes, deactivations, events, on_live callbacks."""
        callbacks: list[tuple[Callable[[dict[str, Any]], None], dict[str, Any]]] = []
        with self._lock:
            now = self.clock.now()
            for service in self.services.values():
                ordered = sorted(service.deploys, key=lambda d: (d.created_at, d.seq))
                for deploy in ordered:
                    if deploy.created_at > now:
                        continue
                    if not deploy.processed:
                        deploy.processed = True
                        self._event(service, "deploy_started", {"deployId": deploy.id, "trigger": _trigger(deploy)},
                                    deploy.created_at)
                        if service.supersede and deploy.trigger != "rollback":
                            for older in ordered:
                                if older is deploy or (older.created_at, older.seq) > (deploy.created_at, deploy.seq):
                                    continue
                                status, _ = older.status(deploy.created_at)
                                if same_commit(older, deploy):
                                    continue  # a redeploy of the same commit queues behind it (not a cancel)
                                if older.override is None and status in IN_PROGRESS:
                                    older.override = ("canceled", deploy.created_at)
                                    older.reason = {"newDeploy": {"id": deploy.id}}
                # Arrivals first: with a manual clock a whole timeline can pass between two looks, and a
                # newer push must cancel an older deploy before that one is seen to go live.
                for deploy in ordered:
                    if deploy.created_at > now:
                        continue
                    status, since = deploy.status(now)
                    if status == "live" and not deploy.live_fired:
                        deploy.live_fired = True
                        for older in ordered:
                            if older is not deploy and older.created_at <= deploy.created_at \
                                    and older.status(since)[0] == "live":
                                older.override = ("deactivated", since)
                        if service.on_live is not None:
                            callbacks.append((service.on_live, deploy.as_json(now)))
                    if not deploy.ended and (status in FAILED or status in ("live", "canceled")):
                        deploy.ended = True
                        outcome = {"live": "succeeded", "canceled": "canceled"}.get(status, "failed")
                        self._event(service, "deploy_ended", {"deployId": deploy.id, "deployStatus": outcome,
                                                              "reason": deploy.reason or {}}, since)
        for callback, body in callbacks:
            try:
                callback(body)
            except BaseException as exc:  # a test's callback failing must not kill the clock
                self.callback_errors.append(exc)



def _total(timeline: Sequence[tuple[str, float]]) -> float:
    return sum(seconds for _, seconds in timeline)


def same_commit(one: FakeDeploy, other: FakeDeploy) -> bool:
    return one.commit is not None and other.commit is not None and one.commit.get("id") == other.commit.get("id")


def _trigger(deploy: FakeDeploy) -> dict[str, Any]:
    """`deploy_started.details.trigger`, a buildDeployTrigger."""
    body: dict[str, Any] = {"manual": False, "rollback": deploy.trigger == "rollback", "firstBuild": False,
                            "envUpdated": False, "clearCache": False, "deployedByRender": False}
    if deploy.trigger == "new_commit" and deploy.commit:
        body["newCommit"] = deploy.commit.get("id")
    if deploy.rollback_of:
        body["rollbackTargetDeployId"] = deploy.rollback_of
    return body

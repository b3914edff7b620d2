"""The demo's story, step by step, through the real hooks and commands; each step checks that it went
as told (exit codes, what the commands said, what the history recorded), so the demo is a self-test.

    setup  the first version (/health) is pushed, deployed and verified: production has a verified baseline
    1      /items is added and pushed; Render deploys it; the verification the push started passes
    2      /orders is added, but the deploy serves the old code: Render says live, the verification fails
           on the stale instance (the service still reports the previous commit), the next commit says so
           loudly, and the next push is blocked by the pre-push hook
    3      the fix is pushed with MOSAIC_FIX=1; this deploy serves the new code; its verification passes
           (a remediation) and `mosaic-hooks dora` shows the four metrics with the failure and its recovery

Nobody runs `verify` by hand: each `git push` the pre-push hook lets through starts a verification in the
background (`verify_after_push`), which waits for the push to land and its deploy to go live, checks
production and records the result; the demo waits for that record, and `mosaic-hooks status` shows it.

"Render" is the package's Render fake: it gets each push after `git push` (Render's webhook) and
follows a short deploy timeline; the service is restarted at the pushed commit as part of the deploy,
except in step 2.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mosaic_hooks.core import isotime
from mosaic_hooks.core.words import plural
from mosaic_hooks.demo import shop
from mosaic_hooks.demo.sandbox import DemoError, Ran, Sandbox
from mosaic_hooks.demo.service import ShopService
from mosaic_hooks.verification import background_jobs as jobs

SERVICE_ID = "srv-demoshop0000000000"
# How long the demo waits for a background verification to finish, at most (it takes about two seconds).
BACKGROUND_BOUND = 60.0
SERVICE_NAME = "shop"
# A deploy takes about a second: long enough to see `verify` wait for it, short enough for the demo.
TIMELINE = (("build_in_progress", 0.5), ("update_in_progress", 0.4), ("live", 0.0))

CONFIG_TOML = f"""\
# mosaic-hooks settings of the demo: short intervals, so that the story takes seconds.
service_name = "{SERVICE_NAME}"
poll_interval = 0.2
health_samples = 5
wait_timeout = 30
push_wait_timeout = 20
request_timeout = 5
gate_timeout = 20
# Every push is verified in the background; the demo shows the results in the terminal, not on the desktop.
desktop_notify = false
# after going live, the service's events are watched this long for crashes (real use: a minute or more)
crash_watch_s = 1
push_crash_watch_s = 1
"""

GITIGNORE = """\
# the deployment history and the DORA metrics are local records, not source
.mosaic/deployment_history.jsonl
.mosaic/deployment_history.jsonl.lock
.mosaic/dora_metrics.json
.mosaic/*.lock
.mosaic/.gitignore
__pycache__/
"""

README = """\
# shop

A tiny shop service (plain WSGI on the standard library), built by `mosaic-hooks demo`.
"""

ORDERS_DOC = """
## Orders

`GET /orders` lists the orders.
"""

RENDER_YAML = """\
services:
  - type: web
    name: shop
    runtime: python
    startCommand: python app.py
    healthCheckPath: /health
"""

STEP_TITLES = {
    "setup": "setup: the first version of the shop (/health) is pushed, deployed and verified",
    "deploy-passes": "step 1: a commit adds GET /items; Render deploys it; its verification passes",
    "deploy-fails": "step 2: a commit adds GET /orders, but the deploy serves the old code",
    "fix": "step 3: the fix is pushed with MOSAIC_FIX=1; its verification passes; the DORA metrics",
}


@dataclass
class Step:
    key: str
    title: str
    outcome: str = "not run"  # passed | failed | not run
    evidence: list[str] = field(default_factory=list)
    problem: str | None = None
    duration_s: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"step": self.key, "title": self.title, "outcome": self.outcome, "evidence": self.evidence,
                "problem": self.problem, "duration_s": self.duration_s}


def expect(condition: bool, problem: str) -> None:
    if not condition:
        raise DemoError(problem)


def matching(ran: Ran, *patterns: str, limit: int = 4) -> list[str]:
    """The lines of a command's output that match any pattern (regular expressions), at most `limit`."""
    regexes = [re.compile(p) for p in patterns]
    found = [line.strip() for line in ran.lines() if any(r.search(line) for r in regexes)]
    return list(dict.fromkeys(found))[:limit]


def seconds_between(start: str, end: str) -> float:
    started, ended = isotime.epoch(start), isotime.epoch(end)
    if started is None or ended is None:
        raise ValueError(f"not ISO 8601 times: {start!r}, {end!r}")
    return ended - started


def tail(ran: Ran, count: int = 6) -> str:
    return " | ".join(ran.lines()[-count:])


class Story:
    def __init__(self, sandbox: Sandbox, service: ShopService, fake: Any, say: Callable[[str], None]) -> None:
        self.sandbox = sandbox
        self.service = service
        self.fake = fake
        self.say = say
        self.steps = [Step(key, title) for key, title in STEP_TITLES.items()]
        self.commits: dict[str, str] = {}
        self.current: Step | None = None
        self.committed = Ran((), 0, "", "")  # the last `git commit`: what its hook said

    # -- running -----------------------------------------------------------------------------------
    def play(self) -> bool:
        actions = {"setup": self.setup, "deploy-passes": self.deploy_passes, "deploy-fails": self.deploy_fails,
                   "fix": self.fix}
        for step in self.steps:
            self.current = step
            self.say("")
            self.say(step.title)
            start = time.monotonic()
            try:
                actions[step.key]()
            except (DemoError, OSError) as exc:
                step.outcome, step.problem = "failed", str(exc)
                self.say(f"  NOT AS DESCRIBED: {exc}")
                return False
            finally:
                step.duration_s = round(time.monotonic() - start, 2)
            step.outcome = "passed"
        return True

    def note(self, line: str) -> None:
        """One line of narration, kept as the step's evidence."""
        assert self.current is not None
        self.current.evidence.append(line)
        self.say(f"  {line}")

    def quote(self, lines: list[str]) -> None:
        for line in lines:
            self.note(f"    | {line.strip()}")

    # -- the pieces --------------------------------------------------------------------------------
    def write(self, files: dict[str, str]) -> None:
        for name, text in files.items():
            path = self.sandbox.repo / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")

    def shop_files(self, paths: list[str]) -> dict[str, str]:
        return {"app.py": shop.app_source(paths), "openapi.json": shop.openapi_document(paths)}

    def commit(self, message: str, files: dict[str, str]) -> str:
        """A real `git commit`: the pre-commit hook runs the local checks (and tells what finished since)."""
        self.write(files)
        self.sandbox.git("add", "--", *files)
        ran = self.sandbox.git("commit", "-q", "-m", message, check=False)
        expect(ran.code == 0, f"git commit \"{message}\" failed (exit {ran.code}): {tail(ran)}")
        self.committed = ran
        sha = self.sandbox.head()
        self.note(f"commit {sha[:10]} \"{message}\" (the pre-commit hook ran the local checks)")
        return sha

    def push(self, *, fix: bool = False) -> Ran:
        """A real `git push`: the pre-push hook checks the pushed range, then production as it stands, and
        starts the verification of what it lets through."""
        return self.sandbox.git("push", "origin", "main", extra_env={"MOSAIC_FIX": "1"} if fix else None,
                                check=False)

    def render_receives(self, sha: str, message: str, *, serve_new_code: bool = True) -> None:
        """Render's webhook: the fake gets the push; the deploy starts the new instance (or not)."""
        if serve_new_code:
            self.service.deploy(sha)  # build and start before the deploy can be live: no window of old code
        deploy_id = self.fake.push(sha, message, service_id=SERVICE_ID)
        expect(deploy_id is not None, f"the Render fake made no deploy of {sha[:10]}")
        if serve_new_code:
            self.note(f"Render (fake): deploy {deploy_id} of {sha[:10]}; the new instance serves {self.service.url}")
        else:
            self.note(f"Render (fake): deploy {deploy_id} of {sha[:10]} goes live, but the instance still runs "
                      f"{(self.service.serving or '?')[:10]} (the old code: a stuck release, on purpose)")

    def started_in_background(self, pushed: Ran, sha: str) -> None:
        started = [line for line in pushed.lines() if f"{sha[:10]} (main) will be verified in the background" in line]
        expect(bool(started), f"the push of {sha[:10]} did not start a background verification: {tail(pushed)}")
        self.quote(started[:1])

    def background_verification(self, sha: str, *, verdict: str) -> Ran:
        """Wait (bounded) for the verification the push started, nobody running anything; its log as a Ran."""
        store = jobs.Store(self.sandbox.repo / ".git")
        ident = jobs.job_id(SERVICE_NAME, sha)
        deadline = time.monotonic() + BACKGROUND_BOUND
        job = store.read(ident)
        while job is None or not job.final:
            if time.monotonic() > deadline:
                raise DemoError(f"the background verification of {sha[:10]} did not finish within "
                                f"{BACKGROUND_BOUND:g} s (state: {job.state if job else 'not started'})")
            time.sleep(0.1)
            job = store.read(ident)
        log = store.log_path(ident)
        text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        ran = Ran(("background verification", sha), job.exit_code if job.exit_code is not None else -1, text, "")
        expect(job.state == jobs.FINISHED and job.verdict == verdict,
               f"the background verification of {sha[:10]} ended {job.state}, verdict {job.verdict}, not "
               f"{verdict}: {tail(ran, 10)}")
        self.note(f"the background verification (nobody ran a command): {sha[:10]} {verdict}, "
                  f"exit {job.exit_code}; its log, {log.name}:")
        return ran

    def status(self, code: int) -> None:
        ran = self.sandbox.mosaic("status")
        expect(ran.code == code, f"mosaic-hooks status exited {ran.code}, not {code}: {tail(ran)}")
        self.note(f"mosaic-hooks status: exit {code}")
        self.quote(matching(ran, r"last verified", limit=1))

    def history(self) -> list[dict[str, Any]]:
        path = self.sandbox.repo / ".mosaic" / "deployment_history.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

    def expect_recorded(self, sha: str, *, success: bool, remediation: bool = False) -> dict[str, Any]:
        records = self.history()
        expect(bool(records), "the history has no record")
        last = records[-1]
        expect(last.get("commit") == sha, f"the last history record is of {str(last.get('commit'))[:10]}, "
                                          f"not {sha[:10]}")
        expect(last.get("success") is success,
               f"the history recorded success={last.get('success')} for {sha[:10]}, expected {success}")
        expect(last.get("remediation") is remediation,
               f"the history recorded remediation={last.get('remediation')} for {sha[:10]}, expected {remediation}")
        verdicts = ", ".join(str(r.get("verdict")) for r in records)
        self.note(f"history: {plural(len(records), 'record')} ({verdicts}); the last: {sha[:10]} "
                  f"{last.get('verdict')}" + (", a remediation" if remediation else ""))
        return last

    # -- the steps ---------------------------------------------------------------------------------
    def setup(self) -> None:
        sandbox = self.sandbox
        sandbox.git("init", "-q", "--bare", str(sandbox.remote), cwd=sandbox.root)
        sandbox.git("init", "-q")
        sandbox.git("symbolic-ref", "HEAD", "refs/heads/main")  # whatever git's default branch name
        sandbox.git("remote", "add", "origin", str(sandbox.remote))
        installed = sandbox.mosaic("install")
        expect(installed.code == 0, f"mosaic-hooks install failed (exit {installed.code}): {tail(installed)}")
        self.note("mosaic-hooks install: pre-commit and pre-push hooks in .git/hooks")
        self.write({".gitignore": GITIGNORE, "README.md": README, ".mosaic/config.toml": CONFIG_TOML})
        sha = self.commit("Shop service with a health check",
                          {".gitignore": GITIGNORE, "README.md": README, ".mosaic/config.toml": CONFIG_TOML,
                           **self.shop_files(["/health"])})
        pushed = self.push()
        expect(pushed.code == 0, f"the first git push failed (exit {pushed.code}): {tail(pushed)}")
        self.note("git push: main is on the remote (nothing in production yet to check); the hook said:")
        self.started_in_background(pushed, sha)
        self.render_receives(sha, "Shop service with a health check")
        ran = self.background_verification(sha, verdict="pass")
        self.quote(matching(ran, r"^\s*changes ", r"^verdict: ", limit=2))
        self.expect_recorded(sha, success=True)
        self.commits["setup"] = sha

    def deploy_passes(self) -> None:
        message = "Add GET /items"
        sha = self.commit(message, self.shop_files(["/health", "/items"]))
        pushed = self.push()
        expect(pushed.code == 0, f"git push of {sha[:10]} was refused (exit {pushed.code}): {tail(pushed)}")
        self.note("git push: accepted; the pre-push hook saw the new endpoint and production passing:")
        self.quote(matching(pushed, r"endpoint added: GET /items", r"production: .*(passed|verified)", limit=2))
        self.started_in_background(pushed, sha)
        self.render_receives(sha, message)
        ran = self.background_verification(sha, verdict="pass")
        requested = [line for line in ran.lines() if re.search(r"GET +/items +200", line)]
        expect(bool(requested), f"the verification did not report GET /items answering 200: {tail(ran, 10)}")
        self.quote(matching(ran, r"found deploy", r": live$", limit=2) + requested[:1]
                   + matching(ran, r"^verdict: ", limit=1))
        self.expect_recorded(sha, success=True)
        self.status(0)
        self.commits["items"] = sha

    def deploy_fails(self) -> None:
        message = "Add GET /orders"
        sha = self.commit(message, self.shop_files(["/health", "/items", "/orders"]))
        pushed = self.push()
        expect(pushed.code == 0, f"git push of {sha[:10]} was refused (exit {pushed.code}): {tail(pushed)}")
        self.note("git push: accepted (production, at /items, passes)")
        self.started_in_background(pushed, sha)
        self.render_receives(sha, message, serve_new_code=False)
        expect(self.service.reported_commit() == self.commits["items"], "the service does not serve the old code")
        ran = self.background_verification(sha, verdict="fail")
        stale = f"stale instance: /version reports {self.commits['items'][:12]}"
        named = [line for line in ran.lines() if stale in line and sha[:12] in line]
        expect(bool(named), f"the verification failed without naming the stale instance: {tail(ran, 10)}")
        self.note("production fails: Render says live but the old code still serves:")
        self.quote(matching(ran, r"^\s*deploy +failed", r"^\s*endpoints +skipped", r"^verdict: ", limit=3))
        self.expect_recorded(sha, success=False)
        self.status(1)

        other = self.commit("Document the orders endpoint", {"README.md": README + ORDERS_DOC})
        told = [line for line in self.committed.lines() if "PRODUCTION FAILED" in line or " log: " in line]
        expect(bool(told), f"the next commit did not tell about the failed verification: {tail(self.committed)}")
        self.note("the next hook run (this commit) told it loudly:")
        self.quote(told[:2])
        blocked = self.push()
        expect(blocked.code != 0, f"git push of {other[:10]} went through while production fails")
        expect(self.sandbox.remote_head() == sha, "the remote's main moved although the push was blocked")
        expect("MOSAIC_FIX=1 git push" in blocked.output,
               f"the blocked push did not say how to push a fix: {tail(blocked, 10)}")
        self.note(f"git push of {other[:10]}: BLOCKED by the pre-push hook (exit {blocked.code}); "
                  "the remote stays at the failing commit:")
        self.quote(matching(blocked, r"production is failing", r"failed +deploy: stale instance", r"push blocked",
                            r"MOSAIC_FIX=1 git push", limit=4))
        records = self.history()
        expect(bool(records) and records[-1].get("commit") == sha and records[-1].get("success") is False,
               "after the blocked push, the history's last record is not the failing deploy of /orders")
        self.note(f"history: {plural(len(records), 'record')}; the pre-push hook's own check of production "
                  "is recorded too")
        self.commits["orders"] = sha
        self.commits["blocked"] = other

    def fix(self) -> None:
        message = "Fix the stuck release: declare the start command in render.yaml"
        sha = self.commit(message, {"render.yaml": RENDER_YAML})
        pushed = self.push(fix=True)
        expect(pushed.code == 0, f"MOSAIC_FIX=1 git push was refused (exit {pushed.code}): {tail(pushed, 10)}")
        expect(self.sandbox.remote_head() == sha, "the remote's main is not at the fix after the push")
        self.note("MOSAIC_FIX=1 git push: let through as the fix:")
        self.quote(matching(pushed, r"MOSAIC_FIX=1: ", limit=1))
        self.started_in_background(pushed, sha)
        self.render_receives(sha, message)
        ran = self.background_verification(sha, verdict="pass")
        requested = [line for line in ran.lines() if re.search(r"GET +/orders +200", line)]
        expect(bool(requested), f"the verification did not report GET /orders answering 200: {tail(ran, 10)}")
        self.note("/orders answers now:")
        self.quote(requested[:1] + matching(ran, r"^verdict: ", limit=1))
        self.expect_recorded(sha, success=True, remediation=True)
        self.status(0)

        dora = self.sandbox.mosaic("dora")
        expect(dora.code == 0, f"mosaic-hooks dora exited {dora.code}: {tail(dora)}")
        metrics = self.dora_metrics()
        failed = metrics["change_failure_rate"]["failed_deployments"]
        expect(failed >= 1, f"the DORA metrics count {failed} failed deployments, expected at least 1")
        incidents = metrics["time_to_restore_service"].get("incident_list") or []
        incident = next((i for i in incidents if self.commits["orders"] in i.get("failed_commits", [])), None)
        expect(incident is not None, "the DORA metrics have no incident for the failed deploy of /orders")
        assert incident is not None
        expect(incident.get("status") == "restored" and incident.get("restored_by_commit") == sha,
               f"the incident is not recorded as restored by the fix {sha[:10]}: {incident}")
        self.note("mosaic-hooks dora: the four metrics, with the failure and the recovery:")
        self.quote(matching(dora, r"Deployment frequency", r"Lead time", r"Change failure rate",
                            r"Time to restore", limit=4))
        recovery = seconds_between(incident["started_at"], incident["restored_at"])
        self.note(f"the incident: production failed at {incident['started_at']} ({self.commits['orders'][:10]}), "
                  f"restored at {incident['restored_at']} by the fix {sha[:10]}: {recovery:.0f} s to restore")
        self.commits["fix"] = sha

    def dora_metrics(self) -> dict[str, Any]:
        path = self.sandbox.repo / ".mosaic" / "dora_metrics.json"
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DemoError(f"{path} could not be read: {exc}") from None
        return data



"""The demo's story, step by step, through the real hooks and commands; each step checks that it went
as told (exit codes, what the commands said, what the history recorded), so the demo is a self-test.

    setup  the first version (/health) is pushed, deployed and verified: production has a verified baseline
    1      /items is added and pushed; Render deploys it; `verify` waits, checks and passes
    2      /orders is added, but the deploy serves the old code: `verify` fails on the 404, and the next
           push is blocked by the pre-push hook
    3      the fix is pushed with MOSAIC_FIX=1; this deploy serves the new code; `verify` passes (a
           remediation) and `mosaic-hooks dora` shows the four metrics with the failure and its recovery

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
from datetime import datetime
from typing import Any

from mosaic_hooks.demo import shop
from mosaic_hooks.demo.sandbox import DemoError, Ran, Sandbox
from mosaic_hooks.demo.service import ShopService

SERVICE_ID = "srv-demoshop0000000000"
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
    "deploy-passes": "step 1: a commit adds GET /items; Render deploys it; verify passes",
    "deploy-fails": "step 2: a commit adds GET /orders, but the deploy serves the old code",
    "fix": "step 3: the fix is pushed with MOSAIC_FIX=1; verify passes; the DORA metrics",
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


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def seconds_between(start: str, end: str) -> float:
    def parse(text: str) -> datetime:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))

    return (parse(end) - parse(start)).total_seconds()


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
        """A real `git commit`: the pre-commit hook runs the local checks."""
        self.write(files)
        self.sandbox.git("add", "--", *files)
        ran = self.sandbox.git("commit", "-q", "-m", message, check=False)
        expect(ran.code == 0, f"git commit \"{message}\" failed (exit {ran.code}): {tail(ran)}")
        sha = self.sandbox.head()
        self.note(f"commit {sha[:10]} \"{message}\" (the pre-commit hook ran the local checks)")
        return sha

    def push(self, *, fix: bool = False) -> Ran:
        """A real `git push`: the pre-push hook checks the pushed range, then production as it stands."""
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

    def verify(self, *, fix: bool = False) -> Ran:
        return self.sandbox.mosaic("verify", extra_env={"MOSAIC_FIX": "1"} if fix else None)

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
        self.note("git push: main is on the remote (nothing in production yet to check)")
        self.render_receives(sha, "Shop service with a health check")
        ran = self.verify()
        expect(ran.code == 0, f"mosaic-hooks verify of the first version exited {ran.code}, not 0: {tail(ran, 10)}")
        self.note("mosaic-hooks verify: exit 0, production has a verified baseline:")
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
        self.render_receives(sha, message)
        ran = self.verify()
        expect(ran.code == 0, f"mosaic-hooks verify exited {ran.code}, not 0: {tail(ran, 10)}")
        requested = [line for line in ran.lines() if re.search(r"GET +/items +200", line)]
        expect(bool(requested), f"verify did not report GET /items answering 200: {tail(ran, 10)}")
        self.note("mosaic-hooks verify: exit 0; it waited for the deploy, then checked production:")
        self.quote(matching(ran, r"found deploy", r": live$", limit=2) + requested[:1]
                   + matching(ran, r"^verdict: ", limit=1))
        self.expect_recorded(sha, success=True)
        self.commits["items"] = sha

    def deploy_fails(self) -> None:
        message = "Add GET /orders"
        sha = self.commit(message, self.shop_files(["/health", "/items", "/orders"]))
        pushed = self.push()
        expect(pushed.code == 0, f"git push of {sha[:10]} was refused (exit {pushed.code}): {tail(pushed)}")
        self.note("git push: accepted (production, at /items, passes)")
        self.render_receives(sha, message, serve_new_code=False)
        expect(self.service.reported_commit() == self.commits["items"], "the service does not serve the old code")
        ran = self.verify()
        expect(ran.code == 1, f"mosaic-hooks verify exited {ran.code}, not 1 (failed): {tail(ran, 10)}")
        named = [line for line in ran.lines() if "/orders" in line and "404" in line]
        expect(bool(named), f"verify failed without naming the 404 on /orders: {tail(ran, 10)}")
        self.note("mosaic-hooks verify: exit 1, production fails:")
        self.quote(matching(ran, r"^\s*endpoints +failed", r"GET +/orders +404", r"^verdict: ", limit=3))
        self.expect_recorded(sha, success=False)

        other = self.commit("Document the orders endpoint", {"README.md": README + ORDERS_DOC})
        blocked = self.push()
        expect(blocked.code != 0, f"git push of {other[:10]} went through while production fails")
        expect(self.sandbox.remote_head() == sha, "the remote's main moved although the push was blocked")
        expect("MOSAIC_FIX=1 git push" in blocked.output,
               f"the blocked push did not say how to push a fix: {tail(blocked, 10)}")
        self.note(f"git push of {other[:10]}: BLOCKED by the pre-push hook (exit {blocked.code}); "
                  "the remote stays at the failing commit:")
        self.quote(matching(blocked, r"production is failing", r"failed +endpoints: .*/orders.*404", r"push blocked",
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
        self.render_receives(sha, message)
        ran = self.verify(fix=True)
        expect(ran.code == 0, f"mosaic-hooks verify of the fix exited {ran.code}, not 0: {tail(ran, 10)}")
        requested = [line for line in ran.lines() if re.search(r"GET +/orders +200", line)]
        expect(bool(requested), f"verify did not report GET /orders answering 200: {tail(ran, 10)}")
        self.note("mosaic-hooks verify: exit 0; /orders answers now:")
        self.quote(requested[:1] + matching(ran, r"^verdict: ", limit=1))
        self.expect_recorded(sha, success=True, remediation=True)

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



"""No secret leaks, on any command, through any failure path.

RENDER_API_KEY, MOSAIC_PROBE_TOKEN and the DATABASE_URL password are set to unique markers; each scenario
runs real commands (`changes`, `check`, `pre-push`, `wait`, `verify` with every report, `dora` with every
output, `history push/pull`) against the Render fake, a real service and closed ports, through 401s, 500s,
unreachable hosts and an unreachable database. Then every output, report, the history, the metrics, the
working tree, the git objects of the repository and of its remote are searched for the markers (in every
encoding `tests/support/secrets.py` knows): zero occurrences. A redirect to another port never carries the key.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from mosaic_hooks.testing.render_fake import RenderFake
from tests.conftest import commit_files, git, run_cli
from tests.support.apps import Toggles, fastapi_app, serve_asgi
from tests.support.fault_proxy import UNRESOLVABLE_HOST, ClosedPort, FaultProxy
from tests.support.reliability_log import ReliabilityLog, has_traceback
from tests.support.secrets import GitObjects, SecretMarkers, Source, make_markers, scan

Proc = subprocess.CompletedProcess[str]
LIMITS_TOML = ("poll_interval = 0.1\nrequest_timeout = 0.5\nwait_timeout = 1.5\npush_wait_timeout = 1.5\n"
               'gate_timeout = 3\nhealth_samples = 3\nprobe_path = "/_mosaic/status"\n'
               "crash_watch_s = 0\npush_crash_watch_s = 0\n")
APP = 'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/health")\ndef health():\n    return {}\n'
MIGRATION = 'revision = "0001"\ndown_revision = None\n\n\ndef upgrade():\n    pass\n'


@pytest.fixture(scope="module")
def service() -> Iterator[tuple[int, Toggles]]:
    toggles = Toggles()
    with serve_asgi(fastapi_app(toggles)) as url:
        yield int(url.rsplit(":", 1)[1].rstrip("/")), toggles


@dataclass
class World:
    repo: Path
    remote: Path
    out: Path
    markers: SecretMarkers
    base: str
    head: str
    render: RenderFake
    service_port: int
    closed_port: int
    proxy: Callable[..., FaultProxy]

    def run(self, *args: str, env: dict[str, str] | None = None, input: str | None = None) -> Proc:
        return run_cli(*args, cwd=self.repo, env={**self.markers.env(), **(env or {})}, input=input, timeout=60)

    def render_env(self, service: str, api_url: str | None = None) -> dict[str, str]:
        env = self.render.env(service)
        env["RENDER_API_KEY"] = self.markers.render_api_key
        if api_url is not None:
            env["MOSAIC_RENDER_API_URL"] = api_url
        return env

    def new_service(self, timeline: list[tuple[str, float]] | None = None) -> str:
        name = f"srv-{time.monotonic_ns() % 10**12}"
        self.render.add_service(name, timeline=timeline or [("build_in_progress", 0.1), ("live", 0)])
        self.render.push(self.head, "items")
        return name

    @property
    def closed_url(self) -> str:
        return f"http://127.0.0.1:{self.closed_port}"

    def reports(self, *args: str, env: dict[str, str]) -> Proc:
        name = args[0]
        return self.run(*args, "--json", "--junit", str(self.out / f"{name}.xml"), "--proof",
                        str(self.out / f"{name}.md"), env=env)


def _changes_and_check(w: World) -> list[Proc]:
    # Something for `check` to look at: a broken source, a new requirement, a new migration, staged.
    (w.repo / "app.py").write_text(APP + "\ndef broken(:\n")
    (w.repo / "requirements.txt").write_text("fastapi\nno-such-package-mosaic==1.0\n")
    (w.repo / "migrations" / "versions" / "0002_more.py").write_text(MIGRATION.replace('"0001"', '"0002"', 1))
    git(w.repo, "add", "-A")
    return [w.run("changes", "--json", "--base", w.base), w.run("changes", "--base", w.base),
            w.run("check"), w.run("check", env={"DATABASE_URL": w.markers.database_url + "?sslmode=bogus"})]


def _pre_push(w: World) -> list[Proc]:
    line = f"refs/heads/main {w.head} refs/heads/main {w.base}\n"
    env = {"BACKEND_URL": w.closed_url}
    return [w.run("pre-push", "origin", str(w.remote), input=line, env=env),
            w.run("pre-push", "origin", str(w.remote), input="garbage \x00 line\nrefs/heads/x 12 y\n", env=env),
            w.run("pre-push", "origin", str(w.remote), input=line, env={**env, **w.render_env(w.new_service())})]


def _wait_401(w: World) -> list[Proc]:
    env = {**w.render_env(w.new_service()), "RENDER_API_KEY": w.markers.render_api_key + "-refused"}
    return [w.run("wait", env=env), w.run("wait", "--json", env=env)]


def _wait_unreachable(w: World) -> list[Proc]:
    service = w.new_service()
    return [w.run("wait", "--json", env=w.render_env(service, w.closed_url + "/v1")),
            w.run("wait", env=w.render_env(service, f"https://{UNRESOLVABLE_HOST}/v1")),
            w.run("wait", env=w.render_env(service, f"https://127.0.0.1:{w.render.port}/v1"))]


def _wait_500s(w: World) -> list[Proc]:
    proxy = w.proxy(w.render.port)
    proxy.set("status", status=500)
    return [w.run("wait", "--json", env=w.render_env(w.new_service(), proxy.url + "/v1"))]


def _verify_everything_unreachable(w: World) -> list[Proc]:
    env = {**w.render_env(w.new_service(), w.closed_url + "/v1"), "BACKEND_URL": w.closed_url}
    return [w.reports("verify", "--base", w.base, env=env),
            w.run("verify", "--no-wait", "--base", w.base, env={"BACKEND_URL": f"http://{UNRESOLVABLE_HOST}"})]


def _render_echoes_the_key_across_every_cut(w: World) -> list[Proc]:
    """Issue 15 item 2: a proxy's error repeats the Authorization header; the message is cut at 200
    characters. The key lies before, across (at every third character) and after the cut."""
    procs: list[Proc] = []
    key = w.markers.render_api_key
    head = "upstream refused; request was: Authorization: Bearer "
    first_pad = 200 - len(head) - len(key) - 1
    for pad in range(first_pad, 200 - len(head) + 2, 3):
        proxy = w.proxy(w.render.port)
        message = "x" * pad + head + key + " Accept: application/json"
        proxy.set("status", status=400, body=json.dumps({"id": "bad_request", "message": message}))
        env = w.render_env(w.new_service(), proxy.url + "/v1")
        procs.append(w.run("wait", "--json", env=env))
    env = {**w.render_env(w.new_service(), proxy.url + "/v1"), "BACKEND_URL": w.closed_url}
    procs.append(w.reports("verify", "--base", w.base, env=env))
    procs += [w.run("history", "push"), w.run("history", "show", "--json")]
    return procs


def _verify_500s_and_401(w: World) -> list[Proc]:
    service_proxy = w.proxy(w.service_port)
    service_proxy.set("status", status=500)
    env = {**w.render_env(w.new_service()), "RENDER_API_KEY": w.markers.render_api_key + "-refused",
           "BACKEND_URL": service_proxy.url}
    return [w.reports("verify", "--base", w.base, env=env),
            w.reports("verify", "--no-wait", "--base", w.base, env={"BACKEND_URL": service_proxy.url})]


def _verify_db_unreachable(w: World) -> list[Proc]:
    # The same password, a closed port: the migrations check cannot connect (and says so without the password).
    database_url = w.markers.database_url.replace("@127.0.0.1:5432/", f"@127.0.0.1:{w.closed_port}/")
    assert database_url != w.markers.database_url
    env = {**w.render_env(w.new_service()), "BACKEND_URL": f"http://127.0.0.1:{w.service_port}",
           "DATABASE_URL": database_url}
    procs = [w.reports("verify", "--base", w.base, env=env)]
    assert "could not be read" in procs[0].stdout  # the migrations check did try the database
    return procs


def _dora_after_failures(w: World) -> list[Proc]:
    service_proxy = w.proxy(w.service_port)
    service_proxy.set("status", status=500)
    procs = [w.run("verify", "--no-wait", "--base", w.base, env={"BACKEND_URL": service_proxy.url})]
    procs += [w.run("dora", "--json", "--html", str(w.out / "dora.html"), "--openmetrics",
                    str(w.out / "dora.om")), w.run("dora")]
    return procs


def _history_push_pull(w: World) -> list[Proc]:
    procs = [w.run("verify", "--no-wait", "--base", w.base, env={"BACKEND_URL": w.closed_url})]
    procs += [w.run("history", "push"), w.run("history", "pull"), w.run("history", "show", "--json"),
              w.run("history", "push", "--remote", "nowhere"), w.run("history", "pull", "--remote", "nowhere")]
    return procs


SCENARIOS: list[tuple[str, Callable[[World], list[Proc]]]] = [
    ("changes and check", _changes_and_check),
    ("pre-push: unreachable production, garbage stdin, Render waiting", _pre_push),
    ("wait: 401 from Render", _wait_401),
    ("wait: Render unreachable, unresolvable, TLS to plain HTTP", _wait_unreachable),
    ("wait: Render answers 500", _wait_500s),
    ("verify + reports: service and Render unreachable, unresolvable host", _verify_everything_unreachable),
    ("verify + reports: service 500s, Render 401", _verify_500s_and_401),
    ("wait, verify + reports, history push: Render's error echoes the key across its cut",
     _render_echoes_the_key_across_every_cut),
    ("verify + reports: database unreachable", _verify_db_unreachable),
    ("dora json/html/openmetrics after failed verifications", _dora_after_failures),
    ("history push/pull after a verification, and to a missing remote", _history_push_pull),
]


@pytest.mark.parametrize(("scope", "scenario"), SCENARIOS, ids=[name for name, _ in SCENARIOS])
def test_no_secret_in_any_output_or_file(scope: str, scenario: Callable[[World], list[Proc]], repo: Path,
                                         remote: Path, tmp_path: Path, service: tuple[int, Toggles],
                                         fault_proxy: Callable[..., FaultProxy],
                                         reliability_log: ReliabilityLog) -> None:
    markers = make_markers(special=True)
    (repo / ".mosaic").mkdir(exist_ok=True)
    (repo / ".mosaic" / "config.toml").write_text(LIMITS_TOML)
    base = commit_files(repo, {"app.py": APP, ".mosaic/config.toml": LIMITS_TOML}, "service")
    head = commit_files(repo, {"app.py": APP + '\n\n@app.get("/items")\ndef items():\n    return []\n',
                               "migrations/versions/0001_init.py": MIGRATION}, "items")
    git(repo, "push", "-q", "--no-verify", "origin", "main")
    port, toggles = service
    toggles.commit = head
    out = tmp_path / "out"
    out.mkdir()
    with RenderFake(api_key=markers.render_api_key) as render, ClosedPort() as closed:
        world = World(repo=repo, remote=remote, out=out, markers=markers, base=base, head=head, render=render,
                      service_port=port, closed_port=closed.port, proxy=fault_proxy)
        procs = scenario(world)
    sources: list[Source] = [(f"<{' '.join(p.args[3:5])} {n}>", p.stdout + "\n" + p.stderr)
                             for n, p in enumerate(procs)]
    sources += [repo, remote, out, GitObjects(repo), GitObjects(remote)]
    result = scan(sources, markers)
    reliability_log.secrets(scope, result)
    assert result.hits == [], "\n".join(map(str, result.hits[:10]))
    assert not [p for p in procs if has_traceback(p.stderr)], [p.stderr for p in procs if has_traceback(p.stderr)]


def test_a_redirect_to_another_port_never_carries_the_key(repo: Path, fault_proxy: Callable[..., FaultProxy],
                                                          reliability_log: ReliabilityLog) -> None:
    """Render answering 302 to another 127.0.0.1 port (another origin): that port must not see the key."""
    markers = make_markers()
    (repo / ".mosaic").mkdir(exist_ok=True)
    (repo / ".mosaic" / "config.toml").write_text(LIMITS_TOML)
    with RenderFake(api_key=markers.render_api_key) as render:
        render.add_service("srv-redirected", timeline=[("live", 0)])
        render.push(git(repo, "rev-parse", "HEAD"), "initial")
        elsewhere = fault_proxy(render.port)  # records every header it receives, and forwards to the fake
        front = fault_proxy(render.port)
        front.set("redirect", status=302, location=elsewhere.url + "/v1/services/srv-redirected")
        env = {**render.env("srv-redirected"), **markers.env(), "MOSAIC_RENDER_API_URL": front.url + "/v1"}
        procs = [run_cli("wait", cwd=repo, env=env), run_cli("verify", "--json", cwd=repo,
                                                          env={**env, "BACKEND_URL": "http://127.0.0.1:9"})]
        seen = elsewhere.seen()
        front_seen = front.seen()
    carried = [(request.target, value) for request in seen for _name, value in request.headers]
    result = scan([("<headers at the redirect target>", repr(carried)),
                   *[(f"<{p.args[3]}>", p.stdout + p.stderr) for p in procs], repo], markers)
    reliability_log.secrets("302 from Render to another 127.0.0.1 port", result)
    # Render API requests do not follow redirects at all; if they ever do, the headers above are checked.
    assert front_seen, "the client never asked the redirecting server"
    assert any(request.header("Authorization") for request in front_seen)  # control: the key is sent to Render
    assert result.hits == [], "\n".join(map(str, result.hits[:10]))
    assert all(p.returncode != 0 for p in procs)  # a redirect the client does not follow is not a pass
    assert not any(has_traceback(p.stderr) for p in procs)


def test_a_service_redirecting_to_another_port_never_gets_the_probe_token_there(
        repo: Path, service: tuple[int, Toggles], fault_proxy: Callable[..., FaultProxy],
        reliability_log: ReliabilityLog) -> None:
    """The service (version endpoint, health, probe) answering 302 to another 127.0.0.1 port: the probe token
    is never sent there (the version endpoint is followed, the checks are not)."""
    markers = make_markers()
    (repo / ".mosaic").mkdir(exist_ok=True)
    (repo / ".mosaic" / "config.toml").write_text(LIMITS_TOML)
    port, _toggles = service
    elsewhere = fault_proxy(port)
    front = fault_proxy(port)
    front.set("redirect", status=302, location=elsewhere.url + "/version")
    env = {"MOSAIC_PROBE_TOKEN": markers.probe_token, "DATABASE_URL": markers.database_url,
           "BACKEND_URL": front.url}
    procs = [run_cli("wait", "--timeout", "1", cwd=repo, env=env),
             run_cli("verify", "--no-wait", "--json", cwd=repo, env=env)]
    carried = [(request.target, value) for request in elsewhere.seen() for _name, value in request.headers]
    result = scan([("<headers at the redirect target>", repr(carried)),
                   *[(f"<{p.args[3]}>", p.stdout + p.stderr) for p in procs], repo],
                  {"MOSAIC_PROBE_TOKEN": markers.probe_token, "DATABASE_URL password": markers.db_password})
    reliability_log.secrets("302 from the service to another 127.0.0.1 port", result)
    assert any(request.header("Authorization") or "status" in request.target for request in front.seen())
    assert elsewhere.seen(), "the redirect was never followed: nothing to check"
    assert result.hits == [], "\n".join(map(str, result.hits[:10]))
    assert procs[1].returncode != 0 and not any(has_traceback(p.stderr) for p in procs)

"""Right verdicts on real services (issue 11): the repository's own app served by a real uvicorn or
werkzeug process, real git, the Render fake over HTTP.

- a healthy service passes its first `verify` (no verified base) although FastAPI's /docs, an
  `include_in_schema=False` route and the probe are not in its OpenAPI document;
- a stale instance (Render says live, the service still serves the previous commit) fails naming both;
- MOSAIC_SKIP and `[tool.mosaic.gates]` switch gates off, visibly; an unknown name is a usage error;
- `baseline` records production as the verified base; `verify --timeout`; an unpushed commit is said early.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import commit_files, git, run_cli
from tests.support.served_repo import serve_repo

TOKEN = "probe-token-for-tests"

FASTAPI_APP = '''import os

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel

from mosaic_hooks import probe

app = FastAPI(title="shop")


class Health(BaseModel):
    status: str


class Item(BaseModel):
    id: int
    name: str


@app.get("/health", response_model=Health)
def health():
    return {"status": "ok"}


@app.get("/version", include_in_schema=False)
def version():
    return {"commit": os.environ.get("RENDER_GIT_COMMIT", "")}


@app.get("/items/{item_id}", response_model=Item)
def get_item(item_id: int):
    return {"id": item_id, "name": "widget"}


@app.get("/metrics", include_in_schema=False)
def metrics():
    return PlainTextResponse("# TYPE shop_up gauge\\nshop_up 1\\n")


app.include_router(probe.fastapi_router())
'''

FLASK_APP = '''import os

from flask import Flask, jsonify

from mosaic_hooks import probe

app = Flask(__name__)


@app.get("/health")
def health():
    return jsonify(status="ok")


@app.get("/version")
def version():
    return jsonify(commit=os.environ.get("RENDER_GIT_COMMIT", ""))


@app.get("/items/<int:item_id>")
def get_item(item_id):
    return jsonify(id=item_id, name="widget")


probe.install_flask(app)
'''

CONFIG = '''[tool.mosaic]
backend_url = "{url}"
probe_path = "/_mosaic/status"
health_samples = 5
request_timeout = 3
gate_timeout = 30
poll_interval = 0.1
'''


def configure(repo: Path, url: str, extra: str = "") -> None:
    """The service's URL goes in the working tree, uncommitted: it is known only once the server runs."""
    (repo / "pyproject.toml").write_text(CONFIG.format(url=url) + extra)


def history(repo: Path) -> list[dict[str, Any]]:
    path = repo / ".mosaic" / "deployment_history.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def gates_of(stdout: str) -> dict[str, dict[str, Any]]:
    return {g["name"]: g for g in json.loads(stdout)["gates"]}


@pytest.fixture
def shop(repo: Path) -> Iterator[tuple[str, str]]:
    """The FastAPI shop committed and served at its commit: (url, commit)."""
    head = commit_files(repo, {"app.py": FASTAPI_APP}, "shop")
    with serve_repo(repo, "app:app", commit=head, env={"MOSAIC_PROBE_TOKEN": TOKEN}) as url:
        configure(repo, url)
        yield url, head


# ---------------------------------------------------------------- item 1: routes outside the contract


def test_a_healthy_fastapi_service_passes_its_first_verify(repo: Path, shop: tuple[str, str]) -> None:
    _, head = shop
    proc = run_cli("verify", "--no-wait", "--json", cwd=repo, env={"MOSAIC_PROBE_TOKEN": TOKEN})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    parent = git(repo, "rev-parse", f"{head}^")
    assert f"base: {parent[:12]}, the parent of {head[:12]} (no verified base recorded yet;" in proc.stderr
    gates = gates_of(proc.stdout)
    assert {name: g["status"] for name, g in gates.items()} == {
        "deploy": "passed", "health": "passed", "endpoints": "passed", "contract": "passed", "errors": "passed",
        "dependencies": "skipped", "migrations": "skipped", "monitoring": "passed"}
    contract = "\n".join(gates["contract"]["evidence"])
    for label in ("GET /docs", "GET /docs/oauth2-redirect", "GET /redoc", "GET /openapi.json", "GET /metrics",
                  "GET /version", "GET /_mosaic/status"):
        assert f"outside the contract: {label} is kept out of the OpenAPI document by design" in contract
    assert "ok GET /items/{item_id} is documented" in contract
    # Outside the contract, never outside the endpoints check: they must still answer.
    endpoints = "\n".join(gates["endpoints"]["evidence"])
    assert "ok GET /docs: 200" in endpoints and "ok GET /metrics: 200" in endpoints
    assert gates["endpoints"]["summary"] == "all 9 added endpoints answer"
    assert "ok the probe and /version report" in "\n".join(gates["deploy"]["evidence"])


def test_a_flask_service_passes_its_first_verify_with_monitoring_switched_off(repo: Path) -> None:
    head = commit_files(repo, {"app.py": FLASK_APP}, "flask shop")
    with serve_repo(repo, "app:app", commit=head, wsgi=True, env={"MOSAIC_PROBE_TOKEN": TOKEN}) as url:
        configure(repo, url, "\n[tool.mosaic.gates]\nmonitoring = false\n")
        proc = run_cli("verify", "--no-wait", "--json", cwd=repo, env={"MOSAIC_PROBE_TOKEN": TOKEN})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    gates = gates_of(proc.stdout)
    assert gates["endpoints"]["status"] == "passed" and gates["deploy"]["status"] == "passed"
    assert gates["contract"]["status"] == "skipped"  # Flask serves no OpenAPI document
    assert gates["monitoring"] == {**gates["monitoring"], "status": "skipped",
                                   "summary": "switched off: [tool.mosaic.gates] monitoring = false"}
    assert "monitoring: switched off: [tool.mosaic.gates] monitoring = false" in proc.stderr
    assert history(repo)[-1]["switched_off"] == {"monitoring": "switched off: [tool.mosaic.gates] monitoring = false"}


# ---------------------------------------------------------------- item 2: a stale instance


def test_render_live_but_the_service_serving_the_previous_commit_fails_naming_both(repo: Path) -> None:
    from mosaic_hooks.testing.render_fake import RenderFake

    old = commit_files(repo, {"app.py": FASTAPI_APP}, "shop")
    new = commit_files(repo, {"app.py": FASTAPI_APP + "\n# a change\n"}, "change")
    with serve_repo(repo, "app:app", commit=old) as url, RenderFake() as fake:
        configure(repo, url)
        fake.add_service("srv-shop", timeline=[("live", 0)])
        fake.push(new, "change")
        env = {"MOSAIC_RENDER_API_URL": fake.api_url, "RENDER_API_KEY": fake.api_key,
               "RENDER_SERVICE_ID": "srv-shop", "NO_COLOR": "1"}
        proc = run_cli("verify", "--commit", new, "--timeout", "20", cwd=repo, env=env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert (f"stale instance: /version reports {old[:12]} (an older commit), not the verified commit {new[:12]}"
            in proc.stdout)
    assert "verdict: FAIL (failed: deploy (stale instance" in proc.stdout
    # One cause, one failure: the checks of the new commit's changes would judge the old code.
    for gate in ("endpoints", "contract", "errors", "dependencies", "migrations", "monitoring"):
        assert any(line.split()[:3] == [gate, "skipped", "not"] and
                   f"not run: production serves {old[:12]}, not {new[:12]} (stale instance, see deploy)" in line
                   for line in proc.stdout.splitlines()), gate
    assert fake.api_key not in proc.stdout + proc.stderr


def test_without_an_api_key_a_stale_instance_fails_too(repo: Path) -> None:
    old = commit_files(repo, {"app.py": FASTAPI_APP}, "shop")
    new = commit_files(repo, {"app.py": FASTAPI_APP + "\n# a change\n"}, "change")
    with serve_repo(repo, "app:app", commit=old) as url:
        configure(repo, url)
        proc = run_cli("verify", "--no-wait", "--commit", new, "--json", cwd=repo)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    deploy = gates_of(proc.stdout)["deploy"]
    assert deploy["status"] == "failed" and old[:12] in deploy["summary"] and new[:12] in deploy["summary"]


def test_a_service_that_cannot_tell_its_commit_passes_and_the_deploy_gate_says_so(repo: Path) -> None:
    from mosaic_hooks.testing.render_fake import RenderFake

    head = commit_files(repo, {"app.py": FASTAPI_APP}, "shop")
    with serve_repo(repo, "app:app", commit=head) as url, RenderFake() as fake:
        configure(repo, url, 'version_path = "/no-such-version"\n')
        fake.add_service("srv-shop", timeline=[("live", 0)])
        fake.push(head, "shop")
        env = {"MOSAIC_RENDER_API_URL": fake.api_url, "RENDER_API_KEY": fake.api_key, "RENDER_SERVICE_ID": "srv-shop"}
        proc = run_cli("verify", "--json", "--timeout", "20", cwd=repo, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    deploy = gates_of(proc.stdout)["deploy"]
    assert deploy["summary"].endswith("; the serving commit is unknown (no probe or version endpoint reports it)")


# ---------------------------------------------------------------- item 3: switching gates off


def test_mosaic_skip_skips_a_gate_prints_it_and_records_it(repo: Path, shop: tuple[str, str]) -> None:
    proc = run_cli("verify", "--no-wait", cwd=repo, env={"MOSAIC_SKIP": "contract", "NO_COLOR": "1",
                                                         "MOSAIC_PROBE_TOKEN": TOKEN})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "mosaic-hooks: contract: skipped: MOSAIC_SKIP=contract" in proc.stderr
    assert "contract      skipped      skipped: MOSAIC_SKIP=contract" in proc.stdout
    assert proc.stdout.rstrip().splitlines()[-2].endswith("; skipped: contract (MOSAIC_SKIP)")
    record = history(repo)[-1]
    assert record["switched_off"] == {"contract": "skipped: MOSAIC_SKIP=contract"}
    assert {"name": "contract", "status": "skipped", "summary": "skipped: MOSAIC_SKIP=contract"} in record["gates"]


def test_an_unknown_name_in_mosaic_skip_is_a_usage_error_listing_the_names(repo: Path) -> None:
    proc = run_cli("verify", "--no-wait", cwd=repo, env={"MOSAIC_SKIP": "nosuch", "BACKEND_URL": "http://127.0.0.1:9"})
    assert proc.returncode == 2
    assert proc.stderr.startswith("mosaic-hooks: MOSAIC_SKIP names unknown check(s): nosuch (hint: known: ")
    assert "contract" in proc.stderr and "monitoring" in proc.stderr
    assert history(repo) == []


def test_an_unknown_gate_in_the_config_switches_is_a_usage_error(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[tool.mosaic]\nbackend_url = "http://127.0.0.1:9"\n'
                                         '[tool.mosaic.gates]\nmonitorng = false\n')
    proc = run_cli("verify", "--no-wait", cwd=repo)
    assert proc.returncode == 2
    assert "[gates] names no gate 'monitorng' (hint: did you mean 'monitoring'?" in proc.stderr


# ---------------------------------------------------------------- item 4: adopting a running service


def test_baseline_records_production_as_the_verified_base(repo: Path, shop: tuple[str, str]) -> None:
    _, head = shop
    proc = run_cli("baseline", "--no-wait", cwd=repo, env={"NO_COLOR": "1", "MOSAIC_PROBE_TOKEN": TOKEN})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{head[:12]} is recorded as the verified base" in proc.stderr
    [record] = history(repo)
    assert record["kind"] == "baseline" and record["success"] is True and record["base"] is None
    assert [g["name"] for g in record["gates"]] == ["deploy", "health", "endpoints"]
    # The next verification is judged on its own change only.
    commit_files(repo, {"NOTES.md": "nothing served changes\n"}, "notes")
    proc = run_cli("verify", "--no-wait", "--json", cwd=repo, env={"MOSAIC_PROBE_TOKEN": TOKEN})
    assert f"base: {head[:12]}, the last verified commit" in proc.stderr
    assert gates_of(proc.stdout)["endpoints"]["status"] == "skipped"


# ---------------------------------------------------------------- item 8: bounded, and said early


def test_verify_timeout_bounds_the_wait_and_an_unpushed_commit_is_said_at_once(repo: Path,
                                                                               shop: tuple[str, str]) -> None:
    unpushed = commit_files(repo, {"NOTES.md": "local only\n"}, "not pushed")
    start = time.monotonic()
    proc = run_cli("verify", "--timeout", "1.5", cwd=repo, env={"MOSAIC_PROBE_TOKEN": TOKEN})
    assert time.monotonic() - start < 30
    assert proc.returncode == 3, proc.stdout + proc.stderr
    first = proc.stderr.splitlines()
    assert any(line.startswith(f"mosaic-hooks: {unpushed[:12]} cannot be on Render: this repository has no remote")
               for line in first[:3]), proc.stderr


def test_a_commit_on_no_remote_branch_is_named_as_not_pushed(repo: Path, remote: Path,
                                                              shop: tuple[str, str]) -> None:
    unpushed = commit_files(repo, {"NOTES.md": "local only\n"}, "not pushed")
    proc = run_cli("verify", "--timeout", "0.5", cwd=repo, env={"MOSAIC_PROBE_TOKEN": TOKEN})
    assert f"mosaic-hooks: {unpushed[:12]} is on no remote branch (not pushed yet?): Render deploys only " \
           "pushed commits; waiting at most 0.5 s anyway" in proc.stderr


@pytest.mark.parametrize("value", ["0", "-1", "soon", "nan"])
def test_a_timeout_that_is_not_a_positive_number_is_a_usage_error(repo: Path, value: str) -> None:
    proc = run_cli("verify", "--timeout", value, cwd=repo)
    assert proc.returncode == 2
    assert "argument --timeout: invalid seconds value" in proc.stderr


# ---------------------------------------------------------------- the push: pre-push and post-receive


def push(repo: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **env}
    return subprocess.run(["git", "push", *args], cwd=repo, capture_output=True, text=True, env=full_env, timeout=300)


@pytest.mark.parametrize(("source", "wsgi", "extra"), [
    (FASTAPI_APP, False, ""),
    (FLASK_APP, True, "\n[tool.mosaic.gates]\nmonitoring = false\n"),
], ids=["fastapi", "flask"])
def test_the_first_push_after_install_on_a_healthy_service_passes_and_names_its_skips(
        repo: Path, remote: Path, source: str, wsgi: bool, extra: str) -> None:
    head = commit_files(repo, {"app.py": source}, "shop")
    git(repo, "push", "-q", "--no-verify", "origin", "main")  # what production serves when mosaic-hooks arrives
    with serve_repo(repo, "app:app", commit=head, wsgi=wsgi, env={"MOSAIC_PROBE_TOKEN": TOKEN}) as url:
        configure(repo, url, extra)
        assert run_cli("install", cwd=repo).returncode == 0
        commit_files(repo, {"NOTES.md": "first change after install\n"}, "notes")
        pushed = push(repo, "origin", "main", env={"MOSAIC_PROBE_TOKEN": TOKEN, "MOSAIC_SKIP": "errors"})
    assert pushed.returncode == 0, pushed.stderr
    # The commit production serves is judged, named with where that came from (issue 12).
    assert (f"mosaic-hooks: production: {head[:12]} (serving, from {url}/version) passed its checks; "
            "skipped: errors (MOSAIC_SKIP)") in pushed.stderr
    [record] = history(repo)
    assert record["commit"] == head and record["success"] is True
    assert record["switched_off"]["errors"] == "skipped: MOSAIC_SKIP=errors"


def test_an_unknown_name_in_mosaic_skip_blocks_the_push_at_once(repo: Path, remote: Path) -> None:
    assert run_cli("install", cwd=repo).returncode == 0
    commit_files(repo, {"NOTES.md": "change\n"}, "notes")
    pushed = push(repo, "origin", "main", env={"MOSAIC_SKIP": "contrakt"})
    assert pushed.returncode != 0
    assert "mosaic-hooks: MOSAIC_SKIP names unknown check(s): contrakt" in pushed.stderr


def test_post_receive_verification_honours_mosaic_skip(repo: Path, tmp_path: Path) -> None:
    bare = tmp_path / "server.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    git(repo, "remote", "add", "server", str(bare))
    git(repo, "push", "-q", "--no-verify", "server", "main")
    assert run_cli("install", cwd=bare).returncode == 0
    head = commit_files(repo, {"app.py": FASTAPI_APP}, "shop")
    with serve_repo(repo, "app:app", commit=head) as url:
        pushed = push(repo, "--no-verify", "server", "main",
                      env={"MOSAIC_SKIP": "contract,monitoring", "BACKEND_URL": url, "MOSAIC_POLL_INTERVAL": "0.1"})
        assert pushed.returncode == 0, pushed.stderr
        log = bare / "mosaic-hooks" / "verify.log"
        deadline = time.monotonic() + 60
        while "verdict:" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
    text = log.read_text()
    assert "contract: skipped: MOSAIC_SKIP=contract" in text and "monitoring: skipped: MOSAIC_SKIP=monitoring" in text
    assert "; skipped: contract (MOSAIC_SKIP), monitoring (MOSAIC_SKIP)" in text

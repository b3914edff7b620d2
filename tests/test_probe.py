"""mosaic_hooks.probe: the status endpoint in real FastAPI, Starlette, Flask and Django apps served on 127.0.0.1,
and the client the gates read it with."""

from __future__ import annotations

import asyncio
import json
import socket
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx
import pytest

from mosaic_hooks import probe
from mosaic_hooks.core.errors import Inconclusive

TOKEN = "probe-token-7f3a9c1e5b"
COMMIT = "a" * 40
REPORT_KEYS = {"kind", "schema", "commit", "started_at", "uptime_s", "python", "environment", "distributions",
               "migrations"}


# ----- real servers on 127.0.0.1

class UvicornThread:
    def __init__(self, app: Any) -> None:
        import uvicorn

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="error", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


class WerkzeugThread:
    def __init__(self, app: Any) -> None:
        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_port}"

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.server.server_close()


def _alembic_sqlite(path: Path, revision: str) -> str:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
    conn.execute("INSERT INTO alembic_version VALUES (?)", (revision,))
    conn.commit()
    conn.close()
    return f"sqlite:///{path}"


def _fastapi_app() -> Any:
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/items/{item_id}")
    def item(item_id: int) -> dict[str, int]:
        return {"id": item_id}

    app.add_route("/_mosaic/status", probe.starlette_endpoint)  # the documented one-liner
    app.include_router(probe.fastapi_router("/_mosaic/router-status"))  # the other one
    return app


def _starlette_app() -> Any:
    from starlette.applications import Starlette

    return Starlette(routes=[probe.starlette_route()])


def _flask_app(kind: str) -> Any:
    from flask import Flask, redirect

    app = Flask("probe_test")
    if kind == "install":
        probe.install_flask(app)
    else:
        app.register_blueprint(probe.flask_blueprint("/status/probe"))

    @app.get("/moved")
    def moved() -> Any:
        return redirect("http://127.0.0.2:9/_mosaic/status", code=307)

    return app


@pytest.fixture(scope="module")
def fastapi_url() -> Iterator[str]:
    with UvicornThread(_fastapi_app()) as url:
        yield url


@pytest.fixture(scope="module")
def starlette_url() -> Iterator[str]:
    with UvicornThread(_starlette_app()) as url:
        yield url


@pytest.fixture(scope="module")
def flask_url() -> Iterator[str]:
    with WerkzeugThread(_flask_app("install")) as url:
        yield url


@pytest.fixture(scope="module")
def flask_blueprint_url() -> Iterator[str]:
    with WerkzeugThread(_flask_app("blueprint")) as url:
        yield url


@pytest.fixture
def token(monkeypatch: pytest.MonkeyPatch) -> str:
    """The token configured on the (in-process) services."""
    monkeypatch.setenv("MOSAIC_PROBE_TOKEN", TOKEN)
    monkeypatch.setenv("RENDER_GIT_COMMIT", COMMIT)
    return TOKEN


def get(url: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.get(url, headers=headers or {}, timeout=10)


# ----- the one-liners answer with the report

@pytest.mark.parametrize(("server", "path"), [
    ("fastapi_url", "/_mosaic/status"),
    ("fastapi_url", "/_mosaic/router-status"),
    ("starlette_url", "/_mosaic/status"),
    ("flask_url", "/_mosaic/status"),
    ("flask_blueprint_url", "/status/probe"),
])
def test_each_one_liner_reports_commit_distributions_and_start_time(
        server: str, path: str, token: str, request: pytest.FixtureRequest) -> None:
    base = request.getfixturevalue(server)
    response = get(base + path, {"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    report = response.json()
    assert set(report) == REPORT_KEYS
    assert report["kind"] == "mosaic-probe"
    assert report["commit"] == COMMIT
    assert report["distributions"]["httpx"] == metadata.version("httpx")
    started = time.mktime(time.strptime(report["started_at"], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
    assert started <= time.time() + 1
    assert report["environment"]["python_version"] == f"{sys.version_info.major}.{sys.version_info.minor}"
    assert report["migrations"] is None  # no DATABASE_URL in this process


def test_the_x_mosaic_probe_token_header_is_accepted(fastapi_url: str, token: str) -> None:
    assert get(fastapi_url + "/_mosaic/status", {"X-Mosaic-Probe-Token": token}).status_code == 200


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer wrong-token-000000"},
    {"Authorization": f"Basic {TOKEN}"},
    {"Authorization": f"Bearer {TOKEN}x"},
    {"Authorization": f"Bearer {TOKEN[:-1]}"},
    {"X-Mosaic-Probe-Token": ""},
])
@pytest.mark.parametrize("server", ["fastapi_url", "flask_url"])
def test_a_request_without_the_right_token_is_refused_with_401_and_no_report(
        server: str, headers: dict[str, str], token: str, request: pytest.FixtureRequest) -> None:
    response = get(request.getfixturevalue(server) + "/_mosaic/status", headers)
    assert response.status_code == 401
    assert "distributions" not in response.text
    assert COMMIT not in response.text


@pytest.mark.parametrize("server", ["fastapi_url", "starlette_url", "flask_url"])
def test_without_a_token_on_the_service_the_endpoint_is_disabled_with_404(
        server: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENDER_GIT_COMMIT", COMMIT)
    response = get(request.getfixturevalue(server) + "/_mosaic/status", {"Authorization": "Bearer anything"})
    assert response.status_code == 404
    assert COMMIT not in response.text


def test_the_token_is_compared_in_constant_time(fastapi_url: str, token: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import hmac

    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def recording(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", recording)
    assert get(fastapi_url + "/_mosaic/status", {"Authorization": "Bearer nope"}).status_code == 401
    assert get(fastapi_url + "/_mosaic/status", {"Authorization": f"Bearer {token}"}).status_code == 200
    assert len(calls) == 2
    # Digests of equal length are compared, so not even the token's length shows in the timing.
    assert all(len(a) == len(b) == 32 for a, b in calls)


def test_the_report_never_shows_environment_variables_or_secrets(
        fastapi_url: str, token: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "app.db"
    _alembic_sqlite(db, "rev0001")
    markers = {
        "SECRET_KEY": "marker-secret-key-91f2",
        "RENDER_API_KEY": "rnd_marker-api-key-5521",
        "AWS_SECRET_ACCESS_KEY": "marker-aws-0d9e",
        "STRIPE_KEY": "sk_live_marker-77aa",
    }
    for name, value in markers.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    text = get(fastapi_url + "/_mosaic/status", {"Authorization": f"Bearer {token}"}).text
    for value in [*markers.values(), token]:
        assert value not in text
    assert set(json.loads(text)) == REPORT_KEYS


def test_the_applied_alembic_revision_comes_from_the_services_database_url(
        flask_url: str, token: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", _alembic_sqlite(tmp_path / "app.db", "3f9c0a1b2d4e"))
    report = get(flask_url + "/_mosaic/status", {"Authorization": f"Bearer {token}"}).json()
    assert report["migrations"] == {"source": "DATABASE_URL", "tool": "alembic", "table_found": True,
                                    "applied": ["3f9c0a1b2d4e"]}


def test_an_unreachable_database_is_reported_without_its_password(
        fastapi_url: str, token: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("DATABASE_URL", f"postgresql://app:Pw-marker-4411@127.0.0.1:{port}/shop")
    started = time.monotonic()
    response = get(fastapi_url + "/_mosaic/status", {"Authorization": f"Bearer {token}"})
    assert time.monotonic() - started < probe.MIGRATION_TIMEOUT_S + 5
    assert response.status_code == 200
    migrations = response.json()["migrations"]
    assert "cannot connect" in migrations["error"]
    assert "Pw-marker-4411" not in response.text


def test_the_fastapi_router_stays_out_of_the_openapi_document(fastapi_url: str) -> None:
    paths = get(fastapi_url + "/openapi.json").json()["paths"]
    assert "/items/{item_id}" in paths
    assert not any("mosaic" in path for path in paths)


def test_importing_the_probe_loads_no_web_framework_or_database_driver() -> None:
    code = ("import sys, mosaic_hooks.probe; "
            "print(sorted(m for m in ('httpx','fastapi','starlette','flask','django','psycopg','packaging') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=True)
    assert out.stdout.strip() == "[]"


# ----- Django, in its own process (its settings are global to a process)

DJANGO_APP = textwrap.dedent("""
    import sys
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from django.conf import settings

    settings.configure(
        DEBUG=False, ALLOWED_HOSTS=["127.0.0.1"], SECRET_KEY="django-secret-marker-0a1b",
        ROOT_URLCONF=__name__, MIDDLEWARE=[],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": sys.argv[1]}},
    )
    import django

    django.setup()
    from django.core.wsgi import get_wsgi_application
    from django.urls import path

    from mosaic_hooks import probe
    urlpatterns = [path("_mosaic/status", probe.django_view)]

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=Quiet)
    print(server.server_port, flush=True)
    server.serve_forever()
""")


@pytest.fixture(scope="module")
def django_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import os

    tmp = tmp_path_factory.mktemp("django")
    db = tmp / "db.sqlite3"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE django_migrations (id INTEGER PRIMARY KEY, app TEXT, name TEXT, applied TEXT)")
    conn.executemany("INSERT INTO django_migrations (app, name, applied) VALUES (?, ?, '2026-01-01')",
                     [("shop", "0001_initial"), ("shop", "0002_price"), ("auth", "0001_initial")])
    conn.commit()
    conn.close()
    script = tmp / "django_app.py"
    script.write_text(DJANGO_APP)
    # Module fixtures start before the per-test environment is set up: say where this checkout is.
    checkout = str(Path(probe.__file__).resolve().parent.parent)
    env = {**os.environ, "MOSAIC_PROBE_TOKEN": TOKEN, "RENDER_GIT_COMMIT": COMMIT, "PYTHONPATH": checkout}
    proc = subprocess.Popen([sys.executable, str(script), str(db)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.strip():
            raise RuntimeError(f"the Django app did not start: {proc.stderr.read() if proc.stderr else ''}")
        yield f"http://127.0.0.1:{line.strip()}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_django_view_reports_the_migrations_from_djangos_own_database(django_url: str) -> None:
    response = get(django_url + "/_mosaic/status", {"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["commit"] == COMMIT
    assert report["distributions"]["django"] == metadata.version("django")
    assert report["migrations"] == {"source": "django", "tool": "django", "table_found": True,
                                    "applied": ["auth.0001_initial", "shop.0001_initial", "shop.0002_price"]}
    assert "django-secret-marker-0a1b" not in response.text


def test_django_view_refuses_a_wrong_token_and_other_methods(django_url: str) -> None:
    assert get(django_url + "/_mosaic/status", {"X-Mosaic-Probe-Token": "wrong"}).status_code == 401
    assert httpx.post(django_url + "/_mosaic/status", headers={"X-Mosaic-Probe-Token": TOKEN},
                      timeout=10).status_code == 405


# ----- the client side

def _fetch(url: str, token: str, timeout: float = 5) -> dict[str, Any]:
    async def go() -> dict[str, Any]:
        async with httpx.AsyncClient() as client:
            return await probe.fetch_status(client, url, token, timeout=timeout)

    return asyncio.run(go())


def test_fetch_status_returns_the_report(fastapi_url: str, token: str) -> None:
    assert _fetch(fastapi_url + "/_mosaic/status", token)["commit"] == COMMIT


@pytest.mark.parametrize(("setup", "path", "expected"), [
    (lambda mp: mp.setenv("MOSAIC_PROBE_TOKEN", "another-token-123"), "/_mosaic/status", "refused the token (401)"),
    (lambda mp: None, "/_mosaic/status", "answered 404"),
    (lambda mp: mp.setenv("MOSAIC_PROBE_TOKEN", TOKEN), "/items/1", "not with a mosaic_hooks.probe report"),
    (lambda mp: mp.setenv("MOSAIC_PROBE_TOKEN", TOKEN), "/items/x", "answered 422"),
])
def test_fetch_status_says_in_one_line_why_the_probe_could_not_be_read(
        fastapi_url: str, setup: Callable[[pytest.MonkeyPatch], None], path: str, expected: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    setup(monkeypatch)
    with pytest.raises(Inconclusive) as info:
        _fetch(fastapi_url + path, TOKEN)
    assert expected in info.value.line()
    assert TOKEN not in info.value.line()


def test_fetch_status_does_not_follow_a_redirect_with_the_token(flask_url: str, token: str) -> None:
    with pytest.raises(Inconclusive, match="answered 307"):
        _fetch(flask_url + "/moved", token)


def test_fetch_status_on_a_closed_port_is_inconclusive() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(Inconclusive, match="connection refused"):
        _fetch(f"http://127.0.0.1:{port}/_mosaic/status", TOKEN)


def test_fetch_status_gives_up_at_its_timeout() -> None:
    with socket.socket() as listener:  # accepts and never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(Inconclusive, match=r"no answer within 0\.3 s"):
            _fetch(f"http://127.0.0.1:{port}/_mosaic/status", TOKEN, timeout=0.3)
        assert time.monotonic() - started < 3


def test_fetch_probe_is_none_when_no_probe_is_configured(tmp_path: Path) -> None:
    from mosaic_hooks.core import config
    cfg = config.load(tmp_path, env={"BACKEND_URL": "http://127.0.0.1:9"})

    async def go() -> dict[str, Any] | None:
        async with httpx.AsyncClient() as client:
            return await probe.fetch_probe(client, cfg)

    assert asyncio.run(go()) is None


def test_fetch_probe_reads_the_configured_probe(fastapi_url: str, token: str, tmp_path: Path) -> None:
    from mosaic_hooks.core import config
    (tmp_path / ".mosaic").mkdir()
    (tmp_path / ".mosaic" / "config.toml").write_text('probe_path = "/_mosaic/status"\n')
    cfg = config.load(tmp_path, env={"BACKEND_URL": fastapi_url, "MOSAIC_PROBE_TOKEN": token})

    async def go() -> dict[str, Any] | None:
        async with httpx.AsyncClient() as client:
            return await probe.fetch_probe(client, cfg)

    report = asyncio.run(go())
    assert report is not None and report["commit"] == COMMIT

"""`mosaic_hooks.probe`: an optional status endpoint for your service, and the client the gates use.

Add it with one line:

    # FastAPI / Starlette
    app.add_route("/_mosaic/status", probe.starlette_endpoint)       # or routes=[probe.starlette_route()]
    app.include_router(probe.fastapi_router())                        # FastAPI, kept out of the OpenAPI document
    # Flask
    probe.install_flask(app)                           # or app.register_blueprint(probe.flask_blueprint())
    # Django (urls.py)
    path("_mosaic/status", probe.django_view),

and set the same `MOSAIC_PROBE_TOKEN` on the service and where `mosaic-hooks verify` runs, and
`probe_path = "/_mosaic/status"` in the config. The endpoint reports the serving commit
(`RENDER_GIT_COMMIT`), the installed distributions and their versions, the applied migrations (from the
service's `DATABASE_URL`, or Django's own database connection) and when the process started.

It answers only a request carrying the token (`Authorization: Bearer <token>` or `X-Mosaic-Probe-Token:
<token>`), compared in constant time; without a token configured on the service it answers 404, as if it
were not there. It never reports environment variables (other than the commit) or secrets.

This module is imported by the service, so it imports nothing beyond the standard library until a
request needs it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx
    from fastapi import APIRouter
    from flask import Blueprint, Flask
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    from mosaic_hooks.core.config import Config

DEFAULT_PATH = "/_mosaic/status"
TOKEN_ENV = "MOSAIC_PROBE_TOKEN"
TOKEN_HEADER = "X-Mosaic-Probe-Token"
SCHEMA = 1
KIND = "mosaic-probe"
# The migration query must not hold a request for long: the probe answers with what it could learn.
MIGRATION_TIMEOUT_S = 3.0

_IMPORTED_AT = time.time()
_distributions_cache: dict[str, str] | None = None


# ----- what the probe reports

def _process_started_at() -> float:
    """When this process started (Linux: from /proc), else when this module was imported."""
    try:
        with open("/proc/self/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        start_ticks = int(fields[19])  # field 22 of stat(5); fields[0] is field 3
        with open("/proc/stat", encoding="ascii") as f:
            boot = next(int(line.split()[1]) for line in f if line.startswith("btime "))
        return boot + start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return _IMPORTED_AT


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def _normalize(name: str) -> str:
    """PEP 503 name normalisation: packaging's (a dependency of mosaic-hooks, so the service has it)."""
    from packaging.utils import canonicalize_name

    return str(canonicalize_name(name))


def distributions() -> dict[str, str]:
    """Installed distributions {normalised name: version}; read once, as they do not change under a process."""
    global _distributions_cache
    if _distributions_cache is None:
        from importlib import metadata

        found: dict[str, str] = {}
        for dist in metadata.distributions():
            name = dist.metadata["Name"] if dist.metadata else None
            if name:
                # The first one on sys.path wins, as it does for imports.
                found.setdefault(_normalize(name), dist.version)
        _distributions_cache = dict(sorted(found.items()))
    return _distributions_cache


def marker_environment() -> dict[str, str]:
    """The values requirement markers (PEP 508) are evaluated against, so the gate can judge `; python_version<..`."""
    impl = sys.implementation
    version = f"{impl.version.major}.{impl.version.minor}.{impl.version.micro}"
    return {
        "implementation_name": impl.name,
        "implementation_version": version,
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_python_implementation": platform.python_implementation(),
        "platform_system": platform.system(),
        "python_full_version": platform.python_version(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
    }


def applied_migrations(env: Mapping[str, str] | None = None) -> dict[str, Any] | None:
    """{"tool", "applied", "source"} from DATABASE_URL or Django's connection; {"error"} if that failed; None if
    there is no database to ask."""
    env = os.environ if env is None else env
    url = env.get("DATABASE_URL")
    if url:
        from mosaic_hooks.core.errors import MosaicError
        from mosaic_hooks.gates.applied_migrations import read_applied

        try:
            applied = read_applied(url, None, timeout=MIGRATION_TIMEOUT_S)
        except MosaicError as exc:
            return {"source": "DATABASE_URL", "error": exc.message}
        return {"source": "DATABASE_URL", "tool": applied.tool, "table_found": applied.table_found,
                "applied": list(applied.versions)}
    if "django" in sys.modules:
        return _django_applied()
    return None


def _django_applied() -> dict[str, Any] | None:
    try:
        from django.conf import settings  # type: ignore[import-untyped]
        from django.db import DatabaseError, connection  # type: ignore[import-untyped]

        if not settings.configured or not settings.DATABASES:
            return None
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT app, name FROM django_migrations")
                rows = cursor.fetchall()
        except DatabaseError as exc:
            text = " ".join(str(exc).split())
            if "django_migrations" in text and ("exist" in text or "no such table" in text):
                return {"source": "django", "tool": "django", "table_found": False, "applied": []}
            return {"source": "django", "error": f"{type(exc).__name__}: {text}"}
        return {"source": "django", "tool": "django", "table_found": True,
                "applied": sorted(f"{app}.{name}" for app, name in rows)}
    except Exception as exc:  # best effort: the probe must answer whatever the database does
        return {"source": "django", "error": type(exc).__name__}


def status(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The probe's report. Only these fields, whatever the environment holds."""
    env = os.environ if env is None else env
    started = _process_started_at()
    return {
        "kind": KIND,
        "schema": SCHEMA,
        "commit": env.get("RENDER_GIT_COMMIT") or None,
        "started_at": _iso(started),
        "uptime_s": round(max(0.0, time.time() - started), 1),
        "python": platform.python_version(),
        "environment": marker_environment(),
        "distributions": distributions(),
        "migrations": applied_migrations(env),
    }


# ----- who may ask

def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).digest()


def token_matches(provided: str | None, expected: str) -> bool:
    """Constant-time comparison; hashing first hides the token's length too."""
    if not provided:
        return False
    return hmac.compare_digest(_digest(provided), _digest(expected))


def presented_token(header: Callable[[str], str | None]) -> str | None:
    """The token a request carries: `Authorization: Bearer <token>` or `X-Mosaic-Probe-Token: <token>`."""
    auth = header("Authorization")
    if auth:
        scheme, _, value = auth.strip().partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    direct = header(TOKEN_HEADER)
    return direct.strip() if direct and direct.strip() else None


Answer = tuple[int, dict[str, str], bytes]  # status, headers, body


def handle(header: Callable[[str], str | None], env: Mapping[str, str] | None = None) -> Answer:
    """The framework-neutral endpoint: the answer to a GET carrying these request headers."""
    env = os.environ if env is None else env
    expected = env.get(TOKEN_ENV)
    if not expected:
        return 404, {"Content-Type": "text/plain; charset=utf-8"}, b"Not Found"
    headers = {"Content-Type": "application/json", "Cache-Control": "no-store"}
    if not token_matches(presented_token(header), expected):
        return 401, {**headers, "WWW-Authenticate": 'Bearer realm="mosaic-probe"'}, b'{"error": "unauthorized"}'
    body = json.dumps(status(env), sort_keys=True).encode("utf-8")
    return 200, headers, body


# ----- FastAPI / Starlette

async def starlette_endpoint(request: Request) -> Response:
    """`app.add_route("/_mosaic/status", probe.starlette_endpoint)`."""
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import Response

    # The report reads metadata and may ask the database: off the event loop.
    code, headers, body = await run_in_threadpool(handle, request.headers.get)
    return Response(body, status_code=code, headers=headers)


def starlette_route(path: str = DEFAULT_PATH) -> Route:
    """`Starlette(routes=[..., probe.starlette_route()])`."""
    from starlette.routing import Route

    return Route(path, starlette_endpoint, methods=["GET"], include_in_schema=False)


def fastapi_router(path: str = DEFAULT_PATH) -> APIRouter:
    """`app.include_router(probe.fastapi_router())`; not in the service's OpenAPI document."""
    from fastapi import APIRouter

    router = APIRouter()
    router.add_route(path, starlette_endpoint, methods=["GET"], include_in_schema=False)
    return router


# ----- Flask

def _flask_view() -> Any:
    from flask import Response, request

    code, headers, body = handle(request.headers.get)
    return Response(body, status=code, headers=headers)


def flask_blueprint(path: str = DEFAULT_PATH) -> Blueprint:
    """`app.register_blueprint(probe.flask_blueprint())`."""
    from flask import Blueprint

    blueprint = Blueprint("mosaic_probe", __name__)
    blueprint.add_url_rule(path, "status", _flask_view, methods=["GET"])
    return blueprint


def install_flask(app: Flask, path: str = DEFAULT_PATH) -> None:
    """`probe.install_flask(app)`."""
    app.register_blueprint(flask_blueprint(path))


# ----- Django

def django_view(request: Any) -> Any:
    """`path("_mosaic/status", probe.django_view)` in urls.py."""
    from django.http import HttpResponse, HttpResponseNotAllowed  # type: ignore[import-untyped]

    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    code, headers, body = handle(request.headers.get)
    response = HttpResponse(body, status=code, content_type=headers.pop("Content-Type"))
    for name, value in headers.items():
        response[name] = value
    return response


# ----- the client side, used by the gates

def _probe_error(message: str, hint: str | None = None) -> Exception:
    # Imported here: the service imports this module and needs none of the tool's own modules.
    from mosaic_hooks.core.errors import Inconclusive

    return Inconclusive(message, hint=hint)


async def fetch_status(client: httpx.AsyncClient, url: str, token: str, *, timeout: float) -> dict[str, Any]:
    """GET the probe at `url` with the token; the report, or `MosaicError` (Inconclusive) saying why not.

    Redirects are not followed: the token goes to the configured address and nowhere else.
    """
    from urllib.parse import urlsplit

    import httpx

    path = urlsplit(url).path or "/"
    try:
        response = await client.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=timeout,
                                    follow_redirects=False)
    except httpx.TimeoutException:
        raise _probe_error(f"probe {path}: no answer within {timeout:.1f} s") from None
    except httpx.HTTPError as exc:
        detail = "connection refused or host unreachable" if isinstance(exc, httpx.ConnectError) else type(
            exc).__name__
        raise _probe_error(f"probe {path}: {detail}") from None
    code = response.status_code
    if code == 404:
        raise _probe_error(f"probe {path} answered 404",
                           hint="add mosaic_hooks.probe at that path and set MOSAIC_PROBE_TOKEN on the service")
    if code in (401, 403):
        raise _probe_error(f"probe {path} refused the token ({code})",
                           hint="MOSAIC_PROBE_TOKEN must be the same here and on the service")
    if code != 200:
        raise _probe_error(f"probe {path} answered {code}")
    try:
        data = response.json()
    except ValueError:
        raise _probe_error(f"probe {path} answered 200 but not with JSON") from None
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise _probe_error(f"probe {path} answered 200 but not with a mosaic_hooks.probe report")
    return data


async def fetch_probe(client: httpx.AsyncClient, cfg: Config) -> dict[str, Any] | None:
    """The probe's report; None when no probe is configured (no probe_path, token or backend_url).

    Raises `MosaicError` (Inconclusive) when a configured probe cannot be read.
    """
    if not (cfg.probe_path and cfg.probe_token and cfg.backend_url):
        return None
    return await fetch_status(client, str(cfg.backend_url).rstrip("/") + str(cfg.probe_path),
                              str(cfg.probe_token), timeout=float(cfg.request_timeout))

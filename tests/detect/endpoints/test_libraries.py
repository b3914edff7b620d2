"""Routers built by libraries: mosaic-hooks' own status probe, wired as its documentation says."""

from __future__ import annotations

from mosaic_hooks.detect.endpoints import extract_endpoints
from mosaic_hooks.detect.snapshot import DictSnapshot


def endpoints_of(files: dict[str, str]) -> tuple[set[tuple[str, str]], list[str]]:
    endpoints, warnings = extract_endpoints(DictSnapshot(files))
    return {e.key for e in endpoints}, warnings


def test_probe_in_fastapi_and_starlette() -> None:
    keys, warnings = endpoints_of({"main.py": (
        "from fastapi import FastAPI\nfrom starlette.applications import Starlette\nfrom mosaic_hooks import probe\n"
        "app = FastAPI(openapi_url=None)\napp.include_router(probe.fastapi_router())\n"
        "other = Starlette(routes=[probe.starlette_route('/status')])\n")})
    assert keys == {("GET", "/_mosaic/status"), ("GET", "/status")}
    assert warnings == []


def test_probe_in_flask() -> None:
    keys, _ = endpoints_of({"app.py": (
        "from flask import Flask\nimport mosaic_hooks.probe as probe\napp = Flask(__name__, static_folder=None)\n"
        "probe.install_flask(app)\nother = Flask('x', static_folder=None)\n"
        "other.register_blueprint(probe.flask_blueprint('/health/deep'))\n")})
    assert keys == {("GET", "/_mosaic/status"), ("GET", "/health/deep")}


def test_a_probe_include_does_not_make_dead_routers_count() -> None:
    keys, _ = endpoints_of({"main.py": (
        "from fastapi import FastAPI, APIRouter\nfrom mosaic_hooks import probe\n"
        "app = FastAPI(openapi_url=None)\napp.include_router(probe.fastapi_router())\n"
        "draft = APIRouter()\n@draft.get('/draft')\ndef d(): ...\n")})
    assert keys == {("GET", "/_mosaic/status")}

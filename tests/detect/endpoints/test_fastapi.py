"""FastAPI and Starlette routes found statically, with every prefix applied."""

from __future__ import annotations

from mosaic_hooks.detect.endpoints import extract_endpoints
from mosaic_hooks.detect.snapshot import DictSnapshot

ROUTER = "from fastapi import APIRouter\nrouter = APIRouter(prefix='/{}')\n@router.get('/')\ndef f(): ...\n"


def keys(files: dict[str, str]) -> set[tuple[str, str]]:
    endpoints, _ = extract_endpoints(DictSnapshot(files))
    return {e.key for e in endpoints if not e.path.startswith(("/docs", "/redoc", "/openapi.json"))}


def test_settings_attribute_with_a_default_is_the_prefix() -> None:
    files = {
        "app/core/config.py": (
            "from pydantic_settings import BaseSettings\n"
            "class Settings(BaseSettings):\n"
            "    API_V1_STR: str = '/api/v1'\n"
            "    SECRET_KEY: str\n"
            "settings = Settings()\n"),
        "app/api/v1/items.py": (
            "from fastapi import APIRouter\nrouter = APIRouter()\n"
            "@router.get('/items/{item_id}')\ndef read(item_id: int): ...\n"),
        "app/api/v1/__init__.py": (
            "from fastapi import APIRouter\nfrom . import items\n"
            "api_router = APIRouter()\napi_router.include_router(items.router, prefix='/catalog')\n"),
        "app/main.py": (
            "from fastapi import FastAPI\nfrom app.api.v1 import api_router\nfrom app.core.config import settings\n"
            "app = FastAPI()\napp.include_router(api_router, prefix=settings.API_V1_STR)\n"),
    }
    assert keys(files) == {("GET", "/api/v1/catalog/items/{item_id}")}


def test_endpoint_records_file_line_and_framework() -> None:
    files = {"main.py": "from fastapi import FastAPI\napp = FastAPI()\n\n@app.post('/orders')\nasync def f(): ...\n"}
    endpoints, _ = extract_endpoints(DictSnapshot(files))
    order = next(e for e in endpoints if e.path == "/orders")
    assert (order.method, order.file, order.line, order.framework) == ("POST", "main.py", 4, "fastapi")


def test_docs_routes_follow_the_app_arguments() -> None:
    files = {"main.py": "from fastapi import FastAPI\napp = FastAPI(docs_url=None, openapi_url='/spec.json')\n"}
    endpoints, _ = extract_endpoints(DictSnapshot(files))
    assert {e.key for e in endpoints} == {("GET", "/spec.json"), ("GET", "/redoc")}
    no_docs = {"main.py": "from fastapi import FastAPI\napp = FastAPI(openapi_url='')\n"}
    assert extract_endpoints(DictSnapshot(no_docs))[0] == []


def test_every_http_verb_decorator_and_api_route() -> None:
    files = {"main.py": (
        "from fastapi import FastAPI\napp = FastAPI()\n"
        "@app.get('/a')\ndef a(): ...\n@app.post('/a')\ndef b(): ...\n@app.put('/a')\ndef c(): ...\n"
        "@app.patch('/a')\ndef d(): ...\n@app.delete('/a')\ndef e(): ...\n@app.head('/a')\ndef f(): ...\n"
        "@app.options('/a')\ndef g(): ...\n@app.api_route('/b', methods=['get', 'POST'])\ndef h(): ...\n"
        "@app.api_route('/c')\ndef i(): ...\n")}
    assert keys(files) == {("GET", "/a"), ("POST", "/a"), ("PUT", "/a"), ("PATCH", "/a"), ("DELETE", "/a"),
                           ("HEAD", "/a"), ("OPTIONS", "/a"), ("GET", "/b"), ("POST", "/b"), ("GET", "/c")}


def test_websocket_routes_are_not_http_endpoints() -> None:
    files = {"main.py": (
        "from fastapi import FastAPI, WebSocket\napp = FastAPI()\n"
        "@app.websocket('/ws')\nasync def ws(websocket: WebSocket): ...\n"
        "@app.get('/http')\ndef h(): ...\n")}
    assert keys(files) == {("GET", "/http")}


def test_prefix_set_on_the_router_after_construction() -> None:
    files = {"app/router.py": (
        "from fastapi import APIRouter\nrouter = APIRouter()\nrouter.prefix = '/api/v1'\n"
        "@router.get('/ping')\ndef ping(): ...\n"),
        "app/main.py": "from fastapi import FastAPI\nfrom app.router import router\napp = FastAPI()\n"
                       "app.include_router(router)\n"}
    assert keys(files) == {("GET", "/api/v1/ping")}


def test_prefixes_from_constants_fstrings_concatenation_and_format() -> None:
    files = {
        "app/consts.py": "BASE = '/api'\nV = 'v3'\nFULL = f'{BASE}/{V}'\nOTHER = '{}/other'.format(BASE)\n",
        "app/main.py": (
            "from fastapi import FastAPI, APIRouter\nfrom app import consts\nfrom app.consts import FULL\n"
            "app = FastAPI()\nr1 = APIRouter(prefix=FULL + '/users')\nr2 = APIRouter(prefix=consts.OTHER)\n"
            "r3 = APIRouter(prefix='/%s/x' % consts.V)\n"
            "@r1.get('/{user_id:int}')\ndef u(user_id): ...\n@r2.get('/')\ndef o(): ...\n@r3.get('')\ndef x(): ...\n"
            "app.include_router(r1)\napp.include_router(r2)\napp.include_router(r3)\n")}
    assert keys(files) == {("GET", "/api/v3/users/{user_id}"), ("GET", "/api/other/"), ("GET", "/v3/x")}


def test_environment_prefix_falls_back_to_its_default() -> None:
    files = {"main.py": (
        "import os\nfrom fastapi import FastAPI, APIRouter\n"
        "PREFIX = os.getenv('API_PREFIX', '/api')\napp = FastAPI()\nr = APIRouter()\n"
        "@r.get('/x')\ndef x(): ...\napp.include_router(r, prefix=PREFIX)\n")}
    assert keys(files) == {("GET", "/api/x")}


def test_add_api_route_add_route_and_a_router_built_by_a_project_function() -> None:
    files = {
        "svc/base.py": "from fastapi import APIRouter\n\ndef new_router():\n    r = APIRouter()\n"
                       "    r.prefix = '/v1'\n    return r\n",
        "svc/main.py": (
            "from fastapi import FastAPI\nfrom svc.base import new_router\napp = FastAPI()\nrouter = new_router()\n"
            "def handler(): ...\nrouter.add_api_route('/tasks', handler, methods=['POST'])\n"
            "router.add_api_route('/tasks/{id}', handler)\napp.add_route('/plain', handler)\n"
            "app.include_router(router)\n")}
    assert keys(files) == {("POST", "/v1/tasks"), ("GET", "/v1/tasks/{id}"), ("GET", "/plain")}


def test_routers_included_conditionally_in_try_blocks_and_loops_are_endpoints() -> None:
    files = {
        "app/routes/a.py": ROUTER.format('a'),
        "app/routes/b.py": ROUTER.format('b'),
        "app/routes/c.py": ROUTER.format('c'),
        "app/main.py": (
            "import os\nfrom fastapi import FastAPI\nfrom app.routes import a, b\napp = FastAPI()\n"
            "if os.environ.get('FEATURE'):\n    app.include_router(a.router)\n"
            "for m in (b,):\n    app.include_router(m.router, prefix='/loop')\n"
            "try:\n    import app.routes.c as c\n    app.include_router(c.router)\nexcept ImportError:\n    c = None\n"),  # noqa: E501
    }
    assert keys(files) == {("GET", "/a/"), ("GET", "/loop/b/"), ("GET", "/c/")}


def test_relative_and_aliased_imports() -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/routes/__init__.py": "from .items import router as items_router\n",
        "pkg/routes/items.py": "from fastapi import APIRouter\nrouter = APIRouter()\n@router.get('/items')\ndef f(): ...\n",  # noqa: E501
        "pkg/routes/users.py": "from fastapi import APIRouter\nrouter = APIRouter()\n@router.get('/users')\ndef f(): ...\n",  # noqa: E501
        "pkg/main.py": (
            "from fastapi import FastAPI\nfrom .routes import items_router\nimport pkg.routes.users\n"
            "app = FastAPI()\napp.include_router(items_router, prefix='/x')\n"
            "app.include_router(pkg.routes.users.router, prefix='/y')\n"),
    }
    assert keys(files) == {("GET", "/x/items"), ("GET", "/y/users")}


def test_a_router_nobody_includes_is_not_served() -> None:
    files = {"app/main.py": (
        "from fastapi import FastAPI, APIRouter\napp = FastAPI()\nunused = APIRouter(prefix='/draft')\n"
        "@unused.get('/x')\ndef x(): ...\n@app.get('/live')\ndef live(): ...\n")}
    assert keys(files) == {("GET", "/live")}


def test_routers_without_an_app_in_the_tree_are_listed_with_their_own_prefix() -> None:
    files = {"lib/routes.py": "from fastapi import APIRouter\nrouter = APIRouter(prefix='/lib')\n"
                              "@router.get('/x')\ndef x(): ...\n"}
    assert keys(files) == {("GET", "/lib/x")}


def test_router_wired_by_a_function_that_receives_the_app() -> None:
    files = {
        "app/routes.py": "from fastapi import APIRouter\nrouter = APIRouter(prefix='/r')\n@router.get('/x')\ndef x(): ...\n",  # noqa: E501
        "app/wiring.py": "from app.routes import router\n\ndef register(app):\n    app.include_router(router)\n",
        "app/main.py": "from fastapi import FastAPI\nfrom app.wiring import register\napp = FastAPI()\nregister(app)\n",
    }
    assert keys(files) == {("GET", "/r/x")}


def test_app_created_by_an_uncalled_factory() -> None:
    files = {"app/main.py": (
        "from fastapi import FastAPI\nfrom app.api import router\n\ndef create_app() -> FastAPI:\n"
        "    application = FastAPI()\n    application.include_router(router, prefix='/api')\n    return application\n"),
        "app/api.py": "from fastapi import APIRouter\nrouter = APIRouter()\n@router.get('/me')\ndef me(): ...\n"}
    assert keys(files) == {("GET", "/api/me")}


def test_starlette_route_and_mount_lists() -> None:
    files = {"app.py": (
        "from starlette.applications import Starlette\nfrom starlette.routing import Mount, Route, Router\n"
        "from starlette.endpoints import HTTPEndpoint\n"
        "async def home(request): ...\nclass Thing(HTTPEndpoint):\n    async def get(self, r): ...\n"
        "    async def delete(self, r): ...\n"
        "api = Router([Route('/things/{id:int}', Thing), Route('/login', home, methods=['POST'])])\n"
        "routes = [Route('/', home), Mount('/api/', app=api), Mount('/v2', routes=[Route('/x', home)])]\n"
        "app = Starlette(routes=routes)\n")}
    assert keys(files) == {("GET", "/"), ("GET", "/api/things/{id}"), ("DELETE", "/api/things/{id}"),
                           ("POST", "/api/login"), ("GET", "/v2/x")}


def test_a_mounted_sub_application() -> None:
    files = {"main.py": (
        "from fastapi import FastAPI\napp = FastAPI(openapi_url=None)\nsub = FastAPI(openapi_url=None)\n"
        "@sub.get('/ping')\ndef ping(): ...\napp.mount('/sub', sub)\n")}
    assert keys(files) == {("GET", "/sub/ping")}


def test_apps_built_in_tests_and_docs_are_not_the_service() -> None:
    files = {
        "tests/test_api.py": "from fastapi import FastAPI\napp = FastAPI()\n@app.get('/t')\ndef t(): ...\n",
        "docs_src/first.py": "from fastapi import FastAPI\napp = FastAPI()\n@app.get('/d')\ndef d(): ...\n",
        "conftest.py": "from fastapi import FastAPI\napp = FastAPI()\n@app.get('/c')\ndef c(): ...\n",
        "main.py": "from fastapi import FastAPI\napp = FastAPI()\n@app.get('/real')\ndef r(): ...\n",
    }
    assert keys(files) == {("GET", "/real")}


def test_unresolvable_prefix_is_left_out_with_a_warning() -> None:
    files = {"main.py": (
        "from fastapi import FastAPI, APIRouter\nfrom somewhere import compute_prefix\napp = FastAPI()\n"
        "r = APIRouter(prefix=compute_prefix())\n@r.get('/x')\ndef x(): ...\napp.include_router(r)\n")}
    endpoints, warnings = extract_endpoints(DictSnapshot(files))
    assert not [e for e in endpoints if e.path.endswith("/x")]
    assert warnings == ["main.py: 1 route(s) with a path or prefix that static analysis could not resolve "
                        "(left out; --introspect can load the app instead)"]


def test_subclassed_router_is_still_a_router() -> None:
    files = {"main.py": (
        "from fastapi import FastAPI, APIRouter\nclass MyRouter(APIRouter):\n    pass\n"
        "app = FastAPI()\nr = MyRouter(prefix='/mine')\n@r.get('/x')\ndef x(): ...\napp.include_router(r)\n")}
    assert keys(files) == {("GET", "/mine/x")}


def test_side_apps_in_examples_and_scripts_count_only_when_nothing_else_serves() -> None:
    side = {
        "examples/demo.py": "from fastapi import FastAPI\napp = FastAPI(openapi_url=None)\n"
                            "@app.get('/demo')\ndef d(): ...\n",
        "scripts/mock.py": "from flask import Flask\napp = Flask(__name__)\n@app.route('/mock')\ndef m(): ...\n",
    }
    real = {"main.py": "from fastapi import FastAPI\napp = FastAPI()\n@app.get('/real')\ndef r(): ...\n"}
    assert keys({**side, **real}) == {("GET", "/real")}
    assert keys(side) == {("GET", "/demo"), ("GET", "/mock"), ("GET", "/static/{filename}")}


def test_fastapi_users_routers_are_listed_from_the_library_table() -> None:
    files = {"app/main.py": (
        "import uuid\nfrom fastapi import FastAPI\nfrom fastapi_users import FastAPIUsers\n"
        "from app.users import auth_backend, get_user_manager\n"
        "fastapi_users = FastAPIUsers[object, uuid.UUID](get_user_manager, [auth_backend])\n"
        "app = FastAPI(openapi_url=None)\n"
        "app.include_router(fastapi_users.get_auth_router(auth_backend), prefix='/auth/jwt', tags=['auth'])\n"
        "app.include_router(fastapi_users.get_users_router(object, object), prefix='/users')\n")}
    assert keys(files) == {("POST", "/auth/jwt/login"), ("POST", "/auth/jwt/logout"), ("GET", "/users/me"),
                           ("PATCH", "/users/me"), ("GET", "/users/{id}"), ("PATCH", "/users/{id}"),
                           ("DELETE", "/users/{id}")}


def test_including_a_router_the_analysis_cannot_see_is_a_warning() -> None:
    files = {"main.py": (
        "from fastapi import FastAPI\nfrom plugins import load_router\napp = FastAPI(openapi_url=None)\n"
        "app.include_router(load_router('billing'))\n")}
    endpoints, warnings = extract_endpoints(DictSnapshot(files))
    assert endpoints == []
    assert warnings == ["main.py:4: include_router of a router static analysis cannot see; its endpoints are not "
                        "listed (--introspect can load the app)"]


def test_an_uncalled_factory_uses_its_default_arguments() -> None:
    files = {"main.py": (
        "from fastapi import FastAPI\nAPI = '/api'\n\ndef create_app(prefix: str = API + '/v1', *, debug=False):\n"
        "    app = FastAPI(openapi_url=None)\n    @app.get(prefix + '/ping')\n    def ping(): ...\n    return app\n")}
    assert keys(files) == {("GET", "/api/v1/ping")}


def test_an_app_built_in_both_branches_of_an_if_is_one_app_the_last_one() -> None:
    files = {"main.py": (
        "import os\nfrom fastapi import FastAPI\n"
        "if os.environ.get('DEBUG'):\n    app = FastAPI()\n"
        "else:\n    app = FastAPI(openapi_url=None)\n"
        "@app.get('/x')\ndef x(): ...\n")}
    endpoints, _ = extract_endpoints(DictSnapshot(files))
    assert [e.key for e in endpoints] == [("GET", "/x")]


def out_of_schema(files: dict[str, str]) -> dict[tuple[str, str], bool]:
    endpoints, _ = extract_endpoints(DictSnapshot(files))
    return {e.key: e.in_schema for e in endpoints}


def test_routes_kept_out_of_the_openapi_document_are_marked_so() -> None:
    found = out_of_schema({"app.py": """
from fastapi import APIRouter, FastAPI, Request
from fastapi.routing import APIRoute
from mosaic_hooks import probe

app = FastAPI()
hidden = APIRouter(prefix="/internal", include_in_schema=False)
listed = APIRouter()


@hidden.get("/state")
def state(): ...


@listed.get("/quiet")
def quiet(): ...


@app.get("/items")
def items(): ...


@app.get("/metrics", include_in_schema=False)
def metrics(): ...


def ping(): ...


app.add_api_route("/ping", ping, include_in_schema=False)
app.include_router(hidden)
app.include_router(listed, prefix="/ops", include_in_schema=False)
app.include_router(probe.fastapi_router())
"""})
    assert found == {
        ("GET", "/items"): True,
        ("GET", "/metrics"): False,
        ("GET", "/ping"): False,
        ("GET", "/internal/state"): False,
        ("GET", "/ops/quiet"): False,
        ("GET", "/_mosaic/status"): False,
        # FastAPI's own pages and document
        ("GET", "/openapi.json"): False,
        ("GET", "/docs"): False,
        ("GET", "/docs/oauth2-redirect"): False,
        ("GET", "/redoc"): False,
    }


def test_include_in_schema_true_or_unresolved_keeps_the_route_in_the_contract() -> None:
    found = out_of_schema({"app.py": """
import os
from fastapi import FastAPI

app = FastAPI(docs_url=None, redoc_url=None, openapi_url="/api/schema.json")


@app.get("/a", include_in_schema=True)
def a(): ...


@app.get("/b", include_in_schema=os.environ.get("SHOW") == "1")
def b(): ...
"""})
    assert found == {("GET", "/a"): True, ("GET", "/b"): True, ("GET", "/api/schema.json"): False}

"""Real services for the production-gate tests, the benchmark and the demo.

`fastapi_app(...)` and `flask_app(...)` build small backends with toggles for the faults the gates
must find; `serve_asgi(app)` / `serve_wsgi(app)` run them on 127.0.0.1 (a free port) in a thread.

Routes of both apps: GET /health, GET /version (the serving commit), GET /items/{id} (200 for id 1,
the handler's own 404 "Item not found" otherwise), POST /items (JSON body {name: str, price: number}),
GET /search?q=&limit=int and GET /things/{id} (always a bare 404, the router's very body; FastAPI),
GET /admin/secret (403; Flask), GET /reports (unless `missing` names it), GET /metrics (request
counts labelled by route template) unless `metrics=False`.
"""

# No `from __future__ import annotations` here: FastAPI reads the handlers' annotations at runtime,
# and they name classes local to the factory.
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Toggles:
    """Faults, switchable while the server runs."""

    slow_health_s: float = 0.0  # every /health answer takes this long
    crash_on_invalid: bool = False  # POST /items answers 500 to a body it cannot parse
    break_schema: bool = False  # GET /items/1 answers {"id": "one"} (id documented as integer)
    health_status: int = 200
    delay_s: float = 0.0  # added to every answer (benchmark)
    commit: str = "0" * 40
    missing: set[str] = field(default_factory=set)  # route paths not registered (decided at build time)
    requests: int = 0  # requests the Flask app has answered


def _free_socket() -> socket.socket:
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted sockets only when `proto` says TCP,
    # and without it every keep-alive answer waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def serve_asgi(app: Any) -> Iterator[str]:
    """Run `app` under uvicorn on 127.0.0.1 in a thread; yield its base URL."""
    import uvicorn

    sock = _free_socket()
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="critical", lifespan="off", access_log=False, timeout_keep_alive=30,
                            timeout_graceful_shutdown=1,
                            backlog=1024)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextmanager
def serve_wsgi(app: Any) -> Iterator[str]:
    """Run a WSGI `app` under werkzeug's threaded server on 127.0.0.1; yield its base URL."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    class QuietHandler(WSGIRequestHandler):
        def log(self, type: str, message: str, *args: Any) -> None:
            pass

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def unused_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (the port was free a moment ago)."""
    sock = _free_socket()
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"


# ---------------------------------------------------------------- FastAPI


def fastapi_app(toggles: Toggles | None = None, *, metrics: bool = True, extra_get_routes: int = 0) -> Any:
    import asyncio

    from fastapi import FastAPI, HTTPException, Request
    from fastapi.responses import JSONResponse, PlainTextResponse
    from prometheus_client import CollectorRegistry, Counter, generate_latest
    from pydantic import BaseModel

    t = toggles or Toggles()
    app = FastAPI(title="items")
    registry = CollectorRegistry()
    requests_total = Counter("http_requests_total", "Requests by route template.",
                             ["method", "handler", "status"], registry=registry)

    class Item(BaseModel):
        id: int
        name: str
        price: float | None = None

    class ItemIn(BaseModel):
        name: str
        price: float

    class Health(BaseModel):
        status: str

    class CountAndDelay:
        """Pure ASGI (BaseHTTPMiddleware would split each answer into delayed TCP writes)."""

        def __init__(self, inner: Any) -> None:
            self.inner = inner

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] != "http":
                await self.inner(scope, receive, send)
                return
            if t.delay_s:
                await asyncio.sleep(t.delay_s)
            status = {"code": 500}

            async def remember(message: Any) -> None:
                if message["type"] == "http.response.start":
                    status["code"] = message["status"]
                await send(message)

            try:
                await self.inner(scope, receive, remember)
            finally:
                handler = getattr(scope.get("route"), "path", None) or "none"
                requests_total.labels(scope["method"], handler, str(status["code"])).inc()

    app.add_middleware(CountAndDelay)

    @app.get("/health", response_model=Health)
    async def health() -> Any:
        if t.slow_health_s:
            await asyncio.sleep(t.slow_health_s)
        if t.health_status != 200:
            return JSONResponse({"status": "down"}, status_code=t.health_status)
        return {"status": "ok"}

    @app.get("/version")
    async def version() -> dict[str, str]:
        return {"commit": t.commit}

    # response_model=None + a documented model: the app does not police its own answers, the gate must.
    @app.get("/items/{item_id}", response_model=None, responses={200: {"model": Item}})
    async def get_item(item_id: int) -> Any:
        if item_id != 1:
            raise HTTPException(status_code=404, detail="Item not found")
        if t.break_schema:
            return {"id": "one", "name": "widget"}
        return {"id": 1, "name": "widget", "price": 2.5}

    if t.crash_on_invalid:
        @app.post("/items", status_code=201, openapi_extra={"requestBody": {"required": True, "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ItemIn"}}}}})
        async def create_item_raw(request: Request) -> Any:
            data = json.loads(await request.body())  # a broken body raises: 500
            return {"id": 2, "name": data["name"], "price": data["price"]}
    else:
        @app.post("/items", status_code=201, response_model=Item)
        async def create_item(item: ItemIn) -> Any:
            # Never reached by the gate: only invalid bodies are sent.
            raise HTTPException(status_code=409, detail="the test service does not store items")

    @app.get("/things/{thing_id}")
    async def get_thing(thing_id: int) -> Any:
        raise HTTPException(status_code=404)  # the same body as the router's "no such route"

    @app.get("/search")
    async def search(q: str, limit: int = 10) -> dict[str, Any]:
        return {"q": q, "limit": limit, "results": []}

    if "/reports" not in t.missing:
        @app.get("/reports")
        async def reports() -> list[dict[str, Any]]:
            return []

    def numbered(n: int) -> Any:
        async def endpoint() -> dict[str, int]:
            return {"n": n}

        return endpoint

    for i in range(extra_get_routes):
        app.add_api_route(f"/bench/{i}", numbered(i), methods=["GET"])

    if metrics:
        @app.get("/metrics", include_in_schema=False)
        async def metrics_endpoint() -> PlainTextResponse:
            return PlainTextResponse(generate_latest(registry).decode(), media_type="text/plain; version=0.0.4")

    if t.crash_on_invalid:
        original = app.openapi

        def openapi_with_item_in() -> dict[str, Any]:
            schema = original()
            schema.setdefault("components", {}).setdefault("schemas", {})["ItemIn"] = ItemIn.model_json_schema()
            return schema

        app.openapi = openapi_with_item_in  # type: ignore[method-assign]
    return app


# ---------------------------------------------------------------- Flask


def flask_app(toggles: Toggles | None = None, *, metrics: bool = True) -> Any:
    from flask import Flask, abort, jsonify, request
    from prometheus_client import CollectorRegistry, Counter, generate_latest

    t = toggles or Toggles()
    app = Flask("items")
    registry = CollectorRegistry()
    requests_total = Counter("flask_http_request_total", "Requests by URL rule.", ["method", "path", "status"],
                             registry=registry)

    @app.before_request
    def delay() -> None:
        t.requests += 1
        if t.delay_s:
            time.sleep(t.delay_s)

    @app.after_request
    def count(response: Any) -> Any:
        rule = request.url_rule.rule if request.url_rule is not None else "none"
        requests_total.labels(request.method, rule, str(response.status_code)).inc()
        return response

    @app.get("/health")
    def health() -> Any:
        if t.slow_health_s:
            time.sleep(t.slow_health_s)
        return jsonify(status="ok" if t.health_status == 200 else "down"), t.health_status

    @app.get("/version")
    def version() -> Any:
        return jsonify(commit=t.commit)

    @app.get("/items/<int:item_id>")
    def get_item(item_id: int) -> Any:
        if item_id != 1:
            return jsonify(error="item not found"), 404
        return jsonify(id=1, name="widget")

    @app.post("/items")
    def create_item() -> Any:
        # Broken JSON: json.loads raises (500, the fault under test); get_json answers 400.
        data = json.loads(request.get_data()) if t.crash_on_invalid else request.get_json()
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            return jsonify(error="name is required"), 422
        return jsonify(error="the test service does not store items"), 409

    if "/reports" not in t.missing:
        @app.get("/reports")
        def reports() -> Any:
            return jsonify([])

    @app.get("/admin/secret")
    def admin() -> Any:
        abort(403)

    if metrics:
        @app.get("/metrics")
        def metrics_endpoint() -> Any:
            return generate_latest(registry), 200, {"Content-Type": "text/plain; version=0.0.4"}

    return app

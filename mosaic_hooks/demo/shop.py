"""The demo's web service, written into the demo repository commit by commit.

It is plain WSGI on the standard library, so the demo needs nothing beyond mosaic-hooks' own
dependencies. Its routes are declared twice, as a real project with a committed OpenAPI document
does: in `app.py` and in `openapi.json`, which is what the change detection reads for it.
"""

from __future__ import annotations

import json
from typing import Any

# path -> (response example, JSON schema of the response)
ROUTES: dict[str, tuple[Any, dict[str, Any]]] = {
    "/health": ({"status": "ok"}, {"type": "object", "required": ["status"],
                                    "properties": {"status": {"type": "string"}}}),
    "/items": ([{"id": 1, "name": "mug"}, {"id": 2, "name": "poster"}],
               {"type": "array", "items": {"type": "object", "required": ["id", "name"],
                                           "properties": {"id": {"type": "integer"},
                                                          "name": {"type": "string"}}}}),
    "/orders": ([{"id": 7, "item": 1, "quantity": 2}],
                {"type": "array", "items": {"type": "object", "required": ["id", "item", "quantity"],
                                            "properties": {"id": {"type": "integer"},
                                                           "item": {"type": "integer"},
                                                           "quantity": {"type": "integer"}}}}),
}

APP_TEMPLATE = '''\
"""The shop service (demo). Plain WSGI: run `python app.py` with PORT set."""

import json
import os
import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

ROUTES = {routes}
COUNTS = {{}}
LOCK = threading.Lock()


def app(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    method = environ.get("REQUEST_METHOD", "GET")
    label = path if path in ROUTES or path in ("/version", "/metrics", "/openapi.json") else "unmatched"
    with LOCK:
        COUNTS[(method, label)] = COUNTS.get((method, label), 0) + 1
    if path == "/version":
        return send(start_response, "200 OK", {{"commit": os.environ.get("RENDER_GIT_COMMIT", "")}})
    if path == "/metrics":
        lines = ["# HELP http_requests_total Requests served.", "# TYPE http_requests_total counter"]
        with LOCK:
            for (m, p), n in sorted(COUNTS.items()):
                lines.append(f'http_requests_total{{{{method="{{m}}",path="{{p}}"}}}} {{n}}')
        body = ("\\n".join(lines) + "\\n").encode()
        start_response("200 OK", [("Content-Type", "text/plain; version=0.0.4"), ("Content-Length", str(len(body)))])
        return [body]
    if path == "/openapi.json":
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "openapi.json"), "rb") as f:
            body = f.read()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]
    if path in ROUTES:
        if method not in ("GET", "HEAD"):
            return send(start_response, "405 Method Not Allowed", {{"detail": "Method Not Allowed"}})
        return send(start_response, "200 OK", ROUTES[path])
    return send(start_response, "404 Not Found", {{"detail": "Not Found"}})


def send(start_response, status, payload):
    body = json.dumps(payload).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


class Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


if __name__ == "__main__":
    server = make_server("127.0.0.1", int(os.environ["PORT"]), app, server_class=Server, handler_class=QuietHandler)
    server.serve_forever()
'''


def app_source(paths: list[str]) -> str:
    routes = {path: ROUTES[path][0] for path in paths}
    return APP_TEMPLATE.format(routes=json.dumps(routes, indent=4))


def openapi_document(paths: list[str]) -> str:
    doc = {
        "openapi": "3.1.0",
        "info": {"title": "shop", "version": "1.0.0"},
        "paths": {
            path: {"get": {"responses": {"200": {"description": "OK", "content": {
                "application/json": {"schema": ROUTES[path][1]}}}}}}
            for path in paths
        },
    }
    return json.dumps(doc, indent=2) + "\n"

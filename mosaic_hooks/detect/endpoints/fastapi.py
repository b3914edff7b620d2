"""FastAPI and Starlette: apps, APIRouter prefixes, include_router chains, Route/Mount lists.

Path composition follows FastAPI: a route added to a router gets the router's prefix; including a
router copies its routes under `include prefix + router prefix`; Starlette `Mount(path)` strips the
trailing slash of its path. Websocket routes are not HTTP endpoints and are skipped.
"""

from __future__ import annotations

from mosaic_hooks.detect.changeset import Endpoint
from mosaic_hooks.detect.endpoints.collect import UNRESOLVED_ROUTES, GraphCollector
from mosaic_hooks.detect.endpoints.evaluator import Evaluator
from mosaic_hooks.detect.endpoints.executor import Interpreter
from mosaic_hooks.detect.endpoints.hooks import Args
from mosaic_hooks.detect.endpoints.paths import fastapi_path
from mosaic_hooks.detect.endpoints.values import (
    UNKNOWN,
    AsView,
    ClassVal,
    Const,
    Decorator,
    External,
    Include,
    ListVal,
    MountVal,
    Obj,
    RouteRec,
    RouteVal,
    Value,
    const_str,
)

PACKAGES = frozenset({"fastapi", "starlette"})
KINDS = frozenset({"fastapi_app", "starlette_app", "apirouter", "starlette_router"})
APP_KINDS = frozenset({"fastapi_app", "starlette_app"})
HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "trace")
_DOC_ROUTES = (("openapi_url", "/openapi.json"), ("docs_url", "/docs"), ("redoc_url", "/redoc"))


def class_kind(base: External) -> str | None:
    if base.top not in PACKAGES:
        return None
    return {"FastAPI": "fastapi_app", "Starlette": "starlette_app", "APIRouter": "apirouter",
            "Router": "starlette_router"}.get(base.last)


def framework_of(obj: Obj) -> str:
    return "fastapi" if obj.kind in {"fastapi_app", "apirouter"} else "starlette"


def _methods(value: Value | None) -> list[str] | None:
    if isinstance(value, ListVal):
        out = [str(v.value).upper() for v in value.items if isinstance(v, Const) and isinstance(v.value, str)]
        return out or None
    return None


def out_of_schema(args: Args) -> bool:
    """`include_in_schema=False` written as a constant: the route answers but is not in the OpenAPI document."""
    flag = args.kw("include_in_schema")
    return isinstance(flag, Const) and flag.value is False


def on_external(interp: Evaluator, func: External, args: Args) -> Value | None:
    kind = class_kind(func)
    if kind is not None:
        obj = Obj(kind=kind, file=args.file, line=args.line)
        if kind == "apirouter":
            prefix = args.kw("prefix")
            obj.prefix = prefix if prefix is not None else Const("")
            if out_of_schema(args):
                obj.options["include_in_schema"] = Const(False)
        routes = args.get("routes", 0 if kind == "starlette_router" else None)
        if routes is not None:
            obj.route_lists.append(routes)
        if kind == "fastapi_app":
            _add_doc_routes(obj, args)
        interp.objects.append(obj)
        return obj
    if func.top not in PACKAGES:
        return None
    if func.last in {"Route", "APIRoute"}:
        methods = _methods(args.kw("methods"))
        if methods is None and func.last == "APIRoute":
            methods = ["GET"]
        return RouteVal(path=args.get("path", 0) or UNKNOWN, methods=methods,
                        endpoint=args.get("endpoint", 1) or UNKNOWN, file=args.file, line=args.line,
                        framework="fastapi" if func.last == "APIRoute" else "starlette",
                        in_schema=not out_of_schema(args))
    if func.last in {"WebSocketRoute", "APIWebSocketRoute"}:
        return RouteVal(path=UNKNOWN, methods=None, endpoint=UNKNOWN, file=args.file, line=args.line,
                        framework="starlette", websocket=True)
    if func.last == "Mount":
        return MountVal(path=args.get("path", 0) or UNKNOWN, app=args.get("app", 1),
                        routes=args.get("routes", 2), file=args.file, line=args.line)
    return None


def _add_doc_routes(obj: Obj, args: Args) -> None:
    """FastAPI serves its OpenAPI document and docs pages unless their URL is set to None; they are
    not in the document themselves."""
    obj.out_of_schema.add((args.file, args.line))
    urls: dict[str, Value] = {}
    for name, default in _DOC_ROUTES:
        given = args.kw(name)
        urls[name] = given if given is not None else Const(default)
    openapi = urls["openapi_url"]
    if not const_str(openapi):  # None or "" disables the document and the pages that need it
        return
    obj.routes.append(RouteRec(["GET"], openapi, args.file, args.line, "fastapi"))
    for name in ("docs_url", "redoc_url"):
        if const_str(urls[name]):
            obj.routes.append(RouteRec(["GET"], urls[name], args.file, args.line, "fastapi"))
    docs = const_str(urls["docs_url"])
    redirect = args.kw("swagger_ui_oauth2_redirect_url")
    redirect = redirect if redirect is not None else Const("/docs/oauth2-redirect")
    if docs and const_str(redirect):
        obj.routes.append(RouteRec(["GET"], redirect, args.file, args.line, "fastapi"))


def on_method(interp: Evaluator, obj: Obj, name: str, args: Args) -> Value | None:
    if obj.kind not in KINDS:
        return None
    framework = framework_of(obj)
    if name in {*HTTP_METHODS, "api_route", "route", "add_api_route", "add_route"} and out_of_schema(args):
        obj.out_of_schema.add((args.file, args.line))
    if name in HTTP_METHODS:
        return Decorator(obj, [name.upper()], args.get("path", 0) or UNKNOWN, args.file, args.line, framework)
    if name == "api_route":
        return Decorator(obj, _methods(args.kw("methods")) or ["GET"], args.get("path", 0) or UNKNOWN,
                         args.file, args.line, framework)
    if name == "route":
        return Decorator(obj, _methods(args.kw("methods")), args.get("path", 0) or UNKNOWN,
                         args.file, args.line, "starlette")
    if name in {"websocket", "websocket_route", "add_websocket_route", "add_api_websocket_route"}:
        return UNKNOWN
    if name == "add_api_route":
        obj.routes.append(RouteRec(_methods(args.kw("methods")) or ["GET"], args.get("path", 0) or UNKNOWN,
                                   args.file, args.line, framework, args.get("endpoint", 1) or UNKNOWN))
        return Const(None)
    if name == "add_route":
        obj.routes.append(RouteRec(_methods(args.get("methods", 2)), args.get("path", 0) or UNKNOWN,
                                   args.file, args.line, "starlette", args.get("route", 1) or UNKNOWN))
        return Const(None)
    if name == "include_router":
        child = args.get("router", 0)
        if isinstance(child, Obj) and child.kind in KINDS:
            child.included = True
            obj.includes.append(Include(child, args.kw("prefix"), "include", args.file, args.line,
                                        in_schema=not out_of_schema(args)))
        else:
            obj.lost.append((args.kw("prefix"), args.file, args.line))
            interp.unresolved.add("asgi")
            interp.warnings.append(f"{args.file}:{args.line}: include_router of a router static analysis cannot "
                                   "see; its endpoints are not listed (--introspect can load the app)")
        return Const(None)
    if name == "mount":
        app = args.get("app", 1)
        if isinstance(app, Obj) and app.kind in KINDS:
            app.included = True
            obj.includes.append(Include(app, args.get("path", 0) or UNKNOWN, "mount", args.file, args.line))
        return Const(None)
    return None


def on_attribute(interp: Evaluator, obj: Obj, name: str) -> Value | None:
    if obj.kind not in KINDS:
        return None
    if name == "router" and obj.kind in APP_KINDS:
        return obj
    if name == "prefix":
        return obj.prefix if obj.prefix is not None else Const("")
    if name == "routes":
        if not obj.route_lists or not isinstance(obj.route_lists[-1], ListVal):
            obj.route_lists.append(ListVal([]))
        return obj.route_lists[-1]
    return None


def on_setattr(interp: Evaluator, obj: Obj, name: str, value: Value) -> bool:
    if obj.kind in KINDS and name == "prefix":
        obj.prefix = value
        return True
    return False


# --------------------------------------------------------------------------- assembly


# What an includer hands a router: the prefix so far (None: unresolved) and whether its routes can be in
# the OpenAPI document (an `include_in_schema=False` on the way keeps every route below it out).
Where = tuple[str | None, bool]


class Collector(GraphCollector[Where]):
    """Walks the router graph from the apps and writes every route with its full path."""

    def run(self) -> list[Endpoint]:
        objects = [o for o in self.interp.objects if o.kind in KINDS and not o.replaced]
        apps = [o for o in objects if o.kind in APP_KINDS and not o.included]
        for app in apps:
            self.walk(app, ("", True), 0)
        lost = "asgi" in self.interp.unresolved or not apps
        for obj in objects:
            if id(obj) in self.visited or (obj.included and not obj.included_unknown):
                continue
            if lost or obj.included_unknown:
                self.walk(obj, ("", True), 0)
        return self.endpoints

    def _walk(self, obj: Obj, where: Where, depth: int) -> None:
        prefix, in_schema = where
        own = "" if obj.prefix is None else const_str(obj.prefix)
        base = None if prefix is None or own is None else prefix + own
        hidden = obj.options.get("include_in_schema")
        in_schema = in_schema and not (isinstance(hidden, Const) and hidden.value is False)
        for route in obj.routes:
            self.emit(route.methods, base, route.path, route.handler, route.file, route.line, route.framework,
                      in_schema=in_schema and (route.file, route.line) not in obj.out_of_schema)
        for routes in obj.route_lists:
            if not isinstance(routes, ListVal) and base is not None:
                self.unknown_table(obj.file, obj.line, base, "routes could not be followed")
            self.walk_list(routes, (base, in_schema), depth + 1, framework_of(obj))
        for given_prefix, _file, _line in obj.lost:  # already warned about where it happened
            # Only a prefix of its own marks where it serves: without one, its routes could be anywhere,
            # and marking the whole app unknown would hide every real removal.
            given = None if given_prefix is None else const_str(given_prefix)
            if base is not None and given:
                self.unknown_prefix(base + given)
        for inc in obj.includes:
            given = "" if inc.prefix is None else const_str(inc.prefix)
            if inc.kind == "mount" and given is not None:
                given = given.rstrip("/")
            child_base = None if base is None or given is None else base + given
            if child_base is None:
                self.left_out(inc.file)
            self.walk(inc.child, (child_base, in_schema and inc.in_schema), depth + 1)

    def walk_list(self, routes: Value, where: Where, depth: int, framework: str) -> None:
        if not isinstance(routes, ListVal) or depth > 30:
            return
        base, in_schema = where
        for item in routes.items:
            if isinstance(item, RouteVal):
                if not item.websocket:
                    self.emit(item.methods, base, item.path, item.endpoint, item.file, item.line, item.framework,
                              in_schema=in_schema and item.in_schema)
            elif isinstance(item, MountVal):
                mount = const_str(item.path)
                child = None if base is None or mount is None else base + mount.rstrip("/")
                if item.routes is not None:
                    self.walk_list(item.routes, (child, in_schema), depth + 1, framework)
                if isinstance(item.app, Obj) and item.app.kind in KINDS:
                    item.app.included = True
                    self.walk(item.app, (child, in_schema), depth + 1)
            elif isinstance(item, ListVal):
                self.walk_list(item, where, depth + 1, framework)

    def emit(self, methods: list[str] | None, base: str | None, path: Value, handler: Value,
             file: str, line: int, framework: str, *, in_schema: bool = True) -> None:
        rel = const_str(path)
        if base is None or rel is None:
            self.left_out(file)
            return
        if methods is None:
            methods = class_methods(self.interp, handler) or ["GET"]
        full = fastapi_path(base + rel)
        for method in dict.fromkeys(methods):
            self.endpoints.append(Endpoint(method, full, file, line, framework, in_schema=in_schema))


def class_methods(interp: Evaluator, handler: Value) -> list[str] | None:
    """HTTP methods a class-based handler defines (`get`, `post`...), or its `methods` attribute."""
    cls = handler.cls if isinstance(handler, AsView) else handler
    if not isinstance(cls, ClassVal):
        return None
    declared = interp.class_attr(cls, "methods")
    if isinstance(declared, ListVal):
        found = _methods(declared)
        if found:
            return found
    names = interp.class_methods(cls)
    return [m.upper() for m in HTTP_METHODS if m in names] or None


def collect(interp: Interpreter) -> tuple[list[Endpoint], list[str]]:
    collector = Collector(interp)
    endpoints = collector.run()
    return endpoints, collector.warnings(UNRESOLVED_ROUTES)

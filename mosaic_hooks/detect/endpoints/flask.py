"""Flask: app and blueprint routes, url_prefix given at Blueprint() or at register_blueprint(), nested
blueprints, add_url_rule, class-based views (View/MethodView) and Flask-RESTful `Api.add_resource`.

Prefixes combine exactly as Flask's BlueprintSetupState does. A rule without `methods` answers GET
(Flask's automatic HEAD and OPTIONS are not listed).
"""

from __future__ import annotations

import posixpath

from mosaic_hooks.detect.changeset import Endpoint
from mosaic_hooks.detect.endpoints.collect import UNRESOLVED_ROUTES, GraphCollector
from mosaic_hooks.detect.endpoints.evaluator import Evaluator
from mosaic_hooks.detect.endpoints.executor import Interpreter
from mosaic_hooks.detect.endpoints.fastapi import class_methods
from mosaic_hooks.detect.endpoints.hooks import Args
from mosaic_hooks.detect.endpoints.paths import flask_join, flask_nested_prefix, werkzeug_path
from mosaic_hooks.detect.endpoints.values import (
    UNKNOWN,
    Const,
    Decorator,
    External,
    Include,
    ListVal,
    Obj,
    RouteRec,
    Value,
    const_str,
)

KINDS = frozenset({"flask_app", "blueprint", "restful_api"})
_VERBS = ("get", "post", "put", "patch", "delete")
_UNSET = object()


def class_kind(base: External) -> str | None:
    if base.top in {"flask", "quart"}:  # Quart mirrors the Flask API
        return {"Flask": "flask_app", "Blueprint": "blueprint"}.get(base.last)
    if base.top in {"flask_restful", "flask_restx"} and base.last == "Api":
        return "restful_api"
    return None


def _methods(value: Value | None) -> list[str] | None:
    if isinstance(value, ListVal):
        out = [str(v.value).upper() for v in value.items if isinstance(v, Const) and isinstance(v.value, str)]
        return out or None
    return None


def on_external(interp: Evaluator, func: External, args: Args) -> Value | None:
    kind = class_kind(func)
    if kind is None:
        return None
    obj = Obj(kind=kind, file=args.file, line=args.line)
    if kind == "flask_app":
        folder = args.get("static_folder", 2)
        obj.options["static_folder"] = folder if folder is not None else Const("static")
        url = args.get("static_url_path", 1)
        obj.options["static_url_path"] = url if url is not None else Const(None)
    elif kind == "blueprint":
        obj.prefix = args.get("url_prefix", 5)
    else:
        obj.prefix = args.get("prefix", 1)
        parent = args.get("app", 0)
        if isinstance(parent, Obj) and parent.kind in {"flask_app", "blueprint"}:
            obj.included = True
            parent.includes.append(Include(obj, None, "restful", args.file, args.line))
    interp.objects.append(obj)
    return obj


def on_method(interp: Evaluator, obj: Obj, name: str, args: Args) -> Value | None:
    if obj.kind not in KINDS:
        return None
    if obj.kind == "restful_api":
        if name == "add_resource":
            resource = args.pos(0) or UNKNOWN
            urls = args.positional()[1:] if not args.has_star else []
            for url in urls:
                obj.routes.append(RouteRec(None, url, args.file, args.line, "flask", resource))
            return Const(None)
        if name == "init_app":
            parent = args.get("app", 0)
            if isinstance(parent, Obj) and parent.kind in {"flask_app", "blueprint"}:
                obj.included = True
                parent.includes.append(Include(obj, None, "restful", args.file, args.line))
            return Const(None)
        if name == "route":  # flask-restx style `@api.route("/x")` on a Resource class
            return Decorator(obj, None, args.get("rule", 0) or UNKNOWN, args.file, args.line, "flask")
        return None
    if name == "route":
        return Decorator(obj, _methods(args.kw("methods")), args.get("rule", 0) or UNKNOWN,
                         args.file, args.line, "flask")
    if name in _VERBS:
        return Decorator(obj, [name.upper()], args.get("rule", 0) or UNKNOWN, args.file, args.line, "flask")
    if name == "add_url_rule":
        view = args.get("view_func", 2) or UNKNOWN
        obj.routes.append(RouteRec(_methods(args.kw("methods")), args.get("rule", 0) or UNKNOWN,
                                   args.file, args.line, "flask", view))
        return Const(None)
    if name == "register_blueprint":
        child = args.get("blueprint", 0)
        if isinstance(child, Obj) and child.kind == "blueprint":
            child.included = True
            prefix = args.kw("url_prefix")
            obj.includes.append(Include(child, prefix, "blueprint", args.file, args.line))
        else:
            obj.lost.append((args.kw("url_prefix"), args.file, args.line))
            interp.unresolved.add("flask")
            interp.warnings.append(f"{args.file}:{args.line}: register_blueprint of a blueprint static analysis "
                                   "cannot see; its endpoints are not listed (--introspect can load the app)")
        return Const(None)
    return None


def on_attribute(interp: Evaluator, obj: Obj, name: str) -> Value | None:
    if obj.kind in KINDS and name in {"url_prefix", "prefix"}:
        return obj.prefix if obj.prefix is not None else Const(None)
    return None


def on_setattr(interp: Evaluator, obj: Obj, name: str, value: Value) -> bool:
    if obj.kind in KINDS and name in {"url_prefix", "prefix"}:
        obj.prefix = value
        return True
    return False


class Collector(GraphCollector[object]):
    """Walks the blueprint graph from the apps; the context is the url_prefix applied to a blueprint's rules
    (None: no prefix; _UNSET: unresolvable)."""

    def run(self) -> list[Endpoint]:
        objects = [o for o in self.interp.objects if o.kind in KINDS and not o.replaced]
        apps = [o for o in objects if o.kind == "flask_app"]
        for app in apps:
            self.walk(app, _UNSET, 0)
            self.static_route(app)
        lost = "flask" in self.interp.unresolved or not apps
        for obj in objects:
            if id(obj) in self.visited or obj.kind == "flask_app" or (obj.included and not obj.included_unknown):
                continue
            if lost or obj.included_unknown:
                self.walk(obj, _prefix_value(obj.prefix), 0)
        return self.endpoints

    def _walk(self, obj: Obj, effective: object, depth: int) -> None:
        if obj.kind == "flask_app":
            effective = None
        for route in obj.routes:
            self.emit(route, effective, obj)
        for given_prefix, _file, _line in obj.lost:  # already warned about where it happened
            # Only a url_prefix of its own marks where it serves (see fastapi.Collector._walk).
            parent = None if obj.kind == "flask_app" else effective
            own = _prefix_value(given_prefix) if given_prefix is not None else None
            if parent is not _UNSET and isinstance(own, str) and own.strip("/"):
                self.unknown_prefix(flask_nested_prefix(parent if isinstance(parent, str) else None, own) or "")
        for inc in obj.includes:
            child = inc.child
            if inc.kind == "restful":
                self.walk(child, effective, depth + 1)
                continue
            own = _prefix_value(inc.prefix) if inc.prefix is not None else _prefix_value(child.prefix)
            if own is _UNSET or (effective is _UNSET and obj.kind != "flask_app"):
                self.walk(child, _UNSET, depth + 1)
                continue
            parent = None if obj.kind == "flask_app" else effective
            assert parent is None or isinstance(parent, str)
            assert own is None or isinstance(own, str)
            self.walk(child, flask_nested_prefix(parent, own), depth + 1)

    def emit(self, route: RouteRec, effective: object, obj: Obj) -> None:
        rule = const_str(route.path)
        if rule is None or effective is _UNSET:
            self.left_out(route.file)
            return
        if obj.kind == "restful_api":
            api_prefix = const_str(obj.prefix) if obj.prefix is not None else ""
            if api_prefix is None:
                self.left_out(route.file)
                return
            rule = api_prefix + rule
            obj_effective = effective
        else:
            obj_effective = effective
        assert obj_effective is None or isinstance(obj_effective, str)
        path = werkzeug_path(flask_join(obj_effective, rule))
        methods = route.methods or class_methods(self.interp, route.handler) or ["GET"]
        for method in dict.fromkeys(methods):
            if method == "HEAD" and "GET" in methods:  # Flask adds HEAD to every GET rule anyway
                continue
            self.endpoints.append(Endpoint(method, path, route.file, route.line, "flask"))

    def static_route(self, app: Obj) -> None:
        """Flask adds /static/<path:filename> whenever static_folder is not None (existing or not)."""
        folder_value = app.options.get("static_folder")
        if isinstance(folder_value, Const) and folder_value.value is None:
            return
        folder = const_str(folder_value)
        url = const_str(app.options.get("static_url_path"))
        if url is None:
            if not folder:
                return
            url = "/" + posixpath.basename(folder.rstrip("/"))
        self.endpoints.append(Endpoint("GET", url.rstrip("/") + "/{filename}", app.file, app.line, "flask"))


def _prefix_value(value: Value | None) -> object:
    if value is None or (isinstance(value, Const) and value.value is None):
        return None
    text = const_str(value)
    return text if text is not None else _UNSET


def collect(interp: Interpreter) -> tuple[list[Endpoint], list[str]]:
    collector = Collector(interp)
    endpoints = collector.run()
    return endpoints, collector.warnings(UNRESOLVED_ROUTES)

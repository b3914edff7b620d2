"""Routers that libraries build, listed so that including them is neither a blind spot nor a reason to
distrust the rest of the analysis: mosaic-hooks' own status probe (`mosaic_hooks.probe`) and the
fastapi-users routers."""

from __future__ import annotations

from mosaic_hooks.detect.endpoints.evaluator import Evaluator
from mosaic_hooks.detect.endpoints.hooks import Args
from mosaic_hooks.detect.endpoints.values import Const, External, Include, Obj, RouteRec, RouteVal, Value

PROBE_PATH = "/_mosaic/status"  # mosaic_hooks.probe.DEFAULT_PATH

# fastapi-users: `fastapi_users.get_auth_router(backend)` and friends, on an object the analysis cannot see.
FASTAPI_USERS_ROUTERS: dict[str, tuple[tuple[str, str], ...]] = {
    "get_auth_router": (("POST", "/login"), ("POST", "/logout")),
    "get_register_router": (("POST", "/register"),),
    "get_reset_password_router": (("POST", "/forgot-password"), ("POST", "/reset-password")),
    "get_verify_router": (("POST", "/request-verify-token"), ("POST", "/verify")),
    "get_users_router": (("GET", "/me"), ("PATCH", "/me"), ("GET", "/{id}"), ("PATCH", "/{id}"),
                         ("DELETE", "/{id}")),
    "get_oauth_router": (("GET", "/authorize"), ("GET", "/callback")),
}


def _router(interp: Evaluator, kind: str, args: Args, routes: tuple[tuple[str, str], ...],
            framework: str) -> Obj:
    obj = Obj(kind=kind, file=args.file, line=args.line, prefix=Const("") if kind == "apirouter" else None)
    for method, path in routes:
        obj.routes.append(RouteRec([method], Const(path), args.file, args.line, framework))
    interp.objects.append(obj)
    return obj


def on_unknown_method(interp: Evaluator, name: str, args: Args) -> Value | None:
    routes = FASTAPI_USERS_ROUTERS.get(name)
    return _router(interp, "apirouter", args, routes, "fastapi") if routes is not None else None


def on_external(interp: Evaluator, func: External, args: Args) -> Value | None:
    if not func.qualname.startswith("mosaic_hooks.probe."):
        return None
    path = args.get("path", 0) if func.last != "install_flask" else args.get("path", 1)
    route = path if path is not None else Const(PROBE_PATH)
    if func.last == "fastapi_router":
        obj = _router(interp, "apirouter", args, (), "fastapi")
        obj.routes.append(RouteRec(["GET"], route, args.file, args.line, "starlette"))
        obj.out_of_schema.add((args.file, args.line))  # the probe keeps itself out of the app's schema
        return obj
    if func.last == "starlette_route":
        return RouteVal(path=route, methods=["GET"], endpoint=Const(None), file=args.file, line=args.line,
                        framework="starlette", in_schema=False)
    if func.last in {"flask_blueprint", "install_flask"}:
        blueprint = _router(interp, "blueprint", args, (), "flask")
        blueprint.routes.append(RouteRec(["GET"], route, args.file, args.line, "flask"))
        if func.last == "flask_blueprint":
            return blueprint
        app = args.get("app", 0)
        if isinstance(app, Obj) and app.kind == "flask_app":
            blueprint.included = True
            app.includes.append(Include(blueprint, None, "blueprint", args.file, args.line))
        return Const(None)
    return None

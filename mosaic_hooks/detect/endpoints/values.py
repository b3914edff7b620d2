"""What the static evaluator knows about a Python value: a constant, a router object, a module, or nothing.

The evaluator runs module code abstractly: framework objects (apps, routers, blueprints) are `Obj`
instances with identity, so routes and includes registered on them anywhere in the project end up in
one graph that is walked afterwards to compute full paths.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mosaic_hooks.detect.endpoints.loader import Module


class Value:
    """Base of every abstract value."""


class _Unknown(Value):
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


@dataclass(eq=False)
class Const(Value):
    value: object


@dataclass(eq=False)
class ListVal(Value):
    items: list[Value]


@dataclass(eq=False)
class DictVal(Value):
    items: dict[str, Value]


@dataclass(eq=False)
class ModuleRef(Value):
    module: Module


@dataclass(eq=False)
class LazyRef(Value):
    """`from module import name`, resolved when the name is first used: a route module's imports of
    models, schemas and services are then never parsed."""

    module: Module
    name: str


@dataclass(eq=False)
class External(Value):
    """A name from outside the project (a framework, the stdlib, a builtin): only its dotted name."""

    qualname: str

    @property
    def last(self) -> str:
        return self.qualname.rsplit(".", 1)[-1]

    @property
    def top(self) -> str:
        return self.qualname.split(".", 1)[0]


@dataclass(eq=False)
class ActionInfo:
    """A Django REST framework `@action` on a viewset method."""

    detail: bool
    methods: list[str]
    url_path: str | None


@dataclass(eq=False)
class FuncVal(Value):
    node: ast.FunctionDef | ast.AsyncFunctionDef
    module: Module
    scopes: list[dict[str, Value]]  # enclosing scopes (innermost first), for closures
    action: ActionInfo | None = None
    methods: list[str] | None = None  # DRF `@api_view([...])`: the HTTP methods the view answers


@dataclass(eq=False)
class MethodVal(Value):
    """A function read through a class or an instance: called, it gets `receiver` as its first argument
    (`Helper.do_urls(urlpatterns)` on a classmethod, `self.get_urls()`)."""

    func: FuncVal
    receiver: Value


@dataclass(eq=False)
class MappingRef(Value):
    """`some_action.mapping`: `@some_action.mapping.delete` adds a method to a DRF action."""

    func: FuncVal


@dataclass(eq=False)
class ClassVal(Value):
    node: ast.ClassDef
    module: Module
    env: dict[str, Value]
    bases: list[Value]


@dataclass(eq=False)
class Instance(Value):
    cls: ClassVal


@dataclass(eq=False)
class AsView(Value):
    """`SomeView.as_view(...)`: a class-based view."""

    cls: Value


@dataclass(eq=False)
class RouteRec:
    """A route registered directly on an app/router/blueprint; `path` relative to that object."""

    methods: list[str] | None  # None: the framework default for the handler
    path: Value
    file: str
    line: int
    framework: str
    handler: Value = UNKNOWN


@dataclass(eq=False)
class Include:
    """`parent.include_router(child, prefix=...)`, `register_blueprint`, `mount`: a child under a prefix."""

    child: Obj
    prefix: Value | None  # None: not given at the include
    kind: str  # "include", "mount", "blueprint", "restful"
    file: str
    line: int
    in_schema: bool = True  # False: `include_router(..., include_in_schema=False)`


@dataclass(eq=False)
class DrfRegistration:
    prefix: Value
    viewset: Value
    file: str
    line: int


@dataclass(eq=False)
class Obj(Value):
    """A framework object that holds routes: an app, a router, a blueprint, a DRF router."""

    kind: str  # fastapi_app, starlette_app, apirouter, starlette_router, flask_app, blueprint, drf_router, ...
    file: str
    line: int
    prefix: Value | None = None
    routes: list[RouteRec] = field(default_factory=list)
    includes: list[Include] = field(default_factory=list)
    route_lists: list[Value] = field(default_factory=list)  # Starlette `routes=[...]`
    registrations: list[DrfRegistration] = field(default_factory=list)
    options: dict[str, Value] = field(default_factory=dict)
    included: bool = False  # some resolved parent includes it
    included_unknown: bool = False  # included into something the analysis could not resolve
    replaced: bool = False  # rebound before anything was registered on it (`if ...: app = A() else: app = B()`)
    # Where routes kept out of the OpenAPI document were declared (file, line): `include_in_schema=False`
    # on a route decorator or add_api_route, a framework's own docs routes, the mosaic probe.
    out_of_schema: set[tuple[str, int]] = field(default_factory=set)
    # Includes of a router/blueprint the analysis cannot see: (prefix given at the include, file, line).
    # What they serve under that prefix is unknown, never "no routes".
    lost: list[tuple[Value | None, str, int]] = field(default_factory=list)


@dataclass(eq=False)
class Bound(Value):
    """An attribute of a value that is about to be called: `router.get`, `"x".rstrip`, `urlpatterns.append`."""

    target: Value
    name: str


@dataclass(eq=False)
class Decorator(Value):
    """What `@router.get("/x")` evaluates to before it is applied to the handler."""

    obj: Obj
    methods: list[str] | None
    path: Value
    file: str
    line: int
    framework: str


@dataclass(eq=False)
class CallbackDecorator(Value):
    """A decorator whose effect needs the decorated object (`@admin.register(Model)` on a ModelAdmin)."""

    callback: Callable[[Value], None]


@dataclass(eq=False)
class ActionDecorator(Value):
    info: ActionInfo


@dataclass(eq=False)
class RouteVal(Value):
    """Starlette `Route(...)` / `WebSocketRoute(...)` in a routes list."""

    path: Value
    methods: list[str] | None
    endpoint: Value
    file: str
    line: int
    framework: str
    websocket: bool = False
    in_schema: bool = True  # False: `include_in_schema=False`


@dataclass(eq=False)
class MountVal(Value):
    path: Value
    routes: Value | None
    app: Value | None
    file: str
    line: int


@dataclass(eq=False)
class DjPattern(Value):
    """Django `path()` / `re_path()` / `url()`."""

    route: Value
    view: Value
    regex: bool
    file: str
    line: int


@dataclass(eq=False)
class IncludeVal(Value):
    """Django `include(...)`."""

    target: Value
    file: str
    line: int
    text: str = ""  # the source of its argument: names the include across revisions (lines shift)


@dataclass(eq=False)
class Suffixed(Value):
    """DRF `format_suffix_patterns(patterns)`: each pattern also answers with a `.json`-style suffix."""

    patterns: Value


@dataclass(eq=False)
class RouterUrls(Value):
    """`router.urls` of a DRF router, expanded once every registration is known."""

    router: Obj


@dataclass(eq=False)
class AdminUrls(Value):
    """`my_site.urls` of a project's AdminSite (Django's own `admin.site.urls` stays an External)."""

    site: Obj


def const_str(value: Value | None) -> str | None:
    if isinstance(value, Const) and isinstance(value.value, str):
        return value.value
    return None

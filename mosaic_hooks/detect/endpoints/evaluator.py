"""Expression evaluation for the abstract interpreter: names, attributes, calls, operators.

Values are the abstract ones of `values.py`; what cannot be known becomes UNKNOWN. Calls into the
frameworks (`APIRouter(prefix=...)`, `app.include_router(...)`, `path("x/", view)`) reach the framework
modules through `Hooks`; a call of a project function runs its body through the executor (`run_body`).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from mosaic_hooks.detect.endpoints.hooks import Args, Hooks
from mosaic_hooks.detect.endpoints.loader import Module, ModuleLoader
from mosaic_hooks.detect.endpoints.parsing import ParseCache
from mosaic_hooks.detect.endpoints.values import (
    UNKNOWN,
    AsView,
    Bound,
    CallbackDecorator,
    ClassVal,
    Const,
    Decorator,
    DictVal,
    External,
    FuncVal,
    Instance,
    LazyRef,
    ListVal,
    MethodVal,
    ModuleRef,
    Obj,
    RouteRec,
    Value,
)

MAX_CALL_DEPTH = 12
# High on purpose: a cap that a project reaches (say 50 modules calling `new_router()`) would drop
# routers depending on file order, and a new file would then "remove" unrelated endpoints.
MAX_CALLS_PER_FUNCTION = 5_000


@dataclass(eq=False)
class Frame:
    module: Module
    scopes: list[dict[str, Value]]  # innermost first; the last is the module's env
    depth: int = 0
    returned: Value | None = None
    speculative: bool = False  # inside an except handler: do not overwrite known values with guesses

    def lookup(self, name: str) -> Value | None:
        for scope in self.scopes:
            if name in scope:
                return scope[name]
        return None


_INCLUDE_NAMES = frozenset({"include_router", "register_blueprint", "mount"})
_CONFIG_GETTERS = frozenset({"getenv", "get", "Field", "config", "setdefault", "env", "str", "environ"})
_SEQUENCE_BUILTINS = frozenset({"list", "tuple", "sorted"})
_STR_METHODS = frozenset({"format", "rstrip", "lstrip", "strip", "lower", "upper", "replace", "join",
                          "removeprefix", "removesuffix"})


class Evaluator(ModuleLoader):
    """Evaluates expressions; the executor (`executor.py`) supplies statements (`run_body`, `assign`)."""

    def __init__(self, files: dict[str, bytes], cache: ParseCache, hooks: Hooks) -> None:
        super().__init__(files, cache)
        self.hooks = hooks
        self.objects: list[Obj] = []
        self.unresolved: set[str] = set()  # families ("asgi", "flask") with an include the analysis lost
        self.calls: dict[int, int] = {}
        self.handlers: set[int] = set()  # functions decorated as route handlers: not factories
        # Public path prefixes under which a route table could not be followed (set by the collectors).
        self.unknown_prefixes: set[str] = set()

    def run_body(self, func: FuncVal, local: dict[str, Value], depth: int) -> Value:
        raise NotImplementedError  # the executor's

    def assign(self, target: ast.expr, value: Value, frame: Frame) -> None:
        raise NotImplementedError  # the executor's

    # ----------------------------------------------------------------- expressions

    def ev(self, node: ast.expr | None, frame: Frame) -> Value:
        if node is None:
            return UNKNOWN
        if isinstance(node, ast.Constant):
            return Const(node.value)
        if isinstance(node, ast.Name):
            found = frame.lookup(node.id)
            if found is not None:
                return self.resolve(found) if isinstance(found, LazyRef) else found
            return External(node.id)  # a builtin or a name from a star import of a library
        if isinstance(node, ast.Attribute):
            return self.attribute(self.ev(node.value, frame), node.attr)
        if isinstance(node, ast.Call):
            return self.call(node, frame)
        if isinstance(node, ast.JoinedStr):
            return self.fstring(node, frame)
        if isinstance(node, ast.BinOp):
            return self.binop(node.op, self.ev(node.left, frame), self.ev(node.right, frame))
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            items: list[Value] = []
            for element in node.elts:
                if isinstance(element, ast.Starred):
                    inner = self.ev(element.value, frame)
                    if isinstance(inner, ListVal):
                        items.extend(inner.items)
                else:
                    items.append(self.ev(element, frame))
            return ListVal(items)
        if isinstance(node, ast.Dict):
            out: dict[str, Value] = {}
            for key, val in zip(node.keys, node.values, strict=False):
                k = self.ev(key, frame) if key is not None else UNKNOWN
                if isinstance(k, Const) and isinstance(k.value, str):
                    out[k.value] = self.ev(val, frame)
            return DictVal(out)
        if isinstance(node, ast.IfExp):
            body = self.ev(node.body, frame)
            return body if body is not UNKNOWN else self.ev(node.orelse, frame)
        if isinstance(node, ast.BoolOp):
            last: Value = UNKNOWN
            for operand in node.values:
                last = self.ev(operand, frame)
                if isinstance(node.op, ast.Or) and not (isinstance(last, Const) and not last.value) \
                        and last is not UNKNOWN:
                    return last
            return last
        if isinstance(node, ast.Subscript):
            return self.subscript(self.ev(node.value, frame), self.ev(node.slice, frame))
        if isinstance(node, ast.NamedExpr):
            value = self.ev(node.value, frame)
            self.assign(node.target, value, frame)
            return value
        if isinstance(node, ast.Await):
            return self.ev(node.value, frame)
        return UNKNOWN

    def fstring(self, node: ast.JoinedStr, frame: Frame) -> Value:
        parts: list[str] = []
        for piece in node.values:
            if isinstance(piece, ast.Constant):
                parts.append(str(piece.value))
            elif isinstance(piece, ast.FormattedValue):
                value = self.ev(piece.value, frame)
                if not isinstance(value, Const) or piece.format_spec is not None:
                    return UNKNOWN
                parts.append(repr(value.value) if piece.conversion == ord("r") else str(value.value))
            else:
                return UNKNOWN
        return Const("".join(parts))

    def binop(self, op: ast.operator, left: Value, right: Value) -> Value:
        if isinstance(op, ast.Add):
            if isinstance(left, ListVal) or isinstance(right, ListVal):
                items = (left.items if isinstance(left, ListVal) else ([] if left is UNKNOWN else [left])) + \
                        (right.items if isinstance(right, ListVal) else ([] if right is UNKNOWN else [right]))
                return ListVal(items)
            if isinstance(left, Const) and isinstance(right, Const) and isinstance(left.value, str) \
                    and isinstance(right.value, str):
                return Const(left.value + right.value)
        if isinstance(op, ast.Mod) and isinstance(left, Const) and isinstance(left.value, str):
            args: object
            if isinstance(right, Const):
                args = right.value
            elif isinstance(right, ListVal) and all(isinstance(i, Const) for i in right.items):
                args = tuple(i.value for i in right.items if isinstance(i, Const))
            else:
                return UNKNOWN
            try:
                return Const(left.value % args)
            except (TypeError, ValueError, KeyError):
                return UNKNOWN
        return UNKNOWN

    def subscript(self, container: Value, key: Value) -> Value:
        if isinstance(container, ListVal) and isinstance(key, Const) and isinstance(key.value, int):
            try:
                return container.items[key.value]
            except IndexError:
                return UNKNOWN
        if isinstance(container, DictVal) and isinstance(key, Const) and isinstance(key.value, str):
            return container.items.get(key.value, UNKNOWN)
        return UNKNOWN

    def attribute(self, owner: Value, name: str) -> Value:
        if isinstance(owner, ModuleRef):
            return self.module_attr(owner.module, name)
        if isinstance(owner, External):
            for external_hook in self.hooks.external_attribute:
                known = external_hook(self, owner, name)
                if known is not None:
                    return known
            return External(f"{owner.qualname}.{name}")
        if isinstance(owner, Obj):
            for hook in self.hooks.attribute:
                result = hook(self, owner, name)
                if result is not None:
                    return result
            if name in owner.options:
                return owner.options[name]
            return Bound(owner, name)
        if isinstance(owner, Instance):
            found = self.class_attr(owner.cls, name)
            return _bind(found, owner, owner.cls) if found is not None else UNKNOWN
        if isinstance(owner, ClassVal):
            if name == "as_view":
                return Bound(owner, name)
            found = self.class_attr(owner, name)
            return _bind(found, None, owner) if found is not None else UNKNOWN
        for value_hook in self.hooks.value_attribute:
            known = value_hook(self, owner, name)
            if known is not None:
                return known
        if isinstance(owner, (Const, ListVal, DictVal)):
            return Bound(owner, name)
        return UNKNOWN

    def class_attr(self, cls: ClassVal, name: str, depth: int = 0) -> Value | None:
        if name in cls.env:
            value = cls.env[name]
            return UNKNOWN if isinstance(value, FuncVal) and _is_property(value) else value
        if depth > 20:
            return None
        for base in cls.bases:
            if isinstance(base, ClassVal):
                found = self.class_attr(base, name, depth + 1)
                if found is not None:
                    return found
        return None

    def class_methods(self, cls: ClassVal, depth: int = 0) -> dict[str, Value]:
        """Every name defined by the class and its project base classes (nearest definition wins)."""
        out: dict[str, Value] = {}
        if depth > 20:
            return out
        for base in reversed(cls.bases):
            if isinstance(base, ClassVal):
                out.update(self.class_methods(base, depth + 1))
        out.update(cls.env)
        return out

    def external_bases(self, cls: ClassVal, depth: int = 0) -> list[External]:
        out: list[External] = []
        if depth > 20:
            return out
        for base in cls.bases:
            if isinstance(base, External):
                out.append(base)
            elif isinstance(base, ClassVal):
                out.extend(self.external_bases(base, depth + 1))
        return out

    # ----------------------------------------------------------------- calls

    def call(self, node: ast.Call, frame: Frame) -> Value:
        func = self.ev(node.func, frame)
        args = Args(self, node, frame)
        if isinstance(func, Decorator):
            target = args.pos(0)
            return self.apply_decorator(func, target if target is not None else UNKNOWN, node, frame)
        for call_hook in self.hooks.call:
            called = call_hook(self, func, args)
            if called is not None:
                return called
        if isinstance(func, Bound):
            return self.call_bound(func, args)
        if isinstance(func, External):
            if func.qualname in _SEQUENCE_BUILTINS and args.npos() == 1 and not args.node.keywords:
                items = args.pos(0)
                if isinstance(items, ListVal):  # list(apps), tuple(urlpatterns): a copy
                    return ListVal(list(items.items))
            for hook in self.hooks.external:
                result = hook(self, func, args)
                if result is not None:
                    return result
            if func.last in _CONFIG_GETTERS or func.qualname.startswith("os.environ"):
                # os.getenv("PREFIX", "/api"), Field(default="/api"), config("X", default=...): the default.
                default = args.get("default", 1 if func.last in {"getenv", "get", "setdefault", "config"} else 0)
                if func.last == "str":
                    default = args.pos(0)
                return default if default is not None else UNKNOWN
            return UNKNOWN
        if isinstance(func, ClassVal):
            if self.hooks.class_kind is not None:
                for base in self.external_bases(func):
                    if self.hooks.class_kind(base) is not None:
                        for hook in self.hooks.external:
                            result = hook(self, base, args)
                            if result is not None:
                                if isinstance(result, Obj):
                                    result.options.setdefault("__class__", func)  # its own methods
                                return result
            return Instance(func)
        if isinstance(func, FuncVal):
            return self.call_function(func, args, frame)
        if isinstance(func, MethodVal):
            return self.call_function(func.func, args, frame, receiver=func.receiver)
        if func is UNKNOWN and isinstance(node.func, ast.Attribute):
            for library_hook in self.hooks.unknown_method:
                built = library_hook(self, node.func.attr, args)
                if built is not None:
                    return built
        if func is UNKNOWN and isinstance(node.func, ast.Attribute) and node.func.attr in _INCLUDE_NAMES:
            # `app.include_router(router)` on an app the analysis cannot see (a factory's parameter):
            # the router is served somewhere, under a prefix nobody can tell.
            child = args.pos(0)
            if isinstance(child, Obj):
                child.included_unknown = True
        return UNKNOWN

    def call_bound(self, func: Bound, args: Args) -> Value:
        target = func.target
        if isinstance(target, Obj):
            for hook in self.hooks.method:
                result = hook(self, target, func.name, args)
                if result is not None:
                    return result
            return UNKNOWN
        if isinstance(target, ListVal):
            if func.name == "append" or func.name == "insert":
                value = args.pos(0 if func.name == "append" else 1)
                if value is not None:
                    target.items.append(value)
            elif func.name == "extend":
                value = args.pos(0)
                if isinstance(value, ListVal):
                    target.items.extend(value.items)
                elif value is not None and value is not UNKNOWN:
                    target.items.append(value)
            return Const(None)
        if isinstance(target, DictVal):
            if func.name == "items":
                return ListVal([ListVal([Const(k), v]) for k, v in target.items.items()])
            if func.name == "keys":
                return ListVal([Const(k) for k in target.items])
            if func.name == "values":
                return ListVal(list(target.items.values()))
            if func.name == "get":
                key = args.pos(0)
                if isinstance(key, Const) and isinstance(key.value, str) and key.value in target.items:
                    return target.items[key.value]
                default = args.pos(1)
                return default if default is not None else Const(None)
            return UNKNOWN
        if isinstance(target, ClassVal) and func.name == "as_view":
            return AsView(target)
        if isinstance(target, Const) and isinstance(target.value, str) and func.name in _STR_METHODS:
            values = args.positional()
            if not all(isinstance(v, Const) for v in values) or args.node.keywords:
                if func.name == "join" and len(values) == 1 and isinstance(values[0], ListVal):
                    parts = values[0].items
                    if all(isinstance(p, Const) and isinstance(p.value, str) for p in parts):
                        return Const(target.value.join(str(p.value) for p in parts if isinstance(p, Const)))
                return UNKNOWN
            try:
                method = getattr(target.value, func.name)
                return Const(method(*[v.value for v in values if isinstance(v, Const)]))
            except Exception:
                return UNKNOWN
        return UNKNOWN

    def call_function(self, func: FuncVal, args: Args, frame: Frame, receiver: Value | None = None) -> Value:
        key = id(func.node)
        count = self.calls.get(key, 0)
        if frame.depth >= MAX_CALL_DEPTH or count >= MAX_CALLS_PER_FUNCTION:
            return UNKNOWN
        self.calls[key] = count + 1
        local: dict[str, Value] = {}
        params = func.node.args
        positional = [*params.posonlyargs, *params.args]
        defaults = params.defaults
        first_default = len(positional) - len(defaults)
        values = args.positional() if args.has_star else None
        shift = 0
        if receiver is not None and positional:
            local[positional[0].arg] = receiver  # `self` / `cls`
            shift = 1
        for index, param in enumerate(positional):
            if index < shift:
                continue
            at = index - shift
            value: Value | None = values[at] if values is not None and at < len(values) else (
                args.pos(at) if values is None else None)
            if value is None:
                value = args.kw(param.arg)
            if value is None and index >= first_default:
                value = self.ev(defaults[index - first_default], frame)
            local[param.arg] = value if value is not None else UNKNOWN
        for index, param in enumerate(params.kwonlyargs):
            value = args.kw(param.arg)
            default = params.kw_defaults[index]
            if value is None and default is not None:
                value = self.ev(default, frame)
            local[param.arg] = value if value is not None else UNKNOWN
        if params.vararg:
            local[params.vararg.arg] = UNKNOWN
        if params.kwarg:
            local[params.kwarg.arg] = UNKNOWN
        return self.run_body(func, local, frame.depth + 1)

    def apply_decorator(self, decorator: Value, target: Value, node: ast.expr, frame: Frame) -> Value:
        if isinstance(decorator, Decorator):
            if isinstance(target, FuncVal):
                self.handlers.add(id(target.node))
            decorator.obj.routes.append(RouteRec(
                methods=decorator.methods, path=decorator.path, file=decorator.file, line=decorator.line,
                framework=decorator.framework, handler=target))
            return target
        if isinstance(decorator, CallbackDecorator):
            decorator.callback(target)
            return target
        for hook in self.hooks.decorator:
            decorated = hook(self, decorator, target)
            if decorated is not None:
                return decorated
        return target  # an unknown decorator (auth, caching...) keeps the function


def _decorator_names(func: FuncVal) -> set[str]:
    return {d.id if isinstance(d, ast.Name) else d.attr for d in func.node.decorator_list
            if isinstance(d, (ast.Name, ast.Attribute))}


def _bind(found: Value, instance: Value | None, cls: ClassVal) -> Value:
    """A class member read through the class (`instance` None) or an instance, as Python binds it."""
    if not isinstance(found, FuncVal):
        return found
    names = _decorator_names(found)
    if "staticmethod" in names:
        return found
    if "classmethod" in names:
        return MethodVal(found, cls)
    return MethodVal(found, instance) if instance is not None else found


def _is_property(func: FuncVal) -> bool:
    return any(isinstance(d, ast.Name) and d.id in {"property", "cached_property", "computed_field"}
               for d in func.node.decorator_list)

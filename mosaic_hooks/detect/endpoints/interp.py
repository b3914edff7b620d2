"""A small abstract interpreter for the module-level code of a Python project.

It never imports the user's code: it walks the AST, binds names to abstract values (`values.py`),
follows imports across the project's files, and lets the framework modules (`fastapi.py`, `flask.py`,
`django.py`) turn calls such as `APIRouter(prefix=...)` or `app.include_router(...)` into a graph of
route-holding objects. Function bodies run when project code calls them (application factories,
`new_router()` helpers); factories nobody calls are run once with unknown arguments.

What it cannot know (environment variables, runtime loops over computed lists) becomes UNKNOWN, and
a route whose path is UNKNOWN is left out with a warning rather than guessed.
"""

from __future__ import annotations

import ast
import hashlib
import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from mosaic_hooks.detect.endpoints.values import (
    UNKNOWN,
    ActionDecorator,
    AsView,
    Bound,
    ClassVal,
    Const,
    Decorator,
    DictVal,
    External,
    FuncVal,
    Instance,
    LazyRef,
    ListVal,
    MappingRef,
    ModuleRef,
    Obj,
    RouteRec,
    Value,
)

MAX_CALL_DEPTH = 12
# High on purpose: a cap that a project reaches (say 50 modules calling `new_router()`) would drop
# routers depending on file order, and a new file would then "remove" unrelated endpoints.
MAX_CALLS_PER_FUNCTION = 5_000
STATEMENT_BUDGET = 2_000_000

# Attribute names whose presence in a function makes it worth running when nobody calls it.
REGISTRATION_NAMES = frozenset({
    "include_router", "register_blueprint", "add_url_rule", "add_api_route", "add_route", "mount",
    "route", "api_route", "get", "post", "put", "patch", "delete", "register", "add_resource",
})
FRAMEWORK_CLASS_NAMES = frozenset({"Flask", "FastAPI", "Starlette", "Blueprint", "APIRouter", "Router",
                                   "DefaultRouter", "SimpleRouter"})


class BudgetExceeded(Exception):
    pass


@dataclass(eq=False)
class ParsedFile:
    tree: ast.Module | None
    error: str | None  # "could not parse (line 7): invalid syntax"


class ParseCache:
    """Parsed files keyed by content hash: a file unchanged between two revisions is parsed once."""

    def __init__(self) -> None:
        self._trees: dict[bytes, ParsedFile] = {}

    def parse(self, data: bytes) -> ParsedFile:
        key = hashlib.blake2b(data, digest_size=16).digest()
        hit = self._trees.get(key)
        if hit is None:
            hit = self._trees[key] = _parse(data)
        return hit


def _parse(data: bytes) -> ParsedFile:
    try:
        return ParsedFile(ast.parse(data), None)
    except SyntaxError as exc:  # includes IndentationError; NUL bytes and bad encodings raise it too
        line = f" (line {exc.lineno})" if exc.lineno else ""
        return ParsedFile(None, f"could not parse{line}: {exc.msg}")
    except (ValueError, UnicodeDecodeError) as exc:
        return ParsedFile(None, f"could not parse: {exc}")
    except (RecursionError, MemoryError):
        return ParsedFile(None, "could not parse: too deeply nested")


@dataclass(eq=False)
class Module:
    path: str  # file path in the snapshot ("" for a namespace package without __init__.py)
    package_dir: str  # directory of the package the module belongs to (for relative imports)
    is_package: bool
    env: dict[str, Value] = field(default_factory=dict)
    state: str = "new"  # new, running, done, failed
    tree: ast.Module | None = None


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


class Args:
    """The arguments of a call, evaluated only when a handler asks for them."""

    def __init__(self, interp: Interpreter, node: ast.Call, frame: Frame) -> None:
        self.interp = interp
        self.node = node
        self.frame = frame
        self.file = frame.module.path
        self.line = node.lineno
        self._pos: dict[int, Value] = {}
        self._kw: dict[str, Value] = {}

    @property
    def has_star(self) -> bool:
        return any(isinstance(a, ast.Starred) for a in self.node.args)

    def npos(self) -> int:
        return len(self.node.args)

    def pos(self, index: int) -> Value | None:
        args = self.node.args
        if index >= len(args) or any(isinstance(a, ast.Starred) for a in args[:index + 1]):
            return None
        if index not in self._pos:
            self._pos[index] = self.interp.ev(args[index], self.frame)
        return self._pos[index]

    def kw(self, name: str) -> Value | None:
        for keyword in self.node.keywords:
            if keyword.arg == name:
                if name not in self._kw:
                    self._kw[name] = self.interp.ev(keyword.value, self.frame)
                return self._kw[name]
        return None

    def has_kw(self, name: str) -> bool:
        return any(k.arg == name for k in self.node.keywords)

    def get(self, name: str, index: int | None = None) -> Value | None:
        value = self.kw(name)
        if value is None and index is not None:
            value = self.pos(index)
        return value

    def positional(self) -> list[Value]:
        out: list[Value] = []
        for arg in self.node.args:
            if isinstance(arg, ast.Starred):
                value = self.interp.ev(arg.value, self.frame)
                if isinstance(value, ListVal):
                    out.extend(value.items)
            else:
                out.append(self.interp.ev(arg, self.frame))
        return out


# A framework hook: returns a value, or None when the call is not one it knows.
ExternalHandler = Callable[["Interpreter", External, Args], "Value | None"]
MethodHandler = Callable[["Interpreter", Obj, str, Args], "Value | None"]
AttrHandler = Callable[["Interpreter", Obj, str], "Value | None"]
SetAttrHandler = Callable[["Interpreter", Obj, str, Value], bool]


@dataclass
class Hooks:
    external: list[ExternalHandler] = field(default_factory=list)
    method: list[MethodHandler] = field(default_factory=list)
    attribute: list[AttrHandler] = field(default_factory=list)
    setattr: list[SetAttrHandler] = field(default_factory=list)
    class_kind: Callable[[External], str | None] | None = None  # framework base class -> Obj kind
    # `something_unknown.method(...)`: a library object whose method builds a router (fastapi-users).
    unknown_method: list[Callable[[Interpreter, str, Args], Value | None]] = field(default_factory=list)


_INCLUDE_NAMES = frozenset({"include_router", "register_blueprint", "mount"})
_CONFIG_GETTERS = frozenset({"getenv", "get", "Field", "config", "setdefault", "env", "str", "environ"})
_STR_METHODS = frozenset({"format", "rstrip", "lstrip", "strip", "lower", "upper", "replace", "join",
                          "removeprefix", "removesuffix"})


class Interpreter:
    def __init__(self, files: dict[str, bytes], cache: ParseCache, hooks: Hooks) -> None:
        self.files = files
        self.cache = cache
        self.hooks = hooks
        self.dirs: set[str] = set()
        for path in files:
            parent = posixpath.dirname(path)
            while parent and parent not in self.dirs:
                self.dirs.add(parent)
                parent = posixpath.dirname(parent)
        self.modules: dict[str, Module] = {}
        self.objects: list[Obj] = []
        self.warnings: list[str] = []
        self.unparsable: set[str] = set()
        self.probed: set[str] = set()  # file paths whose existence or content the analysis depended on
        self.unresolved: set[str] = set()  # families ("asgi", "flask") with an include the analysis lost
        self.calls: dict[int, int] = {}
        self.handlers: set[int] = set()  # functions decorated as route handlers: not factories
        self.django_settings: Module | None = None  # what `django.conf.settings.X` reads
        self.budget = STATEMENT_BUDGET
        self._find_cache: dict[tuple[str, str], Module | None] = {}

    # ----------------------------------------------------------------- modules and imports

    def module_for_path(self, path: str) -> Module | None:
        self.probed.add(path)
        if path in self.modules:
            return self.modules[path]
        if path not in self.files:
            return None
        is_package = path.endswith("/__init__.py") or path == "__init__.py"
        module = Module(path=path, package_dir=posixpath.dirname(path), is_package=is_package)
        self.modules[path] = module
        return module

    def _namespace(self, directory: str) -> Module:
        key = directory + "/"
        module = self.modules.get(key)
        if module is None:
            module = self.modules[key] = Module(path=key, package_dir=directory, is_package=True, state="done")
        return module

    def find_module(self, dotted: str, anchor_dir: str) -> Module | None:
        """The project module `dotted` as seen from a file in `anchor_dir` (source roots: its ancestors)."""
        key = (dotted, anchor_dir)
        if key in self._find_cache:
            return self._find_cache[key]
        rel = dotted.replace(".", "/")
        found: Module | None = None
        directory = anchor_dir
        while True:
            base = f"{directory}/{rel}" if directory else rel
            module = self.module_for_path(base + ".py") or self.module_for_path(base + "/__init__.py")
            if module is None and base in self.dirs:
                module = self._namespace(base)
            if module is not None:
                found = module
                break
            if not directory:
                break
            directory = posixpath.dirname(directory)
        self._find_cache[key] = found
        return found

    def submodule(self, package: Module, name: str) -> Module | None:
        if not package.is_package:
            return None
        base = f"{package.package_dir}/{name}" if package.package_dir else name
        module = self.module_for_path(base + ".py") or self.module_for_path(base + "/__init__.py")
        if module is None and base in self.dirs:
            module = self._namespace(base)
        return module

    def relative_base(self, module: Module, level: int) -> str | None:
        directory = module.package_dir
        for _ in range(level - 1):
            if not directory:
                return None
            directory = posixpath.dirname(directory)
        return directory

    def load(self, module: Module) -> Module:
        """Run a module's top level once (a module being run returns its partial namespace, as Python does)."""
        if module.state != "new":
            return module
        module.state = "running"
        parsed = self.cache.parse(self.files[module.path])
        if parsed.tree is None:
            self.unparsable.add(module.path)
            self.warnings.append(f"{module.path}: {parsed.error}")
            module.state = "failed"
            return module
        module.tree = parsed.tree
        module.env.setdefault("__name__", Const(module.path))
        frame = Frame(module=module, scopes=[module.env])
        try:
            self.exec_block(parsed.tree.body, frame)
        except BudgetExceeded:
            raise
        except RecursionError:
            self.warnings.append(f"{module.path}: could not analyse: too deeply nested")
        except Exception as exc:  # never let odd code crash the analysis of the rest
            self.warnings.append(f"{module.path}: could not analyse: {type(exc).__name__}: {exc}")
        module.state = "done"
        return module

    def module_attr(self, module: Module, name: str) -> Value:
        self.load(module)
        if name in module.env:
            return self.resolve(module.env[name])
        sub = self.submodule(module, name)
        if sub is not None:
            return ModuleRef(sub)
        return UNKNOWN

    def resolve(self, value: Value) -> Value:
        for _ in range(50):  # import cycles between two names end as UNKNOWN
            if not isinstance(value, LazyRef):
                return value
            module = self.load(value.module)
            if value.name in module.env:
                value = module.env[value.name]
            else:
                sub = self.submodule(module, value.name)
                return ModuleRef(sub) if sub is not None else UNKNOWN
        return UNKNOWN

    # ----------------------------------------------------------------- statements

    def exec_block(self, body: Iterable[ast.stmt], frame: Frame) -> None:
        for stmt in body:
            if frame.returned is not None:
                return
            self.budget -= 1
            if self.budget < 0:
                raise BudgetExceeded
            self.exec_stmt(stmt, frame)

    def exec_stmt(self, stmt: ast.stmt, frame: Frame) -> None:
        if isinstance(stmt, ast.Expr):
            self.ev(stmt.value, frame)
        elif isinstance(stmt, ast.Assign):
            value = self.ev(stmt.value, frame)
            for target in stmt.targets:
                self.assign(target, value, frame)
        elif isinstance(stmt, ast.AnnAssign):
            if stmt.value is not None:
                self.assign(stmt.target, self.ev(stmt.value, frame), frame)
        elif isinstance(stmt, ast.AugAssign):
            self.aug_assign(stmt, frame)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.define_function(stmt, frame)
        elif isinstance(stmt, ast.ClassDef):
            self.define_class(stmt, frame)
        elif isinstance(stmt, ast.Import):
            self.do_import(stmt, frame)
        elif isinstance(stmt, ast.ImportFrom):
            self.do_import_from(stmt, frame)
        elif isinstance(stmt, ast.If):
            # Conditional registration is still registration: both branches run.
            self.exec_block(stmt.body, frame)
            self.exec_block(stmt.orelse, frame)
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            self.exec_block(stmt.body, frame)  # type: ignore[attr-defined]
            was = frame.speculative
            frame.speculative = True
            for handler in stmt.handlers:  # type: ignore[attr-defined]
                self.exec_block(handler.body, frame)
            frame.speculative = was
            self.exec_block(stmt.orelse, frame)  # type: ignore[attr-defined]
            self.exec_block(stmt.finalbody, frame)  # type: ignore[attr-defined]
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                value = self.ev(item.context_expr, frame)
                if item.optional_vars is not None:
                    self.assign(item.optional_vars, UNKNOWN if not isinstance(value, Obj) else value, frame)
            self.exec_block(stmt.body, frame)
        elif isinstance(stmt, (ast.For, ast.AsyncFor)):
            self.exec_for(stmt, frame)
        elif isinstance(stmt, ast.While):
            self.exec_block(stmt.body, frame)
        elif isinstance(stmt, ast.Return):
            value = self.ev(stmt.value, frame) if stmt.value is not None else Const(None)
            if value is not UNKNOWN:
                frame.returned = value
        elif hasattr(ast, "Match") and isinstance(stmt, ast.Match):
            for case in stmt.cases:
                self.exec_block(case.body, frame)

    def exec_for(self, stmt: ast.For | ast.AsyncFor, frame: Frame) -> None:
        iterable = self.ev(stmt.iter, frame)
        items: list[Value]
        if isinstance(iterable, ListVal):
            items = list(iterable.items)
        elif isinstance(iterable, DictVal):
            items = [Const(k) for k in iterable.items]
        else:
            items = [UNKNOWN]
        for item in items[:500]:
            self.assign(stmt.target, item, frame)
            self.exec_block(stmt.body, frame)
            if frame.returned is not None:
                return
        self.exec_block(stmt.orelse, frame)

    def assign(self, target: ast.expr, value: Value, frame: Frame) -> None:
        if isinstance(target, ast.Name):
            scope = frame.scopes[0]
            if frame.speculative and target.id in scope and scope[target.id] is not UNKNOWN and (
                    value is UNKNOWN or (isinstance(value, Const) and value.value is None)):
                return
            scope[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            items = value.items if isinstance(value, ListVal) else []
            for index, element in enumerate(target.elts):
                if isinstance(element, ast.Starred):
                    self.assign(element.value, UNKNOWN, frame)
                else:
                    self.assign(element, items[index] if index < len(items) else UNKNOWN, frame)
        elif isinstance(target, ast.Attribute):
            owner = self.ev(target.value, frame)
            if isinstance(owner, Obj):
                for hook in self.hooks.setattr:
                    if hook(self, owner, target.attr, value):
                        return
                owner.options[target.attr] = value
            elif isinstance(owner, ModuleRef):
                owner.module.env[target.attr] = value
            elif isinstance(owner, ClassVal):
                owner.env[target.attr] = value

    def aug_assign(self, stmt: ast.AugAssign, frame: Frame) -> None:
        current = self.ev(stmt.target, frame) if isinstance(stmt.target, (ast.Name, ast.Attribute)) else UNKNOWN
        value = self.ev(stmt.value, frame)
        if isinstance(stmt.op, ast.Add):
            if isinstance(current, ListVal):
                # `urlpatterns += ...` extends the same list object, as Python does.
                current.items.extend(value.items if isinstance(value, ListVal) else
                                     ([] if value is UNKNOWN else [value]))
                return
            result = self.binop(ast.Add(), current, value)
            self.assign(stmt.target, result, frame)

    def define_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, frame: Frame) -> None:
        value: Value = FuncVal(node=node, module=frame.module, scopes=frame.scopes)
        for decorator in reversed(node.decorator_list):
            value = self.apply_decorator(self.ev(decorator, frame), value, decorator, frame)
        frame.scopes[0][node.name] = value

    def apply_decorator(self, decorator: Value, target: Value, node: ast.expr, frame: Frame) -> Value:
        if isinstance(decorator, Decorator):
            if isinstance(target, FuncVal):
                self.handlers.add(id(target.node))
            decorator.obj.routes.append(RouteRec(
                methods=decorator.methods, path=decorator.path, file=decorator.file, line=decorator.line,
                framework=decorator.framework, handler=target))
            return target
        if isinstance(decorator, ActionDecorator) and isinstance(target, FuncVal):
            return FuncVal(node=target.node, module=target.module, scopes=target.scopes, action=decorator.info)
        if isinstance(decorator, Bound) and isinstance(decorator.target, MappingRef):
            action = decorator.target.func.action
            if action is not None and decorator.name.upper() not in action.methods:
                action.methods.append(decorator.name.upper())
            return target
        return target  # an unknown decorator (auth, caching...) keeps the function

    def define_class(self, node: ast.ClassDef, frame: Frame) -> None:
        bases = [self.ev(base, frame) for base in node.bases]
        env: dict[str, Value] = {}
        cls = ClassVal(node=node, module=frame.module, env=env, bases=bases)
        body_frame = Frame(module=frame.module, scopes=[env, *frame.scopes], depth=frame.depth)
        self.exec_block(node.body, body_frame)
        value: Value = cls
        for decorator in reversed(node.decorator_list):
            value = self.apply_decorator(self.ev(decorator, frame), value, decorator, frame)
        frame.scopes[0][node.name] = value

    def do_import(self, stmt: ast.Import, frame: Frame) -> None:
        anchor = posixpath.dirname(frame.module.path)
        for alias in stmt.names:
            module = self.find_module(alias.name, anchor)
            if alias.asname:
                frame.scopes[0][alias.asname] = ModuleRef(module) if module else External(alias.name)
            else:
                top = alias.name.split(".", 1)[0]
                top_module = self.find_module(top, anchor) if module else None
                frame.scopes[0][top] = ModuleRef(top_module) if top_module else External(top)

    def do_import_from(self, stmt: ast.ImportFrom, frame: Frame) -> None:
        module: Module | None
        if stmt.level:
            base = self.relative_base(frame.module, stmt.level)
            if base is None:
                return
            if stmt.module:
                rel = stmt.module.replace(".", "/")
                path = f"{base}/{rel}" if base else rel
                module = self.module_for_path(path + ".py") or self.module_for_path(path + "/__init__.py")
                if module is None and path in self.dirs:
                    module = self._namespace(path)
            else:
                module = self.module_for_path(f"{base}/__init__.py" if base else "__init__.py")
                if module is None:
                    module = self._namespace(base) if base else None
            qual = None
        else:
            module = self.find_module(stmt.module or "", posixpath.dirname(frame.module.path))
            qual = stmt.module
        for alias in stmt.names:
            if alias.name == "*":
                if module is not None:
                    self.load(module)
                    for name, exported in list(module.env.items()):
                        if not name.startswith("_"):
                            frame.scopes[0][name] = exported
                continue
            bind = alias.asname or alias.name
            value: Value
            if module is None:
                value = External(f"{qual}.{alias.name}") if qual else UNKNOWN
            else:
                sub = self.submodule(module, alias.name)
                value = ModuleRef(sub) if sub is not None else LazyRef(module, alias.name)
            if frame.speculative and bind in frame.scopes[0] and value is UNKNOWN:
                continue
            frame.scopes[0][bind] = value

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
            if owner.qualname == "django.conf.settings" and self.django_settings is not None:
                value = self.module_attr(self.django_settings, name)
                if value is not UNKNOWN:
                    return value
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
            return found if found is not None else UNKNOWN
        if isinstance(owner, ClassVal):
            if name == "as_view":
                return Bound(owner, name)
            found = self.class_attr(owner, name)
            return found if found is not None else UNKNOWN
        if isinstance(owner, FuncVal) and name == "mapping":
            return MappingRef(owner)
        if isinstance(owner, MappingRef):
            return Bound(owner, name)
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
        if isinstance(func, Decorator | ActionDecorator):
            target = args.pos(0)
            return self.apply_decorator(func, target if target is not None else UNKNOWN, node, frame)
        if isinstance(func, Bound):
            return self.call_bound(func, args)
        if isinstance(func, External):
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
                                return result
            return Instance(func)
        if isinstance(func, FuncVal):
            return self.call_function(func, args, frame)
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

    def call_function(self, func: FuncVal, args: Args, frame: Frame) -> Value:
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
        for index, param in enumerate(positional):
            value: Value | None = values[index] if values is not None and index < len(values) else (
                args.pos(index) if values is None else None)
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

    def run_body(self, func: FuncVal, local: dict[str, Value], depth: int) -> Value:
        body_frame = Frame(module=func.module, scopes=[local, *func.scopes], depth=depth)
        self.exec_block(func.node.body, body_frame)
        return body_frame.returned if body_frame.returned is not None else UNKNOWN

    def run_uncalled_factories(self, modules: Iterable[Module]) -> None:
        """Run functions nobody calls that create or wire routers (application factories, `init_app(app)`)."""
        for module in modules:
            if module.tree is None:
                continue
            for stmt in module.tree.body:
                if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                if self.calls.get(id(stmt)) or id(stmt) in self.handlers or not _wires_routes(stmt):
                    continue
                func = module.env.get(stmt.name)
                if not isinstance(func, FuncVal) or func.node is not stmt:
                    continue
                self.calls[id(stmt)] = 1
                params = [*stmt.args.posonlyargs, *stmt.args.args, *stmt.args.kwonlyargs]
                local: dict[str, Value] = {a.arg: UNKNOWN for a in params}
                try:
                    self.run_body(func, local, 1)
                except BudgetExceeded:
                    raise
                except RecursionError:
                    self.warnings.append(f"{module.path}: could not analyse {stmt.name}(): too deeply nested")
                except Exception as exc:
                    self.warnings.append(f"{module.path}: could not analyse {stmt.name}(): {type(exc).__name__}")


    def dispose(self) -> None:
        """Break the reference cycles (functions hold the scopes that hold them) so that memory is
        returned at once instead of by a long cyclic collection."""
        for module in self.modules.values():
            module.env.clear()
            module.tree = None
        self.modules.clear()
        self.objects.clear()
        self._find_cache.clear()


def _is_property(func: FuncVal) -> bool:
    return any(isinstance(d, ast.Name) and d.id in {"property", "cached_property", "computed_field"}
               for d in func.node.decorator_list)


def _wires_routes(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and sub.attr in REGISTRATION_NAMES:
            return True
        if isinstance(sub, ast.Name) and sub.id in FRAMEWORK_CLASS_NAMES:
            return True
    return False

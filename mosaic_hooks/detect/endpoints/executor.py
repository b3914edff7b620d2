"""A small abstract interpreter for the module-level code of a Python project: the statements.

It never imports the user's code: it walks the AST, binds names to abstract values (`values.py`),
follows imports across the project's files (`loader.py`), evaluates expressions (`evaluator.py`) and
lets the framework modules (`fastapi.py`, `flask.py`, `django.py`) turn calls such as
`APIRouter(prefix=...)` or `app.include_router(...)` into a graph of route-holding objects. Function
bodies run when project code calls them (application factories, `new_router()` helpers); factories
nobody calls are run once with unknown arguments.

What it cannot know (environment variables, runtime loops over computed lists) becomes UNKNOWN, and
a route whose path is UNKNOWN is left out with a warning rather than guessed.
"""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Iterable

from mosaic_hooks.detect.endpoints.evaluator import Evaluator, Frame
from mosaic_hooks.detect.endpoints.hooks import Hooks
from mosaic_hooks.detect.endpoints.loader import BudgetExceeded, Module
from mosaic_hooks.detect.endpoints.parsing import ParseCache
from mosaic_hooks.detect.endpoints.values import (
    UNKNOWN,
    ClassVal,
    Const,
    DictVal,
    External,
    FuncVal,
    LazyRef,
    ListVal,
    ModuleRef,
    Obj,
    Value,
)
from mosaic_hooks.detect.skeleton import wires_routes

STATEMENT_BUDGET = 2_000_000

class Interpreter(Evaluator):
    def __init__(self, files: dict[str, bytes], cache: ParseCache, hooks: Hooks) -> None:
        super().__init__(files, cache, hooks)
        self.budget = STATEMENT_BUDGET
        # Functions whose body ran, as (file, line, column) of their `def`: the bodies the result depends
        # on. A body nobody ran can change without changing the endpoints (see endpoints/skeleton.py).
        self.ran_bodies: set[tuple[str, int, int]] = set()

    def run_module(self, module: Module, tree: ast.Module) -> None:
        self.exec_block(tree.body, Frame(module=module, scopes=[module.env]))

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
            # Conditional registration is still registration: both branches run, unless the condition
            # is a flag the project sets to a constant (`if settings.DEBUG:` with DEBUG = False).
            flag = self.ev(stmt.test, frame) if _is_flag_test(stmt.test) else UNKNOWN
            if not (isinstance(flag, Const) and isinstance(flag.value, bool) and not flag.value):
                self.exec_block(stmt.body, frame)
            if not (isinstance(flag, Const) and flag.value is True):
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
            old = scope.get(target.id)
            if isinstance(old, Obj) and isinstance(value, Obj) and old is not value and old.kind == value.kind \
                    and _untouched(old):
                old.replaced = True  # both branches of an if/else built it; only the last one is served
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
            module = self.relative_module(base, stmt.module)
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

    # ----------------------------------------------------------------- function bodies

    def run_body(self, func: FuncVal, local: dict[str, Value], depth: int) -> Value:
        self.ran_bodies.add((func.module.path, func.node.lineno, func.node.col_offset))
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
                if self.calls.get(id(stmt)) or id(stmt) in self.handlers or not wires_routes(stmt):
                    continue
                func = module.env.get(stmt.name)
                if not isinstance(func, FuncVal) or func.node is not stmt:
                    continue
                self.calls[id(stmt)] = 1
                try:
                    local = self._default_arguments(stmt, Frame(module=module, scopes=[module.env]))
                    self.run_body(func, local, 1)
                except BudgetExceeded:
                    raise
                except RecursionError:
                    self.warnings.append(f"{module.path}: could not analyse {stmt.name}(): too deeply nested")
                except Exception as exc:
                    self.warnings.append(f"{module.path}: could not analyse {stmt.name}(): {type(exc).__name__}")

    def _default_arguments(self, node: ast.FunctionDef | ast.AsyncFunctionDef, frame: Frame) -> dict[str, Value]:
        """Parameters of a function nobody calls: their defaults where given, else UNKNOWN."""
        params = node.args
        positional = [*params.posonlyargs, *params.args]
        local: dict[str, Value] = {a.arg: UNKNOWN for a in [*positional, *params.kwonlyargs]}
        for param, default in zip(positional[len(positional) - len(params.defaults):], params.defaults,
                                  strict=True):
            local[param.arg] = self.ev(default, frame)
        for param, kw_default in zip(params.kwonlyargs, params.kw_defaults, strict=True):
            if kw_default is not None:
                local[param.arg] = self.ev(kw_default, frame)
        return local

    def dispose(self) -> None:
        super().dispose()
        self.objects.clear()


def _is_flag_test(test: ast.expr) -> bool:
    """`if DEBUG:` / `if settings.DEBUG:`: a test that is just an upper-case (settings-style) name."""
    name = test.id if isinstance(test, ast.Name) else test.attr if isinstance(test, ast.Attribute) else ""
    return bool(name) and name.isupper()


def _untouched(obj: Obj) -> bool:
    """Nothing but what its constructor added (FastAPI's docs routes) is registered on `obj`."""
    return not obj.includes and not obj.route_lists and not obj.registrations and all(
        r.file == obj.file and r.line == obj.line for r in obj.routes)

"""Whether a changed module gives the interpreter the same code to run as before.

The interpreter runs a module's top level and class bodies, and the bodies of the functions it calls
(or runs as uncalled factories); the bodies of the other functions (request handlers, helpers nobody
calls at import time) it never enters. Two versions of a module whose syntax trees are equal except in
the bodies of functions it never entered therefore give the same endpoints, up to line numbers. That is
what lets a one-line edit in a handler be answered without interpreting the application again
(detect/endpoint_reuse.py).

Pure and cheap: the standard `ast` module only (the interpreter is not imported).
"""

from __future__ import annotations

import ast

# Attribute names whose presence in a function makes it worth running when nobody calls it.
REGISTRATION_NAMES = frozenset({
    "include_router", "register_blueprint", "add_url_rule", "add_api_route", "add_route", "mount",
    "route", "api_route", "get", "post", "put", "patch", "delete", "register", "add_resource",
})
FRAMEWORK_CLASS_NAMES = frozenset({"Flask", "Quart", "FastAPI", "Starlette", "Blueprint", "APIRouter", "Router",
                                   "DefaultRouter", "SimpleRouter"})

Position = tuple[int, int]  # (line, column) of a node


def wires_routes(node: ast.AST) -> bool:
    """Whether a function mentions route registration (the executor runs such a function if nobody calls it)."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and sub.attr in REGISTRATION_NAMES:
            return True
        if isinstance(sub, ast.Name) and sub.id in FRAMEWORK_CLASS_NAMES:
            return True
    return False


def same_skeleton(path: str, old: ast.Module, new: ast.Module,
                  ran_bodies: set[tuple[str, int, int]]) -> dict[Position, Position] | None:
    """Where each node of `old` is in `new`, if the two versions run alike; None if they may not.

    `ran_bodies`: the functions whose body the analysis of `old` ran, as (path, line, column) of the
    `def`. Every other function may differ in its body, provided it would still not be run as an
    uncalled factory (`wires_routes` the same on both sides).
    """
    positions: dict[Position, Position] = {}
    try:
        same = _same(old, new, path, ran_bodies, positions)
    except RecursionError:
        return None
    return positions if same else None


def line_map(positions: dict[Position, Position]) -> dict[int, int]:
    """Old line -> new line, from the outermost node that starts on each old line."""
    lines: dict[int, int] = {}
    for (old_line, _), (new_line, _) in positions.items():
        lines.setdefault(old_line, new_line)
    return lines


def _same(a: object, b: object, path: str, ran: set[tuple[str, int, int]],
          positions: dict[Position, Position]) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, ast.AST):
        assert isinstance(b, ast.AST)
        old_line, new_line = getattr(a, "lineno", None), getattr(b, "lineno", None)
        if isinstance(old_line, int) and isinstance(new_line, int):
            positions.setdefault((old_line, getattr(a, "col_offset", 0)), (new_line, getattr(b, "col_offset", 0)))
        skip_body = isinstance(a, ast.FunctionDef | ast.AsyncFunctionDef) and (
            path, a.lineno, a.col_offset) not in ran
        if skip_body and wires_routes(a) != wires_routes(b):
            return False
        for name in a._fields:
            if skip_body and name == "body":
                continue
            if not _same(getattr(a, name, None), getattr(b, name, None), path, ran, positions):
                return False
        return True
    if isinstance(a, list):
        assert isinstance(b, list)
        return len(a) == len(b) and all(_same(x, y, path, ran, positions) for x, y in zip(a, b, strict=True))
    return a == b

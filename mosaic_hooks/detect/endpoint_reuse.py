"""When a revision's stored endpoint result holds for a changed revision too (line numbers moved).

Decided from the stored result (which files the analysis read, which function bodies it ran) and the
two versions of a changed Python file, with the standard `ast` module only: the commit hook's fast
path (cli/fast_path.py) and the incremental analysis (detect/endpoints/incremental.py) share it, and
neither loads the interpreter to learn that a change cannot move an endpoint.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Collection, Mapping

from mosaic_hooks.detect.skeleton import Position, line_map, same_skeleton

# A file without any of these cannot define an app, a router, a route or a URLconf; it is parsed only
# if a file that can imports a name from it (a prefix constant, a settings class, a viewset).
ROUTEISH = re.compile(
    rb"route|Route|Flask|FastAPI|Starlette|Blueprint|urlpatterns|url_rule|Mount|ViewSet|add_resource"
    rb"|@\w+\.(?:get|post|put|patch|delete|head|options)\(")

# Texts some analysers search in a file's bytes rather than its syntax tree (Django's launchers and
# settings): a file containing them is never reused, it is analysed again.
_TEXT_READ = (b"ROOT_URLCONF", b"DJANGO_SETTINGS_MODULE")

UNREAD = "unread"  # the analysis never read the file: nothing to move


def routeish(data: bytes) -> bool:
    return ROUTEISH.search(data) is not None


def modified_file(path: str, old: bytes, new: bytes, probed: Collection[str],
                  ran_bodies: Collection[tuple[str, int, int]],
                  old_tree: ast.Module | None = None, new_tree: ast.Module | None = None,
                  ) -> str | dict[Position, Position] | None:
    """How a Python file changed from `old` to `new` matters to the stored result.

    UNREAD: the analysis never read it and it defines no route on either side (nothing changes);
    a position map: the analysis read it, and only bodies it never ran differ (lines move);
    None: it may change the endpoints (analyse again). Trees are parsed here unless given.
    """
    if routeish(old) != routeish(new) or (b"urlpatterns" in old) != (b"urlpatterns" in new):
        return None  # the set of modules analysed first changes
    if path not in probed and not routeish(old):
        return UNREAD
    if any(text in old or text in new for text in _TEXT_READ):
        return None
    try:
        old_tree = old_tree or ast.parse(old)
        new_tree = new_tree or ast.parse(new)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return same_skeleton(path, old_tree, new_tree, {item for item in ran_bodies if item[0] == path})


def moved(data: Mapping[str, object], positions: Mapping[str, Mapping[Position, Position]],
          ) -> dict[str, object] | None:
    """A stored result (detect/endpoints/incremental.py's `to_json` shape) with the changed files' line
    numbers moved where the same code now is; None if a line cannot be placed or the shape is wrong."""
    lines = {path: line_map(dict(mapping)) for path, mapping in positions.items()}
    out = dict(data)
    endpoints = data.get("endpoints")
    ran = data.get("ran_bodies")
    if not isinstance(endpoints, list) or not isinstance(ran, list):
        return None
    new_endpoints: list[object] = []
    for item in endpoints:  # {field of Endpoint: value}
        if not isinstance(item, dict) or "file" not in item or "line" not in item:
            return None
        file, line = item["file"], item["line"]
        if file in lines:
            line = lines[file].get(line) if isinstance(line, int) else None
            if line is None:
                return None
        new_endpoints.append({**item, "line": line})
    new_ran: list[tuple[str, int, int]] = []
    for item in ran:
        if not isinstance(item, list) or len(item) != 3:
            return None
        path, line, column = item
        if not isinstance(path, str) or not isinstance(line, int) or not isinstance(column, int):
            return None
        if path in positions:
            where = positions[path].get((line, column))
            if where is None:
                return None
            line, column = where
        new_ran.append((path, line, column))
    out["endpoints"] = new_endpoints
    out["ran_bodies"] = [list(item) for item in sorted(new_ran)]
    return out

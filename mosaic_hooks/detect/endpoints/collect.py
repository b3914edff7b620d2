"""What the framework collectors share: the endpoints found, the routes left out, and a cycle-safe walk."""

from __future__ import annotations

from typing import Generic, TypeVar

from mosaic_hooks.detect.changeset import Endpoint
from mosaic_hooks.detect.endpoints.executor import Interpreter
from mosaic_hooks.detect.endpoints.values import Obj

UNRESOLVED_ROUTES = ("route(s) with a path or prefix that static analysis could not resolve "
                     "(left out; --introspect can load the app instead)")

Context = TypeVar("Context")


class Collector:
    def __init__(self, interp: Interpreter) -> None:
        self.interp = interp
        self.endpoints: list[Endpoint] = []
        self.unresolved: dict[str, int] = {}  # file -> routes left out because a path did not resolve
        # Public path prefixes under which a route table could not be followed: what is served there is
        # unknown, so a change diff must not call the routes it found there before "removed".
        self.unknown_prefixes: set[str] = set()
        self.unknown_tables: list[str] = []  # warnings naming each table that could not be followed

    def left_out(self, file: str) -> None:
        self.unresolved[file] = self.unresolved.get(file, 0) + 1

    def unknown_prefix(self, prefix: str) -> None:
        self.unknown_prefixes.add("/" + prefix.lstrip("/"))
        self.interp.unknown_prefixes.add("/" + prefix.lstrip("/"))

    def unknown_table(self, file: str, line: int, prefix: str, why: str) -> None:
        self.unknown_prefix(prefix)
        where = f"{file}:{line}" if line else file
        self.unknown_tables.append(f"{where}: {why}: endpoints of this module unknown")

    def warnings(self, what: str) -> list[str]:
        return list(dict.fromkeys(self.unknown_tables)) + [
            f"{file}: {count} {what}" for file, count in sorted(self.unresolved.items())]


class GraphCollector(Collector, Generic[Context]):
    """Walks a graph of routers and their includes, handing each router the context its includer gives it."""

    MAX_DEPTH = 30
    MAX_STEPS = 100_000

    def __init__(self, interp: Interpreter) -> None:
        super().__init__(interp)
        self.visited: set[int] = set()
        self.path: set[int] = set()
        self.steps = 0

    def walk(self, obj: Obj, context: Context, depth: int) -> None:
        # A router included in itself (directly or not) would recurse forever; a huge include graph is cut.
        if depth > self.MAX_DEPTH or id(obj) in self.path or self.steps > self.MAX_STEPS:
            return
        self.steps += 1
        self.visited.add(id(obj))
        self.path.add(id(obj))
        try:
            self._walk(obj, context, depth)
        finally:
            self.path.discard(id(obj))

    def _walk(self, obj: Obj, context: Context, depth: int) -> None:
        raise NotImplementedError

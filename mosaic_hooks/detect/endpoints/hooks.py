"""The interface between the generic interpreter and the framework modules (`fastapi.py`, `flask.py`,
`django.py`, `libraries.py`): the hooks the evaluator calls, and the lazily evaluated arguments they get.

A hook returns a value, or None when the call (attribute, method...) is not one its framework knows;
the evaluator then carries on with its generic meaning.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mosaic_hooks.detect.endpoints.values import External, ListVal, Obj, Value

if TYPE_CHECKING:
    from mosaic_hooks.detect.endpoints.evaluator import Evaluator, Frame


class Args:
    """The arguments of a call, evaluated only when a handler asks for them."""

    def __init__(self, interp: Evaluator, node: ast.Call, frame: Frame) -> None:
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
ExternalHandler = Callable[["Evaluator", External, Args], "Value | None"]
MethodHandler = Callable[["Evaluator", Obj, str, Args], "Value | None"]
AttrHandler = Callable[["Evaluator", Obj, str], "Value | None"]
ExternalAttrHandler = Callable[["Evaluator", External, str], "Value | None"]
SetAttrHandler = Callable[["Evaluator", Obj, str, Value], bool]
ValueAttrHandler = Callable[["Evaluator", Value, str], "Value | None"]
CallHandler = Callable[["Evaluator", Value, Args], "Value | None"]
DecoratorHandler = Callable[["Evaluator", Value, Value], "Value | None"]  # (decorator, decorated)


@dataclass
class Hooks:
    external: list[ExternalHandler] = field(default_factory=list)
    method: list[MethodHandler] = field(default_factory=list)
    attribute: list[AttrHandler] = field(default_factory=list)
    # `library.name` read from a library object the project configures (Django's `settings.X`).
    external_attribute: list[ExternalAttrHandler] = field(default_factory=list)
    setattr: list[SetAttrHandler] = field(default_factory=list)
    # An attribute of another value a framework gives a meaning (DRF's `@action` function's `.mapping`).
    value_attribute: list[ValueAttrHandler] = field(default_factory=list)
    # A call of a framework's own value (DRF's `action(...)` decorator applied by hand).
    call: list[CallHandler] = field(default_factory=list)
    # A decorator a framework knows, other than a route decorator (DRF's `@action`, `@x.mapping.post`).
    decorator: list[DecoratorHandler] = field(default_factory=list)
    class_kind: Callable[[External], str | None] | None = None  # framework base class -> Obj kind
    # `something_unknown.method(...)`: a library object whose method builds a router (fastapi-users).
    unknown_method: list[Callable[[Evaluator, str, Args], Value | None]] = field(default_factory=list)

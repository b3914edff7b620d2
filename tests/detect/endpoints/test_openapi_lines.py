"""Where an OpenAPI document declares each route: the first line that starts with the route as a key."""

from __future__ import annotations

from mosaic_hooks.detect.endpoints.openapi import parse_document

DOC = """\
openapi: 3.0.2
info: {title: t, version: "1"}
x-note: |
  "/items/{id}" is described below
paths:
  /items/{id}/tags:
    get: {responses: {"200": {description: ok}}}
  "/items/{id}":
    get: {responses: {"200": {description: ok}}}
  '/users':
    post: {responses: {"200": {description: ok}}}
  /a:b:
    get: {responses: {"200": {description: ok}}}
  /items:
    get: {responses: {"200": {description: ok}}}
"""


def reference_line(text: str, route: str) -> int:
    """The rule as first written (a scan per form), which the one-pass index must reproduce."""
    for quoted in (f'"{route}"', f"'{route}'", f"{route}:"):
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip().startswith(quoted):
                return number
    return 0


def test_each_route_is_placed_on_the_line_declaring_it() -> None:
    found, warning = parse_document("openapi.yaml", DOC.encode())
    assert warning is None
    lines = {e.path: e.line for e, _ in found}
    assert lines == {route: reference_line(DOC, route) for route in lines}
    # Quoted, single-quoted, unquoted, with a colon inside, and a route that prefixes another one.
    assert (lines["/users"], lines["/a:b"], lines["/items"], lines["/items/{id}/tags"]) == (10, 12, 14, 6)

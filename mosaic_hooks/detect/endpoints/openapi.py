"""OpenAPI/Swagger documents committed in the repository: every path and method they declare.

Swagger 2 `basePath` is applied; OpenAPI 3 `servers` are not (they usually name hosts, and the path part
is deployment detail). Each endpoint carries a fingerprint of its operation object, so that a changed
operation (parameters, request body, responses) at the same method and path can be reported as changed.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from typing import Any

from mosaic_hooks.detect.changeset import Endpoint

_NAME = re.compile(r"^(openapi|swagger)([._-][\w.-]*)?\.(json|ya?ml)$", re.I)
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def is_openapi_path(path: str) -> bool:
    return bool(_NAME.match(posixpath.basename(path)))


def parse_document(path: str, data: bytes) -> tuple[list[tuple[Endpoint, str]], str | None]:
    """(endpoint, fingerprint) pairs of one document, or a warning when it cannot be read."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], f"{path}: could not parse: not UTF-8"
    doc: Any
    try:
        if path.lower().endswith(".json"):
            doc = json.loads(text)
        else:
            import yaml  # lazily: only when a YAML spec is in the diff

            # libyaml's loader where PyYAML was built with it: a large spec loads ~10x faster.
            doc = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        where = f" (line {line})" if line else ""
        return [], f"{path}: could not parse{where}: {exc}"
    except Exception as exc:  # yaml.YAMLError and its relatives
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        return [], f"{path}: could not parse{where}: {problem}"
    if not isinstance(doc, dict) or not ("openapi" in doc or "swagger" in doc):
        return [], None  # a file named openapi.json that is not a spec (e.g. a generator config)
    paths = doc.get("paths")
    if not isinstance(paths, dict):
        return [], None
    base = ""
    if "swagger" in doc and isinstance(doc.get("basePath"), str):
        base = doc["basePath"].rstrip("/")
    out: list[tuple[Endpoint, str]] = []
    lines = _LineIndex(text)
    for route, item in paths.items():
        if not isinstance(route, str) or not isinstance(item, dict):
            continue
        shared = item.get("parameters")
        for method in METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            fingerprint = _fingerprint({"op": operation, "shared": shared})
            line = lines.line_of(route)
            out.append((Endpoint(method.upper(), base + route, path, line, "openapi", source="openapi"),
                        fingerprint))
    return out, None


def _fingerprint(value: object) -> str:
    try:
        text = json.dumps(value, sort_keys=True, default=str)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


class _LineIndex:
    """Finds the line declaring a route as a key, in one pass over the document for all routes."""

    def __init__(self, text: str) -> None:
        self._first: dict[str, int] = {}  # stripped line -> its first line number
        for number, line in enumerate(text.splitlines(), 1):
            self._first.setdefault(line.strip(), number)
        self._by_start: dict[str, int] | None = None

    def line_of(self, route: str) -> int:
        """The first line starting with `"route"`, `'route'` or `route:` (in that order of preference), or 0."""
        for quoted in (f'"{route}"', f"'{route}'", f"{route}:"):
            number = self._starting_with(quoted)
            if number:
                return number
        return 0

    def _starting_with(self, prefix: str) -> int:
        # Route keys end the prefix at a quote or a colon, so the line's own prefix up to that
        # character is looked up; lines are indexed by each such prefix once.
        if self._by_start is None:
            self._by_start = {}
            for line, number in self._first.items():
                for end in range(len(line)):
                    if line[end] in "\"':":
                        start = line[:end + 1]
                        if number < self._by_start.get(start, number + 1):
                            self._by_start[start] = number
        return self._by_start.get(prefix, 0)

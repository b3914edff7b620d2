"""The service's OpenAPI document: reading it once, finding operations, validating against its schemas.

OpenAPI 3.1 schemas are JSON Schema 2020-12; 3.0 schemas are converted (`nullable`, boolean
`exclusiveMinimum`/`exclusiveMaximum`). `$ref`s resolve within the document. Validation uses the
`jsonschema` library. Everything but `served_document` is pure.
"""

from __future__ import annotations

import asyncio
import copy
import json
from dataclasses import dataclass
from typing import Any

from mosaic_hooks.core import redact
from mosaic_hooks.detect.changeset import Endpoint
from mosaic_hooks.gates import routes
from mosaic_hooks.gates.base import GateContext
from mosaic_hooks.gates.result import Exchange

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class Document:
    data: dict[str, Any] | None  # the document, converted to JSON Schema 2020-12 where needed
    reason: str  # why there is none, or where it came from
    exchange: Exchange | None
    unreachable: bool = False  # no answer at all: undecided, not "no document"


@dataclass(frozen=True)
class Operation:
    template: str  # the path as the document writes it
    method: str  # lower case
    spec: dict[str, Any]
    path_item: dict[str, Any]


async def served_document(ctx: GateContext) -> Document:
    key = "openapi"
    existing = ctx.shared.get(key)
    if existing is None:
        existing = asyncio.ensure_future(_read(ctx))
        ctx.shared[key] = existing
    document: Document = await asyncio.shield(existing)
    return document


async def _read(ctx: GateContext) -> Document:
    path = ctx.cfg.openapi_path
    exchange = await ctx.get_once(path, note="OpenAPI document")
    if exchange.status is None:
        return Document(None, f"GET {path}: no answer ({exchange.error})", exchange, unreachable=True)
    if exchange.status != 200:
        return Document(None, f"no OpenAPI document at {path} (answered {exchange.status})", exchange)
    return parse(exchange.body, path, exchange)


def parse(body: bytes, path: str, exchange: Exchange | None = None) -> Document:
    try:
        data = json.loads(body.decode("utf-8"))
    except ValueError:
        try:
            import yaml

            data = yaml.safe_load(body.decode("utf-8"))
        except (ValueError, yaml.YAMLError):
            return Document(None, f"{path} is neither JSON nor YAML", exchange)
    if not isinstance(data, dict) or not isinstance(data.get("openapi"), str) \
            or not isinstance(data.get("paths", {}), dict):
        return Document(None, f"{path} is not an OpenAPI 3 document", exchange)
    return Document(to_json_schema(data), f"OpenAPI {data['openapi']} at {path}", exchange)


def to_json_schema(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of `document` whose schemas are JSON Schema 2020-12 (OpenAPI 3.0 converted)."""
    if str(document.get("openapi", "")).startswith("3.0"):
        return _convert(copy.deepcopy(document))  # type: ignore[no-any-return]
    return document


def _convert(node: Any) -> Any:
    if isinstance(node, list):
        return [_convert(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _convert(value) for key, value in node.items()}
    for bound, flag in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
        if isinstance(node.get(flag), bool) and node.pop(flag) and bound in node:
            node[flag] = node.pop(bound)
    if node.get("nullable") is True:
        del node["nullable"]
        kind = node.get("type")
        if isinstance(kind, str):
            node["type"] = [kind, "null"]
            if isinstance(node.get("enum"), list) and None not in node["enum"]:
                node["enum"] = [*node["enum"], None]
        elif kind is None:
            node = {"anyOf": [node, {"type": "null"}]}
    elif isinstance(node.get("nullable"), bool):
        del node["nullable"]
    return node


_INDEXES: dict[int, tuple[dict[str, Any], dict[str, list[tuple[str, dict[str, Any]]]]]] = {}


def _index(document: dict[str, Any]) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """Path items by path shape, built once per document (gates look up hundreds of endpoints)."""
    cached = _INDEXES.get(id(document))
    if cached is not None and cached[0] is document:
        return cached[1]
    index: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    paths = document.get("paths") or {}
    for template, item in paths.items() if isinstance(paths, dict) else ():
        if isinstance(item, dict):
            index.setdefault(routes.shape(str(template)), []).append((str(template), item))
    if len(_INDEXES) > 8:
        _INDEXES.clear()
    _INDEXES[id(document)] = (document, index)
    return index


def find_operation(document: dict[str, Any], endpoint: Endpoint) -> Operation | None:
    for template, item in _index(document).get(routes.shape(endpoint.path), []):
        methods = HTTP_METHODS if endpoint.method == "ANY" else (endpoint.method.lower(),)
        for method in methods:
            spec = item.get(method)
            if isinstance(spec, dict):
                return Operation(str(template), method, spec, item)
    return None


def resolve(document: dict[str, Any], node: Any, depth: int = 0) -> Any:
    """Follow a local `$ref` (`#/components/...`) to what it points at."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and depth < 32:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            return node
        target: Any = document
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or part not in target:
                return node
            target = target[part]
        node, depth = target, depth + 1
    return node


def _json_content(content: Any) -> dict[str, Any] | None:
    if not isinstance(content, dict):
        return None
    for media, entry in content.items():
        kind = str(media).split(";")[0].strip().lower()
        if (kind == "application/json" or kind.endswith("+json")) and isinstance(entry, dict):
            return entry
    entry = content.get("*/*")
    return entry if isinstance(entry, dict) else None


def response_schema(document: dict[str, Any], operation: Operation, status: int) -> tuple[str, Any] | None:
    """(documented status key, JSON schema) for `status`: exact code, then `2XX`, then `default`."""
    responses = operation.spec.get("responses") or {}
    if not isinstance(responses, dict):
        return None
    for key in (str(status), f"{status // 100}XX", f"{status // 100}xx", "default"):
        if key in responses:
            response = resolve(document, responses[key])
            content = _json_content(response.get("content") if isinstance(response, dict) else None)
            if content is None or "schema" not in content:
                return None
            return key, content["schema"]
    return None


def request_body_schema(document: dict[str, Any], operation: Operation) -> tuple[Any, bool] | None:
    """(JSON schema, required) of the operation's JSON request body, if it documents one."""
    body = resolve(document, operation.spec.get("requestBody"))
    if not isinstance(body, dict):
        return None
    content = _json_content(body.get("content"))
    if content is None or "schema" not in content:
        return None
    return content["schema"], bool(body.get("required", False))


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str  # "query", "path", "header", "cookie"
    required: bool
    schema: Any


def parameters(document: dict[str, Any], operation: Operation) -> list[Parameter]:
    merged: dict[tuple[str, str], Parameter] = {}
    for source in (operation.path_item.get("parameters"), operation.spec.get("parameters")):
        for raw in source if isinstance(source, list) else []:
            param = resolve(document, raw)
            if not isinstance(param, dict) or "name" not in param:
                continue
            location = str(param.get("in", ""))
            merged[(str(param["name"]), location)] = Parameter(
                str(param["name"]), location, bool(param.get("required", location == "path")),
                resolve(document, param.get("schema", {})))
    return list(merged.values())


class UnusableSchema(ValueError):
    """The documented schema cannot be checked against: a `$ref` that leads nowhere, a cycle of `$ref`s."""


def schema_errors(document: dict[str, Any], schema: Any, instance: Any, *, limit: int = 3) -> list[str]:
    """Why `instance` does not validate against `schema` (empty when it does); refs resolve in `document`.

    Raises UnusableSchema when the document itself is broken (its fault, not the answer's)."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match
    from referencing.exceptions import Unresolvable

    # The document's own parts sit beside the schema, so `#/components/...` resolves within it.
    root = {key: value for key, value in document.items() if key not in ("$id", "$schema", "allOf")}
    root["allOf"] = [schema]
    validator = Draft202012Validator(root)
    try:
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    except Unresolvable as exc:
        raise UnusableSchema(f"a $ref does not resolve: {_short(str(exc), 120)}") from None
    except RecursionError:
        raise UnusableSchema("its $refs form a cycle") from None
    lines = []
    for error in errors[:limit]:
        while error.context:  # anyOf/oneOf: say what was wrong in the most relevant branch
            # "is not of type 'null'" is the nullable branch of a converted 3.0 schema: rarely the point
            branches = [e for e in error.context if not (e.validator == "type" and e.validator_value == "null")]
            error = best_match(branches or error.context)
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        lines.append(f"at {where}: {_short(error.message)}")
    return lines


def _short(text: str, size: int = 160) -> str:
    return redact.clip(" ".join(text.split()), size)


def schema_type(document: dict[str, Any], schema: Any) -> str | None:
    node = resolve(document, schema)
    if not isinstance(node, dict):
        return None
    kind = node.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        return str(kinds[0]) if len(kinds) == 1 else None
    if isinstance(kind, str):
        return kind
    for combo in ("allOf",):
        parts = node.get(combo)
        if isinstance(parts, list) and len(parts) == 1:
            return schema_type(document, parts[0])
    return None

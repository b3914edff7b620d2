"""errors: every added endpoint that takes input rejects malformed input with a 4xx other than 404/405.

Input-taking endpoints are the body methods (POST/PUT/PATCH), and endpoints whose query or path
parameters the OpenAPI document declares. Sent: broken JSON (always), and, per the documented schema,
a body missing its required fields and one with wrong types, a query without its required parameter
or with a wrongly typed one, a wrongly typed path parameter. Every generated body is checked to be
INVALID against the schema before it is sent, so no handler can accept it. DELETE is never sent.
A 5xx or a 2xx fails; a 404/405 that is the "no such route" answer fails.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from mosaic_hooks.core.words import plural
from mosaic_hooks.detect.changeset import Endpoint
from mosaic_hooks.gates import no_route, openapi, routes
from mosaic_hooks.gates.base import GateContext
from mosaic_hooks.gates.endpoints import BODY_METHODS, endpoints_to_check, left_to_endpoints, sample
from mosaic_hooks.gates.result import Exchange, Findings, GateResult

NAME = "errors"
WRONG_VALUES: dict[str, Any] = {"string": 12345, "integer": "not-a-number", "number": "not-a-number",
                                "boolean": "not-a-boolean", "array": "not-an-array", "object": "not-an-object"}
# In a URL every value is text: only these types have texts that are wrong.
WRONG_IN_URL = {"integer": "not-a-number", "number": "not-a-number", "boolean": "not-a-boolean"}


@dataclass(frozen=True)
class Attempt:
    endpoint: Endpoint
    method: str
    path: str
    body: bytes | None
    what: str  # "broken JSON", "missing required fields", ...
    not_found_ok: bool = False  # a wrongly typed path segment may fairly name nothing: 404 is a rejection


async def run(ctx: GateContext) -> GateResult:
    findings = Findings(NAME)
    checked = left_to_endpoints(ctx, endpoints_to_check(ctx)[0], findings)
    document = await openapi.served_document(ctx)
    doc = document.data
    attempts: list[Attempt] = []
    for endpoint in checked:
        planned = plan(doc, endpoint, sample(ctx, endpoint))
        if not planned:
            reason = "never sent" if endpoint.method == "DELETE" else "takes no input"
            findings.note(f"{routes.endpoint_label(endpoint)}: not tested ({reason})")
        attempts.extend(planned)
    if not attempts:
        return findings.result(summary_ok="", skipped_reason="no added endpoint takes input")
    results = await asyncio.gather(*(_send(ctx, attempt) for attempt in attempts))
    for attempt, answer in zip(attempts, results, strict=True):
        findings.exchanges.append(answer)
        await _judge(ctx, attempt, answer, findings)
    return findings.result(summary_ok=f"{plural(len(attempts), 'malformed input')} rejected with a 4xx")


def plan(doc: dict[str, Any] | None, endpoint: Endpoint, path: str) -> list[Attempt]:
    """The malformed requests for `endpoint` (pure)."""
    operation = openapi.find_operation(doc, endpoint) if doc else None
    attempts: list[Attempt] = []
    method = endpoint.method
    if method in BODY_METHODS:
        attempts.append(Attempt(endpoint, method, path, no_route.BROKEN_JSON, "broken JSON"))
        documented = openapi.request_body_schema(doc, operation) if doc and operation else None
        if doc is not None and documented is not None:
            schema = documented[0]
            for what, body in _invalid_bodies(doc, schema):
                attempts.append(Attempt(endpoint, method, path, json.dumps(body).encode(), what))
    if doc is not None and operation is not None and method in ("GET", "ANY", "HEAD"):
        params = openapi.parameters(doc, operation)
        query = [p for p in params if p.location == "query"]
        required = [p for p in query if p.required]
        if required:
            names = ", ".join(p.name for p in required)
            attempts.append(Attempt(endpoint, "GET", path, None, f"required query parameter {names} left out"))
        for param in query:
            wrong = _wrong_in_url(doc, param.schema)
            if wrong is not None:
                values = {p.name: _valid_guess(doc, p.schema) for p in required if p.name != param.name}
                values[param.name] = wrong
                attempts.append(Attempt(endpoint, "GET", f"{path}?{urlencode(values)}", None,
                                        f"query parameter {param.name} of the wrong type"))
        for param in (p for p in params if p.location == "path"):
            wrong = _wrong_in_url(doc, param.schema)
            if wrong is not None:
                bad = routes.sample_path(endpoint, {param.name: str(wrong)})
                attempts.append(Attempt(endpoint, "GET", bad, None, f"path parameter {param.name} of the wrong type",
                                        not_found_ok=True))
    return attempts


def _invalid_bodies(doc: dict[str, Any], schema: Any) -> list[tuple[str, Any]]:
    """Bodies that the schema rejects: only those that provably fail validation are returned."""
    node = openapi.resolve(doc, schema)
    candidates: list[tuple[str, Any]] = []
    if isinstance(node, dict):
        required = node.get("required")
        if isinstance(required, list) and required:
            candidates.append(("missing required fields " + ", ".join(map(str, required)), {}))
        properties = node.get("properties")
        if isinstance(properties, dict) and properties:
            wrong = {}
            for name, prop in properties.items():
                value = _wrong_value(doc, prop)
                if value is not None:
                    wrong[name] = value
            if wrong:
                candidates.append(("wrong types for " + ", ".join(wrong), wrong))
        if openapi.schema_type(doc, node) == "object":
            candidates.append(("a JSON string instead of an object", "mosaic-hooks: deliberately invalid"))
    return [(what, body) for what, body in candidates if _known_invalid(doc, schema, body)]


def _known_invalid(doc: dict[str, Any], schema: Any, body: Any) -> bool:
    try:
        return bool(openapi.schema_errors(doc, schema, body, limit=1))
    except openapi.UnusableSchema:  # a broken document cannot tell us which bodies it refuses
        return False


def _wrong_value(doc: dict[str, Any], schema: Any) -> Any:
    kind = openapi.schema_type(doc, schema)
    return WRONG_VALUES.get(kind) if kind else None


def _wrong_in_url(doc: dict[str, Any], schema: Any) -> str | None:
    kind = openapi.schema_type(doc, schema)
    return WRONG_IN_URL.get(kind) if kind else None


def _valid_guess(doc: dict[str, Any], schema: Any) -> str:
    kind = openapi.schema_type(doc, schema)
    return {"integer": "1", "number": "1", "boolean": "true"}.get(kind or "", "1")


async def _send(ctx: GateContext, attempt: Attempt) -> Exchange:
    if attempt.body is not None:
        return await ctx.request(attempt.method, attempt.path, invalid_body=attempt.body, note=attempt.what)
    return await ctx.get_once(attempt.path, note=attempt.what)


async def _judge(ctx: GateContext, attempt: Attempt, answer: Exchange, findings: Findings) -> None:
    label = f"{attempt.method} {attempt.path} ({attempt.what})"
    if answer.status is None:
        findings.undecide(f"{label}: no answer ({answer.error})")
        return
    status = answer.status
    code = f"{status} ({answer.elapsed_ms:.0f} ms)"
    if status >= 500:
        findings.fail(f"{label}: answered {code}, a server error instead of a 4xx")
    elif status < 300:
        findings.fail(f"{label}: answered {code}: the invalid input was accepted")
    elif status < 400:
        findings.undecide(f"{label}: answered {code} (redirect to {answer.headers.get('location', '?')})")
    elif status == 405:
        findings.fail(f"{label}: answered 405: {attempt.method} is not deployed on this path")
    elif status in (404, 410):
        missing = await no_route.learn(ctx, attempt.method)
        if missing.matches(answer):
            if attempt.not_found_ok:
                findings.ok(f"{label}: {code}, no route for that value")
            else:
                findings.fail(f"{label}: {status}, the service's 'no such route' answer: not deployed")
        elif attempt.not_found_ok:
            findings.ok(f"{label}: rejected with {code}")
        else:
            findings.undecide(f"{label}: the handler answered {status} before judging the input "
                              f"(set sample_values for this route to an existing id)")
    else:
        findings.ok(f"{label}: rejected with {code}")

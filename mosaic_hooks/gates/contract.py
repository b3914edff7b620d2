"""contract: the served OpenAPI document lists every added endpoint the service declares in it, and the
JSON answers of the GET probes and of the health check validate against the response schema documented
for their status.

Outside the contract (they must still answer: that is the endpoints gate's check): routes kept out of
the document by design (`include_in_schema=False`, the framework's /docs, /redoc and /openapi.json
pages, found by the static analysis), the OpenAPI document's own path and the mosaic probe's path.
An endpoint the endpoints gate found not deployed is left to it (one cause, one failure).

No document: skipped with the reason. The GET answers are the endpoints gate's (shared, sent once).
"""

from __future__ import annotations

import asyncio

from mosaic_hooks.core.words import plural
from mosaic_hooks.detect.changeset import Endpoint
from mosaic_hooks.gates import openapi, routes
from mosaic_hooks.gates.base import GateContext
from mosaic_hooks.gates.endpoints import GET_LIKE, endpoints_to_check, left_to_endpoints, sample
from mosaic_hooks.gates.result import Exchange, Findings, GateResult, skipped

NAME = "contract"


async def run(ctx: GateContext) -> GateResult:
    document = await openapi.served_document(ctx)
    findings = Findings(NAME)
    if document.data is None:
        if document.unreachable:
            findings.undecide(document.reason)
            return findings.result(summary_ok="")
        return skipped(NAME, document.reason)
    doc = document.data
    findings.note(document.reason)
    to_check, _ = endpoints_to_check(ctx)
    declared = in_contract(ctx, to_check, findings)
    checked = left_to_endpoints(ctx, declared, findings)
    missing = []
    for endpoint in checked:
        if openapi.find_operation(doc, endpoint) is None:
            missing.append(routes.endpoint_label(endpoint))
            findings.fail(f"{routes.endpoint_label(endpoint)} is not in the OpenAPI document")
        else:
            findings.ok(f"{routes.endpoint_label(endpoint)} is documented")

    targets: list[tuple[Endpoint, str]] = [(e, sample(ctx, e)) for e in checked if e.method in GET_LIKE]
    health = Endpoint("GET", ctx.cfg.health_path)
    targets.append((health, ctx.cfg.health_path))
    answers = await asyncio.gather(*(ctx.get_once(path, note="contract") for _, path in targets))
    for (endpoint, path), answer in zip(targets, answers, strict=True):
        _validate(doc, endpoint, path, answer, findings, is_health=endpoint is health)
        findings.exchanges.append(answer)
    documented = len(checked) - len(missing)
    outside = len(to_check) - len(declared)
    return findings.result(
        summary_ok=(f"{plural(documented, 'endpoint')} documented" if documented else "no added endpoint to look up")
                   + (f" ({outside} outside the contract by design)" if outside else "")
                   + "; answers match their schemas",
        skipped_reason="nothing to compare with the OpenAPI document")


def in_contract(ctx: GateContext, endpoints: list[Endpoint], findings: Findings) -> list[Endpoint]:
    """The endpoints the service declares in its OpenAPI document; the others are noted, not judged."""
    own_paths = {p for p in (ctx.cfg.openapi_path, ctx.cfg.probe_path) if p}
    declared = []
    for endpoint in endpoints:
        if not endpoint.in_schema:
            findings.note(f"outside the contract: {routes.endpoint_label(endpoint)} is kept out of the "
                          "OpenAPI document by design")
        elif endpoint.path in own_paths:
            findings.note(f"outside the contract: {routes.endpoint_label(endpoint)} "
                          f"({'the document itself' if endpoint.path == ctx.cfg.openapi_path else 'the probe'})")
        else:
            declared.append(endpoint)
    return declared


def _validate(doc: dict[str, object], endpoint: Endpoint, path: str, answer: Exchange, findings: Findings, *,
              is_health: bool) -> None:
    label = f"GET {path}"
    if answer.status is None:
        findings.undecide(f"{label}: no answer ({answer.error})")
        return
    operation = openapi.find_operation(doc, endpoint)
    if operation is None:
        if is_health:
            findings.note(f"{label}: the health path is not in the OpenAPI document")
        return
    if "json" not in answer.content_type.lower():
        findings.note(f"{label}: {answer.status} {answer.content_type or 'without content type'}, not JSON")
        return
    documented = openapi.response_schema(doc, operation, answer.status)
    if documented is None:
        findings.note(f"{label}: no JSON schema documented for {answer.status}")
        return
    key, schema = documented
    try:
        body = answer.json()
    except ValueError:
        findings.fail(f"{label}: {answer.status} says JSON but the body is not valid JSON")
        return
    try:
        errors = openapi.schema_errors(doc, schema, body)
    except openapi.UnusableSchema as exc:
        findings.undecide(f"{label}: the schema documented for {key} cannot be checked ({exc})")
        return
    if errors:
        findings.fail(f"{label}: {answer.status} breaks its documented schema ({key}): {'; '.join(errors)}")
    else:
        findings.ok(f"{label}: {answer.status} matches the schema documented for {key}")

"""endpoints: every added endpoint answers, and not with the service's "no such route" answer.

GET (and ANY) routes are requested, with sample values in their path parameters. Write routes are
never sent a valid body: OPTIONS tells whether the path exists and, through `Allow`, with which
methods; when that is ambiguous the served OpenAPI document decides, else (POST/PUT/PATCH) a request
with a deliberately invalid body. DELETE is never sent. Removed endpoints may be required to be gone.
"""

from __future__ import annotations

import asyncio

from mosaic_hooks.core.words import noun, plural
from mosaic_hooks.detect.changeset import Endpoint
from mosaic_hooks.gates import no_route, routes
from mosaic_hooks.gates.base import GateContext
from mosaic_hooks.gates.result import Exchange, Findings, GateResult

NAME = "endpoints"
GET_LIKE = frozenset({"GET", "HEAD", "ANY"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_NOT_DEPLOYED_KEY = "endpoints.not_deployed"  # in ctx.shared: the (method, path) keys this gate found missing


def endpoints_to_check(ctx: GateContext) -> tuple[list[Endpoint], list[Endpoint]]:
    """(endpoints checked, endpoints excluded by config): the added and changed endpoints."""
    seen: set[tuple[str, str]] = set()
    checked: list[Endpoint] = []
    excluded: list[Endpoint] = []
    for endpoint in [*ctx.changes.endpoints.added, *ctx.changes.endpoints.changed]:
        if endpoint.key in seen:
            continue
        seen.add(endpoint.key)
        (excluded if routes.is_excluded(endpoint, ctx.cfg.exclude_routes) else checked).append(endpoint)
    return checked, excluded


def sample(ctx: GateContext, endpoint: Endpoint) -> str:
    return routes.sample_path(endpoint, ctx.cfg.sample_values or {})


def not_deployed(ctx: GateContext) -> set[tuple[str, str]]:
    """The endpoints this gate found not deployed (empty until it has run, or when it was skipped)."""
    found = ctx.shared.get(_NOT_DEPLOYED_KEY)
    return found if isinstance(found, set) else set()


def left_to_endpoints(ctx: GateContext, endpoints: list[Endpoint], findings: Findings) -> list[Endpoint]:
    """One cause, one failure: the endpoints left once those the endpoints gate found not deployed are
    taken out; those are noted as following from it, not failed a second time."""
    missing = not_deployed(ctx)
    for endpoint in endpoints:
        if endpoint.key in missing:
            findings.note(f"follows from endpoints: {routes.endpoint_label(endpoint)} is not deployed "
                          "(not judged here)")
    return [e for e in endpoints if e.key not in missing]


async def run(ctx: GateContext) -> GateResult:
    findings = Findings(NAME)
    checked, excluded = endpoints_to_check(ctx)
    removed = [e for e in ctx.changes.endpoints.removed if not routes.is_excluded(e, ctx.cfg.exclude_routes)]
    must_be_gone = bool(ctx.cfg.removed_endpoints_must_404) and removed
    for endpoint in excluded:
        findings.note(f"excluded by exclude_routes: {routes.endpoint_label(endpoint)}")
    if not checked and not must_be_gone:
        return findings.result(summary_ok="", skipped_reason="no endpoint added in this range")

    outcomes = await asyncio.gather(
        *(_check_added(ctx, e) for e in checked),
        *(_check_removed(ctx, e) for e in (removed if must_be_gone else [])),
    )
    # Shared before this gate returns: contract, errors and monitoring wait for it and leave these out.
    ctx.shared[_NOT_DEPLOYED_KEY] = {e.key for e, (verdict, _, _) in zip(checked, outcomes, strict=False)
                                     if verdict == "missing"}
    for verdict, line, exchanges in outcomes:
        getattr(findings, "fail" if verdict == "missing" else verdict)(line)
        findings.exchanges.extend(exchanges)
    if removed and not must_be_gone:
        findings.note(f"{plural(len(removed), 'removed endpoint')} not checked (removed_endpoints_must_404 is off)")
    total = len(checked)
    if not total:
        return findings.result(summary_ok="the removed endpoint is gone" if len(removed) == 1
                               else f"all {len(removed)} removed endpoints are gone")
    if excluded:  # the same count as "Changes: N endpoints added", and why some were not requested
        added = total + len(excluded)
        summary = (f"{total} of the {plural(added, 'added endpoint')} {noun(total, 'answers')} "
                   f"({len(excluded)} excluded by exclude_routes)")
    else:
        summary = "the added endpoint answers" if total == 1 else f"all {total} added endpoints answer"
    return findings.result(summary_ok=summary)


# ("ok" | "fail" | "missing" | "undecide", evidence line, requests); "missing": a failure because the
# route is not served at all, the root cause other gates then do not fail again.
Outcome = tuple[str, str, list[Exchange]]


async def _check_added(ctx: GateContext, endpoint: Endpoint) -> Outcome:
    label = routes.endpoint_label(endpoint)
    path = sample(ctx, endpoint)
    shown = label if path == endpoint.path else f"{label} ({path})"
    if endpoint.method in GET_LIKE:
        return await _check_get(ctx, endpoint, path, shown)
    return await _check_write(ctx, endpoint, path, shown)


async def _check_get(ctx: GateContext, endpoint: Endpoint, path: str, shown: str) -> Outcome:
    answer, missing = await asyncio.gather(ctx.get_once(path, note="added endpoint"), no_route.learn(ctx, "GET"))
    exchanges = [answer]
    if answer.status is None:
        return "undecide", f"{shown}: no answer ({answer.error})", exchanges
    timing = f"{answer.status} ({answer.elapsed_ms:.0f} ms)"
    if answer.status >= 500:
        return "fail", f"{shown}: answered {timing}, a server error", exchanges
    if missing.matches(answer):
        # A handler may raise a bare 404 identical to the router's: OPTIONS on the path settles it.
        confirmed, options = await _path_exists(ctx, path, "GET")
        exchanges.extend(options)
        if confirmed:
            return "ok", f"{shown}: {timing}, the handler's 404 (OPTIONS confirms the route)", exchanges
        return "missing", f"{shown}: {answer.status}, the service's 'no such route' answer: not deployed", exchanges
    if answer.status == 404 and not missing.known:
        return "undecide", (f"{shown}: 404, and the service's 'no such route' answer could not be learnt "
                            f"({missing.error})"), exchanges
    if answer.status == 405 and endpoint.method != "ANY" and "GET" not in _allow(answer):
        return "missing", f"{shown}: 405, GET is not allowed on this path: not deployed", exchanges
    if answer.status == 404:
        return "ok", f"{shown}: {timing}, the handler's own 404 (differs from 'no such route')", exchanges
    return "ok", f"{shown}: {timing}", exchanges


async def _path_exists(ctx: GateContext, path: str, method: str) -> tuple[bool, list[Exchange]]:
    """OPTIONS on `path` differs from the no-route answer, and its Allow header (if any) names `method`."""
    options, missing = await asyncio.gather(ctx.request("OPTIONS", path, note="route exists?"),
                                            no_route.learn(ctx, "OPTIONS"))
    allow = _allow(options)
    exists = options.status is not None and missing.known and not missing.matches(options) \
        and options.status not in (404, 410) and (not allow or method in allow)
    return exists, [options]


async def _check_write(ctx: GateContext, endpoint: Endpoint, path: str, shown: str) -> Outcome:
    method = endpoint.method
    options, missing = await asyncio.gather(ctx.request("OPTIONS", path, note="route exists?"),
                                            no_route.learn(ctx, "OPTIONS"))
    exchanges = [options]
    if options.status is None:
        return "undecide", f"{shown}: OPTIONS got no answer ({options.error})", exchanges
    if missing.matches(options) or options.status in (404, 410):
        if not missing.known and options.status == 404:
            return "undecide", f"{shown}: OPTIONS 404, the 'no such route' answer is unknown", exchanges
        return "missing", f"{shown}: OPTIONS {options.status}, the service's 'no such route' answer: not deployed", \
            exchanges
    allow = _allow(options)
    if method in allow:
        return "ok", f"{shown}: OPTIONS {options.status}, Allow: {', '.join(sorted(allow))}", exchanges
    if not allow:
        return "ok", f"{shown}: OPTIONS {options.status}: the path exists (no Allow header to name methods)", \
            exchanges
    # Allow names other methods: a router may list only the first route matching the path.
    if await _in_served_openapi(ctx, endpoint):
        return "ok", (f"{shown}: OPTIONS {options.status} (Allow: {', '.join(sorted(allow))}); "
                      f"{method} is in the served OpenAPI document"), exchanges
    if method not in BODY_METHODS:
        return "undecide", (f"{shown}: OPTIONS allows only {', '.join(sorted(allow))}; {method} is not sent "
                            f"to production, so it cannot be confirmed"), exchanges
    probe, missing_write = await asyncio.gather(
        ctx.request(method, path, invalid_body=no_route.BROKEN_JSON, note="exists? (invalid body)"),
        no_route.learn(ctx, method))
    exchanges.append(probe)
    if probe.status is None:
        return "undecide", f"{shown}: no answer to an invalid body ({probe.error})", exchanges
    if probe.status == 405 or missing_write.matches(probe):
        return "missing", f"{shown}: {probe.status} to {method}: not deployed (Allow: {', '.join(sorted(allow))})", \
            exchanges
    return "ok", f"{shown}: {probe.status} to an invalid body: the route exists", exchanges


async def _check_removed(ctx: GateContext, endpoint: Endpoint) -> Outcome:
    label = f"removed {routes.endpoint_label(endpoint)}"
    path = sample(ctx, endpoint)
    if endpoint.method in GET_LIKE:
        answer, missing = await asyncio.gather(ctx.get_once(path, note="removed endpoint"), no_route.learn(ctx))
    else:
        answer, missing = await asyncio.gather(ctx.request("OPTIONS", path, note="removed endpoint"),
                                               no_route.learn(ctx, "OPTIONS"))
    if answer.status is None:
        return "undecide", f"{label}: no answer ({answer.error})", [answer]
    if answer.status in (404, 410) or missing.matches(answer):
        return "ok", f"{label}: {answer.status}, gone", [answer]
    if endpoint.method not in GET_LIKE and (allow := _allow(answer)) and endpoint.method not in allow:
        return "ok", f"{label}: no longer allowed (Allow: {', '.join(sorted(allow))})", [answer]
    return "fail", f"{label}: still answers {answer.status} (expected 404 or 410)", [answer]


def _allow(exchange: Exchange) -> set[str]:
    raw = exchange.headers.get("allow", "")
    return {m.strip().upper() for m in raw.split(",") if m.strip()}


async def _in_served_openapi(ctx: GateContext, endpoint: Endpoint) -> bool:
    from mosaic_hooks.gates import openapi

    document = await openapi.served_document(ctx)
    return document.data is not None and openapi.find_operation(document.data, endpoint) is not None

"""The errors gate: malformed input must get a 4xx other than 404/405, never a 5xx or a 2xx."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from mosaic_hooks.detect.changeset import Endpoint
from mosaic_hooks.gates import invalid_input, no_route, openapi
from mosaic_hooks.gates.result import GateResult
from tests.support.apps import Toggles, fastapi_app, flask_app, serve_asgi, serve_wsgi
from tests.support.gating import changes, evidence, make_config, run


@pytest.fixture(scope="module")
def fastapi_url() -> Iterator[str]:
    with serve_asgi(fastapi_app()) as url:
        yield url


@pytest.fixture(scope="module")
def crashing_fastapi_url() -> Iterator[str]:
    with serve_asgi(fastapi_app(Toggles(crash_on_invalid=True))) as url:
        yield url


def errors_gate(url: str, *added: str) -> GateResult:
    return run(make_config(url), changes(added), names=["errors"])["errors"]


def test_validated_input_is_rejected_with_4xx_and_passes(fastapi_url: str) -> None:
    result = errors_gate(fastapi_url, "POST /items", "GET /search", "GET /items/{item_id}")
    assert result.status == "passed", evidence(result)
    text = evidence(result)
    assert "POST /items (broken JSON): rejected with 422" in text
    assert "POST /items (missing required fields name, price): rejected with 422" in text
    assert "POST /items (wrong types for name, price): rejected with 422" in text
    assert "GET /search (required query parameter q left out): rejected with 422" in text
    assert "GET /search?q=1&limit=not-a-number (query parameter limit of the wrong type): rejected with 422" in text
    assert "GET /items/not-a-number (path parameter item_id of the wrong type): rejected with 422" in text


def test_a_500_on_invalid_input_fails(crashing_fastapi_url: str) -> None:
    result = errors_gate(crashing_fastapi_url, "POST /items")
    assert result.status == "failed"
    assert "POST /items (broken JSON): answered 500" in result.summary
    assert "a server error instead of a 4xx" in result.summary


def test_every_generated_body_is_invalid_against_the_documented_schema() -> None:
    schema = {"$ref": "#/components/schemas/ItemIn"}
    document = {"openapi": "3.1.0", "components": {"schemas": {"ItemIn": {
        "type": "object", "required": ["name", "price"],
        "properties": {"name": {"type": "string"}, "price": {"type": "number"}}}}},
        "paths": {"/items": {"post": {"requestBody": {"content": {"application/json": {"schema": schema}}}}}}}
    attempts = invalid_input.plan(document, Endpoint("POST", "/items"), "/items")
    assert [a.what for a in attempts] == ["broken JSON", "missing required fields name, price",
                                          "wrong types for name, price", "a JSON string instead of an object"]
    for attempt in attempts[1:]:
        assert attempt.body is not None
        assert openapi.schema_errors(document, schema, json.loads(attempt.body)), attempt.what
    assert attempts[0].body == no_route.BROKEN_JSON
    with pytest.raises(ValueError):
        json.loads(no_route.BROKEN_JSON)


def test_a_body_the_schema_would_accept_is_never_generated() -> None:
    document = {"openapi": "3.1.0", "paths": {"/free": {"post": {"requestBody": {"content": {
        "application/json": {"schema": {"type": "object", "properties": {"note": {}}}}}}}}}}
    attempts = invalid_input.plan(document, Endpoint("POST", "/free"), "/free")
    # no required field, no typed property: only broken JSON and a string instead of the object remain
    assert [a.what for a in attempts] == ["broken JSON", "a JSON string instead of an object"]


def test_delete_and_input_free_endpoints_are_not_sent_anything(fastapi_url: str) -> None:
    result = errors_gate(fastapi_url, "DELETE /items/{item_id}", "GET /reports")
    assert result.status == "skipped"
    assert result.summary == "no added endpoint takes input"
    assert "DELETE /items/{item_id}: not tested (never sent)" in evidence(result)
    assert not result.exchanges


def test_flask_without_openapi_gets_broken_json_and_answers_400() -> None:
    with serve_wsgi(flask_app()) as url:
        result = errors_gate(url, "POST /items")
    assert result.status == "passed", evidence(result)
    assert "POST /items (broken JSON): rejected with 400" in evidence(result)


def test_flask_crashing_on_broken_json_fails() -> None:
    with serve_wsgi(flask_app(Toggles(crash_on_invalid=True))) as url:
        result = errors_gate(url, "POST /items")
    assert result.status == "failed"
    assert "answered 500" in result.summary


def test_a_write_route_that_is_not_deployed_fails_with_its_404(fastapi_url: str) -> None:
    result = errors_gate(fastapi_url, "POST /widgets")
    assert result.status == "failed"
    assert "POST /widgets (broken JSON): 404, the service's 'no such route' answer: not deployed" in result.summary

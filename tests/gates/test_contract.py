"""The contract gate: added endpoints documented, answers valid against their documented schemas."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from mosaic_hooks.gates import openapi
from mosaic_hooks.gates.result import GateResult
from tests.support.apps import Toggles, fastapi_app, flask_app, serve_asgi, serve_wsgi
from tests.support.gating import changes, evidence, make_config, run


@pytest.fixture(scope="module")
def good_url() -> Iterator[str]:
    with serve_asgi(fastapi_app()) as url:
        yield url


@pytest.fixture(scope="module")
def broken_url() -> Iterator[str]:
    with serve_asgi(fastapi_app(Toggles(break_schema=True))) as url:
        yield url


def contract(url: str, *added: str) -> GateResult:
    return run(make_config(url), changes(added), names=["contract"])["contract"]


def test_documented_endpoints_with_valid_answers_pass(good_url: str) -> None:
    result = contract(good_url, "GET /items/{item_id}", "POST /items")
    assert result.status == "passed", evidence(result)
    text = evidence(result)
    assert "GET /items/1: 200 matches the schema documented for 200" in text
    assert "GET /health: 200 matches the schema documented for 200" in text


def test_a_response_that_breaks_its_schema_fails_with_the_error(broken_url: str) -> None:
    result = contract(broken_url, "GET /items/{item_id}")
    assert result.status == "failed"
    assert "GET /items/1: 200 breaks its documented schema (200): at id: 'one' is not of type 'integer'" \
        in result.summary


def test_an_added_endpoint_missing_from_the_document_fails(good_url: str) -> None:
    result = contract(good_url, "GET /items/{item_id}", "GET /undocumented")
    assert result.status == "failed"
    assert "GET /undocumented is not in the OpenAPI document" in result.summary


def test_no_openapi_document_is_skipped_with_the_reason() -> None:
    with serve_wsgi(flask_app()) as url:
        result = contract(url, "GET /items/{item_id}")
    assert result.status == "skipped"
    assert result.summary == "no OpenAPI document at /openapi.json (answered 404)"


OPENAPI_30: dict[str, Any] = {
    "openapi": "3.0.3",
    "paths": {"/pets/{petId}": {"get": {"responses": {
        "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}},
        "4XX": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
    }}}},
    "components": {"schemas": {
        "Pet": {"type": "object", "required": ["id", "tag"], "properties": {
            "id": {"type": "integer", "minimum": 0, "exclusiveMinimum": True},
            "tag": {"type": "string", "nullable": True},
            "owner": {"allOf": [{"$ref": "#/components/schemas/Owner"}], "nullable": True},
        }},
        "Owner": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
        "Error": {"type": "object", "required": ["message"]},
    }},
}


def _errors(status: int, body: object, document: dict[str, Any] = OPENAPI_30) -> list[str]:
    doc = openapi.parse(json.dumps(document).encode(), "/openapi.json").data
    assert doc is not None
    from mosaic_hooks.detect.changeset import Endpoint

    operation = openapi.find_operation(doc, Endpoint("GET", "/pets/{id}"))
    assert operation is not None
    found = openapi.response_schema(doc, operation, status)
    assert found is not None
    return openapi.schema_errors(doc, found[1], body)


def test_openapi_30_nullable_and_refs_are_understood() -> None:
    assert _errors(200, {"id": 1, "tag": None, "owner": None}) == []
    assert _errors(200, {"id": 1, "tag": "x", "owner": {"name": "ann"}}) == []
    assert _errors(200, {"id": 1, "tag": "x", "owner": {}}) == ["at owner: 'name' is a required property"]
    assert _errors(200, {"id": "1", "tag": None}) == ["at id: '1' is not of type 'integer'"]


def test_openapi_30_boolean_exclusive_minimum_is_converted() -> None:
    assert _errors(200, {"id": 0, "tag": None})  # exclusiveMinimum: true with minimum 0 -> 0 is invalid


def test_status_ranges_are_matched_when_the_exact_code_is_not_documented() -> None:
    assert _errors(404, {"message": "no pet"}) == []
    assert _errors(404, {"detail": "no pet"}) == ["at (root): 'message' is a required property"]


def test_openapi_31_schemas_are_used_as_json_schema() -> None:
    document = json.loads(json.dumps(OPENAPI_30))
    document["openapi"] = "3.1.0"
    document["components"]["schemas"]["Pet"]["properties"]["tag"] = {"type": ["string", "null"]}
    document["components"]["schemas"]["Pet"]["properties"]["id"] = {"type": "integer", "exclusiveMinimum": 0}
    assert _errors(200, {"id": 1, "tag": None}, document) == []
    assert _errors(200, {"id": 0, "tag": None}, document) == ["at id: 0 is less than or equal to the minimum of 0"]


def test_a_document_that_is_not_openapi_is_reported() -> None:
    assert openapi.parse(b'{"swagger": "2.0"}', "/openapi.json").reason == "/openapi.json is not an OpenAPI 3 document"
    assert openapi.parse(b"<html>", "/openapi.json").data is None

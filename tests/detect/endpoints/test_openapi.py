"""Committed OpenAPI/Swagger documents: a path/method added there is an added endpoint."""

from __future__ import annotations

import json

from mosaic_hooks.detect.endpoints import endpoint_changes, extract_endpoints
from mosaic_hooks.detect.snapshot import DictSnapshot

SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "Shop", "version": "1"},
    "paths": {
        "/items": {"get": {"responses": {"200": {"description": "ok"}}},
                   "parameters": [{"name": "q", "in": "query"}]},
        "/items/{id}": {"get": {"responses": {"200": {"description": "ok"}}},
                        "delete": {"responses": {"204": {"description": "gone"}}}},
    },
}


def test_every_operation_of_a_json_document_is_an_endpoint() -> None:
    endpoints, warnings = extract_endpoints(DictSnapshot({"api/openapi.json": json.dumps(SPEC)}))
    assert [(e.method, e.path, e.framework) for e in endpoints] == [
        ("GET", "/items", "openapi"), ("DELETE", "/items/{id}", "openapi"), ("GET", "/items/{id}", "openapi")]
    assert warnings == []


def test_yaml_and_swagger_base_path() -> None:
    doc = "swagger: '2.0'\nbasePath: /v1/\npaths:\n  /pets:\n    post:\n      responses: {}\n"
    endpoints, _ = extract_endpoints(DictSnapshot({"swagger.yaml": doc}))
    assert [(e.key, e.file, e.line) for e in endpoints] == [(("POST", "/v1/pets"), "swagger.yaml", 4)]


def test_added_removed_and_changed_operations() -> None:
    head_spec = json.loads(json.dumps(SPEC))
    head_spec["paths"]["/items"]["post"] = {"responses": {"201": {"description": "created"}}}
    del head_spec["paths"]["/items/{id}"]["delete"]
    head_spec["paths"]["/items/{id}"]["get"]["responses"]["404"] = {"description": "missing"}
    result, warnings = endpoint_changes(DictSnapshot({"openapi.json": json.dumps(SPEC)}),
                                        DictSnapshot({"openapi.json": json.dumps(head_spec, indent=2)}),
                                        ["openapi.json"])
    assert [e.key for e in result.added] == [("POST", "/items")]
    assert [e.key for e in result.removed] == [("DELETE", "/items/{id}")]
    assert [e.key for e in result.changed] == [("GET", "/items/{id}")]
    assert warnings == []


def test_reformatting_a_document_changes_nothing() -> None:
    result, _ = endpoint_changes(DictSnapshot({"openapi.json": json.dumps(SPEC)}),
                                 DictSnapshot({"openapi.json": json.dumps(SPEC, indent=4, sort_keys=True)}),
                                 ["openapi.json"])
    assert (result.added, result.removed, result.changed) == ([], [], [])


def test_an_unparsable_document_is_a_warning_with_its_line() -> None:
    endpoints, warnings = extract_endpoints(DictSnapshot({"openapi.yaml": "paths:\n  /x: [\n", "o/openapi.json": "{"}))
    assert endpoints == []
    assert warnings[0].startswith("o/openapi.json: could not parse (line 1): ")
    assert warnings[1].startswith("openapi.yaml: could not parse (line 3): ")


def test_a_document_that_is_not_a_spec_is_ignored() -> None:
    endpoints, warnings = extract_endpoints(DictSnapshot({"openapi.json": '{"generator": "typescript"}'}))
    assert (endpoints, warnings) == ([], [])


def test_code_and_spec_declaring_the_same_endpoint_are_one_endpoint() -> None:
    files = {"openapi.json": json.dumps(SPEC),
             "main.py": "from fastapi import FastAPI\napp = FastAPI(openapi_url=None)\n@app.get('/items')\ndef f(): ...\n"}  # noqa: E501
    endpoints, _ = extract_endpoints(DictSnapshot(files))
    items = [e for e in endpoints if e.key == ("GET", "/items")]
    assert [(e.framework, e.file) for e in items] == [("fastapi", "main.py")]

"""The demo's shop service: what the change detection reads of it (its committed openapi.json), and
what it serves under a real server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import jsonschema
import pytest
from prometheus_client.parser import text_string_to_metric_families

from mosaic_hooks.demo import shop
from mosaic_hooks.detect.changeset import Endpoint
from mosaic_hooks.detect.endpoints import endpoint_changes, extract_endpoints
from mosaic_hooks.detect.snapshot import DictSnapshot

ALL = ["/health", "/items", "/orders"]


def files(paths: list[str]) -> dict[str, str]:
    return {"app.py": shop.app_source(paths), "openapi.json": shop.openapi_document(paths)}


def test_the_committed_openapi_document_declares_each_route_for_the_change_detection() -> None:
    found, warnings = extract_endpoints(DictSnapshot(files(ALL)))
    assert warnings == []
    assert sorted(e.key for e in found) == [("GET", "/health"), ("GET", "/items"), ("GET", "/orders")]


def test_a_route_added_to_the_shop_is_reported_as_an_added_endpoint() -> None:
    changes, warnings = endpoint_changes(DictSnapshot(files(["/health", "/items"])), DictSnapshot(files(ALL)),
                                         ["app.py", "openapi.json"])
    assert warnings == []
    assert [e.key for e in changes.added] == [("GET", "/orders")]
    assert changes.removed == [] and changes.changed == []
    assert isinstance(changes.added[0], Endpoint) and changes.added[0].file == "openapi.json"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The full shop (`python app.py`) on 127.0.0.1, as Render would start it."""
    where = tmp_path_factory.mktemp("shop")
    for name, text in files(["/health", "/items"]).items():
        (where / name).write_text(text)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-I", str(where / "app.py")], cwd=where,
                            env={"PORT": str(port), "RENDER_GIT_COMMIT": "a" * 40, "PATH": os.environ["PATH"]})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                httpx.get(f"{url}/health", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the shop did not start"
                time.sleep(0.05)
        yield url
    finally:
        proc.kill()
        proc.wait()


def test_each_declared_route_answers_what_its_schema_says(served: str) -> None:
    doc = json.loads(shop.openapi_document(["/health", "/items"]))
    for path, item in doc["paths"].items():
        response = httpx.get(served + path, timeout=5)
        assert response.status_code == 200, path
        schema = item["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        jsonschema.validate(response.json(), schema)


def test_a_route_it_does_not_have_is_a_404_and_a_wrong_method_a_405(served: str) -> None:
    assert httpx.get(f"{served}/orders", timeout=5).status_code == 404
    assert httpx.post(f"{served}/items", json={}, timeout=5).status_code == 405


def test_version_reports_the_render_git_commit(served: str) -> None:
    assert httpx.get(f"{served}/version", timeout=5).json() == {"commit": "a" * 40}


def test_openapi_json_serves_the_committed_document(served: str) -> None:
    assert httpx.get(f"{served}/openapi.json", timeout=5).json() == \
        json.loads(shop.openapi_document(["/health", "/items"]))


def test_metrics_count_requests_by_path_in_the_prometheus_format(served: str) -> None:
    httpx.get(f"{served}/items", timeout=5)
    httpx.get(f"{served}/nowhere", timeout=5)
    text = httpx.get(f"{served}/metrics", timeout=5).text
    samples = {(s.labels["method"], s.labels["path"]): s.value
               for family in text_string_to_metric_families(text) for s in family.samples}
    assert samples[("GET", "/items")] >= 1
    assert samples[("GET", "unmatched")] >= 1  # unknown paths do not each get a label
    assert not any(path == "/nowhere" for _, path in samples)

"""The monitoring gate: valid exposition, request metrics naming new endpoints, Prometheus, alert rules."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mosaic_hooks.detect.changeset import Endpoint
from mosaic_hooks.gates.monitoring import prometheus_selector, rule_mentions
from mosaic_hooks.gates.result import GateResult
from tests.support.apps import Toggles, fastapi_app, flask_app, serve_asgi, serve_wsgi
from tests.support.gating import changes, evidence, make_config, run

ALL_PROBES = ["health", "endpoints", "contract", "errors", "monitoring"]


@pytest.fixture(scope="module")
def fastapi_url() -> Iterator[str]:
    with serve_asgi(fastapi_app(Toggles(missing={"/reports"}))) as url:
        yield url


def monitoring(url: str, *added: str, **cfg: Any) -> GateResult:
    return run(make_config(url, **cfg), changes(added), names=ALL_PROBES)["monitoring"]


def test_metrics_mentioning_the_probed_endpoints_pass(fastapi_url: str) -> None:
    result = monitoring(fastapi_url, "GET /items/{item_id}", "POST /items")
    assert result.status == "passed", evidence(result)
    text = evidence(result)
    assert "valid Prometheus exposition" in text
    assert "metrics mention /items/{item_id}" in text
    assert "metrics mention /items" in text


def test_an_endpoint_absent_from_the_request_metrics_fails(fastapi_url: str) -> None:
    # Requested by the contract gate alone: no endpoints gate to name a root cause.
    result = run(make_config(fastapi_url), changes(("GET /reports",)),
                 names=["health", "contract", "monitoring"])["monitoring"]
    assert result.status == "failed"
    assert "request metrics do not mention /reports" in result.summary


def test_an_endpoint_that_is_not_deployed_fails_the_endpoints_gate_alone(fastapi_url: str) -> None:
    results = run(make_config(fastapi_url), changes(("GET /reports", "GET /items/{item_id}")), names=ALL_PROBES)
    assert results["endpoints"].status == "failed"
    assert "GET /reports" in results["endpoints"].summary and "not deployed" in results["endpoints"].summary
    for name in ("contract", "monitoring"):
        assert results[name].status == "passed", evidence(results[name])
        assert "follows from endpoints: GET /reports is not deployed" in evidence(results[name])


def test_flask_metrics_labelled_with_url_rules_are_understood() -> None:
    with serve_wsgi(flask_app()) as url:
        result = monitoring(url, "GET /items/<int:item_id>", "GET /reports")
    assert result.status == "passed", evidence(result)
    assert "metrics mention /items/<int:item_id>" in evidence(result)


def test_no_metrics_fails() -> None:
    with serve_asgi(fastapi_app(metrics=False)) as url:
        result = monitoring(url)
    assert result.status == "failed"
    assert result.summary == "no metrics: GET /metrics answered 404"


def test_text_that_is_not_exposition_fails() -> None:
    from fastapi import FastAPI
    from fastapi.responses import PlainTextResponse

    app = FastAPI()

    @app.get("/metrics")
    async def metrics() -> PlainTextResponse:
        return PlainTextResponse("requests served: many\n")

    with serve_asgi(app) as url:
        result = run(make_config(url), names=["monitoring"])["monitoring"]
    assert result.status == "failed"
    assert "not valid Prometheus exposition" in result.summary


RULES = """
groups:
  - name: items
    rules:
      - alert: ItemsErrors
        expr: sum(rate(http_requests_total{handler="/items/{item_id}", status=~"5.."}[5m])) > 0
        labels: {severity: page}
      - alert: SearchSlow
        expr: histogram_quantile(0.95, rate(latency_bucket{handler=~"/search.*"}[5m])) > 0.5
      - record: not_an_alert
        expr: sum(rate(http_requests_total{handler="/items"}[5m]))
"""


def test_alert_rules_must_cover_new_endpoints(fastapi_url: str, tmp_path: Path) -> None:
    (tmp_path / "alerts").mkdir()
    (tmp_path / "alerts" / "items.yml").write_text(RULES)
    covered = monitoring(fastapi_url, "GET /items/{item_id}", "GET /search", root=tmp_path,
                         alert_rules=["alerts/*.yml"])
    assert covered.status == "passed", evidence(covered)
    assert "alerts cover /items/{item_id}: ItemsErrors" in evidence(covered)
    uncovered = monitoring(fastapi_url, "GET /items/{item_id}", "POST /items", root=tmp_path,
                           alert_rules=["alerts/*.yml"])
    assert uncovered.status == "failed"
    assert "no alert rule covers POST /items" in evidence(uncovered)  # a recording rule is not an alert


def test_missing_or_broken_alert_rule_files_fail(fastapi_url: str, tmp_path: Path) -> None:
    missing = monitoring(fastapi_url, root=tmp_path, alert_rules=["alerts/*.yml"])
    assert missing.status == "failed" and "no alert-rules file matches alerts/*.yml" in missing.summary
    (tmp_path / "rules.yml").write_text("just: [a, list\n")
    broken = monitoring(fastapi_url, root=tmp_path, alert_rules=["rules.yml"])
    assert broken.status == "failed" and "cannot read as YAML" in broken.summary


def test_rule_mentions_accepts_any_parameter_spelling_and_regexes() -> None:
    endpoint = Endpoint("GET", "/items/{item_id}")
    assert rule_mentions('x{path="/items/<int:id>"}', endpoint)
    assert rule_mentions('x{handler=~"/items/.+"}', endpoint)
    assert not rule_mentions('x{handler="/items"}', endpoint)


def test_prometheus_is_asked_for_recent_samples_of_the_service(fastapi_url: str) -> None:
    from fastapi import FastAPI

    asked: list[str] = []
    series = {"count": "3"}
    prometheus = FastAPI()

    @prometheus.get("/api/v1/query")
    async def query(query: str) -> dict[str, Any]:
        asked.append(query)
        result = [{"metric": {}, "value": [0, series["count"]]}] if series["count"] != "0" else []
        return {"status": "success", "data": {"resultType": "vector", "result": result}}

    with serve_asgi(prometheus) as prom_url:
        flowing = monitoring(fastapi_url, prometheus_url=prom_url, service_name="items-api")
        series["count"] = "0"
        silent = monitoring(fastapi_url, prometheus_url=prom_url, service_name="items-api")
    assert flowing.status == "passed", evidence(flowing)
    assert 'count(count_over_time({job="items-api"}[5m]))' in asked
    assert silent.status == "failed"
    assert 'Prometheus has no samples of {job="items-api"}' in silent.summary


def test_the_prometheus_selector_without_a_service_name_uses_the_host() -> None:
    assert prometheus_selector("https://api.example.com", None) == '{instance=~"api\\\\.example\\\\.com(:[0-9]+)?"}'

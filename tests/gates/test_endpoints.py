"""The endpoints gate against real FastAPI (uvicorn) and Flask (werkzeug) services on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mosaic_hooks.gates.result import GateResult
from tests.support.apps import Toggles, fastapi_app, flask_app, serve_asgi, serve_wsgi, unused_url
from tests.support.gating import changes, evidence, make_config, run


@pytest.fixture(scope="module")
def fastapi_url() -> Iterator[str]:
    with serve_asgi(fastapi_app(Toggles(missing={"/reports"}))) as url:
        yield url


@pytest.fixture(scope="module")
def flask_url() -> Iterator[str]:
    with serve_wsgi(flask_app(Toggles(missing={"/reports"}))) as url:
        yield url


def endpoints_gate(url: str, added: tuple[str, ...] = (), removed: tuple[str, ...] = (), **cfg: object) -> GateResult:
    return run(make_config(url, **cfg), changes(added, removed), names=["endpoints"])["endpoints"]


def test_deployed_endpoints_pass_with_each_status_and_time(fastapi_url: str) -> None:
    result = endpoints_gate(fastapi_url, ("GET /items/{item_id}", "POST /items", "GET /search"))
    assert result.status == "passed", evidence(result)
    text = evidence(result)
    assert "GET /items/{item_id} (/items/1): 200" in text
    assert "POST /items: OPTIONS 405, Allow: POST" in text
    assert "GET /search: 422" in text  # a required query parameter is missing: the route is there
    assert all(e.status is not None for e in result.exchanges)


def test_a_missing_endpoint_fails_and_is_named_with_its_404(fastapi_url: str) -> None:
    result = endpoints_gate(fastapi_url, ("GET /items/{item_id}", "GET /reports"))
    assert result.status == "failed"
    assert "GET /reports: 404, the service's 'no such route' answer: not deployed" in result.summary


def test_a_handler_404_for_the_sample_id_is_not_a_false_alarm(fastapi_url: str) -> None:
    result = endpoints_gate(fastapi_url, ("GET /items/{item_id}",), sample_values={"item_id": "999"})
    assert result.status == "passed", evidence(result)
    assert "(/items/999): 404" in evidence(result)
    assert "the handler's own 404" in evidence(result)


def test_a_handler_404_identical_to_the_router_one_is_settled_by_options(fastapi_url: str) -> None:
    result = endpoints_gate(fastapi_url, ("GET /things/{thing_id}",))
    assert result.status == "passed", evidence(result)
    assert "OPTIONS confirms the route" in evidence(result)


def test_per_route_sample_values_win_over_per_name_ones(fastapi_url: str) -> None:
    result = endpoints_gate(fastapi_url, ("GET /items/{item_id}",),
                            sample_values={"item_id": "999", "/items/{item_id}": {"item_id": "1"}})
    assert "(/items/1): 200" in evidence(result)


def test_a_write_method_not_deployed_on_an_existing_path_fails(fastapi_url: str) -> None:
    # OPTIONS /items/1 answers 405 Allow: GET; PUT is not in the OpenAPI document; an invalid body
    # then gets 405: the PUT route is not deployed.
    result = endpoints_gate(fastapi_url, ("PUT /items/{item_id}",))
    assert result.status == "failed", evidence(result)
    assert "405 to PUT: not deployed" in result.summary
    sent = [(e.method, e.body) for e in result.exchanges]
    assert ("PUT", b"") not in sent and all(m in ("OPTIONS", "PUT") for m, _ in sent)


def test_delete_is_never_sent_so_an_ambiguous_answer_is_undecided(fastapi_url: str) -> None:
    result = endpoints_gate(fastapi_url, ("DELETE /items/{item_id}",))
    assert result.status == "inconclusive", evidence(result)
    assert not [e for e in result.exchanges if e.method == "DELETE"]


def test_excluded_routes_are_skipped_and_listed(fastapi_url: str) -> None:
    result = endpoints_gate(fastapi_url, ("GET /items/{item_id}", "GET /reports"), exclude_routes=["/rep*"])
    assert result.status == "passed"
    assert "excluded by exclude_routes: GET /reports" in evidence(result)
    # The same count as "Changes: 2 endpoints added", and why one was not requested.
    assert result.summary == "1 of the 2 added endpoints answers (1 excluded by exclude_routes)"


def test_counts_agree_in_number(fastapi_url: str) -> None:
    assert endpoints_gate(fastapi_url, ("GET /items/{item_id}",)).summary == "the added endpoint answers"
    assert endpoints_gate(fastapi_url, ("GET /items/{item_id}", "GET /search")).summary == \
        "all 2 added endpoints answer"


def test_only_excluded_routes_means_skipped(fastapi_url: str) -> None:
    result = endpoints_gate(fastapi_url, ("GET /reports",), exclude_routes=["GET *"])
    assert result.status == "skipped"


def test_no_added_endpoint_is_skipped_with_the_reason(fastapi_url: str) -> None:
    result = endpoints_gate(fastapi_url)
    assert result.status == "skipped" and result.summary == "no endpoint added in this range"


def test_removed_endpoints_must_be_gone_when_configured(fastapi_url: str) -> None:
    gone = endpoints_gate(fastapi_url, removed=("GET /reports",), removed_endpoints_must_404=True)
    assert gone.status == "passed", evidence(gone)
    still = endpoints_gate(fastapi_url, removed=("GET /search",), removed_endpoints_must_404=True)
    assert still.status == "failed"
    assert "removed GET /search: still answers 422" in still.summary


def test_removed_endpoints_are_not_requested_by_default(fastapi_url: str) -> None:
    result = endpoints_gate(fastapi_url, ("GET /items/{item_id}",), removed=("GET /search",))
    assert result.status == "passed"
    assert "1 removed endpoint not checked" in evidence(result)


def test_flask_html_404_page_marks_a_missing_route(flask_url: str) -> None:
    result = endpoints_gate(flask_url, ("GET /items/<int:item_id>", "GET /reports", "POST /items"))
    assert result.status == "failed"
    assert "GET /reports: 404" in result.summary
    text = evidence(result)
    assert "GET /items/<int:item_id> (/items/1): 200" in text
    assert "POST /items: OPTIONS 200, Allow: OPTIONS, POST" in text


def test_flask_json_handler_404_is_told_apart_from_the_html_no_route_page(flask_url: str) -> None:
    result = endpoints_gate(flask_url, ("GET /items/{item_id}",), sample_values={"item_id": "5"})
    assert result.status == "passed", evidence(result)
    assert "the handler's own 404" in evidence(result)


def test_flask_route_behind_auth_exists(flask_url: str) -> None:
    result = endpoints_gate(flask_url, ("GET /admin/secret",))
    assert result.status == "passed"
    assert "403" in evidence(result)


def test_any_method_routes_are_probed_with_get(flask_url: str) -> None:
    result = endpoints_gate(flask_url, ("ANY /items/{id}",))
    assert result.status == "passed"
    assert [e.method for e in result.exchanges] == ["GET"]


def test_unreachable_production_is_inconclusive_never_passed() -> None:
    result = endpoints_gate(unused_url(), ("GET /items/{item_id}",))
    assert result.status == "inconclusive"
    assert "no answer" in result.summary

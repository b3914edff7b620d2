"""Learning the service's "no such route" answer, including one that changes on every request."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.gating import changes, evidence, make_config, run


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    """A service whose 404 bodies carry a request id: the same shape for a missing route and a missing item."""
    from fastapi import FastAPI, HTTPException, Request
    from fastapi.responses import JSONResponse
    from starlette.exceptions import HTTPException as StarletteHTTPException

    from tests.support.apps import serve_asgi

    counter = itertools.count()
    app = FastAPI()

    @app.exception_handler(StarletteHTTPException)
    async def with_request_id(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": str(exc.detail), "request_id": f"req-{next(counter)}"},
                            status_code=exc.status_code)

    @app.get("/orders/{order_id}")
    async def order(order_id: int) -> Any:
        raise HTTPException(status_code=404, detail="order not found")

    with serve_asgi(app) as base:
        yield base


def test_a_volatile_404_body_still_tells_a_missing_route(url: str) -> None:
    result = run(make_config(url), changes(["GET /invoices/{id}"]), names=["endpoints"])["endpoints"]
    assert result.status == "failed", evidence(result)
    assert "the service's 'no such route' answer: not deployed" in result.summary


def test_a_volatile_handler_404_of_the_same_shape_is_confirmed_by_options(url: str) -> None:
    result = run(make_config(url), changes(["GET /orders/{order_id}"]), names=["endpoints"])["endpoints"]
    assert result.status == "passed", evidence(result)
    assert "OPTIONS confirms the route" in evidence(result)

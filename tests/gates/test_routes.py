"""Which routes are requested, and with which concrete paths (pure)."""

from __future__ import annotations

from mosaic_hooks.detect.changeset import Endpoint
from mosaic_hooks.gates import routes


def test_parameters_of_every_framework_spelling_share_one_shape() -> None:
    assert routes.shape("/items/{item_id}") == routes.shape("/items/<int:id>") == routes.shape("/items/:id") \
        == "/items/{}"
    assert routes.shape("/files/{p:path}") == "/files/{}"
    assert routes.shape("/") == "/" and routes.shape("/items/") == "/items"


def test_sample_values_per_route_then_per_name_then_a_default() -> None:
    endpoint = Endpoint("GET", "/orgs/{org}/items/{item_id}/{uuid}")
    assert routes.sample_path(endpoint, {}) == f"/orgs/1/items/1/{routes.UUID_SAMPLE}"
    assert routes.sample_path(endpoint, {"org": "acme"}) == f"/orgs/acme/items/1/{routes.UUID_SAMPLE}"
    table = {"org": "acme", "/orgs/{org}/items/{item_id}/{uuid}": {"item_id": 7}}
    assert routes.sample_path(endpoint, table) == f"/orgs/acme/items/7/{routes.UUID_SAMPLE}"
    assert routes.sample_path(endpoint, {"GET /orgs/{org}/items/{item_id}/{uuid}": {"org": "a b/c"}}) \
        == f"/orgs/a%20b%2Fc/items/1/{routes.UUID_SAMPLE}"


def test_exclusion_globs_match_the_path_or_method_and_path() -> None:
    assert routes.is_excluded(Endpoint("GET", "/admin/users"), ["/admin/*"])
    assert routes.is_excluded(Endpoint("DELETE", "/items/{id}"), ["DELETE *"])
    assert not routes.is_excluded(Endpoint("GET", "/items/{id}"), ["DELETE *", "/admin/*"])


def test_a_concrete_path_matches_its_template() -> None:
    assert routes.matches("/items/{id}", "/items/1")
    assert routes.matches("/items/<int:id>", "/items/1?x=2")
    assert not routes.matches("/items/{id}", "/items/1/parts")
    assert routes.matches("/files/{p:path}", "/files/a/b.txt")

"""The one-line summary of what changed, as the terminal report prints it."""

from __future__ import annotations

from mosaic_hooks.detect.changeset import ChangeSet, Endpoint, EndpointChanges
from mosaic_hooks.verification.verify import summarize_changes


def test_counts_say_how_many_added_routes_are_outside_the_schema_and_agree_in_number() -> None:
    added = [Endpoint("GET", "/items"), Endpoint("GET", "/docs", in_schema=False)]
    text = summarize_changes(ChangeSet(base=None, head="h", endpoints=EndpointChanges(added=added)))
    assert text == ("2 endpoints added (1 of them outside the OpenAPI schema by design), 0 removed, "
                    "0 requirements added or changed, 0 migrations added")
    one = summarize_changes(ChangeSet(base=None, head="h", endpoints=EndpointChanges(added=added[:1])))
    assert one.startswith("1 endpoint added, 0 removed")

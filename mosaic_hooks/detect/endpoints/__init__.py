"""HTTP endpoints of a revision and what a change does to them.

Static analysis by default (the user's code is never imported): FastAPI/Starlette, Flask, Django/DRF
and committed OpenAPI documents. `introspect_endpoints` is the opt-in alternative that runs the app.

What `endpoint_changes` reports, keyed by (method, path) exactly as the app's own route list would be:
- added: a (method, path) served at head and not at base; removed: the reverse. A method change on a
  path (PUT -> PATCH) is one removed and one added endpoint, and so is a renamed path parameter
  (`/items/{id}` -> `/items/{item_id}`): the route template differs, both need a smoke test.
- changed: an operation of a committed OpenAPI document whose parameters, request body or responses
  changed while its method and path stayed. Code endpoints are never "changed": static analysis does
  not compare handler signatures, and handler renames, body edits, moving a prefix between APIRouter
  and include_router, or moving a route to another module report nothing at all.
- Endpoints defined in a file that does not parse on the other side are left out of added/removed
  (the file's warning says why) rather than reported as removed or new.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from mosaic_hooks.detect.changeset import Endpoint, EndpointChanges
from mosaic_hooks.detect.endpoint_reuse import routeish
from mosaic_hooks.detect.endpoints.revision import (
    RevisionEndpoints,
    endpoints_of_revision,
    is_python,
    is_relevant,
    is_spec,
)

if TYPE_CHECKING:  # importing this package stays cheap: the interpreter loads when a revision is analysed
    from mosaic_hooks.core import git
    from mosaic_hooks.detect.snapshot import Snapshot

__all__ = ["endpoint_changes", "extract_endpoints", "introspect_endpoints", "is_endpoint_source"]


def is_endpoint_source(path: str) -> bool:
    """Whether a changed path can change endpoints (Python source outside tests/docs, an OpenAPI file)."""
    return is_relevant(path)


@contextmanager
def _no_gc_pauses() -> Iterator[None]:
    """Thousands of kept ASTs make the cyclic GC rescan them over and over (quadratic time). The
    analysis breaks its own reference cycles when it ends (Interpreter.dispose), so nothing piles up."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def extract_endpoints(snapshot: Snapshot) -> tuple[list[Endpoint], list[str]]:
    """Every endpoint of one revision (sorted by path, method) and warnings about what could not be read."""
    from mosaic_hooks.detect.endpoints.parsing import ParseCache

    files = snapshot.read([p for p in snapshot.paths() if is_relevant(p)])
    with _no_gc_pauses():
        result = endpoints_of_revision(files, ParseCache())
    return result.all_endpoints(), result.warnings


def endpoint_changes(base: Snapshot, head: Snapshot, changed: Sequence[str]) -> tuple[EndpointChanges, list[str]]:
    """Endpoints added, removed and changed from `base` to `head`; `changed` = the paths that differ.

    Files not in `changed` are taken to be identical at both revisions: they are read once (from head)
    and parsed once. Warnings concern the changed files only (an old problem is not news).
    """
    changed_set = {p for p in changed if is_relevant(p)}
    if not changed_set:
        return EndpointChanges(), []
    head_files = head.read([p for p in head.paths() if is_relevant(p)])
    base_relevant = [p for p in base.paths() if is_relevant(p)]
    base_files = {p: head_files[p] for p in base_relevant if p not in changed_set and p in head_files}
    base_files.update(base.read([p for p in base_relevant if p not in base_files]))
    with _no_gc_pauses():
        return _changes(base_files, head_files, changed_set)


def _changes(base_files: dict[str, bytes], head_files: dict[str, bytes],
             changed_set: set[str]) -> tuple[EndpointChanges, list[str]]:
    from mosaic_hooks.detect.endpoints.parsing import ParseCache

    cache = ParseCache()
    head_result = endpoints_of_revision(head_files, cache)
    # File warnings about changed files, and warnings about the analysis as a whole.
    warnings = [w for w in head_result.warnings
                if w.split(":", 1)[0] in changed_set or w.split(":", 1)[0] not in head_files]
    for path in sorted(changed_set):
        if is_python(path) and path in head_files and path not in head_result.unparsable:
            error = cache.parse(head_files[path]).error  # a broken file is news even if it holds no route
            if error:
                warnings.append(f"{path}: {error}")
    if not any(is_spec(p) for p in changed_set) and not any(
            is_python(p) and routeish(base_files.get(p, b"")) for p in changed_set) and not (
            changed_set & head_result.probed):
        # No changed file can define a route, and the head analysis read none of them: the base
        # analysis would read the very same files, so it would find the very same endpoints.
        return EndpointChanges(), warnings
    base_result = endpoints_of_revision(base_files, cache)
    return diff(base_result, head_result), warnings


def diff(base: RevisionEndpoints, head: RevisionEndpoints) -> EndpointChanges:
    base_eps = {e.key: e for e in base.all_endpoints()}
    head_eps = {e.key: e for e in head.all_endpoints()}
    added = [e for k, e in head_eps.items() if k not in base_eps and e.file not in base.unparsable]
    removed = [e for k, e in base_eps.items() if k not in head_eps and e.file not in head.unparsable]
    changed: list[Endpoint] = []
    for key, (endpoint, fingerprint) in head.specs.items():
        old_spec = base.specs.get(key)
        if old_spec is not None and old_spec[1] != fingerprint and endpoint not in changed:
            changed.append(endpoint)

    def order(items: list[Endpoint]) -> list[Endpoint]:
        return sorted(items, key=lambda e: (e.path, e.method))

    return EndpointChanges(added=order(added), removed=order(removed), changed=order(changed))


def introspect_endpoints(repo: git.Repo, rev: str, target: str, *, timeout: float) -> list[Endpoint]:
    """Endpoints the app itself reports at `rev`: EXECUTES PROJECT CODE (in a separate process).

    `target` is "MODULE:APP" (e.g. "app.main:app", "flaskr:create_app()", "mysite.wsgi:application").
    Raises IntrospectionError (a MosaicError) when the app cannot be loaded or does not answer in time.
    """
    from mosaic_hooks.detect.endpoints.introspect import introspect

    return introspect(repo, rev, target, timeout=timeout)

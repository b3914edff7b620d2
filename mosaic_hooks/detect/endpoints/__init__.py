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
from pathlib import Path
from typing import TYPE_CHECKING

from mosaic_hooks.detect.changeset import Endpoint, EndpointChanges
from mosaic_hooks.detect.endpoint_reuse import routeish
from mosaic_hooks.detect.endpoints.revision import (
    RevisionEndpoints,
    endpoints_of_revision,
    is_input,
    is_python,
    is_relevant,
    is_spec,
    news_warnings,
)
from mosaic_hooks.detect.project_env import project_site_packages

if TYPE_CHECKING:  # importing this package stays cheap: the interpreter loads when a revision is analysed
    from mosaic_hooks.core import git
    from mosaic_hooks.detect.snapshot import Snapshot

__all__ = ["endpoint_changes", "extract_endpoints", "introspect_endpoints", "is_endpoint_source", "snapshot_root"]


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


def _site_packages(snapshot: Snapshot) -> list[Path]:
    """site-packages of the project's environment, when the snapshot is of a repository's work tree."""
    return project_site_packages(snapshot_root(snapshot))


def snapshot_root(snapshot: object) -> Path | None:
    """The work tree of the repository a snapshot reads (None: bare, or not a repository's snapshot)."""
    inner = getattr(snapshot, "inner", snapshot)
    repo = getattr(inner, "repo", None)
    root = getattr(repo, "root", None)
    return root if isinstance(root, Path) and not getattr(repo, "bare", True) else None


def extract_endpoints(snapshot: Snapshot, site_packages: Sequence[Path] | None = None,
                      ) -> tuple[list[Endpoint], list[str]]:
    """Every endpoint of one revision (sorted by path, method) and warnings about what could not be read.

    `site_packages`: where installed Django apps' sources are read (default: the project's environment)."""
    from mosaic_hooks.detect.endpoints.parsing import ParseCache

    files = snapshot.read([p for p in snapshot.paths() if is_input(p)])
    env = _site_packages(snapshot) if site_packages is None else list(site_packages)
    with _no_gc_pauses():
        result = endpoints_of_revision(files, ParseCache(), env)
    return result.all_endpoints(), result.warnings


def endpoint_changes(base: Snapshot, head: Snapshot, changed: Sequence[str],
                     site_packages: Sequence[Path] | None = None,
                     documents: str = "auto") -> tuple[EndpointChanges, list[str]]:
    """Endpoints added, removed and changed from `base` to `head`; `changed` = the paths that differ;
    `documents`: the `openapi_documents` setting (see `diff`).

    Files not in `changed` are taken to be identical at both revisions: they are read once (from head)
    and parsed once. Warnings concern the changed files only (an old problem is not news).
    """
    changed_set = {p for p in changed if is_relevant(p)}
    if not changed_set:
        return EndpointChanges(), []
    changed_inputs = {p for p in changed if is_input(p)}
    head_files = head.read([p for p in head.paths() if is_input(p)])
    base_inputs = [p for p in base.paths() if is_input(p)]
    base_files = {p: head_files[p] for p in base_inputs if p not in changed_inputs and p in head_files}
    base_files.update(base.read([p for p in base_inputs if p not in base_files]))
    env = _site_packages(head) if site_packages is None else list(site_packages)
    with _no_gc_pauses():
        return _changes(base_files, head_files, changed_set, env,
                        pins_changed=any(not is_relevant(p) for p in changed_inputs), documents=documents)


def _changes(base_files: dict[str, bytes], head_files: dict[str, bytes],
             changed_set: set[str], env: list[Path], *, pins_changed: bool = False,
             documents: str = "auto") -> tuple[EndpointChanges, list[str]]:
    from mosaic_hooks.detect.endpoints.parsing import ParseCache

    cache = ParseCache()
    head_result = endpoints_of_revision(head_files, cache, env)
    warnings = news_warnings(head_result, changed_set, head_files, head_files, cache.parse)
    if not any(is_spec(p) for p in changed_set) and not any(
            is_python(p) and routeish(base_files.get(p, b"")) for p in changed_set) and not (
            changed_set & head_result.probed) and not pins_changed:
        # No changed file can define a route, the head analysis read none of them and Django's pinned
        # version (the admin's layout) is the same: the base
        # analysis would read the very same files, so it would find the very same endpoints.
        return EndpointChanges(), warnings
    base_result = endpoints_of_revision(base_files, cache, env)
    return diff(base_result, head_result, documents), warnings


def diff(base: RevisionEndpoints, head: RevisionEndpoints, documents: str = "auto") -> EndpointChanges:
    """`documents` (the `openapi_documents` setting): "auto" counts OpenAPI documents only where neither
    side's code defines routes (then they are the only source), "always" beside the code, "never" not.
    Applied here, not in the per-revision results: a stored result holds code and documents apart, so
    the cache serves every setting."""
    if documents == "always":
        with_specs = True
    elif documents == "never":
        with_specs = False
    else:
        with_specs = not base.endpoints and not head.endpoints
    base_eps = {e.key: e for e in base.all_endpoints(with_specs)}
    head_eps = {e.key: e for e in head.all_endpoints(with_specs)}
    # Routes in a file that does not parse, or under a route table that could not be followed, on the
    # other side are unknown there: neither added nor removed.
    added = [e for k, e in head_eps.items() if k not in base_eps and e.file not in base.unparsable
             and not _under(e.path, base.unknown_prefixes) and not head.origins.get(k, set()) & base.unknown_sources]
    removed = [e for k, e in base_eps.items() if k not in head_eps and e.file not in head.unparsable
               and not _under(e.path, head.unknown_prefixes) and not base.origins.get(k, set()) & head.unknown_sources]
    changed: list[Endpoint] = []
    for key, (endpoint, fingerprint) in head.specs.items() if with_specs else ():
        old_spec = base.specs.get(key)
        if old_spec is not None and old_spec[1] != fingerprint and endpoint not in changed:
            changed.append(endpoint)

    def order(items: list[Endpoint]) -> list[Endpoint]:
        return sorted(items, key=lambda e: (e.path, e.method))

    return EndpointChanges(added=order(added), removed=order(removed), changed=order(changed))


def _under(path: str, prefixes: set[str]) -> bool:
    return any(path.startswith(prefix) or path == prefix.rstrip("/") for prefix in prefixes)


def introspect_endpoints(repo: git.Repo, rev: str, target: str, *, timeout: float) -> list[Endpoint]:
    """Endpoints the app itself reports at `rev`: EXECUTES PROJECT CODE (in a separate process).

    `target` is "MODULE:APP" (e.g. "app.main:app", "flaskr:create_app()", "mysite.wsgi:application").
    Raises IntrospectionError (a MosaicError) when the app cannot be loaded or does not answer in time.
    """
    from mosaic_hooks.detect.endpoints.introspect import introspect

    return introspect(repo, rev, target, timeout=timeout)

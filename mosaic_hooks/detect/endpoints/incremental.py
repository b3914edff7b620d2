"""Endpoint changes without analysing what did not change.

A revision's endpoints depend only on its endpoint sources (Python files outside tests/docs, OpenAPI
documents), so they are cached (detect/cache.py) under a digest of those files' blob ids. A commit's
base was, moments ago, the previous commit's staged tree: its result is usually there already. The
other side is then derived from it when the change cannot matter to the interpreter:
- a changed Python file the analysis never read, that defines no route on either side and (if added
  or removed) creates or empties no package directory, changes nothing;
- a changed file the analysis did read, whose syntax tree is the same except in function bodies the
  analysis never ran (detect/skeleton.py), changes at most the line numbers, which are mapped;
- a changed OpenAPI document: the documents are parsed again, the code's result is kept.
Anything else is interpreted in full, as without the cache, and then cached.
"""

from __future__ import annotations

import dataclasses
import posixpath
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from mosaic_hooks.detect import endpoint_reuse
from mosaic_hooks.detect.cache import ENDPOINTS, AnalysisCache, analyser_id, endpoints_key, is_key_input
from mosaic_hooks.detect.changeset import Endpoint, EndpointChanges
from mosaic_hooks.detect.endpoint_reuse import routeish
from mosaic_hooks.detect.endpoints.revision import RevisionEndpoints, is_python, is_secondary, is_spec, news_warnings
from mosaic_hooks.detect.project_env import environment_fingerprint

if TYPE_CHECKING:
    from pathlib import Path

    from mosaic_hooks.detect.endpoints.parsing import ParsedFile

Reader = Callable[[Sequence[str]], dict[str, bytes]]


# ----------------------------------------------------------------------------- (de)serialising


def to_json(result: RevisionEndpoints) -> dict[str, object]:
    """Every field of `result` (and of its endpoints) as JSON; `from_json` reads it back."""
    return {
        "endpoints": [endpoint_to_json(e) for e in result.endpoints],
        "specs": [[endpoint_to_json(e), fingerprint] for e, fingerprint in result.specs.values()],
        "warnings": list(result.warnings),
        "unparsable": sorted(result.unparsable),
        "probed": sorted(result.probed),
        "ran_bodies": sorted([list(item) for item in result.ran_bodies]),
        "unknown_prefixes": sorted(result.unknown_prefixes),
        "origins": sorted([method, path, sorted(sources)] for (method, path), sources in result.origins.items()),
        "unknown_sources": sorted(result.unknown_sources),
    }


def from_json(data: Mapping[str, object]) -> RevisionEndpoints | None:
    """The result stored by `to_json`, or None if `data` does not have that shape."""
    try:
        endpoints = [_endpoint(item) for item in _list(data["endpoints"])]
        specs: dict[tuple[str, str], tuple[Endpoint, str]] = {}
        for item in _list(data["specs"]):
            raw, fingerprint = _list(item)
            spec = _endpoint(raw)
            specs[spec.key] = (spec, _str(fingerprint))
        ran: set[tuple[str, int, int]] = set()
        for item in _list(data["ran_bodies"]):
            path, line, column = _list(item)
            ran.add((_str(path), _int(line), _int(column)))
        origins: dict[tuple[str, str], set[str]] = {}
        for item in _list(data["origins"]):
            method, route, sources = _list(item)
            origins[(_str(method), _str(route))] = {_str(s) for s in _list(sources)}
        return RevisionEndpoints(
            endpoints=endpoints, specs=specs, warnings=[_str(w) for w in _list(data["warnings"])],
            unparsable={_str(p) for p in _list(data["unparsable"])},
            probed={_str(p) for p in _list(data["probed"])}, ran_bodies=ran,
            unknown_prefixes={_str(p) for p in _list(data["unknown_prefixes"])}, origins=origins,
            unknown_sources={_str(s) for s in _list(data["unknown_sources"])})
    except (KeyError, TypeError, ValueError):
        return None


def _list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise TypeError("not a list")
    return value


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("not an integer")
    return value


# An Endpoint's fields by name and JSON type: every field is stored (a field missing here fails
# tests/detect/endpoints/test_incremental.py's round trip, so a new one cannot be dropped silently).
_ENDPOINT_TYPES: dict[str, type] = {"str": str, "int": int, "bool": bool}


def endpoint_to_json(e: Endpoint) -> dict[str, object]:
    return {f.name: getattr(e, f.name) for f in dataclasses.fields(Endpoint)}


def _endpoint(value: object) -> Endpoint:
    if not isinstance(value, dict):
        raise TypeError("not an object")
    values: dict[str, object] = {}
    for f in dataclasses.fields(Endpoint):
        item = value[f.name]
        wanted = _ENDPOINT_TYPES.get(str(f.type))
        if wanted is None or type(item) is not wanted:
            raise TypeError(f"{f.name}: not a {f.type}")
        values[f.name] = item
    return Endpoint(**values)  # type: ignore[arg-type]  # each value checked against its field's type


# ----------------------------------------------------------------------------- deriving a side


def derive(result: RevisionEndpoints, before: Mapping[str, bytes], after: Mapping[str, bytes],
           changed: Iterable[str], after_paths: Iterable[str], read_after: Reader,
           parse: Callable[[bytes], ParsedFile]) -> RevisionEndpoints | None:
    """The result for the other revision, from `result` of this one, or None if it must be analysed.

    `before`/`after`: the changed endpoint sources on this side and the other (absent: added/removed);
    `after_paths`: the other side's endpoint sources; `read_after` reads its files (for documents);
    `parse`: the shared ParseCache's parse.
    """
    after_paths = list(after_paths)
    changed = [p for p in changed if p in before or p in after]
    dirs = _package_dirs(p for p in after_paths if is_python(p) and not is_secondary(p) and p not in changed)
    positions: dict[str, dict[tuple[int, int], tuple[int, int]]] = {}
    documents_changed = False
    for path in changed:
        if is_spec(path):
            documents_changed = True
            continue
        if not is_python(path):
            return None  # a dependency file pinning Django: the admin's layout may differ
        old, new = before.get(path), after.get(path)
        if path in result.unparsable:
            return None
        if old is None or new is None:  # added or removed: harmless if nothing could import or route it
            present = new if old is None else old
            assert present is not None
            if path in result.probed or routeish(present) or posixpath.dirname(path) not in dirs:
                return None
            continue
        old_tree, new_tree = parse(old).tree, parse(new).tree
        if old_tree is None or new_tree is None:
            return None
        how = endpoint_reuse.modified_file(path, old, new, result.probed, result.ran_bodies, old_tree, new_tree)
        if how is None:
            return None
        if how != endpoint_reuse.UNREAD:
            assert isinstance(how, dict)
            positions[path] = how
    data = endpoint_reuse.moved(to_json(result), positions) if positions else to_json(result)
    derived = from_json(data) if data is not None else None
    if derived is not None and documents_changed:
        derived = _with_documents(derived, [p for p in after_paths if is_spec(p)], read_after)
    return derived


def _package_dirs(paths: Iterable[str]) -> set[str]:
    """Every directory holding one of `paths`, with its ancestors ("" for the top)."""
    dirs = {""}
    for path in paths:
        parent = posixpath.dirname(path)
        while parent and parent not in dirs:
            dirs.add(parent)
            parent = posixpath.dirname(parent)
    return dirs


def _with_documents(result: RevisionEndpoints, documents: list[str], read: Reader) -> RevisionEndpoints:
    """`result` with its OpenAPI part made again from the documents (the code's part is kept)."""
    from mosaic_hooks.detect.endpoints.revision import documents_of_revision

    found = documents_of_revision(read(documents))
    code_warnings = [w for w in result.warnings if not is_spec(w.split(":", 1)[0])]
    return dataclasses.replace(
        result, specs=found.specs, warnings=code_warnings + found.warnings,
        unparsable={p for p in result.unparsable if not is_spec(p)} | found.unparsable)


# ----------------------------------------------------------------------------- a range


def endpoint_changes(store: AnalysisCache, base_ids: Mapping[str, str], head_ids: Mapping[str, str],
                     read_base: Reader, read_head: Reader, changed: Sequence[str],
                     site_packages: Sequence[Path] = (), documents: str = "auto",
                     ) -> tuple[EndpointChanges, list[str]]:
    """What `endpoints.endpoint_changes` answers, from the cache where it can.

    `base_ids`/`head_ids`: path -> blob id of each revision's files; `read_*` read files of it;
    `site_packages`: the project environment's (installed Django apps), part of the key by its fingerprint.
    `documents`: the `openapi_documents` setting, applied by `diff` only: a stored revision result keeps
    its code's and its documents' endpoints apart, so it is valid under every setting (not in the key).
    A change to relevant files starts the analysis (`is_relevant`); it reads, and its result depends on,
    the inputs (`is_input`: also the dependency files pinning Django's version).
    """
    from mosaic_hooks.detect.endpoints import _no_gc_pauses, diff
    from mosaic_hooks.detect.endpoints.parsing import ParseCache
    from mosaic_hooks.detect.endpoints.revision import endpoints_of_revision, is_input, is_relevant

    all_base_ids, all_head_ids = base_ids, head_ids
    base_ids = {p: oid for p, oid in base_ids.items() if is_key_input(p) and is_input(p)}
    head_ids = {p: oid for p, oid in head_ids.items() if is_key_input(p) and is_input(p)}
    changed_set = {p for p in changed if is_relevant(p)}
    if not changed_set:
        return EndpointChanges(), []
    changed_inputs = {p for p in changed if is_input(p)}
    analyser = analyser_id()
    environment = environment_fingerprint(site_packages)
    base_key = endpoints_key(dict(all_base_ids), analyser, environment)
    head_key = endpoints_key(dict(all_head_ids), analyser, environment)
    base_result, head_result = _load(store, base_key), _load(store, head_key)
    before = read_base(sorted(p for p in changed_inputs if p in base_ids))
    after = read_head(sorted(p for p in changed_inputs if p in head_ids))
    cache = ParseCache()

    def full(ids: Mapping[str, str], read: Reader, other_ids: Mapping[str, str], other: Reader) -> RevisionEndpoints:
        # Files identical on the other side are read from it (already read, or read once for both).
        same = [p for p, oid in ids.items() if other_ids.get(p) == oid]
        files = other(same)
        files.update(read([p for p in ids if p not in files]))
        return endpoints_of_revision(files, cache, site_packages)

    with _no_gc_pauses():
        if base_result is None and head_result is None:
            head_result = full(head_ids, read_head, base_ids, read_base)
            _save(store, head_key, head_result)
        if head_result is None:
            assert base_result is not None
            head_result = derive(base_result, before, after, changed_inputs, head_ids, read_head, cache.parse) \
                or full(head_ids, read_head, base_ids, read_base)
            _save(store, head_key, head_result)
        if base_result is None:
            base_result = derive(head_result, after, before, changed_inputs, base_ids, read_base, cache.parse) \
                or full(base_ids, read_base, head_ids, read_head)
            _save(store, base_key, base_result)
    warnings = news_warnings(head_result, changed_set, head_ids, after, cache.parse)
    return diff(base_result, head_result, documents), warnings


def _load(store: AnalysisCache, key: str) -> RevisionEndpoints | None:
    data = store.get(ENDPOINTS, key)
    return from_json(data) if data is not None else None


def _save(store: AnalysisCache, key: str, result: RevisionEndpoints) -> None:
    store.put(ENDPOINTS, key, to_json(result))

"""Which routes the gates request, and with which concrete paths. Pure: no I/O.

Shared by the endpoints, contract, errors and monitoring gates, so that they all speak of the same
concrete request for an endpoint (and the shared GET cache sends it once).
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Iterable, Mapping
from typing import Any

from mosaic_hooks.detect.changeset import Endpoint

# {name}, {name:converter} (Starlette), <name>, <conv:name> (Flask/Werkzeug), :name (Express style)
_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::[^}]*)?\}|<(?:[A-Za-z_][A-Za-z0-9_]*(?:\([^)]*\))?:)?"
                    r"([A-Za-z_][A-Za-z0-9_]*)>|(?<=/):([A-Za-z_][A-Za-z0-9_]*)")
UUID_SAMPLE = "00000000-0000-4000-8000-000000000001"


@functools.lru_cache(maxsize=8192)
def shape(path: str) -> str:
    """The path with every parameter written `{}`: `/items/{id}` and `/items/<int:item_id>` have one shape."""
    normal = _PARAM.sub("{}", path)
    return normal.rstrip("/") or "/"


def is_excluded(endpoint: Endpoint, patterns: Iterable[str]) -> bool:
    """`exclude_routes` globs match the path (`/admin/*`) or `METHOD /path` (`DELETE *`)."""
    labels = (endpoint.path, f"{endpoint.method} {endpoint.path}")
    return any(fnmatch.fnmatchcase(label, pattern) for pattern in patterns for label in labels)


def default_sample(name: str) -> str:
    lowered = name.lower()
    if "uuid" in lowered or lowered == "guid":
        return UUID_SAMPLE
    return "1"


def sample_path(endpoint: Endpoint, sample_values: Mapping[str, Any]) -> str:
    """The concrete path requested for `endpoint`: parameters filled per route, per name, else a default.

    `sample_values` is the config table: `{"id": "7"}` (per name) and/or
    `{"/items/{id}": {"id": "7"}}` / `{"GET /items/{id}": {...}}` (per route, which wins).
    """
    per_route: Mapping[str, Any] = {}
    for key in (f"{endpoint.method} {endpoint.path}", endpoint.path):
        table = sample_values.get(key)
        if isinstance(table, Mapping):
            per_route = table
            break

    def fill(match: re.Match[str]) -> str:
        name = next(g for g in match.groups() if g)
        for source in (per_route, sample_values):
            value = source.get(name)
            if value is not None and not isinstance(value, Mapping):
                return _quote(str(value))
        return default_sample(name)

    return _PARAM.sub(fill, endpoint.path)


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def matches(template: str, concrete: str) -> bool:
    """Whether the concrete path `/items/1` is one of `template`'s (`/items/{id}`, `/items/<int:id>`)."""
    concrete = concrete.split("?", 1)[0].rstrip("/") or "/"
    return _template_regex(template).fullmatch(concrete) is not None


@functools.lru_cache(maxsize=4096)
def _template_regex(template: str) -> re.Pattern[str]:
    pattern, pos = [], 0
    template = template.rstrip("/") or "/"
    for match in _PARAM.finditer(template):
        pattern.append(re.escape(template[pos:match.start()]))
        pattern.append(".+" if ":path" in match.group(0) else "[^/]+")
        pos = match.end()
    pattern.append(re.escape(template[pos:]))
    return re.compile("".join(pattern))


def endpoint_label(endpoint: Endpoint) -> str:
    return f"{endpoint.method} {endpoint.path}"

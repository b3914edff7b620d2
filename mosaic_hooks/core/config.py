"""The effective configuration: defaults, `[tool.mosaic]` / `.mosaic/config.toml`, then environment.

Each value remembers where it came from, so `mosaic-hooks config` can say so. Secrets (the Render
API key, the probe token, the database URL) come from the environment only: a file is committed,
and a secret in a commit is a leak.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from mosaic_hooks.core.errors import ConfigError
from mosaic_hooks.core.redact import redact_url

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover (Python 3.10)
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]


Kind = Literal["str", "url", "path", "number", "seconds", "int", "bool", "list", "table"]
# When committed OpenAPI documents are a source of endpoints (detect/endpoints `diff`).
OPENAPI_DOCUMENT_MODES = ("auto", "always", "never")
SampleValues = Mapping[str, "str | Mapping[str, str]"]


@dataclass(frozen=True)
class Key:
    """One configuration key: its row in `mosaic-hooks config` and how a raw value is checked."""

    name: str
    kind: Kind
    default: object
    doc: str
    env: str | None = None
    env_only: bool = False
    secret: bool = False


def _key(kind: Kind, default: object, doc: str, *, env: str | None = None, env_only: bool = False,
          secret: bool = False) -> Any:
    # The key's row lives in the field's metadata, so the typed field and its row are written once.
    meta = {"key": (kind, doc, env, env_only, secret, default)}
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True, kw_only=True)
class Config:
    """The effective configuration: one typed attribute per key, plus where each value came from."""

    backend_url: str | None = _key("url", None, "Base URL of the deployed service.", env="BACKEND_URL")
    render_service_id: str | None = _key("str", None, "Render service id (srv-...).", env="RENDER_SERVICE_ID")
    render_api_url: str = _key("url", "https://api.render.com/v1", "Render API base URL.",
                               env="MOSAIC_RENDER_API_URL")
    render_api_key: str | None = _key("str", None, "Render API key.", env="RENDER_API_KEY", env_only=True,
                                      secret=True)
    database_url: str | None = _key("str", None, "Production database, for the migrations check.",
                                    env="DATABASE_URL", env_only=True, secret=True)
    probe_token: str | None = _key("str", None, "Shared token of the mosaic_hooks.probe endpoint.",
                                   env="MOSAIC_PROBE_TOKEN", env_only=True, secret=True)
    health_path: str = _key("path", "/health", "Health check path.")
    version_path: str = _key("path", "/version", "Path that reports the serving commit (used without an API key).")
    metrics_path: str = _key("path", "/metrics", "Prometheus metrics path.")
    openapi_path: str = _key("path", "/openapi.json", "OpenAPI document path.")
    probe_path: str | None = _key("path", None,
                                  "Path of the mosaic_hooks.probe status endpoint, if the service has one.")
    p95_limit_ms: float = _key("number", 500, "Health check P95 latency limit, in milliseconds.")
    health_samples: int = _key("int", 20, "Health check samples taken for the latency percentiles.")
    history_dir: str = _key("str", ".mosaic", "Where deployment_history.jsonl and dora_metrics.json live.")
    service_name: str | None = _key("str", None, "Service name recorded in the history (default: the service id).")
    wait_timeout: float = _key("number", 1200, "Seconds `wait` and `verify` wait for the deploy.")
    push_wait_timeout: float = _key("number", 300, "Seconds the pre-push stage waits for a deploy in progress.")
    crash_watch_s: float = _key("seconds", 60, "Seconds after a deploy went live that `verify` watches the service's "
                                "events for crashes before its verdict (0: only what happened so far).")
    push_crash_watch_s: float = _key("seconds", 10, "The same watch in the pre-push production check (shorter: a "
                                     "push waits on it).")
    rollback_on_failure: bool = _key("bool", False, "When a verification fails, roll the service back to its last "
                                     "deploy that passed verification (also `verify --rollback`).")
    poll_interval: float = _key("number", 10, "Seconds between polls of Render or the version endpoint.")
    request_timeout: float = _key("number", 10, "Seconds one HTTP request may take.")
    gate_timeout: float = _key("number", 120, "Seconds all the production checks together may take.")
    exclude_routes: list[str] = _key("list", [], "Glob patterns of routes never requested (e.g. '/admin/*').")
    sample_values: SampleValues = _key(
        "table", {}, "Values for path parameters: 'name = value', or a table per route "
        "'\"/items/{id}\" = {id = \"7\"}'.")
    removed_endpoints_must_404: bool = _key("bool", False, "Require removed endpoints to answer 404 or 410.")
    inconclusive_blocks: bool = _key("bool", True, "An undecided check (unreachable, timed out) blocks.")
    prometheus_url: str | None = _key("url", None, "Prometheus server asked for samples of the service.")
    alert_rules: list[str] = _key("list", [], "Globs of alert-rule files that must cover new endpoints.")
    gates: Mapping[str, bool] = _key(
        "table", {}, "Production gates switched off: '[tool.mosaic.gates]' with 'monitoring = false' "
        "(a gate name = false).")
    verify_after_push: bool | None = _key(
        "bool", None, "Verify each push in the background once it lands (not set: on when backend_url is set).",
        env="MOSAIC_VERIFY_AFTER_PUSH")
    push_land_timeout: float = _key("number", 120,
                                    "Seconds the background verification waits for a push to reach the remote.")
    desktop_notify: bool = _key("bool", True, "Announce background verification results with a desktop notification.")
    python: str | None = _key(
        "str", None, "The project's Python interpreter (or virtualenv) the local checks judge requirements "
        "against; default: VIRTUAL_ENV, then .venv/venv, then uv's or Poetry's environment.", env="MOSAIC_PYTHON")
    openapi_documents: str = _key(
        "str", "auto", "Committed OpenAPI documents as a source of endpoints: \"auto\" only when no code defines "
        "routes, \"always\" beside the code's routes, \"never\".", env="MOSAIC_OPENAPI_DOCUMENTS")
    deploy_branch: str | None = _key(
        "str", None, "The branch the service deploys; default: the Render service's branch, else the "
        "remote's HEAD.", env="MOSAIC_DEPLOY_BRANCH")
    reuse_pass_for: float = _key("number", 15, "Minutes a recorded pass of the serving commit is reused "
                                 "before pushing (one health request is still made).")
    dev_paths: list[str] = _key("list", [], "Globs of development-only code (besides tests/, test_*.py, "
                                "conftest.py), judged against the development requirements.")

    sources: Mapping[str, str] = field(default_factory=dict, compare=False)
    # `[tool.mosaic.services.<name>]`: per-service values, checked against the same keys; see services()
    service_tables: Mapping[str, Mapping[str, object]] = field(default_factory=dict, compare=False)
    root: Path | None = None
    files: tuple[Path, ...] = ()

    @property
    def values(self) -> dict[str, object]:
        return {key.name: getattr(self, key.name) for key in KEYS}

    def get(self, name: str) -> object:
        if name not in KEYS_BY_NAME:
            raise KeyError(name)
        return getattr(self, name)

    def replace(self, **changes: object) -> Config:
        """A copy with some values changed (tests and per-service views); values are not re-checked."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def services(self) -> list[tuple[str | None, Config]]:
        """(name, configuration) of each configured service. With `[tool.mosaic.services.<name>]` tables
        (`<name>` = the service's name in render.yaml), one view per table: the top-level values with the
        table's on top (a table's value beats the environment's too: it is the more specific), and
        `service_name` = `<name>` unless the table sets it. Without tables, the one service of the
        top-level keys."""
        if not self.service_tables:
            return [(self.service_name or self.render_service_id, self)]
        views: list[tuple[str | None, Config]] = []
        for name, table in self.service_tables.items():
            values: dict[str, object] = {"service_name": name, **table}
            sources = {**self.sources, **{key: f"[services.{name}]" for key in table}}
            view = dataclasses.replace(self, **values, sources=sources, service_tables={})  # type: ignore[arg-type]
            views.append((name, view))
        return views

    @property
    def recorded_service(self) -> str | None:
        """The service the history records name: service_name, else the Render service id. A record without
        a service (written before either was set) belongs to it."""
        return self.service_name or self.render_service_id or None

    @property
    def history_path(self) -> Path:
        base = Path(self.history_dir)
        if not base.is_absolute() and self.root is not None:
            base = self.root / base
        return base

    def describe(self) -> list[tuple[str, str, str]]:
        """(key, shown value, source) rows, secrets redacted."""
        rows = []
        for key in KEYS:
            value = getattr(self, key.name)
            if value is None:
                shown = "(not set)"
            elif key.name == "database_url":
                shown = redact_url(str(value))
            elif key.secret:
                shown = "(set, redacted)"
            else:
                shown = repr(value) if not isinstance(value, str) else value
            rows.append((key.name, shown, self.sources.get(key.name, "default")))
        return rows


def _keys() -> tuple[Key, ...]:
    rows = []
    for f in dataclasses.fields(Config):
        if "key" in f.metadata:
            kind, doc, env, env_only, secret, default = f.metadata["key"]
            rows.append(Key(f.name, kind, default, doc, env=env, env_only=env_only, secret=secret))
    return tuple(rows)


KEYS: tuple[Key, ...] = _keys()
KEYS_BY_NAME = {key.name: key for key in KEYS}


def _type_error(where: str, key: Key, value: Any) -> ConfigError:
    expected = {
        "str": "a string", "url": "an http(s) URL", "path": "a path starting with '/'",
        "number": "a number", "seconds": "a number of seconds (0 or more)", "int": "a whole number",
        "bool": "true or false",
        "list": "a list of strings", "table": "a table",
    }[key.kind]
    hint = f"e.g. {key.name} = {_example(key)}"
    if key.name == "metrics_path" and value == "":
        hint = "a service without metrics: switch the gate off with [tool.mosaic.gates] monitoring = false"
    return ConfigError(f"{where}: '{key.name}' must be {expected}, got {value!r}", hint=hint)


def _example(key: Key) -> str:
    if key.default is None:
        return {"url": '"https://example.onrender.com"', "path": '"/status"', "bool": "true"}.get(key.kind, '"..."')
    if isinstance(key.default, bool):
        return "true" if key.default else "false"
    if isinstance(key.default, str):
        return f'"{key.default}"'
    if isinstance(key.default, list):
        return '["..."]'
    if isinstance(key.default, dict):
        return "{}"
    return str(key.default)


def coerce(key: Key, value: Any, where: str) -> Any:
    """Check (and for environment strings, convert) one value; raise ConfigError naming `where`."""
    from_env = where.startswith("environment")
    kind = key.kind
    if kind in ("str", "url", "path"):
        if not isinstance(value, str):
            raise _type_error(where, key, value)
        if "\x00" in value:
            raise ConfigError(f"{where}: '{key.name}' contains a NUL character", hint="remove it")
        if kind == "url" and not (value.startswith(("http://", "https://")) and _has_host(value)):
            raise _type_error(where, key, value)
        if kind == "path" and not value.startswith("/"):
            raise _type_error(where, key, value)
        if key.name == "openapi_documents" and value not in OPENAPI_DOCUMENT_MODES:
            raise ConfigError(f"{where}: 'openapi_documents' must be one of "
                              f"{', '.join(map(repr, OPENAPI_DOCUMENT_MODES))}, got {value!r}",
                              hint='e.g. openapi_documents = "always"')
        return value.rstrip("/") if kind == "url" else value
    if kind in ("number", "seconds", "int"):
        if from_env and isinstance(value, str):
            try:
                value = float(value) if kind != "int" else int(value)
            except ValueError:
                raise _type_error(where, key, value) from None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _type_error(where, key, value)
        if kind == "int" and not isinstance(value, int):
            raise _type_error(where, key, value)
        if kind == "seconds" and math.isfinite(value) and value >= 0:
            return value
        if not math.isfinite(value) or value <= 0:
            raise ConfigError(f"{where}: '{key.name}' must be a finite number greater than 0, got {value!r}")
        return value
    if kind == "bool":
        if from_env and isinstance(value, str):
            lowered = value.strip().lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
        if not isinstance(value, bool):
            raise _type_error(where, key, value)
        return value
    if kind == "list":
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise _type_error(where, key, value)
        return list(value)
    if kind == "table":
        if not isinstance(value, dict):
            raise _type_error(where, key, value)
        if key.name == "gates":
            _check_gate_switches(value, where)
        return value
    raise AssertionError(kind)  # pragma: no cover


def _check_gate_switches(table: Mapping[str, Any], where: str) -> None:
    from mosaic_hooks.core.gate_names import GATE_NAMES

    for name, value in table.items():
        if name not in GATE_NAMES:
            close = difflib.get_close_matches(name, GATE_NAMES, n=1)
            raise ConfigError(f"{where}: [gates] names no gate {name!r}",
                              hint=(f"did you mean '{close[0]}'? " if close else "")
                              + f"gates: {', '.join(GATE_NAMES)}")
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: [gates] {name} must be true or false, got {value!r}",
                              hint=f"e.g. {name} = false")


def _has_host(url: str) -> bool:
    from urllib.parse import urlsplit

    try:
        return bool(urlsplit(url).hostname)
    except ValueError:
        return False


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})",
                          hint="save the file as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        data: dict[str, Any] = tomllib.loads(text)
        return data
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}", hint="fix the syntax at that line") from None
    except RecursionError:  # tomllib recurses once per nesting level
        raise ConfigError(f"{path}: invalid TOML: nested too deeply", hint="flatten the nested values") from None


def _check_services(services: object, where: str) -> dict[str, dict[str, Any]]:
    """`[tool.mosaic.services.<name>]` tables, each checked like the top level (no nesting)."""
    if not isinstance(services, dict) or not all(isinstance(t, dict) for t in services.values()):
        raise ConfigError(f"{where}: 'services' must hold one table per service",
                          hint="e.g. [tool.mosaic.services.api] with render_service_id = \"srv-...\"")
    checked = {}
    for name, table in services.items():
        if "services" in table:
            raise ConfigError(f"{where} [services.{name}]: services cannot be nested")
        checked[name] = _check_table(table, f"{where} [services.{name}]")
    return checked


def _check_table(table: Mapping[str, Any], where: str) -> dict[str, Any]:
    checked = {}
    for name, value in table.items():
        key = KEYS_BY_NAME.get(name)
        if key is None:
            close = difflib.get_close_matches(name, KEYS_BY_NAME, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "see `mosaic-hooks config` for the keys"
            raise ConfigError(f"{where}: unknown key {name!r}", hint=hint)
        if key.env_only:
            raise ConfigError(f"{where}: '{name}' is a secret and is read only from the environment",
                              hint=f"remove it from the file and set {key.env}")
        checked[name] = coerce(key, value, f"{where}")
    return checked


def file_layers(root: Path) -> list[tuple[str, Path, dict[str, Any]]]:
    """The config tables found under `root`, lowest precedence first."""
    layers = []
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        data = _read_toml(pyproject)
        tool = data.get("tool", {})
        table = tool.get("mosaic") if isinstance(tool, dict) else None
        if table is not None:
            if not isinstance(table, dict):
                raise ConfigError(f"{pyproject}: [tool.mosaic] must be a table")
            layers.append((f"{pyproject.name} [tool.mosaic]", pyproject, table))
    own = root / ".mosaic" / "config.toml"
    if own.is_file():
        layers.append((".mosaic/config.toml", own, _read_toml(own)))
    return layers


def load(root: Path | None, env: Mapping[str, str] | None = None) -> Config:
    env = os.environ if env is None else env
    values: dict[str, object] = {}
    sources = {key.name: "default" for key in KEYS}
    files: list[Path] = []
    service_tables: dict[str, dict[str, Any]] = {}
    if root is not None:
        for label, path, table in file_layers(root):
            table = dict(table)
            if "services" in table:
                for service, values in _check_services(table.pop("services"), str(path)).items():
                    service_tables.setdefault(service, {}).update(values)
            for name, value in _check_table(table, str(path)).items():
                values[name] = value
                sources[name] = label
            files.append(path)
    for key in KEYS:
        if key.env and (raw := env.get(key.env)):
            values[key.name] = coerce(key, raw, f"environment {key.env}") if not key.secret else raw
            sources[key.name] = f"env {key.env}"
    return Config(**values, sources=sources, root=root, files=tuple(files),  # type: ignore[arg-type]
                  service_tables=service_tables)

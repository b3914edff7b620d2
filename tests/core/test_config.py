"""The configuration: defaults, files, environment, and one clear line for a broken file."""

from __future__ import annotations

import collections.abc
import types
import typing
from pathlib import Path

import pytest

from mosaic_hooks.core import config
from mosaic_hooks.core.errors import ConfigError


def test_defaults_follow_the_standard(tmp_path: Path) -> None:
    cfg = config.load(tmp_path, env={})
    assert cfg.health_path == "/health"
    assert cfg.version_path == "/version"
    assert cfg.metrics_path == "/metrics"
    assert cfg.openapi_path == "/openapi.json"
    assert cfg.p95_limit_ms == 500
    assert cfg.render_api_url == "https://api.render.com/v1"
    assert cfg.history_path == tmp_path / ".mosaic"
    assert cfg.sources["health_path"] == "default"


def test_pyproject_table_then_own_file_then_environment(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.mosaic]\nhealth_path = "/healthz"\np95_limit_ms = 300\n')
    (tmp_path / ".mosaic").mkdir()
    (tmp_path / ".mosaic" / "config.toml").write_text("p95_limit_ms = 250\n")
    cfg = config.load(tmp_path, env={"BACKEND_URL": "http://127.0.0.1:9/", "RENDER_SERVICE_ID": "srv-1"})
    assert cfg.health_path == "/healthz"
    assert cfg.sources["health_path"] == "pyproject.toml [tool.mosaic]"
    assert cfg.p95_limit_ms == 250
    assert cfg.sources["p95_limit_ms"] == ".mosaic/config.toml"
    assert cfg.backend_url == "http://127.0.0.1:9"
    assert cfg.sources["backend_url"] == "env BACKEND_URL"
    assert cfg.render_service_id == "srv-1"


def test_unknown_key_names_the_nearest_valid_one(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.mosaic]\np95_limt_ms = 300\n")
    with pytest.raises(ConfigError) as info:
        config.load(tmp_path, env={})
    assert "unknown key 'p95_limt_ms'" in info.value.line()
    assert "did you mean 'p95_limit_ms'?" in info.value.line()
    assert "pyproject.toml" in info.value.line()


def test_wrong_type_names_key_and_expected_type(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.mosaic]\np95_limit_ms = "fast"\n')
    with pytest.raises(ConfigError, match="'p95_limit_ms' must be a number, got 'fast'"):
        config.load(tmp_path, env={})


def test_toml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.mosaic]\nhealth_path = \n")
    with pytest.raises(ConfigError, match=r"pyproject.toml: invalid TOML: .*line 2"):
        config.load(tmp_path, env={})


def test_secrets_are_refused_in_files(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.mosaic]\nrender_api_key = "rnd_x"\n')
    with pytest.raises(ConfigError, match="read only from the environment"):
        config.load(tmp_path, env={})


def test_describe_redacts_secrets(tmp_path: Path) -> None:
    cfg = config.load(tmp_path, env={"RENDER_API_KEY": "rnd_supersecret",
                                    "DATABASE_URL": "postgres://app:hunter22@db/prod"})
    shown = " ".join(value for _, value, _ in cfg.describe())
    assert "rnd_supersecret" not in shown
    assert "hunter22" not in shown
    assert "postgres://app:***@db/prod" in shown


def test_bad_environment_value_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="environment BACKEND_URL: 'backend_url' must be an http"):
        config.load(tmp_path, env={"BACKEND_URL": "ftp://nope"})


def test_every_key_is_a_typed_attribute_and_a_misspelt_one_is_not(tmp_path: Path) -> None:
    cfg = config.load(tmp_path, {"BACKEND_URL": "http://127.0.0.1:9"})
    hints = typing.get_type_hints(config.Config)
    kinds = {"str": str, "url": str, "path": str, "number": float, "seconds": float, "int": int, "bool": bool,
             "list": list, "table": collections.abc.Mapping}
    for key in config.KEYS:
        annotation = hints[key.name]
        union = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else (annotation,)
        allowed = {typing.get_origin(arg) or arg for arg in union}
        assert kinds[key.kind] in allowed, (key.name, annotation)
        assert cfg.get(key.name) == getattr(cfg, key.name)
    assert cfg.backend_url == "http://127.0.0.1:9"
    with pytest.raises(AttributeError):
        cfg.backend_ulr  # type: ignore[attr-defined]  # noqa: B018


def test_replace_gives_a_changed_copy_and_keeps_the_sources(tmp_path: Path) -> None:
    cfg = config.load(tmp_path, {"BACKEND_URL": "http://127.0.0.1:9"})
    changed = cfg.replace(backend_url=None, request_timeout=3)
    assert (changed.backend_url, changed.request_timeout) == (None, 3)
    assert cfg.backend_url == "http://127.0.0.1:9"
    assert changed.sources["backend_url"] == "env BACKEND_URL"

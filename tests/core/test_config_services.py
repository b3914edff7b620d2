"""Several services in one repository: `[tool.mosaic.services.<name>]` tables, each a typed Config view
checked against the same key table; one service keeps the top-level keys. And the crash-watch keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from mosaic_hooks.core import config
from mosaic_hooks.core.errors import ConfigError

PYPROJECT = '''[tool.mosaic]
backend_url = "https://shop.example.com"
health_samples = 5

[tool.mosaic.services.api]
render_service_id = "srv-api"
backend_url = "https://api.example.com"
crash_watch_s = 120

[tool.mosaic.services.worker-web]
render_service_id = "srv-web"
health_path = "/healthz"
'''


def write(root: Path, text: str) -> Path:
    (root / "pyproject.toml").write_text(text)
    return root


def test_each_service_table_is_a_view_over_the_top_level_keys(tmp_path: Path) -> None:
    cfg = config.load(write(tmp_path, PYPROJECT), env={"RENDER_SERVICE_ID": "srv-from-env"})
    views = dict(cfg.services())
    assert list(views) == ["api", "worker-web"]
    api, web = views["api"], views["worker-web"]
    assert (api.render_service_id, api.backend_url, api.crash_watch_s) == ("srv-api", "https://api.example.com", 120)
    assert (web.render_service_id, web.backend_url, web.health_path) == ("srv-web", "https://shop.example.com",
                                                                         "/healthz")
    assert api.health_samples == web.health_samples == 5  # not in the tables: the top level's
    assert api.service_name == "api" and web.service_name == "worker-web"  # history names the service
    assert api.sources["backend_url"] == "[services.api]" and api.services() == [("api", api)]


def test_one_service_keeps_the_top_level_keys(tmp_path: Path) -> None:
    cfg = config.load(write(tmp_path, '[tool.mosaic]\nrender_service_id = "srv-1"\n'), env={})
    assert cfg.services() == [("srv-1", cfg)]


@pytest.mark.parametrize(("table", "message"), [
    ('[tool.mosaic.services.api]\nbackend_ulr = "https://x.example.com"\n', "unknown key 'backend_ulr'"),
    ('[tool.mosaic.services.api]\ncrash_watch_s = -1\n', "'crash_watch_s' must be"),
    ('[tool.mosaic]\nservices = "api"\n', "'services' must hold one table per service"),
    ('[tool.mosaic.services.api.services.x]\nhealth_path = "/h"\n', "services cannot be nested"),
])
def test_bad_service_tables_get_one_clear_line(tmp_path: Path, table: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")) as caught:
        config.load(write(tmp_path, table), env={})
    assert "[services.api]" in caught.value.line() or "services" in caught.value.line()


def test_crash_watch_accepts_zero_and_defaults_to_a_minute(tmp_path: Path) -> None:
    assert config.load(write(tmp_path, "[tool.mosaic]\n"), env={}).crash_watch_s == 60
    cfg = config.load(write(tmp_path, "[tool.mosaic]\ncrash_watch_s = 0\npush_crash_watch_s = 2.5\n"), env={})
    assert (cfg.crash_watch_s, cfg.push_crash_watch_s, cfg.rollback_on_failure) == (0, 2.5, False)


def test_the_config_command_lists_each_services_own_values(tmp_path: Path) -> None:
    from tests.conftest import git, run_cli

    write(tmp_path, PYPROJECT)
    git(tmp_path, "init", "-q")
    proc = run_cli("config", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "services.api.backend_url  https://api.example.com  ([services.api])" in proc.stdout
    assert "services.worker-web.health_path  /healthz  ([services.worker-web])" in proc.stdout

"""Which services a push makes Render deploy: render.yaml's rootDir, build filters (ignored wins) and
autoDeployTrigger, joined to the configured `[tool.mosaic.services.<name>]` tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from mosaic_hooks.core import config
from mosaic_hooks.core.errors import ConfigError
from mosaic_hooks.render.blueprint import glob_match, load, parse, services_deployed_by, will_deploy

BLUEPRINT = """
services:
  - type: web
    name: api
    runtime: python
    rootDir: api
    buildFilter:
      paths: ["api/**", "shared/**"]
      ignoredPaths: ["api/docs/**", "**/*.md"]
    healthCheckPath: /health
  - type: web
    name: web
    runtime: node
    rootDir: web
  - type: worker
    name: jobs
    autoDeployTrigger: "off"
"""


@pytest.mark.parametrize(("path", "pattern", "expected"), [
    ("api/app.py", "api/**", True),
    ("api/v1/routes/items.py", "api/**", True),
    ("web/app.js", "api/**", False),
    ("docs/readme.md", "**/*.md", True),
    ("readme.md", "**/*.md", True),
    ("api/app.py", "api/*.py", True),
    ("api/app.pyc", "api/*.py", False),
    ("api/docs/a.txt", "api/docs", True),  # a directory: everything under it
])
def test_globs(path: str, pattern: str, expected: bool) -> None:
    assert glob_match(path, pattern) is expected


@pytest.mark.parametrize(("changed", "deploys", "why"), [
    (["api/app.py"], True, "changed: api/app.py"),
    (["web/index.js"], False, "nothing changed under its rootDir api/"),
    (["api/docs/guide.txt"], False, "ignoredPaths"),
    (["api/README.md", "api/docs/x"], False, "ignoredPaths"),
    (["api/README.md", "api/app.py"], True, "changed: api/app.py"),
])
def test_root_dir_and_build_filters_with_ignored_winning(changed: list[str], deploys: bool, why: str) -> None:
    api = parse(BLUEPRINT)[0]
    assert api.root_dir == "api" and api.paths == ("api/**", "shared/**")
    decided, reason = will_deploy(api, changed)
    assert decided is deploys and why in reason


def test_auto_deploy_off_never_deploys_on_a_push() -> None:
    jobs = parse(BLUEPRINT)[2]
    assert will_deploy(jobs, ["anything.py"]) == (False, "autoDeployTrigger is off for jobs in render.yaml")


def test_each_configured_service_gets_a_decision(tmp_path: Path) -> None:
    (tmp_path / "render.yaml").write_text(BLUEPRINT)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mosaic]\nbackend_url = "https://x.example.com"\n'
        '[tool.mosaic.services.api]\nrender_service_id = "srv-api"\n'
        '[tool.mosaic.services.web]\nrender_service_id = "srv-web"\n'
        '[tool.mosaic.services.admin]\nrender_service_id = "srv-admin"\n')
    cfg = config.load(tmp_path, env={})
    decisions = {d.name: d for d in services_deployed_by(cfg, load(tmp_path), ["web/src/app.js"])}
    assert decisions["web"].deploys and decisions["web"].cfg.render_service_id == "srv-web"
    assert not decisions["api"].deploys and "rootDir api/" in decisions["api"].reason
    assert decisions["admin"].deploys and "does not name it" in decisions["admin"].reason


def test_without_a_blueprint_the_one_service_deploys(tmp_path: Path) -> None:
    cfg = config.load(tmp_path, env={"RENDER_SERVICE_ID": "srv-1"})
    [decision] = services_deployed_by(cfg, load(tmp_path), ["x.py"])
    assert decision.deploys and decision.name == "srv-1" and "no render.yaml" in decision.reason


@pytest.mark.parametrize(("text", "message"), [
    ("services: [", "not valid YAML at line"),
    ("- a\n- b\n", "a Blueprint is a mapping"),
    ("services:\n  - type: web\n", r"services\[0\] needs a 'name'"),
    ("services:\n  - name: a\n    buildFilter:\n      paths: api/**\n", "buildFilter.paths must be a list"),
    ("services:\n  - name: a\n    autoDeployTrigger: sometimes\n", "autoDeployTrigger must be"),
])
def test_a_broken_blueprint_is_one_clear_line(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse(text)

"""Which services a push makes Render deploy: the Blueprint (`render.yaml` at the repository root) and
Render's monorepo rules. Pure, apart from reading the file.

Render's rule (render.md, corrections): with `rootDir` set, only changes under that directory trigger an
auto-deploy; with `buildFilter`, only changes matching `paths` and not `ignoredPaths` (globs; ignored
wins). `autoDeployTrigger: off` never deploys on a push. A push that no filter matches gets no deploy at
all: waiting for one would hang until the timeout, so such a service is "no deploy expected" at once.

`services_deployed_by(cfg, blueprint, changed_paths)` answers "which services does this push deploy?" (each
configured service with its Config view, whether it deploys, and why); `blueprint_at(repo, commit)` reads
the Blueprint as committed; `decide` is the same for one service.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mosaic_hooks.core.errors import ConfigError

if TYPE_CHECKING:
    from mosaic_hooks.core import git
    from mosaic_hooks.core.config import Config

BLUEPRINT_FILE = "render.yaml"


@dataclass(frozen=True)
class BlueprintService:
    name: str
    type: str = "web"
    root_dir: str = ""
    paths: tuple[str, ...] = ()
    ignored_paths: tuple[str, ...] = ()
    auto_deploy_trigger: str = "commit"  # commit | checksPass | off
    health_check_path: str | None = None


@dataclass(frozen=True)
class Decision:
    """Whether Render deploys one configured service for a push, and why, in one line."""

    name: str | None
    cfg: Config = field(repr=False)
    deploys: bool
    reason: str


def parse(text: str, where: str = BLUEPRINT_FILE) -> list[BlueprintService]:
    """The services of a Blueprint; ConfigError (one line) when it is not one."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{where}: not valid YAML{at}", hint="fix the Blueprint's syntax") from None
    if data is None:
        return []
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: a Blueprint is a mapping with a 'services' list")
    services = data.get("services") or []
    if not isinstance(services, list):
        raise ConfigError(f"{where}: 'services' must be a list")
    return [_service(item, where, i) for i, item in enumerate(services)]


def _service(item: Any, where: str, index: int) -> BlueprintService:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
        raise ConfigError(f"{where}: services[{index}] needs a 'name'")
    name = item["name"]
    build_filter = item.get("buildFilter") or {}
    if not isinstance(build_filter, dict):
        raise ConfigError(f"{where}: service {name!r}: 'buildFilter' must be a mapping of paths / ignoredPaths")
    globs = {}
    for key in ("paths", "ignoredPaths"):
        value = build_filter.get(key) or []
        if not isinstance(value, list) or not all(isinstance(g, str) for g in value):
            raise ConfigError(f"{where}: service {name!r}: buildFilter.{key} must be a list of globs")
        globs[key] = tuple(value)
    trigger = item.get("autoDeployTrigger")
    if trigger is None:  # the older boolean `autoDeploy`
        trigger = "off" if item.get("autoDeploy") is False else "commit"
    if trigger not in ("commit", "checksPass", "off"):
        raise ConfigError(f"{where}: service {name!r}: autoDeployTrigger must be commit, checksPass or off, "
                          f"got {trigger!r}")
    root_dir = str(item.get("rootDir") or "").strip().strip("/")
    root_dir = "" if root_dir in (".", "./") else root_dir.removeprefix("./")
    health = item.get("healthCheckPath")
    return BlueprintService(name=name, type=str(item.get("type") or "web"), root_dir=root_dir,
                            paths=globs["paths"], ignored_paths=globs["ignoredPaths"], auto_deploy_trigger=trigger,
                            health_check_path=health if isinstance(health, str) else None)


def load(root: Path | None) -> list[BlueprintService] | None:
    """The Blueprint at the repository root; None when there is none."""
    if root is None:
        return None
    path = root / BLUEPRINT_FILE
    if not path.is_file():
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({exc})") from None
    return parse(text, str(path))


@lru_cache(maxsize=256)
def _glob(pattern: str) -> re.Pattern[str]:
    """A glob as Render's build filters use them: `*` within one path segment, `**` across segments."""
    out, i = [], 0
    pattern = pattern.strip().removeprefix("./")
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + "(?:/.*)?")  # a directory matches everything under it


def glob_match(path: str, pattern: str) -> bool:
    return _glob(pattern).fullmatch(path) is not None


def will_deploy(service: BlueprintService, changed_paths: Sequence[str]) -> tuple[bool, str]:
    """Whether Render auto-deploys `service` for a push changing `changed_paths` (repository-relative)."""
    if service.auto_deploy_trigger == "off":
        return False, f"autoDeployTrigger is off for {service.name} in {BLUEPRINT_FILE}"
    relevant = list(changed_paths)
    if service.root_dir:
        prefix = service.root_dir + "/"
        relevant = [p for p in relevant if p.startswith(prefix)]
        if not relevant:
            return False, f"nothing changed under its rootDir {service.root_dir}/"
    if service.paths:
        relevant = [p for p in relevant if any(glob_match(p, g) for g in service.paths)]
        if not relevant:
            return False, f"no change matches its buildFilter.paths ({', '.join(service.paths)})"
    kept = [p for p in relevant if not any(glob_match(p, g) for g in service.ignored_paths)]
    if not kept:
        return False, f"every change matches its buildFilter.ignoredPaths ({', '.join(service.ignored_paths)})"
    shown = ", ".join(kept[:3]) + (f" and {len(kept) - 3} more" if len(kept) > 3 else "")
    return True, f"changed: {shown}"


def blueprint_at(repo: git.Repo, commit: str) -> list[BlueprintService] | None:
    """The Blueprint as committed at `commit` (what Render reads), None when that commit has none."""
    from mosaic_hooks.core import git

    found = git.read_files(repo, commit, [BLUEPRINT_FILE]).get(BLUEPRINT_FILE)
    if found is None:
        return None
    return parse(found.decode("utf-8", errors="replace"), f"{BLUEPRINT_FILE} at {commit[:12]}")


def decide(name: str | None, cfg: Config, blueprint: list[BlueprintService] | None,
           changed_paths: Sequence[str]) -> Decision:
    """Whether Render deploys the configured service `name` for a push changing `changed_paths`.

    A service the Blueprint does not name (or a repository without one) is assumed to deploy: Render
    alone knows, and the wait will say. The configured name must be the Blueprint's service name."""
    known = next((s for s in blueprint or [] if s.name == name), None) if name is not None else None
    if known is None:
        why = f"{BLUEPRINT_FILE} does not name it" if blueprint is not None else f"no {BLUEPRINT_FILE}"
        return Decision(name, cfg, True, f"{why}: assumed to deploy on every push")
    deploys, reason = will_deploy(known, changed_paths)
    return Decision(name, cfg, deploys, reason)


def services_deployed_by(cfg: Config, blueprint: list[BlueprintService] | None,
                         changed_paths: Sequence[str]) -> list[Decision]:
    """For each configured service (Config.services()), whether a push changing `changed_paths` makes
    Render deploy it, and why. The one public answer to "which services does this push deploy?"."""
    return [decide(name, view, blueprint, changed_paths) for name, view in cfg.services()]

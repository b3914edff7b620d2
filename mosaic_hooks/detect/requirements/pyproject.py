"""pyproject.toml: PEP 621 `[project]` dependencies and optional-dependencies, PEP 735
`[dependency-groups]` (`include-group` checked), Poetry's tables (see poetry.py), uv and PDM dev
dependencies."""

from __future__ import annotations

import re
import sys
from typing import Any

from mosaic_hooks.detect.requirements.model import (
    Declared,
    ParseContext,
    Problem,
    canonical,
    decode,
    line_of,
)
from mosaic_hooks.detect.requirements.pep508 import parse_requirement_string
from mosaic_hooks.detect.requirements.poetry import poetry_entries

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover (Python 3.10)
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

_TOML_LINE = re.compile(r"at line (\d+)")


def _string_list(values: Any, *, ctx: ParseContext, group: str, optional: bool,
                 allow_includes: bool = False) -> list[Declared]:
    text, path, problems = ctx.text, ctx.path, ctx.problems
    if not isinstance(values, list):
        problems.append(Problem(path, line_of(text, group.split(".")[-1]), f"{group} must be a list of strings"))
        return []
    entries = []
    for value in values:
        if allow_includes and isinstance(value, dict) and set(value) == {"include-group"}:
            continue  # checked by _check_group_includes
        if not isinstance(value, str):
            problems.append(Problem(path, line_of(text, group.split(".")[-1]),
                                    f"{group}: {value!r} is not a requirement string"))
            continue
        entry, bad = parse_requirement_string(value, file=path, line=line_of(text, value), group=group,
                                              optional=optional)
        if bad:
            problems.append(bad)
        elif entry:
            entries.append(entry)
    return entries


def _check_group_includes(groups: dict[str, Any], text: str, path: str) -> list[Problem]:
    """PEP 735: every `{include-group = ...}` names an existing group, without cycles."""
    problems = []
    normalised = {canonical(name): name for name in groups}

    def includes(name: str) -> list[str]:
        values = groups.get(name)
        return [str(v["include-group"]) for v in values if isinstance(v, dict) and "include-group" in v] \
            if isinstance(values, list) else []

    for name in groups:
        for target in includes(name):
            if canonical(target) not in normalised:
                problems.append(Problem(path, line_of(text, target),
                                        f"dependency group {name!r} includes unknown group {target!r}"))
        stack, seen = [name], set()
        while stack:
            current = stack.pop()
            for target in includes(current):
                real = normalised.get(canonical(target))
                if real == name:
                    problems.append(Problem(path, line_of(text, name),
                                            f"dependency group {name!r} includes itself"))
                    stack = []
                    break
                if real and real not in seen:
                    seen.add(real)
                    stack.append(real)
    return problems


def parse_pyproject(path: str, data: bytes) -> tuple[list[Declared], list[Problem], bool]:
    """(requirements, problems, whether the file has any dependency table at all)."""
    text, problem = decode(data, path)
    if text is None:
        return [], [problem] if problem else [], False
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        return [], [Problem(path, int(found.group(1)) if found else 1, f"invalid TOML: {exc}")], False
    except RecursionError:  # tomllib recurses once per nesting level
        return [], [Problem(path, 1, "invalid TOML: nested too deeply to read")], False
    entries: list[Declared] = []
    problems: list[Problem] = []
    declares = False
    ctx = ParseContext(text, path, problems)
    project = doc.get("project")
    if isinstance(project, dict):
        if "dependencies" in project:
            declares = True
            entries += _string_list(project["dependencies"], group="project.dependencies", optional=False, ctx=ctx)
        optional_deps = project.get("optional-dependencies")
        if isinstance(optional_deps, dict):
            declares = True
            for extra, values in optional_deps.items():
                entries += _string_list(values, group=f"project.optional-dependencies.{extra}", optional=True,
                                        ctx=ctx)
    groups = doc.get("dependency-groups")
    if isinstance(groups, dict):
        declares = True
        for name, values in groups.items():
            entries += _string_list(values, group=f"dependency-groups.{name}", optional=True,
                                    allow_includes=True, ctx=ctx)
        problems += _check_group_includes(groups, text, path)
    tool = doc.get("tool") if isinstance(doc.get("tool"), dict) else {}
    assert isinstance(tool, dict)
    poetry = tool.get("poetry")
    if isinstance(poetry, dict):
        if "dependencies" in poetry:
            declares = True
            entries += poetry_entries(poetry["dependencies"], group="tool.poetry.dependencies", optional=False,
                                       ctx=ctx)
        if "dev-dependencies" in poetry:
            declares = True
            entries += poetry_entries(poetry["dev-dependencies"], group="tool.poetry.dev-dependencies",
                                       optional=True, ctx=ctx)
        poetry_groups = poetry.get("group")
        if isinstance(poetry_groups, dict):
            for name, table in poetry_groups.items():
                if isinstance(table, dict) and "dependencies" in table:
                    declares = True
                    entries += poetry_entries(table["dependencies"], group=f"tool.poetry.group.{name}.dependencies",
                                               optional=True, ctx=ctx)
    uv = tool.get("uv")
    if isinstance(uv, dict) and "dev-dependencies" in uv:
        declares = True
        entries += _string_list(uv["dev-dependencies"], group="tool.uv.dev-dependencies", optional=True, ctx=ctx)
    pdm = tool.get("pdm")
    if isinstance(pdm, dict) and isinstance(pdm.get("dev-dependencies"), dict):
        declares = True
        for name, values in pdm["dev-dependencies"].items():
            entries += _string_list(values, group=f"tool.pdm.dev-dependencies.{name}", optional=True, ctx=ctx)
    return entries, problems, declares


def project_name(data: bytes) -> str | None:
    """The project's own distribution name from a pyproject.toml, if it says."""
    try:
        doc = tomllib.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return None
    tool = doc.get("tool")
    for table in (doc.get("project"), tool.get("poetry") if isinstance(tool, dict) else None):
        if isinstance(table, dict) and isinstance(table.get("name"), str):
            return canonical(table["name"])
    return None

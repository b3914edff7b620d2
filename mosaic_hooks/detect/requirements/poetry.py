"""Poetry's `[tool.poetry.dependencies]`, its groups and `dev-dependencies`: caret/tilde constraints
translated to PEP 440, git/url/path sources kept as direct references."""

from __future__ import annotations

import re
from typing import Any

from mosaic_hooks.detect.requirements.model import Declared, ParseContext, Problem, canonical, line_of


def _bump(parts: list[int], index: int) -> str:
    upper = [*parts[:index], parts[index] + 1]
    return ".".join(str(p) for p in upper)


def poetry_constraint(text: str) -> str:
    """A Poetry version constraint as a PEP 440 specifier set; the text itself if it has no equivalent."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    raw = text.strip()
    if "||" in raw:
        return raw  # alternatives have no PEP 440 form
    parts_out: list[str] = []
    for piece in re.split(r"\s*,\s*|\s+(?=[<>=!~^])", raw):
        piece = piece.strip()
        if piece in ("", "*"):
            continue
        try:
            if piece.startswith("^") or (piece.startswith("~") and not piece.startswith("~=")):
                version = Version(piece[1:].strip())
                release = list(version.release)
                if piece.startswith("^"):
                    first = next((i for i, p in enumerate(release) if p != 0), len(release) - 1)
                    upper = _bump(release, first)
                else:
                    upper = _bump(release, 1 if len(release) >= 2 else 0)
                parts_out += [f">={piece[1:].strip()}", f"<{upper}"]
            elif piece[0] in "<>=!~":
                parts_out.append(re.sub(r"\s+", "", piece))
            else:
                parts_out.append(f"=={piece}")
        except InvalidVersion:
            return raw
    result = ",".join(parts_out)
    try:
        return str(SpecifierSet(result))
    except InvalidSpecifier:
        return raw





def poetry_entries(table: Any, *, ctx: ParseContext, group: str, optional: bool) -> list[Declared]:
    text, path, problems = ctx.text, ctx.path, ctx.problems
    if not isinstance(table, dict):
        problems.append(Problem(path, line_of(text, group.split(".")[-1]), f"[{group}] must be a table"))
        return []
    entries = []
    for raw_name, value in table.items():
        if raw_name.lower() == "python":
            continue  # the interpreter constraint, not a package
        key = re.search(rf"^\s*[\"']?{re.escape(raw_name)}[\"']?\s*=", text, re.MULTILINE)
        line = text.count("\n", 0, key.start()) + 1 if key else line_of(text, raw_name)
        for item in value if isinstance(value, list) else [value]:
            entry = _poetry_entry(raw_name, item, path=path, line=line, group=group, optional=optional)
            if entry is None:
                problems.append(Problem(path, line, f"[{group}] {raw_name}: cannot read {item!r}"))
            else:
                entries.append(entry)
    return entries


def _poetry_entry(name: str, value: Any, *, path: str, line: int, group: str, optional: bool) -> Declared | None:
    if isinstance(value, str):
        return Declared(name=canonical(name), specifier=poetry_constraint(value), file=path, line=line,
                        group=group, optional=optional)
    if not isinstance(value, dict):
        return None
    url = ""
    if "git" in value:
        ref = value.get("rev") or value.get("tag") or value.get("branch")
        url = f"git+{value['git']}" + (f"@{ref}" if ref else "")
    elif "url" in value:
        url = str(value["url"])
    elif "path" in value:
        url = str(value["path"])
    extras = value.get("extras", [])
    return Declared(
        name=canonical(name), specifier=poetry_constraint(str(value.get("version", ""))), file=path, line=line,
        group=group, marker=str(value.get("markers", "")), url=url,
        extras=tuple(sorted(str(e) for e in extras)) if isinstance(extras, list) else (),
        optional=optional or bool(value.get("optional", False)),
    )

"""setuptools: `[options] install_requires` / `[options.extras_require]` of a setup.cfg, and the literal
`install_requires=[...]` / `extras_require={...}` of a setup.py (never executed)."""

from __future__ import annotations

from collections.abc import Iterable

from mosaic_hooks.detect.requirements.model import COMMENT, Declared, ParseContext, Problem, decode, line_of
from mosaic_hooks.detect.requirements.pep508 import parse_requirement_string


def _requirement_lines(values: Iterable[str], *, ctx: ParseContext, group: str, optional: bool) -> list[Declared]:
    entries = []
    for value in values:
        value = COMMENT.sub("", value).strip()
        if not value:
            continue
        entry, bad = parse_requirement_string(value, file=ctx.path, line=line_of(ctx.text, value), group=group,
                                              optional=optional)
        if bad:
            ctx.problems.append(bad)
        elif entry:
            entries.append(entry)
    return entries


def parse_setup_cfg(path: str, data: bytes) -> tuple[list[Declared], list[Problem], bool]:
    """`[options] install_requires` and `[options.extras_require]` of a setup.cfg."""
    import configparser

    text, problem = decode(data, path)
    if text is None:
        return [], [problem] if problem else [], False
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text, source=path)
    except configparser.Error as exc:
        line = getattr(exc, "lineno", None) or 1
        return [], [Problem(path, int(line), f"invalid setup.cfg: {str(exc).splitlines()[0]}")], False
    ctx = ParseContext(text, path, [])
    entries: list[Declared] = []
    declares = False
    if parser.has_option("options", "install_requires"):
        declares = True
        entries += _requirement_lines(parser.get("options", "install_requires").splitlines(), ctx=ctx,
                                      group="options.install_requires", optional=False)
    if parser.has_section("options.extras_require"):
        declares = True
        for extra, value in parser.items("options.extras_require"):
            entries += _requirement_lines(value.splitlines(), ctx=ctx, group=f"options.extras_require.{extra}",
                                          optional=True)
    return entries, ctx.problems, declares


def parse_setup_py(path: str, data: bytes) -> tuple[list[Declared], list[Problem], bool]:
    """Literal `install_requires=[...]` / `extras_require={...}` of a `setup(...)` call (never executed).

    A setup.py that computes its requirements declares nothing we can read, and is not a problem.
    """
    import ast

    try:
        tree = ast.parse(data, filename=path)
    except (SyntaxError, ValueError) as exc:
        return [], [Problem(path, getattr(exc, "lineno", None) or 1, f"could not parse: {exc}")], False
    text = data.decode("utf-8", errors="replace")
    ctx = ParseContext(text, path, [])
    entries: list[Declared] = []
    declares = False
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name != "setup":
            continue
        for keyword in node.keywords:
            try:
                value = ast.literal_eval(keyword.value)
            except ValueError:
                continue
            if keyword.arg == "install_requires" and isinstance(value, (list, tuple)):
                declares = True
                entries += _requirement_lines([str(v) for v in value], ctx=ctx, group="install_requires",
                                              optional=False)
            elif keyword.arg == "extras_require" and isinstance(value, dict):
                declares = True
                for extra, values in value.items():
                    items = [values] if isinstance(values, str) else [str(v) for v in values]
                    entries += _requirement_lines(items, ctx=ctx, group=f"extras_require.{extra}", optional=True)
    return entries, ctx.problems, declares

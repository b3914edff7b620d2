"""Route strings of every framework written one way: parameters as `{name}`."""

from __future__ import annotations

import re

_STARLETTE_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::[^{}]*)?\}")
_WERKZEUG_PARAM = re.compile(r"<(?:[A-Za-z_][A-Za-z0-9_]*(?:\([^)]*\))?:)?([A-Za-z_][A-Za-z0-9_]*)>")


def fastapi_path(path: str) -> str:
    """`/items/{item_id:int}` -> `/items/{item_id}`."""
    return _STARLETTE_PARAM.sub(r"{\1}", path)


def werkzeug_path(path: str) -> str:
    """Flask and Django `path()` converters: `<int:id>` -> `{id}`."""
    return _WERKZEUG_PARAM.sub(r"{\1}", path)


def flask_join(prefix: str | None, rule: str) -> str:
    """How Flask applies a blueprint's url_prefix to a rule."""
    if prefix is None:
        return rule
    if rule:
        return "/".join((prefix.rstrip("/"), rule.lstrip("/")))
    return prefix


def flask_nested_prefix(parent: str | None, child: str | None) -> str | None:
    """How Flask combines a parent blueprint's effective prefix with a nested blueprint's prefix."""
    if parent is not None and child is not None:
        return parent.rstrip("/") + "/" + child.lstrip("/")
    return child if child is not None else parent


def _matching_paren(text: str, start: int) -> int:
    """Index of the `)` closing the `(` at `start` (escapes and character classes respected), or -1."""
    depth = 0
    i = start
    in_class = False
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def regex_path(pattern: str) -> str:
    """A Django `re_path` regex as a path: named groups become `{name}`, optional parts are dropped.

    `^articles/(?P<year>[0-9]{4})/$` -> `articles/{year}/`. Unnamed groups become `{arg1}`, `{arg2}`...
    """
    text = pattern
    if text.startswith("^"):
        text = text[1:]
    for end in ("$", r"\Z", r"\z"):
        if text.endswith(end) and not text.endswith("\\" + end):
            text = text[: -len(end)]
            break
    counter = [0]
    return _regex_body(text, counter)


def _regex_body(text: str, counter: list[int]) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "(":
            close = _matching_paren(text, i)
            if close < 0:
                out.append(text[i:])
                break
            inner = text[i + 1:close]
            optional = close + 1 < len(text) and text[close + 1] in "?*"
            nxt = close + 2 if optional else close + 1
            if optional and nxt < len(text) and text[nxt] == "?":  # lazy quantifier
                nxt += 1
            if not optional:
                if inner.startswith("?P<"):
                    name = inner[3:inner.index(">")] if ">" in inner else "arg"
                    out.append("{" + name + "}")
                elif inner.startswith("?:"):
                    out.append(_regex_body(inner[2:], counter))
                elif inner.startswith("?"):
                    pass  # look-around, flags
                else:
                    counter[0] += 1
                    out.append(f"{{arg{counter[0]}}}")
            i = nxt
            continue
        if ch == "\\" and i + 1 < len(text):
            nxt_ch = text[i + 1]
            if not nxt_ch.isalnum():
                optional = i + 2 < len(text) and text[i + 2] == "?"
                if not optional:
                    out.append(nxt_ch)
                i += 3 if optional else 2
                continue
            out.append(text[i:i + 2])
            i += 2
            continue
        if ch == "?" and out:
            out.pop()  # `/?`: the optional character is left out of the canonical path
            i += 1
            continue
        if ch in "^$":
            i += 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def ensure_leading_slash(path: str) -> str:
    return path if path.startswith("/") else "/" + path


__all__ = ["ensure_leading_slash", "fastapi_path", "flask_join", "flask_nested_prefix", "regex_path",
           "werkzeug_path"]

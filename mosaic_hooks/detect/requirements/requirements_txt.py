"""pip requirements files (requirements*.txt): `-r`/`-c` includes relative to the including file, extras,
markers, `name @ url`, bare URLs/wheels with `#egg=`, `-e`, `--hash` and other per-line options, comments,
continuation lines, option lines."""

from __future__ import annotations

import posixpath
import re
import shlex

from mosaic_hooks.detect.requirements.model import (
    COMMENT,
    Declared,
    Problem,
    Reader,
    canonical,
    decode,
    is_development_file,
)
from mosaic_hooks.detect.requirements.pep508 import name_from_url, parse_requirement_string

# pip's options that take a value in a requirements file, and those that do not.
_VALUE_OPTIONS = {"-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--trusted-host",
                  "--no-binary", "--only-binary", "--use-feature", "--config-settings", "--progress-bar"}
_FLAG_OPTIONS = {"--no-index", "--pre", "--prefer-binary", "--require-hashes"}


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """(first physical line number, line) with comments removed and `\\` continuations joined."""
    result: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw
        if not pending:
            start = number
        if COMMENT.match(line) and line.lstrip().startswith("#"):
            line = ""  # a comment line also ends a continuation (as pip does)
        elif line.endswith("\\"):
            pending.append(line[:-1])
            continue
        pending.append(line)
        joined = COMMENT.sub("", "".join(pending)).strip()
        pending = []
        if joined:
            result.append((start, joined))
    if pending:
        joined = COMMENT.sub("", "".join(pending)).strip()
        if joined:
            result.append((start, joined))
    return result


def _split_requirement_options(line: str) -> str:
    """The requirement part of `req --hash=... --config-settings ...` (pip splits at the first option)."""
    match = re.search(r"\s--?[A-Za-z]", line)
    return line[:match.start()].strip() if match else line


def _option_value(tokens: list[str], i: int) -> tuple[str | None, int]:
    token = tokens[i]
    if token.startswith("--") and "=" in token:
        return token.split("=", 1)[1], i + 1
    if not token.startswith("--") and len(token) > 2:  # -rfile
        return token[2:], i + 1
    if i + 1 < len(tokens):
        return tokens[i + 1], i + 2
    return None, i + 1


def parse_requirements_file(path: str, read: Reader, *, constraint: bool = False,
                            _seen: set[str] | None = None) -> tuple[list[Declared], list[Problem]]:
    """A requirements file and the files it includes (`-r`; `-c` files are checked, not declared)."""
    seen = _seen if _seen is not None else set()
    if path in seen:
        return [], []
    seen.add(path)
    data = read(path)
    if data is None:
        return [], []
    text, problem = decode(data, path)
    if text is None:
        return [], [problem] if problem else []
    optional = is_development_file(path)
    entries: list[Declared] = []
    problems: list[Problem] = []
    for number, line in _logical_lines(text):
        if line.startswith("-"):
            try:
                tokens = shlex.split(line, comments=False)
            except ValueError as exc:
                problems.append(Problem(path, number, f"cannot read option line: {exc}"))
                continue
            i = 0
            while i < len(tokens):
                token = tokens[i]
                option = token.split("=", 1)[0]
                if option in ("-r", "--requirement", "-c", "--constraint") or (
                        token[:2] in ("-r", "-c") and not token.startswith("--")):
                    is_constraint = option in ("-c", "--constraint") or token.startswith("-c")
                    target, i = _option_value(tokens, i)
                    if not target:
                        problems.append(Problem(path, number, f"{option} needs a file name"))
                        continue
                    problems.extend(_include(path, number, target, read, seen, entries,
                                             constraint=constraint or is_constraint))
                elif option in ("-e", "--editable") or (token.startswith("-e") and not token.startswith("--")):
                    target, i = _option_value(tokens, i)
                    if not target:
                        problems.append(Problem(path, number, f"{option} needs a path or URL"))
                        continue
                    entry, bad = _editable(target, path, number, optional)
                    if bad:
                        problems.append(bad)
                    elif entry and not constraint:
                        entries.append(entry)
                elif option in _VALUE_OPTIONS or (token[:2] in ("-i", "-f") and not token.startswith("--")):
                    _, i = _option_value(tokens, i)
                elif option in _FLAG_OPTIONS:
                    i += 1
                else:
                    problems.append(Problem(path, number, f"unknown option {option!r}"))
                    break
            continue
        requirement_text = _split_requirement_options(line)
        entry, bad = parse_requirement_string(requirement_text, file=path, line=number, optional=optional)
        if bad:
            problems.append(bad)
        elif entry and not constraint:
            entries.append(entry)
    return entries, problems


def _editable(target: str, path: str, number: int, optional: bool) -> tuple[Declared | None, Problem | None]:
    if "://" in target or target.startswith(("git+", "hg+", "svn+", "bzr+")):
        name = name_from_url(target)
        if name is None:
            return None, None  # pip derives the name by building it; nothing to compare statically
        return Declared(name=canonical(name), specifier="", file=path, line=number, url=target,
                        optional=optional), None
    return None, None  # a local directory: the project itself or a sibling, first-party


def _include(path: str, number: int, target: str, read: Reader, seen: set[str], entries: list[Declared],
             *, constraint: bool) -> list[Problem]:
    if "://" in target:
        return []  # a remote file: never fetched (no network in the checks)
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
    if joined.startswith("../") or joined == ".." or posixpath.isabs(joined):
        return [Problem(path, number, f"includes {target!r}, which is outside the repository")]
    if joined not in seen and read(joined) is None:
        return [Problem(path, number, f"includes {target!r}, which does not exist ({joined})")]
    found, problems = parse_requirements_file(joined, read, constraint=constraint, _seen=seen)
    entries.extend(found)
    return problems

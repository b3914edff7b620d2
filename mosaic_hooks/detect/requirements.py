"""Declared requirements: requirements files and pyproject.toml, parsed statically, compared by name.

Pure: files arrive as bytes through a `read(path)` callback (so `-r` includes can be followed inside
the revision being read), nothing here touches the disk, git or the network.

Supported: requirements*.txt (`-r`/`-c` includes relative to the including file, extras, markers,
`name @ url`, bare URLs/wheels with `#egg=`, `-e`, `--hash` and other per-line options, comments,
continuation lines, option lines); pyproject.toml PEP 621 `dependencies` and `optional-dependencies`,
PEP 735 `[dependency-groups]` (`include-group` checked), Poetry `[tool.poetry.dependencies]`, its
groups and `dev-dependencies` (caret/tilde constraints translated to PEP 440), uv and PDM dev
dependencies. A file that does not parse becomes a `Problem` with its line.
"""

from __future__ import annotations

import posixpath
import re
import shlex
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from mosaic_hooks.detect.changeset import Requirement, RequirementChanges, RequirementUpdate

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover (Python 3.10)
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

Reader = Callable[[str], "bytes | None"]

# Requirement files whose name says they are for development: their packages may be absent locally.
_DEV_WORDS = frozenset({"dev", "develop", "development", "test", "tests", "testing", "doc", "docs", "lint",
                        "linting", "ci", "typing", "local", "debug"})
_COMMENT = re.compile(r"(^|\s+)#.*$")
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_WHEEL = re.compile(r"([A-Za-z0-9][A-Za-z0-9._]*)-\d[^-/]*(-[^/]*)?\.whl$")
_SDIST = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*?)-\d[^/]*\.(tar\.gz|zip|tar\.bz2|tgz)$")
_TOML_LINE = re.compile(r"at line (\d+)")

# pip's options that take a value in a requirements file, and those that do not.
_VALUE_OPTIONS = {"-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--trusted-host",
                  "--no-binary", "--only-binary", "--use-feature", "--config-settings", "--progress-bar"}
_FLAG_OPTIONS = {"--no-index", "--pre", "--prefer-binary", "--require-hashes"}
_REQUIREMENT_OPTIONS = ("--hash", "--config-settings", "--global-option", "--install-option")


@dataclass(frozen=True)
class Problem:
    """A dependency file that does not parse (or an entry in it that does not)."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Declared:
    """One requirement as written in one place."""

    name: str  # normalised (packaging.utils.canonicalize_name)
    specifier: str  # PEP 440 specifier set, "" when unpinned; Poetry text kept as is if untranslatable
    file: str
    line: int
    group: str = ""  # "" in requirements files; e.g. "project.optional-dependencies.test" in pyproject
    marker: str = ""
    extras: tuple[str, ...] = ()
    url: str = ""  # direct reference (`name @ url`, VCS, path)
    optional: bool = False  # an extra, a dev group or a dev requirements file: may be absent locally

    def display(self) -> str:
        """What changed-comparison and messages show: `[extras]specifier; marker` (or `@ url`)."""
        text = f"[{','.join(self.extras)}]" if self.extras else ""
        text += f"@ {self.url}" if self.url else self.specifier
        return f"{text}; {self.marker}" if self.marker else text

    def install_argument(self) -> str:
        """The argument of `pip install` that would satisfy this requirement."""
        extras = f"[{','.join(self.extras)}]" if self.extras else ""
        if self.url:
            return f"{self.name}{extras} @ {self.url}"
        return f"{self.name}{extras}{self.specifier}"

    def to_requirement(self) -> Requirement:
        spec = f"@ {self.url}" if self.url else self.specifier
        return Requirement(name=self.name, specifier=spec, file=self.file, marker=self.marker)


@dataclass
class DeclaredSet:
    """Every requirement a revision declares, the problems met, and whether it declares any at all."""

    entries: list[Declared] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # the files that declare requirements

    @property
    def declares_any(self) -> bool:
        return bool(self.sources)

    def names(self) -> set[str]:
        return {entry.name for entry in self.entries}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def is_development_file(path: str) -> bool:
    """requirements-dev.txt, dev-requirements.txt, requirements/test.txt: packages that may be absent locally."""
    words = re.split(r"[-_.]+", posixpath.basename(path).lower())
    return any(word in _DEV_WORDS for word in words)


def _decode(data: bytes, path: str) -> tuple[str | None, Problem | None]:
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        return None, Problem(path, line, f"not UTF-8 text ({exc.reason})")


# ---------------------------------------------------------------- requirements files


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """(first physical line number, line) with comments removed and `\\` continuations joined."""
    result: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw
        if not pending:
            start = number
        if _COMMENT.match(line) and line.lstrip().startswith("#"):
            line = ""  # a comment line also ends a continuation (as pip does)
        elif line.endswith("\\"):
            pending.append(line[:-1])
            continue
        pending.append(line)
        joined = _COMMENT.sub("", "".join(pending)).strip()
        pending = []
        if joined:
            result.append((start, joined))
    if pending:
        joined = _COMMENT.sub("", "".join(pending)).strip()
        if joined:
            result.append((start, joined))
    return result


def _name_from_url(url: str) -> str | None:
    egg = _EGG.search(url)
    if egg:
        return egg.group(1).split("[")[0]
    base = url.split("#")[0].split("?")[0].rstrip("/")
    for pattern in (_WHEEL, _SDIST):
        match = pattern.search(posixpath.basename(base))
        if match:
            return match.group(1)
    return None


def _looks_like_location(text: str) -> bool:
    return ("://" in text or text.startswith(("git+", "hg+", "svn+", "bzr+", ".", "/", "~", "file:"))
            or text.endswith((".whl", ".tar.gz", ".zip", ".tgz", ".tar.bz2")))


def parse_requirement_string(text: str, *, file: str, line: int, group: str = "",
                             optional: bool = False) -> tuple[Declared | None, Problem | None]:
    """One PEP 508 requirement (or a pip URL/path line). (None, None) for a nameless local path."""
    from packaging.requirements import InvalidRequirement
    from packaging.requirements import Requirement as Pep508

    try:
        req = Pep508(text)
    except InvalidRequirement as exc:
        location = text.split(";")[0].strip()
        if _looks_like_location(location):
            marker = text.split(";", 1)[1].strip() if ";" in text else ""
            name = _name_from_url(location)
            if name is None:
                return None, None  # a local project or an archive without a name: nothing to compare
            return Declared(name=canonical(name), specifier="", file=file, line=line, group=group,
                            marker=marker, url=location, optional=optional), None
        if "${" in text:
            return None, None  # pip expands ${VARIABLES} at install time: unknowable here, not an error
        detail = str(exc).splitlines()[0]
        return None, Problem(file, line, f"invalid requirement {text!r}: {detail}")
    return Declared(
        name=canonical(req.name), specifier=str(req.specifier), file=file, line=line, group=group,
        marker=str(req.marker) if req.marker else "", extras=tuple(sorted(req.extras)), url=req.url or "",
        optional=optional,
    ), None


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
    text, problem = _decode(data, path)
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
        name = _name_from_url(target)
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


# ---------------------------------------------------------------- pyproject.toml


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


@dataclass
class _Context:
    text: str
    path: str
    problems: list[Problem]


def _line_of(text: str, needle: str, default: int = 1) -> int:
    for quoted in (f'"{needle}"', f"'{needle}'", needle):
        index = text.find(quoted)
        if index >= 0:
            return text.count("\n", 0, index) + 1
    return default


def _poetry_entries(table: Any, *, ctx: _Context, group: str, optional: bool) -> list[Declared]:
    text, path, problems = ctx.text, ctx.path, ctx.problems
    if not isinstance(table, dict):
        problems.append(Problem(path, _line_of(text, group.split(".")[-1]), f"[{group}] must be a table"))
        return []
    entries = []
    for raw_name, value in table.items():
        if raw_name.lower() == "python":
            continue  # the interpreter constraint, not a package
        key = re.search(rf"^\s*[\"']?{re.escape(raw_name)}[\"']?\s*=", text, re.MULTILINE)
        line = text.count("\n", 0, key.start()) + 1 if key else _line_of(text, raw_name)
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


def _string_list(values: Any, *, ctx: _Context, group: str, optional: bool,
                 allow_includes: bool = False) -> list[Declared]:
    text, path, problems = ctx.text, ctx.path, ctx.problems
    if not isinstance(values, list):
        problems.append(Problem(path, _line_of(text, group.split(".")[-1]), f"{group} must be a list of strings"))
        return []
    entries = []
    for value in values:
        if allow_includes and isinstance(value, dict) and set(value) == {"include-group"}:
            continue  # checked by _check_group_includes
        if not isinstance(value, str):
            problems.append(Problem(path, _line_of(text, group.split(".")[-1]),
                                    f"{group}: {value!r} is not a requirement string"))
            continue
        entry, bad = parse_requirement_string(value, file=path, line=_line_of(text, value), group=group,
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
                problems.append(Problem(path, _line_of(text, target),
                                        f"dependency group {name!r} includes unknown group {target!r}"))
        stack, seen = [name], set()
        while stack:
            current = stack.pop()
            for target in includes(current):
                real = normalised.get(canonical(target))
                if real == name:
                    problems.append(Problem(path, _line_of(text, name),
                                            f"dependency group {name!r} includes itself"))
                    stack = []
                    break
                if real and real not in seen:
                    seen.add(real)
                    stack.append(real)
    return problems


def parse_pyproject(path: str, data: bytes) -> tuple[list[Declared], list[Problem], bool]:
    """(requirements, problems, whether the file has any dependency table at all)."""
    text, problem = _decode(data, path)
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
    ctx = _Context(text, path, problems)
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
            entries += _poetry_entries(poetry["dependencies"], group="tool.poetry.dependencies", optional=False,
                                       ctx=ctx)
        if "dev-dependencies" in poetry:
            declares = True
            entries += _poetry_entries(poetry["dev-dependencies"], group="tool.poetry.dev-dependencies",
                                       optional=True, ctx=ctx)
        poetry_groups = poetry.get("group")
        if isinstance(poetry_groups, dict):
            for name, table in poetry_groups.items():
                if isinstance(table, dict) and "dependencies" in table:
                    declares = True
                    entries += _poetry_entries(table["dependencies"], group=f"tool.poetry.group.{name}.dependencies",
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


# ---------------------------------------------------------------- setuptools (setup.cfg, setup.py)


def _requirement_lines(values: Iterable[str], *, ctx: _Context, group: str, optional: bool) -> list[Declared]:
    entries = []
    for value in values:
        value = _COMMENT.sub("", value).strip()
        if not value:
            continue
        entry, bad = parse_requirement_string(value, file=ctx.path, line=_line_of(ctx.text, value), group=group,
                                              optional=optional)
        if bad:
            ctx.problems.append(bad)
        elif entry:
            entries.append(entry)
    return entries


def parse_setup_cfg(path: str, data: bytes) -> tuple[list[Declared], list[Problem], bool]:
    """`[options] install_requires` and `[options.extras_require]` of a setup.cfg."""
    import configparser

    text, problem = _decode(data, path)
    if text is None:
        return [], [problem] if problem else [], False
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text, source=path)
    except configparser.Error as exc:
        line = getattr(exc, "lineno", None) or 1
        return [], [Problem(path, int(line), f"invalid setup.cfg: {str(exc).splitlines()[0]}")], False
    ctx = _Context(text, path, [])
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
    ctx = _Context(text, path, [])
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


# ---------------------------------------------------------------- whole revisions


def collect(roots: Iterable[str], read: Reader) -> DeclaredSet:
    """Every requirement declared by the given dependency files (requirements files and pyproject.toml)."""
    from mosaic_hooks.detect.relevance import is_pyproject, is_setuptools_file

    parsers = {"pyproject.toml": parse_pyproject, "setup.cfg": parse_setup_cfg, "setup.py": parse_setup_py}
    result = DeclaredSet()
    seen_lines: set[tuple[str, int, str]] = set()
    seen_files: set[str] = set()
    for path in sorted(roots):
        if is_pyproject(path) or is_setuptools_file(path):
            data = read(path)
            if data is None:
                continue
            entries, problems, declares = parsers[posixpath.basename(path)](path, data)
            if declares:
                result.sources.append(path)
        else:
            if path in seen_files:
                continue  # already read as another file's include
            if read(path) is None:
                continue
            seen: set[str] = set()
            # constraints*.txt only narrows versions (`pip install -c`): checked, but declares nothing.
            constraint = posixpath.basename(path).lower().startswith("constraint")
            entries, problems = parse_requirements_file(path, read, constraint=constraint, _seen=seen)
            seen_files |= seen
            result.sources.append(path)
        for entry in entries:
            key = (entry.file, entry.line, entry.name)
            if key not in seen_lines:
                seen_lines.add(key)
                result.entries.append(entry)
        for problem in problems:
            if problem not in result.problems:
                result.problems.append(problem)
    return result


def diff(old: Sequence[Declared], new: Sequence[Declared]) -> tuple[RequirementChanges, list[Declared]]:
    """What changed between two declared sets, per (file, group, name); and the head entries added/changed."""
    def by_key(entries: Sequence[Declared]) -> dict[tuple[str, str, str], list[Declared]]:
        table: dict[tuple[str, str, str], list[Declared]] = {}
        for entry in entries:
            table.setdefault((entry.file, entry.group, entry.name), []).append(entry)
        return table

    def moved_key(entries: list[Declared]) -> tuple[str, bool, tuple[str, ...]]:
        return (entries[0].name, entries[0].optional, tuple(sorted(entry.display() for entry in entries)))

    before, after = by_key(old), by_key(new)
    changes = RequirementChanges()
    touched: list[Declared] = []
    new_keys = sorted(after.keys() - before.keys())
    gone_keys = sorted(before.keys() - after.keys())
    # The same requirement moved to another file or group of the same kind (requirements.txt split
    # into requirements/base.txt, say) is neither added nor removed.
    gone_moves = {moved_key(before[key]): key for key in gone_keys}
    for key in new_keys:
        twin = gone_moves.pop(moved_key(after[key]), None)
        if twin is not None:
            gone_keys.remove(twin)
            continue
        changes.added += [entry.to_requirement() for entry in after[key]]
        touched += after[key]
    for key in gone_keys:
        changes.removed += [entry.to_requirement() for entry in before[key]]
    for key in sorted(after.keys() & before.keys()):
        old_text = " | ".join(sorted(entry.display() for entry in before[key]))
        new_text = " | ".join(sorted(entry.display() for entry in after[key]))
        if old_text != new_text:
            changes.changed.append(RequirementUpdate(name=key[2], old=old_text, new=new_text, file=key[0]))
            touched += after[key]
    return changes, touched

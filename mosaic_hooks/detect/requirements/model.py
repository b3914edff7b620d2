"""What every dependency-file format reads into: one declared requirement, a parse problem, a revision's set.

Pure: files arrive as bytes through a `Reader` callback (so `-r` includes can be followed inside the
revision being read); nothing in this package touches the disk, git or the network.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from packaging.utils import canonicalize_name

from mosaic_hooks.detect.changeset import Requirement

Reader = Callable[[str], "bytes | None"]

# Words that mark a requirements file, an optional-dependency extra, a dependency group or a Poetry group
# as development-only: what production does not install, so production code must not need it.
DEV_WORDS = frozenset({"dev", "develop", "development", "test", "tests", "testing", "doc", "docs", "lint",
                       "linting", "ci", "typing", "local", "debug"})
# Tables that are development-only whatever their name.
_DEV_TABLES = ("tool.poetry.dev-dependencies", "tool.uv.dev-dependencies", "tool.pdm.dev-dependencies")


def is_development_file(path: str) -> bool:
    """requirements-dev.txt, dev-requirements.txt, requirements/test.txt, requirements/dev/base.txt."""
    parts = path.lower().split("/")
    words = [w for part in parts[:-1] for w in re.split(r"[-_.]+", part)]
    words += re.split(r"[-_.]+", posixpath.basename(parts[-1]))
    return any(word in DEV_WORDS for word in words)


def is_development_group(group: str) -> bool:
    """A pyproject group of development requirements: a dev-named extra, PEP 735 group or Poetry group,
    and Poetry's, uv's and PDM's dev-dependencies tables."""
    if group.startswith(_DEV_TABLES):
        return True
    for prefix in ("project.optional-dependencies.", "dependency-groups.", "tool.poetry.group."):
        if group.startswith(prefix):
            name = group[len(prefix):].removesuffix(".dependencies")
            return any(word in DEV_WORDS for word in re.split(r"[-_.]+", name.lower()))
    return False

# A `# comment` to the end of the line (at its start, or after whitespace: `pkg#egg` is not one).
COMMENT = re.compile(r"(^|\s+)#.*$")


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

    @property
    def dev(self) -> bool:
        """Development-only: production does not install it (a dev requirements file or a dev group)."""
        if self.group:
            return is_development_group(self.group)
        return is_development_file(self.file)

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
        return Requirement(name=self.name, specifier=spec, file=self.file, marker=self.marker, dev=self.dev)


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

    def production_names(self) -> set[str]:
        """What production installs: every requirement that is not development-only."""
        return {entry.name for entry in self.entries if not entry.dev}

    @property
    def dev_sources(self) -> list[str]:
        """The files that declare development requirements."""
        return sorted({entry.file for entry in self.entries if entry.dev})


@dataclass
class ParseContext:
    """The file being parsed, its text (to find an entry's line) and the problems met so far."""

    text: str
    path: str
    problems: list[Problem]


def canonical(name: str) -> str:
    """PEP 503 normalisation: the one spelling (packaging's) used everywhere."""
    return str(canonicalize_name(name))


def decode(data: bytes, path: str) -> tuple[str | None, Problem | None]:
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        return None, Problem(path, line, f"not UTF-8 text ({exc.reason})")


def line_of(text: str, needle: str, default: int = 1) -> int:
    """The line where `needle` first appears (quoted, preferably): parsed TOML and INI keep no positions."""
    for quoted in (f'"{needle}"', f"'{needle}'", needle):
        index = text.find(quoted)
        if index >= 0:
            return text.count("\n", 0, index) + 1
    return default

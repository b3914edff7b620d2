"""A whole revision's declared requirements: every dependency file read once, each entry kept once."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from mosaic_hooks.detect.requirements.model import DeclaredSet, Reader
from mosaic_hooks.detect.requirements.pyproject import parse_pyproject
from mosaic_hooks.detect.requirements.requirements_txt import parse_requirements_file
from mosaic_hooks.detect.requirements.setup_files import parse_setup_cfg, parse_setup_py


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

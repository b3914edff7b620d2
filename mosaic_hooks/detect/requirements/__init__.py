"""Declared requirements: requirements files, pyproject.toml and setuptools files, parsed statically,
compared by name.

Pure: files arrive as bytes through a `read(path)` callback (so `-r` includes can be followed inside
the revision being read), nothing here touches the disk, git or the network. A file that does not parse
becomes a `Problem` with its line.

One module per format (requirements_txt, pyproject, poetry, setup_files), one for a single requirement
string (pep508), the shared model, a whole revision (revision.collect) and what changed between two
(changes.diff). Callers import from this package.
"""

from mosaic_hooks.detect.requirements.changes import diff
from mosaic_hooks.detect.requirements.model import (
    Declared,
    DeclaredSet,
    Problem,
    Reader,
    canonical,
    is_development_file,
    is_development_group,
)
from mosaic_hooks.detect.requirements.pep508 import parse_requirement_string
from mosaic_hooks.detect.requirements.poetry import poetry_constraint
from mosaic_hooks.detect.requirements.pyproject import parse_pyproject, project_name
from mosaic_hooks.detect.requirements.requirements_txt import parse_requirements_file
from mosaic_hooks.detect.requirements.revision import collect
from mosaic_hooks.detect.requirements.setup_files import parse_setup_cfg, parse_setup_py

__all__ = [
    "Declared",
    "DeclaredSet",
    "Problem",
    "Reader",
    "canonical",
    "collect",
    "diff",
    "is_development_file",
    "is_development_group",
    "parse_pyproject",
    "parse_requirement_string",
    "parse_requirements_file",
    "parse_setup_cfg",
    "parse_setup_py",
    "poetry_constraint",
    "project_name",
]

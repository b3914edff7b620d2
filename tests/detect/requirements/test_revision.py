"""A whole revision's declared requirements: every source read once, constraints declare nothing."""

from __future__ import annotations

from mosaic_hooks.detect.requirements import collect
from tests.detect.requirements.helpers import reader


def test_collect_reads_every_source_once() -> None:
    files = {"requirements.txt": "-r requirements-dev.txt\nflask\n", "requirements-dev.txt": "pytest\n",
             "pyproject.toml": '[project]\nname = "svc"\ndependencies = []\n'}
    declared = collect(files, reader(files))
    assert declared.declares_any
    assert sorted(declared.sources) == ["pyproject.toml", "requirements-dev.txt", "requirements.txt"]
    assert sorted((e.name, e.file) for e in declared.entries) == [("flask", "requirements.txt"),
                                                                    ("pytest", "requirements-dev.txt")]


def test_a_constraints_file_is_checked_but_declares_nothing() -> None:
    files = {"constraints.txt": "django<5\nbroken >=< 1\n", "requirements.txt": "-c constraints.txt\ndjango\n"}
    declared = collect(["constraints.txt", "requirements.txt"], reader(files))
    assert [(e.name, e.file) for e in declared.entries] == [("django", "requirements.txt")]
    assert [(p.file, p.line) for p in declared.problems] == [("constraints.txt", 2)]

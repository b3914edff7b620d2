"""What a change adds, removes or changes, by normalised name; what is only reformatting or moving."""

from __future__ import annotations

from mosaic_hooks.detect.requirements import diff, parse_pyproject, parse_requirements_file
from tests.detect.requirements.helpers import reader


def test_diff_reports_added_removed_and_changed_by_normalised_name() -> None:
    old_files = {"requirements.txt": "Flask==3.0\nrequests\ncelery>=5\n"}
    new_files = {"requirements.txt": "flask==3.1  # bumped\nhttpx>=0.27\ncelery >= 5\n"}
    old, _ = parse_requirements_file("requirements.txt", reader(old_files))
    new, _ = parse_requirements_file("requirements.txt", reader(new_files))
    changes, touched = diff(old, new)
    assert [(r.name, r.specifier) for r in changes.added] == [("httpx", ">=0.27")]
    assert [r.name for r in changes.removed] == ["requests"]
    assert [(u.name, u.old, u.new, u.file) for u in changes.changed] == [
        ("flask", "==3.0", "==3.1", "requirements.txt")]
    assert sorted(e.name for e in touched) == ["flask", "httpx"]


def test_reformatting_or_moving_lines_changes_nothing() -> None:
    old, _ = parse_requirements_file("r.txt", reader({"r.txt": "a>=1,<2\nb\n"}))
    new, _ = parse_requirements_file("r.txt", reader({"r.txt": "# deps\nB\na <2 , >=1\n"}))
    changes, touched = diff(old, new)
    assert (changes.added, changes.removed, changes.changed, touched) == ([], [], [], [])


def test_a_change_of_extras_or_marker_is_a_change() -> None:
    old, _ = parse_requirements_file("r.txt", reader({"r.txt": "httpx>=0.27\n"}))
    new, _ = parse_requirements_file("r.txt", reader({"r.txt": "httpx[http2]>=0.27; python_version >= '3.10'\n"}))
    changes, _ = diff(old, new)
    assert [(u.old, u.new) for u in changes.changed] == [(">=0.27", '[http2]>=0.27; python_version >= "3.10"')]


def test_a_requirement_moved_to_another_file_of_the_same_kind_is_neither_added_nor_removed() -> None:
    old_files = {"requirements.txt": "flask==3.0\nrich\n"}
    new_files = {"requirements.txt": "-r requirements/base.txt\n", "requirements/base.txt": "flask==3.0\nrich>=13\n"}
    old, _ = parse_requirements_file("requirements.txt", reader(old_files))
    new, _ = parse_requirements_file("requirements.txt", reader(new_files))
    changes, touched = diff(old, new)
    assert [(r.name, r.specifier, r.file) for r in changes.added] == [("rich", ">=13", "requirements/base.txt")]
    assert [(r.name, r.file) for r in changes.removed] == [("rich", "requirements.txt")]
    assert changes.changed == [] and [e.name for e in touched] == ["rich"]


def test_moving_a_runtime_requirement_to_a_dev_group_is_a_change() -> None:
    old, _, _ = parse_pyproject("pyproject.toml", b'[project]\nname = "s"\ndependencies = ["rich"]\n')
    new, _, _ = parse_pyproject("pyproject.toml", b'[project]\nname = "s"\ndependencies = []\n'
                                                  b'[dependency-groups]\ndev = ["rich"]\n')
    changes, _ = diff(old, new)
    assert [r.name for r in changes.added] == ["rich"] and [r.name for r in changes.removed] == ["rich"]

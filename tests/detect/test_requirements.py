"""Requirements files and pyproject.toml: what they declare, what a change adds, and where they break."""

from __future__ import annotations

import pytest

from mosaic_hooks.detect.requirements import (
    Declared,
    collect,
    diff,
    is_development_file,
    parse_pyproject,
    parse_requirements_file,
    parse_setup_cfg,
    parse_setup_py,
    poetry_constraint,
    project_name,
)


def reader(files: dict[str, str]):  # type: ignore[no-untyped-def]
    return lambda path: files[path].encode() if path in files else None


def names(entries: list[Declared]) -> dict[str, str]:
    return {entry.name: entry.specifier for entry in entries}


def test_plain_lines_extras_markers_and_names_are_normalised() -> None:
    files = {"requirements.txt": (
        "Flask_SQLAlchemy==3.1.1\n"
        "httpx[http2] >= 0.27, <1  # the client\n"
        "tomli>=2; python_version < '3.11'\n"
        "\n# a comment line\n"
    )}
    entries, problems = parse_requirements_file("requirements.txt", reader(files))
    assert problems == []
    assert names(entries) == {"flask-sqlalchemy": "==3.1.1", "httpx": "<1,>=0.27", "tomli": ">=2"}
    httpx = next(e for e in entries if e.name == "httpx")
    assert httpx.extras == ("http2",) and httpx.line == 2
    tomli = next(e for e in entries if e.name == "tomli")
    assert tomli.marker == 'python_version < "3.11"'


def test_continuation_lines_hashes_and_option_lines() -> None:
    files = {"requirements.txt": (
        "--index-url https://pypi.example/simple\n"
        "--extra-index-url=https://other.example/simple\n"
        "--require-hashes\n"
        "requests==2.32.3 \\\n"
        "    --hash=sha256:aaaa \\\n"
        "    --hash=sha256:bbbb\n"
        "-f ./wheels\n"
        "urllib3==2.2.2 --hash=sha256:cccc\n"
    )}
    entries, problems = parse_requirements_file("requirements.txt", reader(files))
    assert problems == []
    assert names(entries) == {"requests": "==2.32.3", "urllib3": "==2.2.2"}
    assert next(e for e in entries if e.name == "requests").line == 4


def test_includes_resolve_relative_to_the_including_file_and_constraints_declare_nothing() -> None:
    files = {
        "requirements/prod.txt": "-r base.txt\n-c ../constraints.txt\ngunicorn\n",
        "requirements/base.txt": "django>=4.2\n--requirement=common/extra.txt\n",
        "requirements/common/extra.txt": "celery\n",
        "constraints.txt": "django<5\n",
    }
    entries, problems = parse_requirements_file("requirements/prod.txt", reader(files))
    assert problems == []
    assert names(entries) == {"gunicorn": "", "django": ">=4.2", "celery": ""}
    assert {e.name: e.file for e in entries}["django"] == "requirements/base.txt"


def test_include_cycles_stop_and_missing_or_outside_includes_are_problems() -> None:
    files = {
        "a.txt": "-r b.txt\nalpha\n-r missing.txt\n-r ../../etc/passwd\n",
        "b.txt": "-r a.txt\nbeta\n",
    }
    entries, problems = parse_requirements_file("a.txt", reader(files))
    assert names(entries) == {"alpha": "", "beta": ""}
    assert [str(p) for p in problems] == [
        "a.txt:3: includes 'missing.txt', which does not exist (missing.txt)",
        "a.txt:4: includes '../../etc/passwd', which is outside the repository",
    ]


def test_urls_editables_and_local_paths() -> None:
    files = {"requirements.txt": (
        "mylib @ https://files.example/mylib-1.0.tar.gz\n"
        "-e git+https://github.com/org/tool.git@v1#egg=Tool_Kit\n"
        "https://files.example/wheels/other_pkg-2.0-py3-none-any.whl\n"
        "-e .\n"
        "./vendored/thing\n"
        "git+https://github.com/org/noname.git\n"
        "${PRIVATE_PACKAGE_URL}\n"
    )}
    entries, problems = parse_requirements_file("requirements.txt", reader(files))
    assert problems == []
    by_name = {e.name: e for e in entries}
    assert set(by_name) == {"mylib", "tool-kit", "other-pkg"}
    assert by_name["mylib"].url == "https://files.example/mylib-1.0.tar.gz"
    assert by_name["mylib"].install_argument() == "mylib @ https://files.example/mylib-1.0.tar.gz"
    assert by_name["tool-kit"].url.startswith("git+https://")


def test_a_line_that_does_not_parse_is_reported_with_its_line() -> None:
    files = {"requirements.txt": "flask\nrequests >== 2\n--no-such-option\n"}
    entries, problems = parse_requirements_file("requirements.txt", reader(files))
    assert names(entries) == {"flask": ""}
    assert [(p.file, p.line) for p in problems] == [("requirements.txt", 2), ("requirements.txt", 3)]
    assert "invalid requirement 'requests >== 2'" in str(problems[0])


def test_dev_requirement_files_are_optional() -> None:
    files = {"requirements-dev.txt": "pytest\n", "requirements.txt": "flask\n"}
    dev, _ = parse_requirements_file("requirements-dev.txt", reader(files))
    prod, _ = parse_requirements_file("requirements.txt", reader(files))
    assert dev[0].optional and not prod[0].optional


PYPROJECT = """\
[project]
name = "My_Service"
dependencies = [
    "fastapi>=0.110",
    "uvicorn[standard]",
]

[project.optional-dependencies]
postgres = ["psycopg[binary]>=3.1"]

[dependency-groups]
test = ["pytest>=8", {include-group = "lint"}]
lint = ["ruff"]

[tool.poetry.dependencies]
python = "^3.10"
pydantic = "^2.5"
requests = { version = "~2.31", extras = ["socks"] }
mylib = { git = "https://github.com/org/mylib.git", tag = "v1.0" }

[tool.poetry.group.docs.dependencies]
mkdocs = "*"

[tool.uv]
dev-dependencies = ["mypy>=1.10"]
"""


def test_pyproject_reads_every_table_and_skips_python() -> None:
    entries, problems, declares = parse_pyproject("pyproject.toml", PYPROJECT.encode())
    assert problems == [] and declares
    by_name = {e.name: e for e in entries}
    assert names(entries) == {
        "fastapi": ">=0.110", "uvicorn": "", "psycopg": ">=3.1", "pytest": ">=8", "ruff": "",
        "pydantic": "<3,>=2.5", "requests": "<2.32,>=2.31", "mylib": "", "mkdocs": "", "mypy": ">=1.10",
    }
    assert "python" not in by_name
    assert by_name["fastapi"].group == "project.dependencies" and not by_name["fastapi"].optional
    assert by_name["psycopg"].group == "project.optional-dependencies.postgres" and by_name["psycopg"].optional
    assert by_name["ruff"].group == "dependency-groups.lint"
    assert by_name["requests"].extras == ("socks",)
    assert by_name["mylib"].url == "git+https://github.com/org/mylib.git@v1.0"
    assert by_name["mypy"].group == "tool.uv.dev-dependencies"
    assert by_name["fastapi"].line == 4
    assert project_name(PYPROJECT.encode()) == "my-service"


@pytest.mark.parametrize(("poetry", "pep440"), [
    ("^1.2.3", "<2,>=1.2.3"),
    ("^0.2.3", "<0.3,>=0.2.3"),
    ("^0.0.3", "<0.0.4,>=0.0.3"),
    ("^0", "<1,>=0"),
    ("~1.2.3", "<1.3,>=1.2.3"),
    ("~1.2", "<1.3,>=1.2"),
    ("~1", "<2,>=1"),
    ("~=1.4", "~=1.4"),
    ("1.2.3", "==1.2.3"),
    ("1.2.*", "==1.2.*"),
    (">= 1.2, < 2.0", "<2.0,>=1.2"),
    ("*", ""),
    ("^1.0 || ^2.0", "^1.0 || ^2.0"),  # no PEP 440 form: kept as written
])
def test_poetry_constraints_are_translated_to_pep440(poetry: str, pep440: str) -> None:
    assert poetry_constraint(poetry) == pep440


def test_invalid_toml_is_reported_with_its_line() -> None:
    text = b'[project]\nname = "x"\ndependencies = [\n  "a",\n  b\n]\n'
    entries, problems, _ = parse_pyproject("pyproject.toml", text)
    assert entries == []
    assert problems[0].file == "pyproject.toml" and problems[0].line == 5
    assert "invalid TOML" in problems[0].message


def test_a_bad_requirement_string_in_pyproject_is_reported_at_its_line() -> None:
    text = '[project]\nname = "x"\ndependencies = [\n  "flask",\n  "requests >== 2",\n]\n'
    entries, problems, _ = parse_pyproject("pyproject.toml", text.encode())
    assert names(entries) == {"flask": ""}
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [(5, "invalid requirement 'requests >== 2'")]


def test_unknown_included_dependency_group_is_a_problem() -> None:
    text = '[dependency-groups]\ntest = ["pytest", {include-group = "typo"}]\n'
    _, problems, _ = parse_pyproject("pyproject.toml", text.encode())
    assert [str(p) for p in problems] == ["pyproject.toml:2: dependency group 'test' includes unknown group 'typo'"]


def test_a_pyproject_with_only_tool_settings_declares_nothing() -> None:
    _, _, declares = parse_pyproject("pyproject.toml", b"[tool.ruff]\nline-length = 100\n")
    assert not declares
    assert not collect(["pyproject.toml"], reader({"pyproject.toml": "[tool.ruff]\n"})).declares_any


def test_collect_reads_every_source_once() -> None:
    files = {"requirements.txt": "-r requirements-dev.txt\nflask\n", "requirements-dev.txt": "pytest\n",
             "pyproject.toml": '[project]\nname = "svc"\ndependencies = []\n'}
    declared = collect(files, reader(files))
    assert declared.declares_any
    assert sorted(declared.sources) == ["pyproject.toml", "requirements-dev.txt", "requirements.txt"]
    assert sorted((e.name, e.file) for e in declared.entries) == [("flask", "requirements.txt"),
                                                                    ("pytest", "requirements-dev.txt")]


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


def test_setup_cfg_install_requires_and_extras() -> None:
    text = ("[metadata]\nname = svc\n\n[options]\npackages = find:\ninstall_requires =\n    flask>=3  # web\n"
            "    # a comment\n    click\n\n[options.extras_require]\ntest = pytest\n")
    entries, problems, declares = parse_setup_cfg("setup.cfg", text.encode())
    assert problems == [] and declares
    assert [(e.name, e.specifier, e.line, e.optional) for e in entries] == [
        ("flask", ">=3", 7, False), ("click", "", 9, False), ("pytest", "", 12, True)]


def test_setup_py_literal_requirements_are_read_without_running_it() -> None:
    text = ("import os\nfrom setuptools import setup\nos._exit(3)\nsetup(\n    name='svc',\n"
            "    install_requires=['requests>=2', 'rich'],\n    extras_require={'dev': ['pytest']},\n)\n")
    entries, problems, declares = parse_setup_py("setup.py", text.encode())
    assert problems == [] and declares
    assert [(e.name, e.group) for e in entries] == [("requests", "install_requires"), ("rich", "install_requires"),
                                                     ("pytest", "extras_require.dev")]
    computed = b"from setuptools import setup\nsetup(install_requires=open('r.txt').read().split())\n"
    assert parse_setup_py("setup.py", computed) == ([], [], False)


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


def test_a_constraints_file_is_checked_but_declares_nothing() -> None:
    files = {"constraints.txt": "django<5\nbroken >=< 1\n", "requirements.txt": "-c constraints.txt\ndjango\n"}
    declared = collect(["constraints.txt", "requirements.txt"], reader(files))
    assert [(e.name, e.file) for e in declared.entries] == [("django", "requirements.txt")]
    assert [(p.file, p.line) for p in declared.problems] == [("constraints.txt", 2)]


@pytest.mark.parametrize(("path", "development"), [
    ("requirements-dev.txt", True), ("dev-requirements.txt", True), ("requirements/test.txt", True),
    ("requirements_docs.txt", True), ("requirements.txt", False), ("requirements-scipy.txt", False),
    ("requirements/production.txt", False), ("requirements-docker.txt", False),
])
def test_development_files_are_told_by_their_name(path: str, development: bool) -> None:
    assert is_development_file(path) is development

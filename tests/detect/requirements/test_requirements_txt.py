"""pip requirements files: what they declare, how includes and options are read, where they break."""

from __future__ import annotations

import pytest

from mosaic_hooks.detect.requirements import is_development_file, parse_requirements_file
from tests.detect.requirements.helpers import names, reader


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


@pytest.mark.parametrize(("path", "development"), [
    ("requirements-dev.txt", True), ("dev-requirements.txt", True), ("requirements/test.txt", True),
    ("requirements_docs.txt", True), ("requirements.txt", False), ("requirements-scipy.txt", False),
    ("requirements/production.txt", False), ("requirements-docker.txt", False),
])
def test_development_files_are_told_by_their_name(path: str, development: bool) -> None:
    assert is_development_file(path) is development

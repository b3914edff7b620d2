"""pyproject.toml: every dependency table it declares, and where it breaks."""

from __future__ import annotations

from mosaic_hooks.detect.requirements import collect, parse_pyproject, project_name
from tests.detect.requirements.helpers import names, reader

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

"""The fuzz strategies draw what their documentation says, checked against reference parsers."""

from __future__ import annotations

import ast
import contextlib
import json
import re
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from packaging.requirements import InvalidRequirement, Requirement
from prometheus_client.parser import text_string_to_metric_families

from tests.support import fuzz

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover (Python 3.10)
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

SETTINGS = settings(max_examples=max(10, fuzz.FUZZ_EXAMPLES // 4), deadline=None)
# The format git writes (githooks(5)): four fields, one object format per line.
GIT_LINE = re.compile(r"^(?:refs/\S+|\(delete\)) ([0-9a-f]{40}|[0-9a-f]{64}) refs/\S+ ([0-9a-f]{40}|[0-9a-f]{64})$")


@SETTINGS
@given(fuzz.pre_push_line())
def test_valid_pre_push_lines_are_in_gits_format(line: str) -> None:
    match = GIT_LINE.match(line)
    assert match is not None
    assert len(match.group(1)) == len(match.group(2))
    if line.startswith("(delete)"):
        assert set(match.group(1)) == {"0"}


@SETTINGS
@given(fuzz.malformed_pre_push_line())
def test_malformed_pre_push_lines_are_not(line: str) -> None:
    match = GIT_LINE.match(line)
    if match is not None:  # right shape: then the shas disagree in format or are both zero
        local, remote = match.group(1), match.group(2)
        assert len(local) != len(remote) or set(local + remote) == {"0"}


@SETTINGS
@given(fuzz.valid_pre_push_stdin())
def test_valid_stdin_is_lines_in_gits_format(data: bytes) -> None:
    assert all(GIT_LINE.match(line) for line in data.decode().splitlines())


@SETTINGS
@given(fuzz.toml_document(keys=["backend_url", "p95_limit_ms"], header="tool.mosaic"))
def test_toml_documents_parse_and_hold_the_drawn_table(text: str) -> None:
    data = tomllib.loads(text)
    assert isinstance(data["tool"]["mosaic"], dict)


@SETTINGS
@given(fuzz.toml_tables(["health_path"]))
def test_toml_dumps_round_trips(table: dict[str, Any]) -> None:
    parsed = tomllib.loads(fuzz.toml_dumps(table))
    if not _has_nan(table):  # nan != nan
        assert parsed == table


def _has_nan(value: Any) -> bool:
    if isinstance(value, float):
        return value != value
    if isinstance(value, list):
        return any(_has_nan(item) for item in value)
    if isinstance(value, dict):
        return any(_has_nan(item) for item in value.values())
    return False


@SETTINGS
@given(fuzz.broken_toml_text(keys=["backend_url"], header="tool.mosaic"))
def test_broken_toml_does_not_parse(text: str) -> None:
    with pytest.raises(tomllib.TOMLDecodeError):
        tomllib.loads(text)


@SETTINGS
@given(fuzz.env_values())
def test_env_values_can_be_put_in_an_environment(value: str) -> None:
    assert "\x00" not in value
    value.encode("utf-8")  # no lone surrogates


@SETTINGS
@given(fuzz.pep508_requirement())
def test_pep508_requirements_parse(line: str) -> None:
    Requirement(line.split("  #", 1)[0])


@SETTINGS
@given(fuzz.requirement_line())
def test_requirement_lines_are_requirements_options_comments_or_blanks(line: str) -> None:
    first = line.split("\\\n", 1)[0].split("  #", 1)[0].strip()
    if first and not first.startswith(("-", "#")):
        Requirement(first)


@pytest.mark.parametrize("line", ["==1.0", "flask==", "flask[", "flask ; bogus", "fl ask", "flask @"])
def test_the_listed_malformed_requirements_do_not_parse(line: str) -> None:
    with pytest.raises(InvalidRequirement):
        Requirement(line)


@SETTINGS
@given(fuzz.python_source())
def test_python_sources_compile(source: str) -> None:
    compile(source, "app.py", "exec")


@SETTINGS
@given(fuzz.broken_python_source())
def test_broken_python_sources_do_not(source: str) -> None:
    with pytest.raises(SyntaxError):
        compile(source, "app.py", "exec")


@pytest.mark.parametrize("kind", fuzz.NESTING_KINDS)
def test_deep_nesting_fails_only_with_the_documented_errors(kind: str) -> None:
    assert ast.parse(fuzz.deeply_nested_source(kind, 3))
    with contextlib.suppress(*fuzz.PYTHON_PARSE_ERRORS):
        ast.parse(fuzz.deeply_nested_source(kind, 5000))


def test_unknown_nesting_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown nesting kind"):
        fuzz.deeply_nested_source("spirals", 3)


@SETTINGS
@given(fuzz.python_source_bytes())
def test_python_source_bytes_fail_only_with_the_documented_errors(data: bytes) -> None:
    with contextlib.suppress(*fuzz.PYTHON_PARSE_ERRORS):
        ast.parse(data)


def test_an_enormous_source_is_valid_and_big() -> None:
    data = fuzz.enormous_source(routes=2000, filler_lines=10000)
    assert len(data) > 200_000
    tree = ast.parse(data)
    assert sum(isinstance(node, ast.FunctionDef) for node in tree.body) == 2000


@SETTINGS
@given(fuzz.render_deploy(valid=True))
def test_valid_deploys_have_the_documented_fields(deploy: dict[str, Any]) -> None:
    assert deploy["id"].startswith("dep-")
    assert deploy["status"] in fuzz.DEPLOY_STATUSES
    assert re.fullmatch(r"[0-9a-f]{40}", deploy["commit"]["id"])
    json.dumps(deploy)


@SETTINGS
@given(fuzz.render_deploy(commit="a" * 40))
def test_mutated_deploys_are_json_objects(deploy: dict[str, Any]) -> None:
    assert isinstance(deploy, dict)
    json.dumps(deploy)


@SETTINGS
@given(fuzz.render_deploy_page())
def test_deploy_pages_are_json(page: Any) -> None:
    json.dumps(page)


def _resolve(doc: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/")
    node: Any = doc
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in _refs(item)]
    return []


@SETTINGS
@given(fuzz.openapi_document())
def test_valid_openapi_documents_resolve_every_ref(doc: dict[str, Any]) -> None:
    assert doc["openapi"].startswith("3.")
    assert all(path.startswith("/") for path in doc["paths"])
    for ref in _refs(doc):
        assert isinstance(_resolve(doc, ref), dict)


@SETTINGS
@given(fuzz.broken_openapi_document())
def test_broken_openapi_documents_are_json(doc: Any) -> None:
    json.dumps(doc)


@SETTINGS
@given(fuzz.prometheus_text())
def test_valid_exposition_parses(text: str) -> None:
    families = list(text_string_to_metric_families(text))
    assert families


@SETTINGS
@given(fuzz.unparseable_prometheus_text())
def test_unparseable_exposition_does_not(text: str) -> None:
    with pytest.raises((ValueError, IndexError, KeyError, TypeError)):
        list(text_string_to_metric_families(text))


@SETTINGS
@given(fuzz.semantically_broken_prometheus_text())
def test_semantically_broken_exposition_still_parses(text: str) -> None:
    assert list(text_string_to_metric_families(text))



@SETTINGS
@given(fuzz.history_record())
def test_valid_history_records_follow_the_agreed_fields(record: dict[str, Any]) -> None:
    assert fuzz.history_record_problems(record) == []
    assert set(record) == fuzz.HISTORY_FIELDS
    assert record["success"] == (record["verdict"] == "pass")
    json.dumps(record)


@SETTINGS
@given(fuzz.history_record(valid=False))
def test_invalid_history_records_have_problems(record: dict[str, Any]) -> None:
    assert fuzz.history_record_problems(record)
    json.dumps(record, default=str)


@pytest.mark.parametrize(("change", "problem"), [
    ({"schema": 2}, "schema is not 1"),
    ({"success": False}, "success does not match the verdict"),
    ({"timestamp": "2026-11-24T18:00:00"}, "timestamp is not a UTC time ending in Z"),
    ({"commit": "abc1234"}, "commit is not a full sha"),
    ({"commits": None}, "commits is not a list of {sha, ...}"),
    ({"gates": [{"name": "health", "status": "ok"}]}, "gates is not a list of {name, status, summary}"),
    ({"duration_s": -1}, "duration_s is not a number >= 0"),
    ({"extra": 1}, "unknown field 'extra'"),
    ({"id": ""}, "id is not a non-empty string"),
])
def test_the_reference_validator_names_each_problem(change: dict[str, Any], problem: str) -> None:
    record = {"schema": 1, "timestamp": "2026-11-24T18:00:00Z", "commit": "a" * 40, "base": None, "success": True,
              "verdict": "pass", "failure_reason": None, "service": None, "deploy_id": None,
              "deploy_created_at": None, "deploy_live_at": None, "commits": [], "remediation": False, "gates": [],
              "duration_s": 1.5}
    assert fuzz.history_record_problems(record) == []
    assert fuzz.history_record_problems({**record, "id": "0f3c"}) == []  # optional: old records have none
    assert fuzz.history_record_problems({**record, **change}) == [problem]
    assert fuzz.history_record_problems([]) == ["not an object"]

"""`openapi_documents`: when a committed OpenAPI document is a source of endpoints in `changes --json`.

"auto" (the default): only when no code defines routes; "always": beside the code's routes; "never": not at
all. The persistent endpoint cache holds code and documents apart, so a warm cache answers every setting.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import commit_files, git, run_cli

APP = "from fastapi import FastAPI\napp = FastAPI()\n\n@app.get('/health')\ndef health():\n    return {}\n"
DOCUMENT = ("openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n"
            "  /health: {get: {responses: {'200': {description: ok}}}}\n"
            "  /reports/{id}: {get: {responses: {'200': {description: ok}}}}\n")


def changes(repo: Path, base: str, head: str, setting: str | None) -> dict[str, list[dict[str, object]]]:
    env = {"MOSAIC_OPENAPI_DOCUMENTS": setting} if setting else {}
    proc = run_cli("changes", "--base", base, "--head", head, "--json", cwd=repo, env=env)
    assert proc.returncode == 0, proc.stderr
    endpoints: dict[str, list[dict[str, object]]] = json.loads(proc.stdout)["endpoints"]
    return endpoints


def listed(endpoints: dict[str, list[dict[str, object]]], kind: str) -> list[tuple[object, object, object]]:
    return [(e["method"], e["path"], e["source"]) for e in endpoints[kind]]


def test_a_document_committed_beside_code_routes_counts_only_when_configured_always(repo: Path) -> None:
    base = commit_files(repo, {"app.py": APP})
    head = commit_files(repo, {"docs/openapi.yaml": DOCUMENT})
    assert listed(changes(repo, base, head, None), "added") == []  # "auto": the code is the source
    assert listed(changes(repo, base, head, "auto"), "added") == []
    assert listed(changes(repo, base, head, "never"), "added") == []
    # "always": the document's route the code lacks is added, from the document; /health is the code's.
    assert listed(changes(repo, base, head, "always"), "added") == [("GET", "/reports/{id}", "openapi")]
    # ... and deleting the document removes it again, only under "always".
    git(repo, "rm", "-q", "docs/openapi.yaml")
    git(repo, "commit", "-q", "--no-verify", "-m", "drop the document")
    after = git(repo, "rev-parse", "HEAD")
    assert listed(changes(repo, head, after, "always"), "removed") == [("GET", "/reports/{id}", "openapi")]
    assert listed(changes(repo, head, after, "auto"), "removed") == []


def test_a_document_without_code_routes_is_the_source_unless_configured_never(repo: Path) -> None:
    base = commit_files(repo, {"service/README.md": "a service documented only by its API\n"})
    head = commit_files(repo, {"api/openapi.yaml": DOCUMENT})
    expected = [("GET", "/health", "openapi"), ("GET", "/reports/{id}", "openapi")]
    assert listed(changes(repo, base, head, None), "added") == expected
    assert listed(changes(repo, base, head, "always"), "added") == expected
    assert listed(changes(repo, base, head, "never"), "added") == []


def test_the_setting_is_read_from_the_project_configuration(repo: Path) -> None:
    base = commit_files(repo, {"app.py": APP})
    head = commit_files(repo, {"docs/openapi.yaml": DOCUMENT})
    (repo / "pyproject.toml").write_text('[tool.mosaic]\nopenapi_documents = "always"\n')
    assert listed(changes(repo, base, head, None), "added") == [("GET", "/reports/{id}", "openapi")]


def test_the_warm_cache_answers_each_setting_as_a_cold_one_would(repo: Path) -> None:
    base = commit_files(repo, {"app.py": APP})
    head = commit_files(repo, {"docs/openapi.yaml": DOCUMENT})
    cache = repo / ".git" / "mosaic-hooks" / "cache"
    assert listed(changes(repo, base, head, "never"), "added") == []
    stored = sorted(p.name for p in cache.rglob("*.json"))
    assert stored  # both revisions' results are stored ...
    assert listed(changes(repo, base, head, "always"), "added") == [("GET", "/reports/{id}", "openapi")]
    assert listed(changes(repo, base, head, "never"), "added") == []
    assert listed(changes(repo, base, head, "auto"), "added") == []
    assert sorted(p.name for p in cache.rglob("*.json")) == stored  # ... and served every setting


def test_an_unknown_setting_is_one_line_and_exit_2(repo: Path) -> None:
    base = commit_files(repo, {"app.py": APP})
    proc = run_cli("changes", "--base", base, "--json", cwd=repo, env={"MOSAIC_OPENAPI_DOCUMENTS": "sometimes"})
    assert proc.returncode == 2
    assert "'openapi_documents' must be one of 'auto', 'always', 'never', got 'sometimes'" in proc.stderr
    assert "Traceback" not in proc.stderr

"""`mosaic-hooks changes`: the range a user asks about, as JSON or a short summary."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import commit_files, git, run_cli


def test_json_has_the_documented_shape(repo: Path) -> None:
    base = commit_files(repo, {"requirements.txt": "flask==3.0\nrequests\n"})
    head = commit_files(repo, {"requirements.txt": "flask==3.1\nhttpx>=0.27\n",
                               "migrations/versions/a.py": "revision = 'a1'\ndown_revision = None\n"})
    proc = run_cli("changes", "--base", base, "--head", head, "--json", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data) == {"base", "head", "endpoints", "requirements", "migrations", "warnings"}
    assert (data["base"], data["head"]) == (base, head)
    assert set(data["endpoints"]) == {"added", "removed", "changed"}
    assert data["requirements"]["added"] == [{"name": "httpx", "specifier": ">=0.27", "file": "requirements.txt",
                                              "marker": "", "dev": False}]
    assert data["requirements"]["removed"][0]["name"] == "requests"
    assert data["requirements"]["changed"] == [{"name": "flask", "old": "==3.0", "new": "==3.1",
                                                "file": "requirements.txt", "dev": False}]
    assert data["migrations"] == {"added": [{"id": "a1", "file": "migrations/versions/a.py"}], "heads": ["a1"],
                                  "tool": "alembic"}


def test_the_default_base_is_the_upstream(repo: Path, remote: Path) -> None:
    commit_files(repo, {"requirements.txt": "flask\n"})
    git(repo, "push", "-q", "--no-verify")
    upstream = git(repo, "rev-parse", "HEAD")
    commit_files(repo, {"requirements.txt": "flask\nhttpx\n"})
    proc = run_cli("changes", "--json", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["base"] == upstream
    assert [r["name"] for r in data["requirements"]["added"]] == ["httpx"]
    assert proc.stderr == ""


def test_without_an_upstream_it_compares_with_the_parent_and_says_so(repo: Path) -> None:
    parent = commit_files(repo, {"requirements.txt": "flask\n"})
    commit_files(repo, {"requirements.txt": "flask\nhttpx\n"})
    proc = run_cli("changes", "--json", cwd=repo)
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["base"] == parent  # stdout is still exactly one JSON object
    assert "has no upstream; comparing with the parent commit" in proc.stderr and "--base" in proc.stderr


def test_staged_compares_the_index_with_head(repo: Path) -> None:
    commit_files(repo, {"requirements.txt": "flask\n"})
    (repo / "requirements.txt").write_text("flask\nrich>=13\n")
    git(repo, "add", "requirements.txt")
    proc = run_cli("changes", "--staged", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert "..(staged)" in proc.stdout.splitlines()[0]
    assert "requirement + rich>=13  (requirements.txt)" in proc.stdout


def test_a_summary_says_when_nothing_changed(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD")
    commit_files(repo, {"README.md": "more\n"})
    proc = run_cli("changes", "--base", base, cwd=repo)
    assert proc.returncode == 0
    assert "no endpoint, requirement or migration changes" in proc.stdout


def test_an_unknown_revision_is_one_line_and_exit_2(repo: Path) -> None:
    proc = run_cli("changes", "--base", "no-such-branch", cwd=repo)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "mosaic-hooks: --base no-such-branch: no such commit in this repository "
        "(hint: give a branch, tag or commit sha (see `git log --oneline`))"]


def test_introspect_needs_commits_and_a_module_colon_app(repo: Path) -> None:
    staged = run_cli("changes", "--staged", "--introspect", "app.main:app", cwd=repo)
    assert staged.returncode == 2 and "--introspect loads commits" in staged.stderr
    bad = run_cli("changes", "--introspect", "app.main", cwd=repo)
    assert bad.returncode == 2 and "expected MODULE:APP" in bad.stderr


APP = """\
from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
"""


def test_introspect_loads_the_app_at_both_revisions_and_says_it_ran_project_code(repo: Path) -> None:
    base = commit_files(repo, {"svc/__init__.py": "", "svc/main.py": APP})
    head = commit_files(repo, {"svc/main.py": APP + '\n\n@app.get("/items/{item_id}")\n'
                                                 "def item(item_id: int) -> int:\n    return item_id\n"})
    proc = run_cli("changes", "--base", base, "--head", head, "--json", "--introspect", "svc.main:app",
                   "--timeout", "60", cwd=repo, timeout=120)
    assert proc.returncode == 0, proc.stderr
    added = json.loads(proc.stdout)["endpoints"]["added"]
    assert [(e["method"], e["path"]) for e in added] == [("GET", "/items/{item_id}")]
    assert "--introspect executed project code" in proc.stderr


def test_json_and_summary_say_which_endpoints_are_kept_out_of_the_openapi_schema(repo: Path) -> None:
    base = commit_files(repo, {"app.py": "from fastapi import FastAPI\napp = FastAPI(docs_url=None, redoc_url=None)\n"})
    head = commit_files(repo, {"app.py": (repo / "app.py").read_text() + (
        "@app.get('/items')\ndef items(): ...\n"
        "@app.get('/metrics', include_in_schema=False)\ndef metrics(): ...\n")})
    proc = run_cli("changes", "--base", base, "--head", head, "--json", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    added = {e["path"]: e["in_schema"] for e in json.loads(proc.stdout)["endpoints"]["added"]}
    assert added == {"/items": True, "/metrics": False}
    summary = run_cli("changes", "--base", base, "--head", head, cwd=repo).stdout
    assert "endpoint + GET /metrics  (app.py:5)  [not in the OpenAPI schema]" in summary
    assert "endpoint + GET /items  (app.py:3)\n" in summary

"""What a change does to the endpoints: added, removed, changed, and the refactors that change nothing."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from mosaic_hooks.core import git as gitmod
from mosaic_hooks.detect.changeset import Endpoint
from mosaic_hooks.detect.endpoints import endpoint_changes
from mosaic_hooks.detect.snapshot import DictSnapshot, EmptySnapshot, GitSnapshot

from .helpers import commit_tree, git

ITEMS = (
    "from fastapi import APIRouter\n"
    "router = APIRouter(prefix='/items')\n\n"
    "@router.get('/{item_id}')\n"
    "def read_item(item_id: int):\n"
    "    return {'id': item_id}\n"
)
MAIN = (
    "from fastapi import FastAPI\n"
    "from app.routes import items\n"
    "app = FastAPI(openapi_url=None)\n"
    "app.include_router(items.router, prefix='/api')\n"
)
BASE = {"app/__init__.py": "", "app/routes/__init__.py": "", "app/routes/items.py": ITEMS, "app/main.py": MAIN}


def changes(base: dict[str, str], head: dict[str, str]) -> tuple[list[tuple[str, str]], list[tuple[str, str]],
                                                                 list[tuple[str, str]], list[str]]:
    changed = sorted(p for p in set(base) | set(head) if base.get(p) != head.get(p))
    result, warnings = endpoint_changes(DictSnapshot(base), DictSnapshot(head), changed)
    return ([e.key for e in result.added], [e.key for e in result.removed], [e.key for e in result.changed],
            warnings)


def test_an_added_route_is_added_with_its_full_path() -> None:
    head = dict(BASE, **{"app/routes/items.py": ITEMS + "\n@router.post('/')\ndef create(): ...\n"})
    added, removed, changed, _ = changes(BASE, head)
    assert (added, removed, changed) == ([("POST", "/api/items/")], [], [])


def test_a_deleted_router_module_removes_its_routes() -> None:
    head = {k: v for k, v in BASE.items() if k != "app/routes/items.py"}
    head["app/main.py"] = "from fastapi import FastAPI\napp = FastAPI(openapi_url=None)\n"
    assert changes(BASE, head)[:3] == ([], [("GET", "/api/items/{item_id}")], [])


def test_moving_the_prefix_from_include_router_to_the_router_changes_nothing() -> None:
    head = dict(BASE)
    head["app/routes/items.py"] = ITEMS.replace("prefix='/items'", "prefix='/api/items'")
    head["app/main.py"] = MAIN.replace(", prefix='/api'", "")
    assert changes(BASE, head) == ([], [], [], [])


def test_renaming_the_handler_editing_its_body_and_reordering_decorators_changes_nothing() -> None:
    head = dict(BASE)
    head["app/routes/items.py"] = (
        "import functools\nfrom fastapi import APIRouter\nrouter = APIRouter(prefix='/items')\n\n"
        "def traced(f):\n    return f\n\n"
        "@traced\n@router.get('/{item_id}', summary='Read one item')\n"
        "async def get_one_item(item_id: int):\n    item = {'id': item_id, 'name': 'x'}\n    return item\n")
    assert changes(BASE, head) == ([], [], [], [])


def test_moving_a_route_to_another_module_keeping_its_path_changes_nothing() -> None:
    head = dict(BASE)
    head["app/routes/items.py"] = "from fastapi import APIRouter\nrouter = APIRouter(prefix='/items')\n"
    head["app/routes/reading.py"] = (
        "from app.routes.items import router\n@router.get('/{item_id}')\ndef read_item(item_id: int): ...\n")
    head["app/main.py"] = MAIN.replace("from app.routes import items",
                                       "from app.routes import items\nimport app.routes.reading")
    assert changes(BASE, head) == ([], [], [], [])


def test_changing_a_method_is_one_removed_and_one_added_endpoint() -> None:
    head = dict(BASE, **{"app/routes/items.py": ITEMS.replace("@router.get", "@router.put")})
    assert changes(BASE, head)[:3] == ([("PUT", "/api/items/{item_id}")], [("GET", "/api/items/{item_id}")], [])


def test_renaming_a_path_parameter_changes_the_route_template() -> None:
    head = dict(BASE, **{"app/routes/items.py": ITEMS.replace("{item_id}", "{id}").replace("item_id", "id")})
    assert changes(BASE, head)[:3] == ([("GET", "/api/items/{id}")], [("GET", "/api/items/{item_id}")], [])


def test_changing_a_prefix_constant_in_an_unrelated_looking_module_moves_every_route() -> None:
    base = dict(BASE)
    base["app/config.py"] = "PREFIX = '/api'\n"
    base["app/main.py"] = MAIN.replace("prefix='/api'", "prefix=PREFIX").replace(
        "from app.routes import items", "from app.routes import items\nfrom app.config import PREFIX")
    head = dict(base, **{"app/config.py": "PREFIX = '/api/v2'\n"})
    assert changes(base, head)[:3] == ([("GET", "/api/v2/items/{item_id}")], [("GET", "/api/items/{item_id}")], [])


def test_a_change_to_non_python_files_reads_nothing() -> None:
    class Untouchable:
        def paths(self) -> list[str]:
            raise AssertionError("paths() called")

        def read(self, paths: Iterable[str]) -> dict[str, bytes]:
            raise AssertionError("read() called")

    result, warnings = endpoint_changes(Untouchable(), Untouchable(), ["README.md", "requirements.txt", "a.js"])
    assert (result.added, result.removed, result.changed, warnings) == ([], [], [], [])


def test_a_python_change_that_touches_no_route_reports_nothing() -> None:
    base = dict(BASE, **{"app/util.py": "def helper():\n    return 1\n"})
    head = dict(base, **{"app/util.py": "def helper():\n    return 2\n"})
    assert changes(base, head) == ([], [], [], [])


def test_a_root_commit_adds_every_endpoint() -> None:
    result, _ = endpoint_changes(EmptySnapshot(), DictSnapshot(BASE), sorted(BASE))
    assert [e.key for e in result.added] == [("GET", "/api/items/{item_id}")]


def test_a_file_broken_at_head_warns_and_does_not_remove_its_routes() -> None:
    head = dict(BASE, **{"app/routes/items.py": ITEMS + "\ndef broken(:\n"})
    added, removed, changed, warnings = changes(BASE, head)
    assert (added, removed, changed) == ([], [], [])
    assert warnings == ["app/routes/items.py: could not parse (line 8): invalid syntax"]


def test_a_broken_file_without_routes_is_still_a_warning() -> None:
    head = dict(BASE, **{"app/broken.py": "x = (\n"})
    assert changes(BASE, head)[3] == ["app/broken.py: could not parse (line 1): '(' was never closed"]


def test_endpoint_changes_between_two_real_commits(tmp_path: Path) -> None:
    repo_dir = tmp_path / "repo"
    repo_dir.mkdir()
    git(repo_dir, "init", "-q")
    base = commit_tree(repo_dir, BASE, "base")
    head = commit_tree(repo_dir, {
        "app/routes/items.py": ITEMS + "\n@router.delete('/{item_id}')\ndef delete_item(item_id: int): ...\n",
        "app/routes/users.py": "from fastapi import APIRouter\nrouter = APIRouter()\n@router.get('/users')\n"
                               "def users(): ...\n",
        "app/main.py": MAIN + "from app.routes import users\napp.include_router(users.router)\n",
        "README.md": "docs\n",
    }, "head")
    repo = gitmod.find_repo(repo_dir)
    paths = gitmod.changed_paths(repo, base, head)
    result, warnings = endpoint_changes(GitSnapshot(repo, base), GitSnapshot(repo, head), paths)
    assert result.added == [Endpoint("DELETE", "/api/items/{item_id}", "app/routes/items.py", 8, "fastapi"),
                            Endpoint("GET", "/users", "app/routes/users.py", 3, "fastapi")]
    assert result.added[0].line == 8 and result.added[1].file == "app/routes/users.py"
    assert (result.removed, result.changed, warnings) == ([], [], [])


def test_the_staged_index_is_a_revision_too(tmp_path: Path) -> None:
    repo_dir = tmp_path / "repo"
    repo_dir.mkdir()
    git(repo_dir, "init", "-q")
    base = commit_tree(repo_dir, BASE, "base")
    (repo_dir / "app/routes/items.py").write_text(ITEMS.replace("/{item_id}", "/by-id/{item_id}"))
    git(repo_dir, "add", "app/routes/items.py")
    repo = gitmod.find_repo(repo_dir)
    paths = gitmod.changed_paths(repo, base, None)
    result, _ = endpoint_changes(GitSnapshot(repo, base), GitSnapshot(repo, None), paths)
    assert [e.key for e in result.added] == [("GET", "/api/items/by-id/{item_id}")]
    assert [e.key for e in result.removed] == [("GET", "/api/items/{item_id}")]


def test_which_paths_can_change_endpoints() -> None:
    from mosaic_hooks.detect.endpoints import is_endpoint_source

    assert is_endpoint_source("app/routes/items.py") and is_endpoint_source("api/openapi.yaml")
    assert is_endpoint_source("docs/openapi.v1.json")  # a spec in docs/ is the contract...
    assert not is_endpoint_source("docs/conf.py")  # ...but Python under docs/ is sample code
    assert not any(is_endpoint_source(p) for p in ["README.md", "tests/test_api.py", "app/test_items.py",
                                                   "requirements.txt", "frontend/app.ts", "conftest.py",
                                                   "tests/fixtures/openapi.json"])

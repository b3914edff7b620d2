"""Commit by commit, endpoint_changes agrees with the diff of what the app itself reports.

This is the measurement the issue describes (added/removed endpoints per commit against the routes the
loaded app lists), on a short realistic history mixing real API changes with refactors.
"""

from __future__ import annotations

from pathlib import Path

from mosaic_hooks.core import git as gitmod
from mosaic_hooks.detect.endpoints import endpoint_changes, introspect_endpoints
from mosaic_hooks.detect.snapshot import EmptySnapshot, GitSnapshot

from .helpers import commit_tree, git

MAIN = '''from fastapi import FastAPI

from app.api import api_router
from app.config import settings

app = FastAPI(openapi_url=None)
app.include_router(api_router, prefix=settings.API_PREFIX)
'''
CONFIG = '''class Settings:
    API_PREFIX: str = "/api/v1"


settings = Settings()
'''
API = '''from fastapi import APIRouter

from app.routes import items

api_router = APIRouter()
api_router.include_router(items.router, prefix="/items")
'''
ITEMS = '''from fastapi import APIRouter

router = APIRouter()


@router.get("/")
def list_items():
    return []
'''

HISTORY: list[tuple[str, dict[str, str], tuple[str, ...]]] = [
    ("initial", {"app/__init__.py": "", "app/routes/__init__.py": "", "app/main.py": MAIN, "app/config.py": CONFIG,
                 "app/api.py": API, "app/routes/items.py": ITEMS}, ()),
    ("add a detail route", {"app/routes/items.py": ITEMS + '''

@router.get("/{item_id}")
def read_item(item_id: int):
    return {}
'''}, ()),
    ("refactor: prefix moves into the router", {
        "app/api.py": API.replace(', prefix="/items"', ""),
        "app/routes/items.py": ITEMS.replace("APIRouter()", 'APIRouter(prefix="/items")') + '''

@router.get("/{item_id}")
def read_item(item_id: int):
    return {}
'''}, ()),
    ("refactor: rename handlers and edit bodies", {
        "app/routes/items.py": ITEMS.replace("APIRouter()", 'APIRouter(prefix="/items")').replace(
            "def list_items():\n    return []", "def all_items():\n    items = []\n    return items") + '''

@router.get("/{item_id}")
def get_one(item_id: int):
    return {"id": item_id}
'''}, ()),
    ("new users module included", {
        "app/routes/users.py": '''from fastapi import APIRouter

router = APIRouter(prefix="/users")


@router.post("/")
def create_user():
    return {}


@router.delete("/{user_id}")
def delete_user(user_id: int):
    return {}
''',
        "app/api.py": API.replace(', prefix="/items"', "").replace("import items", "import items, users")
        + "api_router.include_router(users.router)\n"}, ()),
    ("version bump moves every route", {"app/config.py": CONFIG.replace("/api/v1", "/api/v2")}, ()),
    ("docs only", {"README.md": "# service\n"}, ()),
    ("users module removed", {"app/api.py": API.replace(', prefix="/items"', "")}, ("app/routes/users.py",)),
]


def test_every_commit_reports_what_the_app_reports(tmp_path: Path) -> None:
    repo_dir = tmp_path / "repo"
    repo_dir.mkdir()
    git(repo_dir, "init", "-q")
    repo = gitmod.find_repo(repo_dir)
    previous: str | None = None
    previous_routes: set[tuple[str, str]] = set()
    for message, files, deleted in HISTORY:
        sha = commit_tree(repo_dir, files, message, delete=deleted)
        routes = {e.key for e in introspect_endpoints(repo, sha, "app.main:app", timeout=60)}
        paths = gitmod.changed_paths(repo, previous, sha)
        base = GitSnapshot(repo, previous) if previous is not None else EmptySnapshot()
        result, warnings = endpoint_changes(base, GitSnapshot(repo, sha), paths)
        assert {e.key for e in result.added} == routes - previous_routes, message
        assert {e.key for e in result.removed} == previous_routes - routes, message
        assert (result.changed, warnings) == ([], []), message
        previous, previous_routes = sha, routes

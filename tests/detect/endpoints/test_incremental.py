"""The endpoint cache: what a warm run answers is what a cold run answers.

Real repositories, the real `analyze` path (git snapshots, the cache under .git). The reference for
every warm answer is a cold run (the cache directory removed first) of the same range.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from mosaic_hooks.core import git as mgit
from mosaic_hooks.detect.analyze import analyze
from mosaic_hooks.detect.cache import ENDPOINTS, AnalysisCache, analyser_id, cache_dir, endpoints_key
from mosaic_hooks.detect.changeset import EndpointChanges
from mosaic_hooks.detect.endpoints import incremental
from mosaic_hooks.detect.endpoints.revision import RevisionEndpoints
from mosaic_hooks.detect.project_env import environment_fingerprint, project_site_packages
from tests.conftest import commit_files, git

MAIN = """\
from fastapi import FastAPI
from app.routes import router

app = FastAPI()
app.include_router(router)
"""

SETTINGS = 'PREFIX = "/v1"\n'

ROUTES = """\
from fastapi import APIRouter
from app.settings import PREFIX

router = APIRouter(prefix=PREFIX)


@router.get("/items")
def list_items():
    return []


@router.post("/items")
def create_item():
    return {"created": True}
"""

HELPERS = "def shout(text):\n    return text.upper()\n"


def project(repo: Path) -> str:
    return commit_files(repo, {"app/__init__.py": "", "app/main.py": MAIN, "app/settings.py": SETTINGS,
                               "app/routes.py": ROUTES, "app/helpers.py": HELPERS})


def stage(repo: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (repo / name).write_text(text)
    git(repo, "add", *files)


def changes(repo: Path, base: str, head: str | None = None) -> EndpointChanges:
    return analyze(mgit.find_repo(repo), base, head).endpoints


def cold(repo: Path, base: str, head: str | None = None) -> EndpointChanges:
    shutil.rmtree(cache_dir(mgit.find_repo(repo)), ignore_errors=True)
    return changes(repo, base, head)


def summary(found: EndpointChanges) -> dict[str, list[tuple[str, str, str, int]]]:
    return {kind: [(e.method, e.path, e.file, e.line) for e in getattr(found, kind)]
            for kind in ("added", "removed", "changed")}


def store(repo: Path) -> AnalysisCache:
    return AnalysisCache(cache_dir(mgit.find_repo(repo)))


def key_of(repo: Path, rev: str | None) -> str:
    """The cache key of a revision, as the analysis makes it (the project's environment included)."""
    environment = environment_fingerprint(project_site_packages(repo))
    return endpoints_key(mgit.blob_ids(mgit.find_repo(repo), rev), analyser_id(), environment)


def stored(repo: Path, rev: str | None) -> RevisionEndpoints | None:
    """The cached result of a revision (None: the index), or None if there is none."""
    data = store(repo).get(ENDPOINTS, key_of(repo, rev))
    return incremental.from_json(data) if data is not None else None


def entry_files(repo: Path) -> list[Path]:
    return sorted(cache_dir(mgit.find_repo(repo)).glob("*.json"))


def test_a_warm_run_gives_the_endpoints_of_a_cold_run(repo: Path) -> None:
    base = project(repo)
    head = commit_files(repo, {"app/routes.py": ROUTES + '\n\n@router.delete("/items/{id}")\ndef drop(id):\n'
                                                         '    return None\n'})
    reference = summary(cold(repo, base, head))
    assert reference["added"] == [("DELETE", "/v1/items/{id}", "app/routes.py", 17)]
    assert summary(changes(repo, base, head)) == reference  # both sides from the cache now
    assert stored(repo, base) is not None and stored(repo, head) is not None


def test_a_hit_is_served_from_the_cache_without_interpreting(repo: Path) -> None:
    base = project(repo)
    head = commit_files(repo, {"app/routes.py": ROUTES.replace('"/items")\ndef create', '"/things")\ndef create')})
    changes(repo, base, head)
    # Rewrite the stored head result as a marker: a warm run that re-interpreted would not see it.
    key = key_of(repo, head)
    result = stored(repo, head)
    assert result is not None
    result.endpoints = [e for e in result.endpoints if e.path != "/v1/things"]
    store(repo).put(ENDPOINTS, key, incremental.to_json(result))
    assert summary(changes(repo, base, head))["added"] == []


def test_an_edit_inside_a_handler_is_derived_with_the_lines_a_cold_run_finds(repo: Path) -> None:
    base = project(repo)
    changes(repo, base, base)  # nothing relevant changed: nothing analysed, nothing stored
    assert entry_files(repo) == []
    edited = "# a comment that moves every line down\n\n" + ROUTES.replace("return []", "return [1, 2]")
    head = commit_files(repo, {"app/routes.py": edited})
    assert summary(changes(repo, base, head)) == summary(cold(repo, base, head))
    derived = stored(repo, head)
    changes(repo, base, head)
    shutil.rmtree(cache_dir(mgit.find_repo(repo)))
    changes(repo, head, base)  # head analysed cold this time (as the base of the reverse range)
    assert derived is not None and stored(repo, head) is not None
    assert incremental.to_json(derived) == incremental.to_json(stored(repo, head))  # type: ignore[arg-type]


def test_a_changed_route_module_is_analysed_again(repo: Path) -> None:
    base = project(repo)
    changes(repo, base, base)
    first = commit_files(repo, {"app/helpers.py": HELPERS + "\nX = 1\n"})
    changes(repo, base, first)  # warm: base and first stored
    stage(repo, {"app/routes.py": ROUTES.replace('@router.get("/items")', '@router.get("/goods")')})
    found = summary(changes(repo, first))
    assert found == summary(cold(repo, first))
    assert [(m, p) for m, p, _, _ in found["added"]] == [("GET", "/v1/goods")]
    assert [(m, p) for m, p, _, _ in found["removed"]] == [("GET", "/v1/items")]


def test_a_module_whose_dependency_changed_is_interpreted_again(repo: Path) -> None:
    base = project(repo)
    changes(repo, base, commit_files(repo, {"app/helpers.py": HELPERS + "\nY = 2\n"}))  # base result stored
    head = commit_files(repo, {"app/settings.py": 'PREFIX = "/v2"\n'})  # no route in it, but routes.py reads it
    found = summary(changes(repo, base, head))
    assert sorted(p for _, p, _, _ in found["added"]) == ["/v2/items", "/v2/items"]
    assert sorted(p for _, p, _, _ in found["removed"]) == ["/v1/items", "/v1/items"]
    assert found == summary(cold(repo, base, head))


def test_a_file_the_analysis_never_read_changes_nothing_and_is_not_interpreted(repo: Path) -> None:
    base = project(repo)
    changes(repo, base, commit_files(repo, {"app/helpers.py": HELPERS + "\nZ = 3\n"}))
    before = stored(repo, base)
    assert before is not None and "app/helpers.py" not in before.probed
    stage(repo, {"app/helpers.py": HELPERS + "\nZ = 4\n"})
    assert summary(changes(repo, "HEAD")) == {"added": [], "removed": [], "changed": []}
    staged = stored(repo, None)
    assert staged is not None and incremental.to_json(staged) == incremental.to_json(stored(repo, "HEAD"))  # type: ignore[arg-type]


def test_a_corrupt_or_truncated_entry_is_ignored_and_rewritten(repo: Path) -> None:
    base = project(repo)
    head = commit_files(repo, {"app/routes.py": ROUTES + '\n\n@router.put("/items")\ndef put():\n    return 1\n'})
    reference = summary(cold(repo, base, head))
    files = entry_files(repo)
    assert len(files) == 2
    files[0].write_bytes(files[0].read_bytes()[:40])  # truncated mid-header
    data = bytearray(files[1].read_bytes())
    data[-5] ^= 0x20  # one flipped bit in the payload
    files[1].write_bytes(bytes(data))
    assert store(repo).get(ENDPOINTS, files[0].stem.split("-", 1)[1]) is None
    assert store(repo).get(ENDPOINTS, files[1].stem.split("-", 1)[1]) is None
    assert summary(changes(repo, base, head)) == reference
    assert stored(repo, base) is not None and stored(repo, head) is not None  # both written again


def test_an_openapi_document_change_is_seen_while_the_code_result_is_reused(repo: Path) -> None:
    spec = ('openapi: "3.0.0"\ninfo: {title: t, version: "1"}\npaths:\n'
            '  /health:\n    get:\n      responses: {"200": {description: ok}}\n')
    # Code that defines no route: the document is the source of endpoints (issue 16).
    base = commit_files(repo, {"app/__init__.py": "", "app/settings.py": SETTINGS, "docs/openapi.yaml": spec})
    changes(repo, base, commit_files(repo, {"app/helpers.py": HELPERS}))
    ready = '  /ready:\n    get:\n      responses: {"200": {description: ok}}\n'
    head = commit_files(repo, {"docs/openapi.yaml": spec + ready})
    found = summary(changes(repo, base, head))
    assert found == summary(cold(repo, base, head))
    assert found["added"] == [("GET", "/ready", "docs/openapi.yaml", 7)]


def test_a_document_beside_code_stays_no_source_when_the_result_is_derived(repo: Path) -> None:
    spec = ('openapi: "3.0.0"\ninfo: {title: t, version: "1"}\npaths:\n'
            '  /health:\n    get:\n      responses: {"200": {description: ok}}\n')
    base = commit_files(repo, {"app/__init__.py": "", "app/main.py": MAIN, "app/settings.py": SETTINGS,
                               "app/routes.py": ROUTES, "docs/openapi.yaml": spec})
    changes(repo, base, commit_files(repo, {"app/helpers.py": HELPERS}))
    ready = '  /ready:\n    get:\n      responses: {"200": {description: ok}}\n'
    head = commit_files(repo, {"docs/openapi.yaml": spec + ready})
    found = summary(changes(repo, base, head))
    assert found == summary(cold(repo, base, head)) == {"added": [], "removed": [], "changed": []}
    derived = stored(repo, head)
    assert derived is not None and ("GET", "/ready") in derived.specs  # kept, for a side without code routes


def test_a_function_body_the_analysis_ran_is_compared_too(repo: Path) -> None:
    routes = ROUTES.replace("router = APIRouter(prefix=PREFIX)",
                            'def make_prefix():\n    return "/v1"\n\n\nrouter = APIRouter(prefix=make_prefix())')
    base = commit_files(repo, {"app/__init__.py": "", "app/main.py": MAIN, "app/settings.py": SETTINGS,
                               "app/routes.py": routes})
    changes(repo, base, commit_files(repo, {"app/helpers.py": HELPERS}))
    head = commit_files(repo, {"app/routes.py": routes.replace('return "/v1"', 'return "/v3"')})
    found = summary(changes(repo, base, head))
    assert sorted(p for _, p, _, _ in found["added"]) == ["/v3/items", "/v3/items"]
    assert found == summary(cold(repo, base, head))

"""analyze(): a real repository's range (or staged index) read through git, analysed once."""

from __future__ import annotations

from pathlib import Path

from mosaic_hooks.core import git as mgit
from mosaic_hooks.detect.analyze import analyze, analyze_full
from tests.conftest import commit_files, git


def sha(repo: Path, rev: str = "HEAD") -> str:
    return git(repo, "rev-parse", rev)


def test_requirements_added_removed_and_changed_between_two_commits(repo: Path) -> None:
    base = commit_files(repo, {"requirements.txt": "flask==3.0\nrequests\n-r requirements/extra.txt\n",
                               "requirements/extra.txt": "celery>=5\n"})
    head = commit_files(repo, {"requirements.txt": "flask==3.1\nhttpx>=0.27\n-r requirements/extra.txt\n",
                               "requirements/extra.txt": "celery>=5.3\n"})
    changes = analyze(mgit.find_repo(repo), base, head)
    assert (changes.base, changes.head) == (base, head)
    assert [(r.name, r.specifier, r.file) for r in changes.requirements.added] == [
        ("httpx", ">=0.27", "requirements.txt")]
    assert [r.name for r in changes.requirements.removed] == ["requests"]
    assert sorted((u.name, u.old, u.new, u.file) for u in changes.requirements.changed) == [
        ("celery", ">=5", ">=5.3", "requirements/extra.txt"), ("flask", "==3.0", "==3.1", "requirements.txt")]


def test_pyproject_dependencies_compared_by_normalised_name(repo: Path) -> None:
    base = commit_files(repo, {"pyproject.toml": '[project]\nname = "s"\ndependencies = ["Flask_Login>=0.6"]\n'})
    head = commit_files(repo, {"pyproject.toml": '[project]\nname = "s"\ndependencies = ["flask-login>=0.6", '
                                                 '"sqlalchemy>=2"]\n'})
    changes = analyze(mgit.find_repo(repo), base, head)
    assert [(r.name, r.file) for r in changes.requirements.added] == [("sqlalchemy", "pyproject.toml")]
    assert changes.requirements.changed == [] and changes.requirements.removed == []


def test_the_staged_index_is_analysed_when_head_is_none(repo: Path) -> None:
    base = commit_files(repo, {"requirements.txt": "flask\n"})
    (repo / "requirements.txt").write_text("flask\nhttpx\n")
    git(repo, "add", "requirements.txt")
    (repo / "requirements.txt").write_text("flask\nhttpx\nnot-staged\n")  # the work tree is not the index
    changes = analyze(mgit.find_repo(repo), base, None)
    assert changes.head is None
    assert [r.name for r in changes.requirements.added] == ["httpx"]


def test_a_root_commit_counts_everything_as_added(tmp_path: Path) -> None:
    path = tmp_path / "fresh"
    path.mkdir()
    git(path, "init", "-q")
    head = commit_files(path, {"requirements.txt": "flask\n",
                               "migrations/versions/1_init.py": "revision = 'r1'\ndown_revision = None\n"})
    changes = analyze(mgit.find_repo(path), None, head)
    assert [r.name for r in changes.requirements.added] == ["flask"]
    assert [m.id for m in changes.migrations.added] == ["r1"] and changes.migrations.heads == ["r1"]


def test_migrations_added_in_the_range_and_heads(repo: Path) -> None:
    base = commit_files(repo, {"alembic.ini": "[alembic]\nscript_location = db\n",
                               "db/versions/a.py": "revision = 'a1'\ndown_revision = None\n"})
    commit_files(repo, {"db/versions/b.py": "revision = 'b2'\ndown_revision = 'a1'\n"})
    head = commit_files(repo, {"db/versions/c.py": "revision: str = 'c3'\ndown_revision = 'b2'\n"})
    changes = analyze(mgit.find_repo(repo), base, head)
    assert [(m.id, m.file) for m in changes.migrations.added] == [
        ("b2", "db/versions/b.py"), ("c3", "db/versions/c.py")]
    assert changes.migrations.heads == ["c3"] and changes.migrations.tool == "alembic"


def test_a_requirements_file_that_does_not_parse_is_a_warning_with_its_line(repo: Path) -> None:
    base = commit_files(repo, {"requirements.txt": "flask\n"})
    head = commit_files(repo, {"requirements.txt": "flask\nhttpx >=< 1\nrich\n"})
    analysis = analyze_full(mgit.find_repo(repo), base, head)
    assert [r.name for r in analysis.changeset.requirements.added] == ["rich"]
    assert any(w.startswith("requirements.txt:2: invalid requirement") for w in analysis.changeset.warnings)
    assert [(p.file, p.line) for p in analysis.requirement_problems] == [("requirements.txt", 2)]


def test_a_change_touching_no_relevant_file_reads_nothing(repo: Path) -> None:
    base = commit_files(repo, {"requirements.txt": "flask\n", "app.py": "import flask\n"})
    head = commit_files(repo, {"README.md": "more docs\n", "static/site.css": "body {}\n"})
    analysis = analyze_full(mgit.find_repo(repo), base, head)
    assert analysis.changeset.is_empty and analysis.changeset.warnings == []
    assert (analysis.base.reads, analysis.head.reads) == (0, 0)
    assert analysis.head._paths is None and analysis.base._paths is None  # not even the file list


def test_the_changed_paths_given_by_the_caller_are_used(repo: Path) -> None:
    base = commit_files(repo, {"requirements.txt": "flask\n"})
    head = commit_files(repo, {"requirements.txt": "flask\nhttpx\n"})
    changes = analyze(mgit.find_repo(repo), base, head, paths=["README.md"])
    assert changes.is_empty


def test_git_snapshots_read_many_files_by_blob_id_at_a_commit_and_in_the_index(repo: Path) -> None:
    from mosaic_hooks.detect.snapshot import GitSnapshot

    files = {f"pkg/m{i:02d}.py": f"x = {i}\n" for i in range(40)}
    head = commit_files(repo, {**files, "link/sub.txt": "s\n"})
    (repo / "pkg" / "m00.py").write_text("x = 'staged'\n")
    git(repo, "add", "pkg/m00.py")
    found = mgit.find_repo(repo)
    wanted = [*files, "missing.py"]
    at_commit = GitSnapshot(found, head).read(wanted)
    in_index = GitSnapshot(found, None).read(wanted)
    assert at_commit == {path: text.encode() for path, text in files.items()}
    assert in_index["pkg/m00.py"] == b"x = 'staged'\n" and in_index["pkg/m39.py"] == b"x = 39\n"
    assert "missing.py" not in in_index
    few = GitSnapshot(found, head).read(["pkg/m01.py", "missing.py"])  # a few files: read by name
    assert few == {"pkg/m01.py": b"x = 1\n"}


def test_endpoints_come_from_the_endpoint_extraction_through_the_same_snapshots(repo: Path) -> None:
    app = ("from fastapi import APIRouter, FastAPI\n\nrouter = APIRouter(prefix='/items')\n\n\n"
           "@router.get('/{item_id}')\ndef read(item_id: int) -> int:\n    return item_id\n")
    base = commit_files(repo, {"app/__init__.py": "", "app/main.py": app + "\napp = FastAPI()\n"
                               "app.include_router(router, prefix='/api')\n"})
    head = commit_files(repo, {"app/main.py": app + "\n\n@router.post('')\ndef create() -> None:\n    pass\n"
                               "\napp = FastAPI()\napp.include_router(router, prefix='/api')\n"})
    changes = analyze(mgit.find_repo(repo), base, head)
    assert [(e.method, e.path, e.file) for e in changes.endpoints.added] == [("POST", "/api/items", "app/main.py")]
    assert changes.endpoints.removed == []

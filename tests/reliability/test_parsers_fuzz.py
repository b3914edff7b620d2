"""Every parser at the edge on random and crafted bad input: none raises; each gives its documented answer
(a list of problems or warnings, a documented error, or one line and the documented exit code on the CLI).

In process (hypothesis, bounded by `fuzz.FUZZ_SETTINGS`): requirements files and pyproject, Python sources
through endpoint extraction, migrations, the pre-push stdin, Render API JSON through `wait_for_deploy` over
real HTTP, OpenAPI documents through the contract check, Prometheus exposition through the monitoring
check's parser. As a user runs them: `mosaic-hooks pre-push` with garbage stdin, `changes --json` / `check`
in odd git states, `wait` against a Render API that answers nonsense.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mosaic_hooks.core import exit_codes
from mosaic_hooks.core.errors import MosaicError
from mosaic_hooks.detect import migrations, requirements
from mosaic_hooks.detect.changeset import Endpoint
from mosaic_hooks.detect.snapshot import DictSnapshot
from mosaic_hooks.hooks.push_range import PushInputError, parse_push_lines
from mosaic_hooks.render.outcome import WaitState
from tests.conftest import commit_files, git, run_cli
from tests.support import fuzz
from tests.support.reliability_log import ReliabilityLog, has_traceback, is_one_line

SETTINGS = fuzz.FUZZ_SETTINGS
FEW = settings(parent=fuzz.FUZZ_SETTINGS, max_examples=max(10, fuzz.FUZZ_EXAMPLES // 5))
ANY_BYTES = st.binary(max_size=2000)
CLI_BOUND_S = 15.0


# -- requirements and pyproject --------------------------------------------------------------------------------


@given(files=st.dictionaries(st.sampled_from(["requirements.txt", "requirements-dev.txt", "base.txt"]),
                             st.one_of(fuzz.requirements_text().map(str.encode), ANY_BYTES,
                                       st.lists(fuzz.malformed_requirement_line()).map(
                                           lambda lines: "\n".join(lines).encode())), min_size=1))
@SETTINGS
def test_requirements_files_give_problems_not_exceptions(files: dict[str, bytes], reliability_log: ReliabilityLog,
                                                         tally_store: dict[str, Any]) -> None:
    with _tally(tally_store, "requirements", reliability_log, "requirements files").case():
        declared, problems = requirements.parse_requirements_file("requirements.txt", files.get)
        assert all(problem.file and problem.message and "\n" not in str(problem) for problem in problems)
        assert all(entry.name for entry in declared)


@given(data=st.one_of(fuzz.toml_file_bytes(["dependencies", "name", "optional-dependencies"], header="project"),
                      fuzz.toml_file_bytes(["dependencies", "group"], header="tool.poetry"), ANY_BYTES,
                      st.just(fuzz.deeply_nested_toml(1500, header="project").encode())))
@SETTINGS
def test_pyproject_gives_problems_not_exceptions(data: bytes, reliability_log: ReliabilityLog,
                                                 tally_store: dict[str, Any]) -> None:
    with _tally(tally_store, "pyproject", reliability_log, "pyproject.toml dependencies").case():
        _declared, problems, _has_table = requirements.parse_pyproject("pyproject.toml", data)
        assert all(problem.message for problem in problems)
        requirements.project_name(data)


# -- Python sources, endpoint extraction, migrations -----------------------------------------------------------


@given(sources=st.lists(st.one_of(fuzz.python_source_bytes(), fuzz.broken_python_source().map(str.encode),
                                  fuzz.deeply_nested_sources(3000).map(str.encode), ANY_BYTES),
                        min_size=1, max_size=3))
@SETTINGS
def test_endpoint_extraction_warns_on_sources_it_cannot_read(sources: list[bytes], reliability_log: ReliabilityLog,
                                                              tally_store: dict[str, Any]) -> None:
    from mosaic_hooks.detect.endpoints import extract_endpoints

    snapshot = DictSnapshot({f"app/m{n}.py": data for n, data in enumerate(sources)})
    with _tally(tally_store, "endpoints", reliability_log, "endpoint extraction (Python sources)").case():
        endpoints, warnings = extract_endpoints(snapshot)
        assert all(isinstance(warning, str) and "\n" not in warning.strip() for warning in warnings)
        assert all(endpoint.path.startswith("/") or endpoint.path == "" or endpoint.path for endpoint in endpoints)


def test_an_enormous_source_is_read_within_bounds(reliability_log: ReliabilityLog) -> None:
    from mosaic_hooks.detect.endpoints import extract_endpoints

    started = time.monotonic()
    endpoints, warnings = extract_endpoints(DictSnapshot({"app/huge.py": fuzz.enormous_source(2000, 20_000)}))
    elapsed = time.monotonic() - started
    reliability_log.bad_input("extract_endpoints", "enormous source (2000 routes, 20k filler lines)", exit_code=0,
                              expected_exit=0, output="", elapsed=elapsed, bound=20.0)
    assert len([e for e in endpoints if e.path.endswith("/{item_id}")]) == 2000, warnings
    assert elapsed < 20.0


@given(files=st.dictionaries(
    st.sampled_from(["migrations/versions/a.py", "alembic/versions/b.py", "app/migrations/0001_initial.py",
                     "app/migrations/0002_x.py", "alembic.ini", "db/alembic.ini"]),
    st.one_of(fuzz.python_source_bytes(), ANY_BYTES, st.text(max_size=300).map(str.encode),
              st.builds(lambda r, d: f"revision = {r!r}\ndown_revision = {d!r}\n".encode(),
                        st.text(max_size=8), st.one_of(st.none(), st.text(max_size=8), st.lists(st.text(max_size=4))))),
    min_size=1))
@SETTINGS
def test_migrations_warn_on_files_they_cannot_read(files: dict[str, bytes], reliability_log: ReliabilityLog,
                                                    tally_store: dict[str, Any]) -> None:
    with _tally(tally_store, "migrations", reliability_log, "migrations (Alembic, Django)").case():
        _changes, warnings = migrations.migration_changes(DictSnapshot({}), DictSnapshot(files), sorted(files))
        assert all(isinstance(warning, str) for warning in warnings)
        for path, data in files.items():
            if path.endswith(".ini"):
                migrations.version_dirs_from_ini(path, data)
            else:
                migrations.read_alembic_revision(path, data)


# -- pre-push stdin -----------------------------------------------------------------------------------------------


@given(data=st.one_of(fuzz.pre_push_stdin(), ANY_BYTES))
@SETTINGS
def test_pre_push_lines_parse_or_are_refused_in_one_line(data: bytes, reliability_log: ReliabilityLog,
                                                         tally_store: dict[str, Any]) -> None:
    tally = _tally(tally_store, "pre-push", reliability_log, "pre-push stdin", (PushInputError,))
    with tally.case():
        try:
            updates = parse_push_lines(data.decode("utf-8", "surrogateescape"))
        except PushInputError as exc:
            assert "\n" not in exc.line()
            raise
        assert all(len(update.local_sha) == len(update.remote_sha) for update in updates) or updates


PRE_PUSH_STDIN = [
    ("empty stdin", b"", exit_codes.PASSED),
    ("blank lines only", b"\n\n  \n", exit_codes.PASSED),
    ("NUL and control bytes", b"\x00\x01\x02 refs/heads/main\x00\n", exit_codes.USAGE),
    ("not UTF-8", b"\xff\xfe refs/heads/main \xc3\x28 refs/heads/main " + b"0" * 40 + b"\n", exit_codes.USAGE),
    ("a megabyte-long line", b"x" * 1_000_000 + b"\n", exit_codes.USAGE),
    ("three fields", b"refs/heads/main " + b"a" * 40 + b" refs/heads/main\n", exit_codes.USAGE),
    ("sha of the wrong length", b"refs/heads/main abc refs/heads/main " + b"0" * 40 + b"\n", exit_codes.USAGE),
    ("a valid line then garbage", b"refs/heads/main %(head)s refs/heads/main " + b"0" * 40 + b"\nnonsense\n",
     exit_codes.USAGE),
    ("an unknown local sha", b"refs/heads/main " + b"1" * 40 + b" refs/heads/main " + b"0" * 40 + b"\n",
     (exit_codes.PASSED, exit_codes.USAGE)),
]


@pytest.mark.parametrize(("case", "stdin", "expected"), PRE_PUSH_STDIN, ids=[c[0] for c in PRE_PUSH_STDIN])
def test_the_pre_push_hook_on_garbage_stdin(case: str, stdin: bytes, expected: int | tuple[int, ...], repo: Path,
                                            reliability_log: ReliabilityLog) -> None:
    import subprocess
    import sys

    head = git(repo, "rev-parse", "HEAD").encode()
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "mosaic_hooks", "pre-push", "origin", "/nowhere.git"], cwd=repo,
                          input=stdin.replace(b"%(head)s", head), capture_output=True, timeout=60)
    elapsed = time.monotonic() - started
    stderr = proc.stderr.decode("utf-8", "replace")
    accepted = expected if isinstance(expected, tuple) else (expected,)
    reliability_log.bad_input("mosaic-hooks pre-push", case, exit_code=proc.returncode, expected_exit=accepted,
                              output=stderr, elapsed=elapsed, bound=CLI_BOUND_S)
    assert not has_traceback(stderr), stderr
    assert proc.returncode in accepted, stderr
    if proc.returncode == exit_codes.USAGE:
        assert is_one_line(stderr) and stderr.startswith("mosaic-hooks: "), stderr
        assert len(stderr) < 400  # a megabyte of input is not echoed back
    assert elapsed < CLI_BOUND_S


# -- git states -------------------------------------------------------------------------------------------------


def _empty_repo(tmp: Path) -> Path:
    path = tmp / "empty"
    path.mkdir()
    git(path, "init", "-q")
    return path


def _unborn_branch(tmp: Path) -> Path:
    path = _with_commit(tmp)
    git(path, "checkout", "-q", "--orphan", "fresh")
    return path


def _with_commit(tmp: Path) -> Path:
    path = tmp / "work"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    commit_files(path, {"app.py": "from fastapi import FastAPI\napp = FastAPI()\n"}, "initial")
    return path


def _detached(tmp: Path) -> Path:
    path = _with_commit(tmp)
    commit_files(path, {"app.py": 'from fastapi import FastAPI\napp = FastAPI()\n@app.get("/a")\ndef a(): pass\n'},
                 "route")
    git(path, "checkout", "-q", "--detach", "HEAD~1")
    return path


def _shallow(tmp: Path) -> Path:
    origin = _with_commit(tmp)
    for n in range(3):
        commit_files(origin, {f"m{n}.py": f"x = {n}\n"}, f"c{n}")
    clone = tmp / "shallow"
    git(tmp, "clone", "-q", "--depth", "1", f"file://{origin}", str(clone))
    return clone


def _submodule(tmp: Path) -> Path:
    inner = tmp / "inner"
    inner.mkdir()
    git(inner, "init", "-q", "-b", "main")
    commit_files(inner, {"lib.py": "x = 1\n"}, "lib")
    path = _with_commit(tmp)
    git(path, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(inner), "vendor/inner")
    git(path, "commit", "-qm", "submodule")
    return path


def _renames(tmp: Path) -> Path:
    path = _with_commit(tmp)
    git(path, "mv", "app.py", "service.py")
    git(path, "commit", "-qm", "rename")
    return path


def _binary(tmp: Path) -> Path:
    path = _with_commit(tmp)
    (path / "logo.png").write_bytes(bytes(range(256)) * 64)
    (path / "weird.py").write_bytes(b"\x00\xff\xfe binary in a .py\n")
    (path / "requirements.txt").write_bytes(b"\xff\xfe\x00r\x00e\x00")
    git(path, "add", "-A")
    git(path, "commit", "-qm", "binary")
    return path


def _merge(tmp: Path) -> Path:
    path = _with_commit(tmp)
    git(path, "checkout", "-q", "-b", "side")
    commit_files(path, {"side.py": 'from fastapi import FastAPI\napp = FastAPI()\n@app.get("/s")\ndef s(): pass\n'},
                 "side")
    git(path, "checkout", "-q", "main")
    commit_files(path, {"main.py": "y = 2\n"}, "main work")
    git(path, "merge", "-q", "--no-edit", "side")
    return path


GIT_STATES = [("empty repository", _empty_repo), ("unborn branch", _unborn_branch),
              ("detached HEAD", _detached), ("shallow clone", _shallow), ("submodule", _submodule),
              ("renames", _renames), ("binary files", _binary), ("merge commit", _merge)]


@pytest.mark.parametrize(("state", "make"), GIT_STATES, ids=[s[0] for s in GIT_STATES])
def test_changes_and_check_in_odd_git_states(state: str, make: Any, tmp_path: Path,
                                             reliability_log: ReliabilityLog) -> None:
    path = make(tmp_path)
    for argv in (("changes", "--json"), ("check",)):
        started = time.monotonic()
        proc = run_cli(*argv, cwd=path, timeout=60)
        elapsed = time.monotonic() - started
        expected = (exit_codes.PASSED, exit_codes.FAILED, exit_codes.USAGE)
        reliability_log.bad_input(f"mosaic-hooks {' '.join(argv)}", state, exit_code=proc.returncode,
                                  expected_exit=expected, output=proc.stderr, elapsed=elapsed, bound=CLI_BOUND_S)
        assert not has_traceback(proc.stdout + proc.stderr), proc.stderr
        assert proc.returncode in expected, proc.stderr
        if proc.returncode == exit_codes.USAGE:
            assert is_one_line(proc.stderr), proc.stderr
        elif argv[0] == "changes":
            assert isinstance(json.loads(proc.stdout), dict)
        assert elapsed < CLI_BOUND_S


# -- Render API JSON, over real HTTP ----------------------------------------------------------------------------


class _ScriptedRender:
    """A tiny stdlib server on 127.0.0.1 answering Render API paths with whatever the current example says."""

    def __init__(self) -> None:
        self.answers: dict[str, tuple[int, bytes]] = {}
        self.default: tuple[int, bytes] = (404, b'{"id":"not_found","message":"not found"}')
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                longest_first = sorted(outer.answers.items(), key=lambda item: -len(item[0]))
                status, body = next((answer for prefix, answer in longest_first if path.startswith(prefix)),
                                    outer.default)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"


SERVICE_ID = "srv-fuzzed"
COMMIT = "c" * 40
SERVICE_JSON = {"id": SERVICE_ID, "name": "api", "type": "web_service", "branch": "main", "autoDeploy": "yes",
                "suspended": "not_suspended", "repo": "https://github.com/example/service",
                "serviceDetails": {"url": "https://api.onrender.com"}}


@pytest.fixture(scope="module")
def scripted_render() -> Iterator[_ScriptedRender]:
    server = _ScriptedRender()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


def _script(server: _ScriptedRender, service: Any, deploys: Any, status: int = 200) -> None:
    base = f"/v1/services/{SERVICE_ID}"
    body = deploys if isinstance(deploys, bytes) else json.dumps(deploys).encode()
    server.answers = {base: (200, json.dumps(service).encode()), base + "/deploys": (status, body),
                      base + "/events": (200, b"[]")}


@given(page=fuzz.render_deploy_page(COMMIT), service=st.one_of(st.just(SERVICE_JSON), fuzz.json_values()),
       status=st.sampled_from([200, 200, 200, 400, 404, 500]))
@FEW
def test_wait_for_deploy_never_raises_and_never_calls_garbage_live(
        page: Any, service: Any, status: int, scripted_render: _ScriptedRender,
        reliability_log: ReliabilityLog, tally_store: dict[str, Any]) -> None:
    from mosaic_hooks.core import config
    from mosaic_hooks.render.wait import wait_for_deploy

    _script(scripted_render, service, page, status)
    cfg = config.load(None, env={"MOSAIC_RENDER_API_URL": scripted_render.api_url, "RENDER_API_KEY": "rnd_fuzz",
                                 "RENDER_SERVICE_ID": SERVICE_ID, "MOSAIC_POLL_INTERVAL": "0.05"})
    with _tally(tally_store, "render", reliability_log, "Render API JSON (wait_for_deploy)").case():
        outcome = wait_for_deploy(cfg, COMMIT, repo=None, timeout=0.2)
        # every state the wait documents (render/outcome.py), "undecided" included: a deploy replaced by one
        # whose commit cannot be placed without the clone
        assert outcome.state in get_args(WaitState)
        if outcome.state == "live":  # only a deploy of this commit whose status is exactly "live"
            assert status == 200 and isinstance(page, list)
            assert any(isinstance(item, dict) and _is_live_deploy(item.get("deploy", item)) for item in page), page


def _is_live_deploy(deploy: Any) -> bool:
    # "deactivated": the deploy was live and a newer one replaced it (the wait module's documented reading).
    return (isinstance(deploy, dict) and deploy.get("status") in ("live", "deactivated")
            and isinstance(deploy.get("commit"), dict) and deploy["commit"].get("id") == COMMIT)


RENDER_BODIES = [
    ("an empty page", 200, b"[]"),
    ("not a list", 200, b'{"deploys": []}'),
    ("invalid JSON", 200, b"[{"),
    ("an HTML 502 page", 502, b"<html><body><h1>502 Bad Gateway</h1></body></html>"),
    ("an unknown status", 200, json.dumps([{"deploy": {"id": "dep-x", "status": "paused", "commit": {"id": COMMIT},
                                                       "createdAt": "2026-11-24T18:00:00Z"},
                                            "cursor": "c1"}]).encode()),
    ("wrong types everywhere", 200, json.dumps([{"deploy": {"id": 5, "status": ["live"], "commit": COMMIT,
                                                            "createdAt": 7}, "cursor": 9}]).encode()),
    ("a cursor that repeats", 200, json.dumps([{"deploy": {"id": "dep-y", "status": "deactivated", "commit":
                                                           {"id": "d" * 40}, "createdAt": "2026-11-24T18:00:00Z"},
                                                "cursor": "same"}] * 20).encode()),
    ("400 invalid cursor", 400, b'{"id":"invalid_cursor","message":"invalid cursor"}'),
]


@pytest.mark.parametrize(("case", "status", "body"), RENDER_BODIES, ids=[c[0] for c in RENDER_BODIES])
def test_wait_command_against_a_render_api_answering_nonsense(case: str, status: int, body: bytes,
                                                              scripted_render: _ScriptedRender, repo: Path,
                                                              reliability_log: ReliabilityLog) -> None:
    _script(scripted_render, SERVICE_JSON, body, status)
    env = {"MOSAIC_RENDER_API_URL": scripted_render.api_url, "RENDER_API_KEY": "rnd_fuzz",
           "RENDER_SERVICE_ID": SERVICE_ID}
    started = time.monotonic()
    proc = run_cli("wait", "--commit", COMMIT, "--timeout", "0.5", cwd=repo,
                   env={**env, "MOSAIC_POLL_INTERVAL": "0.1"})
    elapsed = time.monotonic() - started
    expected = (exit_codes.INCONCLUSIVE, exit_codes.USAGE, exit_codes.FAILED)
    shown = proc.stdout if proc.returncode != exit_codes.USAGE else proc.stderr
    reliability_log.bad_input("mosaic-hooks wait (Render API JSON)", case, exit_code=proc.returncode,
                              expected_exit=expected, output=shown, elapsed=elapsed, bound=CLI_BOUND_S)
    assert not has_traceback(proc.stdout + proc.stderr), proc.stderr
    assert proc.returncode in expected, proc.stdout + proc.stderr  # never "live" on nonsense
    assert is_one_line(shown), shown
    assert elapsed < CLI_BOUND_S


# -- OpenAPI and Prometheus ---------------------------------------------------------------------------------------


@given(doc=st.one_of(fuzz.openapi_document(), fuzz.broken_openapi_document()),
       raw=st.one_of(st.none(), ANY_BYTES, st.sampled_from([b"openapi: [", b"- 1\n- 2\n", b"null", b"{}"])),
       body=fuzz.json_values(), status=st.sampled_from([200, 201, 404, 422, 500]))
@SETTINGS
def test_openapi_documents_through_the_contract_check(doc: Any, raw: bytes | None, body: Any, status: int,
                                                      reliability_log: ReliabilityLog,
                                                      tally_store: dict[str, Any]) -> None:
    from mosaic_hooks.gates import contract, openapi
    from mosaic_hooks.gates.result import Exchange, Findings

    data = raw if raw is not None else json.dumps(doc).encode()
    with _tally(tally_store, "openapi", reliability_log, "OpenAPI documents (contract check)").case():
        document = openapi.parse(data, "/openapi.json")
        if document.data is None:
            assert document.reason and "\n" not in document.reason
            return
        paths = document.data.get("paths") or {}
        for template, item in list(paths.items())[:5]:
            for method in (list(item) if isinstance(item, dict) else [])[:3]:
                endpoint = Endpoint(str(method).upper(), str(template))
                answer = Exchange("GET", str(template), status, 3.0, body=json.dumps(body).encode(),
                                  content_type="application/json")
                findings = Findings("contract")
                contract._validate(document.data, endpoint, str(template), answer, findings, is_health=False)
                operation = openapi.find_operation(document.data, endpoint)
                if operation is not None:
                    openapi.request_body_schema(document.data, operation)


@given(text=st.one_of(fuzz.prometheus_text(), fuzz.unparseable_prometheus_text(),
                      fuzz.semantically_broken_prometheus_text(), st.text(max_size=500)).map(str.encode) | ANY_BYTES)
@SETTINGS
def test_prometheus_exposition_parses_or_says_why(text: bytes, reliability_log: ReliabilityLog,
                                                  tally_store: dict[str, Any]) -> None:
    from mosaic_hooks.gates import monitoring

    with _tally(tally_store, "prometheus", reliability_log, "Prometheus exposition (monitoring)").case():
        families = monitoring.parse_exposition(text)
        if isinstance(families, str):
            assert families and "\n" not in families
        else:
            monitoring.path_label_values(families)


# -- bookkeeping -----------------------------------------------------------------------------------------------


class _Tally:
    """One fuzz record per property (not per example): counts every example, logs once at module end."""

    def __init__(self, log: ReliabilityLog, target: str, expected: tuple[type[BaseException], ...] = ()) -> None:
        self.log = log
        self.context = log.fuzz(target, expected)
        self.tally = self.context.__enter__()

    def case(self) -> Any:
        return self.tally.case()

    def close(self) -> None:
        self.context.__exit__(None, None, None)


def _tally(store: dict[str, Any], key: str, log: ReliabilityLog, target: str,
           expected: tuple[type[BaseException], ...] = ()) -> _Tally:
    """The property's tally, made on its first example (one fuzz record per property and run)."""
    if key not in store:
        store[key] = _Tally(log, target, expected)
    tally: _Tally = store[key]
    return tally


@pytest.fixture(scope="module")
def tally_store() -> Iterator[dict[str, Any]]:
    store: dict[str, Any] = {}
    yield store
    for tally in store.values():
        tally.close()


def test_mosaic_error_lines_are_single_lines() -> None:
    """The documented errors the properties above accept print one line (what the CLI shows)."""
    error = PushInputError("line 1 is bad", hint="run it from git")
    assert isinstance(error, MosaicError) and "\n" not in error.line()


# -- the bugs this fuzzing found, kept fixed ---------------------------------------------------------------------

_ITEM_SCHEMA = {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}
_DOC_ITEM_REF = {"openapi": "3.0.3", "info": {"title": "svc", "version": "1"},
                 "paths": {"/items": {"get": {"responses": {"200": {"description": "ok", "content": _ITEM_SCHEMA}}}}}}
BROKEN_DOCUMENTS = [
    ("a $ref to nothing", {**_DOC_ITEM_REF, "components": {"schemas": {}}}, "does not resolve"),
    ("a cycle of $refs", {**_DOC_ITEM_REF, "components": {"schemas": {"A": {"$ref": "#/components/schemas/B"},
                                                                      "B": {"$ref": "#/components/schemas/A"}}}},
     "cycle"),
]


@pytest.mark.parametrize(("case", "doc", "named"), BROKEN_DOCUMENTS, ids=[c[0] for c in BROKEN_DOCUMENTS])
def test_a_broken_openapi_document_leaves_the_contract_check_undecided_with_the_reason(case: str, doc: Any,
                                                                                       named: str) -> None:
    from mosaic_hooks.gates import contract, openapi
    from mosaic_hooks.gates.result import Exchange, Findings

    document = openapi.parse(json.dumps(doc).encode(), "/openapi.json")
    assert document.data is not None
    findings = Findings("contract")
    answer = Exchange("GET", "/items", 200, 3.0, body=b'{"id": 1}', content_type="application/json")
    contract._validate(document.data, Endpoint("GET", "/items"), "/items", answer, findings, is_health=False)
    result = findings.result(summary_ok="ok", skipped_reason="nothing")
    assert result.status == "inconclusive", result
    assert named in result.summary


def test_a_pyproject_nested_too_deeply_is_a_problem_not_a_crash() -> None:
    data = fuzz.deeply_nested_toml(3000, header="project").encode()
    declared, problems, _ = requirements.parse_pyproject("pyproject.toml", data)
    assert declared == [] and "nested too deeply" in problems[0].message
    assert requirements.project_name(data) is None


@pytest.mark.parametrize("data", [b"tool = 3\n", b'tool = "poetry"\n', b"tool = [1]\n"])
def test_a_pyproject_whose_tool_is_not_a_table_has_no_project_name(data: bytes) -> None:
    assert requirements.project_name(data) is None

"""Without an API key: the service's version endpoint, served by a real Flask app under werkzeug."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mosaic_hooks.core import git as mgit
from mosaic_hooks.render import outcome as oc
from mosaic_hooks.render.version_endpoint import match, reported_commit
from mosaic_hooks.render.wait import wait_for_deploy
from tests.conftest import commit_files, git
from tests.render.conftest import make_cfg


@pytest.mark.parametrize(("body", "expected"), [
    (b'{"commit": "ABCDEF1234567"}', "abcdef1234567"),
    (b'{"sha": "' + b"a" * 40 + b'"}', "a" * 40),
    (b'{"git_commit": "' + b"b" * 40 + b'", "status": "ok"}', "b" * 40),
    (b'{"commit": {"id": "' + b"c" * 40 + b'"}}', "c" * 40),
    (b'"' + b"d" * 40 + b'"', "d" * 40),
    (b"e" * 40 + b"\n", "e" * 40),
    (b'{"version": "1.2.3"}', None),
    (b'{"commit": "not-a-sha"}', None),
    (b"abc12", None),  # too short to name a commit
    (b"<html>hello</html>", None),
    (b"", None),
    (b"[1, 2]", None),
])
def test_the_reported_commit_is_read_from_json_fields_or_the_plain_body(body: bytes, expected: str | None) -> None:
    assert reported_commit(body) == expected


def test_a_prefix_of_at_least_seven_digits_matches_and_a_shorter_one_does_not() -> None:
    sha = "0123456789abcdef" * 2 + "01234567"
    assert match(sha, sha, None) == "exact"
    assert match(sha[:7], sha, None) == "prefix"
    assert match(sha[:6], sha, None) is None
    assert match("f" * 40, sha, None) is None


def test_with_the_repository_a_newer_commit_that_contains_ours_matches(repo: Path) -> None:
    ours = git(repo, "rev-parse", "HEAD")
    newer = commit_files(repo, {"a.py": "a = 1\n"}, "newer")
    handle = mgit.find_repo(repo)
    assert match(newer, ours, handle) == "contains"
    assert match(ours, newer, handle) is None  # an older commit is not a deploy of ours


class VersionApp:
    """A Flask service whose /version reports whatever `self.body` is, or fails with `self.status`."""

    def __init__(self) -> None:
        from flask import Flask, Response
        from werkzeug.serving import make_server

        self.body: Any = {"commit": "0" * 40}
        self.status = 200
        app = Flask("version-app")

        @app.get("/version")
        def version() -> Response:
            if isinstance(self.body, bytes):
                return Response(self.body, status=self.status, mimetype="text/plain")
            return Response(json.dumps(self.body), status=self.status, mimetype="application/json")

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def later(self, seconds: float, **changes: Any) -> None:
        def apply() -> None:
            time.sleep(seconds)
            for name, value in changes.items():
                setattr(self, name, value)

        threading.Thread(target=apply, daemon=True).start()


@pytest.fixture(scope="module")
def shared_app() -> Iterator[VersionApp]:
    service = VersionApp()
    yield service
    service.server.shutdown()


@pytest.fixture
def app(shared_app: VersionApp) -> VersionApp:
    shared_app.body, shared_app.status = {"commit": "0" * 40}, 200
    return shared_app


def wait(root: Path, url: str, sha: str, repo: Path | None, timeout: float = 10) -> oc.WaitOutcome:
    cfg = make_cfg(root, {"BACKEND_URL": url})
    return wait_for_deploy(cfg, sha, repo=mgit.find_repo(repo) if repo else None, timeout=timeout)


@pytest.mark.parametrize("body_of", [
    lambda sha: {"commit": sha},
    lambda sha: {"sha": sha},
    lambda sha: {"git_commit": sha},
    lambda sha: sha.encode(),
])
def test_waits_until_the_version_endpoint_reports_the_commit(app: VersionApp, repo: Path, body_of: Any) -> None:
    sha = git(repo, "rev-parse", "HEAD")
    app.later(0.3, body=body_of(sha))
    outcome = wait(repo, app.url, sha, repo)
    assert outcome.state == oc.LIVE, outcome.reason
    assert outcome.found_by == "version-endpoint"
    assert outcome.requests > 1  # the old commit was seen first
    assert outcome.deploy is not None and outcome.deploy["finishedAt"] and outcome.deploy["commit"] == sha
    assert outcome.crash_loop is None  # not known without the API


def test_a_restart_in_between_is_waited_through(app: VersionApp, repo: Path) -> None:
    sha = git(repo, "rev-parse", "HEAD")
    app.status = 503
    app.later(0.3, status=200, body={"commit": sha})
    outcome = wait(repo, app.url, sha, repo)
    assert outcome.state == oc.LIVE


def test_a_short_sha_the_repository_resolves_uniquely_is_accepted(app: VersionApp, repo: Path) -> None:
    sha = git(repo, "rev-parse", "HEAD")
    app.body = {"commit": sha[:7]}
    outcome = wait(repo, app.url, sha, repo)
    assert outcome.state == oc.LIVE and "prefix" in outcome.reason


def test_the_old_commit_until_the_time_limit_times_out_naming_it(app: VersionApp, repo: Path) -> None:
    sha = git(repo, "rev-parse", "HEAD")
    outcome = wait(repo, app.url, sha, repo, timeout=0.4)
    assert outcome.state == oc.TIMED_OUT and outcome.exit_code == 3
    assert "000000000000" in outcome.reason


def test_a_service_that_never_answers_is_unreachable(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    outcome = wait(tmp_path, f"http://127.0.0.1:{port}", "a" * 40, None, timeout=0.4)
    assert outcome.state == oc.UNREACHABLE and outcome.exit_code == 3

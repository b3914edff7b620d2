"""`python -m mosaic_hooks.testing.render_fake` serves a fake from the command line."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import commit_files, git
from tests.testing.render_fake.conftest import KEY


def test_the_command_line_fake_serves_a_service_and_deploys_pushes_to_a_watched_repo(tmp_path: Path,
                                                                                     repo: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "mosaic_hooks.testing.render_fake", "--service", "srv-cli",
                             "--key", KEY, "--timeline", "build_in_progress:0.1,live", "--watch-repo", str(repo)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        url = first.split(" at ")[1].strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")
        headers = {"Authorization": f"Bearer {KEY}"}
        assert httpx.get(f"{url}/services/srv-cli", headers=headers).json()["id"] == "srv-cli"
        sha = commit_files(repo, {"a.py": "a = 1\n"}, "new work")
        for _ in range(50):
            items = httpx.get(f"{url}/services/srv-cli/deploys", headers=headers).json()
            if items:
                break
            time.sleep(0.1)
        assert [item["deploy"]["commit"]["id"] for item in items] == [sha]
        assert git(repo, "rev-parse", "HEAD") == sha
    finally:
        proc.terminate()
        proc.wait(timeout=10)

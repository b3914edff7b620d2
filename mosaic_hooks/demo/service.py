"""The demo's production: the shop service as "Render" runs it, on 127.0.0.1.

A deploy unpacks `git archive` of the commit into a directory of its own and starts `python app.py`
there with PORT and RENDER_GIT_COMMIT set, as Render does; the previous instance is stopped first,
and the new one counts as started once its /version reports the commit.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from mosaic_hooks.demo.sandbox import DemoError, Sandbox, kill_group

START_TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ShopService:
    def __init__(self, sandbox: Sandbox, port: int | None = None) -> None:
        self.sandbox = sandbox
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.serving: str | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def deploy(self, commit: str) -> None:
        """Serve `commit`: unpack it, stop the running instance, start the new one and wait until it answers."""
        where = self.sandbox.deploys / commit[:12]
        archive = self.sandbox.deploys / f"{commit[:12]}.tar"
        self.sandbox.git("archive", "--format=tar", "-o", str(archive), commit)
        with tarfile.open(archive) as tar:
            if sys.version_info >= (3, 12):
                tar.extractall(where, filter="data")
            else:  # pragma: no cover (Python < 3.12: our own archive, no filter needed)
                tar.extractall(where)
        self.stop()
        log = (self.sandbox.deploys / f"{commit[:12]}.log").open("wb")
        env = {"PORT": str(self.port), "RENDER_GIT_COMMIT": commit, "PYTHONDONTWRITEBYTECODE": "1"}
        # An absolute path in the command line, so that the process can be told by its directory; a
        # session of its own, so that a Ctrl-C at the terminal reaches the demo, which then stops it.
        self.process = subprocess.Popen([sys.executable, "-I", str(where / "app.py")], cwd=where, env=env,
                                        stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
        log.close()
        self._wait_serving(commit, log.name)
        self.serving = commit

    def _wait_serving(self, commit: str, log: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                tail = Path(log).read_text(encoding="utf-8", errors="replace").strip()[-300:]
                raise DemoError(f"the service exited (code {self.process.returncode}) at start-up: {tail}")
            if self.reported_commit() == commit:
                return
            time.sleep(0.05)
        raise DemoError(f"the service did not start serving {commit[:12]} within {START_TIMEOUT:g} s")

    def reported_commit(self) -> str | None:
        try:
            with urllib.request.urlopen(f"{self.url}/version", timeout=2) as response:
                data = json.loads(response.read())
        except (OSError, ValueError):
            return None
        return data.get("commit") if isinstance(data, dict) else None

    def stop(self) -> None:
        if self.process is not None:
            kill_group(self.process)
            self.process = None
            self.serving = None

"""A repository's own app, served as Render would serve it: a separate process started in the checkout
(uvicorn for ASGI, werkzeug for WSGI) on 127.0.0.1, with RENDER_GIT_COMMIT and the probe's token set.

    with serve_repo(repo, "app:app", commit=head, env={"MOSAIC_PROBE_TOKEN": "t"}) as url:
        ...

The process is stopped when the block ends; a server that does not answer within 20 s fails the test
with its stderr.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve_repo(repo: Path, target: str, *, commit: str, wsgi: bool = False,
               env: Mapping[str, str] | None = None) -> Iterator[str]:
    module, attr = target.split(":")
    port = _free_port()
    if wsgi:
        argv = [sys.executable, "-c",
                "import importlib, sys; from werkzeug.serving import run_simple; "
                f"app = getattr(importlib.import_module({module!r}), {attr!r}); "
                f"run_simple('127.0.0.1', {port}, app, threaded=True)"]
    else:
        argv = [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port),
                "--log-level", "warning", "--lifespan", "off"]
    full_env = {**os.environ, **(env or {}), "RENDER_GIT_COMMIT": commit, "PORT": str(port),
                "PYTHONPATH": os.pathsep.join([str(repo), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(argv, cwd=repo, env=full_env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=errors, start_new_session=True)
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                        break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        errors.seek(0)
                        said = errors.read().decode(errors="replace")
                        raise RuntimeError(f"{target} did not start: {said}") from None
                    time.sleep(0.05)
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)

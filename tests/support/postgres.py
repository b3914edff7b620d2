"""A throwaway PostgreSQL server for the tests: initdb into a temporary directory, listen on 127.0.0.1.

PostgreSQL refuses to run as root, so when the suite runs as root the server runs as the `postgres`
system user (created by the distribution's package) through `runuser`/`setpriv`.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

# A password with characters that need percent-encoding in a URL, so that redaction of both forms is tested.
PASSWORD = "pg-S3cret/p@ss:word"
USER = "mosaic"


def find_bin_dir() -> Path | None:
    """The directory holding initdb and pg_ctl, newest major version first; None when PostgreSQL is absent."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                        key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0,
                        reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _as_server_user(argv: list[str], user: str | None) -> list[str]:
    if user is None:
        return argv
    if shutil.which("runuser"):
        return ["runuser", "-u", user, "--", *argv]
    return ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups", *argv]


@dataclass
class PostgresServer:
    bin_dir: Path
    base: Path  # temporary directory holding the data directory, the log and the socket
    port: int
    user: str | None  # system user the server runs as; None: the current user

    @property
    def data_dir(self) -> Path:
        return self.base / "data"

    def url(self, database: str = "postgres", *, scheme: str = "postgresql", password: str = PASSWORD) -> str:
        return f"{scheme}://{USER}:{quote(password, safe='')}@127.0.0.1:{self.port}/{database}"

    def _run(self, *argv: str) -> None:
        proc = subprocess.run(_as_server_user(list(argv), self.user), capture_output=True, text=True,
                              timeout=60, cwd=self.base)
        if proc.returncode != 0:
            log = self.base / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{argv[0]} failed ({proc.returncode}): {proc.stderr.strip()}\n{tail}")

    def start(self) -> None:
        pwfile = self.base / "pwfile"
        pwfile.write_text(PASSWORD + "\n")
        self._chown(pwfile)
        self._run(str(self.bin_dir / "initdb"), "-D", str(self.data_dir), "-U", USER, f"--pwfile={pwfile}",
                  "--auth=scram-sha-256", "--no-sync", "--no-instructions", "-E", "UTF8", "--locale=C")
        pwfile.unlink()
        options = f"-h 127.0.0.1 -p {self.port} -k {self.base} -c fsync=off -c full_page_writes=off"
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-l", str(self.base / "server.log"),
                  "-o", options, "-w", "-t", "30", "start")

    def stop(self) -> None:
        if (self.data_dir / "postmaster.pid").exists():
            self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "-w", "stop")

    def _chown(self, path: Path) -> None:
        if self.user is not None:
            shutil.chown(path, self.user, self.user)

    def create_database(self, name: str) -> str:
        """A fresh empty database; returns its URL."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')  # type: ignore[arg-type]
            conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
        return self.url(name)

    def execute(self, database: str, *statements: str) -> None:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True, connect_timeout=10) as conn:
            for statement in statements:
                conn.execute(statement)  # type: ignore[arg-type]


def start_server() -> PostgresServer:
    """Start a server; raises FileNotFoundError when PostgreSQL is not installed."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise FileNotFoundError("PostgreSQL binaries (initdb, pg_ctl) not found in /usr/lib/postgresql/*/bin or PATH")
    user = "postgres" if os.geteuid() == 0 else None
    base = Path(tempfile.mkdtemp(prefix="mosaic-pg-"))
    server = PostgresServer(bin_dir=bin_dir, base=base, port=_free_port(), user=user)
    if user is not None:
        shutil.chown(base, user, user)
    try:
        server.start()
    except BaseException:
        shutil.rmtree(base, ignore_errors=True)
        raise
    # The server accepted the start; wait until it takes TCP connections (pg_ctl -w checks the socket).
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    return server


def stop_server(server: PostgresServer) -> None:
    try:
        server.stop()
    finally:
        shutil.rmtree(server.base, ignore_errors=True)

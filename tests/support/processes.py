"""Real processes for the records suites: many at once, one killed or interrupted mid-way.

    # Twenty appenders released at the same instant:
    results = run_together([cli_argv] * 20, cwd=repo, env=env, timeout=60)
    assert all(r.returncode == 0 for r in results)

    # SIGKILL while the metrics file is being rewritten:
    with Child(cli_argv, cwd=repo, env=env) as child:
        landed = child.wait_for(file_changed(metrics_path), timeout=10)
        child.signal(signal.SIGKILL)
    result = child.result   # returncode -9 if the kill landed, `landed` says whether it hit the window

    # Ctrl-C as a terminal sends it (to the whole foreground process group):
    with Child(verify_argv, cwd=repo, env=env) as child:
        child.wait_for(lambda: "waiting" in child.stdout(), timeout=10)
        child.signal(signal.SIGINT)
    assert child.result.returncode == 130

Every wait has a timeout; a child still running when its block ends is killed with its process group.
Output goes to temporary files (not pipes), so a chatty child never blocks and a condition can read it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

_POLL = 0.0005


@dataclass(frozen=True)
class Finished:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    elapsed: float
    signalled: int | None  # the signal this module sent while the child ran (None: none sent)
    timed_out: bool  # killed because it outlived its timeout

    @property
    def killed_by(self) -> int | None:
        """The signal that ended the process (negative return codes), if any."""
        return -self.returncode if self.returncode < 0 else None


class Child:
    """One process in its own process group, output captured to files."""

    def __init__(self, argv: Sequence[str], *, cwd: Path | str | None = None,
                 env: Mapping[str, str] | None = None, stdin: bytes | None = None,
                 pass_fds: Sequence[int] = ()) -> None:
        self.argv = tuple(argv)
        self._out: BinaryIO = tempfile.TemporaryFile()  # noqa: SIM115 - closed in finish()
        self._err: BinaryIO = tempfile.TemporaryFile()  # noqa: SIM115
        self._started = time.monotonic()
        self._signalled: int | None = None
        self._timed_out = False
        self.result: Finished | None = None
        self.process = subprocess.Popen(
            self.argv, cwd=cwd, env=dict(env) if env is not None else None, stdout=self._out, stderr=self._err,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL, start_new_session=True,
            pass_fds=tuple(pass_fds))
        if stdin is not None:
            assert self.process.stdin is not None
            with contextlib.suppress(BrokenPipeError):
                self.process.stdin.write(stdin)
            self.process.stdin.close()

    def __enter__(self) -> Child:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.finish()

    @staticmethod
    def _read(handle: BinaryIO) -> str:
        # pread: the child shares the file offset, which sits at the end of what it wrote.
        fd = handle.fileno()
        return os.pread(fd, os.fstat(fd).st_size, 0).decode("utf-8", "replace")

    def stdout(self) -> str:
        """What the child has written to stdout so far."""
        return self._read(self._out)

    def stderr(self) -> str:
        return self._read(self._err)

    def running(self) -> bool:
        return self.process.poll() is None

    def wait_for(self, condition: Callable[[], bool], timeout: float) -> bool:
        """Poll `condition` until it holds (True) or the child exits or `timeout` passes (False)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return self.running()
            if not self.running():
                return False
            time.sleep(_POLL)
        return False

    def signal(self, sig: int) -> bool:
        """Send `sig` to the child's process group (as a terminal does); False if it had already exited."""
        if not self.running():
            return False
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)
            self._signalled = sig
            return True
        return False

    def finish(self, timeout: float = 60) -> Finished:
        """Wait for the child (killing its group after `timeout`), collect its output, free everything."""
        if self.result is not None:
            return self.result
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self._timed_out = True
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        # A killed group may leave grandchildren: make sure none outlives the test.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.result = Finished(argv=self.argv, returncode=self.process.returncode, stdout=self.stdout(),
                               stderr=self.stderr(), elapsed=time.monotonic() - self._started,
                               signalled=self._signalled, timed_out=self._timed_out)
        self._out.close()
        self._err.close()
        return self.result


def _release_wrapper(fd: int, argv: Sequence[str]) -> list[str]:
    # Block on the shared pipe, then become the real command (exec keeps the pid, so signals still reach it).
    code = "import os, sys; os.read(int(sys.argv[1]), 1); os.execvp(sys.argv[2], sys.argv[2:])"
    return [sys.executable, "-c", code, str(fd), *argv]


def run_together(commands: Sequence[Sequence[str]], *, cwd: Path | str | None = None,
                 env: Mapping[str, str] | None = None, timeout: float = 60) -> list[Finished]:
    """Start every command, release them all at the same instant, wait for all (each within `timeout`)."""
    read_end, write_end = os.pipe()
    children: list[Child] = []
    try:
        for argv in commands:
            children.append(Child(_release_wrapper(read_end, argv), cwd=cwd, env=env, pass_fds=(read_end,)))
        time.sleep(0.2)  # let every wrapper reach its read()
        os.write(write_end, b"x" * len(children))
    finally:
        os.close(read_end)
        os.close(write_end)
    deadline = time.monotonic() + timeout
    return [child.finish(max(0.1, deadline - time.monotonic())) for child in children]


def python_code(code: str) -> list[str]:
    """argv running `code` with this interpreter."""
    return [sys.executable, "-c", code]


# -- conditions -----------------------------------------------------------------------------------------------


def file_grew(path: Path, beyond: int = 0) -> Callable[[], bool]:
    """True once `path` exists and is larger than `beyond` bytes."""
    def condition() -> bool:
        try:
            return path.stat().st_size > beyond
        except OSError:
            return False
    return condition


def file_changed(path: Path) -> Callable[[], bool]:
    """True once `path` differs from now: created, removed, replaced (new inode) or rewritten."""
    def snapshot() -> tuple[int, int, int] | None:
        try:
            info = path.stat()
        except OSError:
            return None
        return info.st_ino, info.st_size, info.st_mtime_ns

    before = snapshot()
    return lambda: snapshot() != before


def temp_file_appeared(directory: Path, pattern: str = "*") -> Callable[[], bool]:
    """True once a file matching `pattern` exists in `directory` that was not there now (e.g. the temporary
    file of an atomic replace)."""
    before = set(directory.glob(pattern))
    return lambda: bool(set(directory.glob(pattern)) - before)


# -- independent checks of JSON files ---------------------------------------------------------------------


@dataclass(frozen=True)
class JsonLines:
    records: list[dict[str, Any]]
    bad_lines: list[tuple[int, str]]  # (1-based line number, text) of lines that are not JSON objects
    torn_tail: bool  # the file does not end with a newline: a write was cut short

    @property
    def whole(self) -> bool:
        return not self.bad_lines and not self.torn_tail


def read_jsonl_strictly(path: Path) -> JsonLines:
    """Every line of a JSON-lines file judged on its own, without the product's reader (which may skip)."""
    data = path.read_bytes() if path.exists() else b""
    records: list[dict[str, Any]] = []
    bad: list[tuple[int, str]] = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            bad.append((number, raw[:200].decode("utf-8", "replace")))
            continue
        if isinstance(value, dict):
            records.append(value)
        else:
            bad.append((number, raw[:200].decode("utf-8", "replace")))
    return JsonLines(records=records, bad_lines=bad, torn_tail=bool(data) and not data.endswith(b"\n"))


def read_json_strictly(path: Path) -> Any:
    """The JSON document at `path`; AssertionError naming the file if it is missing, empty or cut short."""
    try:
        return json.loads(path.read_bytes())
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise AssertionError(f"{path} is not a whole JSON document: {exc}") from None

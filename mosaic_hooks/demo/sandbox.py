"""The demo's sandbox: a temporary directory holding the service's repository, its bare remote and a git
configuration of its own, and the commands run there, each with a time limit.

Every command runs in a session of its own, so that a time limit or a Ctrl-C ends it together with
whatever it started (git runs the hooks, a hook runs Python): nothing is left running afterwards.
The user's git configuration is not read (a `commit.gpgsign` or a global `core.hooksPath` there would
change the story), nor are their mosaic-hooks or Render settings.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import mosaic_hooks

# Variables of the caller's environment that would point the demo's commands elsewhere.
_DROPPED_PREFIXES = ("GIT_", "MOSAIC_", "RENDER_", "PRE_COMMIT")
_DROPPED = frozenset({"BACKEND_URL", "DATABASE_URL", "SKIP", "FORCE_COLOR", "PYTHONSTARTUP"})

GITCONFIG = """\
[user]
\tname = Demo Developer
\temail = developer@example.invalid
[init]
\tdefaultBranch = main
[commit]
\tgpgsign = false
[advice]
\tdetachedHead = false
"""


class DemoError(Exception):
    """A step did not behave as the story says; the message names what happened instead."""


@dataclass(frozen=True)
class Ran:
    """One finished command."""

    argv: tuple[str, ...]
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.output.splitlines() if line.strip()]


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """End `proc` and everything it started (its own session), then reap it."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):  # SIGKILL is not ignored: this is not expected
        proc.wait(timeout=5)


def package_root() -> Path:
    """The directory holding the `mosaic_hooks` package this demo runs from."""
    return Path(mosaic_hooks.__file__).resolve().parent.parent


class Sandbox:
    """The temporary directory and the environment the demo's commands run with."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.repo = root / "shop"
        self.remote = root / "remote.git"
        self.deploys = root / "deploys"
        self.gitconfig = root / "gitconfig"
        self.extra_env: dict[str, str] = {}

    def prepare(self) -> None:
        self.repo.mkdir(parents=True)
        self.deploys.mkdir()
        self.gitconfig.write_text(GITCONFIG, encoding="utf-8")

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {name: value for name, value in os.environ.items()
               if not name.startswith(_DROPPED_PREFIXES) and name not in _DROPPED}
        env.update({
            "GIT_CONFIG_GLOBAL": str(self.gitconfig),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_TERMINAL_PROMPT": "0",
            "NO_COLOR": "1",
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        })
        # The hooks and commands run `python -m mosaic_hooks`: the very package this demo runs from, also
        # when it is a source checkout rather than an installed package.
        root = package_root()
        if root.name not in ("site-packages", "dist-packages"):
            paths = [str(root), *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])]
            env["PYTHONPATH"] = os.pathsep.join(paths)
        env.update(self.extra_env)
        env.update(extra or {})
        return env

    def run(self, argv: list[str], *, cwd: Path | None = None, extra_env: dict[str, str] | None = None,
            timeout: float = 60.0) -> Ran:
        try:
            proc = subprocess.Popen(argv, cwd=cwd or self.repo, env=self.env(extra_env), stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        except FileNotFoundError as exc:
            if exc.filename == argv[0]:
                raise DemoError(f"{argv[0]} is not installed (not found on PATH); the demo needs it") from None
            raise
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(proc)
            raise DemoError(f"`{' '.join(argv[:4])}` did not finish within {timeout:g} s") from None
        except BaseException:  # Ctrl-C: nothing it started may outlive the demo
            kill_group(proc)
            raise
        return Ran(tuple(argv), proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))

    def git(self, *args: str, extra_env: dict[str, str] | None = None, check: bool = True,
            cwd: Path | None = None) -> Ran:
        ran = self.run(["git", *args], cwd=cwd, extra_env=extra_env)
        if check and ran.code != 0:
            raise DemoError(f"git {' '.join(args)} failed (exit {ran.code}): {ran.stderr.strip()[-300:]}")
        return ran

    def mosaic(self, *args: str, extra_env: dict[str, str] | None = None, timeout: float = 60.0) -> Ran:
        return self.run([sys.executable, "-m", "mosaic_hooks", *args], extra_env=extra_env, timeout=timeout)

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").stdout.strip()

    def remote_head(self, branch: str = "main") -> str:
        return self.git("rev-parse", f"refs/heads/{branch}", cwd=self.remote).stdout.strip()

"""Starting a process that outlives the hook: the bare server's post-receive `verify`, the pre-push stage's
background verification.

Its own session (Ctrl-C in the terminal and the end of `git push` do not reach it), stdin from /dev/null,
stdout and stderr to a log file, and no other descriptor of the hook's: git waits until every copy of the
hook's pipes is closed, so one left open in the child would make `git push` wait for it.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path


def start_detached(argv: Sequence[str], *, cwd: Path, log_path: Path, header: str,
                   env: Mapping[str, str] | None = None, pass_fds: Sequence[int] = (), append: bool = True) -> int:
    """Start `argv` detached, writing `header` then its output to `log_path`; returns its pid."""
    with open(log_path, "a" if append else "w", encoding="utf-8") as log:
        log.write(header)
        log.flush()
        proc = subprocess.Popen(list(argv), cwd=cwd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True, close_fds=True, pass_fds=tuple(pass_fds),
                                env=dict(os.environ if env is None else env))
    return proc.pid

"""Writing files so that an interrupted run leaves the old file or the new one, never half of one."""

from __future__ import annotations

import os
from pathlib import Path

from mosaic_hooks.core.redact import redact


def write_text_atomic(path: Path, text: str) -> None:
    """Redact, then replace `path` in one step: an interrupted run leaves the old file or the new one."""
    write_bytes_atomic(path, redact(text).encode("utf-8"))


def write_bytes_atomic(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Replace `path` with `data` in one step (readers see the old file or the new one, never half).

    `durable=False` skips the fsync: for caches, whose reader checks what it reads and recomputes
    a lost entry, a crash may lose the write but never leaves a torn file in its place.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A fresh name in the same directory, made as mkstemp does (exclusive create, mode 0600) but
    # without importing `tempfile` (and `random`), which a commit hook writing a cache entry would pay.
    tmp = path.parent / f".{path.name}.{os.getpid()}.{os.urandom(6).hex()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

"""Writing files so that an interrupted run leaves the old file or the new one, never half of one.

The one atomic writer: a fresh temp file in the target's directory, written, fsync'd, given its mode,
renamed over the target, then the directory fsync'd so the rename itself survives a power cut.
"""

from __future__ import annotations

import os
from pathlib import Path

from mosaic_hooks.core.redact import redact

# The temp file is `.<name>.<pid>.<random>.tmp`: the pid lets a later writer remove a dead writer's leftover.
TEMP_SUFFIX = ".tmp"


def write_text_atomic(path: Path, text: str, *, mode: int = 0o600) -> None:
    """Redact, then replace `path` in one step: an interrupted run leaves the old file or the new one."""
    write_bytes_atomic(path, redact(text).encode("utf-8"), mode=mode)


def write_bytes_atomic(path: Path, data: bytes, *, durable: bool = True, mode: int = 0o600) -> None:
    """Replace `path` with `data` in one step (readers see the old file or the new one, never half).

    `mode` is the new file's permission bits exactly (the umask does not narrow them): 0o600 for this
    machine's records, 0o644 for files others read, 0o755 for hook scripts.
    `durable=False` skips the fsyncs: for caches, whose reader checks what it reads and recomputes
    a lost entry, a crash may lose the write but never leaves a torn file in its place.
    On any error the temp file is removed and the old file is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A fresh name in the same directory, made as mkstemp does (exclusive create, mode 0600) but
    # without importing `tempfile` (and `random`), which a commit hook writing a cache entry would pay.
    tmp = path.parent / f".{path.name}.{os.getpid()}.{os.urandom(6).hex()}{TEMP_SUFFIX}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if mode != 0o600:
                os.fchmod(handle.fileno(), mode)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if durable:
        _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    """Make the rename durable: without this a power cut can bring back the old directory entry."""
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:  # a platform or file system that cannot open directories: the rename is still atomic
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def remove_orphaned_temp_files(path: Path) -> None:
    """Temp files of writers of `path` that were killed before their rename (the writer's pid is in the name)."""
    for temp in path.parent.glob(f".{path.name}.*{TEMP_SUFFIX}"):
        pid = temp.name[len(path.name) + 2:].split(".", 1)[0]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        temp.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True

"""A persistent cache of analysis results, under the git directory, keyed by what was analysed.

Each entry is one file `<kind>-<key>.json` in `<git common dir>/mosaic-hooks/cache/v<FORMAT>/`; the
key is a digest the caller makes of the blob ids it analysed (and of the analyser), so an entry never
goes stale: changed content means another key. Safe by construction:
- written atomically (core/files.py), so a reader sees a whole entry or none, and hooks running at
  once at worst compute the same entry twice;
- checked when read (format, kind, key and a digest of the payload): a truncated, corrupt or foreign
  file is a miss, and the next write replaces it;
- bounded: past MAX_ENTRIES or MAX_BYTES the least recently used entries are removed;
- optional: an unwritable git directory (a read-only checkout, a full disk) only costs the speed-up.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mosaic_hooks.core.files import write_bytes_atomic
from mosaic_hooks.detect.project_env import is_pin_file

if TYPE_CHECKING:
    from mosaic_hooks.core import git

FORMAT = 2  # 2: every Endpoint/RevisionEndpoints field stored; pin files and the environment in the key
MAX_ENTRIES = 200
MAX_BYTES = 64 * 1024 * 1024

JsonObject = dict[str, object]


# The endpoint results of revisions (see detect/endpoints/incremental.py), keyed by `endpoints_key`.
ENDPOINTS = "endpoints"
# The files an endpoints key covers: a superset of the endpoint sources that a hook can list without
# loading the analysers (a changed test file changes the key, never the answer).
ENDPOINT_KEY_SUFFIXES = (".py", ".json", ".yaml", ".yml")


def is_key_input(path: str) -> bool:
    """A file an endpoints key covers: source-like, or a dependency file that may pin Django's version."""
    return path.endswith(ENDPOINT_KEY_SUFFIXES) or is_pin_file(path)


def cache_dir(repo: git.Repo) -> Path:
    return cache_dir_of(repo.common_dir)


def cache_dir_of(common_dir: Path) -> Path:
    """Shared by all worktrees of a clone (the common dir), since blob ids are too."""
    return common_dir / "mosaic-hooks" / "cache" / f"v{FORMAT}"


def analyser_id() -> str:
    """Changes whenever the endpoint analyser's code does (a development checkout edits it in place)."""
    parts = ["endpoints"]
    with os.scandir(Path(__file__).parent / "endpoints") as listing:
        for entry in sorted(listing, key=lambda e: e.name):
            if entry.name.endswith(".py"):
                stat = entry.stat()
                parts += [entry.name, str(stat.st_size), str(stat.st_mtime_ns)]
    return digest(parts)


def endpoints_key(ids: dict[str, str], analyser: str, environment: Sequence[str] = ()) -> str:
    """The key of a revision's endpoint result: the analyser, its source-like and pin files' paths and blob
    ids, and the fingerprint of the project's environment (detect/project_env.py: installed Django apps'
    admin pages are read from there, outside the repository)."""
    parts = [analyser, str(len(environment)), *environment]
    for path in sorted(ids):
        if is_key_input(path):
            parts += [path, ids[path]]
    return digest(parts)


def digest(parts: list[str]) -> str:
    """A key from strings (blob ids, paths, versions): order matters, separators cannot be forged."""
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part.encode("utf-8", "surrogateescape")
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


class AnalysisCache:
    def __init__(self, directory: Path, *, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.directory = directory
        self.max_entries = max_entries
        self.max_bytes = max_bytes

    def _file(self, kind: str, key: str) -> Path:
        return self.directory / f"{kind}-{key}.json"

    def get(self, kind: str, key: str) -> JsonObject | None:
        """The payload stored for (kind, key), or None if absent or not intact."""
        path = self._file(kind, key)
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        header, _, body = raw.partition(b"\n")
        try:
            meta = json.loads(header)
            if not isinstance(meta, dict) or meta != _header(kind, key, body):
                return None
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return None
        if not isinstance(payload, dict):
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: kept longest when the cache is trimmed
        return payload

    def put(self, kind: str, key: str, payload: JsonObject) -> None:
        body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode("utf-8", "surrogateescape")
        header = json.dumps(_header(kind, key, body), sort_keys=True).encode()
        try:
            write_bytes_atomic(self._file(kind, key), header + b"\n" + body, durable=False)
            self._trim()
        except OSError:
            pass  # a cache that cannot be written only costs time

    def _trim(self) -> None:
        entries: list[tuple[int, int, Path]] = []
        with os.scandir(self.directory) as listing:
            for entry in listing:
                if entry.name.endswith(".json"):
                    try:
                        stat = entry.stat()
                    except OSError:
                        continue
                    entries.append((stat.st_mtime_ns, stat.st_size, Path(entry.path)))
        total = sum(size for _, size, _ in entries)
        if len(entries) <= self.max_entries and total <= self.max_bytes:
            return
        entries.sort()  # oldest use first; trim to three quarters so that trimming is rare
        while entries and (len(entries) > self.max_entries * 3 // 4 or total > self.max_bytes * 3 // 4):
            _, size, path = entries.pop(0)
            path.unlink(missing_ok=True)
            total -= size


def _header(kind: str, key: str, body: bytes) -> JsonObject:
    return {"format": FORMAT, "kind": kind, "key": key,
            "payload": hashlib.blake2b(body, digest_size=16).hexdigest()}

"""A revision's files, as the analysers see them: a commit, the index, or a dict in memory."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from mosaic_hooks.core import git


class Snapshot(Protocol):
    def paths(self) -> list[str]:
        """Every file path in the revision."""

    def read(self, paths: Iterable[str]) -> dict[str, bytes]:
        """Contents of the given paths; paths absent from the revision are left out."""


class DictSnapshot:
    """Files held in memory: for tests and for analysing generated trees."""

    def __init__(self, files: Mapping[str, bytes | str]) -> None:
        self._files = {path: data.encode() if isinstance(data, str) else data for path, data in files.items()}

    def paths(self) -> list[str]:
        return sorted(self._files)

    def read(self, paths: Iterable[str]) -> dict[str, bytes]:
        return {path: self._files[path] for path in paths if path in self._files}


class GitSnapshot:
    """A commit (`rev`) or, with `rev=None`, the staged index of a repository."""

    # Up to this many files are read by `rev:path`; beyond, by blob id (one listing of the tree first),
    # because git resolves each `rev:path` by walking the trees again.
    _BY_NAME_LIMIT = 16

    def __init__(self, repo: git.Repo, rev: str | None) -> None:
        self.repo = repo
        self.rev = rev
        self._ids: dict[str, str] | None = None  # path -> blob id, listed once (it gives the paths too)

    def blob_ids(self) -> dict[str, str]:
        """Path -> blob id of every file (one git call, then remembered)."""
        if self._ids is None:
            self._ids = git.blob_ids(self.repo, self.rev)
        return self._ids

    def paths(self) -> list[str]:
        return list(self.blob_ids())

    def read(self, paths: Iterable[str]) -> dict[str, bytes]:
        paths = list(paths)
        if self._ids is None and len(paths) <= self._BY_NAME_LIMIT:
            return git.read_files(self.repo, self.rev, paths)
        ids = self.blob_ids()
        wanted = {path: ids[path] for path in paths if path in ids}
        blobs = git.read_blobs(self.repo, wanted.values())
        return {path: blobs[oid] for path, oid in wanted.items() if oid in blobs}


class EmptySnapshot:
    """The revision before a root commit."""

    def blob_ids(self) -> dict[str, str]:
        return {}

    def paths(self) -> list[str]:
        return []

    def read(self, paths: Iterable[str]) -> dict[str, bytes]:
        return {}

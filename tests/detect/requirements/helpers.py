"""Shared by the requirements tests: a revision's files as a `read(path)` callback, entries by name."""

from __future__ import annotations

from collections.abc import Callable

from mosaic_hooks.detect.requirements import Declared


def reader(files: dict[str, str]) -> Callable[[str], bytes | None]:
    return lambda path: files[path].encode() if path in files else None


def names(entries: list[Declared]) -> dict[str, str]:
    return {entry.name: entry.specifier for entry in entries}

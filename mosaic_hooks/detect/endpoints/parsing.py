"""Parsing a revision's Python files, each content once (the interpreter and the cache share it)."""

from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass


@dataclass(eq=False)
class ParsedFile:
    tree: ast.Module | None
    error: str | None  # "could not parse (line 7): invalid syntax"


class ParseCache:
    """Parsed files keyed by content hash: a file unchanged between two revisions is parsed once."""

    def __init__(self) -> None:
        self._trees: dict[bytes, ParsedFile] = {}

    def parse(self, data: bytes) -> ParsedFile:
        key = hashlib.blake2b(data, digest_size=16).digest()
        hit = self._trees.get(key)
        if hit is None:
            hit = self._trees[key] = _parse(data)
        return hit


def _parse(data: bytes) -> ParsedFile:
    try:
        return ParsedFile(ast.parse(data), None)
    except SyntaxError as exc:  # includes IndentationError; NUL bytes and bad encodings raise it too
        line = f" (line {exc.lineno})" if exc.lineno else ""
        return ParsedFile(None, f"could not parse{line}: {exc.msg}")
    except (ValueError, UnicodeDecodeError) as exc:
        return ParsedFile(None, f"could not parse: {exc}")
    except (RecursionError, MemoryError):
        return ParsedFile(None, "could not parse: too deeply nested")

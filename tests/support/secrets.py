"""Secret markers and a scanner that finds them wherever they leak.

The secret suites set RENDER_API_KEY, MOSAIC_PROBE_TOKEN and the DATABASE_URL password to unique marker
values (`secret_markers` fixture), run commands through their failure paths, then search every output and
file they produced:

    def test_verify_leaks_nothing(secret_markers, repo, tmp_path):
        proc = run_cli("verify", cwd=repo)
        assert_no_markers([proc, repo / ".mosaic", GitObjects(repo)], secret_markers)

`find_markers` looks for each secret in the forms a leak takes: as is, percent-encoded (URLs), JSON-escaped,
UTF-16, base64 and base64url at any byte alignment (e.g. inside a `Basic` header or an encoded blob), and
its unique core in any letter case (a re-cased copy), and any 12-character piece of that core (what a cut
through the secret leaves). Files are read as bytes (binary files too);
gzip/zlib files are also searched decompressed, and `GitObjects(repo)` searches every object of a repository,
packed or loose (git notes, commits).
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import subprocess
import uuid
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union
from urllib.parse import quote, quote_plus, unquote, urlsplit

import pytest

MARKER = "MARKER"
_DECOMPRESS_LIMIT = 256 * 1024 * 1024
_CONTEXT = 30  # bytes of context either side of a hit


@dataclass(frozen=True)
class SecretMarkers:
    """Unique values for the three secrets; `core` strings identify each one in any form."""

    render_api_key: str
    probe_token: str
    db_password: str
    database_url: str

    def env(self) -> dict[str, str]:
        return {"RENDER_API_KEY": self.render_api_key, "MOSAIC_PROBE_TOKEN": self.probe_token,
                "DATABASE_URL": self.database_url}

    def secrets(self) -> dict[str, str]:
        """Name -> the secret value itself (the DATABASE_URL entry is its password)."""
        return {"RENDER_API_KEY": self.render_api_key, "MOSAIC_PROBE_TOKEN": self.probe_token,
                "DATABASE_URL password": self.db_password}


def make_markers(*, db_host: str = "127.0.0.1", db_port: int = 5432, db_user: str = "mosaic",
                 db_name: str = "mosaic", special: bool = False) -> SecretMarkers:
    """Fresh markers. `special=True` adds characters to the password that a URL must percent-encode."""
    password = f"pw_{MARKER}_{uuid.uuid4().hex}" + ("/+@:!" if special else "")
    return SecretMarkers(
        render_api_key=f"rnd_{MARKER}_{uuid.uuid4().hex}",
        probe_token=f"tok_{MARKER}_{uuid.uuid4().hex}",
        db_password=password,
        database_url=f"postgresql://{db_user}:{quote(password, safe='')}@{db_host}:{db_port}/{db_name}",
    )


@pytest.fixture
def secret_markers(monkeypatch: pytest.MonkeyPatch) -> SecretMarkers:
    """Sets RENDER_API_KEY, MOSAIC_PROBE_TOKEN and DATABASE_URL to fresh markers for this test."""
    markers = make_markers()
    for name, value in markers.env().items():
        monkeypatch.setenv(name, value)
    return markers


@dataclass(frozen=True)
class GitObjects:
    """Every object of a repository (blobs, commits, notes; packed or loose), as one source."""

    repo: Path


@dataclass(frozen=True)
class Hit:
    secret: str  # e.g. "RENDER_API_KEY"
    form: str  # raw, percent, percent-plus, json, utf-16, base64, base64url, core
    source: str  # a file path, "<text N>", "<stdout>" / "<stderr>", "<git objects of ...>"
    offset: int
    context: str  # the bytes around the hit, with the hit itself masked

    def __str__(self) -> str:
        return f"{self.source}@{self.offset}: {self.secret} ({self.form}): ...{self.context}..."


@dataclass(frozen=True)
class ScanResult:
    hits: list[Hit]
    sources: int  # texts and files searched
    bytes_scanned: int


Source = Union[str, bytes, os.PathLike[str], "subprocess.CompletedProcess[Any]", GitObjects, tuple[str, Any]]


def _base64_fragments(value: bytes) -> Iterator[tuple[str, bytes]]:
    """The part of base64(value) that is the same wherever `value` starts within the encoded data."""
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + value)
        start = -(-shift * 8 // 6)  # the first character made only of value bits
        end = (shift + len(value)) * 8 // 6  # after the last character made only of value bits
        fragment = encoded[start:end]
        yield "base64", fragment
        yield "base64url", fragment.replace(b"+", b"-").replace(b"/", b"_")


def _forms(value: str) -> list[tuple[str, bytes]]:
    raw = value.encode()
    forms = [("raw", raw), ("percent", quote(value, safe="").encode()), ("percent-plus", quote_plus(value).encode()),
             ("json", json.dumps(value)[1:-1].encode()), ("utf-16", value.encode("utf-16-le")),
             *_base64_fragments(raw)]
    unique: list[tuple[str, bytes]] = []
    for form, needle in forms:
        if needle and all(needle != other for _, other in unique):
            unique.append((form, needle))
    return unique


def _core(value: str) -> bytes | None:
    """The unique part of a marker (its uuid hex), searched case-insensitively."""
    for part in value.replace("/", "_").split("_"):
        if len(part) == 32 and all(c in "0123456789abcdef" for c in part):
            return part.encode()
    return None


def _secrets_from_env() -> dict[str, str]:
    found = {}
    for name in ("RENDER_API_KEY", "MOSAIC_PROBE_TOKEN"):
        if value := os.environ.get(name):
            found[name] = value
    if url := os.environ.get("DATABASE_URL"):
        try:
            password = urlsplit(url).password
        except ValueError:
            password = None
        if password:
            found["DATABASE_URL password"] = unquote(password)
    return found


def _mask(data: bytes, start: int, end: int, label: str) -> str:
    before = data[max(0, start - _CONTEXT):start].decode("utf-8", "backslashreplace")
    after = data[end:end + _CONTEXT].decode("utf-8", "backslashreplace")
    return f"{before}[{label}]{after}".replace("\n", "\\n")


def _search(data: bytes, source: str, secrets: Mapping[str, str]) -> list[Hit]:
    hits: list[Hit] = []
    lowered: bytes | None = None
    for name, value in secrets.items():
        spans: list[tuple[int, int]] = []

        def record(form: str, start: int, end: int, name: str = name, spans: list[tuple[int, int]] = spans) -> None:
            if any(start < other_end and other_start < end for other_start, other_end in spans):
                return  # the same occurrence, already reported in a more specific form
            spans.append((start, end))
            hits.append(Hit(secret=name, form=form, source=source, offset=start,
                            context=_mask(data, start, end, f"{name}:{form}")))

        for form, needle in _forms(value):
            start = data.find(needle)
            while start >= 0:
                record(form, start, start + len(needle))
                start = data.find(needle, start + 1)
        core = _core(value)
        if core is not None:
            lowered = data.lower() if lowered is None else lowered
            start = lowered.find(core)
            while start >= 0:
                record("core", start, start + len(core))
                start = lowered.find(core, start + 1)
            # a piece of it: what a cut through the secret leaves (12 hex characters: no accident)
            for offset in range(len(core) - _PIECE + 1):
                piece = core[offset:offset + _PIECE]
                start = lowered.find(piece)
                while start >= 0:
                    record("piece of the core", start, start + _PIECE)
                    start = lowered.find(piece, start + 1)
    return hits


_PIECE = 12


def _decompressed(data: bytes) -> bytes | None:
    try:
        if data[:2] == b"\x1f\x8b":
            return gzip.decompress(data)[:_DECOMPRESS_LIMIT]
        if data[:1] == b"\x78" and len(data) > 2 and (data[0] * 256 + data[1]) % 31 == 0:
            return zlib.decompressobj().decompress(data, _DECOMPRESS_LIMIT)
    except (OSError, EOFError, zlib.error):
        return None
    return None


def _files(path: Path) -> Iterator[Path]:
    if path.is_file():
        yield path
        return
    for root, dirs, names in os.walk(path, followlinks=False):
        dirs.sort()
        for name in sorted(names):
            candidate = Path(root) / name
            if candidate.is_file() and not candidate.is_symlink():
                yield candidate


def _git_objects(repo: Path) -> bytes:
    proc = subprocess.run(["git", "cat-file", "--batch-all-objects", "--batch"], cwd=repo, capture_output=True,
                          timeout=60, check=False)
    if proc.returncode != 0:
        raise AssertionError(f"cannot list the objects of {repo}: {proc.stderr.decode(errors='replace')}")
    return proc.stdout


def _as_bytes(value: Any) -> bytes:
    if value is None:
        return b""
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8", "surrogateescape")


def _labelled(sources: Iterable[Source]) -> Iterator[tuple[str, bytes]]:
    for index, source in enumerate(sources):
        if isinstance(source, GitObjects):
            yield f"<git objects of {source.repo}>", _git_objects(source.repo)
        elif isinstance(source, subprocess.CompletedProcess):
            yield f"<stdout of {source.args!r}>", _as_bytes(source.stdout)
            yield f"<stderr of {source.args!r}>", _as_bytes(source.stderr)
        elif isinstance(source, tuple):
            yield str(source[0]), _as_bytes(source[1])
        elif isinstance(source, os.PathLike):
            path = Path(source)
            if not path.exists():
                raise AssertionError(f"nothing to scan at {path}")
            for file in _files(path):
                data = file.read_bytes()
                yield str(file), data
                if (inflated := _decompressed(data)) is not None:
                    yield f"{file} (decompressed)", inflated
        else:
            yield f"<text {index}>", _as_bytes(source)


def scan(sources: Source | Iterable[Source], markers: SecretMarkers | Mapping[str, str] | None = None) -> ScanResult:
    """Search texts (str/bytes), files and directories (Path), CompletedProcess outputs, ("label", text)
    pairs and GitObjects for the secrets (default: the ones set in the environment now)."""
    if isinstance(sources, (str, bytes, os.PathLike, subprocess.CompletedProcess, GitObjects, tuple)):
        sources = [sources]
    if markers is None:
        secrets: Mapping[str, str] = _secrets_from_env()
    elif isinstance(markers, SecretMarkers):
        secrets = markers.secrets()
    else:
        secrets = markers
    if not secrets:
        raise AssertionError("no secrets to look for: set them (secret_markers fixture) or pass markers")
    hits: list[Hit] = []
    count = size = 0
    for label, data in _labelled(sources):
        count += 1
        size += len(data)
        hits += _search(data, label, secrets)
    return ScanResult(hits=hits, sources=count, bytes_scanned=size)


def find_markers(sources: Source | Iterable[Source],
                 markers: SecretMarkers | Mapping[str, str] | None = None) -> list[Hit]:
    """Every occurrence of a secret in `sources` (see `scan`); an empty list means no leak was found."""
    return scan(sources, markers).hits


def assert_no_markers(sources: Source | Iterable[Source],
                      markers: SecretMarkers | Mapping[str, str] | None = None) -> ScanResult:
    """Fail with the (masked) places a secret leaked to; return the scan's figures otherwise."""
    result = scan(sources, markers)
    if result.hits:
        listed = "\n".join(f"  {hit}" for hit in result.hits[:20])
        raise AssertionError(f"{len(result.hits)} secret occurrence(s):\n{listed}")
    return result

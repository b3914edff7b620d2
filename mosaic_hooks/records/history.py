"""The deployment history: `.mosaic/deployment_history.jsonl`, one JSON object per verified deploy.

Appends are locked (a `filelock` next to the file) and atomic: the whole line goes out in one
`os.write` on an `O_APPEND` descriptor, then fsync, so hooks running at once never interleave or lose
lines. A line cut short by a crash is never merged with the next record (a new record starts on a fresh
line) and is skipped with a warning on read. The file is only ever appended to, never rewritten.
Every record is redacted before it is written.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from mosaic_hooks.core import isotime
from mosaic_hooks.core.errors import MosaicError
from mosaic_hooks.core.redact import redact, secret_values

HISTORY_FILE = "deployment_history.jsonl"
SCHEMA = 1
LOCK_TIMEOUT_S = 30.0


class HistoryError(MosaicError):
    """The history file could not be read or written."""


def history_file(history_dir: Path) -> Path:
    return history_dir / HISTORY_FILE


def _redacted(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        return redact(value, secrets) if secrets else value
    if isinstance(value, Mapping):
        return {_redacted(k, secrets): _redacted(v, secrets) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redacted(v, secrets) for v in value]
    return value


def redacted(record: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of `record` with every secret in its keys and string values masked."""
    clean: dict[str, Any] = _redacted(record, secret_values())
    return clean


def encode(record: Mapping[str, Any]) -> bytes:
    """One record as one line (with its newline), secrets redacted value by value.

    Redacting the values rather than the JSON text also catches a secret that JSON would escape.
    """
    if not isinstance(record, Mapping):
        raise HistoryError(f"a history record must be a JSON object, got {type(record).__name__}")
    clean = redacted(record)
    try:
        text = json.dumps(clean, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise HistoryError(f"a history record cannot be written as JSON: {exc}") from None
    return (text + "\n").encode("utf-8")


# Written into the history directory on first use: what is in it besides the records is not to be committed.
GITIGNORE = """# Written by mosaic-hooks. Commit deployment_history.jsonl, dora_metrics.json and config.toml;
# the lock and the temporary files of atomic writes are this machine's only.
*.lock
.*.tmp
"""


def ensure_gitignore(directory: Path) -> None:
    """Write `directory/.gitignore` for the lock and temporary files, unless there is one already."""
    try:
        with open(directory / ".gitignore", "x", encoding="utf-8") as handle:
            handle.write(GITIGNORE)
    except FileExistsError:
        pass


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    from filelock import FileLock, Timeout

    lock = FileLock(str(path) + ".lock", timeout=LOCK_TIMEOUT_S)
    try:
        with lock:
            yield
    except Timeout:
        raise HistoryError(f"{path}: still locked by another process after {LOCK_TIMEOUT_S:.0f} s",
                           hint=f"if no mosaic-hooks process is running, delete {path}.lock") from None


def new_record_id() -> str:
    """A fresh record id: 128 random bits, so two clones never make the same one."""
    return uuid.uuid4().hex


def derived_record_id(record: Mapping[str, Any]) -> str:
    """The id of a record written before records had one: a hash of its canonical JSON (sorted keys,
    compact), the same in every clone and in the git notes. Records identical in every field share it:
    nothing could tell them apart anyway."""
    text = json.dumps({k: v for k, v in record.items() if k != "id"}, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, default=str)
    return "sha256-" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def record_id(record: Mapping[str, Any]) -> str:
    """What identifies a record across clones: its `id`, or for an old record without one, its derived id."""
    value = record.get("id")
    if type(value) is str and value:
        return value
    return derived_record_id(record)


def append(path: Path, record: Mapping[str, Any]) -> str:
    """Append one new record to the history file `path` (created with its directory if missing).

    The record gets a unique `id` unless it has one; returns the id.
    """
    if not isinstance(record, Mapping):
        raise HistoryError(f"a history record must be a JSON object, got {type(record).__name__}")
    record = identified(record)
    append_many(path, [record])
    return str(record["id"])


def identified(record: Mapping[str, Any]) -> Mapping[str, Any]:
    """`record` with a fresh `id` (last, after the fields it had) unless it has one."""
    if type(record.get("id")) is str and record.get("id"):
        return record
    return {**record, "id": new_record_id()}


def append_many(path: Path, records: Iterable[Mapping[str, Any]]) -> int:
    """Append several records as they are (with their ids: records pulled from the notes) in one locked,
    single write; return how many were written."""
    lines = [encode(record) for record in records]
    if not lines:
        return 0
    data = b"".join(lines)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        ensure_gitignore(path.parent)
        with _locked(path):
            fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                size = os.fstat(fd).st_size
                # A line cut by a crash (no final newline) must not swallow this record.
                if size and os.pread(fd, 1, size - 1) != b"\n":
                    data = b"\n" + data
                written = os.write(fd, data)
                while written < len(data):  # only on a full disk or a signal; finish the line
                    written += os.write(fd, data[written:])
                os.fsync(fd)
            finally:
                os.close(fd)
    except OSError as exc:
        raise HistoryError(f"{path}: cannot append to the history ({exc.strerror})") from None
    return len(lines)


_CHUNK = 1 << 20  # bytes of lines read and parsed together


class TypedDecoder(Protocol):
    """A msgspec decoder of one type (records/deploy_table.py: SUMMARY_DECODER)."""

    def decode(self, line: bytes, /) -> object: ...


def iter_batches(path: Path, warnings: list[str], *, decoder: TypedDecoder | None = None,
                 chunk: int = _CHUNK) -> Iterator[list[Any]]:
    """The records of the file in order, a list of those of about `chunk` bytes of lines at a time (nothing if
    there is no file); each line skipped adds a warning.

    A record is a dict; with `decoder`, a batch whose every line it reads comes as what it made of them
    (msgspec reads into a typed struct only the fields it names, skipping the rest of the line without
    making objects of it), and any other batch as dicts.
    """
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return
    except OSError as exc:
        raise HistoryError(f"{path}: cannot read the history ({exc.strerror})") from None
    import msgspec

    name = path.name
    loads = msgspec.json.Decoder().decode
    number = 0
    with handle:
        while lines := handle.readlines(chunk):
            values: list[Any] | None = None
            try:
                if decoder is not None:
                    values = list(map(decoder.decode, lines))
                else:
                    values = list(map(loads, lines))
                    if set(map(type, values)) != {dict}:
                        values = None
            except (ValueError, RecursionError):  # msgspec's DecodeError and ValidationError are ValueErrors
                values = None
            if values is None:
                values = list(_parse_lines(lines, number, name, loads, warnings))
            number += len(lines)
            yield values


def _parse_lines(lines: list[bytes], before: int, name: str, loads: Callable[[bytes], Any],
                 warnings: list[str]) -> Iterator[dict[str, Any]]:
    """The records of `lines` (which follow line `before`), one by one, skipping with a warning what is none."""
    for number, raw in enumerate(lines, before + 1):
        try:
            record = loads(raw)
        except (ValueError, RecursionError):  # msgspec's DecodeError, and UnicodeDecodeError alike
            if not raw.strip():
                continue
            # the standard library reads what strict JSON does not (NaN, Infinity): ask it too
            try:
                record = json.loads(raw)
            except ValueError:
                warnings.append(f"{name} line {number}: not a complete JSON record (cut by a crash?), skipped")
                continue
            except RecursionError:  # e.g. 100,000 nested brackets: a bad line, not an internal error
                warnings.append(f"{name} line {number}: nested too deeply to read, skipped")
                continue
        if type(record) is not dict:
            warnings.append(f"{name} line {number}: not a JSON object, skipped")
            continue
        yield record


def iter_records(path: Path, warnings: list[str]) -> Iterator[dict[str, Any]]:
    """Each record of the file in order, as a dict (nothing if there is no file); each line skipped adds a
    warning."""
    for batch in iter_batches(path, warnings):
        yield from batch


@contextmanager
def gc_paused() -> Iterator[None]:
    """Parsing many records allocates many containers and no cycles; the cyclic GC would only slow it.

    On the way out, what was made meanwhile goes straight to the oldest generation (freeze then unfreeze:
    constant time) rather than being scanned by the next young collection; it stays collectable.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def read(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """Every record of the history file, in file order, and a warning for each line skipped."""
    warnings: list[str] = []
    with gc_paused():
        records = list(iter_records(path, warnings))
    return records, warnings


def last_verified(path: Path, *, service: str | None = None) -> dict[str, Any] | None:
    """The newest record (by its timestamp; file order breaks ties) with `success: true`, or None.

    `service` is the configured service: a record without a service belongs to it (it was written before
    the service was configured), so adding `RENDER_SERVICE_ID` later does not forget the verified base.
    """
    best: dict[str, Any] | None = None
    best_time: datetime | None = None
    with gc_paused():
        for record in iter_records(path, []):
            if record.get("success") is not True:
                continue
            if service is not None and record.get("service") not in (service, None, ""):
                continue
            moment = isotime.parse(record.get("timestamp"))
            if moment is None:
                continue
            if best_time is None or moment >= best_time:
                best, best_time = record, moment
    return best


def newest_of(records: list[dict[str, Any]], commit: str, service: str | None) -> dict[str, Any] | None:
    """The newest record (file order) of a verification of `commit` for `service`, or None. Pure.

    A record without a service belongs to the configured one, as in `last_verified`."""
    record: dict[str, Any]
    for record in reversed(records):
        if record.get("commit") != commit:
            continue
        if service is not None and record.get("service") not in (service, None):
            continue
        return record
    return None

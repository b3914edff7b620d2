"""The history file: locked atomic appends, crash-cut lines skipped, never rewritten, always redacted."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from filelock import FileLock

from mosaic_hooks.records import history
from mosaic_hooks.records.history import HistoryError
from tests.support.dora_records import record


def test_append_then_read_round_trips_and_creates_the_directory(tmp_path: Path) -> None:
    path = tmp_path / ".mosaic" / "deployment_history.jsonl"
    first, second = record("a", "2026-01-02T00:00:00Z"), record("b", "2026-01-03T00:00:00Z", "fail")
    first_id = history.append(path, first)
    second_id = history.append(path, second)
    records, warnings = history.read(path)
    assert records == [{**first, "id": first_id}, {**second, "id": second_id}]
    assert warnings == []
    assert path.read_bytes().count(b"\n") == 2


def test_reading_a_missing_file_is_an_empty_history(tmp_path: Path) -> None:
    assert history.read(tmp_path / "nothing.jsonl") == ([], [])
    assert history.last_verified(tmp_path / "nothing.jsonl") is None


def test_secrets_are_redacted_before_writing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENDER_API_KEY", "rnd_SECRETkey123")
    monkeypatch.setenv("DATABASE_URL", 'postgres://app:pa"ss\\word@db.internal/app')
    path = tmp_path / "h.jsonl"
    rec = record("a", "2026-01-02T00:00:00Z", "fail",
                 reason='GET /health?key=rnd_SECRETkey123 failed; db pa"ss\\word refused')
    rec["gates"][0]["summary"] = "token rnd_SECRETkey123"
    history.append(path, rec)
    text = path.read_text()
    assert "rnd_SECRETkey123" not in text
    assert "word" not in text  # the password, whose quote and backslash JSON escapes
    (stored,), _ = history.read(path)
    assert stored["failure_reason"] == "GET /health?key=*** failed; db *** refused"
    assert stored["gates"][0]["summary"] == "token ***"


_WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from mosaic_hooks.records import history
    path, writer, count = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    padding = "x" * 20000  # long lines: an unlocked or split write would interleave
    for i in range(count):
        history.append(path, {"schema": 1, "writer": writer, "n": i, "padding": padding})
""")


def test_twenty_processes_appending_at_once_lose_and_mix_nothing(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    writers, each = 20, 10
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(path), str(w), str(each)])
             for w in range(writers)]
    for proc in procs:
        assert proc.wait(timeout=60) == 0
    records, warnings = history.read(path)
    assert warnings == []
    assert len(records) == writers * each
    assert sorted((r["writer"], r["n"]) for r in records) == [(w, i) for w in range(writers) for i in range(each)]
    assert all(len(r["padding"]) == 20000 for r in records)
    assert len(path.read_bytes().splitlines()) == writers * each


def test_a_line_cut_by_a_crash_is_skipped_and_the_next_append_starts_a_fresh_line(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    history.append(path, record("a", "2026-01-02T00:00:00Z"))
    with path.open("ab") as handle:  # what a writer killed halfway through its write leaves
        handle.write(b'{"schema":1,"timestamp":"2026-01-0')
    before = path.read_bytes()
    history.append(path, record("b", "2026-01-03T00:00:00Z"))
    assert path.read_bytes().startswith(before)  # appended, never rewritten
    records, warnings = history.read(path)
    assert [r["commit"][:1] for r in records] == ["a", "b"]
    assert warnings == ["h.jsonl line 2: not a complete JSON record (cut by a crash?), skipped"]


_KILLED_MID_APPEND = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from filelock import FileLock
    path = Path(sys.argv[1])
    lock = FileLock(str(path) + ".lock")
    lock.acquire()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.write(fd, b'{"schema":1,"commit":"half-writ')
    os.kill(os.getpid(), signal.SIGKILL)
""")


def test_a_writer_killed_while_holding_the_lock_blocks_nobody(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    history.append(path, record("a", "2026-01-02T00:00:00Z"))
    proc = subprocess.run([sys.executable, "-c", _KILLED_MID_APPEND, str(path)], timeout=30)
    assert proc.returncode == -signal.SIGKILL
    history.append(path, record("b", "2026-01-03T00:00:00Z"))
    records, warnings = history.read(path)
    assert len(records) == 2
    assert len(warnings) == 1 and "line 2" in warnings[0]


def test_broken_lines_are_skipped_with_their_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    good = json.dumps(record("a", "2026-01-02T00:00:00Z"))
    path.write_bytes(b"\n".join([good.encode(), b"", b"[1, 2]", b"\xff\xfe not utf-8", b"{oops", good.encode()])
                     + b"\n")
    records, warnings = history.read(path)
    assert len(records) == 2
    assert warnings == [
        "h.jsonl line 3: not a JSON object, skipped",
        "h.jsonl line 4: not a complete JSON record (cut by a crash?), skipped",
        "h.jsonl line 5: not a complete JSON record (cut by a crash?), skipped",
    ]


def test_the_file_is_appended_to_in_place_never_replaced(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    history.append(path, record("a", "2026-01-02T00:00:00Z"))
    inode = os.stat(path).st_ino
    history.append_many(path, [record("b", "2026-01-03T00:00:00Z"), record("c", "2026-01-04T00:00:00Z")])
    assert os.stat(path).st_ino == inode
    assert len(history.read(path)[0]) == 3


def test_a_record_that_is_not_json_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    history.append(path, record("a", "2026-01-02T00:00:00Z"))
    before = path.read_bytes()
    with pytest.raises(HistoryError, match="cannot be written as JSON"):
        history.append(path, {"timestamp": object()})
    with pytest.raises(HistoryError, match="cannot be written as JSON"):
        history.append(path, {"duration_s": float("nan")})
    assert path.read_bytes() == before


def test_a_lock_held_too_long_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "h.jsonl"
    monkeypatch.setattr(history, "LOCK_TIMEOUT_S", 0.2)
    with FileLock(str(path) + ".lock"):
        # FileLock is re-entrant within a process, so the waiting writer is another process
        code = ("import sys; from pathlib import Path; from mosaic_hooks.records import history;"
                "history.LOCK_TIMEOUT_S = 0.2\n"
                "try:\n history.append(Path(sys.argv[1]), {'a': 1})\n"
                "except history.HistoryError as e:\n print(e.line()); sys.exit(2)")
        proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2
    assert "still locked by another process" in proc.stdout
    assert not path.exists() or path.read_bytes() == b""


def test_last_verified_is_the_newest_passing_record(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    history.append_many(path, [
        record("new-web", "2026-01-09T00:00:00Z", service="web"),
        record("old", "2026-01-02T00:00:00Z"),
        record("newest-api", "2026-01-05T00:00:00Z"),
        record("older-written-later", "2026-01-03T00:00:00Z"),
        record("failed", "2026-01-08T00:00:00Z", "fail"),
    ])
    newest = history.last_verified(path)
    assert newest is not None and newest["commit"].startswith("new-web")
    api = history.last_verified(path, service="api")
    assert api is not None and api["commit"].startswith("newest-api")
    assert history.last_verified(path, service="nope") is None


def test_every_new_record_gets_its_own_id_even_six_of_one_commit_in_one_second(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    same = record("a", None, "fail", deploy_id=None, verified="2026-01-02T00:00:00Z")
    same["deploy_id"] = None
    ids = [history.append(path, same) for _ in range(6)]
    records, _ = history.read(path)
    assert len(set(ids)) == 6
    assert [r["id"] for r in records] == ids
    assert "id" not in same  # the caller's record is not changed


def test_a_record_keeps_the_id_it_has() -> None:
    rec = {**record("a", "2026-01-02T00:00:00Z"), "id": "from-another-clone"}
    assert history.record_id(rec) == "from-another-clone"


def test_an_old_record_without_an_id_has_one_derived_from_its_content_the_same_everywhere() -> None:
    old = record("a", "2026-01-02T00:00:00Z", deploy_id="dep-9")
    reordered = dict(reversed(list(old.items())))  # as the git notes store it: sorted keys
    assert history.record_id(old) == history.record_id(reordered) == history.record_id(json.loads(json.dumps(old)))
    assert history.record_id(old).startswith("sha256-")
    assert history.record_id({**old, "duration_s": 2.0}) != history.record_id(old)


def test_the_verified_base_survives_configuring_the_service_later(tmp_path: Path) -> None:
    """Issue 15 item 1c: a pass recorded before RENDER_SERVICE_ID was set belongs to the configured service."""
    path = tmp_path / "h.jsonl"
    history.append(path, record("before-the-id", "2026-01-02T00:00:00Z", service=None))
    history.append(path, record("other-service", "2026-01-03T00:00:00Z", service="srv-other"))
    base = history.last_verified(path, service="srv-1")
    assert base is not None and base["commit"].startswith("before-the-id")


def test_the_first_record_writes_a_gitignore_for_the_lock_and_temporary_files(tmp_path: Path) -> None:
    import subprocess

    from mosaic_hooks.records import history as hist

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    path = tmp_path / ".mosaic" / "deployment_history.jsonl"
    hist.append(path, {"commit": "a" * 40, "success": True})
    (path.parent / ".dora_metrics.json.123.tmp").write_text("{}")
    ignored = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=tmp_path,
                             capture_output=True, text=True, check=True).stdout
    assert ".mosaic/deployment_history.jsonl" in ignored and ".mosaic/.gitignore" in ignored
    assert ".lock" not in ignored and ".tmp" not in ignored
    (path.parent / ".gitignore").write_text("# mine\n")
    hist.append(path, {"commit": "b" * 40, "success": True})
    assert (path.parent / ".gitignore").read_text() == "# mine\n"  # never overwritten

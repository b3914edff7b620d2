"""The one atomic writer: the old file or the new one, never half of one, with the mode the caller asked for."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from mosaic_hooks.core import files


@pytest.fixture
def strict_umask() -> Iterator[None]:
    old = os.umask(0o077)  # the narrowest usual umask: the writer's mode must not depend on it
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("strict_umask")
@pytest.mark.parametrize("mode", [0o600, 0o644, 0o755])
def test_the_new_file_has_exactly_the_mode_asked_for(tmp_path: Path, mode: int) -> None:
    target = tmp_path / "file"
    target.write_bytes(b"old")
    target.chmod(0o600 if mode != 0o600 else 0o644)
    files.write_bytes_atomic(target, b"new", mode=mode)
    assert target.read_bytes() == b"new"
    assert _mode(target) == mode


def test_records_are_this_users_only_unless_asked(tmp_path: Path) -> None:
    target = tmp_path / "record.json"
    files.write_text_atomic(target, "{}\n")
    assert _mode(target) == 0o600


def test_text_is_written_as_utf8_with_secrets_masked_and_bytes_as_they_are(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENDER_API_KEY", "rnd_secretvalue123456")
    text_file = tmp_path / "report.txt"
    files.write_text_atomic(text_file, "caf\u00e9 key=rnd_secretvalue123456\n")
    written = text_file.read_text(encoding="utf-8")
    assert written.startswith("caf\u00e9 ") and "rnd_secretvalue123456" not in written
    raw = tmp_path / "blob"
    files.write_bytes_atomic(raw, b"\x00\xff rnd_secretvalue123456", durable=False)
    assert raw.read_bytes() == b"\x00\xff rnd_secretvalue123456"


def test_the_file_is_replaced_whole_and_no_temporary_file_is_left(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "file"
    files.write_bytes_atomic(target, b"first")  # the directory is made
    old_inode = target.stat().st_ino
    files.write_bytes_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert target.stat().st_ino != old_inode  # a new file renamed over the old one, not rewritten in place
    assert [p.name for p in target.parent.iterdir()] == ["file"]


def test_a_write_that_fails_midway_leaves_the_old_file_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "dora_metrics.json"
    target.write_bytes(b"old content")
    # A real failure in the middle of the write: the file size limit makes the kernel refuse the data
    # after the temp file exists (EFBIG), as a full disk would.
    script = textwrap.dedent(f"""
        import resource, signal, sys
        from mosaic_hooks.core import files
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
        try:
            files.write_bytes_atomic({str(target)!r}, b"x" * 1_000_000, mode=0o644)
        except OSError as exc:
            print(exc.errno)
            sys.exit(0)
        sys.exit("the write did not fail")
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout) == 27  # EFBIG: the failure really happened mid-write
    assert target.read_bytes() == b"old content"
    assert [p.name for p in tmp_path.iterdir()] == ["dora_metrics.json"]


def test_a_failed_rename_leaves_the_target_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.mkdir()  # a non-empty directory where the file should go: the rename fails, even for root
    (target / "keep").write_text("kept")
    with pytest.raises(OSError):
        files.write_bytes_atomic(target, b"new")
    assert (target / "keep").read_text() == "kept"
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


def test_leftovers_of_dead_writers_are_removed_and_a_live_writers_temp_file_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "dora_metrics.json"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    dead_temp = tmp_path / f".dora_metrics.json.{dead}.abc123.tmp"
    live_temp = tmp_path / f".dora_metrics.json.{os.getpid()}.def456.tmp"
    other = tmp_path / f".other.json.{dead}.abc123.tmp"
    for path in (dead_temp, live_temp, other):
        path.write_text("partial")
    files.remove_orphaned_temp_files(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live_temp.name, other.name])

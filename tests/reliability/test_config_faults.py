"""`mosaic-hooks config` against broken files and odd file-system states, run as a user runs it.

Every case records its figures (exit code, one line, traceback, time against its bound) for the reliability
report. A broken file gives exit 2 and one line naming it; a file that is not a regular file is ignored.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support import fuzz
from tests.support.reliability_log import ReliabilityLog, has_traceback, is_one_line

BOUND_S = 10.0


def _pyproject(text: str | bytes) -> Callable[[Path], dict[str, str]]:
    def setup(repo: Path) -> dict[str, str]:
        data = text.encode() if isinstance(text, str) else text
        (repo / "pyproject.toml").write_bytes(data)
        return {}
    return setup


def _own(text: str) -> Callable[[Path], dict[str, str]]:
    def setup(repo: Path) -> dict[str, str]:
        (repo / ".mosaic").mkdir(exist_ok=True)
        (repo / ".mosaic" / "config.toml").write_text(text)
        return {}
    return setup


def _env(**values: str) -> Callable[[Path], dict[str, str]]:
    return lambda repo: dict(values)


def _directory(repo: Path) -> dict[str, str]:
    (repo / "pyproject.toml").mkdir()
    return {}


def _dangling_link(repo: Path) -> dict[str, str]:
    (repo / "pyproject.toml").symlink_to(repo / "nowhere.toml")
    return {}


def _link_loop(repo: Path) -> dict[str, str]:
    (repo / "pyproject.toml").symlink_to(repo / "loop.toml")
    (repo / "loop.toml").symlink_to(repo / "pyproject.toml")
    return {}


def _fifo(repo: Path) -> dict[str, str]:
    os.mkfifo(repo / "pyproject.toml")  # opening it for reading would block for ever
    return {}


def _mosaic_is_a_file(repo: Path) -> dict[str, str]:
    (repo / ".mosaic").write_text("not a directory\n")
    return {}


def _huge(repo: Path) -> dict[str, str]:
    line = "# " + "padding " * 12 + "\n"
    with (repo / "pyproject.toml").open("w") as handle:
        handle.write("[tool.mosaic]\nhealth_path = \"/healthz\"\n")
        handle.write(line * (50 * 1024 * 1024 // len(line)))
    return {}


BROKEN = 2
IGNORED = 0
CASES = [pytest.param(case, setup, expected, id=case) for case, setup, expected in [
    ("invalid TOML syntax", _pyproject("[tool.mosaic]\nhealth_path = \n"), BROKEN),
    ("unknown key", _pyproject("[tool.mosaic]\np95_limt_ms = 3\n"), BROKEN),
    ("wrong type", _pyproject('[tool.mosaic]\np95_limit_ms = "fast"\n'), BROKEN),
    ("secret in a file", _pyproject('[tool.mosaic]\nrender_api_key = "rnd_x"\n'), BROKEN),
    ("Latin-1 bytes", _pyproject(b'[tool.mosaic]\nservice_name = "caf\xe9"\n'), BROKEN),
    ("UTF-16 file", _pyproject('[tool.mosaic]\nhealth_path = "/h"\n'.encode("utf-16")), BROKEN),
    ("UTF-8 BOM", _pyproject(b'\xef\xbb\xbf[tool.mosaic]\nhealth_path = "/h"\n'), BROKEN),
    ("NUL byte", _pyproject(b'[tool.mosaic]\nhealth_path = "/h"\x00\n'), BROKEN),
    ("[tool.mosaic] not a table", _pyproject("[tool]\nmosaic = 3\n"), BROKEN),
    ("broken .mosaic/config.toml", _own("p95_limit_ms = [\n"), BROKEN),
    ("a megabyte-long unknown key", _pyproject("[tool.mosaic]\n" + "k" * 1_000_000 + " = 1\n"), BROKEN),
    ("bad environment BACKEND_URL", _env(BACKEND_URL="ftp://example.invalid"), BROKEN),
    ("bad environment MOSAIC_RENDER_API_URL", _env(MOSAIC_RENDER_API_URL="api.render.com"), BROKEN),
    ("pyproject.toml is a directory", _directory, IGNORED),
    ("pyproject.toml is a dangling symlink", _dangling_link, IGNORED),
    ("pyproject.toml is a symlink loop", _link_loop, IGNORED),
    ("pyproject.toml is a FIFO", _fifo, IGNORED),
    (".mosaic is a file", _mosaic_is_a_file, IGNORED),
    ("50 MB pyproject.toml", _huge, IGNORED),
]]
CASES.append(pytest.param(
    "TOML nested 2000 deep", _pyproject(fuzz.deeply_nested_toml(2000)), BROKEN, id="TOML nested 2000 deep",
    marks=pytest.mark.xfail(strict=True, raises=AssertionError,
                            reason="RecursionError in tomllib: internal error, exit 3 (see tests/test_config_fuzz.py)"),
))


@pytest.mark.parametrize(("case", "setup", "expected"), CASES)
def test_config_command_on_a_broken_setup(case: str, setup: Callable[[Path], dict[str, str]], expected: int,
                                          repo: Path, reliability_log: ReliabilityLog) -> None:
    env = setup(repo)
    started = time.monotonic()
    proc = run_cli("config", cwd=repo, env=env, timeout=BOUND_S * 3)
    elapsed = time.monotonic() - started
    reliability_log.bad_input("mosaic-hooks config", case, exit_code=proc.returncode, expected_exit=expected,
                              output=proc.stderr, elapsed=elapsed, bound=BOUND_S)
    assert not has_traceback(proc.stdout + proc.stderr), proc.stderr
    assert proc.returncode == expected, proc.stderr
    assert elapsed <= BOUND_S
    if expected == BROKEN:
        assert proc.stdout == ""
        assert is_one_line(proc.stderr), proc.stderr
        assert proc.stderr.startswith("mosaic-hooks: ")
        named = "environment" if case.startswith("bad environment") else "toml"
        assert named in proc.stderr.lower()
    else:
        assert proc.stderr == ""
        assert "health_path" in proc.stdout

"""The README cannot drift from the code: its tables and commands are checked here."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mosaic_hooks.core import config, exit_codes
from tests.conftest import PROJECT_ROOT, run_cli

README = (PROJECT_ROOT / "README.md").read_text()


def _block_after(marker: str) -> str:
    match = re.search(rf"<!-- {re.escape(marker)} -->\n```sh\n(.*?)\n```", README, re.S)
    assert match, f"README has no sh block after <!-- {marker} -->"
    return match.group(1)


def test_first_screen_gives_exactly_two_setup_commands() -> None:
    first_screen = README[: README.index("## ")]
    assert first_screen.count("```sh") == 2
    assert "mosaic-hooks demo" in _block_after("demo-command")
    assert "pytest" in _block_after("test-command")


def test_ci_runs_the_readme_test_command() -> None:
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text()
    assert "<!-- test-command -->" in ci  # .ci/run extracts the command from the README itself


def test_ci_also_lints_type_checks_and_fails_without_its_services() -> None:
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text()
    assert ".venv/bin/ruff check ." in ci and ".venv/bin/mypy --strict mosaic_hooks" in ci
    assert "export MOSAIC_REQUIRE_SERVICES=1" in ci  # a missing PostgreSQL or Chromium fails the tests
    assert "could not install" in ci and "exit 1" in ci  # and CI itself, before they run


def test_the_test_command_runs_in_parallel_with_what_the_test_extra_installs() -> None:
    pyproject = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text()
    assert "pytest -n auto" in _block_after("test-command")
    for tool in ("pytest-xdist", "ruff", "mypy"):
        assert f'"{tool}' in pyproject, tool


def test_config_table_lists_every_file_key_with_its_default() -> None:
    table = README[README.index("<!-- config-table -->"):]
    rows = dict(re.findall(r"^\| `([a-z_0-9]+)` \| ([^|]+) \|", table, re.M))
    file_keys = [key for key in config.KEYS if not key.env_only]
    assert sorted(rows) == sorted(key.name for key in file_keys)
    for key in file_keys:
        shown = rows[key.name].strip()
        if key.default is None:
            assert shown == "(not set)", key.name
        elif isinstance(key.default, bool):
            assert shown == f"`{str(key.default).lower()}`", key.name
        elif isinstance(key.default, str):
            assert shown == f'`"{key.default}"`', key.name
        elif isinstance(key.default, (list, dict)):
            assert shown == ("`[]`" if isinstance(key.default, list) else "`{}`"), key.name
        else:
            assert shown == f"`{key.default}`", key.name


def test_every_secret_and_environment_variable_is_documented() -> None:
    for key in config.KEYS:
        if key.env:
            assert f"`{key.env}`" in README, key.env


def test_exit_code_table_matches_the_code() -> None:
    for code in (exit_codes.PASSED, exit_codes.FAILED, exit_codes.USAGE, exit_codes.INCONCLUSIVE,
                 exit_codes.INTERRUPTED):
        assert re.search(rf"^\| {code} \|", README, re.M), code


def _command_rows() -> list[str]:
    section = README[README.index("## Commands"):]
    section = section[: section.index("\n## ", 1)]
    return re.findall(r"^\| `(mosaic-hooks [^`]+)` ", section, re.M)


def test_every_option_in_the_commands_table_exists(tmp_path: Path) -> None:
    rows = _command_rows()
    assert len(rows) >= 9
    for row in rows:
        words = row.replace("\\|", "|").split()
        for variant in " ".join(words[1:]).split(" / "):
            command = variant.split()[0]
            proc = run_cli(command, "--help", cwd=tmp_path)
            assert proc.returncode == 0, (row, proc.stderr)
            for flag in re.findall(r"(--?[a-z][a-z-]*)", variant):
                assert flag in proc.stdout, (row, flag)


def test_the_install_command_installs_the_hooks(repo: Path) -> None:
    command = _block_after("readme-test: install")
    proc = subprocess.run(command.replace("mosaic-hooks", f"{sys.executable} -m mosaic_hooks", 1), shell=True,
                          cwd=repo, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    for hook in ("pre-commit", "pre-push"):
        assert "mosaic" in (repo / ".git" / "hooks" / hook).read_text()


@pytest.mark.timeout(600)  # creates a virtual environment and installs the package into it
def test_the_demo_command_works_on_a_fresh_clone(tmp_path: Path) -> None:
    """The README's first command, run as written in a fresh clone: new venv, install, demo."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(PROJECT_ROOT), str(clone)], check=True, timeout=60)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    proc = subprocess.run(["bash", "-c", _block_after("demo-command")], cwd=clone, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]

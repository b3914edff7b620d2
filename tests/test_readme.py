"""The README cannot drift from the code: its tables and commands are checked here."""

from __future__ import annotations

import re
from pathlib import Path

from mosaic_hooks import config, exit_codes

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


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

"""`mosaic-hooks config`: every value with its source, secrets never shown."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli


def test_prints_each_value_with_its_source(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[tool.mosaic]\nhealth_path = "/healthz"\n')
    proc = run_cli("config", cwd=repo, env={"BACKEND_URL": "http://127.0.0.1:9"})
    assert proc.returncode == 0, proc.stderr
    assert "health_path" in proc.stdout and "/healthz" in proc.stdout
    assert "(pyproject.toml [tool.mosaic])" in proc.stdout
    assert "(env BACKEND_URL)" in proc.stdout


def test_secrets_are_redacted_in_text_and_json(repo: Path) -> None:
    env = {"RENDER_API_KEY": "rnd_configsecret123", "DATABASE_URL": "postgresql://u:pa55word@db:5432/x",
           "MOSAIC_PROBE_TOKEN": "probe-token-xyz"}
    for args in (["config"], ["config", "--json"]):
        proc = run_cli(*args, cwd=repo, env=env)
        assert proc.returncode == 0, proc.stderr
        for secret in ("rnd_configsecret123", "pa55word", "probe-token-xyz"):
            assert secret not in proc.stdout + proc.stderr
    data = json.loads(run_cli("config", "--json", cwd=repo, env=env).stdout)
    assert data["database_url"]["value"] == "postgresql://u:***@db:5432/x"


def test_broken_file_is_one_line_exit_2_no_traceback(repo: Path) -> None:
    (repo / "pyproject.toml").write_text("[tool.mosaic]\nhelth_path = '/x'\n")
    proc = run_cli("config", cwd=repo)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "did you mean 'health_path'?" in proc.stderr


def test_works_outside_a_repository(tmp_path: Path) -> None:
    proc = run_cli("config", cwd=tmp_path)
    assert proc.returncode == 0
    assert "/health" in proc.stdout


def test_version_and_help(tmp_path: Path) -> None:
    from mosaic_hooks import __version__
    assert run_cli("--version", cwd=tmp_path).stdout.strip() == f"mosaic-hooks {__version__}"
    proc = run_cli("config", "--help", cwd=tmp_path)
    assert proc.returncode == 0 and "--json" in proc.stdout


def test_a_reader_that_stops_early_ends_config_quietly(repo: Path) -> None:
    from tests.conftest import run_cli_reader_gone

    for args in (["config"], ["config", "--json"]):
        proc = run_cli_reader_gone(*args, cwd=repo)
        assert (proc.returncode, proc.stderr) == (0, "")


def test_a_command_with_a_verdict_does_not_claim_one_when_its_reader_stops_early(repo: Path) -> None:
    from tests.conftest import run_cli_reader_gone

    proc = run_cli_reader_gone("verify", "--no-wait", cwd=repo, env={"BACKEND_URL": "http://127.0.0.1:9"})
    assert proc.returncode != 0
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr

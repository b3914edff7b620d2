"""`mosaic-hooks config` with the three secrets set to markers: no marker in any output or file, on the
normal path and on the error paths (a broken file, a secret pasted into another setting)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.reliability_log import ReliabilityLog
from tests.support.secrets import GitObjects, SecretMarkers, Source, make_markers, scan


def _no_file(repo: Path, markers: SecretMarkers) -> dict[str, str]:
    return {}


def _broken_file(repo: Path, markers: SecretMarkers) -> dict[str, str]:
    (repo / "pyproject.toml").write_text("[tool.mosaic]\nhealth_path = \n")
    return {}


def _key_in_backend_url(repo: Path, markers: SecretMarkers) -> dict[str, str]:
    return {"BACKEND_URL": f"ftp://deploy:{markers.render_api_key}@127.0.0.1/"}  # refused, and echoed back


def _token_in_backend_url(repo: Path, markers: SecretMarkers) -> dict[str, str]:
    return {"BACKEND_URL": f"http://127.0.0.1:9/?token={markers.probe_token}"}  # accepted, and shown


def _password_in_api_url(repo: Path, markers: SecretMarkers) -> dict[str, str]:
    return {"MOSAIC_RENDER_API_URL": markers.database_url}  # not http(s): refused, and echoed back


def _secret_in_file(repo: Path, markers: SecretMarkers) -> dict[str, str]:
    (repo / "pyproject.toml").write_text(f'[tool.mosaic]\nrender_api_key = "{markers.render_api_key}"\n')
    return {}


SCENARIOS: list[tuple[str, Callable[[Path, SecretMarkers], dict[str, str]], int]] = [
    ("config, nothing wrong", _no_file, 0),
    ("config, broken file", _broken_file, 2),
    ("config, API key pasted into BACKEND_URL", _key_in_backend_url, 2),
    ("config, probe token inside BACKEND_URL", _token_in_backend_url, 0),
    ("config, DATABASE_URL pasted into the API URL", _password_in_api_url, 2),
    ("config, API key written into pyproject.toml", _secret_in_file, 2),
]


@pytest.mark.parametrize("special", [False, True], ids=["plain password", "password needing percent-encoding"])
@pytest.mark.parametrize("as_json", [False, True], ids=["table", "json"])
@pytest.mark.parametrize(("scope", "setup", "expected"), SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_no_secret_reaches_output_or_files(scope: str, setup: Callable[[Path, SecretMarkers], dict[str, str]],
                                           expected: int, as_json: bool, special: bool, repo: Path,
                                           reliability_log: ReliabilityLog) -> None:
    markers = make_markers(special=special)
    env = {**markers.env(), **setup(repo, markers)}
    proc = run_cli("config", *(["--json"] if as_json else []), cwd=repo, env=env)
    assert proc.returncode == expected, proc.stderr
    sources: list[Source] = [("<stdout>", proc.stdout), ("<stderr>", proc.stderr), GitObjects(repo)]
    # Every file of the checkout but the one the user wrote the key into (their leak, not ours).
    sources += [path for path in repo.iterdir() if path.name not in (".git", "pyproject.toml")]
    result = scan(sources, markers)
    reliability_log.secrets(f"{scope} ({'json' if as_json else 'table'}, "
                            f"{'special' if special else 'plain'} password)", result)
    assert result.hits == [], "\n".join(map(str, result.hits))
    if expected == 0:
        assert "(set, redacted)" in proc.stdout


def test_the_scan_would_see_a_leak_here(repo: Path) -> None:
    """Control: the same search over output that does carry a marker finds it (so a zero above means something)."""
    markers = make_markers()
    proc = run_cli("config", cwd=repo, env={"BACKEND_URL": f"http://127.0.0.1:9/?token={markers.probe_token}"})
    assert proc.returncode == 0  # the token is not set as a secret here, so nothing redacts it
    assert len(scan([("<stdout>", proc.stdout)], markers).hits) == 1


"""The secret markers are unique and the scanner finds them in every form a leak takes, and nowhere else."""

from __future__ import annotations

import base64
import gzip
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import commit_files, git
from tests.support.secrets import (
    GitObjects,
    SecretMarkers,
    assert_no_markers,
    find_markers,
    make_markers,
    scan,
    secret_markers,
)

__all__ = ["secret_markers"]  # the fixture, imported so pytest finds it here


def test_markers_are_unique_and_the_url_carries_the_password() -> None:
    first, second = make_markers(), make_markers()
    assert len({*first.secrets().values(), *second.secrets().values()}) == 6
    for markers in (first, second):
        assert all("MARKER" in value for value in markers.secrets().values())
        assert unquote(urlsplit(markers.database_url).password or "") == markers.db_password


def test_fixture_sets_the_three_variables(secret_markers: SecretMarkers) -> None:
    assert os.environ["RENDER_API_KEY"] == secret_markers.render_api_key
    assert os.environ["MOSAIC_PROBE_TOKEN"] == secret_markers.probe_token
    assert os.environ["DATABASE_URL"] == secret_markers.database_url


def test_without_markers_or_environment_the_scan_refuses_to_pass_vacuously() -> None:
    with pytest.raises(AssertionError, match="no secrets to look for"):
        find_markers("anything")


def test_the_environment_markers_are_used_by_default(secret_markers: SecretMarkers) -> None:
    (hit,) = find_markers(f"password={secret_markers.db_password}")
    assert hit.secret == "DATABASE_URL password"


def test_one_raw_occurrence_is_one_hit_and_its_context_is_masked() -> None:
    markers = make_markers()
    (hit,) = find_markers(f"Authorization: Bearer {markers.render_api_key}\n", markers)
    assert (hit.secret, hit.form, hit.source, hit.offset) == ("RENDER_API_KEY", "raw", "<text 0>", 22)
    assert markers.render_api_key not in hit.context
    assert "Bearer [RENDER_API_KEY:raw]" in hit.context


def test_every_occurrence_is_counted() -> None:
    markers = make_markers()
    text = " ".join([markers.probe_token] * 3 + [markers.render_api_key])
    assert sorted(hit.secret for hit in find_markers(text, markers)) == ["MOSAIC_PROBE_TOKEN"] * 3 + ["RENDER_API_KEY"]


def test_redacted_output_and_other_runs_markers_are_not_hits() -> None:
    markers, others = make_markers(), make_markers()
    text = f"key=*** token=(set, redacted) db=postgresql://mosaic:***@127.0.0.1/db {others.render_api_key}"
    assert find_markers(text, markers) == []


def test_percent_encoded_password_in_a_url_is_found() -> None:
    markers = make_markers(special=True)
    assert quote(markers.db_password, safe="") != markers.db_password
    (hit,) = find_markers(f"connecting to {markers.database_url}", markers)
    assert (hit.secret, hit.form) == ("DATABASE_URL password", "percent")


@pytest.mark.parametrize("prefix", [b"", b"u", b"us", b"user:", b"xyzw:"])
@pytest.mark.parametrize("urlsafe", [False, True])
def test_base64_at_any_alignment_is_found(prefix: bytes, urlsafe: bool) -> None:
    markers = make_markers(special=True)
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    blob = encode(prefix + markers.db_password.encode() + b"\n trailing data")
    hits = find_markers([f"Authorization: Basic {blob.decode()}"], markers)
    assert [(hit.secret, hit.form.startswith("base64")) for hit in hits] == [("DATABASE_URL password", True)]


def test_json_escaped_and_utf16_forms_are_found() -> None:
    markers = make_markers(special=True)
    as_json = json.dumps({"url": markers.database_url, "pw": markers.db_password}).encode()
    assert {hit.form for hit in find_markers(as_json, markers)} == {"percent", "raw"}
    quoted = {"A secret with a quote": 'x"y_MARKER_' + "ab" * 16}
    (hit,) = find_markers(json.dumps(list(quoted.values())), quoted)
    assert hit.form == "json"
    (hit,) = find_markers(markers.render_api_key.encode("utf-16-le"), markers)
    assert hit.form == "utf-16"


def test_a_re_cased_or_cut_copy_is_found_by_its_core() -> None:
    markers = make_markers()
    (hit,) = find_markers(markers.probe_token.upper()[4:], markers)
    assert (hit.secret, hit.form) == ("MOSAIC_PROBE_TOKEN", "core")


def test_files_in_nested_hidden_directories_and_binary_files_are_searched(tmp_path: Path) -> None:
    markers = make_markers()
    (tmp_path / ".mosaic" / "reports").mkdir(parents=True)
    (tmp_path / ".mosaic" / "reports" / "junit.xml").write_text(f"<failure>{markers.probe_token}</failure>")
    (tmp_path / "blob.bin").write_bytes(os.urandom(1000) + markers.render_api_key.encode() + b"\xff\x00" * 10)
    (tmp_path / "clean.txt").write_text("nothing here\n")
    result = scan([tmp_path], markers)
    assert result.sources == 3
    assert sorted((Path(hit.source).name, hit.secret) for hit in result.hits) == [
        ("blob.bin", "RENDER_API_KEY"), ("junit.xml", "MOSAIC_PROBE_TOKEN")]


def test_compressed_files_are_searched_inside(tmp_path: Path) -> None:
    markers = make_markers()
    (tmp_path / "report.json.gz").write_bytes(gzip.compress(markers.render_api_key.encode() * 2))
    hits = find_markers(tmp_path, markers)
    assert [(hit.source.endswith("(decompressed)"), hit.form) for hit in hits] == [(True, "raw"), (True, "raw")]


def test_command_output_is_searched(tmp_path: Path) -> None:
    markers = make_markers()
    proc = subprocess.run([sys.executable, "-c", "import sys; print('out'); print(sys.argv[1], file=sys.stderr)",
                           markers.probe_token], capture_output=True, text=True, timeout=30)
    (hit,) = find_markers(proc, markers)
    assert hit.source.startswith("<stderr of")


def test_git_objects_packed_or_loose_are_searched(tmp_path: Path) -> None:
    markers = make_markers()
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    commit_files(repo, {"a.txt": "harmless\n"})
    assert find_markers(GitObjects(repo), markers) == []
    git(repo, "notes", "add", "-m", f"deploy {markers.render_api_key}")
    assert len(find_markers(GitObjects(repo), markers)) == 1
    git(repo, "gc", "-q")
    assert len(find_markers(GitObjects(repo), markers)) == 1
    # A plain walk of .git sees the loose object decompressed too, but not inside a pack.
    assert find_markers(repo / ".git" / "objects", markers) == []


def test_assert_no_markers_lists_the_leaks_masked() -> None:
    markers = make_markers()
    with pytest.raises(AssertionError, match=r"1 secret occurrence") as info:
        assert_no_markers([("<report>", f"key {markers.render_api_key}")], markers)
    assert markers.render_api_key not in str(info.value)
    assert assert_no_markers(["clean"], markers).sources == 1


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000) | st.text(max_size=2000))
def test_random_data_never_matches(data: bytes | str) -> None:
    assert find_markers([data], make_markers(special=True)) == []


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200), st.binary(max_size=200), st.sampled_from(["raw", "b64", "b64url", "pct"]))
def test_an_embedded_marker_is_always_found(before: bytes, after: bytes, form: str) -> None:
    markers = make_markers(special=True)
    value = markers.db_password.encode()
    inner = {"raw": value, "b64": base64.b64encode(before + value + after),
             "b64url": base64.urlsafe_b64encode(before + value + after),
             "pct": quote(markers.db_password, safe="").encode()}[form]
    assert find_markers([before + inner + after], markers), form

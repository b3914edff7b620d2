"""`mosaic-hooks history push|pull|show` as a team runs it: two clones of one bare remote."""

from __future__ import annotations

import json
from pathlib import Path

from mosaic_hooks.records import history
from tests.conftest import commit_files, git, run_cli, run_cli_reader_gone
from tests.support.dora_records import record


def _deploy(commit: str, live: str, deploy_id: str, verdict: str = "pass") -> dict[str, object]:
    rec = record("x", live, verdict, deploy_id=deploy_id, reason="health: 503" if verdict == "fail" else None)
    rec["commit"] = commit
    return rec


def test_push_in_one_clone_and_pull_in_another_then_dora_counts_both(repo: Path, remote: Path,
                                                                      tmp_path: Path) -> None:
    c1 = commit_files(repo, {"app.py": "v1\n"}, "first")
    git(repo, "push", "-q", "--no-verify", "origin", "main")
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(remote), str(other))
    history.append(repo / ".mosaic" / "deployment_history.jsonl", _deploy(c1, "2026-01-02T10:00:00Z", "dep-a"))
    history.append(other / ".mosaic" / "deployment_history.jsonl",
                   _deploy(c1, "2026-01-03T10:00:00Z", "dep-b", "fail"))

    pushed = run_cli("history", "push", cwd=repo)
    assert pushed.returncode == 0, pushed.stderr
    assert "pushed refs/notes/mosaic to origin (1 new record from this clone)" in pushed.stdout
    pushed_b = run_cli("history", "push", "--remote", "origin", cwd=other)
    assert pushed_b.returncode == 0, pushed_b.stderr

    pulled = run_cli("history", "pull", cwd=repo)
    assert pulled.returncode == 0, pulled.stderr
    assert "1 new record added" in pulled.stdout
    dora = run_cli("dora", "--since", "2026-01-01", "--until", "2026-01-31", "--json", cwd=repo)
    doc = json.loads(dora.stdout)
    assert doc["change_failure_rate"]["total_deployments"] == 2
    assert doc["change_failure_rate"]["failed_deployments"] == 1

    shown = run_cli("history", "show", cwd=repo)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"2026-01-02T10:00:00Z  {c1[:12]}  pass")
    assert lines[1].endswith("fail          api  health: 503")


def test_pull_when_the_remote_has_no_notes_says_so(repo: Path, remote: Path) -> None:
    proc = run_cli("history", "pull", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert "origin has no deployment notes yet" in proc.stdout


def test_push_with_nothing_recorded_says_so(repo: Path, remote: Path) -> None:
    proc = run_cli("history", "push", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert "nothing to push" in proc.stdout


def test_an_unknown_remote_is_one_line_and_exit_2(repo: Path, remote: Path) -> None:
    proc = run_cli("history", "push", "--remote", "nope", cwd=repo)
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("mosaic-hooks: no git remote named 'nope' (remotes: origin) "
                                   "(hint: pass --remote NAME, or add one with `git remote add`)")


def test_outside_a_repository_is_one_line_and_exit_2(tmp_path: Path) -> None:
    proc = run_cli("history", "pull", cwd=tmp_path)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "not inside a git repository" in proc.stderr


def test_show_filters_by_service_and_prints_json(repo: Path) -> None:
    history.append_many(repo / ".mosaic" / "deployment_history.jsonl", [
        record("a", "2026-01-02T10:00:00Z", service="api"),
        record("w", "2026-01-03T10:00:00Z", service="web"),
    ])
    proc = run_cli("history", "show", "--service", "web", "--json", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    (line,) = proc.stdout.strip().splitlines()
    assert json.loads(line)["service"] == "web"


def test_history_show_skips_a_line_nested_too_deep_and_ends_quietly_when_the_reader_stops(repo: Path) -> None:
    path = repo / ".mosaic" / "deployment_history.jsonl"
    history.append(path, record("a", "2026-01-02T10:00:00Z"))
    with path.open("ab") as handle:
        handle.write(b'{"a":' * 50_000 + b"1" + b"}" * 50_000 + b"\n")
    history.append(path, record("b", "2026-01-03T10:00:00Z"))
    proc = run_cli("history", "show", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert "line 2: nested too deeply to read, skipped" in proc.stderr
    assert len(proc.stdout.splitlines()) == 2
    gone = run_cli_reader_gone("history", "show", cwd=repo)
    assert (gone.returncode, gone.stderr.count("warning")) == (0, 1)
    assert "Error" not in gone.stderr


def test_history_show_counts_records_without_a_service_as_the_configured_service(repo: Path) -> None:
    path = repo / ".mosaic" / "deployment_history.jsonl"
    history.append(path, record("before-the-id", "2026-01-02T10:00:00Z", service=None))
    history.append(path, record("other", "2026-01-03T10:00:00Z", service="srv-other"))
    proc = run_cli("history", "show", "--service", "srv-1", "--json", cwd=repo, env={"RENDER_SERVICE_ID": "srv-1"})
    assert [json.loads(line)["commit"][:13] for line in proc.stdout.splitlines()] == ["before-the-id"]

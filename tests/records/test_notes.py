"""Sharing the history through git notes: two real clones and a bare remote."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from mosaic_hooks.core import git as mgit
from mosaic_hooks.core.errors import GitError, Inconclusive
from mosaic_hooks.records import history
from mosaic_hooks.records import notes as history_notes
from tests.conftest import commit_files, git
from tests.support.dora_records import record


@dataclass
class Team:
    a: Path
    b: Path
    bare: Path
    c1: str
    c2: str

    def history(self, clone: Path) -> Path:
        return clone / ".mosaic" / "deployment_history.jsonl"


@pytest.fixture
def team(tmp_path: Path, repo: Path, remote: Path) -> Team:
    c1 = commit_files(repo, {"app.py": "v1\n"}, "first")
    git(repo, "push", "-q", "--no-verify", "origin", "main")
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(remote), str(other))
    c2 = commit_files(repo, {"app.py": "v2\n"}, "second")
    git(repo, "push", "-q", "--no-verify", "origin", "main")
    git(other, "pull", "-q", "--no-rebase", "origin", "main")
    return Team(a=repo, b=other, bare=remote, c1=c1, c2=c2)


def _deploy(commit: str, live: str, deploy_id: str, verdict: str = "pass") -> dict[str, object]:
    rec = record("x", live, verdict, deploy_id=deploy_id)
    rec["commit"] = commit
    return rec


def _keys(path: Path) -> list[str]:
    records, warnings = history.read(path)
    assert warnings == []
    return sorted(history.record_id(r) for r in records)


def test_two_clones_recording_different_deploys_both_keep_everything(team: Team) -> None:
    repo_a, repo_b = mgit.find_repo(team.a), mgit.find_repo(team.b)
    history.append_many(team.history(team.a), [_deploy(team.c1, "2026-01-02T10:00:00Z", "dep-a1"),
                                               _deploy(team.c2, "2026-01-03T10:00:00Z", "dep-a2")])
    # the other clone deployed the same commit c2 again (same note, other record) and c1 once more
    history.append_many(team.history(team.b), [_deploy(team.c2, "2026-01-04T10:00:00Z", "dep-b1", "fail"),
                                               _deploy(team.c1, "2026-01-05T10:00:00Z", "dep-b2")])

    first = history_notes.push(repo_a, team.history(team.a), "origin")
    assert (first.pushed, first.records_noted, first.remote_had_notes) == (True, 2, False)
    # b's notes ref was created independently: its push merges a's notes (cat_sort_uniq) before pushing
    second = history_notes.push(repo_b, team.history(team.b), "origin")
    assert (second.pushed, second.records_noted, second.remote_had_notes) == (True, 2, True)

    on_remote = git(team.bare, "notes", "--ref=mosaic", "show", team.c2).splitlines()
    assert sorted(json.loads(line)["deploy_id"] for line in on_remote) == ["dep-a2", "dep-b1"]

    pulled_a = history_notes.pull(repo_a, team.history(team.a), "origin")
    pulled_b = history_notes.pull(repo_b, team.history(team.b), "origin")
    assert (pulled_a.records_pulled, pulled_b.records_pulled) == (2, 2)
    assert _keys(team.history(team.a)) == _keys(team.history(team.b))
    assert len(_keys(team.history(team.a))) == 4

    # pulling or pushing again adds nothing and duplicates nothing
    assert history_notes.pull(repo_a, team.history(team.a), "origin").records_pulled == 0
    again = history_notes.push(repo_a, team.history(team.a), "origin")
    assert again.records_noted == 0 and again.pushed
    notes, _ = history_notes.read_notes(repo_a)
    assert sum(len(lines) for lines in notes.values()) == 4
    assert len(history.read(team.history(team.a))[0]) == 4


def test_a_third_clone_gets_the_whole_team_history(team: Team, tmp_path: Path) -> None:
    history.append(team.history(team.a), _deploy(team.c1, "2026-01-02T10:00:00Z", "dep-a1"))
    history.append(team.history(team.b), _deploy(team.c2, "2026-01-03T10:00:00Z", "dep-b1"))
    history_notes.push(mgit.find_repo(team.a), team.history(team.a), "origin")
    history_notes.push(mgit.find_repo(team.b), team.history(team.b), "origin")
    third = tmp_path / "third"
    git(tmp_path, "clone", "-q", str(team.bare), str(third))
    result = history_notes.pull(mgit.find_repo(third), third / ".mosaic" / "deployment_history.jsonl", "origin")
    assert result.records_pulled == 2
    assert {r["deploy_id"] for r in history.read(third / ".mosaic" / "deployment_history.jsonl")[0]} == {
        "dep-a1", "dep-b1"}


def test_a_record_already_in_the_local_history_is_not_appended_again(team: Team) -> None:
    rec = {**_deploy(team.c1, "2026-01-02T10:00:00Z", "dep-1"), "id": "rec-1"}
    history.append(team.history(team.a), rec)
    history.append(team.history(team.b), {**rec, "gates": []})  # the same record (same id), copied earlier
    history_notes.push(mgit.find_repo(team.a), team.history(team.a), "origin")
    assert history_notes.pull(mgit.find_repo(team.b), team.history(team.b), "origin").records_pulled == 0
    assert len(history.read(team.history(team.b))[0]) == 1


def test_six_verifications_of_one_commit_in_one_second_are_six_shared_records(team: Team) -> None:
    """Issue 15 item 3: (commit, second, no deploy id) used to make them one line in the note."""
    repo_a, repo_b = mgit.find_repo(team.a), mgit.find_repo(team.b)
    same = _deploy(team.c2, "2026-01-02T10:00:00Z", "")
    same["deploy_id"] = None
    for _ in range(6):
        history.append(team.history(team.a), same)
    history.append(team.history(team.b), _deploy(team.c1, "2026-01-03T10:00:00Z", "dep-b"))
    history.append(team.history(team.b), same)  # b verified the same commit in the same second too

    assert history_notes.push(repo_a, team.history(team.a), "origin").records_noted == 6
    assert history_notes.pull(repo_b, team.history(team.b), "origin").records_pulled == 6
    assert history_notes.push(repo_b, team.history(team.b), "origin").records_noted == 2
    assert history_notes.pull(repo_a, team.history(team.a), "origin").records_pulled == 2

    assert _keys(team.history(team.a)) == _keys(team.history(team.b))
    assert len(_keys(team.history(team.a))) == 8
    on_remote = git(team.bare, "notes", "--ref=mosaic", "show", team.c2).splitlines()
    assert len(on_remote) == 7


def test_old_records_without_ids_are_shared_once_and_stay_equal_in_both_clones(team: Team) -> None:
    """Histories written before records had ids: each is identified by a hash of its content."""
    repo_a, repo_b = mgit.find_repo(team.a), mgit.find_repo(team.b)
    history.append_many(team.history(team.a), [_deploy(team.c1, "2026-01-02T10:00:00Z", "dep-1"),
                                               _deploy(team.c2, "2026-01-03T10:00:00Z", "dep-2")])
    history.append_many(team.history(team.b), [_deploy(team.c2, "2026-01-03T10:00:00Z", "dep-2")])  # the same
    for _ in range(2):
        history_notes.push(repo_a, team.history(team.a), "origin")
        history_notes.pull(repo_b, team.history(team.b), "origin")
        history_notes.push(repo_b, team.history(team.b), "origin")
        history_notes.pull(repo_a, team.history(team.a), "origin")
    assert _keys(team.history(team.a)) == _keys(team.history(team.b))
    assert len(_keys(team.history(team.a))) == 2


def test_records_of_commits_this_clone_lacks_are_not_shared_with_a_warning(team: Team) -> None:
    history.append_many(team.history(team.a), [_deploy("f" * 40, "2026-01-02T10:00:00Z", "dep-gone"),
                                               _deploy("HEAD", "2026-01-02T11:00:00Z", "dep-by-name"),
                                               _deploy(team.c1, "2026-01-03T10:00:00Z", "dep-1")])
    result = history_notes.push(mgit.find_repo(team.a), team.history(team.a), "origin")
    assert result.records_noted == 1
    assert result.warnings == ["2 record(s) name a commit this clone does not have; not shared"]


def test_pulling_from_a_remote_without_notes_changes_nothing(team: Team) -> None:
    result = history_notes.pull(mgit.find_repo(team.b), team.history(team.b), "origin")
    assert (result.remote_had_notes, result.records_pulled) == (False, 0)
    assert not team.history(team.b).exists()


def test_pushing_notes_never_fires_the_pre_push_hook(team: Team) -> None:
    hook = team.a / ".git" / "hooks" / "pre-push"
    hook.parent.mkdir(exist_ok=True)
    hook.write_text("#!/bin/sh\necho blocked >&2\nexit 1\n")
    hook.chmod(0o755)
    history.append(team.history(team.a), _deploy(team.c1, "2026-01-02T10:00:00Z", "dep-1"))
    assert history_notes.push(mgit.find_repo(team.a), team.history(team.a), "origin").pushed


def test_secrets_are_masked_in_the_notes(team: Team, monkeypatch: pytest.MonkeyPatch) -> None:
    path = team.history(team.a)
    path.parent.mkdir()
    rec = _deploy(team.c1, "2026-01-02T10:00:00Z", "dep-1")
    rec["failure_reason"] = "key rnd_LEAKEDkey42 rejected"
    path.write_text(json.dumps(rec) + "\n")  # written by hand, bypassing append's redaction
    monkeypatch.setenv("RENDER_API_KEY", "rnd_LEAKEDkey42")
    history_notes.push(mgit.find_repo(team.a), path, "origin")
    note = git(team.bare, "notes", "--ref=mosaic", "show", team.c1)
    assert "rnd_LEAKEDkey42" not in note
    assert "key *** rejected" in note


def test_an_unknown_remote_is_one_clear_error(team: Team) -> None:
    with pytest.raises(GitError, match="no git remote named 'upstream' \\(remotes: origin\\)"):
        history_notes.push(mgit.find_repo(team.a), team.history(team.a), "upstream")


def test_the_default_remote_is_the_branch_remote(team: Team) -> None:
    git(team.a, "remote", "rename", "origin", "shared")
    assert history_notes.default_remote(mgit.find_repo(team.a)) == "shared"
    git(team.a, "checkout", "-q", "-b", "local-only")
    assert history_notes.default_remote(mgit.find_repo(team.a)) == "origin"


def test_a_push_that_lost_a_race_merges_the_winner_and_pushes_again(team: Team, tmp_path: Path) -> None:
    """b merges the remote's notes; before b pushes, a pushes again; b's push is rejected, b merges, retries."""
    repo_a, repo_b = mgit.find_repo(team.a), mgit.find_repo(team.b)
    history.append(team.history(team.a), _deploy(team.c1, "2026-01-02T10:00:00Z", "dep-a1"))
    history_notes.push(repo_a, team.history(team.a), "origin")
    racing = _deploy(team.c2, "2026-01-06T10:00:00Z", "dep-a-race")
    race_line = history_notes.canonical_line(racing)
    (tmp_path / "race.json").write_text(race_line)
    marker = tmp_path / "raced"
    # fires in b when b drops its temporary fetched ref, i.e. after merging and right before pushing
    hook = team.b / ".git" / "hooks" / "reference-transaction"
    hook.parent.mkdir(exist_ok=True)
    hook.write_text(f"""#!/bin/sh
[ "$1" = committed ] || exit 0
grep -q "refs/notes/mosaic-fetched" || exit 0
[ -e "{marker}" ] && exit 0
touch "{marker}"
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_PREFIX GIT_OBJECT_DIRECTORY GIT_QUARANTINE_PATH
git -C "{team.a}" notes --ref=mosaic add -f -F "{tmp_path / 'race.json'}" {team.c2} >/dev/null 2>&1
git -C "{team.a}" push -q --no-verify origin refs/notes/mosaic >/dev/null 2>&1
exit 0
""")
    hook.chmod(0o755)
    history.append(team.history(team.b), _deploy(team.c1, "2026-01-07T10:00:00Z", "dep-b1"))
    result = history_notes.push(repo_b, team.history(team.b), "origin")
    assert marker.exists(), "the race was not staged"
    assert result.pushed
    deploy_ids = set()
    for commit in (team.c1, team.c2):
        for line in git(team.bare, "notes", "--ref=mosaic", "show", commit).splitlines():
            deploy_ids.add(json.loads(line)["deploy_id"])
    assert deploy_ids == {"dep-a1", "dep-a-race", "dep-b1"}


def test_a_note_whose_blob_is_missing_is_skipped_with_a_warning_and_the_others_are_read(team: Team) -> None:
    history.append_many(team.history(team.a), [_deploy(team.c1, "2026-01-02T10:00:00Z", "dep-1"),
                                               _deploy(team.c2, "2026-01-03T10:00:00Z", "dep-2")])
    repo = mgit.find_repo(team.a)
    history_notes.note_local_records(repo, team.history(team.a), history_notes.Result())
    listing = dict(reversed(line.split()) for line in git(team.a, "notes", "--ref=mosaic", "list").splitlines())
    lost = listing[team.c1]
    (team.a / ".git" / "objects" / lost[:2] / lost[2:]).unlink()  # a damaged clone: the loose blob is gone
    notes, warnings = history_notes.read_notes(repo)
    assert warnings == [f"note {lost} on {team.c1[:12]}: missing from the repository, skipped"]
    assert list(notes) == [team.c2]
    assert json.loads(notes[team.c2][0])["deploy_id"] == "dep-2"


def test_a_remote_that_does_not_answer_is_inconclusive_within_the_time_limit(
        team: Team, monkeypatch: pytest.MonkeyPatch) -> None:
    git(team.a, "remote", "add", "silent", "ssh://mosaic.invalid/repo.git")
    monkeypatch.setenv("GIT_SSH_COMMAND", "sleep 3; :")  # an ssh connection that never says anything
    monkeypatch.setattr(history_notes, "NETWORK_TIMEOUT_S", 1.0)
    with pytest.raises(Inconclusive, match=r"^git fetch did not finish within 1 s$"):
        history_notes.pull(mgit.find_repo(team.a), team.history(team.a), "silent")

"""Push ranges: git's pre-push lines parsed exactly as githooks(5) documents, and the commits each ref sends."""

from __future__ import annotations

from pathlib import Path

import pytest

from mosaic_hooks.core import git as mgit
from mosaic_hooks.hooks.push_range import (
    PushInputError,
    RefUpdate,
    compute_range,
    compute_ranges,
    first_parent_of_oldest,
    parse_push_lines,
    parse_receive_lines,
    range_from_pre_commit_env,
)
from tests.conftest import commit_files, git

Z40 = "0" * 40
Z64 = "0" * 64
A40 = "a" * 40
B40 = "b" * 40


# --- parsing (pure) --------------------------------------------------------------------------------

def test_every_line_is_parsed_not_only_the_first() -> None:
    text = f"refs/heads/a {A40} refs/heads/a {B40}\nrefs/heads/b {B40} refs/heads/b {Z40}\n"
    assert parse_push_lines(text) == [
        RefUpdate("refs/heads/a", A40, "refs/heads/a", B40),
        RefUpdate("refs/heads/b", B40, "refs/heads/b", Z40),
    ]


def test_local_ref_with_spaces_is_split_from_the_right() -> None:
    (update,) = parse_push_lines(f"HEAD~1 with spaces {A40} refs/heads/x {Z40}\n")
    assert update.local_ref == "HEAD~1 with spaces"
    assert update.remote_ref == "refs/heads/x"


@pytest.mark.parametrize("zero", [Z40, Z64])
def test_any_all_zero_id_is_null_sha1_and_sha256(zero: str) -> None:
    sha = "c" * len(zero)
    (deletion, new) = parse_push_lines(f"(delete) {zero} refs/heads/x {sha}\nrefs/heads/y {sha} refs/heads/y {zero}\n")
    assert deletion.is_deletion and not deletion.is_new_ref
    assert new.is_new_ref and not new.is_deletion


def test_blank_lines_are_ignored_and_empty_input_has_no_updates() -> None:
    assert parse_push_lines("") == []
    assert parse_push_lines("\n  \n") == []


@pytest.mark.parametrize("line", [
    "garbage",
    f"refs/heads/a {A40} refs/heads/a",
    f"refs/heads/a xyz refs/heads/a {B40}",
    f"refs/heads/a {A40[:39]} refs/heads/a {B40}",
])
def test_a_line_git_would_not_send_is_refused_with_its_number(line: str) -> None:
    with pytest.raises(PushInputError) as exc:
        parse_push_lines(f"refs/heads/ok {A40} refs/heads/ok {B40}\n{line}\n")
    assert "line 2" in exc.value.line()
    assert exc.value.exit_code == 2


def test_receive_lines_old_new_ref() -> None:
    (update,) = parse_receive_lines(f"{Z40} {A40} refs/heads/main\n")
    assert (update.old_sha, update.new_sha, update.ref) == (Z40, A40, "refs/heads/main")
    with pytest.raises(PushInputError):
        parse_receive_lines("nonsense\n")


def test_base_is_the_first_parent_of_the_oldest_new_commit() -> None:
    assert first_parent_of_oldest("") == (0, None)
    assert first_parent_of_oldest(f"{A40} {B40}\n{B40} {A40}\n") == (2, B40)
    assert first_parent_of_oldest(f"{A40}\n") == (1, None)  # a root commit (or a shallow boundary)


# --- ranges, with real git -------------------------------------------------------------------------

def _repo(path: Path) -> mgit.Repo:
    return mgit.find_repo(path)


def test_update_of_a_pushed_branch_is_old_tip_to_new_tip(repo: Path, remote: Path) -> None:
    old = git(repo, "rev-parse", "HEAD")
    new = commit_files(repo, {"a.py": "x = 1\n"})
    pushed = compute_range(_repo(repo), RefUpdate("refs/heads/main", new, "refs/heads/main", old))
    assert pushed is not None and (pushed.base, pushed.head) == (old, new)


def test_new_branch_range_is_the_commits_on_no_remote_tracking_ref(repo: Path, remote: Path) -> None:
    main = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "-b", "feature")
    commit_files(repo, {"a.py": "1\n"})
    head = commit_files(repo, {"b.py": "2\n"})
    pushed = compute_range(_repo(repo), RefUpdate("refs/heads/feature", head, "refs/heads/feature", Z40))
    assert pushed is not None and (pushed.base, pushed.head) == (main, head)


def test_new_branch_at_a_commit_the_remote_has_sends_nothing(repo: Path, remote: Path) -> None:
    head = git(repo, "rev-parse", "HEAD")
    assert compute_range(_repo(repo), RefUpdate("refs/heads/copy", head, "refs/heads/copy", Z40)) is None


def test_deletion_sends_nothing(repo: Path, remote: Path) -> None:
    head = git(repo, "rev-parse", "HEAD")
    assert compute_range(_repo(repo), RefUpdate("(delete)", Z40, "refs/heads/main", head)) is None


def test_force_push_after_rebase_uses_the_new_branch_range_not_the_old_tip(repo: Path, remote: Path) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    commit_files(repo, {"feature.py": "1\n"}, "feature work")
    git(repo, "push", "-q", "--no-verify", "origin", "feature")
    old_tip = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "main")
    commit_files(repo, {"upstream.py": "1\n", "other.py": "2\n"}, "main moves on")
    git(repo, "push", "-q", "--no-verify", "origin", "main")
    main_tip = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "feature")
    git(repo, "rebase", "-q", "main")
    new_tip = git(repo, "rev-parse", "HEAD")
    r = _repo(repo)
    pushed = compute_range(r, RefUpdate("refs/heads/feature", new_tip, "refs/heads/feature", old_tip))
    assert pushed is not None and (pushed.base, pushed.head) == (main_tip, new_tip)
    assert mgit.changed_paths(r, pushed.base, pushed.head) == ["feature.py"]  # not main's files


def test_remote_tip_missing_locally_is_probed_silently(repo: Path, remote: Path,
                                                       capfd: pytest.CaptureFixture[str]) -> None:
    main = git(repo, "rev-parse", "HEAD")
    head = commit_files(repo, {"a.py": "1\n"})
    unknown = "1234567890" * 4
    pushed = compute_range(_repo(repo), RefUpdate("refs/heads/main", head, "refs/heads/main", unknown))
    assert pushed is not None and (pushed.base, pushed.head) == (main, head)
    assert capfd.readouterr().err == ""


def test_annotated_tag_is_resolved_to_its_commit(repo: Path, remote: Path) -> None:
    main = git(repo, "rev-parse", "HEAD")
    head = commit_files(repo, {"a.py": "1\n"})
    git(repo, "tag", "-a", "v1", "-m", "release")
    tag_object = git(repo, "rev-parse", "refs/tags/v1")
    assert tag_object != head
    pushed = compute_range(_repo(repo), RefUpdate("refs/tags/v1", tag_object, "refs/tags/v1", Z40))
    assert pushed is not None and (pushed.base, pushed.head, pushed.local_sha) == (main, head, tag_object)


def test_tag_of_a_pushed_commit_sends_nothing(repo: Path, remote: Path) -> None:
    git(repo, "tag", "-a", "v0", "-m", "release")
    tag_object = git(repo, "rev-parse", "refs/tags/v0")
    assert compute_range(_repo(repo), RefUpdate("refs/tags/v0", tag_object, "refs/tags/v0", Z40)) is None


def test_remote_given_as_url_without_tracking_refs_uses_the_other_remote_tips(tmp_path: Path, repo: Path) -> None:
    # No remote-tracking refs at all: another ref of the same push whose remote tip we have bounds the range.
    first = git(repo, "rev-parse", "HEAD")
    second = commit_files(repo, {"a.py": "1\n"})
    git(repo, "checkout", "-q", "-b", "feature")
    third = commit_files(repo, {"b.py": "1\n"})
    updates = [RefUpdate("refs/heads/feature", third, "refs/heads/feature", Z40),
               RefUpdate("refs/heads/main", second, "refs/heads/main", first)]
    (_, feature_range), (_, main_range) = compute_ranges(_repo(repo), updates)
    assert main_range is not None and (main_range.base, main_range.head) == (first, second)
    assert feature_range is not None and (feature_range.base, feature_range.head) == (first, third)


def test_without_any_remote_knowledge_the_whole_history_is_new(repo: Path) -> None:
    head = commit_files(repo, {"a.py": "1\n"})
    pushed = compute_range(_repo(repo), RefUpdate("refs/heads/main", head, "refs/heads/main", Z40))
    assert pushed is not None and (pushed.base, pushed.head) == (None, head)


def test_pre_commit_framework_env_gives_the_range(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD")
    head = commit_files(repo, {"a.py": "1\n"})
    r = _repo(repo)
    pushed = range_from_pre_commit_env(r, {"PRE_COMMIT_FROM_REF": base, "PRE_COMMIT_TO_REF": head,
                                           "PRE_COMMIT_REMOTE_BRANCH": "refs/heads/main"})
    assert pushed is not None and (pushed.base, pushed.head, pushed.remote_ref) == (base, head, "refs/heads/main")
    assert range_from_pre_commit_env(r, {"PRE_COMMIT_TO_REF": head}) is None
    with pytest.raises(PushInputError, match="PRE_COMMIT_FROM_REF"):
        range_from_pre_commit_env(r, {"PRE_COMMIT_FROM_REF": "nope", "PRE_COMMIT_TO_REF": head})


def test_commits_shared_by_refs_of_one_push_are_checked_with_the_first(repo: Path, remote: Path) -> None:
    first = git(repo, "rev-parse", "HEAD")
    second = commit_files(repo, {"a.py": "1\n"})
    git(repo, "checkout", "-q", "-b", "feature")
    third = commit_files(repo, {"b.py": "1\n"})
    updates = [RefUpdate("refs/heads/main", second, "refs/heads/main", first),
               RefUpdate("refs/heads/feature", third, "refs/heads/feature", Z40),
               RefUpdate("refs/heads/same", third, "refs/heads/same", Z40)]
    ranges = [pushed for _, pushed in compute_ranges(_repo(repo), updates)]
    assert [(r.base, r.head) if r else None for r in ranges] == [(first, second), (second, third), None]


def test_pre_commit_framework_range_after_a_rebase_uses_the_new_branch_range(repo: Path, remote: Path) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    old_tip = commit_files(repo, {"feature.py": "1\n"})
    git(repo, "push", "-q", "--no-verify", "origin", "feature")
    git(repo, "checkout", "-q", "main")
    main_tip = commit_files(repo, {"upstream.py": "1\n"})
    git(repo, "push", "-q", "--no-verify", "origin", "main")
    git(repo, "checkout", "-q", "feature")
    git(repo, "rebase", "-q", "main")
    new_tip = git(repo, "rev-parse", "HEAD")
    pushed = range_from_pre_commit_env(_repo(repo), {"PRE_COMMIT_FROM_REF": old_tip, "PRE_COMMIT_TO_REF": new_tip})
    assert pushed is not None and (pushed.base, pushed.head) == (main_tip, new_tip)

"""What a push sends: the ref lines git gives the pre-push hook, and the range of commits each one brings.

githooks(5): pre-push reads lines `<local ref> SP <local sha> SP <remote ref> SP <remote sha> LF`, one per
ref being pushed. Parsing (`parse_push_lines`) is pure; the git questions (does the remote tip exist here,
which commits are not on any remote yet) are asked by `compute_range` and friends.

Where the known managers go wrong (see the prior-art notes) this module does otherwise: every line is
turned into a range, not only the first; any all-zero id is null (SHA-1 and SHA-256); after a rebase and
force push the old remote tip is not used as a base; an annotated tag is peeled to its commit; probes for
objects that may be missing are silent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mosaic_hooks.core import git
from mosaic_hooks.core.errors import MosaicError


class PushInputError(MosaicError):
    """The pre-push hook's standard input is not what git sends."""


@dataclass(frozen=True)
class RefUpdate:
    """One line of the pre-push hook's standard input."""

    local_ref: str
    local_sha: str
    remote_ref: str
    remote_sha: str

    @property
    def is_deletion(self) -> bool:
        return git.is_null_oid(self.local_sha)

    @property
    def is_new_ref(self) -> bool:
        return git.is_null_oid(self.remote_sha)


@dataclass(frozen=True)
class PushedRange:
    """The commits one ref update brings: `base..head` (`base=None`: everything reachable from head is new).

    `head` is the commit the local object names (an annotated tag is peeled); `base` a commit, never a tag.
    """

    local_ref: str
    local_sha: str
    remote_ref: str
    remote_sha: str
    base: str | None
    head: str


def parse_push_lines(text: str) -> list[RefUpdate]:
    """The ref updates in the pre-push hook's stdin; blank lines are ignored.

    The local ref is whatever the user typed on the command line (`HEAD~1`, a sha, even text with
    spaces), so a line is split from the right into at most four fields. A line that does not have
    that shape is refused: a push we cannot read is not a push we can vouch for.
    """
    updates = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        fields = line.rsplit(maxsplit=3)
        if len(fields) != 4 or not git.is_full_sha(fields[1]) or not git.is_full_sha(fields[3]):
            shown = line if len(line) <= 60 else line[:57] + "..."
            raise PushInputError(
                f"pre-push input line {number} is not '<local ref> <local sha> <remote ref> <remote sha>': "
                f"{shown!r}",
                hint="this input comes from git push; run `mosaic-hooks pre-push` only as git's pre-push hook",
            )
        updates.append(RefUpdate(*fields))
    return updates


def first_parent_of_oldest(rev_list_parents: str) -> tuple[int, str | None]:
    """From `git rev-list --topo-order --reverse --parents` output: (number of commits, base).

    The base is the first parent of the oldest listed commit, or None when that commit is a root
    (or the boundary of a shallow clone, which shows no parents).
    """
    lines = [line for line in rev_list_parents.splitlines() if line.strip()]
    if not lines:
        return 0, None
    oldest = lines[0].split()
    return len(lines), oldest[1] if len(oldest) > 1 else None


# --- git questions ---------------------------------------------------------------------------------

def _exists_locally(repo: git.Repo, sha: str) -> str | None:
    """The commit `sha` names here (tags peeled), or None without a word when the object is missing."""
    return None if git.is_null_oid(sha) else git.resolve_commit(repo, sha)


def new_commits(repo: git.Repo, head: str, exclude: Sequence[str] = ()) -> tuple[int, str | None]:
    """Commits reachable from `head` and from no remote-tracking ref nor `exclude`: (count, base)."""
    proc = repo.git("rev-list", "--topo-order", "--reverse", "--parents", head, "--not", "--remotes",
                    *exclude, "--")
    return first_parent_of_oldest(proc.stdout.decode())


def compute_range(repo: git.Repo, update: RefUpdate, *, known_remote: Sequence[str] = ()) -> PushedRange | None:
    """The commits `update` sends, or None when it sends none (a deletion, or only commits the remote has).

    `known_remote`: commits known to be on the remote already (e.g. the other remote tips of the same
    push that exist here); they matter when the remote is a URL with no remote-tracking refs.
    """
    if update.is_deletion:
        return None
    head = git.resolve_commit(repo, update.local_sha)
    if head is None:  # a tag of a tree or blob: no commits to check
        return None
    old = _exists_locally(repo, update.remote_sha)
    if old is not None and git.is_ancestor(repo, old, head):
        if old == head:
            return None
        return PushedRange(update.local_ref, update.local_sha, update.remote_ref, update.remote_sha, old, head)
    # A new ref, a remote tip we do not have, or a rewritten history (rebase + force push): diffing
    # against the old tip would drag in everything that changed under it, so take the commits that no
    # remote has seen, as for a new branch.
    count, base = new_commits(repo, head, known_remote)
    if count == 0:
        return None
    return PushedRange(update.local_ref, update.local_sha, update.remote_ref, update.remote_sha, base, head)


def compute_ranges(repo: git.Repo, updates: Sequence[RefUpdate]) -> list[tuple[RefUpdate, PushedRange | None]]:
    """Every ref line's range, in input order (None for a line that sends nothing).

    A commit two refs of one push share is checked once, with the first of them: a later new ref's
    range leaves out what an earlier ref of the same push already covers.
    """
    known_remote = [sha for u in updates if (sha := _exists_locally(repo, u.remote_sha)) is not None]
    result: list[tuple[RefUpdate, PushedRange | None]] = []
    for update in updates:
        covered = [r.head for _, r in result if r is not None]
        result.append((update, compute_range(repo, update, known_remote=[*known_remote, *covered])))
    return result


def range_from_pre_commit_env(repo: git.Repo, env: Mapping[str, str]) -> PushedRange | None:
    """The range the pre-commit framework gives in PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF, if both are set."""
    from_ref = env.get("PRE_COMMIT_FROM_REF", "").strip()
    to_ref = env.get("PRE_COMMIT_TO_REF", "").strip()
    if not from_ref or not to_ref:
        return None
    head = git.resolve_commit(repo, to_ref)
    base = git.resolve_commit(repo, from_ref)
    for name, value, commit in (("PRE_COMMIT_TO_REF", to_ref, head), ("PRE_COMMIT_FROM_REF", from_ref, base)):
        if commit is None:
            raise PushInputError(f"{name}={value!r} does not name a commit in this repository",
                                 hint="it is set by the pre-commit framework; unset it to use git's push lines")
    assert head is not None
    if base is not None and not git.is_ancestor(repo, base, head):
        # pre-commit passes the old remote tip even after a rebase; diffing against it would drag in
        # everything that changed under the branch, so take the commits no remote has seen instead.
        _, base = new_commits(repo, head)
    return PushedRange(
        local_ref=env.get("PRE_COMMIT_LOCAL_BRANCH") or to_ref, local_sha=head,
        remote_ref=env.get("PRE_COMMIT_REMOTE_BRANCH") or "", remote_sha=from_ref,
        base=base, head=head,
    )


# --- the server side: pre-receive / post-receive --------------------------------------------------

@dataclass(frozen=True)
class ReceivedUpdate:
    """One line of pre-receive / post-receive stdin: `<old sha> SP <new sha> SP <ref name>`."""

    old_sha: str
    new_sha: str
    ref: str

    @property
    def is_deletion(self) -> bool:
        return git.is_null_oid(self.new_sha)


def parse_receive_lines(text: str) -> list[ReceivedUpdate]:
    updates = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        fields = line.split(" ", 2)
        if len(fields) != 3 or not git.is_full_sha(fields[0]) or not git.is_full_sha(fields[1]) or not fields[2]:
            raise PushInputError(f"receive input line {number} is not '<old sha> <new sha> <ref>': {line[:60]!r}",
                                 hint="this input comes from git receive-pack")
        updates.append(ReceivedUpdate(*fields))
    return updates


def received_range(repo: git.Repo, update: ReceivedUpdate, *, covered: Sequence[str] = ()) -> PushedRange | None:
    """The commits a received ref update brings that the repository did not have under any ref.

    `covered`: new tips of earlier refs of the same push, whose commits are checked with those refs.
    """
    if update.is_deletion:
        return None
    head = git.resolve_commit(repo, update.new_sha)
    if head is None:
        return None
    old = _exists_locally(repo, update.old_sha)
    if old is not None and git.is_ancestor(repo, old, head):
        base: str | None = old
        if old == head:
            return None
    else:
        proc = repo.git("rev-list", "--topo-order", "--reverse", "--parents", head, "--not", "--all", *covered, "--")
        count, base = first_parent_of_oldest(proc.stdout.decode())
        if count == 0:
            return None
    return PushedRange(update.ref, update.new_sha, update.ref, update.old_sha, base, head)


def received_ranges(
        repo: git.Repo, updates: Sequence[ReceivedUpdate],
) -> list[tuple[ReceivedUpdate, PushedRange | None]]:
    """Every received ref's range, in input order; shared commits are checked with the first ref."""
    result: list[tuple[ReceivedUpdate, PushedRange | None]] = []
    for update in updates:
        covered = [r.head for _, r in result if r is not None]
        result.append((update, received_range(repo, update, covered=covered)))
    return result

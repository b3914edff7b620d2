"""The team's deployment history, shared through git: one git note per deployed commit under `refs/notes/mosaic`.

A note holds one record per line (canonical JSON: sorted keys, compact), lines sorted and unique, so
git's own `cat_sort_uniq` notes merge unites two clones' notes on the same commit without losing or
doubling a record. `push` fetches and merges the remote's notes first, adds the local records, then
pushes (retrying if someone pushed in between); `pull` fetches and merges, then appends to the local
jsonl the records it does not have yet. A record is identified by its `id` (old records without one, by
a hash of their content: `history.record_id`), so two verifications of one commit in the same second
stay two records.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mosaic_hooks.core import git
from mosaic_hooks.core.errors import GitError, Inconclusive
from mosaic_hooks.records import history

NOTES_REF = "refs/notes/mosaic"
NETWORK_TIMEOUT_S = 60.0
LOCAL_TIMEOUT_S = 60.0
PUSH_ATTEMPTS = 3


def _fetched_ref(remote: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in remote)
    return f"refs/notes/mosaic-fetched-{safe}-{os.getpid()}"


def _git(repo: git.Repo, *args: str, input: bytes | None = None, timeout: float = LOCAL_TIMEOUT_S,
         check: bool = True) -> subprocess.CompletedProcess[bytes]:
    """git through core.git with a time limit, English messages and no credential prompt; a time-out is
    inconclusive (a slow remote), not a usage error."""
    try:
        return repo.git(*args, input=input, check=check, timeout=timeout, env=git.network_env())
    except git.GitTimeout:
        raise Inconclusive(f"git {args[0]} did not finish within {timeout:.0f} s") from None


def canonical_line(record: Mapping[str, Any]) -> str:
    return json.dumps(history.redacted(record), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _gitpython(repo: git.Repo) -> Any:
    """GitPython's view of the repository, for remote bookkeeping. Imported here, never on a hook's hot path
    (it costs ~60 ms to import); the notes themselves go through single git processes."""
    import git as gitpython

    return gitpython.Repo(repo.root)


def default_remote(repo: git.Repo) -> str:
    """The current branch's remote, else `origin`."""
    view = _gitpython(repo)
    if not view.head.is_detached:
        name = view.active_branch.config_reader().get_value("remote", "")
        if name and name != ".":
            return str(name)
    return "origin"


def check_remote(repo: git.Repo, remote: str) -> None:
    names = [each.name for each in _gitpython(repo).remotes]
    if remote not in names:
        known = ", ".join(names) if names else "none"
        raise GitError(f"no git remote named '{remote}' (remotes: {known})",
                       hint="pass --remote NAME, or add one with `git remote add`")


def _ref_sha(repo: git.Repo, ref: str) -> str | None:
    proc = _git(repo, "rev-parse", "--verify", "--quiet", ref, check=False)
    return proc.stdout.decode().strip() if proc.returncode == 0 else None


def read_notes(repo: git.Repo, ref: str = NOTES_REF) -> tuple[dict[str, list[str]], list[str]]:
    """{annotated commit: note lines} of the notes ref (empty if it does not exist), and warnings."""
    if _ref_sha(repo, ref) is None:
        return {}, []
    listing = _git(repo, "notes", f"--ref={ref}", "list").stdout.decode().split()
    pairs = list(zip(listing[0::2], listing[1::2], strict=True))
    if not pairs:
        return {}, []
    blobs = git.read_blobs(repo, [blob for blob, _ in pairs], timeout=LOCAL_TIMEOUT_S, env=git.network_env())
    notes: dict[str, list[str]] = {}
    warnings: list[str] = []
    for blob, commit in pairs:
        if blob not in blobs:
            warnings.append(f"note {blob} on {commit[:12]}: missing from the repository, skipped")
            continue
        text = blobs[blob].decode("utf-8", errors="replace")
        notes[commit] = [line for line in text.splitlines() if line.strip()]
    return notes, warnings


def records_of(notes: Mapping[str, list[str]]) -> tuple[list[dict[str, Any]], list[str]]:
    """The records in the notes, each once (by record id), and a warning for each unreadable line."""
    seen: set[str] = set()
    records: list[dict[str, Any]] = []
    warnings: list[str] = []
    for commit, lines in notes.items():
        for number, line in enumerate(lines, 1):
            try:
                record = json.loads(line)
            except (ValueError, RecursionError):
                warnings.append(f"note on {commit[:12]} line {number}: not a JSON record, skipped")
                continue
            if not isinstance(record, dict):
                warnings.append(f"note on {commit[:12]} line {number}: not a JSON object, skipped")
                continue
            key = history.record_id(record)
            if key not in seen:
                seen.add(key)
                records.append(record)
    return records, warnings


def _existing_commits(repo: git.Repo, shas: Iterable[str]) -> set[str]:
    """The full commit shas among `shas` that this clone has (a name like HEAD is never taken for one)."""
    shas = sorted({s for s in shas if git.is_full_sha(s)})
    if not shas:
        return set()
    kinds = git.object_types(repo, (f"{sha}^{{commit}}" for sha in shas), timeout=LOCAL_TIMEOUT_S,
                             env=git.network_env())
    return {sha for sha in shas if kinds.get(f"{sha}^{{commit}}") == "commit"}


def _committer(repo: git.Repo) -> str:
    proc = _git(repo, "var", "GIT_COMMITTER_IDENT", check=False)
    ident = proc.stdout.decode().strip()
    if proc.returncode == 0 and ident:
        return ident
    return f"mosaic-hooks <mosaic-hooks@localhost> {int(time.time())} +0000"


def write_notes(repo: git.Repo, changed: Mapping[str, list[str]], message: str) -> None:
    """Set the notes of several commits in one commit on the notes ref (git fast-import, one process)."""
    if not changed:
        return
    parent = _ref_sha(repo, NOTES_REF)
    chunks = [f"commit {NOTES_REF}\ncommitter {_committer(repo)}\n".encode()]
    msg = message.encode()
    chunks.append(b"data %d\n%s\n" % (len(msg), msg))
    if parent:
        chunks.append(f"from {parent}\n".encode())
    for commit, lines in sorted(changed.items()):
        body = "".join(f"{line}\n" for line in lines).encode()
        chunks.append(b"N inline %s\ndata %d\n%s\n" % (commit.encode(), len(body), body))
    chunks.append(b"done\n")
    # fast-import refuses to move the ref unless it fast-forwards: a concurrent update is not overwritten
    _git(repo, "fast-import", "--quiet", "--done", input=b"".join(chunks))


@dataclass
class Result:
    records_noted: int = 0  # local records newly written into notes
    records_pulled: int = 0  # records from notes newly appended to the local history
    pushed: bool = False
    remote_had_notes: bool = False
    warnings: list[str] = field(default_factory=list)


def note_local_records(repo: git.Repo, history_path: Path, result: Result) -> None:
    """Put every local record that is not yet in a note on its commit into the notes ref."""
    records, warnings = history.read(history_path)
    result.warnings.extend(warnings)
    notes, note_warnings = read_notes(repo)
    result.warnings.extend(note_warnings)
    present: dict[str, set[str]] = {}
    for commit, lines in notes.items():
        keys = present.setdefault(commit, set())
        for line in lines:
            try:
                keys.add(history.record_id(json.loads(line)))
            except (ValueError, RecursionError, AttributeError):
                continue
    existing = _existing_commits(repo, (str(r.get("commit") or "") for r in records))
    changed: dict[str, list[str]] = {}
    missing = 0
    for record in records:
        commit = str(record.get("commit") or "")
        if commit not in existing:
            missing += 1
            continue
        key = history.record_id(record)
        keys = present.setdefault(commit, set())
        if key in keys:
            continue
        keys.add(key)
        changed.setdefault(commit, list(notes.get(commit, []))).append(canonical_line(record))
        result.records_noted += 1
    if missing:
        result.warnings.append(f"{missing} record(s) name a commit this clone does not have; not shared")
    write_notes(repo, {c: sorted(set(lines)) for c, lines in changed.items()},
                f"mosaic-hooks: {result.records_noted} deployment record(s)")


def fetch_and_merge(repo: git.Repo, remote: str) -> bool:
    """Merge the remote's notes into ours (cat_sort_uniq); False if the remote has none yet."""
    temp = _fetched_ref(remote)
    proc = _git(repo, "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", remote, f"+{NOTES_REF}:{temp}",
                timeout=NETWORK_TIMEOUT_S, check=False)
    if proc.returncode != 0:
        if "couldn't find remote ref" in proc.stderr.decode(errors="replace"):
            return False
        raise GitError(f"cannot fetch the deployment notes from '{remote}': {git.last_error_line(proc)}")
    try:
        if _ref_sha(repo, NOTES_REF) is None:
            _git(repo, "update-ref", NOTES_REF, temp)
        else:
            _git(repo, "notes", f"--ref={NOTES_REF}", "merge", "--quiet", "-s", "cat_sort_uniq", temp)
    finally:
        _git(repo, "update-ref", "-d", temp, check=False)
    return True


def push(repo: git.Repo, history_path: Path, remote: str) -> Result:
    check_remote(repo, remote)
    result = Result()
    note_local_records(repo, history_path, result)
    for _attempt in range(PUSH_ATTEMPTS):
        result.remote_had_notes = fetch_and_merge(repo, remote) or result.remote_had_notes
        if _ref_sha(repo, NOTES_REF) is None:
            return result  # nothing recorded anywhere: nothing to push
        # --no-verify: sharing notes is not a code push, and must not fire the production gate
        proc = _git(repo, "push", "--quiet", "--no-verify", "--porcelain", remote, f"{NOTES_REF}:{NOTES_REF}",
                    timeout=NETWORK_TIMEOUT_S, check=False)
        if proc.returncode == 0:
            result.pushed = True
            return result
        report = proc.stdout.decode(errors="replace") + proc.stderr.decode(errors="replace")
        if "[rejected]" not in report and "failed to update ref" not in report:
            raise GitError(f"cannot push the deployment notes to '{remote}': {git.last_error_line(proc)}")
        # someone pushed notes in between: merge theirs and try again
    raise GitError(f"the deployment notes on '{remote}' kept changing during {PUSH_ATTEMPTS} attempts",
                   hint="run `mosaic-hooks history push` again")


def pull(repo: git.Repo, history_path: Path, remote: str) -> Result:
    check_remote(repo, remote)
    result = Result()
    result.remote_had_notes = fetch_and_merge(repo, remote)
    notes, warnings = read_notes(repo)
    result.warnings.extend(warnings)
    records, record_warnings = records_of(notes)
    result.warnings.extend(record_warnings)
    local, local_warnings = history.read(history_path)
    result.warnings.extend(local_warnings)
    known = {history.record_id(r) for r in local}
    new = [r for r in records if history.record_id(r) not in known]
    new.sort(key=lambda r: str(r.get("timestamp") or ""))
    result.records_pulled = history.append_many(history_path, new)
    return result

"""The commit hook's fast path: answer "nothing to do" before the rest of the tool is loaded.

Every commit pays for the pre-commit hook, and most commits touch nothing the checks look at. So
the installed hook first asks git for the staged paths with nothing but `os` (no `subprocess`, no
argument parser, no configuration, no git layer) and, when no path is relevant and no bypass
variable asks for a message, exits 0 at once. Anything else (a relevant path, a bypass to print,
an unborn branch, a git error to explain) goes the normal way, which gives the proper messages.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from mosaic_hooks.detect.relevance import any_relevant
from mosaic_hooks.hooks import bypass


def git_stdout(args: Sequence[str]) -> bytes | None:
    """stdout of `git ARGS` run in the current directory, or None if it failed or could not start."""
    read_end, write_end = os.pipe()
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_DUP2, write_end, 1),
        (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
        (os.POSIX_SPAWN_CLOSE, read_end),
        (os.POSIX_SPAWN_CLOSE, write_end),
    ]
    try:
        pid = os.posix_spawnp("git", ["git", *args], os.environ, file_actions=actions)
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    os.close(write_end)
    chunks = []
    with os.fdopen(read_end, "rb", buffering=0) as pipe:
        while chunk := pipe.read(1 << 16):
            chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    return b"".join(chunks) if os.waitstatus_to_exitcode(status) == 0 else None


def commit_needs_nothing() -> bool:
    """True when the staged change has no path the local checks look at and nothing must be printed."""
    if bypass.anything_to_say("check"):  # a skip to print, or a typo in MOSAIC_SKIP to refuse
        return False
    out = git_stdout(["diff", "--cached", "--name-only", "--no-renames", "-z"])
    if not out:  # a git error, or nothing staged: the full path says which
        return False
    paths = [p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p]
    return not any_relevant(paths)


def common_git_dir() -> str | None:
    """The repository's common git directory as a hook sees it, with `os` only; None when not found this way.

    Git runs a commit hook at the top of the work tree, where `.git` is the git directory or (a linked
    worktree, a submodule) a file naming it; a linked worktree's `commondir` names the shared one.
    """
    git_dir = os.environ.get("GIT_COMMON_DIR") or os.environ.get("GIT_DIR") or ".git"
    if os.path.isfile(git_dir):
        try:
            with open(git_dir, encoding="utf-8") as handle:
                line = handle.readline().strip()
        except (OSError, UnicodeDecodeError):
            return None
        if not line.startswith("gitdir:"):
            return None
        git_dir = os.path.join(os.path.dirname(os.path.abspath(git_dir)), line[len("gitdir:"):].strip())
    commondir = os.path.join(git_dir, "commondir")
    if os.path.isfile(commondir):
        try:
            with open(commondir, encoding="utf-8") as handle:
                git_dir = os.path.join(git_dir, handle.readline().strip())
        except (OSError, UnicodeDecodeError):
            return None
    return git_dir if os.path.isdir(git_dir) else None


def background_outcomes_waiting() -> bool:
    """Whether a background verification finished since the last hook run (its outcome must be printed).

    Unsure counts as yes: the normal path then looks properly.
    """
    git_dir = common_git_dir()
    if git_dir is None:
        return True
    # The directory `mosaic_hooks.verification.background_jobs` leaves finished jobs in (not imported: cost).
    try:
        return bool(os.listdir(os.path.join(git_dir, "mosaic-hooks", "after-push", "unannounced")))
    except OSError:
        return False


def hook_needs_nothing(argv: Sequence[str]) -> bool:
    """For `python -m mosaic_hooks hook-impl ARGV`: True if the hook can exit 0 without loading anything."""
    return (len(argv) >= 2 and argv[0] == "--hook-type" and argv[1] == "pre-commit" and commit_needs_nothing()
            and not background_outcomes_waiting())

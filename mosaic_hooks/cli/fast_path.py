"""The commit hook's fast path: answer "nothing to do" before the rest of the tool is loaded.

Every commit pays for the pre-commit hook, and most commits touch nothing the checks look at. So
the installed hook first asks git for the staged paths with nothing but `os` (no `subprocess`, no
argument parser, no configuration, no git layer) and, when no path is relevant and no bypass
variable asks for a message, exits 0 at once.

Most other commits edit a few Python files inside functions. For those, the stored endpoint result
of the committed side (detect/cache.py) tells whether the edit can change an endpoint
(detect/endpoint_reuse.py); if it cannot and no import line was added, the local checks would find
nothing, so the hook prints what they print, stores the result for the staged side (the next
commit's base) and exits 0 without loading the analysers. Anything else (a relevant path of another
kind, a bypass to print, an unborn branch, no stored result, a git error to explain) goes the normal
way, which gives the proper messages.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from mosaic_hooks.detect.project_env import is_pin_file
from mosaic_hooks.detect.relevance import any_relevant, is_dependency_file, is_migration, is_python, is_relevant
from mosaic_hooks.hooks import bypass


def git_stdout(args: Sequence[str], stdin: bytes = b"") -> bytes | None:
    """stdout of `git ARGS` run in the current directory (fed `stdin`, at most a pipe's buffer), or None
    if it failed or could not start."""
    read_end, write_end = os.pipe()
    in_read, in_write = os.pipe()
    actions = [
        (os.POSIX_SPAWN_DUP2, in_read, 0),
        (os.POSIX_SPAWN_DUP2, write_end, 1),
        (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
        (os.POSIX_SPAWN_CLOSE, read_end),
        (os.POSIX_SPAWN_CLOSE, write_end),
        (os.POSIX_SPAWN_CLOSE, in_read),
        (os.POSIX_SPAWN_CLOSE, in_write),
    ]
    try:
        pid = os.posix_spawnp("git", ["git", *args], os.environ, file_actions=actions)
    except OSError:
        for fd in (read_end, write_end, in_read, in_write):
            os.close(fd)
        return None
    os.close(write_end)
    os.close(in_read)
    try:
        if stdin:
            os.write(in_write, stdin[:PIPE_BUFFER])
    except OSError:
        pass  # git exited early: its status says so
    finally:
        os.close(in_write)
    chunks = []
    with os.fdopen(read_end, "rb", buffering=0) as pipe:
        while chunk := pipe.read(1 << 16):
            chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    return b"".join(chunks) if os.waitstatus_to_exitcode(status) == 0 else None


PIPE_BUFFER = 4096  # what a pipe takes without a reader (POSIX minimum): ids of MAX_QUICK_FILES * 2 blobs


def read_blobs(oids: Sequence[str]) -> dict[str, bytes] | None:
    """Contents of the given blob ids, by one `git cat-file --batch`; None if one is missing."""
    out = git_stdout(["cat-file", "--batch"], "".join(f"{oid}\n" for oid in oids).encode())
    if out is None:
        return None
    found: dict[str, bytes] = {}
    at = 0
    for oid in oids:
        end = out.find(b"\n", at)
        header = out[at:end].split(b" ")
        if end < 0 or len(header) != 3 or header[1] != b"blob":
            return None
        size = int(header[2])
        found[oid] = out[end + 1:end + 1 + size]
        at = end + 1 + size + 1
    return found


def _zsplit(out: bytes) -> list[str]:
    return [p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p]


def commit_needs_nothing() -> bool:
    """True when the staged change needs no analysis: no relevant path, or only Python edits that the
    stored result shows cannot change anything the local checks report (then their output is printed)."""
    if bypass.anything_to_say("check"):  # a skip to print, or a typo in MOSAIC_SKIP to refuse
        return False
    out = git_stdout(["diff", "--cached", "--name-only", "--no-renames", "-z"])
    if not out:  # a git error, or nothing staged: the full path says which
        return False
    paths = _zsplit(out)
    if not any_relevant(paths):
        return True
    relevant = [path for path in paths if is_relevant(path)]
    if any(is_pin_file(path) for path in paths):  # may change Django's version, hence the admin's pages
        return False
    if not python_edits_change_nothing(relevant):
        return False
    import sys

    from mosaic_hooks.cli.output import printable, write_line
    from mosaic_hooks.core.words import plural

    shown = [printable(path) for path in relevant]
    write_line(f"mosaic[check] {plural(len(shown), 'relevant file')}: {', '.join(shown[:5])}"
               + (" ..." if len(shown) > 5 else ""), sys.stderr)
    return True


MAX_QUICK_FILES = 8  # more changed files than this: the full path reads them in one batch instead


def python_edits_change_nothing(relevant: Sequence[str]) -> bool:
    """Whether the staged `relevant` paths are edits of existing Python modules that add no import line
    and, by the committed side's stored endpoint result, change no endpoint (the staged side's result is
    then stored). False whenever that cannot be shown cheaply: the full path decides."""
    if not relevant or len(relevant) > MAX_QUICK_FILES or not all(
            is_python(p) and not is_migration(p) and not is_dependency_file(p) for p in relevant):
        return False
    common = git_stdout(["rev-parse", "--git-common-dir"])
    base_ids = _blob_ids(git_stdout(["ls-tree", "-r", "-z", "--full-tree", "HEAD"]), committed=True)
    head_ids = _blob_ids(git_stdout(["ls-files", "-s", "-z"]), committed=False)
    if not common or base_ids is None or head_ids is None:
        return False
    changed = [p for p in relevant if base_ids.get(p) != head_ids.get(p)]
    if any(p not in base_ids or p not in head_ids for p in changed):
        return False  # added or removed: the full path judges what that does to imports and packages
    from pathlib import Path

    from mosaic_hooks.detect import endpoint_reuse
    from mosaic_hooks.detect.cache import ENDPOINTS, AnalysisCache, analyser_id, cache_dir_of, endpoints_key
    from mosaic_hooks.detect.project_env import environment_fingerprint, project_site_packages

    store = AnalysisCache(cache_dir_of(Path(common.decode("utf-8", "surrogateescape").strip()).absolute()))
    analyser = analyser_id()
    # Git runs the hook at the top of the work tree: the project's environment is found from there.
    environment = environment_fingerprint(project_site_packages(Path.cwd()))
    stored = store.get(ENDPOINTS, endpoints_key(base_ids, analyser, environment))
    if stored is None:
        return False
    probed, ran, unparsable, warnings = (stored.get(k) for k in ("probed", "ran_bodies", "unparsable", "warnings"))
    if not (isinstance(probed, list) and isinstance(ran, list) and isinstance(unparsable, list)
            and isinstance(warnings, list)):
        return False
    changed_set = set(changed)
    for warning in warnings:  # a warning the full path would print (about a changed file, or general)
        where = str(warning).split(":", 1)[0]
        if where in changed_set or where not in head_ids:
            return False
    ran_bodies = {(str(r[0]), int(r[1]), int(r[2])) for r in ran if isinstance(r, list) and len(r) == 3}
    blobs = read_blobs([ids[path] for path in changed for ids in (base_ids, head_ids)])
    if blobs is None:
        return False
    positions = {}
    for path in changed:
        old, new = blobs[base_ids[path]], blobs[head_ids[path]]
        if path in unparsable or _adds_import_line(old, new):
            return False
        how = endpoint_reuse.modified_file(path, old, new, set(map(str, probed)), ran_bodies)
        if how is None:
            return False
        if how == endpoint_reuse.UNREAD:
            if not _parses(new):  # a broken file is news: the full path reports it
                return False
        else:
            assert isinstance(how, dict)
            positions[path] = how
    moved = endpoint_reuse.moved(stored, positions) if positions else stored
    if moved is None:
        return False
    store.put(ENDPOINTS, endpoints_key(head_ids, analyser, environment), moved)
    return True


def _blob_ids(out: bytes | None, *, committed: bool) -> dict[str, str] | None:
    """Path -> blob id from `git ls-tree -r -z` (committed) or `git ls-files -s -z` (the index)."""
    if out is None:
        return None
    ids = {}
    for entry in _zsplit(out):
        meta, _, path = entry.partition("\t")
        fields = meta.split(" ")
        if len(fields) != 3:
            return None
        if committed:
            kind, oid = fields[1], fields[2]
        else:
            if fields[2] != "0":
                return None  # a merge conflict in the index: the full path explains
            kind, oid = ("commit" if fields[0] == "160000" else "blob"), fields[1]
        if kind == "blob":
            ids[path] = oid
    return ids


def _adds_import_line(old: bytes, new: bytes) -> bool:
    """Whether `new` has a line mentioning `import` that `old` lacks (detect/imports.py's first filter)."""
    before = {line.rstrip() for line in old.splitlines() if b"import" in line}
    return any(b"import" in line and line.rstrip() not in before for line in new.splitlines())


def _parses(data: bytes) -> bool:
    import ast

    try:
        ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


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

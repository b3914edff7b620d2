"""The edge that talks to git.

Hooks must be cheap, so this module runs the `git` binary directly (one process per question, with
`-z` output where names may be odd) and never imports GitPython; GitPython (~60 ms to import) is used
by the commands that are not on a hook's fast path.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mosaic_hooks.core.errors import GitError

# Git exports these to hooks; they would redirect a git call made for another repository.
_REPO_ENV_VARS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_PREFIX")


_FULL_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


def is_full_sha(text: str) -> bool:
    """A whole object id as git prints it: 40 (SHA-1) or 64 (SHA-256) lowercase hex digits."""
    return _FULL_SHA.fullmatch(text) is not None


def is_null_oid(oid: str) -> bool:
    """All-zero object ids mean "nothing" for SHA-1 (40) and SHA-256 (64) repositories alike."""
    return bool(oid) and set(oid) == {"0"}


def no_git_env(env: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if env is None else env)
    for name in _REPO_ENV_VARS:
        env.pop(name, None)
    return env


def network_env() -> dict[str, str]:
    """The environment for git talking to a remote from a command: English messages (the errors are read)
    and no credential prompt (nobody is there to answer, the call would hang until its time limit)."""
    env = no_git_env()
    env.update(LC_ALL="C", GIT_TERMINAL_PROMPT="0")
    return env


class GitTimeout(GitError):
    """A git process that did not finish within its time limit (callers that wait on a remote may
    report this as inconclusive rather than as a usage error)."""


def run(
    *args: str,
    cwd: Path | str | None = None,
    input: bytes | None = None,
    check: bool = True,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
) -> subprocess.CompletedProcess[bytes]:
    try:
        proc = subprocess.run(
            ["git", *args], cwd=cwd, input=input, capture_output=True, env=env,
            stdin=None if input is not None else subprocess.DEVNULL, timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise GitTimeout(f"git {args[0]} did not finish within {timeout:g} s") from None
    except FileNotFoundError:
        if cwd is not None and not os.path.isdir(cwd):
            raise GitError(f"{cwd}: no such directory") from None
        raise GitError("git is not installed or not on PATH", hint="install git") from None
    if check and proc.returncode != 0:
        raise GitError(f"git {args[0]} failed: {last_error_line(proc)}")
    return proc


def last_error_line(proc: subprocess.CompletedProcess[bytes]) -> str:
    """git's last non-blank line on stderr (its reason), or the exit status if it said nothing."""
    lines = [line.strip() for line in proc.stderr.decode(errors="replace").splitlines() if line.strip()]
    return lines[-1] if lines else f"exit {proc.returncode}"


def output(*args: str, cwd: Path | str | None = None) -> str:
    return run(*args, cwd=cwd).stdout.decode(errors="surrogateescape").strip()


def zsplit(data: bytes) -> list[str]:
    return [part.decode(errors="surrogateescape") for part in data.split(b"\0") if part]


@dataclass(frozen=True)
class Repo:
    """Where a repository is: `root` is the work tree, or the git dir of a bare repository."""

    root: Path
    git_dir: Path
    common_dir: Path
    bare: bool

    def git(self, *args: str, input: bytes | None = None, check: bool = True,
            timeout: float | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
        return run(*args, cwd=self.root, input=input, check=check, timeout=timeout, env=env)

    def out(self, *args: str) -> str:
        return output(*args, cwd=self.root)


def find_repo(start: Path | str | None = None) -> Repo:
    """The repository containing `start`: a clone, a linked worktree, a submodule or a bare repository."""
    cwd = Path(start or os.getcwd())
    proc = run("rev-parse", "--absolute-git-dir", "--git-common-dir", "--is-bare-repository",
               cwd=cwd, check=False)
    if proc.returncode != 0:
        raise GitError(f"{cwd} is not inside a git repository", hint="run this inside your project's clone")
    git_dir_s, common_s, bare_s = proc.stdout.decode(errors="surrogateescape").splitlines()[:3]
    git_dir = Path(git_dir_s)
    common = Path(common_s)
    if not common.is_absolute():
        common = (cwd / common).resolve()
    bare = bare_s.strip() == "true"
    if bare:
        return Repo(root=git_dir, git_dir=git_dir, common_dir=common, bare=True)
    top = run("rev-parse", "--show-toplevel", cwd=cwd, check=False)
    if top.returncode != 0:  # inside the .git directory of a non-bare repository
        return Repo(root=git_dir.parent if git_dir.name == ".git" else git_dir, git_dir=git_dir,
                    common_dir=common, bare=False)
    return Repo(root=Path(top.stdout.decode(errors="surrogateescape").strip()), git_dir=git_dir,
                common_dir=common, bare=False)


def resolve_commit(repo: Repo, rev: str) -> str | None:
    """The full sha of the commit `rev` names (an annotated tag is peeled); None, silently, if none."""
    proc = repo.git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}", check=False)
    return proc.stdout.decode().strip() if proc.returncode == 0 else None


def is_ancestor(repo: Repo, ancestor: str, descendant: str) -> bool:
    return repo.git("merge-base", "--is-ancestor", ancestor, descendant, check=False).returncode == 0


def changed_paths(repo: Repo, base: str | None, head: str | None) -> list[str]:
    """Paths that differ between `base` and `head`; `head=None` means the index (the staged diff).

    `base=None` with a head means everything in head (a root commit); with the index, the
    staged files against HEAD (or everything staged in an unborn branch).
    """
    if head is None:
        if base is None:
            base = resolve_commit(repo, "HEAD")
        if base is None:
            return zsplit(repo.git("ls-files", "-z").stdout)
        return zsplit(repo.git("diff", "--cached", "--name-only", "--no-renames", "-z", base, "--").stdout)
    if base is None:
        return list_files(repo, head)
    return zsplit(repo.git("diff", "--name-only", "--no-renames", "-z", base, head, "--").stdout)


def list_files(repo: Repo, rev: str | None) -> list[str]:
    """Every file in commit `rev`, or in the index when `rev` is None."""
    if rev is None:
        return zsplit(repo.git("ls-files", "-z").stdout)
    return zsplit(repo.git("ls-tree", "-r", "--name-only", "-z", rev).stdout)


def read_files(repo: Repo, rev: str | None, paths: Iterable[str]) -> dict[str, bytes]:
    """Contents of `paths` at `rev` (None: the index), in one `git cat-file --batch` process.

    Paths missing at that revision are left out of the result.
    """
    paths = list(paths)
    prefix = ":" if rev is None else f"{rev}:"
    names = {f"{prefix}{path}": path for path in paths}
    if any("\n" in name for name in names):
        raise GitError("a file name contains a newline; mosaic-hooks cannot read it through git cat-file")
    return {names[name]: data for name, data in _cat_file_batch(repo, list(names)).items()}


def _cat_file_batch(repo: Repo, names: list[str], *, timeout: float | None = None,
                    env: dict[str, str] | None = None) -> dict[str, bytes]:
    """Contents of the blobs `names` name (object ids or `rev:path`), in one `git cat-file --batch` process;
    names that are not blobs are left out."""
    names = list(dict.fromkeys(names))
    if not names:
        return {}
    request = "".join(f"{name}\n" for name in names).encode(errors="surrogateescape")
    data = repo.git("cat-file", "--batch", input=request, timeout=timeout, env=env).stdout
    result: dict[str, bytes] = {}
    pos = 0
    for name in names:
        end = data.index(b"\n", pos)
        header = data[pos:end].split(b" ")
        pos = end + 1
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            result[name] = data[pos:pos + size]
            pos += size + 1
    return result


@dataclass(frozen=True)
class Commit:
    sha: str
    message: str
    committed_at: int  # unix seconds
    authored_at: int


def commit_info(repo: Repo, rev: str) -> Commit:
    raw = repo.out("show", "-s", "--format=%H%x00%ct%x00%at%x00%B", rev)
    sha, committed, authored, message = raw.split("\0", 3)
    return Commit(sha=sha, message=message, committed_at=int(committed), authored_at=int(authored))


def commits_between(repo: Repo, base: str | None, head: str) -> list[Commit]:
    """Commits reachable from `head` and not from `base`, oldest first."""
    spec: Sequence[str] = [head] if base is None else [f"{base}..{head}"]
    raw = repo.git("log", "--reverse", "-z", "--format=%H%x00%ct%x00%at%x00%B", *spec).stdout
    commits = []
    fields = raw.decode(errors="replace").split("\0")
    for i in range(0, len(fields) - 3, 4):
        sha, committed, authored, message = fields[i:i + 4]
        commits.append(Commit(sha=sha.strip(), message=message, committed_at=int(committed),
                              authored_at=int(authored)))
    return commits


def upstream(repo: Repo) -> str | None:
    """The upstream of the current branch (`@{upstream}`) as a sha, or None."""
    return resolve_commit(repo, "@{upstream}")


def current_branch(repo: Repo) -> str | None:
    proc = repo.git("symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    return proc.stdout.decode().strip() or None if proc.returncode == 0 else None


def blob_ids(repo: Repo, rev: str | None) -> dict[str, str]:
    """Path -> blob id of every file in commit `rev` (None: the index), in one git call.

    Reading many files by id is much faster than by `rev:path`, which walks the trees once per name.
    Submodules (not blobs) are left out.
    """
    if rev is None:
        entries = zsplit(repo.git("ls-files", "-s", "-z").stdout)  # "<mode> <oid> <stage>\t<path>"
        result = {}
        for entry in entries:
            meta, _, path = entry.partition("\t")
            mode, oid, _stage = meta.split(" ")
            if mode != "160000":
                result[path] = oid
        return result
    entries = zsplit(repo.git("ls-tree", "-r", "-z", "--full-tree", rev).stdout)  # "<mode> <type> <oid>\t<path>"
    result = {}
    for entry in entries:
        meta, _, path = entry.partition("\t")
        _mode, kind, oid = meta.split(" ")
        if kind == "blob":
            result[path] = oid
    return result


def read_blobs(repo: Repo, oids: Iterable[str], *, timeout: float | None = None,
               env: dict[str, str] | None = None) -> dict[str, bytes]:
    """Contents of the given blob ids, in one `git cat-file --batch` process; unknown ids are left out."""
    return _cat_file_batch(repo, list(oids), timeout=timeout, env=env)


def object_types(repo: Repo, names: Iterable[str], *, timeout: float | None = None,
                 env: dict[str, str] | None = None) -> dict[str, str]:
    """{name: object type} of the names git can resolve (`<sha>^{commit}` etc.), in one
    `git cat-file --batch-check` process; names it cannot resolve are left out."""
    names = list(dict.fromkeys(names))
    if not names:
        return {}
    if any("\n" in name for name in names):
        raise GitError("an object name contains a newline; git cat-file cannot read it")
    request = "".join(f"{name}\n" for name in names).encode(errors="surrogateescape")
    lines = repo.git("cat-file", "--batch-check=%(objecttype)", input=request, timeout=timeout,
                     env=env).stdout.decode().splitlines()
    # A name git cannot resolve is answered with "<name> missing" (or "ambiguous"), one line per name.
    return {name: kind for name, kind in zip(names, lines, strict=True) if " " not in kind}

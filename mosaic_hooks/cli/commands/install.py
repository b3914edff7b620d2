"""`mosaic-hooks install`: write the git hooks, for repositories that do not use the pre-commit framework.

The hooks directory is what git itself will run from (`git rev-parse --git-path hooks`), so a linked
worktree installs for the whole repository and a repository-local `core.hooksPath` is honoured. A
global or system `core.hooksPath` is shared by every repository on the machine: writing there is
refused unless `--force`. A hook that is already there and not ours is kept as `<name>.legacy` and
chained. Installing twice changes nothing. In a bare repository the server-side hooks are installed.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from mosaic_hooks.cli import hook_script
from mosaic_hooks.cli.output import write_line
from mosaic_hooks.core import exit_codes, git
from mosaic_hooks.core.errors import MosaicError

PREFIX = "mosaic-hooks:"
_EXTERNAL_SCOPES = ("global", "system", "command")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-t", "--hook-type", action="append", choices=hook_script.HOOK_TYPES, dest="hook_types",
        help="hook to install (repeatable; default: pre-commit and pre-push, or pre-receive and "
             "post-receive in a bare repository)",
    )
    parser.add_argument("-f", "--force", action="store_true",
                        help="install even into a global or system core.hooksPath directory")


@dataclass(frozen=True)
class HooksDir:
    path: Path
    hooks_path_setting: str | None  # core.hooksPath as configured, if set
    scope: str | None  # the config scope that set it


def hooks_path_setting(repo: git.Repo) -> tuple[str | None, str | None]:
    """(scope, value) of the effective core.hooksPath, or (None, None)."""
    proc = repo.git("config", "--show-scope", "--get", "core.hooksPath", check=False)
    if proc.returncode != 0:
        return None, None
    scope, _, value = proc.stdout.decode(errors="surrogateescape").rstrip("\n").partition("\t")
    return scope, value


def locate_hooks_dir(repo: git.Repo, *, force: bool, action: str) -> HooksDir:
    scope, value = hooks_path_setting(repo)
    raw = repo.out("rev-parse", "--git-path", "hooks")
    path = Path(raw) if os.path.isabs(raw) else repo.root / raw
    if scope in _EXTERNAL_SCOPES:
        if not force:
            raise MosaicError(
                f"refusing to {action} hooks: core.hooksPath is set in the {scope} git config ({value}), "
                "a directory shared by every repository",
                hint=f"set a repository-local one (`git config core.hooksPath .git/hooks`), or unset it "
                     f"(`git config --{scope} --unset core.hooksPath`), or pass --force to write there anyway",
            )
        write_line(f"{PREFIX} warning: writing into {path}, the {scope} core.hooksPath shared by every repository")
    elif value and not os.path.isabs(os.path.expanduser(value)) and action == "install":
        # git resolves a relative hooksPath in each worktree's own directory (prior-art notes, 1.1).
        write_line(f"{PREFIX} note: core.hooksPath '{value}' is relative, so each worktree runs the hooks in "
                   f"its own '{value}'; commit that directory or install from each worktree")
    return HooksDir(path=path, hooks_path_setting=value, scope=scope)


def default_hook_types(repo: git.Repo) -> list[str]:
    return list(hook_script.SERVER_HOOKS if repo.bare else hook_script.CLIENT_HOOKS)


def _write_executable(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.mosaic-tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.chmod(0o755)
    os.replace(tmp, path)


def install_hook(hooks_dir: Path, hook_type: str, python: str) -> str:
    """Install one hook; return the line that says what happened."""
    hook = hooks_dir / hook_type
    legacy = hooks_dir / f"{hook_type}.legacy"
    wanted = hook_script.render(hook_type, python)
    notes = []
    if hook.exists() or hook.is_symlink():
        current = hook.read_text(encoding="utf-8", errors="replace") if hook.is_file() else ""
        if hook_script.is_our_script(current):
            if current == wanted and os.access(hook, os.X_OK):
                return f"{PREFIX} {hook_type} hook already installed at {hook} (unchanged)"
        else:
            if legacy.exists() or legacy.is_symlink():
                raise MosaicError(f"both {hook} and {legacy} exist and neither is ours",
                                  hint=f"move one of them away, then run `mosaic-hooks install -t {hook_type}`")
            os.replace(hook, legacy)
            notes.append(f"kept the existing hook as {legacy.name}; it runs first and its failure blocks")
    elif legacy.exists():
        notes.append(f"chaining {legacy.name}, left from an earlier install")
    _write_executable(hook, wanted)
    return f"{PREFIX} installed {hook_type} hook at {hook}" + (f" ({'; '.join(notes)})" if notes else "")


def run(args: argparse.Namespace) -> int:
    repo = git.find_repo()
    hook_types = list(dict.fromkeys(args.hook_types or default_hook_types(repo)))
    if repo.bare and any(t in hook_script.CLIENT_HOOKS for t in hook_types):
        raise MosaicError(f"{repo.git_dir} is a bare repository: it has no commits made or pushed from it",
                          hint="install the server-side hooks: `mosaic-hooks install` (pre-receive, post-receive)")
    location = locate_hooks_dir(repo, force=args.force, action="install")
    location.path.mkdir(parents=True, exist_ok=True)
    for hook_type in hook_types:
        write_line(install_hook(location.path, hook_type, sys.executable))
    if not repo.bare:
        write_line(f"{PREFIX} to skip once: git commit/push --no-verify; to switch off: MOSAIC_HOOKS=0; "
                   "to skip a check: MOSAIC_SKIP=<check>,<check>")
    return exit_codes.PASSED

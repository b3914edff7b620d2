"""`mosaic-hooks check`: the pre-commit stage, the local checks of the staged change.

This runs on every commit, so it stays cheap: besides locating the repository it asks git one
question (the staged paths) and imports nothing heavy; the checks themselves decide whether any
path is worth reading.

Other inputs, for CI and the pre-commit framework's other modes:
- `--base REV [--head REV]`, or pre-commit's PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF
  (`pre-commit run --from-ref A --to-ref B`): the range base..head;
- `--all-files`, or pre-commit running the hook with nothing staged (`pre-commit run --all-files` or
  `--files`: pre-commit runs a hook that is not `always_run` only when it has files for it, so files
  without a staged change mean one of those): the whole tree, every import against the requirements.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping

from mosaic_hooks.cli.output import write_line
from mosaic_hooks.core import exit_codes, git
from mosaic_hooks.core.errors import MosaicError
from mosaic_hooks.detect.relevance import any_relevant
from mosaic_hooks.hooks import bypass


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base", metavar="REV", help="check the range REV..HEAD (or REV..--head) instead of "
                        "the staged change")
    parser.add_argument("--head", metavar="REV", help="with --base: the end of the range (default: HEAD)")
    parser.add_argument("--all-files", action="store_true",
                        help="check the whole tree: every import against the requirements, every requirement "
                             "against the project's environment")


def staged_paths(repo: git.Repo) -> list[str]:
    """Paths staged for the next commit, in one git call.

    Without a commit argument `git diff --cached` compares with HEAD, or with nothing on an unborn
    branch, so the empty repository needs no special case.
    """
    return git.zsplit(repo.git("diff", "--cached", "--name-only", "--no-renames", "-z").stdout)


def _commit(repo: git.Repo, option: str, rev: str) -> str:
    commit = git.resolve_commit(repo, rev)
    if commit is None:
        raise MosaicError(f"{option} {rev!r} does not name a commit in this repository",
                          hint="give a branch, tag or sha (git fetch first if it is someone else's)")
    return commit


def check_range(repo: git.Repo, base: str | None, head: str, label: str) -> int:
    from mosaic_hooks.core import config
    from mosaic_hooks.hooks import local_checks

    write_line(f"mosaic[check] {label}: {(base or '(root)')[:10]}..{head[:10]}")
    paths = git.changed_paths(repo, base, head)
    cfg = config.load(repo.root)
    return local_checks.check_change(repo, cfg, base=base, head=head, paths=paths)


def check_whole_tree(repo: git.Repo, why: str) -> int:
    from mosaic_hooks.core import config
    from mosaic_hooks.hooks import local_checks

    write_line(f"mosaic[check] {why}: checking the whole tree (the index)")
    paths = git.list_files(repo, None)
    cfg = config.load(repo.root)
    return local_checks.check_change(repo, cfg, base=None, head=None, paths=paths, whole_tree=True)


def run(args: argparse.Namespace, env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    if bypass.stage_bypass("check"):
        return exit_codes.PASSED
    repo = git.find_repo()
    from mosaic_hooks.hooks import after_push

    after_push.announce(repo)  # background verifications that finished since the last hook run
    base_opt, head_opt, all_files = (getattr(args, name, None) for name in ("base", "head", "all_files"))
    if head_opt and not base_opt:
        raise MosaicError("--head needs --base", hint="mosaic-hooks check --base origin/main --head HEAD")
    if base_opt and all_files:
        raise MosaicError("--base and --all-files exclude each other", hint="give one of them")
    if all_files:
        return check_whole_tree(repo, "--all-files")
    if base_opt:
        head = _commit(repo, "--head", head_opt or "HEAD")
        return check_range(repo, _commit(repo, "--base", base_opt), head, "--base")
    from mosaic_hooks.hooks.push_range import range_from_pre_commit_env

    from_env = range_from_pre_commit_env(repo, env)
    if from_env is not None:
        return check_range(repo, from_env.base, from_env.head, "PRE_COMMIT_FROM_REF/TO_REF")
    if repo.bare:
        write_line("mosaic-hooks: check: a bare repository has no staged change; nothing to check")
        return exit_codes.PASSED
    paths = staged_paths(repo)
    if not paths:
        if env.get("PRE_COMMIT") == "1":
            return check_whole_tree(repo, "pre-commit gave files but nothing is staged (--all-files or --files)")
        write_line("mosaic[check] nothing staged")
        return exit_codes.PASSED
    if not any_relevant(paths):  # the agreed rule: nothing relevant, nothing read, nothing printed
        return exit_codes.PASSED
    from mosaic_hooks.core import config
    from mosaic_hooks.hooks import local_checks
    cfg = config.load(repo.root)
    base = git.resolve_commit(repo, "HEAD")  # None on an unborn branch: everything staged is new
    return local_checks.check_change(repo, cfg, base=base, head=None, paths=paths)

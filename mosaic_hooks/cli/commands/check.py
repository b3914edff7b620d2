"""`mosaic-hooks check`: the pre-commit stage, the local checks of the staged change.

This runs on every commit, so it stays cheap: besides locating the repository it asks git one
question (the staged paths) and imports nothing heavy; the checks themselves decide whether any
path is worth reading.
"""

from __future__ import annotations

import argparse

from mosaic_hooks.cli.output import write_line
from mosaic_hooks.core import exit_codes, git
from mosaic_hooks.detect.relevance import any_relevant
from mosaic_hooks.hooks import bypass


def add_arguments(parser: argparse.ArgumentParser) -> None:
    del parser  # no options: the staged change is the input


def staged_paths(repo: git.Repo) -> list[str]:
    """Paths staged for the next commit, in one git call.

    Without a commit argument `git diff --cached` compares with HEAD, or with nothing on an unborn
    branch, so the empty repository needs no special case.
    """
    return git.zsplit(repo.git("diff", "--cached", "--name-only", "--no-renames", "-z").stdout)


def run(args: argparse.Namespace) -> int:
    del args
    if bypass.stage_bypass("check"):
        return exit_codes.PASSED
    repo = git.find_repo()
    from mosaic_hooks.hooks import after_push

    after_push.announce(repo)  # background verifications that finished since the last hook run
    if repo.bare:
        write_line("mosaic-hooks: check: a bare repository has no staged change; nothing to check")
        return exit_codes.PASSED
    paths = staged_paths(repo)
    if not paths:
        write_line("mosaic[check] nothing staged")
        return exit_codes.PASSED
    if not any_relevant(paths):  # the agreed rule: nothing relevant, nothing read, nothing printed
        return exit_codes.PASSED
    from mosaic_hooks.core import config
    from mosaic_hooks.hooks import local_checks
    cfg = config.load(repo.root)
    base = git.resolve_commit(repo, "HEAD")  # None on an unborn branch: everything staged is new
    return local_checks.check_change(repo, cfg, base=base, head=None, paths=paths)

"""`mosaic-hooks pre-push [REMOTE [URL]]`: the pre-push stage.

The input is read once: git's ref lines on stdin (as the installed hook passes them on), or the range
the pre-commit framework puts in PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF. Every ref of the push is
checked, not only the first. The local checks run on each pushed range; the production check
(`hooks.stop_the_line.check_production`) comes after them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence

from mosaic_hooks.cli.output import printable, write_line
from mosaic_hooks.core import config, exit_codes, git
from mosaic_hooks.hooks import bypass, local_checks
from mosaic_hooks.hooks.push_range import (
    PushedRange,
    PushInputError,
    compute_ranges,
    parse_push_lines,
    range_from_pre_commit_env,
)

PREFIX = "mosaic[pre-push]"
STDIN_TIMEOUT = 10.0

# Which result wins when refs end differently: a failed check blocks for a reason the user can act on,
# so it is reported over a usage error, which is reported over "could not decide".
_SEVERITY = (exit_codes.FAILED, exit_codes.USAGE, exit_codes.INCONCLUSIVE, exit_codes.INTERRUPTED)


def worst(codes: Sequence[int]) -> int:
    for code in _SEVERITY:
        if code in codes:
            return code
    return next((code for code in codes if code != exit_codes.PASSED), exit_codes.PASSED)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("remote", nargs="?", help="the remote's name (git passes it to the pre-push hook)")
    parser.add_argument("url", nargs="?", help="the remote's URL (git passes it to the pre-push hook)")


def read_stdin(timeout: float = STDIN_TIMEOUT) -> str:
    """The hook's stdin, read once: git's ref lines.

    Nothing when stdin is a terminal (someone ran the command by hand). git writes its lines at
    once and closes the pipe, so a pipe that stays silent for `timeout` seconds is not git's: that
    is a usage error rather than a hook that hangs forever.
    """
    if sys.stdin is None or sys.stdin.isatty():
        return ""
    import select

    stream = sys.stdin.buffer
    try:
        ready, _, _ = select.select([stream], [], [], timeout)
    except (OSError, ValueError):  # not a selectable file (e.g. a closed stdin)
        ready = [stream]
    if not ready:
        raise PushInputError(f"no input on stdin within {timeout:g} s",
                             hint="the pre-push hook gets its ref lines from git; run by hand, use </dev/null")
    return stream.read().decode("utf-8", "surrogateescape")


def short(sha: str | None) -> str:
    return sha[:10] if sha else "(root)"


def _ref_label(local_ref: str, remote_ref: str) -> str:
    local = printable(local_ref)
    return f"{local} -> {printable(remote_ref)}" if remote_ref else local


def pushed_ranges(repo: git.Repo, stdin: str, env: Mapping[str, str]) -> list[PushedRange] | None:
    """The ranges to check, saying what each ref line sends; None when there is no input at all."""
    from_env = range_from_pre_commit_env(repo, env)
    if from_env is not None:
        write_line(f"{PREFIX} {_ref_label(from_env.local_ref, from_env.remote_ref)}: "
                   f"{short(from_env.base)}..{short(from_env.head)} (from PRE_COMMIT_FROM_REF/TO_REF)")
        return [from_env]
    updates = parse_push_lines(stdin)
    if not updates:
        return None
    ranges = []
    for update, pushed in compute_ranges(repo, updates):
        label = _ref_label(update.local_ref, update.remote_ref)
        if update.is_deletion:
            write_line(f"{PREFIX} {printable(update.remote_ref)}: deleted, nothing to check")
        elif pushed is None:
            write_line(f"{PREFIX} {label}: no new commits, nothing to check")
        else:
            write_line(f"{PREFIX} {label}: checking {short(pushed.base)}..{short(pushed.head)}")
            ranges.append(pushed)
    return ranges


def check_local(repo: git.Repo, cfg: config.Config, ranges: Sequence[PushedRange]) -> int:
    if bypass.is_skipped("local"):
        return exit_codes.PASSED
    codes = []
    for pushed in ranges:
        paths = git.changed_paths(repo, pushed.base, pushed.head)
        codes.append(local_checks.check_change(repo, cfg, base=pushed.base, head=pushed.head, paths=paths))
    return worst(codes)


def run_pre_push(stdin: str, env: Mapping[str, str] | None = None, *, remote: str | None = None,
                 url: str | None = None) -> int:
    """The stage; `remote` and `url` are the remote's name and URL as git gives them to the hook."""
    env = os.environ if env is None else env
    if bypass.stage_bypass("pre-push", env):
        return exit_codes.PASSED
    repo = git.find_repo()
    from mosaic_hooks.hooks import after_push

    after_push.announce(repo)
    ranges = pushed_ranges(repo, stdin, env)
    if ranges is None:
        write_line(f"{PREFIX} nothing to check: no ref lines on stdin and no "
                   "PRE_COMMIT_FROM_REF/PRE_COMMIT_TO_REF")
        return exit_codes.PASSED
    if not ranges:
        return exit_codes.PASSED
    cfg = config.load(repo.root)
    code = check_local(repo, cfg, ranges)
    if code != exit_codes.PASSED or bypass.is_skipped("production", env):
        return code  # a push blocked already needs no look at production
    # Stop the line: production as it stands (the remote branch's current commit) must work before more lands.
    from mosaic_hooks.hooks import stop_the_line
    code = stop_the_line.check_production(repo, cfg, ranges, env=env, remote=remote)
    if code == exit_codes.PASSED:
        # The push goes through: what it brings is verified in the background once it has landed.
        after_push.start(repo, cfg, ranges, remote_name=remote or env.get("PRE_COMMIT_REMOTE_NAME"),
                         remote_url=url or env.get("PRE_COMMIT_REMOTE_URL"), env=env)
    return code


def run(args: argparse.Namespace) -> int:
    env = os.environ
    # Under the pre-commit framework, git's lines were read by the framework, which passes the range
    # in the environment; its stdin is not ours to wait on.
    by_framework = env.get("PRE_COMMIT") == "1"
    has_env_range = bool(env.get("PRE_COMMIT_FROM_REF") and env.get("PRE_COMMIT_TO_REF"))
    # The remote's name tells which remote's HEAD is the deploy branch; the ranges come from the ref lines.
    remote = args.remote or env.get("PRE_COMMIT_REMOTE_NAME") or None
    return run_pre_push("" if has_env_range or by_framework else read_stdin(), env, remote=remote,
                        url=args.url)

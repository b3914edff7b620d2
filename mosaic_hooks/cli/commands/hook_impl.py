"""`mosaic-hooks hook-impl --hook-type T -- ARGS`: what an installed hook file runs (internal).

The hook file has already run any chained `.legacy` hook; this reads git's input once and hands it
to the stage: `check` (pre-commit), `pre-push`, and in a bare repository `pre-receive` (local checks
on every pushed range, rejecting the push with the reasons) and `post-receive` (starts `verify` in
the background, detached, so the pusher never waits for it).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from mosaic_hooks.cli import hook_script
from mosaic_hooks.cli.output import write_line
from mosaic_hooks.core import exit_codes, git
from mosaic_hooks.hooks import bypass


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--hook-type", required=True, choices=hook_script.HOOK_TYPES)
    parser.add_argument("hook_args", nargs="*", help="the arguments git gave the hook")


def pre_receive(stdin: str) -> int:
    from mosaic_hooks.cli.commands.pre_push import worst
    from mosaic_hooks.core import config
    from mosaic_hooks.hooks import local_checks
    from mosaic_hooks.hooks.push_range import parse_receive_lines, received_ranges

    if bypass.stage_bypass("pre-receive"):
        return exit_codes.PASSED
    updates = parse_receive_lines(stdin)
    repo = git.find_repo()
    # A bare repository has no work tree to hold a pyproject.toml: defaults and the environment.
    cfg = config.load(None)
    codes = []
    for update, pushed in received_ranges(repo, updates):
        if pushed is None:
            continue
        paths = git.changed_paths(repo, pushed.base, pushed.head)
        code = local_checks.check_change(repo, cfg, base=pushed.base, head=pushed.head, paths=paths,
                                         server_side=True)
        if code != exit_codes.PASSED:
            write_line(f"mosaic-hooks: push rejected: {update.ref} ({pushed.head[:10]}) failed the local checks "
                       f"(exit {code})")
        codes.append(code)
    return worst(codes)


def verify_argv(commit: str, base: str | None) -> list[str]:
    """`mosaic-hooks verify` of what landed (base: the branch's previous tip, when there was one)."""
    argv = [sys.executable, "-m", "mosaic_hooks", "verify", "--commit", commit]
    return [*argv, "--base", base] if base else argv


def post_receive(stdin: str) -> int:
    from mosaic_hooks.hooks.push_range import parse_receive_lines

    if bypass.stage_bypass("verify"):
        return exit_codes.PASSED
    updates = parse_receive_lines(stdin)
    repo = git.find_repo()
    branch = repo.git("symbolic-ref", "--quiet", "HEAD", check=False).stdout.decode().strip()
    landed = [u for u in updates if u.ref == branch and not u.is_deletion]
    if not landed:
        return exit_codes.PASSED
    commit = landed[-1].new_sha
    base = None if git.is_null_oid(landed[-1].old_sha) else landed[-1].old_sha
    log_dir = repo.git_dir / "mosaic-hooks"
    log_dir.mkdir(exist_ok=True)
    log_path = log_dir / "verify.log"
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    start_detached(verify_argv(commit, base), cwd=repo.git_dir, log_path=log_path,
                   header=f"--- {started} verify {commit} (base {base})\n")
    write_line(f"mosaic-hooks: verifying {commit[:10]} on {branch} in the background (log: {log_path})")
    return exit_codes.PASSED


def start_detached(argv: list[str], *, cwd: Path, log_path: Path, header: str) -> None:
    """Start `argv` in its own session with no tie to the hook's pipes: git waits for those to close."""
    with open(log_path, "a", encoding="utf-8") as log:
        log.write(header)
        log.flush()
        subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                         start_new_session=True, close_fds=True, env=os.environ.copy())


def run(args: argparse.Namespace) -> int:
    # Hook messages go to stderr: `git push --porcelain` parses stdout, and git shows a commit hook's
    # stdout on stderr anyway.
    sys.stdout = sys.stderr
    hook_type = args.hook_type
    if hook_type == "pre-commit":
        from mosaic_hooks.cli.commands import check

        return check.run(args)
    from mosaic_hooks.cli.commands import pre_push

    stdin = pre_push.read_stdin()
    if hook_type == "pre-push":
        return pre_push.run_pre_push(stdin, remote=args.hook_args[0] if args.hook_args else None)
    if hook_type == "pre-receive":
        return pre_receive(stdin)
    return post_receive(stdin)

"""`mosaic-hooks wait`: wait until Render's deploy of a commit is live.

Exit 0 live; 1 the deploy failed (with its status and id); 2 configuration error (no service id and no
backend URL, key refused); 3 timed out, unreachable, or no deploy will come; 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from mosaic_hooks.cli.output import error_line, write_line
from mosaic_hooks.cli.progress import Progress, format_elapsed
from mosaic_hooks.core import config, exit_codes, git
from mosaic_hooks.core.errors import ConfigError, GitError
from mosaic_hooks.render.outcome import CONFIG_ERROR, FAILED, LIVE, NO_DEPLOY, TIMED_OUT, WaitOutcome


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--commit", metavar="SHA", help="the commit whose deploy to wait for (default: HEAD)")
    parser.add_argument("--timeout", type=float, metavar="SECONDS",
                        help="give up after this many seconds (default: wait_timeout from the configuration)")
    parser.add_argument("--json", action="store_true", help="print the deploy and how it was found as JSON")


def resolve_target(repo: git.Repo | None, rev: str | None) -> str:
    """The full sha to wait for: `rev` (default HEAD) through the repository, or a full sha without one."""
    if repo is None:
        if rev and git.is_full_sha(rev.lower()):
            return rev.lower()
        raise ConfigError("not inside a git repository, so the commit cannot be resolved",
                          hint="run inside your clone, or pass --commit with the full 40-character sha")
    sha = git.resolve_commit(repo, rev or "HEAD")
    if sha is not None:
        return sha
    if rev and git.is_full_sha(rev.lower()):
        return rev.lower()  # not fetched here yet; Render may still know it
    if rev is None:
        raise ConfigError("HEAD has no commit yet", hint="commit first, or pass --commit SHA")
    raise ConfigError(f"{rev!r} does not name a commit in this repository",
                      hint="pass a branch, tag or sha that `git rev-parse` knows")


def outcome_json(outcome: WaitOutcome) -> dict[str, Any]:
    return {
        "state": outcome.state, "exit_code": outcome.exit_code, "commit": outcome.commit, "reason": outcome.reason,
        "deploy": outcome.deploy, "found_by": outcome.found_by, "superseded_by": outcome.superseded_by,
        "crash_loop": outcome.crash_loop, "events": outcome.events, "requests": outcome.requests,
        "elapsed_s": outcome.elapsed_s,
    }


def verdict_line(outcome: WaitOutcome) -> str:
    label = {LIVE: "live", FAILED: "FAILED", TIMED_OUT: "timed out", NO_DEPLOY: "no deploy will come"}.get(
        outcome.state, outcome.state.replace("_", " "))
    line = f"{label}: {outcome.reason} (after {format_elapsed(outcome.elapsed_s)})"
    if outcome.superseded_by and outcome.state == LIVE:
        line += f"; followed {', '.join(outcome.superseded_by)}"
    return line


def run(args: argparse.Namespace) -> int:
    try:
        repo: git.Repo | None = git.find_repo()
    except GitError:
        repo = None
    cfg = config.load(repo.root if repo else None)
    commit = resolve_target(repo, args.commit)
    timeout = float(cfg.wait_timeout if args.timeout is None else args.timeout)
    if timeout <= 0:
        raise ConfigError(f"--timeout must be greater than 0, got {args.timeout:g}")
    progress = Progress(sys.stderr)

    from mosaic_hooks.render.wait import wait_for_deploy

    try:
        outcome = wait_for_deploy(cfg, commit, repo=repo, timeout=timeout, report=progress.note,
                                  on_status=progress.status)
    except KeyboardInterrupt:
        progress.finish()
        error_line("interrupted: stopped waiting (the deploy itself goes on)")
        return exit_codes.INTERRUPTED
    progress.finish()
    if args.json:
        write_line(json.dumps(outcome_json(outcome), indent=2))
    elif outcome.state == CONFIG_ERROR:
        error_line(outcome.reason)
    else:
        write_line(verdict_line(outcome))
    return outcome.exit_code

"""`mosaic-hooks baseline`: adopt a service that is already in production.

With no verified base, every route of the service would count as "added" and be judged as new. This
checks what production serves now (the deploy of the commit is live and serving, health, every route
of the commit answers) and records it as the verified base, so that later pushes are judged on their
own changes. The contract, input-error, dependency, migration and monitoring gates judge changes: they
start with the first change after the baseline.
"""

from __future__ import annotations

import argparse

from mosaic_hooks.core import config, git

# What a baseline can fairly judge of a service it did not see change.
GATES = ("deploy", "health", "endpoints")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from mosaic_hooks.cli.commands.verify import seconds

    parser.add_argument("--commit", metavar="SHA", help="the commit production serves (default: HEAD)")
    parser.add_argument("--no-wait", action="store_true",
                        help="do not wait for a deploy: production must already serve the commit")
    parser.add_argument("--timeout", metavar="S", type=seconds,
                        help="wait at most S seconds for the deploy (default: wait_timeout, 1200)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args: argparse.Namespace) -> int:
    from mosaic_hooks.cli.commands.verify import commit_argument, progress, report
    from mosaic_hooks.hooks.bypass import skipped_checks
    from mosaic_hooks.verification.verify import verify_commit

    skipped_checks()  # a typo in MOSAIC_SKIP stops here, before anything is read or waited for
    repo = git.find_repo()
    cfg = config.load(repo.root)
    commit = commit_argument(repo, args.commit)
    progress(f"baseline of {commit[:12]}: checking {', '.join(GATES)} on every route of the commit")
    result = verify_commit(repo, cfg, commit, base=None, wait=not args.no_wait, wait_timeout=args.timeout,
                           report=progress, gates=GATES, kind="baseline")
    report(result, as_json=args.json)
    if result.verdict.success and result.history_file is not None:
        progress(f"{commit[:12]} is recorded as the verified base: later pushes are judged on their own changes")
    elif not result.verdict.success:
        progress("not recorded as the verified base: fix what failed (or list routes that must not be "
                 "requested in exclude_routes), then run `mosaic-hooks baseline` again")
    return result.verdict.exit_code

"""`mosaic-hooks verify`: the production gate.

1. what changed between the last verified deploy (or --base) and the commit;
2. wait for the deploy of the commit (unless --no-wait), then watch for crashes for `crash_watch_s`;
3. run the gates concurrently over one pooled HTTP client, within `gate_timeout`;
4. decide: exit 0 pass, 1 a gate failed, 3 undecided (unless `inconclusive_blocks = false`);
5. append the result to the deployment history and refresh the DORA metrics;
6. with `rollback_on_failure` (or --rollback), after a failure roll back to the last verified deploy.

With several services (`[tool.mosaic.services.<name>]`), each is verified in turn, except those the
Blueprint (render.yaml) says this commit does not deploy: "no deploy expected", at once.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mosaic_hooks.cli.output import write_line
from mosaic_hooks.core import config, exit_codes, git
from mosaic_hooks.core.errors import ConfigError

if TYPE_CHECKING:
    from mosaic_hooks.verification.model import Verification


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--commit", metavar="SHA", help="the commit that should be serving (default: HEAD)")
    parser.add_argument("--base", metavar="SHA",
                        help="check what changed since this commit (default: the last verified deploy)")
    parser.add_argument("--no-wait", action="store_true", help="do not wait for the deploy; check production now")
    parser.add_argument("--timeout", metavar="S", type=seconds,
                        help="wait at most S seconds for the deploy (default: wait_timeout, 1200)")
    parser.add_argument("--deploy", metavar="DEPLOY_ID",
                        help="follow this Render deploy (dep-...) instead of the commit's: image-backed services")
    parser.add_argument("--service", metavar="NAME", help="only this service of [tool.mosaic.services]")
    parser.add_argument("--rollback", action="store_true",
                        help="on failure, roll back to the last deploy that passed verification "
                             "(as rollback_on_failure = true)")
    parser.add_argument("--crash-watch", metavar="S", type=non_negative_seconds,
                        help="watch the live deploy's events for crashes for S seconds (default: crash_watch_s)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--junit", metavar="FILE", type=Path, help="also write a JUnit XML report to FILE")
    parser.add_argument("--proof", metavar="FILE", type=Path,
                        help="also write the markdown handoff proof (the ten success criteria) to FILE")


def progress(line: str) -> None:
    write_line(f"mosaic-hooks: {line}", sys.stderr)


def commit_argument(repo: git.Repo, rev: str | None) -> str:
    """The full sha `--commit` names (default: HEAD); a usage error when the repository has no such commit."""
    commit = git.resolve_commit(repo, rev or "HEAD")
    if commit is None:
        raise ConfigError(f"--commit {rev or 'HEAD'}: no such commit in this repository", hint="give a sha or a ref")
    return commit


def run(args: argparse.Namespace) -> int:
    from mosaic_hooks.hooks.bypass import skipped_checks
    from mosaic_hooks.render.blueprint import blueprint_at, decide

    skipped_checks()  # a typo in MOSAIC_SKIP stops here, before anything is read or waited for
    repo = git.find_repo()
    cfg = config.load(repo.root)
    commit = commit_argument(repo, args.commit)
    services = cfg.services()
    if args.service:
        services = [(name, view) for name, view in services if name == args.service]
        if not services:
            names = ", ".join(str(name) for name, _ in cfg.services())
            raise ConfigError(f"--service {args.service}: no such service", hint=f"configured: {names}")
    several = len(services) > 1
    blueprint = blueprint_at(repo, commit) if several or cfg.service_tables else None
    worst = exit_codes.PASSED
    for name, view in services:
        from mosaic_hooks.verification.verify import choose_base

        base = choose_base(repo, view, commit, args.base, progress)
        if cfg.service_tables:
            decision = decide(name, view, blueprint, git.changed_paths(repo, base, commit))
            if not decision.deploys:
                progress(f"service {name}: no deploy expected ({decision.reason}); not verified")
                continue
            progress(f"service {name}: Render deploys it ({decision.reason})")
        code = _verify_one(args, repo, view, commit, base)
        if code != exit_codes.PASSED and worst in (exit_codes.PASSED, exit_codes.INCONCLUSIVE):
            worst = code
    return worst


def _verify_one(args: argparse.Namespace, repo: git.Repo, cfg: config.Config, commit: str, base: str | None) -> int:
    from mosaic_hooks.verification.verify import verify_commit

    result = verify_commit(repo, cfg, commit, base=base, wait=not args.no_wait, wait_timeout=args.timeout,
                           report=progress, deploy_id=args.deploy, crash_watch_s=args.crash_watch)
    report(result, as_json=args.json, junit_file=args.junit, proof_file=args.proof)
    if result.verdict.verdict == "fail" and (args.rollback or cfg.rollback_on_failure):
        from mosaic_hooks.verification.rollback import roll_back

        outcome = roll_back(repo, cfg, result, progress)
        progress(outcome.line)
    return result.verdict.exit_code


def non_negative_seconds(text: str) -> float:
    """A finite number of seconds, 0 or more (0: no crash watch)."""
    import math

    value = float(text)
    if not math.isfinite(value) or value < 0:
        raise ValueError(text)
    return value


def seconds(text: str) -> float:
    """A positive, finite number of seconds (argparse turns the ValueError into a usage error)."""
    import math

    value = float(text)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(text)
    return value


def report(result: Verification, *, as_json: bool, junit_file: Path | None = None,
           proof_file: Path | None = None) -> None:
    """The reports asked for (--junit, --proof, --json or the terminal), and a recording failure."""
    from mosaic_hooks.verification.reports import junit, proof

    if junit_file:
        junit.write(result, junit_file)
    if proof_file:
        proof.write(result, proof_file)
    if as_json:
        from mosaic_hooks.verification.reports import json_report

        write_line(json_report.render(result))
    else:
        from mosaic_hooks.verification.reports import terminal

        terminal.print_report(result)
    if result.recording_error:
        write_line(f"mosaic-hooks: the result was not recorded: {result.recording_error}", sys.stderr)

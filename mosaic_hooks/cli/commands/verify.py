"""`mosaic-hooks verify`: the production gate.

1. what changed between the last verified deploy (or --base) and the commit;
2. wait for the deploy of the commit (unless --no-wait);
3. run the gates concurrently over one pooled HTTP client, within `gate_timeout`;
4. decide: exit 0 pass, 1 a gate failed, 3 undecided (unless `inconclusive_blocks = false`);
5. append the result to the deployment history and refresh the DORA metrics.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mosaic_hooks.cli.output import write_line
from mosaic_hooks.core import config, git
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
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--junit", metavar="FILE", type=Path, help="also write a JUnit XML report to FILE")
    parser.add_argument("--proof", metavar="FILE", type=Path,
                        help="also write the markdown handoff proof (the ten success criteria) to FILE")


def run(args: argparse.Namespace) -> int:
    from mosaic_hooks.hooks.bypass import skipped_checks
    from mosaic_hooks.verification.verify import choose_base, verify_commit

    skipped_checks()  # a typo in MOSAIC_SKIP stops here, before anything is read or waited for
    repo = git.find_repo()
    cfg = config.load(repo.root)
    rev = args.commit or "HEAD"
    commit = git.resolve_commit(repo, rev)
    if commit is None:
        raise ConfigError(f"--commit {rev}: no such commit in this repository", hint="give a sha or a ref")

    def progress(line: str) -> None:
        write_line(f"mosaic-hooks: {line}", sys.stderr)

    base = choose_base(repo, cfg, commit, args.base, progress)
    result = verify_commit(repo, cfg, commit, base=base, wait=not args.no_wait, wait_timeout=args.timeout,
                           report=progress)
    report(result, as_json=args.json, junit_file=args.junit, proof_file=args.proof)
    return result.verdict.exit_code


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

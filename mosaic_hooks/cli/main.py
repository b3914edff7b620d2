"""The command-line router: `mosaic-hooks COMMAND ...`.

Only the chosen command's module is imported, so a hook that has nothing to do pays for nothing else.
Each command module provides `add_arguments(parser)` and `run(args) -> int`.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from mosaic_hooks import __version__
from mosaic_hooks.core import exit_codes

# name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("mosaic_hooks.cli.commands.check", "pre-commit stage: local checks of the staged change"),
    "pre-push": ("mosaic_hooks.cli.commands.pre_push", "pre-push stage: checks of the pushed range, then production"),
    "install": ("mosaic_hooks.cli.commands.install", "install the git hooks (without the pre-commit framework)"),
    "uninstall": ("mosaic_hooks.cli.commands.uninstall", "remove the git hooks and restore any hook they replaced"),
    "changes": ("mosaic_hooks.cli.commands.changes", "what a range changes: endpoints, requirements, migrations"),
    "wait": ("mosaic_hooks.cli.commands.wait", "wait until Render's deploy of a commit is live"),
    "verify": ("mosaic_hooks.cli.commands.verify", "the production gate: wait for the deploy, then check production"),
    "baseline": ("mosaic_hooks.cli.commands.baseline",
                 "adopt a running service: check what production serves and record it as the verified base"),
    "status": ("mosaic_hooks.cli.commands.status",
               "how production stands: last verified commit per service, background verifications in flight"),
    "dora": ("mosaic_hooks.cli.commands.dora", "DORA metrics from the deployment history"),
    "history": ("mosaic_hooks.cli.commands.history", "share the deployment history through git notes"),
    "config": ("mosaic_hooks.cli.commands.config", "print the effective configuration and where each value came from"),
    "demo": ("mosaic_hooks.cli.commands.demo", "play the whole flow offline, on a local service and Render fake"),
    "hook-impl": ("mosaic_hooks.cli.commands.hook_impl", argparse.SUPPRESS),
}


def _chosen_command(argv: Sequence[str]) -> str | None:
    for arg in argv:
        if not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


def build_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mosaic-hooks",
        description="Git hooks that make 'deployed' mean 'works in production'.",
        epilog="Exit codes: 0 passed, 1 a check failed, 2 usage or configuration error, "
               "3 inconclusive (unreachable or timed out), 130 interrupted.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    chosen = _chosen_command(argv)
    for name, (module_name, help_text) in COMMANDS.items():
        if help_text == argparse.SUPPRESS:  # internal plumbing, hidden from --help
            sub = subparsers.add_parser(name)
        else:
            sub = subparsers.add_parser(name, help=help_text, description=help_text)
        if name == chosen:
            module = importlib.import_module(module_name)
            module.add_arguments(sub)
            sub.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from mosaic_hooks.cli.output import error_line
    from mosaic_hooks.core.errors import MosaicError

    try:
        parser = build_parser(argv)
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return exit_codes.USAGE
        return int(args.run(args))
    except MosaicError as exc:
        error_line(exc.line())
        return exc.exit_code
    except KeyboardInterrupt:
        error_line("interrupted")
        return exit_codes.INTERRUPTED
    except BrokenPipeError:
        return _stdout_closed(argv)
    except Exception as exc:  # a bug of ours: one line, never a verdict of "passed"
        if os.environ.get("MOSAIC_DEBUG"):
            raise
        error_line(f"internal error: {type(exc).__name__}: {exc} "
                   "(this is a bug; rerun with MOSAIC_DEBUG=1 for the traceback)")
        return exit_codes.INCONCLUSIVE


# Commands whose output is all they do: a reader that stops early (`| head`) chose to, as with git or rg.
_READ_ONLY = frozenset({"dora", "history", "config", "changes"})


def _stdout_closed(argv: list[str]) -> int:
    """The reader closed our stdout (`mosaic-hooks dora | head -1`): no traceback, no "internal error"."""
    from mosaic_hooks.cli.output import error_line

    try:  # anything still buffered for stdout would fail again at exit: send it nowhere
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
    command = next((arg for arg in argv if not arg.startswith("-")), "")
    if command in _READ_ONLY:
        return exit_codes.PASSED
    # a command with a verdict: the verdict was not all shown, and is not claimed
    error_line("the output was closed before the report was complete; run again without the pipe")
    return exit_codes.INCONCLUSIVE

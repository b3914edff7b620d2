"""`mosaic-hooks uninstall`: remove our hooks and put back the hooks they replaced."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from mosaic_hooks.cli import hook_script
from mosaic_hooks.cli.commands.install import PREFIX, locate_hooks_dir
from mosaic_hooks.cli.output import write_line
from mosaic_hooks.core import exit_codes, git


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-t", "--hook-type", action="append", choices=hook_script.HOOK_TYPES, dest="hook_types",
                        help="hook to remove (repeatable; default: every mosaic-hooks hook)")
    parser.add_argument("-f", "--force", action="store_true",
                        help="uninstall even from a global or system core.hooksPath directory")


def uninstall_hook(hooks_dir: Path, hook_type: str) -> str | None:
    """Remove one hook if it is ours and restore `<name>.legacy`; the line saying so, None if nothing to do."""
    hook = hooks_dir / hook_type
    legacy = hooks_dir / f"{hook_type}.legacy"
    if not hook.is_file():
        return None
    if not hook_script.is_our_script(hook.read_text(encoding="utf-8", errors="replace")):
        return f"{PREFIX} {hook} is not a mosaic-hooks hook; left alone"
    hook.unlink()
    if legacy.exists() or legacy.is_symlink():
        os.replace(legacy, hook)
        return f"{PREFIX} removed the {hook_type} hook and restored the previous one at {hook}"
    return f"{PREFIX} removed the {hook_type} hook at {hook}"


def run(args: argparse.Namespace) -> int:
    repo = git.find_repo()
    location = locate_hooks_dir(repo, force=args.force, action="uninstall")
    lines = [line for t in (args.hook_types or hook_script.HOOK_TYPES)
             if (line := uninstall_hook(location.path, t)) is not None]
    for line in lines or [f"{PREFIX} no mosaic-hooks hooks in {location.path}; nothing to uninstall"]:
        write_line(line)
    return exit_codes.PASSED

"""`mosaic-hooks config`: the effective configuration and where each value came from."""

from __future__ import annotations

import argparse
import json

from mosaic_hooks.cli.output import write_line
from mosaic_hooks.core import config, exit_codes, git
from mosaic_hooks.core.errors import GitError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the configuration as JSON")


def load_for_cwd() -> config.Config:
    """The configuration of the repository we are in (defaults and environment outside one)."""
    try:
        repo = git.find_repo()
    except GitError:
        return config.load(None)
    return config.load(repo.root)


def run(args: argparse.Namespace) -> int:
    cfg = load_for_cwd()
    rows = cfg.describe()
    if args.json:
        write_line(json.dumps({name: {"value": value, "source": source} for name, value, source in rows},
                              indent=2))
        return exit_codes.PASSED
    width = max(len(name) for name, _, _ in rows)
    for name, value, source in rows:
        write_line(f"{name:<{width}}  {value}  ({source})")
    for service, table in cfg.service_tables.items():  # [tool.mosaic.services.<name>]: what each one changes
        view = dict(cfg.services())[service]
        shown = {name: value for name, value, _ in view.describe()}
        for key in table:
            write_line(f"services.{service}.{key}  {shown[key]}  ([services.{service}])")
    return exit_codes.PASSED

"""The local checks of one change (stand-in: the change-analysis part replaces this module).

It keeps the agreed signature and the one promise the hooks rely on for speed: when no changed path
is relevant, it returns 0 at once, printing nothing and reading nothing.
"""

from __future__ import annotations

from mosaic_hooks import exit_codes, git
from mosaic_hooks.config import Config
from mosaic_hooks.output import write_line
from mosaic_hooks.relevance import is_relevant


def printable(path: str) -> str:
    """A path as it can be shown on any terminal (bytes that are not UTF-8 become U+FFFD)."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def check_change(repo: git.Repo, cfg: Config, *, base: str | None, head: str | None,
                 paths: list[str], server_side: bool = False) -> int:
    """Run the local checks on one change (head=None: the staged index; base=None: head is a root commit),
    print findings via output.write_line, return an exit code (0 / 1 / 2). `paths` = changed paths, computed
    by the caller with one git call. If no path is relevant (Python source, requirements*.txt, pyproject.toml,
    openapi.json/yaml, migrations), return 0 without reading or parsing anything.
    server_side=True (pre-receive in a bare repository) skips checks of the local Python environment."""
    relevant = [path for path in paths if is_relevant(path)]
    if not relevant:
        return exit_codes.PASSED
    shown = ", ".join(printable(path) for path in relevant[:5]) + (" ..." if len(relevant) > 5 else "")
    write_line(f"mosaic[check] {len(relevant)} relevant file(s): {shown} (no local checks in this build yet)")
    return exit_codes.PASSED

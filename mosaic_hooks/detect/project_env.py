"""The project's side of the endpoint analysis that lies outside the analysed Python files, cheap to ask
(`os` and `pathlib` only, so the commit hook's fast path and the cache key can use it):
- the dependency files that may pin Django's version (the admin's URL layout differs across versions);
- the site-packages of the project's environment, where installed Django apps' admin modules are read;
- a fingerprint of that environment, part of the endpoint cache key (its files are not in the repository,
  so their blob ids cannot stand for them).
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Sequence
from pathlib import Path


def is_pin_file(path: str) -> bool:
    """A dependency file near the top of the tree that may pin Django's version."""
    name = posixpath.basename(path)
    return path.count("/") <= 2 and (
        (name.endswith(".txt") and "requirement" in name) or name in {"pyproject.toml", "Pipfile", "setup.cfg"})


def project_site_packages(root: Path | None) -> list[Path]:
    """site-packages of the project's environment: $VIRTUAL_ENV, else .venv/ or venv/ in the work tree.

    A small local finder; the project-interpreter finder (issue 12) should replace it once merged."""
    candidates: list[Path] = []
    virtual_env = os.environ.get("VIRTUAL_ENV")
    if virtual_env:
        candidates.append(Path(virtual_env))
    if root is not None:
        candidates += [root / ".venv", root / "venv", root / "env"]
    found: list[Path] = []
    for env in candidates:
        lib = env / "lib"
        if not lib.is_dir():
            continue
        for site in sorted(lib.glob("python3*/site-packages")):
            if site.is_dir() and site not in found:
                found.append(site)
    return found


def environment_fingerprint(site_packages: Sequence[Path]) -> list[str]:
    """The installed distributions (`name-version.dist-info`, `.egg-info`) of each site-packages, in order:
    installing, removing or upgrading a package changes it. One directory listing per site-packages.

    Not seen: an editable install's source edited in place (same version); `mosaic-hooks changes` after
    removing `<git dir>/mosaic-hooks/cache` recomputes everything."""
    parts: list[str] = []
    for site in site_packages:
        parts.append("site")
        try:
            names = sorted(n for n in os.listdir(site) if n.endswith((".dist-info", ".egg-info")))
        except OSError:
            continue
        parts += names
    return parts

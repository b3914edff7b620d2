"""Run by the PROJECT's interpreter (not imported by mosaic-hooks): what that environment has installed.

Standard library only, since it runs in an environment that may not have mosaic-hooks. Prints one JSON
object: the interpreter, the installed distributions as [name, version] in sys.path order (the caller
normalises the names with packaging and keeps the first, as imports do), the PEP 508 marker
environment, and with `--modules` the module paths each distribution provides
({"google.cloud.storage": ["google-cloud-storage"], ...}, from RECORD and top_level.txt), so an import
maps to its distribution by the longest module prefix, namespace packages included.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from importlib import metadata

MAX_DEPTH = 3  # module paths deeper than google.cloud.storage add nothing to the choice


def _modules(dist: metadata.Distribution) -> set[str]:
    found: set[str] = set()
    for line in (dist.read_text("top_level.txt") or "").splitlines():
        if line.strip():
            found.add(line.strip().replace("/", "."))
    for entry in dist.files or ():
        parts = entry.parts
        if not parts or parts[0].endswith((".dist-info", ".egg-info", ".data")) or parts[0] in ("..", "bin"):
            continue
        if "__pycache__" in parts or not parts[-1].endswith((".py", ".pyi", ".so", ".pyd")):
            continue
        names = [str(part) for part in parts[:-1]]
        stem = parts[-1].split(".")[0]
        if stem != "__init__":
            names.append(stem)
        for depth in range(1, min(len(names), MAX_DEPTH) + 1):
            if all(n.isidentifier() for n in names[:depth]):
                found.add(".".join(names[:depth]))
    return found


def main() -> None:
    want_modules = "--modules" in sys.argv
    distributions: list[list[str]] = []  # [name, version] in sys.path order: the caller keeps the first of a name
    modules: dict[str, list[str]] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"] if dist.metadata else None
        if not name:
            continue
        distributions.append([name, dist.version])
        if want_modules:
            for module in _modules(dist):
                modules.setdefault(module, []).append(name)
    impl = sys.implementation
    environment = {
        "implementation_name": impl.name,
        "implementation_version": f"{impl.version.major}.{impl.version.minor}.{impl.version.micro}",
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_python_implementation": platform.python_implementation(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": platform.python_version(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
    }
    json.dump({"python": sys.executable, "prefix": sys.prefix, "distributions": distributions,
               "environment": environment, "modules": modules}, sys.stdout)


if __name__ == "__main__":
    main()

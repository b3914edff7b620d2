"""Real virtualenvs for a test project, made in milliseconds: `python -m venv --without-pip`, then the
packages the project "installed" written as real installed distributions (dist-info METADATA and RECORD
plus the module files), exactly what `importlib.metadata` and `import` read. No network, no pip."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path


def site_packages(env_dir: Path) -> Path:
    python = env_dir / "bin" / "python"
    out = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         capture_output=True, text=True, check=True)
    return Path(out.stdout.strip())


def add_distribution(env_dir: Path, name: str, version: str, modules: Sequence[str] = ()) -> None:
    """Install `name==version` providing `modules` (dotted package paths; default: the name itself)."""
    site = site_packages(env_dir)
    modules = list(modules) or [name.replace("-", "_").lower()]
    records = []
    for module in modules:
        parts = module.split(".")
        for depth in range(1, len(parts) + 1):
            package = site.joinpath(*parts[:depth])
            package.mkdir(parents=True, exist_ok=True)
            if depth == len(parts) or not _is_namespace(parts[:depth], modules):
                init = package / "__init__.py"
                init.write_text(f"# {name} {version}\n")
                records.append("/".join(parts[:depth]) + "/__init__.py,,")
    dist_info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    dist_info.mkdir(exist_ok=True)
    (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (dist_info / "INSTALLER").write_text("tests\n")
    records += [f"{dist_info.name}/METADATA,,", f"{dist_info.name}/RECORD,,"]
    (dist_info / "RECORD").write_text("\n".join(sorted(set(records))) + "\n")


def _is_namespace(prefix: list[str], modules: Sequence[str]) -> bool:
    # google/ and google/cloud/ of google-cloud-storage are namespace packages: no __init__.py
    return prefix[0] in ("google", "azure") and len(prefix) < len(max((m.split(".") for m in modules), key=len))


def make_venv(env_dir: Path, packages: Mapping[str, str] | None = None,
              modules: Mapping[str, Sequence[str]] | None = None) -> Path:
    """A virtualenv at `env_dir` with `packages` {name: version} installed; returns its interpreter."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True)
    for name, version in (packages or {}).items():
        add_distribution(env_dir, name, version, (modules or {}).get(name, ()))
    return env_dir / "bin" / "python"

"""The package's shape, as docs/architecture.md draws it: which layer may import which, pure modules
without I/O, no module over 600 lines, at most 12 modules at the package root.

Imports are read with `ast` from the source (every import: top-level, inside functions, and the ones under
TYPE_CHECKING, since a type-only import is still a dependency a reader has to follow).
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "mosaic_hooks"
MAX_LINES = 600
MAX_ROOT_MODULES = 12

# Which layers a layer may import from (besides itself and the package root's `__version__`).
# cli and demo are the applications on top: they may import anything.
MAY_IMPORT: dict[str, set[str]] = {
    "core": set(),
    "detect": {"core"},
    "records": {"core"},
    "render": {"core", "cli.output", "cli.progress"},
    "gates": {"core", "detect", "render", "probe"},
    "probe": {"core", "gates"},
    "verification": {"core", "detect", "render", "gates", "records", "cli.output"},
    "hooks": {"core", "detect", "render", "gates", "records", "verification", "cli.output"},
    # The fake reads skip phrases as Render does, by the same rule, and runs on the clock the wait runs on.
    "testing": {"core", "render.skip", "render.clock"},
    "__main__": {"cli"},
}
APPLICATIONS = {"cli", "demo"}

# Pure modules: data and arithmetic, no I/O. They import only each other and the standard library's pure parts.
PURE = {
    "mosaic_hooks.core.errors", "mosaic_hooks.core.exit_codes", "mosaic_hooks.core.gate_names",
    "mosaic_hooks.core.isotime", "mosaic_hooks.core.words",
    "mosaic_hooks.detect.changeset",
    "mosaic_hooks.gates.latency", "mosaic_hooks.gates.result", "mosaic_hooks.gates.routes",
    "mosaic_hooks.records.deploy_table", "mosaic_hooks.records.dora", "mosaic_hooks.records.int_keys",
    "mosaic_hooks.records.ranks",
    "mosaic_hooks.render.crash", "mosaic_hooks.render.outcome", "mosaic_hooks.render.skip",
    "mosaic_hooks.render.statuses",
    "mosaic_hooks.verification.model", "mosaic_hooks.verification.verdict",
}
# The edge: network, processes, databases, files shared with other processes, threads.
IMPURE_LIBRARIES = {
    "httpx", "httpcore", "tenacity", "socket", "ssl", "http", "urllib.request", "asyncio", "subprocess",
    "multiprocessing", "threading", "signal", "git", "psycopg", "sqlalchemy", "filelock", "tempfile", "shutil",
    "os", "sys",
}

@dataclass(frozen=True)
class Import:
    importer: str  # dotted module name
    imported: str  # dotted name as written, resolved when relative
    line: int


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


@functools.lru_cache(maxsize=1)
def module_names() -> frozenset[str]:
    return frozenset(module_name(path) for path in modules())


def imports_of(path: Path, as_module: str | None = None) -> Iterator[Import]:
    """Every import in `path`; `from package import module` is read as importing that module."""
    name = as_module or module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    known = module_names()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(name, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                yield Import(name, submodule if submodule in known else target, node.lineno)


def layer(module: str) -> str:
    """`mosaic_hooks.gates.base` -> `gates`; the package root (`__version__`) -> ``."""
    parts = module.split(".")[1:]
    return "" if not parts or parts[0] == "__version__" else parts[0]


def allowed(source_area: str, target: str) -> bool:
    """Whether a module of `source_area` may import the module `target` (a whole layer or a named module)."""
    may = MAY_IMPORT[source_area]
    path = target.split(".")[1:]
    return layer(target) in may or any(".".join(path[:n]) in may for n in range(2, len(path) + 1))


def layer_violations() -> list[str]:
    found = []
    for path in modules():
        for imp in imports_of(path):
            if not imp.imported.startswith("mosaic_hooks"):
                continue
            source, target = layer(imp.importer), layer(imp.imported)
            if not target or source in APPLICATIONS or target == source:
                continue
            if source not in MAY_IMPORT:
                found.append(f"{imp.importer}: layer {source!r} is not in the map (docs/architecture.md)")
            elif not allowed(source, imp.imported):
                found.append(f"{imp.importer}:{imp.line} imports {imp.imported} ({source} may not import it)")
    return found


def impure_imports_of_pure_modules() -> list[str]:
    found = []
    for path in modules():
        name = module_name(path)
        if name not in PURE:
            continue
        for imp in imports_of(path):
            top = imp.imported.split(".")[0]
            if imp.imported.startswith("mosaic_hooks"):
                if imp.imported not in PURE:
                    found.append(f"{name}:{imp.line} imports {imp.imported}, which is not pure")
            elif top in IMPURE_LIBRARIES or imp.imported in IMPURE_LIBRARIES:
                found.append(f"{name}:{imp.line} imports {imp.imported}")
    return found


def test_each_layer_imports_only_the_layers_below_it() -> None:
    assert layer_violations() == []


def test_core_imports_nothing_from_the_other_layers() -> None:
    core = [imp for path in (PACKAGE / "core").rglob("*.py") for imp in imports_of(path)
            if imp.imported.startswith("mosaic_hooks") and layer(imp.imported) not in ("", "core")]
    assert core == []


def test_pure_modules_do_no_io_and_import_only_pure_modules() -> None:
    assert impure_imports_of_pure_modules() == []


def test_every_pure_module_exists() -> None:
    assert PURE - module_names() == set()


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    """The rules above are only as good as the import reader: it must see imports inside functions."""
    source = tmp_path / "example.py"
    source.write_text("def later():\n    import httpx\n    from . import wait\n    from .api import RenderAPI\n")
    seen = [(imp.imported, imp.line) for imp in imports_of(source, "mosaic_hooks.render.statuses")]
    assert seen == [("httpx", 2), ("mosaic_hooks.render.wait", 3), ("mosaic_hooks.render.api", 4)]


def line_counts() -> dict[str, int]:
    return {path.relative_to(PACKAGE).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
            for path in modules()}


def test_no_module_is_over_600_lines() -> None:
    over = {name: lines for name, lines in line_counts().items() if lines > MAX_LINES}
    assert over == {}, f"split these into smaller modules: {over}"


def test_at_most_12_modules_at_the_package_root() -> None:
    root = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert len(root) <= MAX_ROOT_MODULES, f"{len(root)} modules at the package root: {root}"

"""The modules of one revision: parsing its files once, finding a module by dotted name, loading it.

Loading a module runs its top level through the executor (`executor.py`); this layer only knows where
modules are (source roots are the ancestors of the importing file, directories without `__init__.py`
are namespace packages) and in which state each one is, so that import cycles end as Python's do.
"""

from __future__ import annotations

import ast
import posixpath
from dataclasses import dataclass, field

from mosaic_hooks.detect.endpoints.parsing import ParseCache
from mosaic_hooks.detect.endpoints.values import UNKNOWN, Const, LazyRef, ModuleRef, Value


class BudgetExceeded(Exception):
    """The statement budget is spent: the analysis stops instead of running on for minutes."""


@dataclass(eq=False)
class Module:
    path: str  # file path in the snapshot ("" for a namespace package without __init__.py)
    package_dir: str  # directory of the package the module belongs to (for relative imports)
    is_package: bool
    env: dict[str, Value] = field(default_factory=dict)
    state: str = "new"  # new, running, done, failed
    tree: ast.Module | None = None


class ModuleLoader:
    """Finds and loads the project's modules; `run_module` (the executor) runs a loaded module's code."""

    def __init__(self, files: dict[str, bytes], cache: ParseCache) -> None:
        self.files = files
        self.cache = cache
        self.dirs: set[str] = set()
        for path in files:
            parent = posixpath.dirname(path)
            while parent and parent not in self.dirs:
                self.dirs.add(parent)
                parent = posixpath.dirname(parent)
        self.modules: dict[str, Module] = {}
        self.warnings: list[str] = []
        self.unparsable: set[str] = set()
        self.probed: set[str] = set()  # file paths whose existence or content the analysis depended on
        self._find_cache: dict[tuple[str, str], Module | None] = {}
        self.external_files: set[str] = set()  # read from the project's environment, not the repository

    def add_files(self, files: dict[str, bytes]) -> None:
        """Files from outside the repository (an installed app's source), which the project's own shadow."""
        for path, data in files.items():
            if path in self.files:
                continue
            self.files[path] = data
            self.external_files.add(path)
            parent = posixpath.dirname(path)
            while parent and parent not in self.dirs:
                self.dirs.add(parent)
                parent = posixpath.dirname(parent)
        self._find_cache.clear()

    def run_module(self, module: Module, tree: ast.Module) -> None:
        raise NotImplementedError  # the executor's

    def module_for_path(self, path: str) -> Module | None:
        self.probed.add(path)
        if path in self.modules:
            return self.modules[path]
        if path not in self.files:
            return None
        is_package = path.endswith("/__init__.py") or path == "__init__.py"
        module = Module(path=path, package_dir=posixpath.dirname(path), is_package=is_package)
        self.modules[path] = module
        return module

    def namespace(self, directory: str) -> Module:
        key = directory + "/"
        module = self.modules.get(key)
        if module is None:
            module = self.modules[key] = Module(path=key, package_dir=directory, is_package=True, state="done")
        return module

    def find_module(self, dotted: str, anchor_dir: str) -> Module | None:
        """The project module `dotted` as seen from a file in `anchor_dir` (source roots: its ancestors)."""
        key = (dotted, anchor_dir)
        if key in self._find_cache:
            return self._find_cache[key]
        rel = dotted.replace(".", "/")
        found: Module | None = None
        directory = anchor_dir
        while True:
            base = f"{directory}/{rel}" if directory else rel
            module = self.module_for_path(base + ".py") or self.module_for_path(base + "/__init__.py")
            if module is None and base in self.dirs:
                module = self.namespace(base)
            if module is not None:
                found = module
                break
            if not directory:
                break
            directory = posixpath.dirname(directory)
        self._find_cache[key] = found
        return found

    def submodule(self, package: Module, name: str) -> Module | None:
        if not package.is_package:
            return None
        base = f"{package.package_dir}/{name}" if package.package_dir else name
        module = self.module_for_path(base + ".py") or self.module_for_path(base + "/__init__.py")
        if module is None and base in self.dirs:
            module = self.namespace(base)
        return module

    def relative_base(self, module: Module, level: int) -> str | None:
        directory = module.package_dir
        for _ in range(level - 1):
            if not directory:
                return None
            directory = posixpath.dirname(directory)
        return directory

    def relative_module(self, base: str, name: str | None) -> Module | None:
        """The module `from .name import ...` means, `base` being the directory its dots lead to."""
        if name:
            rel = name.replace(".", "/")
            path = f"{base}/{rel}" if base else rel
            found = self.module_for_path(path + ".py") or self.module_for_path(path + "/__init__.py")
            if found is None and path in self.dirs:
                found = self.namespace(path)
            return found
        found = self.module_for_path(f"{base}/__init__.py" if base else "__init__.py")
        if found is None:
            found = self.namespace(base) if base else None
        return found

    def load(self, module: Module) -> Module:
        """Run a module's top level once (a module being run returns its partial namespace, as Python does)."""
        if module.state != "new":
            return module
        module.state = "running"
        parsed = self.cache.parse(self.files[module.path])
        if parsed.tree is None:
            self.unparsable.add(module.path)
            self.warnings.append(f"{module.path}: {parsed.error}")
            module.state = "failed"
            return module
        module.tree = parsed.tree
        module.env.setdefault("__name__", Const(module.path))
        try:
            self.run_module(module, parsed.tree)
        except BudgetExceeded:
            raise
        except RecursionError:
            self.warnings.append(f"{module.path}: could not analyse: too deeply nested")
        except Exception as exc:  # never let odd code crash the analysis of the rest
            self.warnings.append(f"{module.path}: could not analyse: {type(exc).__name__}: {exc}")
        module.state = "done"
        return module

    def module_attr(self, module: Module, name: str) -> Value:
        self.load(module)
        if name in module.env:
            return self.resolve(module.env[name])
        sub = self.submodule(module, name)
        if sub is not None:
            return ModuleRef(sub)
        return UNKNOWN

    def resolve(self, value: Value) -> Value:
        for _ in range(50):  # import cycles between two names end as UNKNOWN
            if not isinstance(value, LazyRef):
                return value
            module = self.load(value.module)
            if value.name in module.env:
                value = module.env[value.name]
            else:
                sub = self.submodule(module, value.name)
                return ModuleRef(sub) if sub is not None else UNKNOWN
        return UNKNOWN

    def dispose(self) -> None:
        """Break the reference cycles (functions hold the scopes that hold them) so that memory is
        returned at once instead of by a long cyclic collection."""
        for module in self.modules.values():
            module.env.clear()
            module.tree = None
        self.modules.clear()
        self._find_cache.clear()

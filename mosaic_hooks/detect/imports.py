"""Modules newly imported by changed code, and which of them no requirement declares.

Pure: sources arrive as bytes. Imports are read with `ast` (never executed); an import under
`if TYPE_CHECKING:` or inside a `try:` that catches ImportError is optional by design and ignored
(as deptry ignores TYPE_CHECKING imports). Import names map to distributions through installed
metadata of the project's environment (module paths from each distribution's RECORD and top_level.txt),
by the longest module prefix so that namespace packages resolve (`google.cloud.storage` is
google-cloud-storage, not protobuf, which also provides `google`), then a small table of well-known
names that differ (also by longest prefix, with the google.cloud.* / azure.* naming rules), then the
import name itself.
"""

from __future__ import annotations

import ast
import posixpath
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# Import names whose distribution is named differently, for packages that are not installed here.
KNOWN_DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "yaml": ("PyYAML",), "PIL": ("Pillow",), "sklearn": ("scikit-learn",), "skimage": ("scikit-image",),
    "cv2": ("opencv-python", "opencv-python-headless", "opencv-contrib-python", "opencv-contrib-python-headless"),
    "bs4": ("beautifulsoup4",), "dateutil": ("python-dateutil",), "jwt": ("PyJWT",), "jose": ("python-jose",),
    "dotenv": ("python-dotenv",), "multipart": ("python-multipart",), "magic": ("python-magic",),
    "Crypto": ("pycryptodome", "pycrypto"), "Cryptodome": ("pycryptodomex",), "OpenSSL": ("pyOpenSSL",),
    "attr": ("attrs",), "psycopg2": ("psycopg2", "psycopg2-binary"), "MySQLdb": ("mysqlclient",),
    "serial": ("pyserial",), "usb": ("pyusb",), "git": ("GitPython",), "docx": ("python-docx",),
    "pptx": ("python-pptx",), "slugify": ("python-slugify",), "telegram": ("python-telegram-bot",),
    "discord": ("discord.py",), "zmq": ("pyzmq",), "gi": ("PyGObject",), "fitz": ("PyMuPDF",),
    "decouple": ("python-decouple",), "socketio": ("python-socketio",), "engineio": ("python-engineio",),
    "rest_framework": ("djangorestframework",), "corsheaders": ("django-cors-headers",),
    "environ": ("django-environ",), "debug_toolbar": ("django-debug-toolbar",), "django_filters": ("django-filter",),
    "crispy_forms": ("django-crispy-forms",), "storages": ("django-storages",), "pkg_resources": ("setuptools",),
    "_pytest": ("pytest",), "grpc": ("grpcio",), "kafka": ("kafka-python",), "ldap": ("python-ldap",),
    "dns": ("dnspython",), "nacl": ("PyNaCl",), "websocket": ("websocket-client",), "OpenGL": ("PyOpenGL",),
    "Levenshtein": ("python-Levenshtein", "Levenshtein"), "win32api": ("pywin32",), "win32com": ("pywin32",),
    "ruamel": ("ruamel.yaml",), "ruamel.yaml": ("ruamel.yaml",), "google.protobuf": ("protobuf",),
    "google.auth": ("google-auth",), "google.oauth2": ("google-auth",), "google.api_core": ("google-api-core",),
    "google.genai": ("google-genai",), "google.generativeai": ("google-generativeai",),
    "googleapiclient": ("google-api-python-client",), "google_auth_oauthlib": ("google-auth-oauthlib",),
    "google.cloud.sql.connector": ("cloud-sql-python-connector",),
    "markdown": ("Markdown",), "jinja2": ("Jinja2",), "sentry_sdk": ("sentry-sdk",),
    "pymysql": ("PyMySQL",), "lxml": ("lxml",), "Bio": ("biopython",), "igraph": ("python-igraph", "igraph"),
    "faiss": ("faiss-cpu", "faiss-gpu"), "tensorflow": ("tensorflow", "tensorflow-cpu"), "flask_cors": ("Flask-Cors",),
}

# Top-level names shared by many distributions (namespace packages): an import under them is known by
# its first components, and new when those are (google.cloud.storage beside an old google.protobuf).
NAMESPACE_ROOTS = frozenset({"google", "azure", "zope", "jaraco", "sphinxcontrib", "backports", "opentelemetry",
                             "ruamel", "plone", "oslo", "flufl", "repoze", "paste", "pyobjc"})
NAMESPACE_DEPTH = 3

_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


@dataclass(frozen=True)
class ImportedName:
    module: str  # top-level name: "yaml" for `from yaml.loader import X`
    file: str
    line: int
    dotted: str = ""  # the full path imported: "google.cloud.storage" (`from google.cloud import storage`)

    @property
    def path(self) -> str:
        return self.dotted or self.module

    @property
    def key(self) -> str:
        """What tells two imports apart: the top-level name, or the first components under a namespace root."""
        if self.module in NAMESPACE_ROOTS:
            return ".".join(self.path.split(".")[:NAMESPACE_DEPTH])
        return self.module


def canonical(name: str) -> str:
    """PEP 503 normalisation (packaging's, the one spelling used everywhere)."""
    from packaging.utils import canonicalize_name

    return str(canonicalize_name(name))


def is_stdlib(module: str) -> bool:
    return module in sys.stdlib_module_names or module in sys.builtin_module_names or module == "__main__"


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any((isinstance(k, ast.Name) and k.id in _IMPORT_ERRORS)
               or (isinstance(k, ast.Attribute) and k.attr in _IMPORT_ERRORS) for k in kinds)


def _suppresses_import_error(node: ast.With | ast.AsyncWith) -> bool:
    for item in node.items:
        call = item.context_expr
        if isinstance(call, ast.Call):
            func = call.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name == "suppress" and any(isinstance(a, ast.Name) and a.id in _IMPORT_ERRORS for a in call.args):
                return True
    return False


def imports_in(tree: ast.AST, path: str) -> list[ImportedName]:
    """Top-level names of the absolute imports a module makes, anywhere except in optional places."""
    found: list[ImportedName] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            found.extend(ImportedName(alias.name.split(".")[0], path, node.lineno, alias.name) for alias in node.names)
            return
        if isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                top = node.module.split(".")[0]
                if top in NAMESPACE_ROOTS:  # `from google.cloud import storage`: the name may be the package
                    found.extend(ImportedName(top, path, node.lineno, f"{node.module}.{alias.name}")
                                 for alias in node.names if alias.name != "*")
                else:
                    found.append(ImportedName(top, path, node.lineno, node.module))
            return
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for statement in node.orelse:
                visit(statement)
            return
        if isinstance(node, ast.Try) and any(_catches_import_error(h) for h in node.handlers):
            for handler in node.handlers:
                visit(handler)
            for statement in [*node.orelse, *node.finalbody]:
                visit(statement)
            return
        if isinstance(node, (ast.With, ast.AsyncWith)) and _suppresses_import_error(node):
            return
        for sub in ast.iter_child_nodes(node):
            visit(sub)

    visit(tree)
    return found


def _import_lines(text: bytes) -> set[bytes]:
    return {line.rstrip() for line in text.splitlines() if b"import" in line}


def _quick_imports(lines: list[bytes], new_lines: list[int], path: str) -> list[ImportedName] | None:
    """Imports on the given (1-based) lines when each is a whole statement at module level; None to parse all.

    A line at column 0, outside any triple-quoted string, that parses on its own is a module-level
    statement, so neither `if TYPE_CHECKING:` nor `try:` can hold it; anything else needs the full parse.
    """
    found: list[ImportedName] = []
    wanted = set(new_lines)
    double = single = 0
    for number, line in enumerate(lines, start=1):
        if number in wanted:
            if double % 2 or single % 2 or line[:1].isspace():
                return None
            try:
                tree = ast.parse(line)
            except (SyntaxError, ValueError):
                return None  # part of a longer statement
            if len(tree.body) == 1 and isinstance(tree.body[0], (ast.Import, ast.ImportFrom)):
                found += [ImportedName(item.module, path, number, item.dotted) for item in imports_in(tree, path)]
        double += line.count(b'"""')
        single += line.count(b"'''")
    return found


def new_imports(base_files: Mapping[str, bytes],
                head_files: Mapping[str, bytes]) -> tuple[list[ImportedName], list[str]]:
    """Imports on lines the change adds to the changed files, of modules no changed file imported at base.

    Comparing with every changed file at base (not only the same path) keeps a moved or renamed
    module from looking new. Only files with new import lines are parsed, and most of those only
    line by line; a file at base is parsed only if it mentions a module that looks new.
    """
    old_lines: set[bytes] = set()
    for data in base_files.values():
        old_lines |= _import_lines(data)
    candidates: list[ImportedName] = []
    warnings: list[str] = []
    for path in sorted(head_files):
        lines = head_files[path].splitlines()
        added = [number for number, line in enumerate(lines, start=1)
                 if b"import" in line and line.rstrip() not in old_lines]
        if not added:
            continue
        quick = _quick_imports(lines, added, path)
        if quick is not None:
            candidates += quick
            continue
        try:
            tree = ast.parse(head_files[path], filename=path)
        except (SyntaxError, ValueError) as exc:
            line = getattr(exc, "lineno", None) or 1
            message = getattr(exc, "msg", None) or str(exc)
            warnings.append(f"{path}: could not parse (line {line}): {message}")
            continue
        on_new_lines = set(added)
        candidates += [item for item in imports_in(tree, path) if item.line in on_new_lines]
    if not candidates:
        return [], warnings
    wanted = {item.module for item in candidates}
    old_names: set[str] = set()
    for path, data in base_files.items():
        mentioned = [name for name in wanted
                     if any(re.search(rb"\b" + re.escape(name.encode()) + rb"\b", line)
                            for line in _import_lines(data))]
        if not mentioned:
            continue
        try:
            old_names |= {item.key for item in imports_in(ast.parse(data, filename=path), path)}
        except (SyntaxError, ValueError):
            # cannot tell: do not call it new
            old_names |= {item.key for item in candidates if item.module in mentioned}
    seen: set[tuple[str, str]] = set()
    result = []
    for item in candidates:
        if item.key not in old_names and (item.file, item.key) not in seen:
            seen.add((item.file, item.key))
            result.append(item)
    return result, warnings


def first_party_names(paths: Iterable[str]) -> set[str]:
    """Names the repository's own code can be imported as.

    The top-level folder or module of every Python file, and every folder or module directly inside
    a folder that is not a package (a `src/` layout, `backend/app/`, a scripts folder run as is).
    """
    paths = [path for path in paths if path.endswith((".py", ".pyi"))]
    packages = {posixpath.dirname(path) for path in paths
                if posixpath.basename(path) in ("__init__.py", "__init__.pyi")}
    names: set[str] = set()
    for path in paths:
        parts = path.split("/")
        for index, part in enumerate(parts):
            parent = "/".join(parts[:index])
            if index == 0 or parent not in packages:
                names.add(part.rsplit(".", 1)[0] if index == len(parts) - 1 else part)
    names.discard("__init__")
    return names


def _longest_prefix(dotted: str, table: Mapping[str, Sequence[str]]) -> list[str]:
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        found = table.get(".".join(parts[:end]))
        if found:
            return list(found)
    return []


def _namespace_rule(dotted: str) -> list[str]:
    """google.cloud.X -> google-cloud-X, azure.X.Y -> azure-X-Y: how those families name their distributions."""
    parts = dotted.split(".")
    if parts[:2] == ["google", "cloud"] and len(parts) >= 3:
        return [f"google-cloud-{parts[2].replace('_', '-')}"]
    if parts[0] == "azure" and len(parts) >= 2:
        return ["-".join(["azure", *[p.replace("_", "-") for p in parts[1:3]]])]
    return []


def candidate_distributions(module: str, installed: Mapping[str, Sequence[str]]) -> list[str]:
    """Distribution names that provide `module` (a dotted path), by the longest module prefix: the installed
    ones, else well-known ones (the table, then the namespace naming rules), else the top-level name."""
    top = module.split(".")[0]
    return (_longest_prefix(module, installed) or _longest_prefix(module, KNOWN_DISTRIBUTIONS)
            or _namespace_rule(module) or [top])


@dataclass(frozen=True)
class Undeclared:
    imported: ImportedName
    distributions: tuple[str, ...]  # what could provide it, most likely first
    installed: bool | None  # whether it is installed here (None: not known, e.g. server side)

    def message(self, where: str) -> str:
        wanted = self.distributions[0]
        name = self.imported.key
        shown = f"'{name}'" if canonical(wanted) == canonical(name) else f"'{name}' (distribution {wanted})"
        state = {True: " (installed here, but not declared)", False: " (not installed here)", None: ""}[self.installed]
        return (f"{self.imported.file}:{self.imported.line}: imports {shown}, which no requirement declares"
                f"{state}; add '{wanted}' to {where}")


def undeclared_imports(imported: Sequence[ImportedName], *, declared: set[str], first_party: set[str],
                       installed: Mapping[str, Sequence[str]] | None) -> list[Undeclared]:
    """The imports that are not stdlib, not the repository's own, and that no declared requirement provides.

    `declared` holds normalised distribution names (the project's own name included); `installed` maps
    import names to installed distributions (None when this environment is not the project's).
    """
    result = []
    for item in imported:
        if is_stdlib(item.module) or item.module in first_party:
            continue
        candidates = candidate_distributions(item.path, installed or {})
        if any(canonical(name) in declared for name in candidates):
            continue
        known = None if installed is None else bool(_longest_prefix(item.path, installed))
        result.append(Undeclared(item, tuple(candidates), installed=known))
    return result


def third_party_candidates(imported: Sequence[ImportedName], first_party: set[str] | None = None) -> list[ImportedName]:
    """The imports that could be third-party (cheap filter before reading requirements and metadata)."""
    return [item for item in imported if not is_stdlib(item.module)
            and (first_party is None or item.module not in first_party)]

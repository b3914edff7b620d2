"""Opt-in: load the app at a revision in a separate Python process and list the routes it reports.

This EXECUTES PROJECT CODE (imports of the app's modules run); the caller must say so. The revision is
exported with `git archive` into a temporary directory that is always removed; the child process
gets a time limit and is killed with its process group when it overruns.
"""

from __future__ import annotations

import io
import json
import os
import posixpath
import signal
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from mosaic_hooks.core import exit_codes, git
from mosaic_hooks.core.errors import MosaicError
from mosaic_hooks.detect.changeset import Endpoint
from mosaic_hooks.detect.project_env import project_site_packages

MARKER = "@@MOSAIC_ROUTES@@"
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[3])


class IntrospectionError(MosaicError):
    exit_code = exit_codes.INCONCLUSIVE


# Runs inside the child: imports MODULE, takes APP (calling it when written `factory()`), lists routes.
CHILD_SCRIPT = r'''
import importlib, inspect, json, os, re, sys
from mosaic_hooks.detect.endpoints.paths import fastapi_path, regex_path, werkzeug_path

root = os.getcwd()
target = sys.argv[1]
module_name, _, attr = target.partition(":")
if not os.environ.get("DJANGO_SETTINGS_MODULE") and os.path.exists("manage.py"):
    m = re.search(r"DJANGO_SETTINGS_MODULE['\"]\s*,\s*['\"]([\w.]+)['\"]", open("manage.py").read())
    if m:
        os.environ["DJANGO_SETTINGS_MODULE"] = m.group(1)
if os.environ.get("DJANGO_SETTINGS_MODULE"):
    try:
        import django
    except ImportError:
        pass
    else:
        django.setup()  # a URLconf module cannot be imported before the app registry is ready
obj = importlib.import_module(module_name)
call = attr.endswith("()")
for part in [p for p in attr[:-2 if call else None].split(".") if p]:
    obj = getattr(obj, part)
if call:
    obj = obj()

def where(fn):
    try:
        fn = inspect.unwrap(fn)
        path = inspect.getsourcefile(fn)
        line = inspect.getsourcelines(fn)[1]
        rel = os.path.relpath(path, root)
        return ("", 0) if rel.startswith("..") else (rel.replace(os.sep, "/"), line)
    except Exception:
        return ("", 0)

out = []
def add(methods, path, fn, framework, in_schema=True):
    file, line = where(fn) if fn is not None else ("", 0)
    for method in sorted(set(methods)):
        out.append({"method": method, "path": path, "file": file, "line": line, "framework": framework,
                    "in_schema": bool(in_schema)})

def flatten(routes):
    # Newer FastAPI keeps included routers as nodes; its own iterator yields the effective routes.
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:
        return [(r, r) for r in routes]
    return [(c.original_route, c) for c in iter_route_contexts(routes)]

def walk_asgi(routes, prefix, framework):
    for original, route in flatten(routes):
        kind = type(original).__name__
        if "WebSocket" in kind:
            continue
        if kind != "Mount" and hasattr(original, "endpoint"):
            methods = route.methods
            if methods is None:  # a class endpoint answers the methods it defines
                methods = [m.upper() for m in ("get", "post", "put", "patch", "delete", "head", "options")
                           if hasattr(route.endpoint, m)] or ["GET"]
            methods = set(methods)
            is_api_route = any(c.__name__ == "APIRoute" for c in type(original).__mro__)
            if not is_api_route and "GET" in methods:
                methods.discard("HEAD")  # Starlette adds HEAD to every GET route
            add(methods, fastapi_path(prefix + route.path), route.endpoint,
                "fastapi" if is_api_route else framework, getattr(route, "include_in_schema", True))
        elif kind == "Mount":
            sub = getattr(original, "routes", None) or []
            walk_asgi(sub, prefix + route.path, framework)

def walk_django(patterns, prefix):
    for p in patterns:
        pattern = p.pattern
        text = getattr(pattern, "_route", None)
        regex = getattr(pattern, "_regex", None)
        if text is not None:
            piece = werkzeug_path(text)
        elif isinstance(regex, str):
            piece = regex_path(regex)
        else:
            piece = str(pattern)  # LocalePrefixPattern: the language prefix
        if hasattr(p, "url_patterns"):
            walk_django(p.url_patterns, prefix + piece)
            continue
        path = "/" + (prefix + piece).lstrip("/")
        callback = p.callback
        actions = getattr(callback, "actions", None)
        cls = getattr(callback, "cls", None)
        view_class = cls or getattr(callback, "view_class", None)
        # A class-based view answers the handlers it has among http_method_names (OPTIONS, which
        # every view answers, is not listed); a function view answers anything: ANY.
        allowed = [m.upper() for m in getattr(view_class, "http_method_names", ())
                   if m != "options" and hasattr(view_class, m)] if view_class is not None else []
        if actions:
            add([m.upper() for m in actions], path, callback, "drf")
        elif allowed:
            add(allowed, path, callback, "drf" if cls is not None else "django")
        else:
            add(["ANY"], path, callback, "django")

if hasattr(obj, "url_map") and hasattr(obj, "view_functions"):
    for rule in obj.url_map.iter_rules():
        methods = set(rule.methods or ())
        if getattr(rule, "provide_automatic_options", False):
            methods.discard("OPTIONS")
        if "GET" in methods:
            methods.discard("HEAD")
        add(methods, werkzeug_path(rule.rule), obj.view_functions.get(rule.endpoint), "flask")
elif hasattr(obj, "routes") and not isinstance(obj, type(sys)):
    walk_asgi(obj.routes, "", "starlette")
else:
    from django.urls import get_resolver
    walk_django(get_resolver().url_patterns, "")
print("\n" + MARKER + json.dumps(out))
'''.replace("MARKER", repr(MARKER))


def _find_source_dir(root: Path, module: str) -> Path:
    """The directory from which `module` imports: the tree's top, or the shallowest one holding it."""
    rel = module.replace(".", "/")
    candidates: list[Path] = []
    for directory, dirnames, _files in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in {"node_modules", "venv"})
        here = Path(directory)
        if (here / f"{rel}.py").is_file() or (here / rel / "__init__.py").is_file():
            candidates.append(here)
    if not candidates:
        return root
    return min(candidates, key=lambda p: (len(p.relative_to(root).parts), str(p)))


def introspect(repo: git.Repo, rev: str, target: str, *, timeout: float) -> list[Endpoint]:
    module, sep, attr = target.partition(":")
    if not sep or not module or not attr:
        raise IntrospectionError(f"--introspect expects MODULE:APP, got {target!r}",
                                 hint="e.g. app.main:app or flaskr:create_app()", exit_code=exit_codes.USAGE)
    sha = git.resolve_commit(repo, rev)
    if sha is None:
        raise IntrospectionError(f"no commit named {rev!r}", exit_code=exit_codes.USAGE)
    with tempfile.TemporaryDirectory(prefix="mosaic-introspect-") as tmp:
        root = Path(tmp)
        data = repo.git("archive", "--format=tar", sha).stdout
        with tarfile.open(fileobj=io.BytesIO(data)) as archive:
            if hasattr(tarfile, "data_filter"):
                archive.extractall(root, filter="data")
            else:  # pragma: no cover - Python without extraction filters
                archive.extractall(root)
        cwd = _find_source_dir(root, module)
        env = dict(os.environ)
        # The project's environment comes last: its installed apps import, our own packages win.
        env_paths = [str(p) for p in project_site_packages(None if repo.bare else repo.root)]
        env["PYTHONPATH"] = os.pathsep.join([str(cwd), _PACKAGE_ROOT, *env_paths])
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        proc = subprocess.Popen([sys.executable, "-c", CHILD_SCRIPT, target], cwd=cwd, env=env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                proc.kill()
            proc.communicate()
            raise IntrospectionError(f"loading {target} at {sha[:12]} did not finish within {timeout:g}s",
                                     hint="raise the timeout or check what the app does at import") from None
        text = out.decode(errors="replace")
        payload = next((line[len(MARKER):] for line in reversed(text.splitlines()) if line.startswith(MARKER)),
                       None)
        if proc.returncode != 0 or payload is None:
            lines = err.decode(errors="replace").strip().splitlines()
            detail = lines[-1] if lines else f"exit {proc.returncode}"
            raise IntrospectionError(f"could not load {target} at {sha[:12]}: {detail}")
    endpoints = [Endpoint(str(r["method"]), str(r["path"]), posixpath.normpath(str(r["file"])) if r["file"] else "",
                          int(r["line"]), str(r["framework"]), in_schema=r.get("in_schema") is not False)
                 for r in json.loads(payload)]
    unique = {e.key: e for e in sorted(endpoints, key=lambda e: (e.path, e.method, e.file))}
    return sorted(unique.values(), key=lambda e: (e.path, e.method))

"""Django URLconfs as Django's resolver sees them: from ROOT_URLCONF down every include(), DRF routers,
and the admin sites' pages.

A URLconf whose `urlpatterns` the analysis cannot follow (a call into code it cannot see) is not
taken as empty: a warning names it ("endpoints of this module unknown") and it is recorded as an
unknown source. Every endpoint remembers the sources it was reached through (the URLconf modules and
the include() calls, named by file and argument text), so a change diff never reports as removed the
routes that came through a source unknown on the other side, and still reports the others.

The admin's pages (AdminSite.get_urls) are the site's own pages, six per model registered on it (by
the installed apps' admin modules, third-party apps included, read from the project's environment),
the contrib apps' models, a project AdminSite subclass's own `get_urls` additions, and the layout of
the Django version the project runs.
"""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Sequence
from pathlib import Path

from mosaic_hooks.detect.changeset import Endpoint
from mosaic_hooks.detect.endpoints.collect import Collector as BaseCollector
from mosaic_hooks.detect.endpoints.django import DjangoProject
from mosaic_hooks.detect.endpoints.django_apps import (
    App,
    installed_entries,
    label_of_name,
    labels_by_dir,
    owning_label,
    resolve_apps,
)
from mosaic_hooks.detect.endpoints.django_views import (
    CONTRIB_ADMIN_MODELS,
    LIBRARY_ADMIN_MODELS,
    admin_has_catch_all,
    admin_model_routes,
    admin_site_routes,
    external_view_methods,
    view_methods,
)
from mosaic_hooks.detect.endpoints.evaluator import Evaluator
from mosaic_hooks.detect.endpoints.executor import Interpreter
from mosaic_hooks.detect.endpoints.loader import Module
from mosaic_hooks.detect.endpoints.paths import regex_path, werkzeug_path
from mosaic_hooks.detect.endpoints.values import (
    UNKNOWN,
    ActionInfo,
    AdminUrls,
    ClassVal,
    Const,
    DjPattern,
    DrfRegistration,
    External,
    FuncVal,
    IncludeVal,
    ListVal,
    ModuleRef,
    Obj,
    RouterUrls,
    Suffixed,
    Value,
    const_str,
)

_SETTINGS_RE = re.compile(rb"""DJANGO_SETTINGS_MODULE['"]?\s*[,:=]\s*f?['"]([\w.]+)['"]""")
_ROOT_URLCONF_RE = re.compile(rb"""^ROOT_URLCONF\s*(?::[^=]*)?=\s*['"]([\w.]+)['"]""", re.M)

# URLconfs of libraries that projects include: route -> the view class serving it.
KNOWN_URLCONFS = {
    "django.contrib.auth.urls": [
        ("login/", "LoginView"), ("logout/", "LogoutView"), ("password_change/", "PasswordChangeView"),
        ("password_change/done/", "PasswordChangeDoneView"), ("password_reset/", "PasswordResetView"),
        ("password_reset/done/", "PasswordResetDoneView"), ("reset/<uidb64>/<token>/", "PasswordResetConfirmView"),
        ("reset/done/", "PasswordResetCompleteView")],
    "rest_framework.urls": [("login/", "LoginView"), ("logout/", "LogoutView")],
}

ACTIONS_OF = {
    "ModelViewSet": {"list", "create", "retrieve", "update", "partial_update", "destroy"},
    "ReadOnlyModelViewSet": {"list", "retrieve"},
    "ListModelMixin": {"list"},
    "CreateModelMixin": {"create"},
    "RetrieveModelMixin": {"retrieve"},
    "UpdateModelMixin": {"update", "partial_update"},
    "DestroyModelMixin": {"destroy"},
}
ADMIN_REDIRECT_METHODS = tuple(external_view_methods("RedirectView", None) or ())
_ALL_ACTIONS = {"list", "create", "retrieve", "update", "partial_update", "destroy"}
_LIST_METHODS = (("GET", "list"), ("POST", "create"))
_DETAIL_METHODS = (("GET", "retrieve"), ("PUT", "update"), ("PATCH", "partial_update"), ("DELETE", "destroy"))


# --------------------------------------------------------------------------- finding the URLconf


def find_settings(interp: Evaluator, paths: list[str]) -> list[tuple[Module, str]]:
    """Settings modules named by manage.py / wsgi.py / asgi.py, with the directory they resolve from."""
    found: list[tuple[Module, str]] = []
    launchers = sorted((p for p in paths if posixpath.basename(p) in {"manage.py", "wsgi.py", "asgi.py"}),
                       key=lambda p: (p.count("/"), p))
    for launcher in launchers:
        interp.probed.add(launcher)
        match = _SETTINGS_RE.search(interp.files.get(launcher, b""))
        if not match:
            continue
        anchor = posixpath.dirname(launcher)
        settings = interp.find_module(match.group(1).decode(), anchor)
        if settings is not None and not settings.path.endswith("/") and all(m is not settings for m, _ in found):
            found.append((settings, anchor))
    return found


def find_root_urlconfs(interp: Evaluator, paths: list[str]) -> list[Module]:
    """ROOT_URLCONF named by the settings module manage.py/wsgi.py/asgi.py point at; else top urls.py."""
    roots: list[Module] = []
    for settings, anchor in find_settings(interp, paths):
        dotted = const_str(interp.module_attr(settings, "ROOT_URLCONF"))
        if dotted is None:
            raw = _ROOT_URLCONF_RE.search(interp.files.get(settings.path, b""))
            dotted = raw.group(1).decode() if raw else None
        if dotted:
            module = interp.find_module(dotted, anchor) or interp.find_module(
                dotted, posixpath.dirname(settings.path))
            if module is not None and module not in roots:
                roots.append(module)
    if roots:
        return roots
    for path in sorted(paths):
        name = posixpath.basename(path)
        if name.startswith("settings") or "/settings/" in f"/{path}":
            interp.probed.add(path)
            raw = _ROOT_URLCONF_RE.search(interp.files.get(path, b""))
            if raw:
                module = interp.find_module(raw.group(1).decode(), posixpath.dirname(path))
                if module is not None and module not in roots:
                    roots.append(module)
    if roots:
        return roots
    urls = [p for p in paths if posixpath.basename(p) == "urls.py"]
    if urls:
        depth = min(p.count("/") for p in urls)
        for path in sorted(p for p in urls if p.count("/") == depth):
            module = interp.module_for_path(path)
            if module is not None:
                roots.append(module)
    return roots


# --------------------------------------------------------------------------- expanding patterns


class Collector(BaseCollector):
    def __init__(self, interp: Interpreter, project: DjangoProject, apps: list[App] | None,
                 version: tuple[int, int] | None) -> None:
        super().__init__(interp)
        self.project = project
        self.apps = apps  # None: INSTALLED_APPS not known
        self.app_dirs = labels_by_dir(apps or [])
        self.version = version
        self.expanded: set[tuple[int, str, int]] = set()
        self.suffixed = 0  # > 0 while expanding inside format_suffix_patterns()
        self.via: list[str] = []  # the sources (URLconf modules, include() calls) being expanded
        self.origins: dict[tuple[str, str], set[str]] = {}  # endpoint key -> sources it came through
        self.unknown_sources: set[str] = set()  # sources whose routes could not be followed

    def unknown_table(self, file: str, line: int, prefix: str, why: str) -> None:
        self.unknown_sources.add(self.via[-1] if self.via else f"module:{file}")
        where = f"{file}:{line}" if line else file
        self.unknown_tables.append(f"{where}: {why}: endpoints of this module unknown")

    def expand_module(self, module: Module, prefix: str, depth: int) -> None:
        self.via.append(f"module:{module.path}")
        try:
            patterns = self.interp.module_attr(module, "urlpatterns")
            if isinstance(patterns, (ListVal, RouterUrls)):
                self.expand(patterns, prefix, depth, module.path, 0)
            elif module.state == "done" and module.path not in self.interp.unparsable:
                why = "urlpatterns not found" if patterns is UNKNOWN and not _assigns(module, "urlpatterns") \
                    else "urlpatterns could not be followed"
                self.unknown_table(module.path, _assignment_line(module, "urlpatterns"), prefix, why)
        finally:
            self.via.pop()

    def expand(self, patterns: Value, prefix: str, depth: int, file: str, line: int) -> None:
        if depth > 25:
            return
        if isinstance(patterns, RouterUrls):
            self.router(patterns.router, prefix)
            return
        if not isinstance(patterns, ListVal):
            self.unknown_table(file, line, prefix, "URL patterns could not be followed")
            return
        key = (id(patterns), prefix, self.suffixed)
        if key in self.expanded:
            return
        self.expanded.add(key)
        for item in list(patterns.items):
            if isinstance(item, DjPattern):
                self.pattern(item, prefix, depth)
            elif isinstance(item, (ListVal, RouterUrls)):
                self.expand(item, prefix, depth + 1, file, line)
            elif isinstance(item, Suffixed):
                self.suffixed += 1
                try:
                    self.expand(item.patterns, prefix, depth + 1, file, line)
                finally:
                    self.suffixed -= 1

    def pattern(self, item: DjPattern, prefix: str, depth: int) -> None:
        route = const_str(item.route)
        if route is None:
            self.left_out(item.file)
            return
        piece = regex_path(route) if item.regex else werkzeug_path(route)
        full = prefix + piece
        view = item.view
        if isinstance(view, IncludeVal):
            self.via.append(f"include:{item.file}:{view.text}")
            try:
                self.include(view.target, full, depth, item.file, item.line)
            finally:
                self.via.pop()
        elif isinstance(view, ListVal):  # path("x/", (patterns, app_name, namespace)), admin.site.urls
            self.include(view, full, depth, item.file, item.line)
        elif isinstance(view, External) and view.qualname.endswith("site.urls"):
            self.admin(full, None, item.file, item.line)
        elif isinstance(view, AdminUrls):
            self.admin(full, view.site, item.file, item.line)
        elif isinstance(view, RouterUrls):
            self.router(view.router, full)
        else:
            methods = view_methods(self.interp, view, self.version)
            framework = "django" if methods == ["ANY"] else _framework_of(self.interp, view)
            for method in methods:
                self.add(method, full, item.file, item.line, framework)
                if self.suffixed:
                    # DRF: the route without its trailing slash + `.<format>` (the path converter holds the dot)
                    self.add(method, prefix + piece.rstrip("/") + (".{format}" if item.regex else "{format}"),
                             item.file, item.line, framework)

    def include(self, target: Value, prefix: str, depth: int, file: str, line: int) -> None:
        if isinstance(target, ListVal) and 2 <= len(target.items) <= 3 and isinstance(
                target.items[0], (ListVal, Const, ModuleRef, RouterUrls)) and all(
                isinstance(i, Const) for i in target.items[1:]):
            target = target.items[0]  # include((patterns, "app_name"))
        if isinstance(target, Const) and isinstance(target.value, str):
            module = self.interp.find_module(target.value, posixpath.dirname(file))
            if module is None or module.path.endswith("/"):
                self.known_urlconf(target.value, prefix, file, line)
                return
            self.expand_module(module, prefix, depth + 1)
        elif isinstance(target, ModuleRef):
            if not target.module.path.endswith("/"):
                self.expand_module(target.module, prefix, depth + 1)
            else:
                self.unknown_table(file, line, prefix, "included URLconf not found")
        elif isinstance(target, (ListVal, RouterUrls)):
            self.expand(target, prefix, depth + 1, file, line)
        elif isinstance(target, External) and target.qualname.endswith("site.urls"):
            self.admin(prefix, None, file, line)  # include(admin.site.urls), Django < 2
        elif isinstance(target, AdminUrls):
            self.admin(prefix, target.site, file, line)
        elif isinstance(target, External):
            self.known_urlconf(target.qualname, prefix, file, line)
        else:
            self.unknown_table(file, line, prefix, "included URLconf could not be followed")

    def known_urlconf(self, dotted: str, prefix: str, file: str, line: int) -> None:
        """A library's URLconf: listed when known, else its routes are unknown (never a silent gap)."""
        known = KNOWN_URLCONFS.get(dotted)
        if known is None:
            # Named, not marked unknown: a library's routes are left out on both sides of a change
            # alike, so they can never read as removed, and the project's own routes under the same
            # prefix (often "") stay comparable.
            self.unknown_tables.append(f"{file}:{line}: URLconf {dotted} is not in the repository: "
                                       "endpoints of this module unknown (not listed)")
            return
        for route, view in known:
            for method in external_view_methods(view, self.version) or ["ANY"]:
                self.add(method, prefix + werkzeug_path(route), file, line, "django")

    def admin(self, prefix: str, site: Obj | None, file: str, line: int) -> None:
        for route in admin_site_routes(self.version):
            self.add("ANY", prefix + route, file, line, "django")
        models = self.admin_models(site)
        for (label, name), user_admin in sorted(models.items()):
            if user_admin is None:
                continue
            for route in admin_model_routes(self.version) + (("{id}/password/",) if user_admin else ()):
                # "<object_id>/" is a RedirectView to the change page: it has methods
                for method in (ADMIN_REDIRECT_METHODS if route == "{object_id}/" else ("ANY",)):
                    self.add(method, f"{prefix}{label}/{name}/{route}", file, line, "django")
        if any(v is not None for v in models.values()):
            self.add("ANY", prefix + "{app_label}/", file, line, "django")
        if site is not None:
            self.site_extra_urls(site, prefix)
        if admin_has_catch_all(self.version):
            self.add("ANY", prefix + "{url}", file, line, "django")  # the admin's final catch-all view

    def admin_models(self, site: Obj | None) -> dict[tuple[str, str], bool | None]:
        """(app label, model) -> has UserAdmin's password page (None: unregistered), for one admin site."""
        models: dict[tuple[str, str], bool | None] = {}
        if site is None:
            for app in self.apps or []:
                # contrib apps, and libraries' apps whose source is not in the environment
                table = {**CONTRIB_ADMIN_MODELS, **LIBRARY_ADMIN_MODELS} if app.package_dir is None else {}
                for label, name, user_admin in table.get(app.name, []):
                    if (label, name) == ("auth", "user") and self.user_model_swapped():
                        continue  # AdminSite.register ignores a swapped-out model
                    models[(label, name)] = user_admin
        for model, registered in self.project.registry(site).models.values():
            key = self.model_key(model)
            if key is not None:
                models[key] = registered
        return models

    def user_model_swapped(self) -> bool:
        user = self.project.user_model(self.interp)
        return isinstance(user, External) and user.qualname != "django.contrib.auth.models.User"

    def model_key(self, model: Value) -> tuple[str, str] | None:
        """(app_label, model_name): Meta.app_label, else the label of the installed app that owns it."""
        if isinstance(model, ClassVal):
            meta = model.env.get("Meta")
            label = const_str(meta.env.get("app_label")) if isinstance(meta, ClassVal) else None
            if label is None and self.apps:
                label = owning_label(self.app_dirs, model.module.path)
            if label is None:
                parts = model.module.path.split("/")
                label = parts[-2] if len(parts) >= 2 and parts[-1] in {"models.py", "__init__.py"} else (
                    parts[-3] if len(parts) >= 3 else None)
            return (label, model.node.name.lower()) if label else None
        if isinstance(model, External) and ".models." in model.qualname:
            head = model.qualname.split(".models.")[0]
            return (label_of_name(self.apps or [], head), model.last.lower())
        return None

    def site_extra_urls(self, site: Obj, prefix: str) -> None:
        """What a project AdminSite subclass's own get_urls() adds to `super().get_urls()`."""
        cls = site.options.get("__class__")
        if not isinstance(cls, ClassVal):
            return
        get_urls = self.interp.class_methods(cls).get("get_urls")
        if not isinstance(get_urls, FuncVal) or not get_urls.node.args.args:
            return
        result = self.interp.run_body(get_urls, {get_urls.node.args.args[0].arg: site}, 1)
        if isinstance(result, ListVal):
            self.expand(result, prefix, 1, site.file, site.line)

    def add(self, method: str, path: str, file: str, line: int, framework: str) -> None:
        endpoint = Endpoint(method, "/" + path.lstrip("/") if path else "/", file, line, framework)
        self.endpoints.append(endpoint)
        self.origins.setdefault(endpoint.key, set()).update(self.via)

    def router(self, router: Obj, prefix: str) -> None:
        slash_value = router.options.get("trailing_slash")
        slash = "/"
        if isinstance(slash_value, Const):
            if slash_value.value is False:
                slash = ""
            elif isinstance(slash_value.value, str):
                slash = "" if slash_value.value in {"", "/?"} else slash_value.value
        default = router.options.get("default")
        is_default = isinstance(default, Const) and bool(default.value)
        suffix = is_default or self.suffixed > 0  # DefaultRouter applies format_suffix_patterns itself
        regex_routes = router.options.get("use_regex_path")
        dot = "{format}" if isinstance(regex_routes, Const) and regex_routes.value is False else ".{format}"
        for reg in router.registrations:
            self.registration(reg, prefix, slash, dot if suffix else "")
        if is_default:
            self.add("GET", prefix, router.file, router.line, "drf")
            self.add("GET", prefix + "{format}", router.file, router.line, "drf")  # root is a path(''): no dot

    def registration(self, reg: DrfRegistration, prefix: str, slash: str, suffix: str) -> None:
        raw = const_str(reg.prefix)
        if raw is None:
            self.left_out(reg.file)
            return
        base = regex_path(raw)
        actions, extra, lookup = self.viewset(reg.viewset)
        sep = "/" if base else ""
        # DRF drops the leading "/" of a route whose prefix is empty: the list route is then "^$".
        list_path = base + slash if base else ""
        detail_path = base + sep + "{" + lookup + "}" + slash

        def emit(method: str, own: str) -> None:
            # `http_method_names` is not applied: the router still routes the method (and answers 405).
            self.add(method, prefix + own, reg.file, reg.line, "drf")
            if suffix:  # the format-suffix variant: ".{format}" for regex routes, "{format}" for path() routes
                self.add(method, prefix + own.rstrip("/") + suffix, reg.file, reg.line, "drf")

        for method, action in _LIST_METHODS:
            if action in actions:
                emit(method, list_path)
        for name, info in extra:
            url_path = regex_path(info.url_path) if info.url_path else name
            where = (base + sep + "{" + lookup + "}/" + url_path + slash if info.detail
                     else base + sep + url_path + slash)
            for method in dict.fromkeys(info.methods):
                emit(method, where)
        for method, action in _DETAIL_METHODS:
            if action in actions:
                emit(method, detail_path)

    def viewset(self, value: Value) -> tuple[set[str], list[tuple[str, ActionInfo]], str]:
        """(standard actions, extra @action routes, lookup kwarg) of a viewset class."""
        if isinstance(value, External):
            return set(ACTIONS_OF.get(value.last, {"list", "retrieve"})), [], "pk"
        if not isinstance(value, ClassVal):
            return {"list", "retrieve"}, [], "pk"
        actions: set[str] = set()
        for base in self.interp.external_bases(value):
            actions |= ACTIONS_OF.get(base.last, set())
        members = self.interp.class_methods(value)
        extra: list[tuple[str, ActionInfo]] = []
        for name, member in members.items():
            if isinstance(member, FuncVal):
                if name in _ALL_ACTIONS:
                    actions.add(name)
                if member.action is not None:
                    extra.append((member.node.name, member.action))
        lookup = const_str(self.interp.class_attr(value, "lookup_url_kwarg")) or const_str(
            self.interp.class_attr(value, "lookup_field")) or "pk"
        return actions, extra, lookup


def collect(interp: Interpreter, project: DjangoProject, paths: list[str], site_packages: Sequence[Path] = (),
            version: tuple[int, int] | None = None) -> tuple[Collector, list[str]]:
    """The endpoints of the Django project among `paths` (collector.endpoints) and the warnings."""
    apps: list[App] | None = None
    entries = installed_entries(interp, project.settings)
    if entries is not None and project.settings is not None:
        apps = resolve_apps(interp, entries, posixpath.dirname(project.settings.path), site_packages)
    collector = Collector(interp, project, apps, version)
    for module in admin_modules(interp, apps, paths):  # the admin autodiscovers the apps' admin modules
        interp.load(module)
    for module in find_root_urlconfs(interp, paths):
        collector.expand_module(module, "", 0)
    return collector, collector.warnings("URL pattern(s) that static analysis could not resolve (left out)")


def admin_modules(interp: Interpreter, apps: list[App] | None, paths: list[str]) -> list[Module]:
    """`<app>.admin` of every installed app; every admin module when INSTALLED_APPS is not known."""
    if apps is None:
        candidates = [p for p in paths if p.endswith("/admin.py") or p == "admin.py" or "/admin/" in f"/{p}"]
        found = [interp.module_for_path(p) for p in candidates]
        return [m for m in found if m is not None]
    out: list[Module] = []
    for app in apps:
        if app.package_dir is None:
            continue
        base = f"{app.package_dir}/admin" if app.package_dir else "admin"
        module = interp.module_for_path(base + ".py") or interp.module_for_path(base + "/__init__.py")
        if module is not None:
            out.append(module)
    return out


def _assigns(module: Module, name: str) -> bool:
    return _assignment_line(module, name) > 0


def _assignment_line(module: Module, name: str) -> int:
    """The line of the last top-level statement binding `name` (0: none)."""
    line = 0
    for stmt in module.tree.body if module.tree is not None else []:
        targets: list[ast.expr] = []
        if isinstance(stmt, ast.Assign):
            targets = list(stmt.targets)
        elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
            targets = [stmt.target]
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            line = stmt.lineno
    return line


def _framework_of(interp: Evaluator, view: Value) -> str:
    cls = getattr(view, "cls", None)
    bases = interp.external_bases(cls) if isinstance(cls, ClassVal) else (
        [cls] if isinstance(cls, External) else [])
    if isinstance(view, FuncVal) or any(b.top == "rest_framework" for b in bases):
        return "drf"
    return "django"

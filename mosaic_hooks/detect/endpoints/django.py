"""Django URLconfs (from ROOT_URLCONF down every include()) and Django REST framework routers.

Django's URLconfs carry no HTTP method, so a `path()` endpoint is `ANY`. DRF routers do: the list and
detail routes they generate get the methods of the viewset's actions (ModelViewSet: list GET/POST,
detail GET/PUT/PATCH/DELETE), `@action` adds its own routes, and DefaultRouter adds its API root (GET)
at the include prefix. Format-suffix variants (`items.{format}`, from DefaultRouter and
`format_suffix_patterns`) are listed, as Django's resolver lists them. `admin.site.urls` expands to
the admin's own pages plus six pages per model registered in an admin module (`admin.site.register`,
`@admin.register`), and the auth app's User and Group when django.contrib.auth is installed, as
AdminSite.get_urls builds them.
"""

from __future__ import annotations

import posixpath
import re

from mosaic_hooks.detect.changeset import Endpoint
from mosaic_hooks.detect.endpoints.collect import Collector as BaseCollector
from mosaic_hooks.detect.endpoints.evaluator import Evaluator
from mosaic_hooks.detect.endpoints.executor import Interpreter
from mosaic_hooks.detect.endpoints.hooks import Args
from mosaic_hooks.detect.endpoints.loader import Module
from mosaic_hooks.detect.endpoints.paths import regex_path, werkzeug_path
from mosaic_hooks.detect.endpoints.values import (
    UNKNOWN,
    ActionDecorator,
    ActionInfo,
    Bound,
    CallbackDecorator,
    ClassVal,
    Const,
    DjPattern,
    DrfRegistration,
    External,
    FuncVal,
    IncludeVal,
    ListVal,
    MappingRef,
    ModuleRef,
    Obj,
    RouterUrls,
    Suffixed,
    Value,
    const_str,
)

_SETTINGS_RE = re.compile(rb"""DJANGO_SETTINGS_MODULE['"]?\s*[,:=]\s*f?['"]([\w.]+)['"]""")
_ROOT_URLCONF_RE = re.compile(rb"""^ROOT_URLCONF\s*(?::[^=]*)?=\s*['"]([\w.]+)['"]""", re.M)

# URLconfs of libraries that projects include, listed so that including them is not a blind spot.
KNOWN_URLCONFS = {
    "django.contrib.auth.urls": ["login/", "logout/", "password_change/", "password_change/done/",
                                 "password_reset/", "password_reset/done/", "reset/<uidb64>/<token>/",
                                 "reset/done/"],
    "rest_framework.urls": ["login/", "logout/"],
}

ADMIN_SITE_ROUTES = ("", "login/", "logout/", "password_change/", "password_change/done/", "autocomplete/",
                     "jsi18n/", "r/{content_type_id}/{object_id}/")
ADMIN_MODEL_ROUTES = ("", "add/", "{object_id}/history/", "{object_id}/delete/", "{object_id}/change/",
                      "{object_id}/")

ACTIONS_OF = {
    "ModelViewSet": {"list", "create", "retrieve", "update", "partial_update", "destroy"},
    "ReadOnlyModelViewSet": {"list", "retrieve"},
    "ListModelMixin": {"list"},
    "CreateModelMixin": {"create"},
    "RetrieveModelMixin": {"retrieve"},
    "UpdateModelMixin": {"update", "partial_update"},
    "DestroyModelMixin": {"destroy"},
}
_ALL_ACTIONS = {"list", "create", "retrieve", "update", "partial_update", "destroy"}
_LIST_METHODS = (("GET", "list"), ("POST", "create"))
_DETAIL_METHODS = (("GET", "retrieve"), ("PUT", "update"), ("PATCH", "partial_update"), ("DELETE", "destroy"))


def class_kind(base: External) -> str | None:
    if base.top == "rest_framework" and base.last in {"DefaultRouter", "SimpleRouter"}:
        return "drf_router"
    return None


class DjangoProject:
    """What the Django hooks learn while one revision is interpreted: its settings and the admin's models."""

    def __init__(self) -> None:
        self.settings: Module | None = None  # what `django.conf.settings.X` reads
        # (app_label, model) -> has UserAdmin's password page; None: unregistered
        self.admin_models: dict[tuple[str, str], bool | None] = {}

    def on_settings_attribute(self, interp: Evaluator, owner: External, name: str) -> Value | None:
        """`settings.X` of `django.conf.settings`: the settings module's X, when it is known."""
        if owner.qualname == "django.conf.settings" and self.settings is not None:
            value = interp.module_attr(self.settings, name)
            if value is not UNKNOWN:
                return value
        return None

    def on_external(self, interp: Evaluator, func: External, args: Args) -> Value | None:
        if func.top == "rest_framework":
            if func.last in {"DefaultRouter", "SimpleRouter"}:
                obj = Obj(kind="drf_router", file=args.file, line=args.line)
                obj.options["default"] = Const(func.last == "DefaultRouter")
                slash = args.get("trailing_slash", 0)
                obj.options["trailing_slash"] = slash if slash is not None else Const(True)
                obj.options["use_regex_path"] = args.get("use_regex_path", 1) or Const(True)
                interp.objects.append(obj)
                return obj
            if func.last in {"action", "detail_route", "list_route"}:
                detail = args.kw("detail")
                is_detail = func.last == "detail_route" or (isinstance(detail, Const) and bool(detail.value))
                methods_value = args.kw("methods")
                methods = ["GET"]
                if isinstance(methods_value, ListVal):
                    methods = [str(v.value).upper() for v in methods_value.items
                               if isinstance(v, Const) and isinstance(v.value, str)] or ["GET"]
                return ActionDecorator(ActionInfo(detail=is_detail, methods=methods,
                                                  url_path=const_str(args.kw("url_path"))))
            if func.last == "format_suffix_patterns":
                patterns = args.get("urlpatterns", 0)
                return ListVal([Suffixed(patterns)]) if patterns is not None else UNKNOWN
            return None
        if func.top != "django":
            return None
        if func.qualname.endswith("admin.site.register"):
            _record_admin(self, interp, _models(args.pos(0)), args.get("admin_class", 1))
            return Const(None)
        if func.qualname == "django.contrib.admin.register":
            models = args.positional()
            return CallbackDecorator(lambda admin_class: _record_admin(self, interp, models, admin_class))
        if func.qualname.endswith("admin.site.unregister"):
            for model in _models(args.pos(0)):
                key = _model_key(model)
                if key is not None:
                    self.admin_models[key] = None  # unregistered (a later register() brings it back)
            return Const(None)
        if (func.last == "path" and "urls" in func.qualname) or func.last in {"re_path", "url"}:
            return DjPattern(route=args.get("route", 0) or UNKNOWN, view=args.get("view", 1) or UNKNOWN,
                             regex=func.last != "path", file=args.file, line=args.line)
        if func.last == "include":
            return IncludeVal(target=args.get("arg", 0) or UNKNOWN, file=args.file, line=args.line)
        if func.last in {"static", "staticfiles_urlpatterns", "debug_toolbar_urls"}:
            return ListVal([])  # served only with DEBUG=True
        if func.last == "i18n_patterns":
            return _i18n_patterns(self, interp, args)
        if func.last == "patterns":  # Django < 1.10: patterns(prefix, url(...), ...)
            return ListVal(args.positional()[1:])
        return None


def _models(value: Value | None) -> list[Value]:
    if isinstance(value, ListVal):
        return list(value.items)
    return [value] if value is not None else []


def _model_key(model: Value) -> tuple[str, str] | None:
    """(app_label, model_name) of a model class: Meta.app_label or the app directory, the class name."""
    if isinstance(model, ClassVal):
        label: str | None = None
        meta = model.env.get("Meta")
        if isinstance(meta, ClassVal):
            label = const_str(meta.env.get("app_label"))
        if label is None:
            parts = model.module.path.split("/")
            label = parts[-2] if len(parts) >= 2 and parts[-1] in {"models.py", "__init__.py"} else (
                parts[-3] if len(parts) >= 3 else None)
        return (label, model.node.name.lower()) if label else None
    if isinstance(model, External) and ".models." in model.qualname:
        head = model.qualname.split(".models.")[0]
        return (head.rsplit(".", 1)[-1], model.last.lower())
    return None


def _record_admin(project: DjangoProject, interp: Evaluator, models: list[Value], admin_class: Value | None) -> None:
    user_admin = isinstance(admin_class, External) and admin_class.last == "UserAdmin"
    if isinstance(admin_class, ClassVal):
        user_admin = any(b.last == "UserAdmin" for b in interp.external_bases(admin_class))
    for model in models:
        key = _model_key(model)
        if key is not None:
            project.admin_models[key] = user_admin


def _i18n_patterns(project: DjangoProject, interp: Evaluator, args: Args) -> Value:
    """Patterns under the language prefix (settings.LANGUAGE_CODE, Django's default "en-us")."""
    items = ListVal(args.positional())
    default = args.kw("prefix_default_language")
    if isinstance(default, Const) and default.value is False:
        return items
    code: Value = Const("en-us")
    if project.settings is not None:
        found = interp.module_attr(project.settings, "LANGUAGE_CODE")
        if found is not UNKNOWN:
            code = found
    language = const_str(code)
    route: Value = Const(language + "/") if language is not None else UNKNOWN
    return ListVal([DjPattern(route=route, view=IncludeVal(items, args.file, args.line), regex=False,
                              file=args.file, line=args.line)])


def on_call(interp: Evaluator, func: Value, args: Args) -> Value | None:
    """`action(detail=True)(func)`: DRF's decorator applied by hand."""
    if isinstance(func, ActionDecorator):
        target = args.pos(0)
        return interp.apply_decorator(func, target if target is not None else UNKNOWN, args.node, args.frame)
    return None


def on_decorator(interp: Evaluator, decorator: Value, target: Value) -> Value | None:
    """`@action(...)` marks a viewset method as an extra route; `@method.mapping.post` adds a method to it."""
    if isinstance(decorator, ActionDecorator) and isinstance(target, FuncVal):
        return FuncVal(node=target.node, module=target.module, scopes=target.scopes, action=decorator.info)
    if isinstance(decorator, Bound) and isinstance(decorator.target, MappingRef):
        action = decorator.target.func.action
        if action is not None and decorator.name.upper() not in action.methods:
            action.methods.append(decorator.name.upper())
        return target
    return None


def on_value_attribute(interp: Evaluator, owner: Value, name: str) -> Value | None:
    if isinstance(owner, FuncVal) and name == "mapping":
        return MappingRef(owner)
    if isinstance(owner, MappingRef):
        return Bound(owner, name)
    return None


def on_method(interp: Evaluator, obj: Obj, name: str, args: Args) -> Value | None:
    if obj.kind != "drf_router":
        return None
    if name == "register":
        obj.registrations.append(DrfRegistration(prefix=args.get("prefix", 0) or UNKNOWN,
                                                 viewset=args.get("viewset", 1) or UNKNOWN,
                                                 file=args.file, line=args.line))
        return Const(None)
    return None


def on_attribute(interp: Evaluator, obj: Obj, name: str) -> Value | None:
    if obj.kind == "drf_router" and name == "urls":
        obj.included = True
        return RouterUrls(obj)
    return None


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
    def __init__(self, interp: Interpreter, project: DjangoProject) -> None:
        super().__init__(interp)
        self.project = project
        self.expanded: set[tuple[int, str, int]] = set()
        self.suffixed = 0  # > 0 while expanding inside format_suffix_patterns()

    def module_patterns(self, module: Module) -> Value:
        return self.interp.module_attr(module, "urlpatterns")

    def expand(self, patterns: Value, prefix: str, depth: int, file: str, line: int) -> None:
        if depth > 25:
            return
        if isinstance(patterns, RouterUrls):
            self.router(patterns.router, prefix)
            return
        if not isinstance(patterns, ListVal):
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
            self.include(view.target, full, depth, item.file, item.line)
        elif isinstance(view, ListVal):  # path("x/", (patterns, app_name, namespace)), admin.site.urls
            self.include(view, full, depth, item.file, item.line)
        elif isinstance(view, External) and view.qualname.endswith("site.urls"):
            self.admin(full, item.file, item.line)
        elif isinstance(view, RouterUrls):
            self.router(view.router, full)
        else:
            self.add("ANY", full, item.file, item.line, "django")
            if self.suffixed:
                # DRF: the route without its trailing slash + `.<format>` (the path converter holds the dot)
                self.add("ANY", prefix + piece.rstrip("/") + (".{format}" if item.regex else "{format}"),
                         item.file, item.line, "django")

    def include(self, target: Value, prefix: str, depth: int, file: str, line: int) -> None:
        if isinstance(target, ListVal) and 2 <= len(target.items) <= 3 and isinstance(
                target.items[0], (ListVal, Const, ModuleRef, RouterUrls)) and all(
                isinstance(i, Const) for i in target.items[1:]):
            target = target.items[0]  # include((patterns, "app_name"))
        if isinstance(target, Const) and isinstance(target.value, str):
            module = self.interp.find_module(target.value, posixpath.dirname(file))
            if module is None:
                for route in KNOWN_URLCONFS.get(target.value, []):
                    self.add("ANY", prefix + werkzeug_path(route), file, line, "django")
                return
            if module.path.endswith("/"):
                return
            self.expand(self.module_patterns(module), prefix, depth + 1, file, line)
        elif isinstance(target, ModuleRef):
            if not target.module.path.endswith("/"):
                self.expand(self.module_patterns(target.module), prefix, depth + 1, file, line)
        elif isinstance(target, (ListVal, RouterUrls)):
            self.expand(target, prefix, depth + 1, file, line)
        elif isinstance(target, External) and target.qualname.endswith("site.urls"):
            self.admin(prefix, file, line)  # include(admin.site.urls), Django < 2
        elif isinstance(target, External):
            for route in KNOWN_URLCONFS.get(target.qualname, []):
                self.add("ANY", prefix + werkzeug_path(route), file, line, "django")

    def admin(self, prefix: str, file: str, line: int) -> None:
        for route in ADMIN_SITE_ROUTES:
            self.add("ANY", prefix + route, file, line, "django")
        models = dict(self.project.admin_models)
        if self.auth_installed():
            models.setdefault(("auth", "group"), False)
            models.setdefault(("auth", "user"), True)
        for (label, name), user_admin in sorted(models.items()):
            if user_admin is None:
                continue
            for route in ADMIN_MODEL_ROUTES + (("{id}/password/",) if user_admin else ()):
                self.add("ANY", f"{prefix}{label}/{name}/{route}", file, line, "django")
        if any(v is not None for v in models.values()):
            self.add("ANY", prefix + "{app_label}/", file, line, "django")
        self.add("ANY", prefix + "{url}", file, line, "django")  # the admin's final catch-all view

    def auth_installed(self) -> bool:
        settings = self.project.settings
        if settings is None:
            return False
        apps = self.interp.module_attr(settings, "INSTALLED_APPS")
        return isinstance(apps, ListVal) and any(
            isinstance(a, Const) and a.value in {"django.contrib.auth", "django.contrib.auth.apps.AuthConfig"}
            for a in apps.items)

    def add(self, method: str, path: str, file: str, line: int, framework: str) -> None:
        self.endpoints.append(Endpoint(method, "/" + path.lstrip("/") if path else "/", file, line, framework))

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


def collect(interp: Interpreter, project: DjangoProject, paths: list[str]) -> tuple[list[Endpoint], list[str]]:
    collector = Collector(interp, project)
    for path in paths:  # the admin autodiscovers every app's admin module
        if path.endswith("/admin.py") or path == "admin.py" or "/admin/" in f"/{path}":
            module = interp.module_for_path(path)
            if module is not None:
                interp.load(module)
    for module in find_root_urlconfs(interp, paths):
        collector.expand(collector.module_patterns(module), "", 0, module.path, 0)
    return collector.endpoints, collector.warnings("URL pattern(s) that static analysis could not resolve (left out)")

"""Django and Django REST framework, as the interpreter meets them: URL patterns, DRF routers and
decorators, the admin's registrations (per admin site) and the settings.

The URLconfs are expanded in `django_urls.py`. A function view is `ANY`; a class-based view answers the
methods it defines (`django_views.py`). DRF routers carry methods too: the list and
detail routes they generate get the methods of the viewset's actions (ModelViewSet: list GET/POST,
detail GET/PUT/PATCH/DELETE), `@action` adds its own routes, and DefaultRouter adds its API root (GET)
at the include prefix. Format-suffix variants (`items.{format}`, from DefaultRouter and
`format_suffix_patterns`) are listed, as Django's resolver lists them. `admin.site.urls` expands to
the admin's own pages plus six pages per model registered in an admin module (`admin.site.register`,
`@admin.register`), and the auth app's User and Group when django.contrib.auth is installed, as
AdminSite.get_urls builds them.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from mosaic_hooks.detect.endpoints.django_views import api_view_methods
from mosaic_hooks.detect.endpoints.evaluator import Evaluator
from mosaic_hooks.detect.endpoints.hooks import Args
from mosaic_hooks.detect.endpoints.loader import Module
from mosaic_hooks.detect.endpoints.values import (
    UNKNOWN,
    ActionDecorator,
    ActionInfo,
    AdminUrls,
    AsView,
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
    Obj,
    RouterUrls,
    Suffixed,
    Value,
    const_str,
)


def class_kind(base: External) -> str | None:
    if base.top == "rest_framework" and base.last in {"DefaultRouter", "SimpleRouter"}:
        return "drf_router"
    if base.top == "django" and base.last == "AdminSite":
        return "admin_site"
    return None


@dataclass
class AdminRegistry:
    """The models registered on one admin site, in registration order."""

    # model identity -> (model, has UserAdmin's password page; None: unregistered)
    models: dict[object, tuple[Value, bool | None]] = field(default_factory=dict)


class DjangoProject:
    """What the Django hooks learn while one revision is interpreted: its settings and the admin sites."""

    def __init__(self) -> None:
        self.settings: Module | None = None  # what `django.conf.settings.X` reads
        self.default_site = AdminRegistry()  # django.contrib.admin.site
        self.sites: dict[int, AdminRegistry] = {}  # id(Obj) of a project AdminSite -> its registry

    def registry(self, site: Value | None) -> AdminRegistry:
        if isinstance(site, Obj) and site.kind == "admin_site":
            return self.sites.setdefault(id(site), AdminRegistry())
        return self.default_site

    def user_model(self, interp: Evaluator) -> Value:
        """`get_user_model()`: settings.AUTH_USER_MODEL ("app_label.Model"), Django's auth.User by default."""
        swapped = const_str(interp.module_attr(self.settings, "AUTH_USER_MODEL")) if self.settings else None
        if swapped and "." in swapped and swapped != "auth.User":
            label, model = swapped.rsplit(".", 1)
            return External(f"{label}.models.{model}")
        return External("django.contrib.auth.models.User")

    def on_site_method(self, interp: Evaluator, obj: Obj, name: str, args: Args) -> Value | None:
        """`my_site.register(Model, ModelAdmin)` / `.unregister(Model)` on a project's AdminSite."""
        if obj.kind != "admin_site":
            return None
        if name == "register":
            _record_admin(self.registry(obj), interp, _models(args.pos(0)), args.get("admin_class", 1))
            return Const(None)
        if name == "unregister":
            _unregister(self.registry(obj), args.pos(0))
            return Const(None)
        return None

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
            if func.last == "api_view":
                methods = api_view_methods(args.get("http_method_names", 0))
                return CallbackDecorator(lambda view: _set_methods(view, methods))
            return None
        if func.last == "as_view" and func.qualname.count(".") >= 2:
            return AsView(External(func.qualname.rsplit(".", 1)[0]))  # a library's class-based view
        if func.top != "django":
            return None
        if func.qualname.endswith("admin.site.register"):
            _record_admin(self.default_site, interp, _models(args.pos(0)), args.get("admin_class", 1))
            return Const(None)
        if func.qualname == "django.contrib.admin.register":
            models = args.positional()
            site = self.registry(args.kw("site"))
            return CallbackDecorator(lambda admin_class: _record_admin(site, interp, models, admin_class))
        if func.qualname.endswith("admin.site.unregister"):
            _unregister(self.default_site, args.pos(0))
            return Const(None)
        if func.last == "AdminSite":  # AdminSite(...) or a project subclass of it
            obj = Obj(kind="admin_site", file=args.file, line=args.line)
            interp.objects.append(obj)
            return obj
        if func.last == "get_user_model":
            return self.user_model(interp)
        if (func.last == "path" and "urls" in func.qualname) or func.last in {"re_path", "url"}:
            return DjPattern(route=args.get("route", 0) or UNKNOWN, view=args.get("view", 1) or UNKNOWN,
                             regex=func.last != "path", file=args.file, line=args.line)
        if func.last == "include":
            text = ast.unparse(args.node.args[0]) if args.node.args else ""
            return IncludeVal(target=args.get("arg", 0) or UNKNOWN, file=args.file, line=args.line, text=text)
        if func.last in {"static", "staticfiles_urlpatterns", "debug_toolbar_urls"}:
            return ListVal([])  # served only with DEBUG=True
        if func.last == "i18n_patterns":
            return _i18n_patterns(self, interp, args)
        if func.last == "patterns":  # Django < 1.10: patterns(prefix, url(...), ...)
            return ListVal(args.positional()[1:])
        return None


def _set_methods(view: Value, methods: list[str]) -> None:
    if isinstance(view, FuncVal):
        view.methods = methods


def _models(value: Value | None) -> list[Value]:
    if isinstance(value, ListVal):
        return list(value.items)
    return [value] if value is not None else []


def model_identity(model: Value) -> object | None:
    if isinstance(model, ClassVal):
        return id(model)
    if isinstance(model, External):
        return model.qualname
    return None


def _record_admin(site: AdminRegistry, interp: Evaluator, models: list[Value], admin_class: Value | None) -> None:
    user_admin = isinstance(admin_class, External) and admin_class.last == "UserAdmin"
    if isinstance(admin_class, ClassVal):
        user_admin = any(b.last == "UserAdmin" for b in interp.external_bases(admin_class))
    for model in models:
        identity = model_identity(model)
        if identity is not None:
            site.models.pop(identity, None)  # registration order is the admin's order
            site.models[identity] = (model, user_admin)


def _unregister(site: AdminRegistry, value: Value | None) -> None:
    for model in _models(value):
        identity = model_identity(model)
        if identity is not None:
            site.models[identity] = (model, None)  # unregistered (a later register() brings it back)


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
    if obj.kind == "admin_site" and name == "urls":
        return AdminUrls(obj)
    return None



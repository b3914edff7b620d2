"""The HTTP methods a Django or DRF view answers, and the admin's URL layout per Django version.

A class-based view (Django's `View`, DRF's `APIView`) dispatches a request to the handler method named
after the HTTP method, if that name is in `http_method_names` and the class has it; any other method
gets 405. So the methods a class-based view answers are the handlers it defines (itself, its project
bases, and the generic base classes listed here) intersected with `http_method_names`. OPTIONS, which
every view answers, is not listed. A function view, which answers whatever it is sent, is `ANY`.
"""

from __future__ import annotations

from mosaic_hooks.detect.endpoints.evaluator import Evaluator
from mosaic_hooks.detect.endpoints.values import AsView, ClassVal, Const, External, FuncVal, ListVal, Value

HTTP_METHOD_NAMES = ("get", "post", "put", "patch", "delete", "head", "trace")
_FORM = frozenset({"get", "post", "put"})  # ProcessFormView: get, post, and put (which calls post)
_GET = frozenset({"get"})

# Handler methods the generic views of Django and DRF define (as of Django 5 / DRF 3.15).
GENERIC_HANDLERS: dict[str, frozenset[str]] = {
    "View": frozenset(), "APIView": frozenset(), "GenericAPIView": frozenset(),
    "CreateAPIView": frozenset({"post"}), "ListAPIView": _GET, "RetrieveAPIView": _GET,
    "DestroyAPIView": frozenset({"delete"}), "UpdateAPIView": frozenset({"put", "patch"}),
    "ListCreateAPIView": frozenset({"get", "post"}), "RetrieveUpdateAPIView": frozenset({"get", "put", "patch"}),
    "RetrieveDestroyAPIView": frozenset({"get", "delete"}),
    "RetrieveUpdateDestroyAPIView": frozenset({"get", "put", "patch", "delete"}),
    "ObtainAuthToken": frozenset({"post"}), "APIRootView": _GET,
    "TemplateView": _GET, "ListView": _GET, "DetailView": _GET, "ArchiveIndexView": _GET,
    "YearArchiveView": _GET, "MonthArchiveView": _GET, "WeekArchiveView": _GET, "DayArchiveView": _GET,
    "TodayArchiveView": _GET, "DateDetailView": _GET,
    "RedirectView": frozenset({"get", "head", "post", "delete", "put", "patch"}),
    "FormView": _FORM, "CreateView": _FORM, "UpdateView": _FORM, "ProcessFormView": _FORM,
    "DeleteView": frozenset({"get", "post", "delete"}),
    "LoginView": _FORM, "PasswordChangeView": _FORM, "PasswordResetView": _FORM,
    "PasswordResetConfirmView": _FORM, "PasswordChangeDoneView": _GET, "PasswordResetDoneView": _GET,
    "PasswordResetCompleteView": _GET,
}
# Views that restrict http_method_names themselves (Django >= 5.0's LogoutView answers POST only).
RESTRICTED: dict[str, frozenset[str]] = {"LogoutView": frozenset({"post"})}
# Module-level views of libraries: `obtain_auth_token = ObtainAuthToken.as_view()`.
KNOWN_VIEW_FUNCTIONS: dict[str, frozenset[str]] = {"obtain_auth_token": frozenset({"post"})}


def logout_methods(version: tuple[int, int] | None) -> frozenset[str]:
    return frozenset({"post"}) if version is None or version >= (5, 0) else frozenset({"get", "post"})


def _upper(methods: frozenset[str] | set[str]) -> list[str]:
    return [m.upper() for m in HTTP_METHOD_NAMES if m in methods]


def external_view_methods(name: str, version: tuple[int, int] | None) -> list[str] | None:
    if name == "LogoutView":
        return _upper(logout_methods(version))
    found = GENERIC_HANDLERS.get(name)
    return _upper(found) if found else None


def view_methods(interp: Evaluator, view: Value, version: tuple[int, int] | None) -> list[str]:
    """The methods `view` (a path()'s view argument) answers; ["ANY"] when it cannot be told."""
    if isinstance(view, FuncVal) and view.methods:
        return view.methods
    if isinstance(view, External) and view.last in KNOWN_VIEW_FUNCTIONS:
        return _upper(KNOWN_VIEW_FUNCTIONS[view.last])
    if not isinstance(view, AsView):
        return ["ANY"]
    cls = view.cls
    if isinstance(cls, External):
        return external_view_methods(cls.last, version) or ["ANY"]
    if not isinstance(cls, ClassVal):
        return ["ANY"]
    handlers: set[str] = set()
    allowed: set[str] | None = None
    for base in interp.external_bases(cls):
        handlers |= GENERIC_HANDLERS.get(base.last, frozenset())
        if base.last == "LogoutView":
            handlers |= logout_methods(version)
            allowed = set(logout_methods(version))
    members = interp.class_methods(cls)
    handlers |= {name for name, member in members.items() if name in HTTP_METHOD_NAMES
                 and isinstance(member, FuncVal)}
    declared = interp.class_attr(cls, "http_method_names")
    if isinstance(declared, ListVal) and all(isinstance(i, Const) for i in declared.items):
        allowed = {str(i.value).lower() for i in declared.items if isinstance(i, Const)}
    if allowed is not None:
        handlers &= allowed
    return _upper(handlers) or ["ANY"]


def api_view_methods(methods_value: Value | None) -> list[str]:
    """`@api_view(["GET", "POST"])`: the listed methods (GET when none are given), as DRF wraps them."""
    if isinstance(methods_value, ListVal):
        names = {str(v.value).lower() for v in methods_value.items if isinstance(v, Const)}
        return _upper(names) or ["GET"]
    return ["GET"]


# --------------------------------------------------------------------------- the admin's URL layout


def admin_site_routes(version: tuple[int, int] | None) -> tuple[str, ...]:
    """AdminSite.get_urls() before its per-app and catch-all routes."""
    routes: tuple[str, ...] = ("", "login/", "logout/", "password_change/", "password_change/done/")
    if version is None or version >= (3, 2):
        routes += ("autocomplete/",)  # 3.2 moved autocomplete from each ModelAdmin to the site
    return (*routes, "jsi18n/", "r/{content_type_id}/{object_id}/")


def admin_model_routes(version: tuple[int, int] | None) -> tuple[str, ...]:
    """ModelAdmin.get_urls()."""
    routes: tuple[str, ...] = ("", "add/")
    if version is not None and (2, 0) <= version < (3, 2):
        routes += ("autocomplete/",)
    return (*routes, "{object_id}/history/", "{object_id}/delete/", "{object_id}/change/", "{object_id}/")


def admin_has_catch_all(version: tuple[int, int] | None) -> bool:
    return version is None or version >= (3, 2)  # AdminSite.final_catch_all_view, new in 3.2


# Models the contrib apps register on the default site: (app label, model, has UserAdmin's password page).
CONTRIB_ADMIN_MODELS: dict[str, list[tuple[str, str, bool]]] = {
    "django.contrib.auth": [("auth", "group", False), ("auth", "user", True)],
    "django.contrib.sites": [("sites", "site", False)],
    "django.contrib.redirects": [("redirects", "redirect", False)],
    "django.contrib.flatpages": [("flatpages", "flatpage", False)],
}
# The same for libraries' apps, used only when the app's source is not in the project's environment.
# (As their current releases register them; the environment's source, when present, wins.)
LIBRARY_ADMIN_MODELS: dict[str, list[tuple[str, str, bool]]] = {
    "rest_framework.authtoken": [("authtoken", "tokenproxy", False)],
    "django_celery_beat": [("django_celery_beat", m, False) for m in (
        "intervalschedule", "solarschedule", "crontabschedule", "clockedschedule", "periodictask")],
    "django_celery_results": [("django_celery_results", m, False) for m in ("taskresult", "groupresult")],
}

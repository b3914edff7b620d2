# ruff: noqa: E501
"""A Django + DRF project's history, built from patterns of public Django projects, and its scoring.

Each step is one commit. The truth at every commit is what Django's own URL resolver lists
(`introspect_endpoints` loads the project with the real Django and DRF); the static result is what
`endpoint_changes` reports for the commit. Patterns: settings split in a package and passed through a
helper (`INSTALLED_APPS = with_extra_apps(INSTALLED_APPS)`), a root URLconf ending in
`urlpatterns = UrlHelper.do_urls(urlpatterns)`, an app with a sub-package of models (admin_2fa), an
AppConfig label, a third-party app with its own admin installed in the project's virtualenv (read from
`.venv`, as django-celery-beat would be), a custom AdminSite with its own `get_urls`, a swapped user
model, DRF routers, viewsets with @action, APIViews and generic views, `@api_view`, a committed OpenAPI
document beside the code, and commits that change no endpoint at all.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

SETTINGS = '''
from .helpers import with_extra_apps

SECRET_KEY = "not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "rest_framework",
    "blog",
    "api",
]
MIDDLEWARE = []
ROOT_URLCONF = "config.urls"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
              "OPTIONS": {"context_processors": ["django.contrib.auth.context_processors.auth",
                                                 "django.contrib.messages.context_processors.messages"]}}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
'''

ROOT_URLS = '''
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("blog/", include("blog.urls")),
    path("api/", include("api.urls")),
]
'''

STATUS_VIEW = '''
from rest_framework.response import Response
from rest_framework.views import APIView


class StatusView(APIView):
    def get(self, request):
        return Response({"ok": True})
'''

ITEM_VIEWS = '''
from rest_framework import generics, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .models import Item


class ItemViewSet(viewsets.ModelViewSet):
    queryset = Item.objects.all()


class ItemDetail(generics.RetrieveUpdateDestroyAPIView):
    queryset = Item.objects.all()
'''

API_URLS = '''
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import views
from .status import StatusView

router = DefaultRouter()
router.register("items", views.ItemViewSet)
router.register("tags", views.ItemViewSet, basename="tag")

urlpatterns = [
    path("", include(router.urls)),
    path("status/", StatusView.as_view()),
    path("detail/<int:pk>/", views.ItemDetail.as_view()),
]
'''

BLOG_URLS = '''
from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.detail, name="detail"),
]
'''

BASE: dict[str, str] = {
    "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings')\n",
    "config/__init__.py": "",
    "config/settings/__init__.py": "from .base import *  # noqa\n",
    "config/settings/base.py": SETTINGS,
    "config/settings/helpers.py": "def with_extra_apps(apps):\n    return list(apps)\n",
    "config/wsgi.py": ("import os\nfrom django.core.wsgi import get_wsgi_application\n"
                       "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings')\n"
                       "application = get_wsgi_application()\n"),
    "config/urls.py": ROOT_URLS,
    "blog/__init__.py": "",
    "blog/apps.py": ("from django.apps import AppConfig\n\n\nclass BlogConfig(AppConfig):\n"
                     "    name = 'blog'\n    label = 'weblog'\n"),
    "blog/models.py": ("from django.db import models\n\n\nclass Post(models.Model):\n"
                       "    title = models.CharField(max_length=100)\n\n\n"
                       "class Comment(models.Model):\n    body = models.TextField()\n"),
    "blog/admin_2fa/__init__.py": "",
    "blog/admin_2fa/models.py": ("from django.db import models\n\n\nclass Device(models.Model):\n"
                                 "    name = models.CharField(max_length=50)\n"),
    "blog/admin.py": ("from django.contrib import admin\n\nfrom .admin_2fa.models import Device\nfrom .models import Post\n\n"
                      "admin.site.register(Post)\n\n\n@admin.register(Device)\nclass DeviceAdmin(admin.ModelAdmin):\n"
                      "    list_display = ['name']\n"),
    "blog/views.py": ("from django.http import HttpResponse\n\n\ndef index(request):\n    return HttpResponse('i')\n\n\n"
                      "def detail(request, slug):\n    return HttpResponse(slug)\n"),
    "blog/urls.py": BLOG_URLS,
    "api/__init__.py": "",
    "api/apps.py": "from django.apps import AppConfig\n\n\nclass ApiConfig(AppConfig):\n    name = 'api'\n",
    "api/models.py": "from django.db import models\n\n\nclass Item(models.Model):\n    name = models.CharField(max_length=50)\n",
    "api/views.py": ITEM_VIEWS,
    "api/status.py": STATUS_VIEW,
    "api/urls.py": API_URLS,
    "README.md": "# demo\n",
}

# A third-party app installed in the project's virtualenv (shaped like django-celery-beat).
ENV_APP: dict[str, str] = {
    "fakebeat/__init__.py": "",
    "fakebeat/apps.py": ("from django.apps import AppConfig\n\n\nclass BeatConfig(AppConfig):\n"
                         "    name = 'fakebeat'\n    label = 'beat'\n    default_auto_field = 'django.db.models.AutoField'\n"),
    "fakebeat/models.py": ("from django.db import models\n\n\nclass PeriodicTask(models.Model):\n"
                           "    name = models.CharField(max_length=50)\n\n\nclass IntervalSchedule(models.Model):\n"
                           "    every = models.IntegerField()\n"),
    "fakebeat/admin.py": ("from django.contrib import admin\n\nfrom .models import IntervalSchedule, PeriodicTask\n\n\n"
                          "@admin.register(PeriodicTask)\nclass PeriodicTaskAdmin(admin.ModelAdmin):\n    pass\n\n\n"
                          "admin.site.register(IntervalSchedule)\n"),
    "fakebeat/urlkit.py": ("from django.urls import path\n\n\ndef build(views):\n"
                           "    return [path('', views.index, name='index'), path('<slug:slug>/', views.detail)]\n"),
}

OPENAPI = '''openapi: 3.0.0
info: {title: demo, version: "1"}
paths:
  /api/items/: {get: {responses: {"200": {description: ok}}}}
  /api/legacy/: {get: {responses: {"200": {description: ok}}}}
'''


@dataclass
class Step:
    name: str
    writes: dict[str, str] = field(default_factory=dict)
    deletes: tuple[str, ...] = ()


def _settings_with(*apps: str, extra: str = "") -> str:
    listed = "".join(f'    "{a}",\n' for a in apps)
    return SETTINGS.replace('    "api",\n]\n', f'    "api",\n{listed}]\n') + extra


STEPS: list[Step] = [
    Step("base", BASE),
    Step("edit a view body (no change)", {"api/status.py": STATUS_VIEW.replace('{"ok": True}', '{"ok": 1}')}),
    Step("APIView gains POST", {"api/status.py": STATUS_VIEW + "\n    def post(self, request):\n"
                                "        return Response({})\n"}),
    Step("installed apps through a settings helper", {
        "config/settings/helpers.py": "def with_extra_apps(apps):\n    return list(apps) + ['shop']\n",
        "config/settings/base.py": SETTINGS + "INSTALLED_APPS = with_extra_apps(INSTALLED_APPS)\n",
        "shop/__init__.py": "",
        "shop/models.py": "from django.db import models\n\n\nclass Product(models.Model):\n    sku = models.CharField(max_length=9)\n",
        "shop/admin.py": "from django.contrib import admin\n\nfrom .models import Product\n\nadmin.site.register(Product)\n"}),
    Step("root URLconf through a class helper (no change)", {
        "config/urlhelper.py": ("from django.conf import settings\nfrom django.urls import path\n\n\n"
                                "def debug_view(request):\n    return None\n\n\nclass UrlHelper:\n    @classmethod\n"
                                "    def do_urls(cls, urlpatterns):\n        if settings.DEBUG:\n"
                                "            urlpatterns += [path('__debug__/', debug_view)]\n        return urlpatterns\n"),
        "config/urls.py": ROOT_URLS.replace("from django.urls import include, path\n",
                                            "from django.urls import include, path\n\nfrom .urlhelper import UrlHelper\n")
        + "urlpatterns = UrlHelper.do_urls(urlpatterns)\n"}),
    Step("comment in a URLconf (no change)", {"blog/urls.py": "# blog routes\n" + BLOG_URLS}),
    Step("viewset gains an @action", {"api/views.py": ITEM_VIEWS.replace(
        "class ItemViewSet(viewsets.ModelViewSet):\n    queryset = Item.objects.all()\n",
        "class ItemViewSet(viewsets.ModelViewSet):\n    queryset = Item.objects.all()\n\n"
        "    @action(detail=True, methods=['post'])\n    def archive(self, request, pk=None):\n"
        "        return Response({})\n")}),
    Step("register a model in the admin", {"blog/admin.py": BASE["blog/admin.py"] + "\nfrom .models import Comment\n"
                                           "admin.site.register(Comment)\n"}),
    Step("custom AdminSite with its own get_urls", {
        "config/admin_site.py": ("from django.contrib import admin\nfrom django.http import HttpResponse\n"
                                 "from django.urls import path\n\nfrom blog.models import Post\n\n\n"
                                 "def health(request):\n    return HttpResponse('ok')\n\n\n"
                                 "class OpsAdminSite(admin.AdminSite):\n    site_header = 'Ops'\n\n"
                                 "    def get_urls(self):\n        urls = super().get_urls()\n"
                                 "        return [path('ops-health/', self.admin_view(health))] + urls\n\n\n"
                                 "ops_site = OpsAdminSite(name='ops')\nops_site.register(Post)\n"),
        "config/urls.py": ROOT_URLS.replace("from django.urls import include, path\n",
                                            "from django.urls import include, path\n\nfrom .admin_site import ops_site\n"
                                            "from .urlhelper import UrlHelper\n").replace(
            '    path("admin/", admin.site.urls),\n', '    path("admin/", admin.site.urls),\n    path("ops/", ops_site.urls),\n')
        + "urlpatterns = UrlHelper.do_urls(urlpatterns)\n"}),
    Step("swap the user model", {
        "accounts/__init__.py": "",
        "accounts/models.py": "from django.contrib.auth.models import AbstractUser\n\n\nclass User(AbstractUser):\n    pass\n",
        "accounts/admin.py": ("from django.contrib import admin\nfrom django.contrib.auth.admin import UserAdmin\n\n"
                              "from .models import User\n\nadmin.site.register(User, UserAdmin)\n"),
        "config/settings/base.py": _settings_with("accounts", extra="AUTH_USER_MODEL = 'accounts.User'\n"
                                                  "INSTALLED_APPS = with_extra_apps(INSTALLED_APPS)\n")}),
    Step("commit a generated OpenAPI document (no change)", {"docs/scripts/openapi.yaml": OPENAPI}),
    Step("delete the OpenAPI document (no change)", deletes=("docs/scripts/openapi.yaml",)),
    Step("install a third-party app from the virtualenv", {
        "config/settings/base.py": _settings_with("accounts", "fakebeat", extra="AUTH_USER_MODEL = 'accounts.User'\n"
                                                  "INSTALLED_APPS = with_extra_apps(INSTALLED_APPS)\n")}),
    Step("APIView loses POST", {"api/status.py": STATUS_VIEW}),
    Step("ModelViewSet becomes read-only", {"api/views.py": ITEM_VIEWS.replace(
        "class ItemViewSet(viewsets.ModelViewSet):", "class ItemViewSet(viewsets.ReadOnlyModelViewSet):")}),
    Step("AppConfig label changes", {"blog/apps.py": BASE["blog/apps.py"].replace("'weblog'", "'journal'")}),
    Step("include moves to another prefix", {"config/urls.py": "" }),  # filled in below
    Step("rename a view function (no change)", {
        "blog/views.py": BASE["blog/views.py"].replace("def index(", "def home("),
        "blog/urls.py": BLOG_URLS.replace("views.index", "views.home")}),
    Step("http_method_names restricts a generic view", {"api/views.py": ITEM_VIEWS.replace(
        "class ItemViewSet(viewsets.ModelViewSet):", "class ItemViewSet(viewsets.ReadOnlyModelViewSet):").replace(
        "class ItemDetail(generics.RetrieveUpdateDestroyAPIView):\n    queryset = Item.objects.all()\n",
        "class ItemDetail(generics.RetrieveUpdateDestroyAPIView):\n    queryset = Item.objects.all()\n"
        "    http_method_names = ['get', 'patch', 'delete', 'options']\n")}),
    Step("an @api_view function", {
        "api/ping.py": ("from rest_framework.decorators import api_view\nfrom rest_framework.response import Response\n\n\n"
                        "@api_view(['GET', 'POST'])\ndef ping(request):\n    return Response({})\n"),
        "api/urls.py": API_URLS.replace("from .status import StatusView\n", "from .ping import ping\nfrom .status import StatusView\n")
        .replace('    path("status/", StatusView.as_view()),\n',
                 '    path("status/", StatusView.as_view()),\n    path("ping/", ping),\n')}),
    Step("URLconf built by a library function (no change)", {
        "blog/urls.py": "from fakebeat.urlkit import build\n\nfrom . import views\n\nurlpatterns = build(views)\n",
        "blog/views.py": BASE["blog/views.py"]}),
    Step("a router registration removed", {"api/urls.py": API_URLS.replace(
        'router.register("tags", views.ItemViewSet, basename="tag")\n', "").replace(
        "from .status import StatusView\n", "from .ping import ping\nfrom .status import StatusView\n").replace(
        '    path("status/", StatusView.as_view()),\n', '    path("status/", StatusView.as_view()),\n    path("ping/", ping),\n')}),
    Step("a TemplateView page", {"config/urls.py": ""}),  # filled in below
    Step("README edit (no change)", {"README.md": "# demo\n\nmore\n"}),
    Step("unregister a model", {"blog/admin.py": BASE["blog/admin.py"] + "\nfrom .models import Comment\n"
                                "admin.site.register(Comment)\nadmin.site.unregister(Post)\n"}),
]

_ROOT_WITH_OPS = STEPS[8].writes["config/urls.py"]
STEPS[16].writes["config/urls.py"] = _ROOT_WITH_OPS.replace('path("blog/", include', 'path("posts/", include')
STEPS[22].writes["config/urls.py"] = STEPS[16].writes["config/urls.py"].replace(
    "from django.urls import include, path\n",
    "from django.urls import include, path\nfrom django.views.generic import TemplateView\n").replace(
    '    path("api/", include("api.urls")),\n',
    '    path("api/", include("api.urls")),\n    path("about/", TemplateView.as_view(template_name="a.html")),\n')


def install_env_app(repo_dir: Path) -> Path:
    """Put the third-party app into the project's `.venv` (kept out of git), as pip would."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    site = repo_dir / ".venv" / "lib" / version / "site-packages"
    for rel, text in ENV_APP.items():
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    exclude = repo_dir / ".git" / "info" / "exclude"
    exclude.parent.mkdir(parents=True, exist_ok=True)
    exclude.write_text(".venv/\n")
    return site


@dataclass
class Scores:
    tp_added: int = 0
    fp_added: int = 0
    fn_added: int = 0
    tp_removed: int = 0
    fp_removed: int = 0
    fn_removed: int = 0
    no_change_commits: int = 0
    no_change_flagged: int = 0
    lines: list[str] = field(default_factory=list)

    @staticmethod
    def ratio(num: int, den: int) -> float:
        return num / den if den else 1.0

    @property
    def added_precision(self) -> float:
        return self.ratio(self.tp_added, self.tp_added + self.fp_added)

    @property
    def added_recall(self) -> float:
        return self.ratio(self.tp_added, self.tp_added + self.fn_added)

    @property
    def removed_precision(self) -> float:
        return self.ratio(self.tp_removed, self.tp_removed + self.fp_removed)

    @property
    def removed_recall(self) -> float:
        return self.ratio(self.tp_removed, self.tp_removed + self.fn_removed)

    @property
    def no_change_flagged_rate(self) -> float:
        return self.ratio(self.no_change_flagged, self.no_change_commits) if self.no_change_commits else 0.0

    def summary(self) -> str:
        return (f"added precision {self.added_precision:.3f} recall {self.added_recall:.3f}; "
                f"removed precision {self.removed_precision:.3f} recall {self.removed_recall:.3f}; "
                f"no-change commits reported as changing {self.no_change_flagged}/{self.no_change_commits}")


def _git(cwd: Path, *args: str) -> str:
    import subprocess

    proc = subprocess.run(["git", "-c", "user.name=corpus", "-c", "user.email=corpus@example.invalid", *args],
                          cwd=cwd, capture_output=True, text=True, check=True)
    return proc.stdout.strip()


def measure(work_dir: Path, *, timeout: float = 120) -> Scores:
    """Commit every step into a fresh repository under `work_dir` and score `endpoint_changes` per commit
    against the difference of what Django's resolver lists before and after it."""
    from mosaic_hooks.core import git as gitmod
    from mosaic_hooks.detect.endpoints import endpoint_changes, introspect_endpoints
    from mosaic_hooks.detect.snapshot import GitSnapshot

    repo_dir = work_dir / "django-history"
    repo_dir.mkdir(parents=True)
    _git(repo_dir, "init", "-q")
    install_env_app(repo_dir)
    repo = gitmod.find_repo(repo_dir)
    scores = Scores()
    previous: tuple[str, set[tuple[str, str]]] | None = None
    for step in STEPS:
        for rel, text in step.writes.items():
            path = repo_dir / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        for rel in step.deletes:
            (repo_dir / rel).unlink()
        _git(repo_dir, "add", "-A")
        _git(repo_dir, "commit", "-q", "--allow-empty", "-m", step.name)
        sha = _git(repo_dir, "rev-parse", "HEAD")
        truth = {e.key for e in introspect_endpoints(repo, sha, "config.wsgi:application", timeout=timeout)}
        if previous is not None:
            base_sha, base_truth = previous
            changed = gitmod.changed_paths(repo, base_sha, sha)
            found, _ = endpoint_changes(GitSnapshot(repo, base_sha), GitSnapshot(repo, sha), changed)
            added, removed = {e.key for e in found.added}, {e.key for e in found.removed}
            true_added, true_removed = truth - base_truth, base_truth - truth
            scores.tp_added += len(added & true_added)
            scores.fp_added += len(added - true_added)
            scores.fn_added += len(true_added - added)
            scores.tp_removed += len(removed & true_removed)
            scores.fp_removed += len(removed - true_removed)
            scores.fn_removed += len(true_removed - removed)
            if not true_added and not true_removed:
                scores.no_change_commits += 1
                scores.no_change_flagged += bool(added or removed)
            scores.lines.append(f"{step.name}: truth +{len(true_added)} -{len(true_removed)}, "
                                f"reported +{len(added)} -{len(removed)}")
            for key in sorted(added - true_added):
                scores.lines.append(f"    invented added:   {key}")
            for key in sorted(true_added - added):
                scores.lines.append(f"    missed added:     {key}")
            for key in sorted(removed - true_removed):
                scores.lines.append(f"    invented removed: {key}")
            for key in sorted(true_removed - removed):
                scores.lines.append(f"    missed removed:   {key}")
        previous = (sha, truth)
    return scores

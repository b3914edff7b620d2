# ruff: noqa: E501  (project sources written inline)
"""Django and DRF endpoints as Django itself sees them: helpers followed, installed apps' admin pages,
app labels, the methods views answer, and route tables that cannot be followed never read as empty."""

from __future__ import annotations

from pathlib import Path

from mosaic_hooks.detect.endpoints import endpoint_changes, extract_endpoints
from mosaic_hooks.detect.snapshot import DictSnapshot

MANAGE = "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings')\n"
MODEL_PAGES = ("", "add/", "{object_id}/history/", "{object_id}/delete/", "{object_id}/change/")


def keys(files: dict[str, str], site_packages: list[Path] | None = None) -> set[tuple[str, str]]:
    endpoints, _ = extract_endpoints(DictSnapshot(files), site_packages=site_packages or [])
    return {e.key for e in endpoints}


def admin_models(found: set[tuple[str, str]], prefix: str = "/admin/") -> set[str]:
    """"label/model" of every model with a changelist page under `prefix`."""
    return {path[len(prefix):-1] for method, path in found
            if path.startswith(prefix) and path.count("/") == prefix.count("/") + 2 and "{" not in path
            and not path.startswith(prefix + "password_change/")}


def changes(base: dict[str, str], head: dict[str, str]) -> tuple[set[tuple[str, str]], set[tuple[str, str]],
                                                                list[str]]:
    changed = sorted(p for p in set(base) | set(head) if base.get(p) != head.get(p))
    found, warnings = endpoint_changes(DictSnapshot(base), DictSnapshot(head), changed, site_packages=[])
    return {e.key for e in found.added}, {e.key for e in found.removed}, warnings


def project(settings: str, urls: str, **files: str) -> dict[str, str]:
    return {"manage.py": MANAGE, "proj/settings.py": "ROOT_URLCONF = 'proj.urls'\n" + settings,
            "proj/urls.py": urls, **{k.replace("__", "/") + ".py": v for k, v in files.items()}}


ADMIN_URLS = ("from django.contrib import admin\nfrom django.urls import path\n"
              "urlpatterns = [path('admin/', admin.site.urls)]\n")
SHOP_MODELS = "from django.db import models\nclass Product(models.Model):\n    pass\n"
SHOP_ADMIN = "from django.contrib import admin\nfrom .models import Product\nadmin.site.register(Product)\n"


# --------------------------------------------------------------------------- 1. helpers, unknown tables


def test_urlpatterns_returned_by_a_classmethod_helper_are_followed() -> None:
    files = project("DEBUG = True\n", (
        "from django.urls import path\nfrom proj.helper import Helper\n"
        "urlpatterns = [path('a/', v)]\nurlpatterns = Helper.do_urls(urlpatterns)\n"),
        proj__helper=("from django.conf import settings\nfrom django.urls import path\nclass Helper:\n"
                      "    @classmethod\n    def do_urls(cls, urlpatterns):\n        if settings.DEBUG:\n"
                      "            urlpatterns += [path('__debug__/', v)]\n        return urlpatterns\n"))
    assert keys(files) == {("ANY", "/a/"), ("ANY", "/__debug__/")}


def test_a_constant_false_debug_flag_skips_the_debug_routes() -> None:
    files = project("DEBUG = False\n", (
        "from django.conf import settings\nfrom django.urls import path\nurlpatterns = [path('a/', v)]\n"
        "if settings.DEBUG:\n    urlpatterns += [path('__debug__/', v)]\n"))
    assert keys(files) == {("ANY", "/a/")}


def test_installed_apps_passed_through_a_settings_helper_keep_their_admin_pages() -> None:
    files = project("from proj.apps_helper import with_extra\nINSTALLED_APPS = ['django.contrib.admin', 'shop']\n"
                    "INSTALLED_APPS = with_extra(INSTALLED_APPS)\n", ADMIN_URLS,
                    proj__apps_helper="def with_extra(apps):\n    return list(apps) + ['blog']\n",
                    shop__models=SHOP_MODELS, shop__admin=SHOP_ADMIN,
                    blog__models="from django.db import models\nclass Post(models.Model):\n    pass\n",
                    blog__admin="from django.contrib import admin\nfrom .models import Post\nadmin.site.register(Post)\n")
    assert admin_models(keys(files)) == {"shop/product", "blog/post"}


def test_a_urlconf_that_cannot_be_followed_is_named_and_its_routes_are_not_removed() -> None:
    base = project("", "from django.urls import include, path\n"
                       "urlpatterns = [path('ok/', v), path('blog/', include('blog.urls'))]\n",
                   blog__urls="from django.urls import path\nurlpatterns = [path('', v), path('<slug:s>/', v)]\n")
    head = dict(base)
    head["blog/urls.py"] = "from somelib import build\nfrom . import views\nurlpatterns = build(views)\n"
    added, removed, warnings = changes(base, head)
    assert (added, removed) == (set(), set())
    assert "blog/urls.py:3: urlpatterns could not be followed: endpoints of this module unknown" in warnings


def test_a_root_urlconf_that_cannot_be_followed_removes_nothing() -> None:
    base = project("", "from django.urls import path\nurlpatterns = [path('a/', v), path('b/', v)]\n")
    head = project("", "from django.urls import path\nfrom lib import wrap\n"
                       "urlpatterns = wrap([path('a/', v), path('b/', v)])\n")
    added, removed, warnings = changes(base, head)
    assert (added, removed) == (set(), set())
    assert any(w.startswith("proj/urls.py:3: ") and "endpoints of this module unknown" in w for w in warnings)


def test_only_routes_that_came_through_the_unfollowable_include_are_unknown() -> None:
    urls = ("from django.urls import include, path\nfrom rest_framework import routers, viewsets\nROUTER\n"
            "class V(viewsets.ReadOnlyModelViewSet):\n    pass\nrouter.register('items', V)\n"
            "urlpatterns = [path('', include(router.urls)), path('a/', v)MORE]\n")
    base = project("", urls.replace("ROUTER", "router = routers.SimpleRouter()").replace("MORE", ", path('b/', v)"))
    head = project("", urls.replace("ROUTER", "from nested import NestedRouter\nrouter = NestedRouter()")
                   .replace("MORE", ""))
    added, removed, warnings = changes(base, head)
    assert (added, removed) == (set(), {("ANY", "/b/")})  # the router's /items/ routes are unknown, not removed
    assert any(w.startswith("proj/urls.py:") and "endpoints of this module unknown" in w for w in warnings)


def test_a_library_urlconf_is_named_but_does_not_hide_the_projects_own_removals() -> None:
    urls = ("from django.urls import include, path\n"
            "urlpatterns = [path('', include('allauth.urls')), path('a/', v)MORE]\n")
    base = project("", urls.replace("MORE", ", path('b/', v)"))
    head = project("", urls.replace("MORE", ""))
    added, removed, warnings = changes(base, head)
    assert (added, removed) == (set(), {("ANY", "/b/")})
    assert warnings == ["proj/urls.py:2: URLconf allauth.urls is not in the repository: endpoints of this module "
                        "unknown (not listed)"]


def test_fastapi_router_the_analysis_cannot_see_is_unknown_not_removed() -> None:
    base = {"main.py": ("from fastapi import FastAPI, APIRouter\napp = FastAPI()\nr = APIRouter()\n"
                        "@r.get('/x')\ndef x(): ...\napp.include_router(r, prefix='/v1')\n")}
    head = {"main.py": ("from fastapi import FastAPI\nfrom lib import make_router\napp = FastAPI()\n"
                        "app.include_router(make_router(), prefix='/v1')\n")}
    _added, removed, warnings = changes(base, head)
    assert removed == set()
    assert any("include_router of a router static analysis cannot see" in w for w in warnings)


def test_an_unseen_router_without_a_prefix_of_its_own_does_not_hide_other_removals() -> None:
    app = ("from fastapi import FastAPI\nfrom lib import users_router\napp = FastAPI()\n"
           "app.include_router(users_router)\n@app.get('/a')\ndef a(): ...\nMORE")
    added, removed, _ = changes({"main.py": app.replace("MORE", "@app.get('/b')\ndef b(): ...\n")},
                                {"main.py": app.replace("MORE", "")})
    assert (added, removed) == (set(), {("GET", "/b")})


def test_flask_blueprint_the_analysis_cannot_see_is_unknown_under_its_url_prefix() -> None:
    base = {"app.py": ("from flask import Flask, Blueprint\napp = Flask(__name__)\nbp = Blueprint('bp', __name__)\n"
                       "@bp.route('/x')\ndef x(): ...\napp.register_blueprint(bp, url_prefix='/admin')\n")}
    head = {"app.py": ("from flask import Flask\nfrom lib import make_bp\napp = Flask(__name__)\n"
                       "app.register_blueprint(make_bp(), url_prefix='/admin')\n")}
    assert changes(base, head)[:2] == (set(), set())


# --------------------------------------------------------------------------- 2. the admin's pages


def test_third_party_app_admin_pages_are_read_from_the_project_environment(tmp_path: Path) -> None:
    site = tmp_path / "lib" / "python3.12" / "site-packages"
    app = site / "celery_beatish"
    app.mkdir(parents=True)
    (app / "__init__.py").write_text("raise RuntimeError('never imported')\n")
    (app / "apps.py").write_text("from django.apps import AppConfig\nclass BeatConfig(AppConfig):\n"
                                 "    name = 'celery_beatish'\n    label = 'beat'\n")
    (app / "models.py").write_text("from django.db import models\nclass PeriodicTask(models.Model):\n    pass\n"
                                   "class ClockedSchedule(models.Model):\n    pass\n")
    (app / "admin.py").write_text("from django.contrib import admin\nfrom .models import ClockedSchedule, PeriodicTask\n"
                                  "@admin.register(PeriodicTask)\nclass TaskAdmin(admin.ModelAdmin):\n    pass\n"
                                  "admin.site.register(ClockedSchedule)\n")
    files = project("INSTALLED_APPS = ['django.contrib.admin', 'celery_beatish']\n", ADMIN_URLS)
    assert admin_models(keys(files, [site])) == {"beat/periodictask", "beat/clockedschedule"}
    assert admin_models(keys(files, [])) == set()  # not installed where the analysis can read it


def test_a_swapped_user_model_replaces_the_auth_user_pages() -> None:
    files = project("INSTALLED_APPS = ['django.contrib.admin', 'django.contrib.auth', 'accounts']\n"
                    "AUTH_USER_MODEL = 'accounts.Member'\n", ADMIN_URLS,
                    accounts__models=("from django.contrib.auth.models import AbstractUser\n"
                                      "class Member(AbstractUser):\n    pass\n"),
                    accounts__admin=("from django.contrib import admin\nfrom django.contrib.auth import get_user_model\n"
                                     "from django.contrib.auth.admin import UserAdmin\n"
                                     "admin.site.register(get_user_model(), UserAdmin)\n"))
    found = keys(files)
    assert admin_models(found) == {"auth/group", "accounts/member"}
    assert ("ANY", "/admin/accounts/member/{id}/password/") in found


def test_a_custom_admin_site_serves_its_own_models_and_get_urls() -> None:
    files = project("INSTALLED_APPS = ['django.contrib.admin', 'shop']\n", (
        "from django.contrib import admin\nfrom django.urls import path\nfrom proj.sites import ops\n"
        "urlpatterns = [path('admin/', admin.site.urls), path('ops/', ops.urls)]\n"),
        proj__sites=("from django.contrib import admin\nfrom django.urls import path\nfrom shop.models import Product\n"
                     "class OpsSite(admin.AdminSite):\n    def get_urls(self):\n"
                     "        return [path('health/', self.admin_view(health))] + super().get_urls()\n"
                     "ops = OpsSite(name='ops')\nops.register(Product)\n"),
        shop__models=SHOP_MODELS)
    found = keys(files)
    assert admin_models(found, "/ops/") == {"shop/product"}
    assert admin_models(found) == set()
    assert ("ANY", "/ops/health/") in found and ("ANY", "/ops/login/") in found


def test_the_admin_layout_follows_the_pinned_django_version() -> None:
    files = project("INSTALLED_APPS = ['django.contrib.admin', 'shop']\n", ADMIN_URLS,
                    shop__models=SHOP_MODELS, shop__admin=SHOP_ADMIN)
    new = keys(files)
    files["requirements.txt"] = "Django==3.1.14\ndjangorestframework\n"
    old = keys(files)
    # Before 3.2: autocomplete is per model, not per site, and there is no final catch-all view.
    assert ("ANY", "/admin/shop/product/autocomplete/") in old - new
    assert {("ANY", "/admin/autocomplete/"), ("ANY", "/admin/{url}")} <= new - old


# --------------------------------------------------------------------------- 3. app labels


def test_app_label_comes_from_appconfig_and_sub_package_models_belong_to_their_app() -> None:
    files = project("INSTALLED_APPS = ['django.contrib.admin', 'pkg.blog_examples']\n", ADMIN_URLS,
                    pkg__blog_examples____init__="",
                    pkg__blog_examples__apps=("from django.apps import AppConfig\nclass BlogConfig(AppConfig):\n"
                                              "    name = 'pkg.blog_examples'\n    label = 'blogx'\n"),
                    pkg__blog_examples__admin_2fa__models=("from django.db import models\n"
                                                           "class Device(models.Model):\n    pass\n"),
                    pkg__blog_examples__admin=("from django.contrib import admin\nfrom .admin_2fa.models import Device\n"
                                               "admin.site.register(Device)\n"))
    assert admin_models(keys(files)) == {"blogx/device"}


# --------------------------------------------------------------------------- 4. methods


def test_views_answer_the_methods_they_define_within_http_method_names() -> None:
    files = {"urls.py": (
        "from django.urls import path\nfrom django.views.generic import TemplateView\n"
        "from rest_framework import generics\nfrom rest_framework.decorators import api_view\n"
        "from rest_framework.views import APIView\n"
        "class Status(APIView):\n    def get(self, r): ...\n    def post(self, r): ...\n"
        "class Items(generics.ListCreateAPIView):\n    pass\n"
        "class Detail(generics.RetrieveUpdateDestroyAPIView):\n    http_method_names = ['get', 'delete', 'options']\n"
        "@api_view(['GET', 'PUT'])\ndef ping(request): ...\n"
        "def plain(request): ...\n"
        "urlpatterns = [path('status/', Status.as_view()), path('items/', Items.as_view()),\n"
        "    path('items/<int:pk>/', Detail.as_view()), path('ping/', ping), path('plain/', plain),\n"
        "    path('about/', TemplateView.as_view(template_name='a.html'))]\n")}
    assert keys(files) == {("GET", "/status/"), ("POST", "/status/"), ("GET", "/items/"), ("POST", "/items/"),
                           ("GET", "/items/{pk}/"), ("DELETE", "/items/{pk}/"), ("GET", "/ping/"), ("PUT", "/ping/"),
                           ("ANY", "/plain/"), ("GET", "/about/")}


def test_a_method_added_or_removed_on_an_unchanged_path_is_a_change() -> None:
    view = ("from django.urls import path\nfrom rest_framework.views import APIView\n"
            "class Status(APIView):\n    def get(self, r): ...\nMORE\nurlpatterns = [path('status/', Status.as_view())]\n")
    base = {"urls.py": view.replace("MORE", "")}
    head = {"urls.py": view.replace("MORE", "    def delete(self, r): ...\n")}
    assert changes(base, head)[:2] == ({("DELETE", "/status/")}, set())
    assert changes(head, base)[:2] == (set(), {("DELETE", "/status/")})


# --------------------------------------------------------------------------- 5. documents beside code

OPENAPI = ("openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n"
           "  /old/: {get: {responses: {'200': {description: ok}}}}\n")


def test_an_openapi_document_beside_code_is_not_a_second_source() -> None:
    code = {"urls.py": "from django.urls import path\nurlpatterns = [path('live/', v)]\n"}
    with_doc = {**code, "docs/scripts/openapi.yaml": OPENAPI}
    endpoints, _ = extract_endpoints(DictSnapshot(with_doc), site_packages=[])
    assert [(e.key, e.source) for e in endpoints] == [(("ANY", "/live/"), "code")]
    assert changes(with_doc, code)[:2] == (set(), set())  # deleting the generated document removes nothing
    assert changes(code, with_doc)[:2] == (set(), set())


def test_an_openapi_document_is_the_source_when_no_code_defines_routes() -> None:
    endpoints, _ = extract_endpoints(DictSnapshot({"api/openapi.yaml": OPENAPI}), site_packages=[])
    assert [(e.key, e.source, e.file) for e in endpoints] == [(("GET", "/old/"), "openapi", "api/openapi.yaml")]


def test_the_openapi_documents_setting_decides_whether_a_document_beside_code_is_a_source() -> None:
    code = {"urls.py": "from django.urls import path\nurlpatterns = [path('live/', v)]\n"}
    with_doc = {**code, "docs/scripts/openapi.yaml": OPENAPI}

    def added(base: dict[str, str], head: dict[str, str], documents: str) -> list[tuple[tuple[str, str], str]]:
        changed = sorted(p for p in set(base) | set(head) if base.get(p) != head.get(p))
        found, _ = endpoint_changes(DictSnapshot(base), DictSnapshot(head), changed, site_packages=[],
                                    documents=documents)
        return [(e.key, e.source) for e in found.added]

    assert added(code, with_doc, "always") == [(("GET", "/old/"), "openapi")]
    assert added(code, with_doc, "auto") == added(code, with_doc, "never") == []
    assert added({}, {"api/openapi.yaml": OPENAPI}, "auto") == [(("GET", "/old/"), "openapi")]
    assert added({}, {"api/openapi.yaml": OPENAPI}, "never") == []


def test_well_known_third_party_apps_have_their_admin_pages_without_an_environment() -> None:
    files = project("INSTALLED_APPS = ['django.contrib.admin', 'django_celery_results', 'rest_framework.authtoken']\n",
                    ADMIN_URLS)
    assert admin_models(keys(files, [])) == {"django_celery_results/taskresult", "django_celery_results/groupresult",
                                             "authtoken/tokenproxy"}

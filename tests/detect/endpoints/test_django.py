"""Django URLconfs and DRF routers found statically."""

from __future__ import annotations

from mosaic_hooks.detect.endpoints import extract_endpoints
from mosaic_hooks.detect.endpoints.paths import regex_path
from mosaic_hooks.detect.snapshot import DictSnapshot

MANAGE = "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings')\n"


def keys(files: dict[str, str]) -> set[tuple[str, str]]:
    endpoints, _ = extract_endpoints(DictSnapshot(files))
    return {e.key for e in endpoints}


def test_root_urlconf_from_the_settings_named_in_manage_py() -> None:
    files = {
        "manage.py": MANAGE,
        "proj/settings/__init__.py": "from .base import *\n",
        "proj/settings/base.py": "ROOT_URLCONF = 'proj.routing'\n",
        "proj/routing.py": "from django.urls import path, include\nurlpatterns = [path('shop/', include('shop.urls'))]\n",  # noqa: E501
        "proj/urls.py": "from django.urls import path\nurlpatterns = [path('wrong/', lambda r: None)]\n",
        "shop/urls.py": "from django.urls import path\nfrom . import views\nurlpatterns = [path('', views.index), "
                        "path('<slug:slug>/', views.detail)]\n",
        "shop/views.py": "def index(r): ...\ndef detail(r, slug): ...\n",
    }
    assert keys(files) == {("ANY", "/shop/"), ("ANY", "/shop/{slug}/")}


def test_include_forms_and_urlpatterns_plus_equals() -> None:
    files = {
        "urls.py": (
            "from django.urls import path, re_path, include\nfrom blog import urls as blog_urls\n"
            "extra = [path('a/', v), path('b/', v)]\n"
            "urlpatterns = [\n"
            "    path('blog/', include(blog_urls)),\n"
            "    path('inline/', include(extra)),\n"
            "    path('ns/', include((extra, 'ns'), namespace='ns')),\n"
            "    re_path(r'^articles/(?P<year>[0-9]{4})/(?P<slug>[\\w-]+)/$', v),\n"
            "]\nurlpatterns += [path('late/', v)]\nurlpatterns.append(path('appended/', v))\n"),
        "blog/urls.py": "from django.urls import path\nurlpatterns = [path('<int:pk>/', v)]\n",
    }
    assert keys(files) == {("ANY", "/blog/{pk}/"), ("ANY", "/inline/a/"), ("ANY", "/inline/b/"), ("ANY", "/ns/a/"),
                           ("ANY", "/ns/b/"), ("ANY", "/articles/{year}/{slug}/"), ("ANY", "/late/"),
                           ("ANY", "/appended/")}


def test_drf_router_routes_and_methods_follow_the_viewset() -> None:
    files = {
        "manage.py": MANAGE,
        "proj/settings.py": "ROOT_URLCONF = 'proj.urls'\n",
        "proj/urls.py": (
            "from django.urls import include, path\nfrom rest_framework.routers import DefaultRouter\n"
            "from api.views import ItemViewSet, TagViewSet\nrouter = DefaultRouter()\n"
            "router.register(r'items', ItemViewSet)\nrouter.register('tags', TagViewSet, basename='tag')\n"
            "urlpatterns = [path('api/', include(router.urls))]\n"),
        "api/views.py": (
            "from rest_framework import viewsets\nfrom rest_framework.decorators import action\n"
            "class ItemViewSet(viewsets.ModelViewSet):\n"
            "    @action(detail=True, methods=['post'])\n    def publish(self, request, pk=None): ...\n"
            "    @action(detail=False, url_path='top-rated')\n    def top(self, request): ...\n"
            "class TagViewSet(viewsets.ReadOnlyModelViewSet):\n    lookup_field = 'slug'\n"),
    }
    routes = {
        ("GET", "/api/items/"), ("POST", "/api/items/"),
        ("GET", "/api/items/{pk}/"), ("PUT", "/api/items/{pk}/"), ("PATCH", "/api/items/{pk}/"),
        ("DELETE", "/api/items/{pk}/"),
        ("POST", "/api/items/{pk}/publish/"), ("GET", "/api/items/top-rated/"),
        ("GET", "/api/tags/"), ("GET", "/api/tags/{slug}/"),
    }
    # DefaultRouter adds its API root and a format-suffix variant of every route (`items.json`).
    variants = {(method, path.rstrip("/") + ".{format}") for method, path in routes}
    assert keys(files) == routes | variants | {("GET", "/api/"), ("GET", "/api/{format}")}


def test_drf_action_mapping_adds_a_method_and_an_action_applied_by_hand_is_a_route() -> None:
    files = {"urls.py": (
        "from rest_framework import routers, viewsets\nfrom rest_framework.decorators import action\n"
        "def export(self, request): ...\n"
        "class V(viewsets.GenericViewSet):\n"
        "    @action(detail=True, methods=['put'])\n    def publish(self, request, pk=None): ...\n"
        "    @publish.mapping.delete\n    def unpublish(self, request, pk=None): ...\n"
        "    export = action(detail=False)(export)\n"
        "router = routers.SimpleRouter()\nrouter.register('items', V)\nurlpatterns = router.urls\n")}
    assert keys(files) == {("PUT", "/items/{pk}/publish/"), ("DELETE", "/items/{pk}/publish/"),
                           ("GET", "/items/export/")}


def test_simple_router_added_with_plus_equals_and_mixins() -> None:
    files = {"urls.py": (
        "from rest_framework import routers, mixins, viewsets\n"
        "class V(mixins.CreateModelMixin, viewsets.GenericViewSet):\n    pass\n"
        "router = routers.SimpleRouter(trailing_slash=False)\nrouter.register('votes', V)\n"
        "urlpatterns = []\nurlpatterns += router.urls\n")}
    assert keys(files) == {("POST", "/votes")}


def test_admin_and_known_library_urlconfs() -> None:
    files = {"urls.py": (
        "from django.contrib import admin\nfrom django.urls import include, path\n"
        "urlpatterns = [path('admin/', admin.site.urls), path('api-auth/', include('rest_framework.urls'))]\n")}
    found = keys(files)
    # DRF's login page is Django's LoginView (a form view); Django 5's LogoutView answers POST only.
    assert {k for k in found if not k[1].startswith("/admin/")} == {
        ("GET", "/api-auth/login/"), ("POST", "/api-auth/login/"), ("PUT", "/api-auth/login/"),
        ("POST", "/api-auth/logout/")}
    assert {("ANY", "/admin/"), ("ANY", "/admin/login/")} <= found


def test_without_settings_the_top_most_urls_py_is_the_root() -> None:
    files = {
        "site/urls.py": "from django.urls import path, include\nurlpatterns = [path('a/', include('app.urls'))]\n",
        "site/app/urls.py": "from django.urls import path\nurlpatterns = [path('b/', v)]\n",
    }
    assert keys(files) == {("ANY", "/a/b/")}


def test_regex_paths_are_written_with_named_parameters() -> None:
    assert regex_path(r"^articles/(?P<year>[0-9]{4})/$") == "articles/{year}/"
    assert regex_path(r"^page/(\d+)/(\w+)/?$") == "page/{arg1}/{arg2}"  # optional parts left out
    assert regex_path(r"^files/(?P<name>[^/]+)\.json$") == "files/{name}.json"
    assert regex_path(r"^(?:v1/)?things/$") == "things/"
    assert regex_path(r"^$") == ""


def test_i18n_patterns_are_under_the_language_code_from_settings() -> None:
    files = {
        "manage.py": MANAGE,
        "proj/settings.py": "ROOT_URLCONF = 'proj.urls'\nLANGUAGE_CODE = 'fr'\n",
        "proj/urls.py": (
            "from django.conf.urls.i18n import i18n_patterns\nfrom django.urls import path\n"
            "urlpatterns = [path('healthz', v)]\nurlpatterns += i18n_patterns(path('about/', v))\n"
            "urlpatterns += i18n_patterns(path('plain/', v), prefix_default_language=False)\n"),
    }
    assert keys(files) == {("ANY", "/healthz"), ("ANY", "/fr/about/"), ("ANY", "/plain/")}


def test_admin_included_the_old_way() -> None:
    files = {"urls.py": "from django.conf.urls import include, url\nfrom django.contrib import admin\n"
                        "urlpatterns = [url(r'^admin/', include(admin.site.urls))]\n"}
    assert ("ANY", "/admin/") in keys(files)


def test_admin_pages_follow_the_registered_models() -> None:
    files = {
        "manage.py": MANAGE,
        "proj/settings.py": "ROOT_URLCONF = 'proj.urls'\nINSTALLED_APPS = ['django.contrib.admin', 'shop']\n",
        "proj/urls.py": "from django.contrib import admin\nfrom django.urls import path\n"
                        "urlpatterns = [path('backoffice/', admin.site.urls)]\n",
        "shop/models.py": "from django.db import models\nclass Product(models.Model):\n    pass\n",
        "shop/admin.py": ("from django.contrib import admin\nfrom .models import Product\n"
                          "admin.site.register(Product)\n"),
    }
    product = {("ANY", f"/backoffice/shop/product/{route}") for route in (
        "", "add/", "{object_id}/history/", "{object_id}/delete/", "{object_id}/change/")}
    # "<object_id>/" is a RedirectView to the change page: it answers the methods RedirectView defines.
    product |= {(m, "/backoffice/shop/product/{object_id}/") for m in ("GET", "HEAD", "POST", "PUT", "PATCH",
                                                                       "DELETE")}
    site = {("ANY", f"/backoffice/{route}") for route in (
        "", "login/", "logout/", "password_change/", "password_change/done/", "autocomplete/", "jsi18n/",
        "r/{content_type_id}/{object_id}/", "{app_label}/", "{url}")}
    assert keys(files) == product | site

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
    assert keys(files) == {
        ("GET", "/api/"),
        ("GET", "/api/items/"), ("POST", "/api/items/"),
        ("GET", "/api/items/{pk}/"), ("PUT", "/api/items/{pk}/"), ("PATCH", "/api/items/{pk}/"),
        ("DELETE", "/api/items/{pk}/"),
        ("POST", "/api/items/{pk}/publish/"), ("GET", "/api/items/top-rated/"),
        ("GET", "/api/tags/"), ("GET", "/api/tags/{slug}/"),
    }


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
    assert keys(files) == {("ANY", "/admin/"), ("ANY", "/api-auth/login/"), ("ANY", "/api-auth/logout/")}


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

"""Realistic multi-file projects, modelled on public ones, that import and run with the real frameworks.

Each project's ground truth is what the framework itself reports once the app is loaded (see
test_accuracy.py), never a list written by hand.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Project:
    files: dict[str, str]
    target: str  # MODULE:APP for introspection


# full-stack-fastapi-template layout: backend/app, settings class, api_router built in app/api/main.py.
FASTAPI_FULLSTACK = Project(target="app.main:app", files={
    "backend/app/__init__.py": "",
    "backend/app/core/__init__.py": "",
    "backend/app/core/config.py": '''
from pydantic import BaseModel


class Settings(BaseModel):
    API_V1_STR: str = "/api/v1"
    PROJECT_NAME: str = "Full Stack FastAPI Project"
    ENVIRONMENT: str = "local"


settings = Settings()
''',
    "backend/app/main.py": '''
from fastapi import FastAPI
from fastapi.routing import APIRoute

from app.api.main import api_router
from app.core.config import settings


def custom_generate_unique_id(route: APIRoute) -> str:
    return f"{route.tags[0]}-{route.name}"


app = FastAPI(
    title=settings.PROJECT_NAME,
    openapi_url=f"{settings.API_V1_STR}/openapi.json",
    generate_unique_id_function=custom_generate_unique_id,
)

app.include_router(api_router, prefix=settings.API_V1_STR)
''',
    "backend/app/api/__init__.py": "",
    "backend/app/api/main.py": '''
from fastapi import APIRouter

from app.api.routes import items, login, private, users, utils
from app.core.config import settings

api_router = APIRouter()
api_router.include_router(login.router)
api_router.include_router(users.router)
api_router.include_router(utils.router)
api_router.include_router(items.router)


if settings.ENVIRONMENT == "local":
    api_router.include_router(private.router)
''',
    "backend/app/api/routes/__init__.py": "",
    "backend/app/api/routes/items.py": '''
import uuid
from typing import Any

from fastapi import APIRouter, HTTPException

router = APIRouter(prefix="/items", tags=["items"])


@router.get("/")
def read_items(skip: int = 0, limit: int = 100) -> Any:
    return []


@router.get("/{id}")
def read_item(id: uuid.UUID) -> Any:
    raise HTTPException(status_code=404, detail="Item not found")


@router.post("/")
def create_item() -> Any:
    return {}


@router.put("/{id}")
def update_item(id: uuid.UUID) -> Any:
    return {}


@router.delete("/{id}")
def delete_item(id: uuid.UUID) -> Any:
    return {"message": "Item deleted successfully"}
''',
    "backend/app/api/routes/login.py": '''
from fastapi import APIRouter

router = APIRouter(tags=["login"])


@router.post("/login/access-token")
def login_access_token() -> dict:
    return {}


@router.post("/login/test-token")
def test_token() -> dict:
    return {}


@router.post("/password-recovery/{email}")
def recover_password(email: str) -> dict:
    return {}


@router.post("/reset-password/")
def reset_password() -> dict:
    return {}
''',
    "backend/app/api/routes/users.py": '''
import uuid

from fastapi import APIRouter

router = APIRouter(prefix="/users", tags=["users"])


@router.get("/")
def read_users() -> list:
    return []


@router.post("/")
def create_user() -> dict:
    return {}


@router.patch("/me")
def update_user_me() -> dict:
    return {}


@router.get("/me")
def read_user_me() -> dict:
    return {}


@router.delete("/me")
def delete_user_me() -> dict:
    return {}


@router.post("/signup")
def register_user() -> dict:
    return {}


@router.get("/{user_id}")
def read_user_by_id(user_id: uuid.UUID) -> dict:
    return {}


@router.patch("/{user_id}")
def update_user(user_id: uuid.UUID) -> dict:
    return {}
''',
    "backend/app/api/routes/utils.py": '''
from fastapi import APIRouter

router = APIRouter(prefix="/utils", tags=["utils"])


@router.post("/test-email/", status_code=201)
def test_email() -> dict:
    return {}


@router.get("/health-check/")
async def health_check() -> bool:
    return True
''',
    "backend/app/api/routes/private.py": '''
from fastapi import APIRouter

router = APIRouter(tags=["private"], prefix="/private")


@router.post("/users/")
def create_user() -> dict:
    return {}
''',
    "backend/tests/test_main.py": '''
from fastapi import FastAPI
app = FastAPI()

@app.get("/only-in-tests")
def nope() -> None: ...
''',
})


# Everything else FastAPI/Starlette projects do: constants, f-strings, late prefixes, factories,
# add_api_route, mounts, loops, try blocks, relative and aliased imports.
FASTAPI_MISC = Project(target="service.main:app", files={
    "service/__init__.py": "",
    "service/constants.py": '''
API_PREFIX = "/api"
VERSION = "v2"
V2 = f"{API_PREFIX}/{VERSION}"
ADMIN = API_PREFIX + "/admin"
''',
    "service/controllers/__init__.py": "",
    "service/controllers/base.py": '''
from fastapi import APIRouter


def new_router(dependencies=None):
    router = APIRouter()
    router.tags = ["V1"]
    router.prefix = "/api/v1"
    return router
''',
    "service/controllers/video.py": '''
from fastapi import Request

from service.controllers import base

router = base.new_router()


@router.post("/videos", summary="Generate a short video")
def create_video(request: Request):
    return {}


@router.get("/tasks/{task_id}")
def get_task(task_id: str):
    return {}


@router.get("/stream/{file_path:path}")
async def stream_video(file_path: str):
    return {}
''',
    "service/routes/__init__.py": "",
    "service/routes/items.py": '''
from fastapi import APIRouter

from ..constants import V2

router = APIRouter(prefix=V2 + "/items")


@router.api_route("/search", methods=["GET", "POST"])
def search():
    return []


@router.api_route("/legacy")
def legacy():
    return []


def list_items():
    return []


router.add_api_route("/", list_items, methods=["GET"])
router.add_api_route("/count", list_items)
''',
    "service/routes/admin.py": '''
from fastapi import APIRouter, WebSocket

from service import constants

router = APIRouter()


@router.delete("/cache")
def clear_cache():
    return {}


@router.websocket("/live")
async def live(websocket: WebSocket):
    await websocket.accept()
''',
    "service/routes/health.py": '''
from fastapi import APIRouter

router = APIRouter()


@router.get("/healthz")
@router.head("/healthz")
def healthz():
    return {}
''',
    "service/routes/reports.py": '''
from fastapi import APIRouter

inner = APIRouter(prefix="/monthly")


@inner.get("/{year}/{month}")
def monthly(year: int, month: int):
    return {}


router = APIRouter(prefix="/reports")
router.include_router(inner)


@router.get("")
def index():
    return []
''',
    "service/sub.py": '''
from fastapi import FastAPI

subapi = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)


@subapi.get("/ping")
def ping():
    return "pong"
''',
    "service/main.py": '''
from fastapi import FastAPI
from starlette.responses import PlainTextResponse

import service.routes.items as items
from service.constants import ADMIN
from service.controllers import video
from service.routes import admin, health
from service.sub import subapi

from .routes import reports

app = FastAPI(docs_url="/documentation", redoc_url=None)

app.include_router(items.router)
app.include_router(admin.router, prefix=ADMIN)
for module in [health, reports]:
    app.include_router(module.router)
app.include_router(video.router)

try:
    from service.routes import optional_feature
    app.include_router(optional_feature.router, prefix="/optional")
except ImportError:
    optional_feature = None

app.mount("/sub", subapi)


async def homepage(request):
    return PlainTextResponse("hi")


app.add_route("/", homepage)


@app.get("/version")
def version():
    return {"version": 2}
''',
    "service/routes/optional_feature.py": '''
from fastapi import APIRouter

router = APIRouter()


@router.put("/toggle/{name}")
def toggle(name: str):
    return {}
''',
})


STARLETTE_APP = Project(target="app:app", files={
    "app.py": '''
from starlette.applications import Starlette
from starlette.endpoints import HTTPEndpoint
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Mount, Route, Router, WebSocketRoute


async def homepage(request):
    return PlainTextResponse("Homepage")


async def user_me(request):
    return JSONResponse({})


async def user(request):
    return JSONResponse({})


async def create_user(request):
    return JSONResponse({})


class ItemEndpoint(HTTPEndpoint):
    async def get(self, request):
        return JSONResponse({})

    async def put(self, request):
        return JSONResponse({})


async def websocket_endpoint(websocket):
    await websocket.accept()


users = Router(routes=[
    Route("/", create_user, methods=["POST"]),
    Route("/me", user_me),
    Route("/{username:str}", user),
])

routes = [
    Route("/", homepage),
    Mount("/users/", app=users),
    Mount("/v1", routes=[
        Route("/items/{item_id:int}", ItemEndpoint),
    ]),
    WebSocketRoute("/ws", websocket_endpoint),
]

app = Starlette(debug=True, routes=routes)
''',
})


# The Flask tutorial (flaskr): application factory, blueprints, add_url_rule without a view.
FLASKR = Project(target="flaskr:create_app()", files={
    "flaskr/__init__.py": '''
import os

from flask import Flask


def create_app(test_config=None):
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(SECRET_KEY="dev")

    @app.route("/hello")
    def hello():
        return "Hello, World!"

    from . import db

    db.init_app(app)

    from . import auth, blog

    app.register_blueprint(auth.bp)
    app.register_blueprint(blog.bp)

    app.add_url_rule("/", endpoint="index")

    return app
''',
    "flaskr/db.py": '''
def init_app(app):
    app.teardown_appcontext(lambda exc: None)
''',
    "flaskr/auth.py": '''
import functools

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")


def login_required(view):
    @functools.wraps(view)
    def wrapped_view(**kwargs):
        return view(**kwargs)

    return wrapped_view


@bp.route("/register", methods=("GET", "POST"))
def register():
    return ""


@bp.route("/login", methods=("GET", "POST"))
def login():
    return ""


@bp.route("/logout")
def logout():
    return ""
''',
    "flaskr/blog.py": '''
from flask import Blueprint

from flaskr.auth import login_required

bp = Blueprint("blog", __name__)


@bp.route("/")
def index():
    return ""


@bp.route("/create", methods=("GET", "POST"))
@login_required
def create():
    return ""


@bp.route("/<int:id>/update", methods=("GET", "POST"))
@login_required
def update(id):
    return ""


@bp.route("/<int:id>/delete", methods=("POST",))
@login_required
def delete(id):
    return ""
''',
    "flaskr/static/style.css": "body { color: black; }\n",
    "tests/conftest.py": '''
from flaskr import create_app
app = create_app({"TESTING": True})
''',
})


FLASK_MISC = Project(target="shop.app:app", files={
    "shop/__init__.py": "",
    "shop/app.py": '''
from flask import Flask

from shop.api import api_v1
from shop.views import ItemAPI, register_views

app = Flask(__name__, static_folder=None)
app.register_blueprint(api_v1, url_prefix="/api/v1")
app.add_url_rule("/items/", view_func=ItemAPI.as_view("items"))
register_views(app)


@app.get("/healthz")
def healthz():
    return "ok"


from shop import legacy  # noqa: E402
''',
    "shop/api/__init__.py": '''
from flask import Blueprint

from .orders import orders
from .users import users

api_v1 = Blueprint("api_v1", __name__, url_prefix="/ignored-because-overridden")
api_v1.register_blueprint(orders)
api_v1.register_blueprint(users, url_prefix="/people")


@api_v1.route("/status")
def status():
    return "ok"
''',
    "shop/api/orders.py": '''
from flask import Blueprint

orders = Blueprint("orders", __name__, url_prefix="/orders")


@orders.get("/")
def list_orders():
    return []


@orders.post("/")
def create_order():
    return {}


@orders.route("/<uuid:order_id>", methods=["GET", "PUT", "DELETE"])
def order(order_id):
    return {}
''',
    "shop/api/users.py": '''
from flask import Blueprint

users = Blueprint("users", __name__, url_prefix="/users")


@users.route("/<username>")
def profile(username):
    return {}
''',
    "shop/views.py": '''
from flask.views import MethodView, View


class ItemAPI(MethodView):
    def get(self):
        return []

    def post(self):
        return {}


class BaseDetail(MethodView):
    def get(self, item_id):
        return {}


class ItemDetail(BaseDetail):
    def patch(self, item_id):
        return {}


class Export(View):
    methods = ["POST"]

    def dispatch_request(self):
        return ""


def register_views(app):
    app.add_url_rule("/items/<int:item_id>", view_func=ItemDetail.as_view("item_detail"))
    app.add_url_rule("/export", "export", Export.as_view("export"))
''',
    "shop/legacy.py": '''
from shop.app import app


@app.route("/legacy/<path:rest>", methods=["GET", "POST"])
def legacy(rest):
    return ""
''',
})


_DJANGO_SETTINGS = '''
SECRET_KEY = "not-secret"
DEBUG = True
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "rest_framework",
    "polls",
    "api",
]
MIDDLEWARE = []
ROOT_URLCONF = "mysite.urls"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
              "OPTIONS": {"context_processors": ["django.contrib.auth.context_processors.auth",
                                                 "django.contrib.messages.context_processors.messages"]}}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
'''

# The Django tutorial (polls) plus a DRF API with routers, viewsets, mixins and @action.
DJANGO_POLLS = Project(target="mysite.wsgi:application", files={
    "manage.py": '''
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
''',
    "mysite/__init__.py": "",
    "mysite/settings.py": _DJANGO_SETTINGS,
    "mysite/wsgi.py": '''
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
application = get_wsgi_application()
''',
    "mysite/urls.py": '''
from django.contrib import admin
from django.urls import include, path, re_path

from polls import views as poll_views

urlpatterns = [
    path("polls/", include("polls.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    re_path(r"^archive/(?P<year>[0-9]{4})/$", poll_views.archive),
]
urlpatterns += [path("about/", poll_views.about, name="about")]
''',
    "polls/__init__.py": "",
    "polls/apps.py": '''
from django.apps import AppConfig


class PollsConfig(AppConfig):
    name = "polls"
''',
    "polls/models.py": '''
from django.db import models


class Question(models.Model):
    question_text = models.CharField(max_length=200)
    pub_date = models.DateTimeField("date published")
''',
    "polls/views.py": '''
from django.http import HttpResponse
from django.views import generic


def index(request):
    return HttpResponse("index")


def detail(request, question_id):
    return HttpResponse("detail")


def vote(request, question_id):
    return HttpResponse("vote")


def archive(request, year):
    return HttpResponse("archive")


def about(request):
    return HttpResponse("about")


class ResultsView(generic.TemplateView):
    template_name = "polls/results.html"
''',
    "polls/urls.py": '''
from django.urls import path

from . import views

app_name = "polls"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:question_id>/", views.detail, name="detail"),
    path("<int:pk>/results/", views.ResultsView.as_view(), name="results"),
    path("<int:question_id>/vote/", views.vote, name="vote"),
]
''',
    "api/__init__.py": "",
    "api/apps.py": '''
from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
''',
    "api/serializers.py": '''
from rest_framework import serializers

from polls.models import Question


class QuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Question
        fields = ["id", "question_text", "pub_date"]
''',
    "api/views.py": '''
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from polls.models import Question

from .serializers import QuestionSerializer


class QuestionViewSet(viewsets.ModelViewSet):
    queryset = Question.objects.all()
    serializer_class = QuestionSerializer

    @action(detail=True, methods=["post"], url_path="reset-votes")
    def reset(self, request, pk=None):
        return Response({})

    @action(detail=False)
    def recent(self, request):
        return Response([])


class PublicQuestionViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Question.objects.all()
    serializer_class = QuestionSerializer
    lookup_field = "question_text"


class VoteViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Question.objects.all()
    serializer_class = QuestionSerializer


class StatsViewSet(viewsets.ViewSet):
    def list(self, request):
        return Response([])

    def retrieve(self, request, pk=None):
        return Response({})


class ReadWriteViewSet(viewsets.ModelViewSet):
    queryset = Question.objects.all()
    serializer_class = QuestionSerializer
    http_method_names = ["get", "post", "head", "options"]
''',
    "api/urls.py": '''
from django.urls import include, path
from rest_framework import routers

from . import views

router = routers.DefaultRouter()
router.register(r"questions", views.QuestionViewSet)
router.register(r"public-questions", views.PublicQuestionViewSet, basename="public")
router.register(r"votes", views.VoteViewSet, basename="vote")
router.register(r"stats", views.StatsViewSet, basename="stats")

simple = routers.SimpleRouter(trailing_slash=False)
simple.register("rw", views.ReadWriteViewSet, basename="rw")

urlpatterns = [
    path("", include(router.urls)),
    path("v2/", include((simple.urls, "v2"))),
    path("auth/", include("rest_framework.urls")),
]
''',
})


# cookiecutter-django layout: split settings (local imports base with a star), ADMIN_URL from settings,
# an api_router module used as a URLconf, DEBUG-only error pages, a users app with class-based views.
COOKIECUTTER_DJANGO = Project(target="config.wsgi:application", files={
    "manage.py": (
        "import os\nimport sys\n\nif __name__ == '__main__':\n"
        "    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings.local')\n"
        "    from django.core.management import execute_from_command_line\n"
        "    execute_from_command_line(sys.argv)\n"),
    "config/__init__.py": "",
    "config/wsgi.py": (
        "import os\nfrom django.core.wsgi import get_wsgi_application\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings.local')\n"
        "application = get_wsgi_application()\n"),
    "config/settings/__init__.py": "",
    "config/settings/base.py": _DJANGO_SETTINGS.replace('ROOT_URLCONF = "mysite.urls"', 'ROOT_URLCONF = "config.urls"')
    .replace('"polls",\n    "api",', '"myproj.users",') + 'ADMIN_URL = "admin/"\n',
    "config/settings/local.py": "from .base import *  # noqa\nfrom .base import INSTALLED_APPS\n\nDEBUG = True\n",
    "config/api_router.py": '''
from django.conf import settings
from rest_framework.routers import DefaultRouter, SimpleRouter

from myproj.users.api.views import UserViewSet

router = DefaultRouter() if settings.DEBUG else SimpleRouter()

router.register("users", UserViewSet)


app_name = "api"
urlpatterns = router.urls
''',
    "config/urls.py": '''
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views import defaults as default_views
from django.views.generic import TemplateView

urlpatterns = [
    path("", TemplateView.as_view(template_name="pages/home.html"), name="home"),
    path("about/", TemplateView.as_view(template_name="pages/about.html"), name="about"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("users/", include("myproj.users.urls", namespace="users")),
]
urlpatterns += [
    path("api/", include("config.api_router")),
]

if settings.DEBUG:
    urlpatterns += [
        path("400/", default_views.bad_request, kwargs={"exception": Exception("Bad Request!")}),
        path("403/", default_views.permission_denied, kwargs={"exception": Exception("Permission Denied")}),
        path("404/", default_views.page_not_found, kwargs={"exception": Exception("Page not Found")}),
        path("500/", default_views.server_error),
    ]
''',
    "myproj/__init__.py": "",
    "myproj/users/__init__.py": "",
    "myproj/users/apps.py": (
        "from django.apps import AppConfig\n\n\nclass UsersConfig(AppConfig):\n"
        "    name = 'myproj.users'\n    label = 'users'\n"),
    "myproj/users/models.py": (
        "from django.db import models\n\n\nclass Member(models.Model):\n"
        "    username = models.CharField(max_length=50, unique=True)\n"),
    "myproj/users/views.py": '''
from django.views.generic import DetailView, RedirectView, UpdateView

from .models import Member


class UserDetailView(DetailView):
    model = Member
    slug_field = "username"
    slug_url_kwarg = "username"


user_detail_view = UserDetailView.as_view()


class UserUpdateView(UpdateView):
    model = Member
    fields = ["username"]


user_update_view = UserUpdateView.as_view()


class UserRedirectView(RedirectView):
    permanent = False


user_redirect_view = UserRedirectView.as_view()
''',
    "myproj/users/urls.py": '''
from django.urls import path

from .views import user_detail_view, user_redirect_view, user_update_view

app_name = "users"
urlpatterns = [
    path("~redirect/", view=user_redirect_view, name="redirect"),
    path("~update/", view=user_update_view, name="update"),
    path("<str:username>/", view=user_detail_view, name="detail"),
]
''',
    "myproj/users/api/__init__.py": "",
    "myproj/users/api/serializers.py": '''
from rest_framework import serializers

from myproj.users.models import Member


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = Member
        fields = ["username"]
''',
    "myproj/users/api/views.py": '''
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.mixins import ListModelMixin, RetrieveModelMixin, UpdateModelMixin
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from myproj.users.models import Member

from .serializers import UserSerializer


class UserViewSet(RetrieveModelMixin, ListModelMixin, UpdateModelMixin, GenericViewSet):
    serializer_class = UserSerializer
    queryset = Member.objects.all()
    lookup_field = "username"

    @action(detail=False)
    def me(self, request):
        return Response(status=status.HTTP_200_OK, data={})
''',
})


# microblog (Flask mega-tutorial) layout: blueprints whose routes module is imported at the bottom of the
# package __init__, stacked route decorators, url_prefix given at registration, an API blueprint.
MICROBLOG = Project(target="microblog:app", files={
    "microblog.py": "from app import create_app\n\napp = create_app()\n",
    "config.py": "class Config:\n    SECRET_KEY = 'dev'\n",
    "app/__init__.py": '''
from flask import Flask

from config import Config


def create_app(config_class=Config):
    app = Flask(__name__)
    app.config.from_object(config_class)

    from app.errors import bp as errors_bp
    app.register_blueprint(errors_bp)

    from app.auth import bp as auth_bp
    app.register_blueprint(auth_bp, url_prefix="/auth")

    from app.main import bp as main_bp
    app.register_blueprint(main_bp)

    from app.api import bp as api_bp
    app.register_blueprint(api_bp, url_prefix="/api")

    return app
''',
    "app/errors/__init__.py": "from flask import Blueprint\n\nbp = Blueprint('errors', __name__)\n\n"
                              "from app.errors import handlers  # noqa: E402,F401\n",
    "app/errors/handlers.py": "from app.errors import bp\n\n\n@bp.app_errorhandler(404)\n"
                              "def not_found_error(error):\n    return 'not found', 404\n",
    "app/auth/__init__.py": "from flask import Blueprint\n\nbp = Blueprint('auth', __name__)\n\n"
                            "from app.auth import routes  # noqa: E402,F401\n",
    "app/auth/routes.py": '''
from app.auth import bp


@bp.route("/login", methods=["GET", "POST"])
def login():
    return ""


@bp.route("/logout")
def logout():
    return ""


@bp.route("/reset_password/<token>", methods=["GET", "POST"])
def reset_password(token):
    return ""
''',
    "app/main/__init__.py": "from flask import Blueprint\n\nbp = Blueprint('main', __name__)\n\n"
                            "from app.main import routes  # noqa: E402,F401\n",
    "app/main/routes.py": '''
import functools

from app.main import bp


def login_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        return view(*args, **kwargs)
    return wrapped


@bp.before_app_request
def before_request():
    pass


@bp.route("/", methods=["GET", "POST"])
@bp.route("/index", methods=["GET", "POST"])
@login_required
def index():
    return ""


@bp.route("/user/<username>")
@login_required
def user(username):
    return ""


@bp.route("/follow/<username>", methods=["POST"])
@login_required
def follow(username):
    return ""
''',
    "app/api/__init__.py": "from flask import Blueprint\n\nbp = Blueprint('api', __name__)\n\n"
                           "from app.api import tokens, users  # noqa: E402,F401\n",
    "app/api/tokens.py": "from app.api import bp\n\n\n@bp.route('/tokens', methods=['POST'])\n"
                         "def get_token():\n    return {}\n\n\n@bp.route('/tokens', methods=['DELETE'])\n"
                         "def revoke_token():\n    return '', 204\n",
    "app/api/users.py": '''
from app.api import bp


@bp.route("/users/<int:id>", methods=["GET"])
def get_user(id):
    return {}


@bp.route("/users", methods=["GET"])
def get_users():
    return {}


@bp.route("/users/<int:id>", methods=["PUT"])
def update_user(id):
    return {}
''',
})


# Dispatch-style (Netflix Dispatch): the API is a second FastAPI app mounted under /api/v1 of a root app
# whose docs are disabled with empty strings; feature routers live in src/<pkg>/<feature>/views.py.
DISPATCH_STYLE = Project(target="dispatch.main:app", files={
    "src/dispatch/__init__.py": "",
    "src/dispatch/config.py": '''
import os

DISPATCH_UI_URL = os.environ.get("DISPATCH_UI_URL", "http://localhost:8080")
API_PREFIX = os.getenv("API_PREFIX", default="/api/v1")
''',
    "src/dispatch/incident/__init__.py": "",
    "src/dispatch/incident/views.py": '''
from fastapi import APIRouter, status

router = APIRouter()


@router.get("", summary="Retrieve a list of incidents.")
def get_incidents(page: int = 1):
    return []


@router.get("/{incident_id}")
def get_incident(incident_id: int):
    return {}


@router.post("", status_code=status.HTTP_201_CREATED)
def create_incident():
    return {}


@router.put("/{incident_id}/join")
def join_incident(incident_id: int):
    return {}
''',
    "src/dispatch/auth/__init__.py": "",
    "src/dispatch/auth/views.py": '''
from fastapi import APIRouter

auth_router = APIRouter()
user_router = APIRouter()


@auth_router.post("/login")
def login_user():
    return {}


@user_router.get("/{user_id}")
def get_user(user_id: int):
    return {}
''',
    "src/dispatch/healthcheck.py": '''
from fastapi import APIRouter

router = APIRouter()


@router.get("")
def status():
    return {"status": "ok"}
''',
    "src/dispatch/api.py": '''
from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from dispatch.auth.views import auth_router, user_router
from dispatch.healthcheck import router as healthcheck_router
from dispatch.incident.views import router as incident_router


def get_current_user():
    return None


api_router = APIRouter(default_response_class=JSONResponse)
authenticated_api_router = APIRouter()

api_router.include_router(auth_router, prefix="/{organization}/auth", tags=["auth"])
api_router.include_router(healthcheck_router, prefix="/healthcheck", tags=["healthcheck"])

authenticated_api_router.include_router(user_router, prefix="/{organization}/users", tags=["users"])
authenticated_api_router.include_router(incident_router, prefix="/{organization}/incidents", tags=["incidents"])

api_router.include_router(authenticated_api_router, dependencies=[Depends(get_current_user)])
''',
    "src/dispatch/main.py": '''
from fastapi import FastAPI
from starlette.responses import PlainTextResponse

from .api import api_router
from .config import API_PREFIX

app = FastAPI(openapi_url="")

api = FastAPI(title="Dispatch", docs_url=None, openapi_url="/docs/openapi.json", redoc_url="/docs")
api.include_router(api_router)

app.mount(API_PREFIX, app=api)


@app.get("/robots.txt")
def robots():
    return PlainTextResponse("User-agent: *")
''',
})


# DRF-heavy API: versioned regex include, nested router prefix with a regex group, APIView classes,
# format_suffix_patterns, a URLconf included through a module object.
DRF_API = Project(target="shopapi.wsgi:application", files={
    "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shopapi.settings')\n",
    "shopapi/__init__.py": "",
    "shopapi/settings.py": _DJANGO_SETTINGS.replace('ROOT_URLCONF = "mysite.urls"', 'ROOT_URLCONF = "shopapi.urls"')
    .replace('"polls",\n    "api",', '"catalog",'),
    "shopapi/wsgi.py": (
        "import os\nfrom django.core.wsgi import get_wsgi_application\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shopapi.settings')\n"
        "application = get_wsgi_application()\n"),
    "shopapi/urls.py": '''
from django.urls import include, re_path

import catalog.urls

urlpatterns = [
    re_path(r"^api/(?P<version>(v1|v2))/", include(catalog.urls)),
    re_path(r"^health/?$", __import__("catalog.views", fromlist=["x"]).health),
]
''',
    "catalog/__init__.py": "",
    "catalog/models.py": (
        "from django.db import models\n\n\nclass Product(models.Model):\n"
        "    sku = models.CharField(max_length=20)\n\n\nclass Review(models.Model):\n"
        "    text = models.TextField()\n"),
    "catalog/views.py": '''
from django.http import JsonResponse
from rest_framework import generics, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Product, Review


def health(request):
    return JsonResponse({"ok": True})


class ProductViewSet(viewsets.ModelViewSet):
    queryset = Product.objects.all()
    lookup_field = "sku"
    lookup_value_regex = "[A-Z0-9-]+"


class ReviewViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Review.objects.all()


class Stats(APIView):
    def get(self, request, version):
        return Response({})


class ProductSearch(generics.ListAPIView):
    queryset = Product.objects.all()
''',
    "catalog/urls.py": '''
from django.urls import path
from rest_framework.routers import DefaultRouter
from rest_framework.urlpatterns import format_suffix_patterns

from . import views

router = DefaultRouter()
router.register(r"products", views.ProductViewSet)
router.register(r"products/(?P<product_sku>[^/.]+)/reviews", views.ReviewViewSet, basename="product-reviews")

urlpatterns = [
    path("stats/", views.Stats.as_view()),
    path("search/", views.ProductSearch.as_view()),
]
urlpatterns = format_suffix_patterns(urlpatterns)
urlpatterns += router.urls
''',
})


# FastAPI with routers gathered in a dict and a list, settings behind an lru_cache getter, prefixes
# built from both, routes added on app.router, HEAD declared explicitly.
FASTAPI_REGISTRY = Project(target="api.main:app", files={
    "api/__init__.py": "",
    "api/settings.py": '''
from functools import lru_cache

from pydantic import BaseModel


class Settings(BaseModel):
    api_prefix: str = "/api"
    version: str = "v1"


@lru_cache
def get_settings() -> Settings:
    return Settings()
''',
    "api/routers/__init__.py": '''
from . import accounts, orders, payments

ROUTERS = {
    "accounts": accounts.router,
    "orders": orders.router,
}
PUBLIC = [payments.router]

__all__ = ["ROUTERS", "PUBLIC"]
''',
    "api/routers/accounts.py": '''
from fastapi import APIRouter

router = APIRouter()


@router.get("/")
async def list_accounts():
    return []


@router.api_route("/{account_id}", methods=["GET", "HEAD"])
async def account(account_id: str):
    return {}
''',
    "api/routers/orders.py": '''
from fastapi import APIRouter

router = APIRouter(tags=["orders"])


@router.post("/")
async def place_order():
    return {}


@router.patch("/{order_id}/cancel")
async def cancel(order_id: int):
    return {}
''',
    "api/routers/payments.py": '''
from fastapi import APIRouter

from api.settings import get_settings

settings = get_settings()
router = APIRouter(prefix=f"{settings.api_prefix}/{settings.version}/payments")


@router.post("/webhook")
async def webhook():
    return {}
''',
    "api/main.py": '''
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.routers import PUBLIC, ROUTERS
from api.settings import get_settings


@asynccontextmanager
async def lifespan(app: FastAPI):
    yield


app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None)

for name, router in ROUTERS.items():
    app.include_router(router, prefix=f"{get_settings().api_prefix}/{name}")

for router in PUBLIC:
    app.include_router(router)


async def liveness():
    return {"ok": True}


app.router.add_api_route("/livez", liveness, methods=["GET"])
''',
})


# Flask with blueprints registered in a loop, a prefix from a constant f-string, add_url_rule on a
# blueprint with a MethodView, a redirect rule, and a custom converter.
FLASK_LOOP = Project(target="site_app:create_app()", files={
    "site_app/__init__.py": '''
from flask import Flask
from werkzeug.routing import BaseConverter

from .api import api
from .views import pages, admin

API_VERSION = "2"


class RegexConverter(BaseConverter):
    def __init__(self, url_map, *items):
        super().__init__(url_map)
        self.regex = items[0]


def create_app():
    app = Flask(__name__, static_url_path="/assets")
    app.url_map.converters["regex"] = RegexConverter
    for blueprint in (pages, admin):
        app.register_blueprint(blueprint)
    app.register_blueprint(api, url_prefix=f"/api/v{API_VERSION}")
    app.add_url_rule("/favicon.ico", "favicon", redirect_to="/assets/favicon.ico")
    return app
''',
    "site_app/views.py": '''
from flask import Blueprint

pages = Blueprint("pages", __name__)
admin = Blueprint("admin", __name__, url_prefix="/admin")


@pages.route("/")
def home():
    return ""


@pages.route("/p/<regex(\'[a-z-]+\'):slug>", strict_slashes=False)
def page(slug):
    return ""


@admin.route("/", methods=["GET", "POST"])
def dashboard():
    return ""
''',
    "site_app/api.py": '''
from flask import Blueprint
from flask.views import MethodView

api = Blueprint("api", __name__)


class Things(MethodView):
    init_every_request = False

    def get(self):
        return []

    def post(self):
        return {}


class Thing(MethodView):
    def get(self, thing_id):
        return {}

    def put(self, thing_id):
        return {}

    def delete(self, thing_id):
        return "", 204


api.add_url_rule("/things", view_func=Things.as_view("things"))
api.add_url_rule("/things/<int:thing_id>", view_func=Thing.as_view("thing"))
''',
})

PROJECTS: dict[str, Project] = {
    "fastapi_fullstack": FASTAPI_FULLSTACK,
    "fastapi_misc": FASTAPI_MISC,
    "starlette_app": STARLETTE_APP,
    "flaskr": FLASKR,
    "flask_misc": FLASK_MISC,
    "django_polls": DJANGO_POLLS,
    "cookiecutter_django": COOKIECUTTER_DJANGO,
    "microblog": MICROBLOG,
    "dispatch_style": DISPATCH_STYLE,
    "drf_api": DRF_API,
    "fastapi_registry": FASTAPI_REGISTRY,
    "flask_loop": FLASK_LOOP,
}

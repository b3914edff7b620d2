"""Flask routes found statically: blueprints, prefixes, nested blueprints, class-based views."""

from __future__ import annotations

from mosaic_hooks.detect.endpoints import extract_endpoints
from mosaic_hooks.detect.snapshot import DictSnapshot


def keys(files: dict[str, str]) -> set[tuple[str, str]]:
    endpoints, _ = extract_endpoints(DictSnapshot(files))
    return {e.key for e in endpoints}


def routes(files: dict[str, str]) -> set[tuple[str, str]]:
    """The endpoints without the static route every Flask app has."""
    return keys(files) - {("GET", "/static/{filename}")}


def test_route_defaults_to_get_and_lists_declared_methods() -> None:
    files = {"app.py": (
        "from flask import Flask\napp = Flask(__name__)\n@app.route('/')\ndef i(): ...\n"
        "@app.route('/form', methods=['GET', 'POST'])\ndef f(): ...\n@app.post('/p')\ndef p(): ...\n"
        "@app.route('/u/<int:user_id>/<path:rest>')\ndef u(user_id, rest): ...\n")}
    assert routes(files) == {("GET", "/"), ("GET", "/form"), ("POST", "/form"), ("POST", "/p"),
                           ("GET", "/u/{user_id}/{rest}")}


def test_register_blueprint_prefix_overrides_the_blueprint_prefix() -> None:
    files = {
        "app/bp.py": "from flask import Blueprint\nbp = Blueprint('bp', __name__, url_prefix='/old')\n"
                     "@bp.route('/x')\ndef x(): ...\n@bp.route('')\ndef root(): ...\n",
        "app/__init__.py": "from flask import Flask\nfrom app.bp import bp\napp = Flask(__name__)\n"
                           "app.register_blueprint(bp, url_prefix='/new/')\n",
    }
    assert routes(files) == {("GET", "/new/x"), ("GET", "/new/")}


def test_nested_blueprints_combine_prefixes() -> None:
    files = {"app.py": (
        "from flask import Flask, Blueprint\nparent = Blueprint('parent', __name__, url_prefix='/parent')\n"
        "child = Blueprint('child', __name__, url_prefix='/child')\nplain = Blueprint('plain', __name__)\n"
        "@child.get('/leaf')\ndef leaf(): ...\n@plain.get('/flat')\ndef flat(): ...\n"
        "parent.register_blueprint(child)\nparent.register_blueprint(plain)\n"
        "app = Flask(__name__)\napp.register_blueprint(parent)\n")}
    assert routes(files) == {("GET", "/parent/child/leaf"), ("GET", "/parent/flat")}


def test_add_url_rule_with_functions_and_method_views() -> None:
    files = {"app.py": (
        "from flask import Flask\nfrom flask.views import MethodView, View\napp = Flask(__name__)\n"
        "class Users(MethodView):\n    def get(self): ...\n    def post(self): ...\n"
        "class User(Users):\n    def delete(self, id): ...\n"
        "class Hook(View):\n    methods = ['POST']\n    def dispatch_request(self): ...\n"
        "def ping(): ...\n"
        "app.add_url_rule('/users', view_func=Users.as_view('users'))\n"
        "app.add_url_rule('/users/<id>', view_func=User.as_view('user'))\n"
        "app.add_url_rule('/hook', 'hook', Hook.as_view('hook'))\n"
        "app.add_url_rule('/ping', 'ping', ping, methods=['PUT'])\n")}
    assert routes(files) == {("GET", "/users"), ("POST", "/users"), ("GET", "/users/{id}"), ("POST", "/users/{id}"),
                           ("DELETE", "/users/{id}"), ("POST", "/hook"), ("PUT", "/ping")}


def test_application_factory_with_blueprints_imported_inside() -> None:
    files = {
        "web/__init__.py": (
            "from flask import Flask\n\ndef create_app(config=None):\n    app = Flask(__name__)\n"
            "    from . import auth\n    app.register_blueprint(auth.bp)\n"
            "    @app.route('/hello')\n    def hello(): ...\n    return app\n"),
        "web/auth.py": "from flask import Blueprint\nbp = Blueprint('auth', __name__, url_prefix='/auth')\n"
                       "@bp.route('/login', methods=('GET', 'POST'))\ndef login(): ...\n",
    }
    assert routes(files) == {("GET", "/hello"), ("GET", "/auth/login"), ("POST", "/auth/login")}


def test_static_route_follows_static_folder_and_static_url_path() -> None:
    # Flask adds the static route whether or not the folder exists; static_folder=None removes it.
    assert keys({"a.py": "from flask import Flask\napp = Flask(__name__)\n"}) == {("GET", "/static/{filename}")}
    assert keys({"a.py": "from flask import Flask\napp = Flask(__name__, static_folder=None)\n"}) == set()
    assert keys({"a.py": "from flask import Flask\napp = Flask(__name__, static_folder='assets')\n"}) == {
        ("GET", "/assets/{filename}")}
    assert keys({"a.py": "from flask import Flask\napp = Flask(__name__, static_url_path='/s')\n"}) == {
        ("GET", "/s/{filename}")}


def test_routes_registered_on_the_app_from_another_module() -> None:
    files = {
        "app/__init__.py": "from flask import Flask\napp = Flask(__name__)\nfrom app import routes\n",
        "app/routes.py": "from app import app\n@app.route('/index')\ndef index(): ...\n",
    }
    assert routes(files) == {("GET", "/index")}


def test_flask_restful_resources_under_an_api_prefix_and_a_blueprint() -> None:
    files = {"app.py": (
        "from flask import Flask, Blueprint\nfrom flask_restful import Api, Resource\n"
        "class Todo(Resource):\n    def get(self, todo_id): ...\n    def delete(self, todo_id): ...\n"
        "class TodoList(Resource):\n    def get(self): ...\n    def post(self): ...\n"
        "app = Flask(__name__, static_folder=None)\nbp = Blueprint('api', __name__, url_prefix='/bp')\n"
        "api = Api(bp, prefix='/v1')\napi.add_resource(TodoList, '/todos')\n"
        "api.add_resource(Todo, '/todos/<todo_id>', '/items/<todo_id>')\napp.register_blueprint(bp)\n")}
    assert keys(files) == {("GET", "/bp/v1/todos"), ("POST", "/bp/v1/todos"), ("GET", "/bp/v1/todos/{todo_id}"),
                           ("DELETE", "/bp/v1/todos/{todo_id}"), ("GET", "/bp/v1/items/{todo_id}"),
                           ("DELETE", "/bp/v1/items/{todo_id}")}

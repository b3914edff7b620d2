"""Bad input is a warning, never a crash, and the rest of the project is still analysed."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mosaic_hooks.detect.endpoints import endpoint_changes, extract_endpoints
from mosaic_hooks.detect.snapshot import DictSnapshot

GOOD = {"good.py": "from fastapi import FastAPI\napp = FastAPI(openapi_url=None)\n@app.get('/ok')\ndef ok(): ...\n"}


def endpoints_of(extra: dict[str, bytes | str]) -> tuple[set[tuple[str, str]], list[str]]:
    endpoints, warnings = extract_endpoints(DictSnapshot({**GOOD, **extra}))
    return {e.key for e in endpoints}, warnings


def test_syntax_error_is_a_warning_with_the_line() -> None:
    broken = "from fastapi import APIRouter\nrouter = APIRouter(\n\n\n\n\ndef x(:\n"
    keys, warnings = endpoints_of({"app/broken.py": broken})
    assert keys == {("GET", "/ok")}
    assert len(warnings) == 1 and warnings[0].startswith("app/broken.py: could not parse (line ")


def test_nul_bytes_bad_encoding_and_deep_nesting() -> None:
    keys, warnings = endpoints_of({
        "nul.py": b"from fastapi import APIRouter\x00\n",
        "latin.py": b"# -*- coding: ascii -*-\nfrom flask import Flask\nname = '\xe9'\n",
        "deep.py": ("from fastapi import APIRouter\nx = " + "(" * 5000 + "1" + ")" * 5000 + "\n").encode(),
        "deep_expr.py": ("from fastapi import APIRouter\nx = " + " + ".join(["'a'"] * 20000) + "\n").encode(),
    })
    assert keys == {("GET", "/ok")}
    assert {w.split(":")[0] for w in warnings} >= {"deep.py", "latin.py", "nul.py"}
    assert all("could not" in w for w in warnings)


def test_runaway_project_code_is_bounded() -> None:
    files = {"loop.py": (
        "from fastapi import FastAPI\napp = FastAPI(openapi_url=None)\n"
        "def f(n):\n    return f(n + 1)\nf(0)\n"
        "def g():\n    while True:\n        g()\ng()\n"
        "@app.get('/after')\ndef after(): ...\n")}
    keys, _ = endpoints_of(files)
    assert ("GET", "/after") in keys


def test_circular_imports_terminate() -> None:
    keys, _ = endpoints_of({
        "a.py": "from fastapi import APIRouter\nfrom b import thing\nrouter = APIRouter()\n",
        "b.py": "from a import router\nthing = 1\n@router.get('/b')\ndef b(): ...\n",
    })
    assert ("GET", "/ok") in keys


def test_odd_but_valid_code_does_not_crash() -> None:
    keys, _ = endpoints_of({"odd.py": (
        "from fastapi import APIRouter\nimport os\n"
        "r = APIRouter(prefix=None)\nr2 = APIRouter(prefix=1)\n[a, *b] = [1, 2, 3]\n"
        "x: int\nx += 1\nlambda: None\nclass K(metaclass=type): ...\n"
        "match os.name:\n    case 'posix':\n        pass\n"
        "@r.get(123)\ndef bad(): ...\n@r2.get('/two')\ndef two(): ...\n"
        "del x\nasync def coro():\n    async with x as y:\n        pass\n")})
    assert ("GET", "/ok") in keys


def test_changes_never_raise_for_garbage() -> None:
    base = {"x.py": b"\xff\xfe\x00garbage route"}
    head = {"x.py": b"route = (((("}
    result, warnings = endpoint_changes(DictSnapshot(base), DictSnapshot(head), ["x.py"])
    assert (result.added, result.removed) == ([], [])
    assert warnings and warnings[0].startswith("x.py: could not parse")


TOKENS = ["from fastapi import APIRouter\n", "from flask import Blueprint\n", "router = APIRouter(", "prefix=",
          "'/x'", ")", "(", "\n", "@router.get(", "def f():\n    ", "return f()\n", "app.include_router(", "router",
          "urlpatterns = [", "path(", "include(", "]", "class A(A):\n    ", "x = ", "f'{x}'", " + ", "*", "**",
          "lambda: ", "import app\n", "from . import *\n", "for r in router:\n    ", "\x00", "\ufeff", "  "]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(TOKENS), max_size=40), min_size=1, max_size=4))
def test_any_token_soup_yields_a_result_never_an_exception(modules: list[list[str]]) -> None:
    files = {f"app/m{i}.py": "".join(tokens) for i, tokens in enumerate(modules)}
    files["app/__init__.py"] = "from app.m0 import *\n"
    endpoints, warnings = extract_endpoints(DictSnapshot(files))
    assert isinstance(endpoints, list) and isinstance(warnings, list)
    result, _ = endpoint_changes(DictSnapshot(GOOD), DictSnapshot(files), sorted(set(files) | set(GOOD)))
    assert ("GET", "/ok") in {e.key for e in result.removed}


def test_routers_including_each_other_in_a_cycle_terminate() -> None:
    keys, _ = endpoints_of({"cycle.py": (
        "from fastapi import FastAPI, APIRouter\nfrom flask import Flask, Blueprint\n"
        "app = FastAPI(openapi_url=None)\na = APIRouter(prefix='/a')\nb = APIRouter(prefix='/b')\n"
        "@b.get('/x')\ndef x(): ...\n"
        "a.include_router(b)\nb.include_router(a)\na.include_router(a)\napp.include_router(a)\n"
        "f = Flask(__name__, static_folder=None)\np = Blueprint('p', __name__)\nc = Blueprint('c', __name__)\n"
        "p.register_blueprint(c)\nc.register_blueprint(p)\nf.register_blueprint(p)\n")})
    assert ("GET", "/a/b/x") in keys

"""New imports of changed code, and which of them no requirement declares."""

from __future__ import annotations

from mosaic_hooks.detect.imports import (
    ImportedName,
    candidate_distributions,
    first_party_names,
    new_imports,
    undeclared_imports,
)


def found(base: dict[str, str], head: dict[str, str]) -> list[tuple[str, str, int]]:
    names, _ = new_imports({k: v.encode() for k, v in base.items()}, {k: v.encode() for k, v in head.items()})
    return [(n.module, n.file, n.line) for n in names]


def test_only_imports_added_by_the_change_are_new() -> None:
    base = {"app/main.py": "import os\nimport fastapi\n"}
    head = {"app/main.py": "import os\nimport fastapi\nimport yaml.loader\nfrom httpx import AsyncClient\n"}
    assert found(base, head) == [("yaml", "app/main.py", 3), ("httpx", "app/main.py", 4)]


def test_relative_imports_are_first_party_and_ignored() -> None:
    assert found({}, {"pkg/a.py": "from . import b\nfrom .c import d\nfrom .. import e\n"}) == []


def test_type_checking_and_optional_imports_are_ignored_but_their_fallbacks_are_not() -> None:
    head = {"app/x.py": (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import mypy_boto3_s3\n"
        "try:\n    import ujson as json\nexcept ImportError:\n    import simplejson as json\n"
        "import contextlib\nwith contextlib.suppress(ImportError):\n    import uvloop\n"
        "def lazy():\n    import numpy\n"
    )}
    assert [m for m, _, _ in found({}, head)] == ["typing", "simplejson", "contextlib", "numpy"]


def test_a_module_moved_to_another_file_is_not_new() -> None:
    base = {"app/old.py": "import requests\n"}
    head = {"app/new.py": "import requests\n\n\ndef f():\n    return requests.get\n"}
    assert found(base, head) == []


def test_an_import_moved_out_of_an_optional_block_is_new() -> None:
    base = {"a.py": "try:\n    import orjson\nexcept ImportError:\n    orjson = None\n"}
    head = {"a.py": "import orjson\n"}
    assert found(base, head) == [("orjson", "a.py", 1)]


def test_a_new_module_level_import_is_found_even_in_a_file_that_does_not_parse() -> None:
    names, warnings = new_imports({}, {"bad.py": b"import yaml\ndef f(:\n"})
    assert [(n.module, n.line) for n in names] == [("yaml", 1)] and warnings == []


def test_an_unparsable_file_with_a_nested_new_import_is_a_warning_with_its_line() -> None:
    names, warnings = new_imports({}, {"bad.py": b"import os\ndef f(:\n    import yaml\n"})
    assert names == [] and warnings == ["bad.py: could not parse (line 2): invalid syntax"]


def test_import_words_in_docstrings_and_strings_are_not_imports() -> None:
    head = {"a.py": '"""Usage:\n\nimport fancylib\n"""\nx = "import other"\nimportant = 1\n'}
    assert found({}, head) == []


def test_a_multiline_import_added_to_is_only_new_if_its_module_is() -> None:
    base = {"a.py": "from fastapi import (\n    APIRouter,\n)\n"}
    head = {"a.py": "from fastapi import (\n    APIRouter,\n    Depends,\n)\n"
                    "from pydantic import (\n    BaseModel,\n)\n"}
    assert found(base, head) == [("pydantic", "a.py", 5)]


def test_first_party_names_follow_the_layouts_projects_use() -> None:
    paths = ["src/mypkg/__init__.py", "src/mypkg/api/routes.py", "app/main.py", "app/routers/items.py",
             "scripts/seed.py", "manage.py", "core/__init__.py", "core/redis.py", "README.md"]
    names = first_party_names(paths)
    assert {"src", "mypkg", "app", "main", "routers", "scripts", "seed", "manage", "core"} <= names
    assert "redis" not in names  # core/redis.py is core.redis, not a top-level `redis`
    assert "api" not in names


def test_distributions_come_from_installed_metadata_then_the_table_then_the_name() -> None:
    installed = {"yaml": ["PyYAML"], "attr": ["attrs"]}
    assert candidate_distributions("yaml", installed) == ["PyYAML"]
    assert candidate_distributions("sklearn", {}) == ["scikit-learn"]
    assert candidate_distributions("jwt", {}) == ["PyJWT"]
    assert candidate_distributions("httpx", {}) == ["httpx"]


def test_undeclared_imports_exclude_stdlib_first_party_and_declared_ones() -> None:
    imported = [ImportedName(m, "app/x.py", i) for i, m in enumerate(
        ["os", "json", "app", "fastapi", "PIL", "yaml", "requests", "bs4"], start=1)]
    missing = undeclared_imports(imported, declared={"fastapi", "pillow", "requests"}, first_party={"app"},
                                 installed={"yaml": ["PyYAML"]})
    assert [(m.imported.module, m.distributions[0], m.installed) for m in missing] == [
        ("yaml", "PyYAML", True), ("bs4", "beautifulsoup4", False)]
    assert missing[1].message("requirements.txt") == (
        "app/x.py:8: imports 'bs4' (distribution beautifulsoup4), which no requirement declares "
        "(not installed here); add 'beautifulsoup4' to requirements.txt")

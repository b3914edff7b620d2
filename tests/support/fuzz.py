"""Hypothesis strategies for the inputs at the product's edge (issue 8, "Bad input").

Each strategy says what it draws and, where it matters, what a well-behaved parser must do with it. They
need none of the product's code: point them at a parser and state the property, typically "returns a
result or raises our one documented error, never anything else":

    @settings(max_examples=150, deadline=None)
    @given(pre_push_stdin())
    def test_pre_push_stdin_never_crashes(data):
        try:
            parse_pre_push(data)
        except MosaicError:
            pass

Families:

- pre-push stdin: `pre_push_line`, `malformed_pre_push_line`, `pre_push_stdin` (bytes: mixtures of both,
  CRLF, blank lines, random bytes, invalid UTF-8, NUL).
- TOML (config files): `toml_values`, `toml_tables`, `toml_document`, `broken_toml_text`, `toml_file_bytes`,
  `deeply_nested_toml`, `env_values`, `env_mappings`; `toml_dumps` renders a table.
- requirements files: `requirement_line`, `malformed_requirement_line`, `requirements_text`.
- Python sources: `python_source`, `broken_python_source`, `deeply_nested_source`, `python_source_bytes`,
  and `enormous_source()` (a plain function: too big to draw many times).
- Render API JSON: `render_deploy`, `render_deploy_page`, `render_error_body`, `invalid_cursor`, `json_values`.
- OpenAPI documents: `openapi_document` (valid), `broken_openapi_document`.
- deployment history: `history_record` (valid or not), `history_record_problems` (a reference validator),
  `history_file_bytes` (torn lines, conflicts, junk).
- Prometheus exposition: `prometheus_text` (valid), `unparseable_prometheus_text`,
  `semantically_broken_prometheus_text` (parses, but lies: falling buckets, no +Inf, NaN counts).

Keep runs bounded: `FUZZ_SETTINGS` (150 examples, or $MOSAIC_FUZZ_EXAMPLES; no deadline) is a good default.
"""

from __future__ import annotations

import json
import keyword
import math
import os
import re
import string
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from functools import cache
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover (Python 3.10)
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

#: Examples per property: 150 keeps the suite fast; MOSAIC_FUZZ_EXAMPLES=2000 (say) digs deeper on demand.
FUZZ_EXAMPLES = int(os.environ.get("MOSAIC_FUZZ_EXAMPLES") or 150)
FUZZ_SETTINGS = settings(max_examples=FUZZ_EXAMPLES, deadline=None,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                HealthCheck.function_scoped_fixture])

#: What `ast.parse` / `compile` may raise on hostile source besides SyntaxError: the parser's recursion
#: limit (deep expressions), MemoryError ("parser stack overflowed" on ~100k nested unary operators),
#: ValueError (NUL bytes on some 3.10/3.11 releases), UnicodeDecodeError (bytes with a wrong coding cookie).
PYTHON_PARSE_ERRORS: tuple[type[BaseException], ...] = (SyntaxError, ValueError, RecursionError, MemoryError,
                                                        UnicodeDecodeError)

HEX = "0123456789abcdef"
ZERO_SHA1 = "0" * 40
ZERO_SHA256 = "0" * 64


# -- pre-push stdin ---------------------------------------------------------------------------------------
# Git writes one line per pushed ref: "<local ref> SP <local sha> SP <remote ref> SP <remote sha> LF".
# A new remote branch has a zero remote sha; a deletion has local ref "(delete)" and a zero local sha.
# The object format (SHA-1, 40 hex, or SHA-256, 64 hex) is the same on one line.


def shas(length: int = 40) -> st.SearchStrategy[str]:
    """Object names of one length (40 = SHA-1, 64 = SHA-256), zeros included now and then."""
    return st.one_of(st.just("0" * length), st.text(HEX, min_size=length, max_size=length))


_REF_PART = st.text(string.ascii_letters + string.digits + "-_.", min_size=1, max_size=20).filter(
    lambda part: not part.startswith(".") and not part.endswith((".", ".lock")) and ".." not in part)


def ref_names() -> st.SearchStrategy[str]:
    """Valid full ref names (refs/heads/..., refs/tags/..., nested names such as refs/heads/feature/x)."""
    return st.builds(lambda kind, parts: f"refs/{kind}/" + "/".join(parts),
                     st.sampled_from(["heads", "tags", "remotes/origin", "notes"]),
                     st.lists(_REF_PART, min_size=1, max_size=3))


@st.composite
def pre_push_line(draw: st.DrawFn) -> str:
    """A line git itself could write: an update, a new branch, a deletion or a tag; SHA-1 or SHA-256."""
    length = draw(st.sampled_from([40, 64]))
    kind = draw(st.sampled_from(["update", "new", "delete", "same"]))
    local_ref, remote_ref = draw(ref_names()), draw(ref_names())
    local_sha = draw(st.text(HEX, min_size=length, max_size=length))
    remote_sha = draw(st.text(HEX, min_size=length, max_size=length))
    if kind == "new":
        remote_sha = "0" * length
    elif kind == "delete":
        local_ref, local_sha = "(delete)", "0" * length
    elif kind == "same":
        remote_ref = local_ref
    return f"{local_ref} {local_sha} {remote_ref} {remote_sha}"


@st.composite
def malformed_pre_push_line(draw: st.DrawFn) -> str:
    """A line that is not in git's format: fields missing or extra, refs with spaces, shas that are not hex,
    of the wrong length or of two different formats, tabs for separators, both shas zero, random text."""
    good = draw(pre_push_line()).split(" ")
    mutation = draw(st.sampled_from(["drop", "extra", "space_in_ref", "not_hex", "short", "long", "mixed",
                                     "tabs", "all_zero", "random", "empty_field"]))
    if mutation == "drop":
        del good[draw(st.integers(0, 3))]
    elif mutation == "extra":
        good.append(draw(st.text(string.printable.strip(), min_size=1, max_size=10)))
    elif mutation == "space_in_ref":
        good[0] = good[0] + " " + draw(_REF_PART)
    elif mutation == "not_hex":
        index = draw(st.sampled_from([1, 3]))
        good[index] = "g" + good[index][1:]
    elif mutation == "short":
        good[1] = good[1][: draw(st.integers(0, 39))]
    elif mutation == "long":
        good[1] = good[1] + "a" * draw(st.integers(1, 30))
    elif mutation == "mixed":
        good[1], good[3] = "a" * 40, "b" * 64
    elif mutation == "tabs":
        return "\t".join(good)
    elif mutation == "all_zero":
        good[1] = good[3] = "0" * len(good[1])
    elif mutation == "empty_field":
        good[draw(st.integers(0, 3))] = ""
    else:
        return draw(st.text(max_size=100).filter(lambda text: "\n" not in text))
    return " ".join(good)


@st.composite
def pre_push_stdin(draw: st.DrawFn) -> bytes:
    """What a pre-push hook may read on stdin: valid and malformed lines, LF or CRLF, blank lines, no final
    newline, an empty stdin, random bytes, invalid UTF-8 and NUL bytes."""
    lines = draw(st.lists(st.one_of(pre_push_line(), malformed_pre_push_line(), st.just("")), max_size=6))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(lines) + draw(st.sampled_from([newline, ""]))
    data = text.encode("utf-8")
    noise = draw(st.sampled_from(["none", "random", "latin1", "nul"]))
    if noise == "random":
        data += draw(st.binary(min_size=1, max_size=64))
    elif noise == "latin1":
        data = data.replace(b"refs/heads/", b"refs/heads/\xe9")
    elif noise == "nul":
        data = data.replace(b" ", b"\x00", 1)
    return data


def valid_pre_push_stdin() -> st.SearchStrategy[bytes]:
    """Only what git writes: valid lines, each ending in LF."""
    return st.lists(pre_push_line(), max_size=6).map(lambda lines: "".join(f"{line}\n" for line in lines).encode())


# -- TOML ---------------------------------------------------------------------------------------------------

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_TOML_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _toml_string(value: str) -> str:
    out = []
    for char in value:
        if char in _TOML_ESCAPES:
            out.append(_TOML_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _toml_string(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"not a TOML value: {value!r}")


def toml_dumps(table: Mapping[str, Any], header: str | None = None) -> str:
    """A table as TOML text (values inline), under `[header]` if given."""
    lines = [f"[{header}]"] if header else []
    lines += [f"{_toml_key(key)} = {_toml_value(value)}" for key, value in table.items()]
    return "\n".join(lines) + "\n"


_TOML_INT = st.integers(-(2**63), 2**63 - 1)


@cache  # building strategies is costly; a strategy is immutable
def toml_values(max_leaves: int = 8) -> st.SearchStrategy[Any]:
    """Any TOML value: strings (control characters and all of Unicode but surrogates), 64-bit integers,
    floats (nan, inf included), booleans, offset date-times, arrays (mixed types) and inline tables."""
    scalars = st.one_of(
        st.text(st.characters(blacklist_categories=["Cs"]), max_size=30), _TOML_INT, st.floats(),
        st.booleans(),
        st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                     timezones=st.just(timezone.utc)).map(lambda d: d.replace(microsecond=0)),
    )
    return st.recursive(scalars, lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=10), children, max_size=4)), max_leaves=max_leaves)


@cache
def plausible_values() -> st.SearchStrategy[Any]:
    """Values a person might write for a config key, right or wrong: URLs, paths, numbers at the edges."""
    return st.one_of(
        st.sampled_from(["http://127.0.0.1:8000", "https://example.onrender.com/", "ftp://x", "127.0.0.1",
                         "/health", "health", "", " ", "/", "srv-abc123", ".mosaic", "/tmp/x", "~/x"]),
        st.sampled_from([0, -1, 1, 2**63 - 1, 0.0, -0.0, 0.001, 1e308, math.inf, -math.inf, math.nan]),
        st.booleans(), st.lists(st.sampled_from(["/admin/*", "", "*", "/x/{id}"]), max_size=3),
        st.dictionaries(st.sampled_from(["id", "/items/{id}", ""]), st.sampled_from(["7", 7, {"id": "7"}]),
                        max_size=2),
    )


def toml_tables(keys: Sequence[str] = ()) -> st.SearchStrategy[dict[str, Any]]:
    """Tables whose keys are mostly from `keys` (e.g. the config's key names), sometimes unknown or odd
    (empty, dotted, Unicode, newline inside a quoted key), with plausible or arbitrary values."""
    return _toml_tables(tuple(keys))


@cache
def _toml_tables(keys: tuple[str, ...]) -> st.SearchStrategy[dict[str, Any]]:
    key = st.one_of(*([st.sampled_from(list(keys))] * 3 if keys else []), st.text(max_size=12),
                    st.sampled_from(["", "a.b", "tool", "é", "with space", "new\nline", "x" * 200]))
    return st.dictionaries(key, st.one_of(plausible_values(), toml_values()), max_size=6)


@st.composite
def toml_document(draw: st.DrawFn, keys: Sequence[str] = (), header: str | None = None) -> str:
    """A valid TOML document holding one drawn table (under `[header]` if given), sometimes with other
    tables around it as in a real pyproject.toml."""
    body = toml_dumps(draw(toml_tables(keys)), header)
    if header and draw(st.booleans()):
        body = '[project]\nname = "svc"\nversion = "1.0"\n\n' + body + '\n[tool.other]\nx = 1\n'
    return body


@st.composite
def broken_toml_text(draw: st.DrawFn, keys: Sequence[str] = (), header: str | None = None) -> str:
    """TOML that tomllib rejects: an unclosed string or table header, a key without a value, a duplicate key
    or table, a bare word as value, a stray character, or random text that fails to parse."""
    good = draw(toml_document(keys, header))
    mutation = draw(st.sampled_from(["unclosed_string", "unclosed_header", "no_value", "duplicate_key",
                                     "duplicate_table", "bare_word", "stray", "random"]))
    if mutation == "unclosed_string":
        return good + 'health_path = "/unterminated\n'
    if mutation == "unclosed_header":
        return good + "[tool.mosaic\n"
    if mutation == "no_value":
        return good + "p95_limit_ms =\n"
    if mutation == "duplicate_key":
        return good + "dup = 1\ndup = 2\n"
    if mutation == "duplicate_table":
        return good + "[t]\n[t]\n"
    if mutation == "bare_word":
        return good + "backend_url = localhost\n"
    if mutation == "stray":
        return good + draw(st.sampled_from(["=\n", "]]\n", '"\n', "[[]]\n", "a = 1 2\n"]))
    return draw(st.text(min_size=1, max_size=200).filter(_not_toml))


def _not_toml(text: str) -> bool:
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return True
    return False


@st.composite
def toml_file_bytes(draw: st.DrawFn, keys: Sequence[str] = (), header: str | None = None) -> bytes:
    """A config file's bytes: valid or broken TOML, saved as UTF-8, with a BOM, as UTF-16, as Latin-1
    (non-ASCII becomes invalid UTF-8), with NUL bytes, or just random bytes."""
    text = draw(st.one_of(toml_document(keys, header), broken_toml_text(keys, header)))
    encoding = draw(st.sampled_from(["utf-8", "bom", "utf-16", "latin-1", "nul", "random"]))
    if encoding == "bom":
        return b"\xef\xbb\xbf" + text.encode()
    if encoding == "utf-16":
        return text.encode("utf-16")
    if encoding == "latin-1":
        return text.encode("latin-1", "replace") + b'\nname = "caf\xe9"\n'
    if encoding == "nul":
        data = text.encode()
        at = draw(st.integers(0, len(data)))
        return data[:at] + b"\x00" + data[at:]
    if encoding == "random":
        return draw(st.binary(max_size=300))
    return text.encode()


def deeply_nested_toml(depth: int, kind: str = "arrays", header: str | None = "tool.mosaic") -> str:
    """A valid TOML document with one value nested `depth` deep (arrays or inline tables) under a known
    table key. tomllib parses recursively: a few hundred levels raise RecursionError, not TOMLDecodeError."""
    if kind == "arrays":
        value = "[" * depth + "]" * depth
    elif kind == "tables":
        value = "{a = " * depth + "1" + "}" * depth
    else:
        raise ValueError(f"unknown kind {kind!r}: arrays or tables")
    return (f"[{header}]\n" if header else "") + f"sample_values = {{x = {value}}}\n"


def env_values() -> st.SearchStrategy[str]:
    """Strings an environment variable can hold (no NUL, no lone surrogates): numbers at the edges (nan,
    inf, 1e999, Unicode digits), booleans in many spellings, URLs with odd schemes, blanks, long values."""
    chars = st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00")
    return st.one_of(
        st.text(chars, max_size=40),
        st.sampled_from(["nan", "NaN", "inf", "-inf", "1e999", "-1", "0", "0.0", "1_000", "١٢", "１０", " 10 ",
                         "0x10", "true", "TRUE", "yes", "on", "1", "off", "no", "maybe", "http://", "https://",
                         "http://127.0.0.1:1", "https://[::1", "ftp://x", "/health", "", " ", "x" * 5000]),
    )


def env_mappings(names: Sequence[str]) -> st.SearchStrategy[dict[str, str]]:
    """Environments setting some of `names` (e.g. BACKEND_URL, RENDER_SERVICE_ID) to `env_values()`."""
    return st.dictionaries(st.sampled_from(list(names)), env_values(), max_size=len(names))


# -- requirements files --------------------------------------------------------------------------------------

_DIST = st.from_regex(r"\A[A-Za-z0-9]([A-Za-z0-9._-]{0,20}[A-Za-z0-9])?\Z")
_COMPATIBLE_VERSION = st.from_regex(r"\A[0-9]{1,3}\.[0-9]{1,3}\Z")
_VERSION = st.from_regex(r"\A[0-9]{1,3}(\.[0-9]{1,3}){0,3}((a|b|rc)[0-9]{1,2})?(\.post[0-9])?(\.dev[0-9])?\Z")


@st.composite
def requirement_line(draw: st.DrawFn) -> str:
    """A line pip accepts in a requirements file. `pep508=True` lines parse with packaging's Requirement;
    the others are pip options (-r, -c, -e, --index-url, --hash continuation), comments and blanks."""
    kind = draw(st.sampled_from(["pep508"] * 4 + ["option", "comment", "blank", "editable", "hashes"]))
    if kind == "pep508":
        return draw(pep508_requirement())
    if kind == "option":
        return draw(st.sampled_from(["-r base.txt", "--requirement other.txt", "-c constraints.txt",
                                     "--index-url https://pypi.org/simple", "--extra-index-url http://127.0.0.1/",
                                     "--no-binary :all:", "--pre", "-f ./wheels"]))
    if kind == "comment":
        return "# " + draw(st.text(max_size=30).filter(lambda t: "\n" not in t and "\r" not in t))
    if kind == "blank":
        return draw(st.sampled_from(["", "   ", "\t"]))
    if kind == "editable":
        return draw(st.sampled_from(["-e .", "-e ./libs/core", "-e git+https://github.com/o/r.git@v1#egg=r"]))
    name, version = draw(_DIST), draw(_VERSION)
    digest = draw(st.text(HEX, min_size=64, max_size=64))
    return f"{name}=={version} \\\n    --hash=sha256:{digest}"


@st.composite
def pep508_requirement(draw: st.DrawFn) -> str:
    """A PEP 508 requirement: name, optional extras, specifiers or a URL, optional marker and comment."""
    name = draw(_DIST)
    extras = draw(st.lists(_DIST, max_size=2))
    text = name + (f"[{','.join(extras)}]" if extras else "")
    spec_kind = draw(st.sampled_from(["none", "specs", "url"]))
    if spec_kind == "specs":
        ops = draw(st.lists(st.sampled_from(["==", ">=", "<=", "~=", "!=", ">", "<"]), min_size=1, max_size=3))
        # `~=` needs at least two release segments ("~=1" is invalid).
        text += ",".join(f"{op}{draw(_COMPATIBLE_VERSION if op == '~=' else _VERSION)}" for op in ops)
    elif spec_kind == "url":
        text += " @ https://files.example.invalid/pkg-1.0.tar.gz"
    if draw(st.booleans()):
        text += " " + draw(st.sampled_from(['; python_version < "3.13"', '; sys_platform == "linux"',
                                      "; extra == 'test'", '; os_name != "nt" and python_version >= "3.10"']))
    if draw(st.booleans()):
        text += "  # pinned"
    return text


def malformed_requirement_line() -> st.SearchStrategy[str]:
    """Lines that are not requirements: dangling operators, unclosed extras, bad markers, options without
    arguments, shell commands, lone continuation backslashes, unknown flags, and random text."""
    return st.one_of(
        st.sampled_from(["==1.0", "flask==", "flask===", "flask[", "flask[extra", "flask ; bogus",
                         'flask; python_version < "3', "-r", "-e", "--hash", "\\", "pip install flask",
                         "flask==1.0 --unknown-flag", "flask @", "@ https://x", "fl ask", "flask==1.0.0.0.0a1b2"]),
        st.text(max_size=60).filter(lambda t: "\n" not in t),
    )


def requirements_text() -> st.SearchStrategy[str]:
    """A requirements file: valid and malformed lines, LF or CRLF, sometimes without a final newline."""
    return st.builds(lambda lines, newline, end: newline.join(lines) + end,
                     st.lists(st.one_of(requirement_line(), malformed_requirement_line()), max_size=12),
                     st.sampled_from(["\n", "\r\n"]), st.sampled_from(["\n", ""]))


# -- Python sources -----------------------------------------------------------------------------------------

_ROUTE_TEMPLATES = [
    'from fastapi import FastAPI\napp = FastAPI()\n\n@app.{method}("{path}")\ndef {name}():\n    return {{}}\n',
    'from flask import Flask\napp = Flask(__name__)\n\n@app.route("{path}", methods=["{upper}"])\n'
    'def {name}():\n    return "ok"\n',
    'from django.urls import path\nfrom . import views\nurlpatterns = [path("{dpath}", views.{name})]\n',
    'import os\n\n\nclass {cname}:\n    def {name}(self, x: int = 1) -> int:\n        return x * 2\n',
]


@st.composite
def python_source(draw: st.DrawFn) -> str:
    """Small valid modules of the kinds the endpoint detection reads (FastAPI, Flask, Django routes,
    plain code), with drawn names and paths."""
    method = draw(st.sampled_from(["get", "post", "put", "delete", "patch"]))
    path = "/" + "/".join(draw(st.lists(st.sampled_from(["items", "{item_id}", "v1", "users", "x-y"]),
                                        max_size=3)))
    name = draw(st.from_regex(r"\A[a-z_][a-z0-9_]{0,15}\Z").filter(lambda n: n not in _KEYWORDS))
    template = draw(st.sampled_from(_ROUTE_TEMPLATES))
    return template.format(method=method, path=path, upper=method.upper(), name=name,
                           dpath=path.lstrip("/").replace("{item_id}", "<int:item_id>"),
                           cname="C" + name.title().replace("_", ""))


_KEYWORDS = frozenset([*keyword.kwlist, *keyword.softkwlist])


@st.composite
def broken_python_source(draw: st.DrawFn) -> str:
    """Source that does not compile: cut off mid-statement, unmatched brackets, bad indentation, a stray
    keyword, a tab/space mix, an unterminated string, or text that is not Python at all."""
    good = draw(python_source())
    mutation = draw(st.sampled_from(["cut", "unmatched", "indent", "keyword", "tabs", "string", "prose"]))
    if mutation == "cut":
        return good[: draw(st.integers(1, max(1, len(good) - 1)))] + "\ndef broken(:\n"
    if mutation == "unmatched":
        return good + "\nx = (1, [2, 3)\n"
    if mutation == "indent":
        return good + "\n      y = 1\n  z = 2\n"
    if mutation == "keyword":
        return good + "\nclass = 3\n"
    if mutation == "tabs":
        return "if True:\n\tx = 1\n        y = 2\n"
    if mutation == "string":
        return good + '\nmessage = """never closed\n'
    return "This is not Python: " + draw(st.text(max_size=50)) + " {[("


#: Shapes of deep nesting and what CPython 3.11 does with them at depth ~1000+ (see PYTHON_PARSE_ERRORS).
NESTING_KINDS = ("parens", "lists", "unary", "binop", "attributes", "calls", "ifs", "functions")


def deeply_nested_source(kind: str, depth: int) -> str:
    """Source nested `depth` deep. Parentheses/lists over 200 are a SyntaxError ("too many nested
    parentheses"); unary/binary/attribute/call chains of a few thousand hit RecursionError in ast.parse
    (MemoryError around 100k); `ifs` past 100 levels are an IndentationError; nested functions compile."""
    if kind == "parens":
        return "x = " + "(" * depth + "1" + ")" * depth + "\n"
    if kind == "lists":
        return "x = " + "[" * depth + "]" * depth + "\n"
    if kind == "unary":
        return "x = " + "-" * depth + "1\n"
    if kind == "binop":
        return "x = 1" + " + 1" * depth + "\n"
    if kind == "attributes":
        return "x = y" + ".a" * depth + "\n"
    if kind == "calls":
        return "x = f" + "()" * depth + "\n"
    if kind == "ifs":
        return "".join(" " * level + "if x:\n" for level in range(depth)) + " " * depth + "pass\n"
    if kind == "functions":
        return "".join(" " * level + f"def f{level}():\n" for level in range(depth)) + " " * depth + "pass\n"
    raise ValueError(f"unknown nesting kind {kind!r}; known: {NESTING_KINDS}")


def deeply_nested_sources(max_depth: int = 5000) -> st.SearchStrategy[str]:
    """`deeply_nested_source` of a drawn kind and depth (1 to `max_depth`)."""
    return st.builds(deeply_nested_source, st.sampled_from(NESTING_KINDS), st.integers(1, max_depth))


@st.composite
def python_source_bytes(draw: st.DrawFn) -> bytes:
    """A source file's bytes in odd encodings: UTF-8 with a BOM, a Latin-1 coding cookie with Latin-1 bytes
    (valid), Latin-1 bytes without a cookie (invalid), UTF-16, a cookie naming an unknown codec, NUL bytes,
    CR or CRLF line ends, a form feed, or random bytes."""
    source = draw(st.one_of(python_source(), broken_python_source()))
    variant = draw(st.sampled_from(["utf8", "bom", "latin1_cookie", "latin1_bare", "utf16", "bad_cookie", "nul",
                                    "cr", "crlf", "formfeed", "random"]))
    if variant == "bom":
        return b"\xef\xbb\xbf" + source.encode()
    if variant == "latin1_cookie":
        return b"# -*- coding: latin-1 -*-\n" + source.encode() + b"\nname = 'caf\xe9'\n"
    if variant == "latin1_bare":
        return source.encode() + b"\nname = 'caf\xe9'\n"
    if variant == "utf16":
        return source.encode("utf-16")
    if variant == "bad_cookie":
        return b"# coding: no-such-codec\n" + source.encode()
    if variant == "nul":
        return source.encode().replace(b"\n", b"\n\x00", 1) + b"\x00"
    if variant == "cr":
        return source.replace("\n", "\r").encode()
    if variant == "crlf":
        return source.replace("\n", "\r\n").encode()
    if variant == "formfeed":
        return b"\x0c" + source.encode()
    if variant == "random":
        return draw(st.binary(max_size=500))
    return source.encode()


def enormous_source(routes: int = 20_000, filler_lines: int = 100_000) -> bytes:
    """A big but valid FastAPI module (default ~4 MB: 20,000 routes and 100,000 filler lines), to check
    that detection stays bounded in time and memory. Not a strategy: build it once per test module."""
    parts = ["from fastapi import FastAPI\napp = FastAPI()\n"]
    parts += [f'\n@app.get("/r{index}/{{item_id}}")\ndef route_{index}(item_id: int):\n    return {{}}\n'
              for index in range(routes)]
    parts += [f"filler_{index} = {index}  # padding\n" for index in range(filler_lines)]
    return "".join(parts).encode()


# -- Render API JSON ----------------------------------------------------------------------------------------

DEPLOY_STATUSES = ("created", "queued", "build_in_progress", "update_in_progress", "live", "deactivated",
                   "build_failed", "update_failed", "canceled", "pre_deploy_in_progress", "pre_deploy_failed")
DEPLOY_TRIGGERS = ("api", "blueprint_sync", "deploy_hook", "deployed_by_render", "manual", "new_commit", "other",
                   "rollback", "service_resumed", "service_updated")

_ISO = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)).map(
    lambda d: d.replace(microsecond=0).isoformat() + "Z")
_BAD_TIMES = st.sampled_from(["yesterday", "", "2026-13-45T25:61:00Z", "2026-11-24", "2026-11-24T18:00:00",
                              "2026-11-24T18:00:00+25:00", "1732471200", "0001-01-01T00:00:00Z"])


@cache
def json_values(max_leaves: int = 10) -> st.SearchStrategy[Any]:
    """Any JSON value (what `json.loads` can return), to put where a field of known type should be."""
    scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70),
                        st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20))
    return st.recursive(scalars, lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=8), children, max_size=3)),
        max_leaves=max_leaves)


@st.composite
def render_deploy(draw: st.DrawFn, commit: str | None = None, valid: bool = False) -> dict[str, Any]:
    """A deploy object as `GET /services/{id}/deploys/{id}` returns it. `valid=True`: every field of the
    documented type, a known status. Otherwise, now and then: fields missing, `commit: null` (image
    deploys), wrong types, unknown statuses, malformed timestamps, extra fields."""
    sha = commit or draw(st.text(HEX, min_size=40, max_size=40))
    created = draw(_ISO)
    deploy: dict[str, Any] = {
        "id": "dep-" + draw(st.text(string.ascii_lowercase + string.digits, min_size=20, max_size=20)),
        "commit": {"id": sha, "message": draw(st.text(max_size=40)), "createdAt": created},
        "status": draw(st.sampled_from(DEPLOY_STATUSES)),
        "trigger": draw(st.sampled_from(DEPLOY_TRIGGERS)),
        "createdAt": created, "updatedAt": created,
        "startedAt": created, "finishedAt": draw(st.one_of(st.none(), _ISO)),
    }
    if valid:
        return deploy
    for _ in range(draw(st.integers(0, 3))):
        mutation = draw(st.sampled_from(["drop", "null_commit", "wrong_type", "unknown_status", "bad_time",
                                         "extra", "short_sha", "commit_shape"]))
        field = draw(st.sampled_from(sorted(deploy)))
        if mutation == "drop":
            deploy.pop(field, None)
        elif mutation == "null_commit":
            deploy["commit"] = None
            deploy["image"] = {"ref": "docker.io/o/i:latest", "sha": "sha256:" + "a" * 64}
        elif mutation == "wrong_type":
            deploy[field] = draw(json_values())
        elif mutation == "unknown_status":
            deploy["status"] = draw(st.one_of(st.sampled_from(["LIVE", "succeeded", "paused", "", "live "]),
                                              st.text(max_size=12)))
        elif mutation == "bad_time":
            deploy[draw(st.sampled_from(["createdAt", "finishedAt", "updatedAt"]))] = draw(_BAD_TIMES)
        elif mutation == "extra":
            deploy[draw(st.text(min_size=1, max_size=10))] = draw(json_values())
        elif mutation == "short_sha" and isinstance(deploy.get("commit"), dict):
            deploy["commit"]["id"] = sha[:7]
        elif mutation == "commit_shape":
            deploy["commit"] = draw(st.sampled_from([sha, [sha], {"sha": sha}, {}]))
    return deploy


@st.composite
def render_deploy_page(draw: st.DrawFn, commit: str | None = None) -> Any:
    """A body of `GET /services/{id}/deploys`: normally a list of `{"deploy": {...}, "cursor": "..."}`;
    here also empty pages, bare deploys without the wrapper, items without cursor or deploy, cursors that
    repeat (a client that follows them blindly loops for ever), and bodies that are not lists at all."""
    shape = draw(st.sampled_from(["page", "page", "empty", "bare", "holes", "repeat", "not_list"]))
    deploys = draw(st.lists(render_deploy(commit), max_size=5))
    cursors = [draw(st.text(string.ascii_letters + string.digits, min_size=8, max_size=16)) for _ in deploys]
    if shape == "empty":
        return []
    if shape == "bare":
        return deploys
    if shape == "not_list":
        return draw(st.one_of(json_values(), st.just({"deploys": []}), st.just({"error": {"id": "x"}})))
    items: list[Any] = [{"deploy": deploy, "cursor": cursor} for deploy, cursor in zip(deploys, cursors, strict=True)]
    if shape == "holes" and items:
        index = draw(st.integers(0, len(items) - 1))
        items[index] = draw(st.sampled_from([{"deploy": items[index]["deploy"]}, {"cursor": "abc"}, None,
                                             {"deploy": None, "cursor": None}, {"deploy": [], "cursor": 5}]))
    if shape == "repeat":
        items = [{"deploy": item["deploy"], "cursor": "same-cursor"} for item in items]
    return items


def invalid_cursor() -> st.SearchStrategy[str]:
    """Cursors the API might reject (400) or a client might mishandle: empty, blanks, URL metacharacters,
    path traversal, very long, non-ASCII."""
    return st.one_of(st.sampled_from(["", " ", "%%", "a&status=live", "../../x", "a" * 5000, "null", "é", "#"]),
                     st.text(max_size=30))


def render_error_body() -> st.SearchStrategy[bytes]:
    """Error bodies: Render's `{"id", "message"}` (sometimes with `code`), partial ones, an HTML page from
    a proxy, an empty body, invalid JSON, JSON of the wrong shape."""
    return st.one_of(
        st.builds(lambda i, m: json.dumps({"id": i, "message": m}).encode(), st.text(max_size=10),
                  st.text(max_size=40)),
        st.sampled_from([b"", b"{", b"null", b"[]", b'{"message": 5}', b'{"id":"unauthorized"}',
                         b"<html><body><h1>502 Bad Gateway</h1></body></html>", b"\xff\xfe\x00",
                         b'{"id":"rate_limited","message":"Rate limit has been surpassed.","code":"x"}']),
    )


# -- OpenAPI documents -------------------------------------------------------------------------------------

_HTTP_METHODS = ("get", "post", "put", "delete", "patch")


@st.composite
def openapi_document(draw: st.DrawFn) -> dict[str, Any]:
    """A valid OpenAPI 3.x document: paths with operations, path parameters, request bodies and responses
    that use `$ref`s, every one of which resolves to `components/schemas`."""
    schema_names = draw(st.lists(st.from_regex(r"\A[A-Z][a-zA-Z]{0,10}\Z"), min_size=1, max_size=4, unique=True))
    schemas = {name: {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
                      "required": ["id"]} for name in schema_names}
    paths: dict[str, Any] = {}
    for _ in range(draw(st.integers(1, 5))):
        segments = draw(st.lists(st.sampled_from(["items", "users", "v1", "{item_id}", "orders"]), min_size=1,
                                 max_size=3))
        path = "/" + "/".join(segments)
        methods = draw(st.lists(st.sampled_from(_HTTP_METHODS), min_size=1, max_size=3, unique=True))
        ref = {"$ref": f"#/components/schemas/{draw(st.sampled_from(schema_names))}"}
        operations: dict[str, Any] = {}
        for method in methods:
            operation: dict[str, Any] = {"responses": {"200": {"description": "ok",
                                                               "content": {"application/json": {"schema": ref}}}}}
            params = [name.strip("{}") for name in segments if name.startswith("{")]
            if params:
                operation["parameters"] = [{"name": p, "in": "path", "required": True,
                                            "schema": {"type": "integer"}} for p in dict.fromkeys(params)]
            if method in ("post", "put", "patch"):
                operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref}}}
            operations[method] = operation
        paths[path] = operations
    return {"openapi": draw(st.sampled_from(["3.0.3", "3.1.0"])), "info": {"title": "svc", "version": "1"},
            "paths": paths, "components": {"schemas": schemas}}


@st.composite
def broken_openapi_document(draw: st.DrawFn) -> Any:
    """An OpenAPI document gone wrong: `$ref`s to missing or external targets, malformed pointers, reference
    cycles, wrong types for paths/operations/responses/parameters, paths without a leading '/', unbalanced
    templates, unknown methods, a Swagger 2.0 document, a missing version, or not an object at all."""
    doc = draw(openapi_document())
    path = next(iter(doc["paths"]))
    operation = next(iter(doc["paths"][path].values()))
    mutation = draw(st.sampled_from(["missing_ref", "external_ref", "bad_pointer", "cycle", "paths_type",
                                     "operation_type", "responses_type", "parameters_type", "no_slash",
                                     "unbalanced", "unknown_method", "swagger2", "no_version", "not_object"]))
    ref_target = operation["responses"]["200"]["content"]["application/json"]["schema"]
    if mutation == "missing_ref":
        ref_target["$ref"] = "#/components/schemas/DoesNotExist"
    elif mutation == "external_ref":
        ref_target["$ref"] = "https://schemas.example.invalid/common.json#/Item"
    elif mutation == "bad_pointer":
        ref_target["$ref"] = draw(st.sampled_from(["#components/schemas", "#/", "", "#/paths/~2x", "#/a/%zz"]))
    elif mutation == "cycle":
        doc["components"]["schemas"]["A"] = {"$ref": "#/components/schemas/B"}
        doc["components"]["schemas"]["B"] = {"$ref": "#/components/schemas/A"}
        ref_target["$ref"] = "#/components/schemas/A"
    elif mutation == "paths_type":
        doc["paths"] = draw(st.sampled_from([[], "paths", None, 3]))
    elif mutation == "operation_type":
        doc["paths"][path] = draw(st.sampled_from(["get", None, [], {"get": "yes"}]))
    elif mutation == "responses_type":
        operation["responses"] = draw(st.sampled_from([None, [], "200", {"200": "ok"}]))
    elif mutation == "parameters_type":
        operation["parameters"] = draw(st.sampled_from([{}, "id", [None], [{"in": "path"}]]))
    elif mutation == "no_slash":
        doc["paths"]["items/no-slash"] = doc["paths"].pop(path)
    elif mutation == "unbalanced":
        doc["paths"]["/items/{item_id"] = doc["paths"].pop(path)
    elif mutation == "unknown_method":
        doc["paths"][path]["fetch"] = operation
    elif mutation == "swagger2":
        doc.pop("openapi")
        doc["swagger"] = "2.0"
    elif mutation == "no_version":
        doc.pop("openapi")
    else:
        return draw(json_values())
    return doc


# -- deployment history (.mosaic/deployment_history.jsonl, fields as agreed in notes/interfaces.md) ------------

VERDICTS = ("pass", "fail", "inconclusive")
GATE_STATUSES = ("passed", "failed", "skipped", "inconclusive")
_SHA = st.text(HEX, min_size=40, max_size=40)


@st.composite
def history_record(draw: st.DrawFn, valid: bool = True) -> dict[str, Any]:
    """One history record. `valid=True`: every agreed field with its type (schema 1, `success` equal to
    verdict == "pass", timestamps in UTC with Z). `valid=False`: one to three of: fields missing, wrong
    types, an unknown schema or verdict, timestamps without a zone or malformed, `success` contradicting the
    verdict, commits that are not a list, extra fields; always broken (`history_record_problems` is not empty)."""
    verdict = draw(st.sampled_from(VERDICTS))
    gates = draw(st.lists(st.fixed_dictionaries({
        "name": st.sampled_from(["health", "latency", "new_endpoints", "contract", "invalid_input",
                                 "dependencies", "migrations", "metrics", "crash_loop"]),
        "status": st.sampled_from(GATE_STATUSES), "summary": st.text(max_size=40)}), max_size=4))
    record: dict[str, Any] = {
        "schema": 1, "timestamp": draw(_ISO), "commit": draw(_SHA), "base": draw(st.one_of(st.none(), _SHA)),
        "success": verdict == "pass", "verdict": verdict,
        "failure_reason": None if verdict == "pass" else draw(st.text(min_size=1, max_size=60)),
        "service": draw(st.one_of(st.none(), st.just("srv-abc123"))),
        "deploy_id": draw(st.one_of(st.none(), st.just("dep-" + "a" * 20))),
        "deploy_created_at": draw(st.one_of(st.none(), _ISO)), "deploy_live_at": draw(st.one_of(st.none(), _ISO)),
        "commits": draw(st.lists(st.builds(lambda sha, at: {"sha": sha, "committed_at": at, "authored_at": at},
                                           _SHA, _ISO), max_size=3)),
        "remediation": draw(st.booleans()), "gates": gates,
        "duration_s": draw(st.floats(min_value=0, max_value=1e5)),
    }
    if valid:
        return record
    for _ in range(draw(st.integers(1, 3))):
        mutation = draw(st.sampled_from(["drop", "wrong_type", "schema", "verdict", "naive_time", "bad_time",
                                         "contradiction", "commits_shape", "extra"]))
        field = draw(st.sampled_from(sorted(record)))
        if mutation == "drop":
            record.pop(field, None)
        elif mutation == "wrong_type":
            record[field] = draw(json_values())
        elif mutation == "schema":
            record["schema"] = draw(st.sampled_from([0, 2, 99, "1", None]))
        elif mutation == "verdict":
            record["verdict"] = draw(st.sampled_from(["PASS", "passed", "", "unknown"]))
        elif mutation == "naive_time":
            record["timestamp"] = "2026-11-24T18:00:00"
        elif mutation == "bad_time":
            record[draw(st.sampled_from(["timestamp", "deploy_live_at", "deploy_created_at"]))] = draw(_BAD_TIMES)
        elif mutation == "contradiction":
            record["success"] = not record.get("success", False)
        elif mutation == "commits_shape":
            record["commits"] = draw(st.sampled_from([None, {}, "abc", [None], [{"sha": 5}]]))
        else:
            record[draw(st.text(min_size=1, max_size=10))] = draw(json_values())
    if not history_record_problems(record):  # every mutation drawn happened to keep it valid
        record["schema"] = 2
    return record


HISTORY_FIELDS = frozenset({"schema", "timestamp", "commit", "base", "success", "verdict", "failure_reason",
                            "service", "deploy_id", "deploy_created_at", "deploy_live_at", "commits", "remediation",
                            "gates", "duration_s"})
# written by every append since issue 15; records written before have none (and stay valid)
OPTIONAL_HISTORY_FIELDS = frozenset({"id"})


def _utc_time_problem(value: Any) -> bool:
    if not isinstance(value, str) or not value.endswith("Z"):
        return True
    try:
        moment = datetime.fromisoformat(value[:-1] + "+00:00")
    except ValueError:
        return True
    return moment.year < 1970


def history_record_problems(record: Any) -> list[str]:
    """What makes `record` break the agreed history schema (empty: a valid record). A reference for the
    suites, independent of the product's reader."""
    if not isinstance(record, dict):
        return ["not an object"]
    problems = [f"missing {name}" for name in sorted(HISTORY_FIELDS - set(record))]
    problems += [f"unknown field {name!r}" for name in sorted(set(record) - HISTORY_FIELDS - OPTIONAL_HISTORY_FIELDS)]
    if "id" in record and not (isinstance(record["id"], str) and record["id"]):
        problems.append("id is not a non-empty string")
    if record.get("schema") != 1 or isinstance(record.get("schema"), bool):
        problems.append("schema is not 1")
    if record.get("verdict") not in VERDICTS:
        problems.append("unknown verdict")
    if not isinstance(record.get("success"), bool) or record.get("success") != (record.get("verdict") == "pass"):
        problems.append("success does not match the verdict")
    if "timestamp" in record and _utc_time_problem(record["timestamp"]):
        problems.append("timestamp is not a UTC time ending in Z")
    for name in ("deploy_created_at", "deploy_live_at"):
        if record.get(name) is not None and _utc_time_problem(record[name]):
            problems.append(f"{name} is not a UTC time ending in Z")
    if not isinstance(record.get("commit"), str) or not re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", record["commit"]):
        problems.append("commit is not a full sha")
    for name in ("base", "failure_reason", "service", "deploy_id"):
        if record.get(name) is not None and not isinstance(record[name], str):
            problems.append(f"{name} is neither a string nor null")
    commits = record.get("commits")
    if not isinstance(commits, list) or not all(isinstance(c, dict) and isinstance(c.get("sha"), str)
                                                for c in commits):
        problems.append("commits is not a list of {sha, ...}")
    gates = record.get("gates")
    if not isinstance(gates, list) or not all(isinstance(g, dict) and g.get("status") in GATE_STATUSES
                                              for g in gates):
        problems.append("gates is not a list of {name, status, summary}")
    if not isinstance(record.get("remediation"), bool):
        problems.append("remediation is not a boolean")
    duration = record.get("duration_s")
    if isinstance(duration, bool) or not isinstance(duration, (int, float)) or not duration >= 0:
        problems.append("duration_s is not a number >= 0")
    return problems


@st.composite
def history_file_bytes(draw: st.DrawFn) -> bytes:
    """A history file as a crash, a merge or a hand edit may leave it: valid lines mixed with invalid
    records, a torn last line, blank lines, CRLF, JSON that is not an object, invalid UTF-8, NUL bytes, a
    merge-conflict block, and sometimes an empty file."""
    lines: list[bytes] = []
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["valid", "valid", "invalid", "blank", "not_object", "garbage"]))
        if kind == "valid":
            lines.append(json.dumps(draw(history_record())).encode())
        elif kind == "invalid":
            lines.append(json.dumps(draw(history_record(valid=False)), default=str).encode())
        elif kind == "blank":
            lines.append(b"")
        elif kind == "not_object":
            lines.append(draw(st.sampled_from([b"[]", b"null", b"42", b'"x"'])))
        else:
            lines.append(draw(st.sampled_from([b"{", b"\xff\xfe", b"\x00\x00", b"<<<<<<< HEAD", b"=======",
                                               b">>>>>>> theirs", b'{"schema": 1, "commit": "abc"'])))
    newline = draw(st.sampled_from([b"\n", b"\r\n"]))
    data = newline.join(lines) + (newline if lines else b"")
    cut = draw(st.booleans())
    if lines and cut:
        data = data[: draw(st.integers(0, len(data)))]  # a write cut short
    return data


# -- Prometheus exposition -----------------------------------------------------------------------------------

_METRIC_NAME = st.from_regex(r"\A[a-zA-Z_:][a-zA-Z0-9_:]{0,20}\Z")
_LABEL_NAME = st.from_regex(r"\A[a-zA-Z_][a-zA-Z0-9_]{0,10}\Z").filter(lambda n: not n.startswith("__"))
_LABEL_VALUE = st.text(max_size=15)
_SAMPLE_VALUE = st.one_of(st.integers(0, 10**9).map(str), st.floats(allow_nan=False, allow_infinity=False).map(repr),
                          st.sampled_from(["NaN", "+Inf", "-Inf", "1e-3", "0"]))


def _label_text(labels: Mapping[str, str]) -> str:
    if not labels:
        return ""
    escaped = (f'{name}="{value.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
               .replace("\n", "\\n") for name, value in labels.items())
    return "{" + ",".join(escaped) + "}"


@st.composite
def _family(draw: st.DrawFn, name: str) -> str:
    kind = draw(st.sampled_from(["counter", "gauge", "histogram", "summary", "untyped"]))
    lines = []
    if draw(st.booleans()):
        lines.append(f"# HELP {name} " + draw(st.text(string.ascii_letters + " ", max_size=30)))
    lines.append(f"# TYPE {name} {kind}")
    labels = draw(st.dictionaries(_LABEL_NAME.filter(lambda n: n not in ("le", "quantile")), _LABEL_VALUE,
                                  max_size=2))
    if kind == "histogram":
        bounds = sorted(set(draw(st.lists(st.floats(0.001, 100), min_size=1, max_size=5))))
        counts = sorted(draw(st.lists(st.integers(0, 1000), min_size=len(bounds) + 1, max_size=len(bounds) + 1)))
        for bound, count in zip([*map(repr, bounds), "+Inf"], counts, strict=True):
            lines.append(f"{name}_bucket{_label_text({**labels, 'le': bound})} {count}")
        lines.append(f"{name}_sum{_label_text(labels)} {draw(st.floats(0, 1e6))!r}")
        lines.append(f"{name}_count{_label_text(labels)} {counts[-1]}")
    elif kind == "summary":
        for quantile in ("0.5", "0.9", "0.99"):
            lines.append(f"{name}{_label_text({**labels, 'quantile': quantile})} {draw(_SAMPLE_VALUE)}")
        lines.append(f"{name}_sum{_label_text(labels)} {draw(st.floats(0, 1e6))!r}")
        lines.append(f"{name}_count{_label_text(labels)} {draw(st.integers(0, 10**6))}")
    else:
        sample = f"{name}_total" if kind == "counter" and draw(st.booleans()) else name
        value = draw(st.integers(0, 10**9).map(str)) if kind == "counter" else draw(_SAMPLE_VALUE)
        timestamp = f" {draw(st.integers(0, 2**41))}" if draw(st.booleans()) else ""
        lines.append(f"{sample}{_label_text(labels)} {value}{timestamp}")
    return "\n".join(lines)


@st.composite
def prometheus_text(draw: st.DrawFn) -> str:
    """A valid text exposition (format 0.0.4): counters, gauges, histograms (cumulative buckets ending in
    +Inf, _sum, _count), summaries and untyped samples; labels with escaped quotes, backslashes and
    newlines; NaN/±Inf values; optional timestamps."""
    names = draw(st.lists(_METRIC_NAME, min_size=1, max_size=4, unique_by=lambda n: n.rstrip("_")).filter(
        lambda ns: not any(a != b and (b.startswith(a + "_")) for a in ns for b in ns)))
    return "\n".join(draw(_family(name)) for name in names) + "\n"


@st.composite
def unparseable_prometheus_text(draw: st.DrawFn) -> str:
    """Exposition text a parser must reject: a sample without a value, an unclosed label set, an unquoted
    label value or a label without a value, a name starting with a digit, a value that is not a number."""
    good = draw(prometheus_text())
    line = draw(st.sampled_from([
        "http_requests_total\n", 'http_requests_total{code="200" 5\n', "http_requests_total{code=200} 5\n",
        "9metric 1\n", "up one\n", 'x{a="unterminated} 1\n', "x 1 abc\n", 'x{="a"} 1\n', "x{a} 1\n",
        '{} 1\n', 'x{a="1",,} 1\n',
    ]))
    return good + line


@st.composite
def semantically_broken_prometheus_text(draw: st.DrawFn) -> str:
    """Exposition that parses but cannot be trusted: histogram buckets that fall, no +Inf bucket, a _count
    that disagrees with +Inf, NaN or negative counts, a histogram with no buckets."""
    name = draw(_METRIC_NAME)
    variant = draw(st.sampled_from(["falling", "no_inf", "count_mismatch", "nan_count", "negative", "no_buckets"]))
    buckets = [("0.1", 10), ("0.5", 20), ("+Inf", 30)]
    count: str = "30"
    if variant == "falling":
        buckets = [("0.1", 30), ("0.5", 20), ("+Inf", 10)]
        count = "10"
    elif variant == "no_inf":
        buckets = buckets[:2]
    elif variant == "count_mismatch":
        count = "99"
    elif variant == "nan_count":
        count = "NaN"
    elif variant == "negative":
        buckets = [("0.1", -5), ("0.5", -1), ("+Inf", 0)]
        count = "0"
    elif variant == "no_buckets":
        buckets = []
    lines = [f"# TYPE {name} histogram"]
    lines += [f'{name}_bucket{{le="{le}"}} {value}' for le, value in buckets]
    lines += [f"{name}_sum 1.5", f"{name}_count {count}"]
    return "\n".join(lines) + "\n"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def past_times(max_days: int = 365) -> st.SearchStrategy[datetime]:
    """Aware UTC datetimes within the last `max_days` days (for history records and DORA windows)."""
    return st.integers(0, max_days * 86400).map(lambda seconds: utc_now() - timedelta(seconds=seconds))

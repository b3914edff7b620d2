"""setup.cfg and setup.py: literal requirements, read without running anything."""

from __future__ import annotations

from mosaic_hooks.detect.requirements import parse_setup_cfg, parse_setup_py


def test_setup_cfg_install_requires_and_extras() -> None:
    text = ("[metadata]\nname = svc\n\n[options]\npackages = find:\ninstall_requires =\n    flask>=3  # web\n"
            "    # a comment\n    click\n\n[options.extras_require]\ntest = pytest\n")
    entries, problems, declares = parse_setup_cfg("setup.cfg", text.encode())
    assert problems == [] and declares
    assert [(e.name, e.specifier, e.line, e.optional) for e in entries] == [
        ("flask", ">=3", 7, False), ("click", "", 9, False), ("pytest", "", 12, True)]


def test_setup_py_literal_requirements_are_read_without_running_it() -> None:
    text = ("import os\nfrom setuptools import setup\nos._exit(3)\nsetup(\n    name='svc',\n"
            "    install_requires=['requests>=2', 'rich'],\n    extras_require={'dev': ['pytest']},\n)\n")
    entries, problems, declares = parse_setup_py("setup.py", text.encode())
    assert problems == [] and declares
    assert [(e.name, e.group) for e in entries] == [("requests", "install_requires"), ("rich", "install_requires"),
                                                     ("pytest", "extras_require.dev")]
    computed = b"from setuptools import setup\nsetup(install_requires=open('r.txt').read().split())\n"
    assert parse_setup_py("setup.py", computed) == ([], [], False)

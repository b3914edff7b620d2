"""Poetry's version constraints, as PEP 440 specifier sets."""

from __future__ import annotations

import pytest

from mosaic_hooks.detect.requirements import poetry_constraint


@pytest.mark.parametrize(("poetry", "pep440"), [
    ("^1.2.3", "<2,>=1.2.3"),
    ("^0.2.3", "<0.3,>=0.2.3"),
    ("^0.0.3", "<0.0.4,>=0.0.3"),
    ("^0", "<1,>=0"),
    ("~1.2.3", "<1.3,>=1.2.3"),
    ("~1.2", "<1.3,>=1.2"),
    ("~1", "<2,>=1"),
    ("~=1.4", "~=1.4"),
    ("1.2.3", "==1.2.3"),
    ("1.2.*", "==1.2.*"),
    (">= 1.2, < 2.0", "<2.0,>=1.2"),
    ("*", ""),
    ("^1.0 || ^2.0", "^1.0 || ^2.0"),  # no PEP 440 form: kept as written
])
def test_poetry_constraints_are_translated_to_pep440(poetry: str, pep440: str) -> None:
    assert poetry_constraint(poetry) == pep440

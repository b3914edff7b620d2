"""Which changed paths the local checks look at (the rule in the agreed `local_checks.check_change` contract).

Kept apart, and free of imports, so the commit hook can see that a change touches nothing relevant
(a README, a stylesheet) without loading git layers, configuration or checks. `local_checks` should
use this same function, so the fast path and the checks can never disagree.
"""

from __future__ import annotations

_NAMES = frozenset({"pyproject.toml", "openapi.json", "openapi.yaml", "openapi.yml"})


def is_relevant(path: str) -> bool:
    """Python source, requirements*.txt, pyproject.toml, openapi.json/yaml, or anything under migrations/."""
    name = path.rpartition("/")[2]
    return (
        name.endswith(".py")
        or name in _NAMES
        or (name.startswith("requirements") and name.endswith(".txt"))
        or f"/{path}".find("/migrations/") != -1
    )


def any_relevant(paths: list[str]) -> bool:
    return any(is_relevant(path) for path in paths)

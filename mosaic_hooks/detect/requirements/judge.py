"""Is one requirement satisfied by one installed version in one environment? The one judge.

Used by the local check (the project's own environment) and by the dependencies gate (production, as
the probe reports it), so both give the same answer to the same input. Pure: the installed version and
the marker environment are arguments.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Verdict = Literal["ok", "fail", "undecided", "n/a"]
OK: Verdict = "ok"
FAIL: Verdict = "fail"
UNDECIDED: Verdict = "undecided"
NOT_APPLICABLE: Verdict = "n/a"  # the marker excludes this environment


@dataclass(frozen=True)
class Wanted:
    """One requirement to judge: `name specifier ; marker` (specifier "@ url" for a direct reference)."""

    name: str  # normalised
    specifier: str = ""
    marker: str = ""

    @property
    def direct(self) -> bool:
        return self.specifier.startswith("@")

    def label(self) -> str:
        spec = f" {self.specifier}" if self.direct else self.specifier
        return f"{self.name}{spec}"


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    reason: str  # what was found, without the place ("requests 2.0 does not satisfy >=2.31")


def judge(item: Wanted, installed: str | None, environment: Mapping[str, str] | None = None) -> Judgement:
    """`item` against `installed` (None: not installed); markers evaluated in `environment` (None: this
    interpreter's). Anything that cannot be evaluated (a bad marker, a specifier or version that is not
    PEP 440) is undecided, never an error."""
    from packaging.markers import InvalidMarker, Marker, UndefinedComparison, UndefinedEnvironmentName
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    label = item.label()
    if item.marker:
        env = {"extra": "", **environment} if environment is not None else {"extra": ""}
        try:
            applies = Marker(item.marker).evaluate(env)
        except (InvalidMarker, UndefinedComparison, UndefinedEnvironmentName, ValueError) as exc:
            return Judgement(UNDECIDED, f"{label}: cannot evaluate marker '{item.marker}': {exc}")
        if not applies:
            return Judgement(NOT_APPLICABLE, f"{label} not required (marker '{item.marker}' is false)")
    if installed is None:
        return Judgement(FAIL, f"{label} is not installed")
    if item.direct:
        return Judgement(OK, f"{item.name} {installed} installed (direct reference: version not compared)")
    if not item.specifier:
        return Judgement(OK, f"{item.name} {installed} installed")
    try:
        specifier = SpecifierSet(item.specifier)
    except InvalidSpecifier:
        return Judgement(UNDECIDED, f"{label}: '{item.specifier}' is not a PEP 440 specifier, version not compared")
    try:
        version = Version(installed)
    except InvalidVersion:
        return Judgement(UNDECIDED, f"{item.name} {installed}: not a PEP 440 version, cannot compare")
    if specifier.contains(version, prereleases=True):
        return Judgement(OK, f"{item.name} {installed} satisfies {item.specifier}")
    return Judgement(FAIL, f"{item.name} {installed} does not satisfy {item.specifier}")

"""One requirement string (PEP 508, or a pip URL/path line), whatever file it was written in."""

from __future__ import annotations

import posixpath
import re

from mosaic_hooks.detect.requirements.model import Declared, Problem, canonical

_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_WHEEL = re.compile(r"([A-Za-z0-9][A-Za-z0-9._]*)-\d[^-/]*(-[^/]*)?\.whl$")
_SDIST = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*?)-\d[^/]*\.(tar\.gz|zip|tar\.bz2|tgz)$")


def name_from_url(url: str) -> str | None:
    """The distribution a URL installs, when it says: `#egg=name`, or a wheel's or sdist's file name."""
    egg = _EGG.search(url)
    if egg:
        return egg.group(1).split("[")[0]
    base = url.split("#")[0].split("?")[0].rstrip("/")
    for pattern in (_WHEEL, _SDIST):
        match = pattern.search(posixpath.basename(base))
        if match:
            return match.group(1)
    return None


def _looks_like_location(text: str) -> bool:
    return ("://" in text or text.startswith(("git+", "hg+", "svn+", "bzr+", ".", "/", "~", "file:"))
            or text.endswith((".whl", ".tar.gz", ".zip", ".tgz", ".tar.bz2")))


def parse_requirement_string(text: str, *, file: str, line: int, group: str = "",
                             optional: bool = False) -> tuple[Declared | None, Problem | None]:
    """One PEP 508 requirement (or a pip URL/path line). (None, None) for a nameless local path."""
    from packaging.requirements import InvalidRequirement
    from packaging.requirements import Requirement as Pep508

    try:
        req = Pep508(text)
    except InvalidRequirement as exc:
        location = text.split(";")[0].strip()
        if _looks_like_location(location):
            marker = text.split(";", 1)[1].strip() if ";" in text else ""
            name = name_from_url(location)
            if name is None:
                return None, None  # a local project or an archive without a name: nothing to compare
            return Declared(name=canonical(name), specifier="", file=file, line=line, group=group,
                            marker=marker, url=location, optional=optional), None
        if "${" in text:
            return None, None  # pip expands ${VARIABLES} at install time: unknowable here, not an error
        detail = str(exc).splitlines()[0]
        return None, Problem(file, line, f"invalid requirement {text!r}: {detail}")
    return Declared(
        name=canonical(req.name), specifier=str(req.specifier), file=file, line=line, group=group,
        marker=str(req.marker) if req.marker else "", extras=tuple(sorted(req.extras)), url=req.url or "",
        optional=optional,
    ), None

"""What a range of commits changes: the data the change detection produces and the gates consume.

Pure data, no I/O.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, order=True)
class Endpoint:
    method: str  # upper case; "ANY" where the framework does not say
    path: str  # full public path, parameters written {name}
    file: str = field(default="", compare=False)
    line: int = field(default=0, compare=False)
    framework: str = field(default="", compare=False)
    # False: the route is served but kept out of the app's OpenAPI document by design
    # (`include_in_schema=False`, the framework's own /docs and /openapi.json, the mosaic probe).
    in_schema: bool = field(default=True, compare=False)
    # Where the endpoint was found: "code" (the application's routes) or "openapi" (a committed document).
    source: str = field(default="code", compare=False)

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)


@dataclass(frozen=True)
class Requirement:
    name: str  # normalised (packaging.utils.canonicalize_name)
    specifier: str  # "" when unpinned
    file: str
    marker: str = ""
    dev: bool = False  # from a development file or group: production does not install it


@dataclass(frozen=True)
class RequirementUpdate:
    name: str
    old: str
    new: str
    file: str
    dev: bool = False


@dataclass(frozen=True)
class Migration:
    id: str
    file: str


@dataclass
class EndpointChanges:
    added: list[Endpoint] = field(default_factory=list)
    removed: list[Endpoint] = field(default_factory=list)
    changed: list[Endpoint] = field(default_factory=list)


@dataclass
class RequirementChanges:
    added: list[Requirement] = field(default_factory=list)
    removed: list[Requirement] = field(default_factory=list)
    changed: list[RequirementUpdate] = field(default_factory=list)


@dataclass
class MigrationChanges:
    added: list[Migration] = field(default_factory=list)
    heads: list[str] = field(default_factory=list)
    tool: str | None = None  # "alembic", "django" or None


@dataclass
class ChangeSet:
    base: str | None
    head: str | None  # None: the staged index
    endpoints: EndpointChanges = field(default_factory=EndpointChanges)
    requirements: RequirementChanges = field(default_factory=RequirementChanges)
    migrations: MigrationChanges = field(default_factory=MigrationChanges)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def is_empty(self) -> bool:
        e, r, m = self.endpoints, self.requirements, self.migrations
        return not (e.added or e.removed or e.changed or r.added or r.removed or r.changed or m.added)

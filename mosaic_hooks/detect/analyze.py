"""What a range changes: endpoints, requirements and migrations, from the two revisions' files.

The one place that reads git for the change detection: both revisions go through `GitSnapshot`
(one `git cat-file --batch` per read), wrapped in a cache so that the analysers share what they read.
A change touching no relevant path (see `relevance`) is answered without reading anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mosaic_hooks.core import git
from mosaic_hooks.detect import relevance
from mosaic_hooks.detect.changeset import ChangeSet, EndpointChanges
from mosaic_hooks.detect.snapshot import EmptySnapshot, GitSnapshot, Snapshot

if TYPE_CHECKING:  # each analyser is imported when a changed path needs it: a hook stays cheap
    from mosaic_hooks.detect import requirements


class CachingSnapshot:
    """A snapshot that reads each path at most once (misses included)."""

    def __init__(self, inner: Snapshot) -> None:
        self.inner = inner
        self._paths: list[str] | None = None
        self._files: dict[str, bytes | None] = {}
        self.reads = 0  # how many times the inner snapshot was asked (for the benchmark)

    def paths(self) -> list[str]:
        if self._paths is None:
            self._paths = self.inner.paths()
        return self._paths

    def read(self, paths: Iterable[str]) -> dict[str, bytes]:
        wanted = list(dict.fromkeys(paths))
        missing = [path for path in wanted if path not in self._files]
        if missing:
            self.reads += 1
            found = self.inner.read(missing)
            for path in missing:
                self._files[path] = found.get(path)
        return {path: data for path in wanted if (data := self._files[path]) is not None}

    def read_one(self, path: str) -> bytes | None:
        return self.read([path]).get(path)


def snapshots(repo: git.Repo, base: str | None, head: str | None) -> tuple[CachingSnapshot, CachingSnapshot]:
    """The two revisions: `base=None` is the empty tree, `head=None` the staged index."""
    before: Snapshot = EmptySnapshot() if base is None else GitSnapshot(repo, base)
    return CachingSnapshot(before), CachingSnapshot(GitSnapshot(repo, head))


@dataclass
class ChangeAnalysis:
    """A ChangeSet plus what the local checks need beyond it."""

    changeset: ChangeSet
    relevant: relevance.Relevant
    base: CachingSnapshot
    head: CachingSnapshot
    changed: list[str]
    requirement_problems: list[requirements.Problem] = field(default_factory=list)  # in changed files, at head
    touched_requirements: list[requirements.Declared] = field(default_factory=list)  # added or changed, at head


def declared_requirements(snapshot: CachingSnapshot, roots: Sequence[str] | None = None) -> requirements.DeclaredSet:
    """The requirements a revision declares (all its dependency files, or just `roots`)."""
    if roots is None:
        roots = [path for path in snapshot.paths() if relevance.is_dependency_file(path)]
    snapshot.read(roots)
    from mosaic_hooks.detect import requirements

    return requirements.collect(roots, snapshot.read_one)


def _endpoint_changes(base: CachingSnapshot, head: CachingSnapshot, changed: Sequence[str],
                      documents: str) -> tuple[EndpointChanges, list[str]]:
    # Imported lazily: the endpoint extraction is the heaviest analyser.
    if isinstance(head.inner, GitSnapshot) and isinstance(base.inner, GitSnapshot | EmptySnapshot):
        # Two revisions of a repository: blob ids name their files, so the persistent cache applies.
        from mosaic_hooks.detect.cache import AnalysisCache, cache_dir
        from mosaic_hooks.detect.endpoints import incremental, snapshot_root
        from mosaic_hooks.detect.project_env import project_site_packages

        store = AnalysisCache(cache_dir(head.inner.repo))
        return incremental.endpoint_changes(store, base.inner.blob_ids(), head.inner.blob_ids(),
                                            base.read, head.read, changed,
                                            project_site_packages(snapshot_root(head)), documents)
    from mosaic_hooks.detect.endpoints import endpoint_changes

    found, warnings = endpoint_changes(base, head, changed, documents=documents)
    return found, list(warnings)


def analyze_snapshots(base: CachingSnapshot, head: CachingSnapshot, changed: Sequence[str], *,
                      base_rev: str | None = None, head_rev: str | None = None,
                      endpoints: bool = True, openapi_documents: str = "auto") -> ChangeAnalysis:
    """`endpoints=False` leaves the endpoint extraction out (a whole-tree check lists no endpoints);
    `openapi_documents`: the configuration's setting of that name (when committed documents count)."""
    changed = list(changed)
    relevant = relevance.classify(changed)
    changeset = ChangeSet(base=base_rev, head=head_rev)
    analysis = ChangeAnalysis(changeset=changeset, relevant=relevant, base=base, head=head, changed=changed)
    if not relevant:
        return analysis
    if endpoints and relevant.endpoint_sources:
        changeset.endpoints, warnings = _endpoint_changes(base, head, changed, openapi_documents)
        changeset.warnings += warnings
    if relevant.dependencies:
        from mosaic_hooks.detect import requirements

        old = declared_requirements(base, relevant.dependencies)
        new = declared_requirements(head, relevant.dependencies)
        changeset.requirements, analysis.touched_requirements = requirements.diff(old.entries, new.entries)
        changed_set = set(changed)
        for problem in new.problems:
            changeset.warnings.append(str(problem))
            if problem.file in changed_set:
                analysis.requirement_problems.append(problem)
    if relevant.migrations:
        from mosaic_hooks.detect import migrations

        changeset.migrations, warnings = migrations.migration_changes(base, head, changed)
        changeset.warnings += warnings
    return analysis


def analyze_full(repo: git.Repo, base: str | None, head: str | None, *,
                 paths: list[str] | None = None, endpoints: bool = True,
                 openapi_documents: str = "auto") -> ChangeAnalysis:
    if paths is None:
        paths = git.changed_paths(repo, base, head)
    before, after = snapshots(repo, base, head)
    return analyze_snapshots(before, after, paths, base_rev=base, head_rev=head, endpoints=endpoints,
                             openapi_documents=openapi_documents)


def analyze(repo: git.Repo, base: str | None, head: str | None, *, paths: list[str] | None = None,
            openapi_documents: str = "auto") -> ChangeSet:
    """What `base..head` changes (`head=None`: the staged index; `base=None`: everything in head is new).

    `paths`: the changed paths, if the caller already has them (else one `git diff` finds them);
    `openapi_documents`: the configuration's setting (when committed OpenAPI documents count).
    """
    return analyze_full(repo, base, head, paths=paths, openapi_documents=openapi_documents).changeset

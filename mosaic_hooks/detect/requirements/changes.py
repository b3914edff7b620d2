"""What changed between two revisions' declared requirements."""

from __future__ import annotations

from collections.abc import Sequence

from mosaic_hooks.detect.changeset import RequirementChanges, RequirementUpdate
from mosaic_hooks.detect.requirements.model import Declared


def diff(old: Sequence[Declared], new: Sequence[Declared]) -> tuple[RequirementChanges, list[Declared]]:
    """What changed between two declared sets, per (file, group, name); and the head entries added/changed."""
    def by_key(entries: Sequence[Declared]) -> dict[tuple[str, str, str], list[Declared]]:
        table: dict[tuple[str, str, str], list[Declared]] = {}
        for entry in entries:
            table.setdefault((entry.file, entry.group, entry.name), []).append(entry)
        return table

    def moved_key(entries: list[Declared]) -> tuple[str, bool, tuple[str, ...]]:
        return (entries[0].name, entries[0].optional, tuple(sorted(entry.display() for entry in entries)))

    before, after = by_key(old), by_key(new)
    changes = RequirementChanges()
    touched: list[Declared] = []
    new_keys = sorted(after.keys() - before.keys())
    gone_keys = sorted(before.keys() - after.keys())
    # The same requirement moved to another file or group of the same kind (requirements.txt split
    # into requirements/base.txt, say) is neither added nor removed.
    gone_moves = {moved_key(before[key]): key for key in gone_keys}
    for key in new_keys:
        twin = gone_moves.pop(moved_key(after[key]), None)
        if twin is not None:
            gone_keys.remove(twin)
            continue
        changes.added += [entry.to_requirement() for entry in after[key]]
        touched += after[key]
    for key in gone_keys:
        changes.removed += [entry.to_requirement() for entry in before[key]]
    for key in sorted(after.keys() & before.keys()):
        old_text = " | ".join(sorted(entry.display() for entry in before[key]))
        new_text = " | ".join(sorted(entry.display() for entry in after[key]))
        if old_text != new_text:
            changes.changed.append(RequirementUpdate(name=key[2], old=old_text, new=new_text, file=key[0],
                                                               dev=after[key][0].dev))
            touched += after[key]
    return changes, touched

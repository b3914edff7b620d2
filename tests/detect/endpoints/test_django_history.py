"""Change detection on a Django + DRF history, scored against Django's own URL resolver at every commit.

The history (django_history.py) replays patterns of public Django projects; the targets are the ones
the project holds itself to on Django histories it has not seen.
"""

from __future__ import annotations

from pathlib import Path

from .helpers import load_sibling

history = load_sibling("django_history")


def test_django_history_meets_the_accuracy_targets(tmp_path: Path) -> None:
    scores = history.measure(tmp_path, timeout=120)
    report = "\n".join(scores.lines) + "\n" + scores.summary()
    assert scores.added_precision >= 0.95, report
    assert scores.added_recall >= 0.90, report
    assert scores.removed_recall >= 0.85, report
    assert scores.removed_precision >= 0.95, report
    assert scores.no_change_commits >= 5, "the history must hold commits that change no endpoint"
    assert scores.no_change_flagged_rate <= 0.05, report

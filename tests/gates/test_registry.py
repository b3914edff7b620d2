"""The gates' registry runs exactly the gates the configuration, MOSAIC_SKIP and the reports know by name
(core/gate_names.py), in that order."""

from __future__ import annotations

import importlib

from mosaic_hooks.core.gate_names import GATE_NAMES
from mosaic_hooks.core.skip_names import KNOWN_CHECKS
from mosaic_hooks.gates import GATES


def test_the_registry_lists_the_named_gates_in_report_order() -> None:
    assert tuple(spec.name for spec in GATES) == GATE_NAMES


def test_every_registered_gate_module_is_named_as_its_gate() -> None:
    for spec in GATES:
        assert spec.name == importlib.import_module(spec.module).NAME


def test_mosaic_skip_accepts_every_gate_name() -> None:
    assert set(GATE_NAMES) <= KNOWN_CHECKS

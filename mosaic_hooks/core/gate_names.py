"""The production gates' names, in report order: what `[gates]` in the configuration, `MOSAIC_SKIP` and the
reports call them. Here in core so the configuration can check a `[gates]` table without the gates layer;
the registry (`gates/__init__.py`) lists its gates in this order, and a test keeps the two in step. Pure."""

from __future__ import annotations

GATE_NAMES: tuple[str, ...] = ("deploy", "health", "endpoints", "contract", "errors", "dependencies", "migrations",
                               "monitoring")

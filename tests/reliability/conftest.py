"""The reliability suites (faults, bad input, records, secrets): every test here is marked `reliability`
and may record its figures through the `reliability_log` fixture (see tests/support/reliability_log.py);
`scripts/reliability_report.py` runs them and prints the table.

Fixtures available to every test in this directory:
- `reliability_log`: appends one JSON line per case to $MOSAIC_RELIABILITY_LOG (no-op when unset).
- `secret_markers`: sets RENDER_API_KEY, MOSAIC_PROBE_TOKEN and DATABASE_URL to unique markers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.reliability_log import reliability_log
from tests.support.secrets import secret_markers

__all__ = ["reliability_log", "secret_markers"]

_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in item.path.resolve().parents:
            item.add_marker(pytest.mark.reliability)

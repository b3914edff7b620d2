"""What a test does when a service it needs from the machine (PostgreSQL, Chromium) is not installed.

On a developer's machine it is skipped, saying why. In CI (`.ci/run` sets MOSAIC_REQUIRE_SERVICES=1 after
installing them) it fails: a check that silently did not run is not a pass.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

REQUIRE_SERVICES = "MOSAIC_REQUIRE_SERVICES"


def services_required() -> bool:
    return os.environ.get(REQUIRE_SERVICES, "").strip() not in ("", "0")


def service_missing(reason: str) -> NoReturn:
    if services_required():
        pytest.fail(f"{reason}, and {REQUIRE_SERVICES}=1 requires it", pytrace=False)
    pytest.skip(reason)

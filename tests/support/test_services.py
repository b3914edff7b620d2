"""A missing PostgreSQL or Chromium skips a test on a developer's machine and fails it in CI."""

from __future__ import annotations

import pytest

from tests.support.services import REQUIRE_SERVICES, service_missing


def test_a_missing_service_is_a_skip_that_says_why_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REQUIRE_SERVICES, raising=False)
    with pytest.raises(pytest.skip.Exception, match="chromium is not installed"):
        service_missing("chromium is not installed")


@pytest.mark.parametrize("value", ["1", "yes"])
def test_a_missing_service_fails_when_ci_requires_the_services(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(REQUIRE_SERVICES, value)
    with pytest.raises(pytest.fail.Exception, match="PostgreSQL is not installed, and MOSAIC_REQUIRE_SERVICES=1"):
        service_missing("PostgreSQL is not installed")


def test_zero_or_empty_does_not_require_them(monkeypatch: pytest.MonkeyPatch) -> None:
    for value in ("0", ""):
        monkeypatch.setenv(REQUIRE_SERVICES, value)
        with pytest.raises(pytest.skip.Exception):
            service_missing("PostgreSQL is not installed")

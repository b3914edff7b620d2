"""Scripted faults: the next requests answer 429 with Retry-After, or a burst of server errors."""

from __future__ import annotations

import httpx

from mosaic_hooks.testing.render_fake import RenderFake


def test_scripted_rate_limits_answer_429_with_retry_after(fake: RenderFake, http: httpx.Client) -> None:
    fake.add_service("srv-429")
    fake.rate_limit(1, retry_after=2)
    limited = http.get("/services/srv-429")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "2"
    assert limited.headers["Ratelimit-Remaining"] == "0"
    assert limited.json()["message"] == "Rate limit has been surpassed."
    fine = http.get("/services/srv-429")
    assert fine.status_code == 200
    assert int(fine.headers["Ratelimit-Limit"]) == 400 and "Ratelimit-Reset" in fine.headers


def test_scripted_server_error_bursts(fake: RenderFake, http: httpx.Client) -> None:
    fake.add_service("srv-5xx")
    fake.fail_next(2, 502)
    assert [http.get("/services/srv-5xx").status_code for _ in range(3)] == [502, 502, 200]

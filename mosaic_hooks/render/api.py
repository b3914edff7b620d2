"""A small client of Render's REST API (v1): the few endpoints a deploy waiter needs (GETs, and the
rollback POST).

Being a good API citizen: every request has a timeout; 5xx answers, timeouts and connection errors are
retried with jittered exponential backoff (tenacity); a 429 waits for its `Retry-After`; `Ratelimit-*`
headers are honoured before the next request; 401/403/404 fail at once. The API key is sent only to
the configured API host (redirects are not followed) and never appears in any message: httpx exceptions
carry the request, so they are turned into our own one-line errors and never chained.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from mosaic_hooks.core import exit_codes, isotime, redact
from mosaic_hooks.core.errors import MosaicError
from mosaic_hooks.render.clock import SYSTEM_CLOCK, Clock

if TYPE_CHECKING:
    import httpx
    from tenacity import RetryCallState

MAX_LIMIT = 100  # Render's maximum page size
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
_MAX_SERVER_WAIT = 120.0  # longest Retry-After / Ratelimit-Reset we accept before giving up


class RenderAPIError(MosaicError):
    """Render could not answer usefully (after retries): the wait is inconclusive."""

    exit_code = exit_codes.INCONCLUSIVE


class RenderUnreachable(RenderAPIError):
    """Connection errors, timeouts, 5xx or 429 that outlasted the retries or the deadline."""


class RenderRefused(RenderAPIError):
    """401/403/404 or a redirect: retrying cannot help, the configuration must change."""

    exit_code = exit_codes.USAGE


class _Transient(Exception):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def _seconds_until_reset(value: str | None) -> float | None:
    """`Ratelimit-Reset` is documented as epoch seconds but shown as seconds-to-go: accept both."""
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    if number > 1e9:
        number -= time.time()
    return max(0.0, number)


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - time.time())


def _error_message(response: httpx.Response, secrets: list[str]) -> str:
    """The `message` of Render's `{id, message}` error body (secrets masked, then cut), or the reason phrase.

    A proxy or an API may repeat the request's `Authorization` header in its message: masking after the
    cut would leave the key's first characters (issue 15)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return redact.clip(" ".join(str(body["message"]).split()), 200, secrets)
    return response.reason_phrase or "no message"


class RenderAPI:
    """GETs against one Render API base URL with one key. Not thread-safe; one per wait."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float = 10.0,
        attempts: int = 5,
        backoff_base: float = 1.0,
        backoff_max: float = 30.0,
        deadline: float | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        parts = urlsplit(base_url)
        host = parts.hostname or ""
        if parts.scheme not in ("http", "https") or not host:
            raise RenderRefused(f"Render API URL {base_url!r} is not an http(s) URL",
                                hint="set MOSAIC_RENDER_API_URL to e.g. https://api.render.com/v1")
        if parts.scheme == "http" and host not in LOOPBACK_HOSTS:
            raise RenderRefused(f"refusing to send the Render API key over plain http to {host}",
                                hint="use an https:// Render API URL")
        if not api_key:
            raise RenderRefused("no Render API key", hint="set RENDER_API_KEY")
        redact.register(api_key)  # also when the key came from a mapping other than os.environ
        self.base_url = base_url.rstrip("/")
        self.host = host
        self._key = api_key
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.deadline = deadline  # clock.monotonic() value no retry or wait may pass
        self._clock = clock
        self._sleep = sleep or clock.sleep
        self._client: httpx.Client | None = None
        self._not_before = 0.0  # monotonic time before which Ratelimit-* asked us not to call
        self._delay_for: tuple[int, float] = (0, 0.0)
        self.requests = 0  # HTTP requests sent, retries included
        self.request_times: list[float] = []  # monotonic send times, for budgets and benchmarks

    # -- lifecycle -------------------------------------------------------------------------------
    def __enter__(self) -> RenderAPI:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _http(self) -> httpx.Client:
        if self._client is None:
            import httpx

            self._client = httpx.Client(
                headers={"Authorization": f"Bearer {self._key}", "Accept": "application/json",
                         "User-Agent": "mosaic-hooks"},
                timeout=httpx.Timeout(self.timeout),
                follow_redirects=False,  # a redirect to another host must never carry the key
                # Proxies from the environment serve the real API (the key travels inside TLS); a local
                # fake is reached directly, whatever HTTP_PROXY says.
                trust_env=self.host not in LOOPBACK_HOSTS,
            )
        return self._client

    # -- endpoints -------------------------------------------------------------------------------
    def get_service(self, service_id: str) -> dict[str, Any]:
        return self._object(self.get(f"/services/{service_id}"), f"service {service_id}")

    def get_deploy(self, service_id: str, deploy_id: str) -> dict[str, Any]:
        return self._object(self.get(f"/services/{service_id}/deploys/{deploy_id}"), f"deploy {deploy_id}")

    def list_deploys(self, service_id: str, *, created_after: datetime | None = None,
                     statuses: Iterable[str] = (), limit: int = MAX_LIMIT, max_pages: int = 10) -> list[dict[str, Any]]:
        """Deploys (unwrapped from `{deploy, cursor}`), following cursor pages up to `max_pages`."""
        params: dict[str, Any] = {"limit": limit}
        if created_after is not None:
            params["createdAfter"] = isotime.iso_millis(created_after)
        if statuses:
            params["status"] = list(statuses)
        return self._pages(f"/services/{service_id}/deploys", params, "deploy", limit, max_pages)

    def list_events(self, service_id: str, *, start_time: datetime, end_time: datetime | None = None,
                    event_type: str | None = None, limit: int = MAX_LIMIT,
                    max_pages: int = 5) -> list[dict[str, Any]]:
        """Service events (unwrapped from `{event, cursor}`) since `start_time` (Render's default is 1 h).
        `type` takes ONE event type in Render's spec: ask once per type (or for all, and filter)."""
        params: dict[str, Any] = {"limit": limit, "startTime": isotime.iso_millis(start_time)}
        if end_time is not None:
            params["endTime"] = isotime.iso_millis(end_time)
        if event_type:
            params["type"] = event_type
        return self._pages(f"/services/{service_id}/events", params, "event", limit, max_pages)

    def rollback(self, service_id: str, deploy_id: str) -> dict[str, Any]:
        """`POST /services/{id}/rollback` with `{"deployId"}`: the new deploy (trigger `rollback`). Sent once,
        never retried: a second POST could start a second rollback."""
        return self._object(self.post(f"/services/{service_id}/rollback", {"deployId": deploy_id}),
                            f"the rollback to {deploy_id}")

    # -- plumbing --------------------------------------------------------------------------------
    def _object(self, body: Any, what: str) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise RenderAPIError(f"Render API: the answer for {what} is not a JSON object")
        return body

    def _pages(self, path: str, params: dict[str, Any], key: str, limit: int,
               max_pages: int) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for _ in range(max_pages):
            page = self.get(path, params)
            if not isinstance(page, list):
                raise RenderAPIError(f"Render API: GET {path} did not answer a JSON list")
            for entry in page:
                if isinstance(entry, dict) and isinstance(entry.get(key), dict):
                    items.append(entry[key])
                elif isinstance(entry, dict) and "id" in entry:  # tolerate a bare resource
                    items.append(entry)
            last = page[-1] if page else None
            cursor = last.get("cursor") if isinstance(last, dict) else None
            if len(page) < limit or not isinstance(cursor, str) or not cursor:
                break
            params = {**params, "cursor": cursor}
        return items

    def post(self, path: str, body: Mapping[str, Any]) -> Any:
        """One POST, without retries (not idempotent); raises like `get`."""
        try:
            return self._once(path, {}, method="POST", body=body)
        except _Transient as exc:
            message = exc.message
        raise RenderUnreachable(self._clean(f"Render API: POST {path}: {message} (not retried)"))

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """One GET with retries; raises RenderRefused, RenderUnreachable or RenderAPIError."""
        from tenacity import Retrying, retry_if_exception_type

        self._delay_for = (0, 0.0)
        retrying = Retrying(retry=retry_if_exception_type(_Transient), stop=self._stop, wait=self._wait,
                            sleep=self._sleep, reraise=True)
        failure: RenderAPIError | None = None
        try:
            for attempt in retrying:
                with attempt:
                    return self._once(path, params or {})
        except _Transient as exc:
            tries = "1 attempt" if self.attempts == 1 else "several attempts"
            failure = RenderUnreachable(self._clean(f"Render API: GET {path}: {exc.message} (gave up after {tries})"),
                                        hint="Render may be down or the network unreachable; try again later")
        # Raised outside the except block, so no exception context (an httpx request) travels with it.
        raise failure or AssertionError("unreachable")

    def _delay(self, state: RetryCallState) -> float:
        """The wait before the next attempt, drawn once per attempt: tenacity versions differ in whether
        `stop` or `wait` is asked first, and both need the same jittered value."""
        if self._delay_for[0] != state.attempt_number:
            exc = state.outcome.exception() if state.outcome else None
            hint = exc.retry_after if isinstance(exc, _Transient) else None
            if hint is not None:
                delay = min(hint, _MAX_SERVER_WAIT) + random.uniform(0, 0.1)
            else:
                ceiling = min(self.backoff_max, self.backoff_base * 2 ** (state.attempt_number - 1))
                delay = ceiling / 2 + random.uniform(0, ceiling / 2)  # "equal jitter": never a zero wait
            self._delay_for = (state.attempt_number, delay)
        return self._delay_for[1]

    def _stop(self, state: RetryCallState) -> bool:
        if state.attempt_number >= self.attempts:
            return True
        return self.deadline is not None and self._clock.monotonic() + self._delay(state) > self.deadline

    def _wait(self, state: RetryCallState) -> float:
        return self._delay(state)

    def _respect_rate_limit(self, path: str) -> None:
        pause = self._not_before - self._clock.monotonic()
        if pause <= 0:
            return
        if self.deadline is not None and self._clock.monotonic() + pause > self.deadline:
            raise RenderUnreachable(f"Render API: GET {path}: rate limit exhausted until after the time limit")
        self._sleep(pause)

    def _once(self, path: str, params: Mapping[str, Any], *, method: str = "GET",
              body: Mapping[str, Any] | None = None) -> Any:
        import httpx

        self._respect_rate_limit(path)
        self.requests += 1
        self.request_times.append(self._clock.monotonic())
        failure: Exception | None = None
        try:
            if method == "POST":
                response = self._http().post(self.base_url + path, json=dict(body or {}))
            else:
                response = self._http().get(self.base_url + path, params=dict(params))
        except httpx.TimeoutException:
            failure = _Transient(f"no answer within {self.timeout:g}s")
        except httpx.ConnectError as exc:
            failure = _Transient(f"cannot connect to {self.host} ({self._clean(type(exc).__name__)}: "
                                 f"{redact.clip(str(exc), 160, self._secrets())})")
        except httpx.TransportError as exc:  # connected, then the answer broke off
            failure = _Transient(f"the answer from {self.host} broke off ({self._clean(type(exc).__name__)}: "
                                 f"{redact.clip(str(exc), 160, self._secrets())})")
        except httpx.HTTPError as exc:
            failure = RenderAPIError(self._clean(f"Render API: {method} {path}: {type(exc).__name__}"))
        if failure is not None:  # raised here, outside the except blocks: no httpx exception as context
            raise failure
        self._note_rate_limit(response)
        status = response.status_code
        if 200 <= status < 300:
            if not response.content.strip():
                return None
            try:
                return response.json()
            except ValueError:
                raise RenderAPIError(f"Render API: {method} {path} answered {status} with a body that is not JSON",
                                     hint="check MOSAIC_RENDER_API_URL points at Render's API (…/v1)") from None
        message = self._clean(_error_message(response, self._secrets()))
        if 300 <= status < 400:
            target = urlsplit(response.headers.get("location", "")).hostname or "elsewhere"
            raise RenderRefused(f"Render API: {method} {path} answered a redirect ({status}) to {target}; "
                                f"not followed, so the API key is only ever sent to {self.host}",
                                hint="set MOSAIC_RENDER_API_URL to the API's final address")
        if status in (401, 403):
            raise RenderRefused(f"Render API refused the key ({status}: {message})",
                                hint="check RENDER_API_KEY: create a key in Render's account settings")
        if status == 404:
            raise RenderRefused(f"Render API: {method} {path}: not found (404: {message})",
                                hint="check RENDER_SERVICE_ID (srv-...) and that the key's account owns it")
        if status == 429:
            wait = _retry_after(response.headers.get("retry-after"))
            if wait is None:
                wait = _seconds_until_reset(response.headers.get("ratelimit-reset"))
            raise _Transient(f"rate limited (429: {message})", retry_after=wait)
        if status >= 500:
            raise _Transient(f"answered {status} ({message})")
        raise RenderAPIError(f"Render API: {method} {path} answered {status}: {message}")

    def _note_rate_limit(self, response: httpx.Response) -> None:
        remaining = response.headers.get("ratelimit-remaining")
        if remaining is None or response.status_code == 429:
            return
        try:
            left = int(float(remaining))
        except ValueError:
            return
        if left <= 0:
            reset = _seconds_until_reset(response.headers.get("ratelimit-reset"))
            if reset is not None:
                self._not_before = self._clock.monotonic() + min(reset, _MAX_SERVER_WAIT)

    def _secrets(self) -> list[str]:
        return sorted({self._key, *redact.secret_values()} - {""}, key=len, reverse=True)

    def _clean(self, text: str) -> str:
        return redact.redact(text, self._secrets())

"""Keeps secrets out of everything the tool writes.

Every line written to the terminal, and every report and record, passes through `redact`.
The secret values are read from the environment each time, so a key set by a test or a
wrapper after import is still caught.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from urllib.parse import unquote, urlsplit

SECRET_ENV_VARS = ("RENDER_API_KEY", "MOSAIC_PROBE_TOKEN")
URL_ENV_VARS = ("DATABASE_URL",)
MASK = "***"

# Shorter values would mask ordinary words; no real key or password we handle is this short.
_MIN_SECRET_LENGTH = 4

_extra: set[str] = set()


def register(value: str | None) -> None:
    """Treat `value` as a secret for the rest of the process (e.g. a key read from a file)."""
    if value and len(value) >= _MIN_SECRET_LENGTH:
        _extra.add(value)


def url_password(url: str) -> str | None:
    try:
        password = urlsplit(url).password
    except ValueError:
        return None
    return unquote(password) if password else None


def secret_values(env: Mapping[str, str] | None = None) -> list[str]:
    env = os.environ if env is None else env
    values = set(_extra)
    for name in SECRET_ENV_VARS:
        if value := env.get(name):
            values.add(value)
    for name in URL_ENV_VARS:
        if (url := env.get(name)) and (password := url_password(url)):
            values.add(password)
    values = {v for v in values if len(v) >= _MIN_SECRET_LENGTH}
    # Percent-encoded forms appear in URLs that embed the secret.
    from urllib.parse import quote

    values |= {quote(v, safe="") for v in values}
    return sorted(values, key=len, reverse=True)


def redact(text: str, secrets: Iterable[str] | None = None) -> str:
    for secret in secret_values() if secrets is None else secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def redact_url(url: str) -> str:
    """`postgres://user:pw@host/db` -> `postgres://user:***@host/db`."""
    password = url_password(url)
    if not password:
        return url
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    userinfo = netloc[0].split(":", 1)[0]
    return parts._replace(netloc=f"{userinfo}:{MASK}@{netloc[1]}").geturl()

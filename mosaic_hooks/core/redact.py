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


# A fragment of a secret this short left at a cut is not masked: it would mask ordinary words.
_MIN_FRAGMENT = _MIN_SECRET_LENGTH
ELLIPSIS = "…"


def clip(text: str, limit: int, secrets: Iterable[str] | None = None) -> str:
    """`text` in at most `limit` characters (an ellipsis marks a cut), with no part of a secret left.

    Secrets are masked BEFORE the cut: a cut that fell inside a secret would otherwise leave its first
    characters, which `redact` can no longer recognise. Where the text itself is already a cut-off piece
    (its end was never read), a tail that is the start of a secret is masked too. Every cut of text from
    outside (error messages, answers, exceptions) goes through here.
    """
    values = secret_values() if secrets is None else [*secrets]
    text = _mask_cut_secret(redact(text, values), values)
    if len(text) <= limit:
        return text
    return text[:max(0, limit - len(ELLIPSIS))] + ELLIPSIS if limit > len(ELLIPSIS) else text[:limit]


def _mask_cut_secret(text: str, secrets: Iterable[str]) -> str:
    """Mask a tail of `text` that is the beginning of a secret (the rest of it lies past a cut)."""
    for secret in secrets:
        for size in range(min(len(secret) - 1, len(text)), _MIN_FRAGMENT - 1, -1):
            if text.endswith(secret[:size]):
                return text[:-size] + MASK
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

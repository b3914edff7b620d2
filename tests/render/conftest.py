"""Shared by the Render tests: one Render fake per module, and a configuration pointing at it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mosaic_hooks.core import config
from mosaic_hooks.testing.render_fake import RenderFake


@pytest.fixture(scope="module")
def fake() -> Iterator[RenderFake]:
    with RenderFake() as render:
        yield render


@pytest.fixture
def service_id(fake: RenderFake) -> Iterator[str]:
    """A fresh service id per test (the fake is shared), and no scripted fault left behind."""
    yield f"srv-{uuid.uuid4().hex[:12]}"
    fake.clear_faults()


def make_cfg(root: Path, env: dict[str, str], **values: Any) -> config.Config:
    """A configuration read the real way: `.mosaic/config.toml` under `root`, then `env`."""
    settings = {"poll_interval": 0.05, "request_timeout": 2, **values}
    (root / ".mosaic").mkdir(exist_ok=True)
    lines = [f"{name} = {value!r}" if not isinstance(value, str) else f'{name} = "{value}"'
             for name, value in settings.items()]
    (root / ".mosaic" / "config.toml").write_text("\n".join(lines) + "\n")
    return config.load(root, env=env)

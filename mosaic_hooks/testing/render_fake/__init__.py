"""A fake of Render's REST API (v1), served over real HTTP on 127.0.0.1 in a background thread.

    with RenderFake() as fake:
        fake.add_service("srv-1", timeline=[("build_in_progress", 0.2), ("live", 0)])
        fake.push(sha, "add orders endpoint")
        # MOSAIC_RENDER_API_URL=fake.api_url, RENDER_API_KEY=fake.api_key, RENDER_SERVICE_ID=srv-1

model.py holds the services, deploys, statuses and the clock; faults.py the injected failures;
server.py the HTTP API; `python -m mosaic_hooks.testing.render_fake` (__main__.py) runs one from the
command line.
"""

from mosaic_hooks.testing.render_fake.model import (
    DEFAULT_TIMELINE,
    FakeDeploy,
    FakeService,
    RenderState,
    Timeline,
)
from mosaic_hooks.testing.render_fake.server import RenderFake, RequestRecord

__all__ = [
    "DEFAULT_TIMELINE",
    "FakeDeploy",
    "FakeService",
    "RenderFake",
    "RenderState",
    "RequestRecord",
    "Timeline",
]

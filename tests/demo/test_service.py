"""The demo's production: a deploy serves the commit from a `git archive` of it; a new deploy replaces
the running instance; stopping leaves no process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mosaic_hooks.demo import shop
from mosaic_hooks.demo.sandbox import DemoError, Sandbox
from mosaic_hooks.demo.service import ShopService


def commit(sandbox: Sandbox, files: dict[str, str], message: str) -> str:
    for name, text in files.items():
        (sandbox.repo / name).write_text(text)
    sandbox.git("add", "--", *files)
    sandbox.git("commit", "-q", "--no-verify", "-m", message)
    return sandbox.head()


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    box = Sandbox(tmp_path / "demo")
    box.prepare()
    box.git("init", "-q")
    return box


@pytest.fixture
def service(sandbox: Sandbox) -> Iterator[ShopService]:
    running = ShopService(sandbox)
    yield running
    running.stop()


def shop_files(paths: list[str]) -> dict[str, str]:
    return {"app.py": shop.app_source(paths), "openapi.json": shop.openapi_document(paths)}


def test_a_deploy_serves_the_commit_and_a_new_one_replaces_it(sandbox: Sandbox, service: ShopService) -> None:
    first = commit(sandbox, shop_files(["/health"]), "health")
    second = commit(sandbox, shop_files(["/health", "/items"]), "items")
    (sandbox.repo / "app.py").write_text("raise SystemExit('uncommitted work is not deployed')\n")

    service.deploy(first)
    old = service.process
    assert httpx.get(f"{service.url}/version", timeout=5).json() == {"commit": first}
    assert httpx.get(f"{service.url}/items", timeout=5).status_code == 404

    service.deploy(second)
    assert old is not None and old.poll() is not None  # the previous instance is gone
    assert service.serving == second
    assert httpx.get(f"{service.url}/items", timeout=5).status_code == 200
    assert (sandbox.deploys / first[:12] / "app.py").is_file()


def test_an_instance_that_crashes_at_start_up_is_a_demo_error_with_its_output(
        sandbox: Sandbox, service: ShopService) -> None:
    broken = commit(sandbox, {"app.py": "raise SystemExit('no PORT for you')\n"}, "broken")
    with pytest.raises(DemoError, match=r"the service exited .* no PORT for you"):
        service.deploy(broken)


def test_stop_ends_the_instance(sandbox: Sandbox, service: ShopService) -> None:
    service.deploy(commit(sandbox, shop_files(["/health"]), "health"))
    process = service.process
    service.stop()
    assert process is not None and process.poll() is not None
    assert service.serving is None
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{service.url}/health", timeout=2)

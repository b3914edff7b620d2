"""The dependencies gate: added and changed requirements judged against production's installed distributions,
as a real service with mosaic_hooks.probe reports them (or the live deploy of the commit) -- never against
the environment the gate itself runs in."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import httpx
import pytest

from mosaic_hooks.core import config
from mosaic_hooks.detect.changeset import ChangeSet, Requirement, RequirementChanges, RequirementUpdate
from mosaic_hooks.gates import dependencies
from mosaic_hooks.gates.base import GateContext
from mosaic_hooks.gates.result import GateResult
from mosaic_hooks.render.outcome import WaitOutcome

COMMIT = "d" * 40
TOKEN = "probe-token-for-dependencies-8"
HTTPX = metadata.version("httpx")


def run_gate(root: Path, changes: RequirementChanges, env: dict[str, str] | None = None,
             outcome: WaitOutcome | None = None) -> GateResult:
    cfg = config.load(root, env=env or {})

    async def go() -> GateResult:
        async with httpx.AsyncClient() as client:
            ctx = GateContext(cfg=cfg, changes=ChangeSet(base="b" * 40, head=COMMIT, requirements=changes),
                              commit=COMMIT, outcome=outcome, client=client,
                              base_url=cfg.backend_url or "http://127.0.0.1:9", deadline=time.monotonic() + 30)
            return await dependencies.run(ctx)

    return asyncio.run(go())


def live(commit: str = COMMIT) -> WaitOutcome:
    return WaitOutcome(state="live", commit=commit, reason="deploy dep-42 is live", found_by="render-api",
                       deploy={"id": "dep-42", "status": "live", "commit": commit})


def added(*reqs: tuple[str, str] | tuple[str, str, str], file: str = "requirements.txt") -> RequirementChanges:
    from mosaic_hooks.detect.requirements import is_development_file

    return RequirementChanges(added=[Requirement(name=r[0], specifier=r[1], file=file, marker=r[2] if len(r) > 2
                                                 else "", dev=is_development_file(file)) for r in reqs])


def fake_distribution(site: Path, name: str, version: str) -> None:
    """A real installed distribution as importlib.metadata finds it: a .dist-info folder on sys.path."""
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")


# ----- never this environment

def test_nothing_added_or_changed_is_skipped(tmp_path: Path) -> None:
    removed = RequirementChanges(removed=[Requirement("flask", ">=3", "requirements.txt")])
    result = run_gate(tmp_path, removed, outcome=live())
    assert result.status == "skipped"
    assert result.summary == "no requirement added or changed in the range"


def test_the_live_deploy_of_the_commit_is_the_evidence_without_a_probe(tmp_path: Path) -> None:
    result = run_gate(tmp_path, added(("httpx", ">=0.1"), ("packaging", "")), outcome=live())
    assert result.status == "passed", result
    assert result.evidence == ["ok production: deploy dep-42 of dddddddddddd is live, so its build installed "
                               "httpx>=0.1, packaging (no probe to read the versions)"]


def test_the_environment_the_gate_runs_in_is_never_judged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Installed here in a version that does not satisfy the requirement, and absent: neither matters.
    fake_distribution(tmp_path / "site", "shop-client", "0.1")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    result = run_gate(tmp_path, added(("shop-client", ">=2"), ("no-such-distribution-mosaic", ">=1")),
                      outcome=live())
    assert result.status == "passed", result
    assert not any("environment" in line or sys.prefix in line for line in result.evidence)


# ----- production without a probe

def test_without_a_probe_and_without_waiting_production_is_inconclusive(tmp_path: Path) -> None:
    result = run_gate(tmp_path, added(("httpx", "")), outcome=None)
    assert result.status == "inconclusive"
    assert "the deploy was not waited for and the service has no probe" in result.summary


def test_without_a_probe_a_deploy_of_another_commit_proves_nothing(tmp_path: Path) -> None:
    result = run_gate(tmp_path, added(("httpx", "")), outcome=live(commit="e" * 40))
    assert result.status == "inconclusive"


def test_development_requirements_are_not_expected_in_production(tmp_path: Path) -> None:
    result = run_gate(tmp_path, added(("httpx", ""), file="requirements-dev.txt"), outcome=None)
    assert result.status == "skipped"
    assert any("is a development requirement, not checked" in line for line in result.evidence)


# ----- production with a probe: a real service in its own process, with its own installed distributions

SERVICE = textwrap.dedent("""
    import socket, sys
    import uvicorn
    from starlette.applications import Starlette
    from mosaic_hooks import probe
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    print(sock.getsockname()[1], flush=True)
    uvicorn.Server(uvicorn.Config(Starlette(routes=[probe.starlette_route()]), log_level="error",
                                  lifespan="off")).run(sockets=[sock])
""")


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Production: shop-client 1.4.0 and payments 3.0 installed, unlike this environment."""
    tmp = tmp_path_factory.mktemp("service")
    fake_distribution(tmp / "site", "shop-client", "1.4.0")
    fake_distribution(tmp / "site", "payments", "3.0")
    (tmp / "service.py").write_text(SERVICE)
    checkout = str(Path(dependencies.__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp / "site"), checkout]),
           "MOSAIC_PROBE_TOKEN": TOKEN, "RENDER_GIT_COMMIT": COMMIT}
    proc = subprocess.Popen([sys.executable, str(tmp / "service.py")], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        port = proc.stdout.readline().strip()
        if not port:
            raise RuntimeError(proc.stderr.read() if proc.stderr else "the service did not start")
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 15
        while True:
            try:
                httpx.get(url + "/_mosaic/status", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def probe_env(tmp_path: Path, service: str, token: str = TOKEN) -> dict[str, str]:
    (tmp_path / ".mosaic").mkdir(exist_ok=True)
    (tmp_path / ".mosaic" / "config.toml").write_text('probe_path = "/_mosaic/status"\n')
    return {"BACKEND_URL": service, "MOSAIC_PROBE_TOKEN": token}


@pytest.fixture
def local_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This environment: shop-client 2.1.0 installed, payments not."""
    fake_distribution(tmp_path / "site", "shop-client", "2.1.0")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    return tmp_path / "site"


def test_the_probe_shows_production_satisfies_the_requirement(service: str, tmp_path: Path) -> None:
    result = run_gate(tmp_path, added(("httpx", f"=={HTTPX}")), probe_env(tmp_path, service), outcome=None)
    assert result.status == "passed", result
    assert f"ok production: httpx {HTTPX} satisfies =={HTTPX}" in result.evidence


def test_production_with_an_older_version_than_required_fails_though_this_environment_has_it(
        service: str, tmp_path: Path, local_site: Path) -> None:
    result = run_gate(tmp_path, added(("shop-client", ">=2.0")), probe_env(tmp_path, service), outcome=live())
    assert result.status == "failed"
    assert result.summary == "production: shop-client 1.4.0 does not satisfy >=2.0"
    assert not any("2.1.0" in line for line in result.evidence)


def test_an_installed_version_outside_the_specifier_fails(service: str, tmp_path: Path) -> None:
    result = run_gate(tmp_path, added(("httpx", "<0.1")), probe_env(tmp_path, service), outcome=None)
    assert result.status == "failed"
    assert result.summary == f"production: httpx {HTTPX} does not satisfy <0.1"


def test_a_changed_requirement_is_judged_by_its_new_specifier(service: str, tmp_path: Path) -> None:
    env = probe_env(tmp_path, service)
    changed = RequirementChanges(changed=[RequirementUpdate("httpx", old=">=0.1", new=f"[http2]>={HTTPX}",
                                                            file="requirements.txt")])
    assert run_gate(tmp_path, changed, env).status == "passed"
    changed = RequirementChanges(changed=[RequirementUpdate("httpx", old=">=0.1", new=">=999",
                                                            file="requirements.txt")])
    assert run_gate(tmp_path, changed, env).status == "failed"


def test_a_requirement_whose_marker_excludes_production_is_not_required(service: str, tmp_path: Path) -> None:
    result = run_gate(tmp_path, added(("no-such-distribution-mosaic", ">=1", "python_version < '3'"),
                                      ("httpx", "")), probe_env(tmp_path, service))
    assert result.status == "passed"
    assert any("not required (marker" in line for line in result.evidence)


def test_a_specifier_that_cannot_be_read_is_inconclusive_not_passed(service: str, tmp_path: Path) -> None:
    result = run_gate(tmp_path, added(("httpx", "^0.27")), probe_env(tmp_path, service))  # Poetry syntax kept
    assert result.status == "inconclusive"
    assert "'^0.27' is not a PEP 440 specifier" in result.summary


def test_a_marker_that_cannot_be_evaluated_is_inconclusive(service: str, tmp_path: Path) -> None:
    result = run_gate(tmp_path, added(("foo", ">=1", 'python_version ~= "abc"')), probe_env(tmp_path, service))
    assert result.status == "inconclusive"
    assert "foo>=1: cannot evaluate marker" in result.summary


def test_a_package_missing_in_production_fails(service: str, tmp_path: Path, local_site: Path) -> None:
    fake_distribution(local_site, "geo-utils", "1.0")
    result = run_gate(tmp_path, added(("geo-utils", ">=1")), probe_env(tmp_path, service), outcome=live())
    assert result.status == "failed"
    assert result.summary == "production: geo-utils>=1 is not installed"


def test_requirements_no_environment_needs_are_skipped_saying_so(service: str, tmp_path: Path) -> None:
    result = run_gate(tmp_path, added(("payments", ">=3", "python_version < '3'")), probe_env(tmp_path, service),
                      outcome=live())
    assert result.status == "skipped"
    assert result.summary == ("no added or changed requirement is installed in production "
                              "(development requirements, or markers that exclude it)")
    assert any(line.startswith("production: payments>=3 not required") for line in result.evidence)


def test_markers_are_evaluated_against_the_environment_production_reports() -> None:
    from mosaic_hooks.detect.requirements import judge as j

    item = j.Wanted("payments", ">=3", "python_version < '3' and sys_platform == 'win32'")
    production = {"python_version": "2.7", "sys_platform": "win32"}
    assert j.judge(item, "3.1", production).verdict == j.OK
    assert j.judge(item, "2.0", production).verdict == j.FAIL
    assert j.judge(item, "2.0", {**production, "sys_platform": "linux"}).verdict == j.NOT_APPLICABLE


def test_a_probe_that_cannot_be_read_makes_production_inconclusive(service: str, tmp_path: Path) -> None:
    result = run_gate(tmp_path, added(("httpx", "")), probe_env(tmp_path, service, token="not-the-token-123"),
                      outcome=live())
    assert result.status == "inconclusive"
    assert "the probe could not be read: probe /_mosaic/status refused the token (401)" in result.summary


# ----- the pure parts

def test_wanted_reads_the_display_form_of_changed_requirements() -> None:
    changes = RequirementChanges(changed=[
        RequirementUpdate("httpx", old="", new="[http2,socks]>=0.27; python_version >= '3.10' | <0.20", file="r.txt"),
        RequirementUpdate("shop", old="", new="@ git+https://example.invalid/shop.git", file="r.txt"),
    ])
    assert [(w.name, w.specifier, w.marker) for w in dependencies.wanted(changes)] == [
        ("httpx", ">=0.27", "python_version >= '3.10'"),
        ("httpx", "<0.20", ""),
        ("shop", "@ git+https://example.invalid/shop.git", ""),
    ]


def test_a_direct_reference_is_checked_for_presence_only() -> None:
    from mosaic_hooks.detect.requirements import judge as j

    item = j.Wanted("shop", "@ git+https://example.invalid/shop.git")
    assert j.judge(item, "0.1").verdict == j.OK
    assert j.judge(item, None).verdict == j.FAIL


# ----- from the repository itself, through the change analysis

@pytest.mark.parametrize(("line", "expected"), [(f"httpx>={HTTPX}\n", "passed"),
                                                ("no-such-distribution-mosaic>=1\n", "failed")])
def test_the_requirements_found_by_the_change_analysis_are_checked(
        repo: Path, tmp_path: Path, line: str, expected: str, service: str) -> None:
    from mosaic_hooks.core import git as gitedge
    from mosaic_hooks.detect.analyze import analyze
    from tests.conftest import commit_files
    from tests.conftest import git as run_git

    base = run_git(repo, "rev-parse", "HEAD")
    head = commit_files(repo, {"requirements.txt": "packaging>=20\n" + line}, "add a requirement")
    changes = analyze(gitedge.find_repo(repo), base, head).requirements
    result = run_gate(tmp_path, changes, probe_env(tmp_path, service))
    assert result.status == expected, result

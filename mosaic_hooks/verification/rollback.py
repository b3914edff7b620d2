"""Rollback on failure (opt-in): restore the service's last deploy that passed verification.

Only with `rollback_on_failure = true` or `verify --rollback`; only after a verification that failed (not
one that was undecided: nothing is known to be broken); only to a deploy recorded in the history as
verified and passing, of another commit, on the same service. Render's `POST /services/{id}/rollback`
starts a new deploy (trigger `rollback`) from that deploy's build; it is waited for until live and then
verified like any deploy, and recorded as a remediation (DORA's time to restore). Through the API a
rollback leaves auto-deploy on, so the next push deploys again: the report says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mosaic_hooks.core import git
    from mosaic_hooks.core.config import Config
    from mosaic_hooks.verification.model import Verification

AUTO_DEPLOY_NOTE = "auto-deploy stays on: the next push deploys again"


@dataclass
class RollbackResult:
    done: bool
    line: str  # what happened, for people
    target: dict[str, Any] | None = None  # the history record rolled back to
    deploy_id: str | None = None  # the rollback deploy Render started
    verification: Verification | None = None  # of the restored deploy


def last_verified_deploy(records: list[dict[str, Any]], service: str | None, failed_commit: str,
                         failed_deploy: str | None) -> dict[str, Any] | None:
    """The newest record of this service that passed verification with a deploy id, of another deploy
    and commit than the failing one. Pure."""
    record: dict[str, Any]
    for record in reversed(records):
        if record.get("success") is not True or not isinstance(record.get("deploy_id"), str):
            continue
        if service is not None and record.get("service") not in (service, None):
            continue
        if record.get("commit") == failed_commit or record.get("deploy_id") == failed_deploy:
            continue
        return record
    return None


def roll_back(repo: git.Repo, cfg: Config, failed: Verification,
              report: Callable[[str], None] | None = None) -> RollbackResult:
    """Roll the service back after `failed` (when allowed), wait, verify and record the restored deploy."""
    from mosaic_hooks.records import history
    from mosaic_hooks.render.api import RenderAPI, RenderAPIError
    from mosaic_hooks.verification.verify import history_file, service_of, verify_commit

    say = report or (lambda _line: None)
    if failed.verdict.verdict != "fail":
        return RollbackResult(False, "no rollback: the verification did not fail (undecided is not broken)")
    if not (cfg.render_api_key and cfg.render_service_id):
        return RollbackResult(False, "no rollback: it needs the Render API (RENDER_API_KEY and RENDER_SERVICE_ID)")
    failed_deploy = (failed.outcome.deploy or {}).get("id") if failed.outcome is not None else None
    records, _warnings = history.read(history_file(cfg))
    target = last_verified_deploy(records, service_of(cfg), failed.commit or "", failed_deploy)
    if target is None:
        return RollbackResult(False, "no rollback: no earlier deploy of this service passed verification "
                                     "(mosaic-hooks never rolls back to a deploy it did not verify)")
    short = str(target["commit"])[:12]
    say(f"rolling back service {cfg.render_service_id} to deploy {target['deploy_id']} ({short}, verified "
        f"at {target.get('timestamp')})")
    try:
        with RenderAPI(cfg.render_api_url, cfg.render_api_key, timeout=float(cfg.request_timeout)) as api:
            started = api.rollback(cfg.render_service_id, str(target["deploy_id"]))
    except RenderAPIError as exc:
        return RollbackResult(False, f"rollback to {target['deploy_id']} failed: {exc.line()}", target)
    deploy_id = str(started.get("id"))
    from mosaic_hooks.core import git

    base = target.get("base") if isinstance(target.get("base"), str) else None
    base = git.resolve_commit(repo, base) if base else None
    restored = verify_commit(repo, cfg, str(target["commit"]), base=base, report=say, deploy_id=deploy_id,
                             remediation=True, record=False)
    restored.extra["rollback"] = {"from_commit": failed.commit, "from_deploy": failed_deploy,
                                  "to_deploy": target["deploy_id"], "rollback_deploy": deploy_id}
    from mosaic_hooks.verification.verify import record_run

    record_run(repo, cfg, restored)
    verdict = "passed" if restored.verdict.success else f"did not pass ({restored.verdict.verdict})"
    line = (f"rolled back service {cfg.render_service_id} to {short} (deploy {deploy_id}, from "
            f"{target['deploy_id']}); its verification {verdict}; {AUTO_DEPLOY_NOTE}")
    failed.extra["rolled_back_to"] = {"commit": target["commit"], "deploy_id": deploy_id,
                                      "verified": restored.verdict.success}
    return RollbackResult(True, line, target, deploy_id, restored)

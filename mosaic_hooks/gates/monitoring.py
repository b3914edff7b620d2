"""monitoring: metrics flow and alerts cover the new endpoints.

- The metrics path answers valid Prometheus exposition (parsed with prometheus_client).
- After the other probes, request metrics mention each added endpoint that was requested, where the
  service labels requests by path (`path`, `handler`, `route`, `endpoint`, ...).
- With `prometheus_url`: Prometheus has samples of the service from the last minutes.
- With `alert_rules`: the rules files (Prometheus rules YAML) have alert rules mentioning each new endpoint.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mosaic_hooks.core import redact
from mosaic_hooks.core.words import plural
from mosaic_hooks.detect.changeset import Endpoint
from mosaic_hooks.gates import routes
from mosaic_hooks.gates.base import GateContext
from mosaic_hooks.gates.endpoints import endpoints_to_check, left_to_endpoints
from mosaic_hooks.gates.result import Exchange, Findings, GateResult

NAME = "monitoring"
PATH_LABELS = ("path", "handler", "route", "endpoint", "url_rule", "http_route", "uri", "url", "http_target")
_PATHLIKE = re.compile(r"/[^\s\"'`,)\]]*")
_REGEX_CHARS = set(".*+?[]()|^$\\")


async def run(ctx: GateContext) -> GateResult:
    findings = Findings(NAME)
    added = left_to_endpoints(ctx, endpoints_to_check(ctx)[0], findings)
    path = ctx.cfg.metrics_path
    answer = await ctx.request("GET", path, note="metrics")
    findings.exchanges.append(answer)
    families = _check_exposition(answer, path, findings)
    if families is not None:
        _check_mentions(ctx, families, added, findings)
    if ctx.cfg.prometheus_url:
        await _check_prometheus(ctx, findings)
    if ctx.cfg.alert_rules:
        _check_alert_rules(ctx, added, findings)
    else:
        findings.note("alert rules: not checked (alert_rules is not configured)")
    return findings.result(summary_ok=f"{path} exposes valid metrics" + (
        f"; {plural(len(added), 'new endpoint')} monitored" if added else ""))


def _check_exposition(answer: Exchange, path: str, findings: Findings) -> list[Any] | None:
    if answer.status is None:
        findings.undecide(f"GET {path}: no answer ({answer.error})")
        return None
    if answer.status != 200:
        findings.fail(f"no metrics: GET {path} answered {answer.status}")
        return None
    families = parse_exposition(answer.body)
    if isinstance(families, str):
        findings.fail(f"GET {path}: not valid Prometheus exposition ({families})")
        return None
    if not any(f.samples for f in families):
        findings.fail(f"no metrics: GET {path} answered 200 without any sample")
        return None
    samples = sum(len(f.samples) for f in families)
    kinds = plural(len(families), "metric family", "metric families")
    findings.ok(f"GET {path}: valid Prometheus exposition, {kinds}, {plural(samples, 'sample')}")
    return families


def parse_exposition(body: bytes) -> list[Any] | str:
    """The metric families, or why the text is not Prometheus exposition."""
    from prometheus_client.parser import text_string_to_metric_families

    try:
        text = body.decode("utf-8")
        return list(text_string_to_metric_families(text))
    except (ValueError, UnicodeDecodeError, IndexError, KeyError, TypeError) as exc:
        return redact.clip(" ".join(str(exc).split()), 160) or type(exc).__name__


def path_label_values(families: Iterable[Any]) -> set[str]:
    values = set()
    for family in families:
        for sample in family.samples:
            for name in PATH_LABELS:
                value = sample.labels.get(name)
                if value and value.startswith("/"):
                    values.add(value)
    return values


def _check_mentions(ctx: GateContext, families: list[Any], added: list[Endpoint], findings: Findings) -> None:
    labelled = path_label_values(families)
    if not labelled:
        findings.note("the service does not label its request metrics by path: new endpoints not looked up")
        return
    sent = {(e.method, e.path) for e in ctx.exchanges if e.status is not None}
    shapes = {routes.shape(v) for v in labelled}
    for endpoint in added:
        concrete = routes.sample_path(endpoint, ctx.cfg.sample_values or {})
        if not _was_requested(sent, endpoint, concrete):
            findings.note(f"{routes.endpoint_label(endpoint)}: not requested by the gates, not looked up in metrics")
            continue
        if routes.shape(endpoint.path) in shapes or concrete in labelled:
            findings.ok(f"metrics mention {endpoint.path}")
        else:
            findings.fail(f"request metrics do not mention {endpoint.path} after it was requested")


def _was_requested(sent: set[tuple[str, str]], endpoint: Endpoint, concrete: str) -> bool:
    """Sent with its own method (GET for ANY), so that an instrumentation would have counted it."""
    method = "GET" if endpoint.method in ("ANY", "HEAD") else endpoint.method
    if (method, concrete) in sent:
        return True
    return any(m == method and routes.matches(endpoint.path, path) for m, path in sent)


async def _check_prometheus(ctx: GateContext, findings: Findings) -> None:
    import httpx

    selector = prometheus_selector(ctx.base_url, ctx.cfg.service_name)
    query = f"count(count_over_time({selector}[5m]))"
    url = f"{ctx.cfg.prometheus_url}/api/v1/query"
    start = time.perf_counter()
    try:
        response = await ctx.client.get(url, params={"query": query}, timeout=ctx.request_timeout())
        data = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        findings.undecide(f"Prometheus {ctx.cfg.prometheus_url}: no usable answer ({type(exc).__name__})")
        return
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200 or not isinstance(data, dict) or data.get("status") != "success":
        error = data.get("error") if isinstance(data, dict) else None
        findings.undecide(f"Prometheus answered {response.status_code} to the query {query}: {error or '?'}")
        return
    result = (data.get("data") or {}).get("result") or []
    count = 0.0
    for item in result:
        try:
            count += float(item["value"][1])
        except (KeyError, IndexError, TypeError, ValueError):
            continue
    if count > 0:
        findings.ok(f"Prometheus has {count:.0f} series of {selector} in the last 5 minutes ({elapsed:.0f} ms)")
    else:
        findings.fail(f"Prometheus has no samples of {selector} in the last 5 minutes")


def prometheus_selector(base_url: str, service: str | None) -> str:
    if service:
        return '{job="' + service.replace("\\", "\\\\").replace('"', '\\"') + '"}'
    host = urlsplit(base_url).hostname or ""
    escaped = re.escape(host).replace("\\", "\\\\")
    return '{instance=~"' + escaped + '(:[0-9]+)?"}'


def _check_alert_rules(ctx: GateContext, added: list[Endpoint], findings: Findings) -> None:
    root = ctx.cfg.root or Path.cwd()
    files = sorted({p for pattern in ctx.cfg.alert_rules for p in Path(root).glob(pattern) if p.is_file()})
    if not files:
        findings.fail(f"no alert-rules file matches {', '.join(ctx.cfg.alert_rules)}")
        return
    rules: list[tuple[str, str]] = []  # (alert name, text)
    for path in files:
        loaded = load_alert_rules(path)
        if isinstance(loaded, str):
            findings.fail(f"{path.relative_to(root)}: {loaded}")
            continue
        rules.extend(loaded)
    if not rules:
        findings.fail("the alert-rules files have no alerting rule")
        return
    if not added:
        findings.ok(f"{plural(len(rules), 'alert rule')} in {plural(len(files), 'file')} (no new endpoint to cover)")
        return
    uncovered = [e for e in added if not any(rule_mentions(text, e) for _, text in rules)]
    for endpoint in added:
        if endpoint not in uncovered:
            names = [name for name, text in rules if rule_mentions(text, endpoint)]
            findings.ok(f"alerts cover {endpoint.path}: {', '.join(names)}")
    if uncovered:
        findings.fail("no alert rule covers " + ", ".join(routes.endpoint_label(e) for e in uncovered))


def load_alert_rules(path: Path) -> list[tuple[str, str]] | str:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        return f"cannot read as YAML ({type(exc).__name__})"
    groups = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(groups, list):
        return "not a Prometheus rules file (no 'groups' list)"
    found = []
    for group in groups:
        for rule in (group.get("rules") or []) if isinstance(group, dict) else []:
            if isinstance(rule, dict) and rule.get("alert"):
                parts = [str(rule.get("expr", ""))]
                for table in ("labels", "annotations"):
                    if isinstance(rule.get(table), dict):
                        parts.extend(str(v) for v in rule[table].values())
                found.append((str(rule["alert"]), "\n".join(parts)))
    return found


def rule_mentions(text: str, endpoint: Endpoint) -> bool:
    """The rule names the endpoint's path: literally (any parameter spelling) or by a regex matching it."""
    shape = routes.shape(endpoint.path)
    for token in _PATHLIKE.findall(text):
        token = token.rstrip(".;:")
        if routes.shape(token) == shape:
            return True
        if _REGEX_CHARS & set(token):
            try:
                pattern = re.compile(token)
            except re.error:
                continue
            if pattern.fullmatch(endpoint.path) or pattern.fullmatch(shape):
                return True
    return False

"""One self-contained HTML page of the DORA metrics: inline CSS and SVG, no script, nothing from the network."""

from __future__ import annotations

import math
from html import escape

from mosaic_hooks.core import isotime
from mosaic_hooks.core.words import plural
from mosaic_hooks.records import dora

MAX_POINTS = 2000  # the lead-time chart shows the most recent points; the numbers use them all
COLORS = {"elite": "#6a3d9a", "high": "#1b7837", "medium": "#d9a400", "low": "#c0392b", None: "#7f8c8d"}
PASS, FAIL, UNDECIDED = "#2e8b57", "#c0392b", "#95a5a6"

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 24px; color: #222;
       background: #fafafa; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; }
.sub { color: #555; margin: 0 0 16px; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; }
.card { background: #fff; border: 1px solid #ddd; border-radius: 8px; padding: 12px 14px; width: 230px; }
.card .name { font-size: 13px; color: #555; } .card .value { font-size: 20px; margin: 4px 0; }
.badge { display: inline-block; color: #fff; border-radius: 10px; padding: 1px 10px; font-size: 13px; }
.note { font-size: 12px; color: #666; }
svg { background: #fff; border: 1px solid #ddd; border-radius: 8px; }
svg text { font-size: 11px; fill: #333; }
table { border-collapse: collapse; background: #fff; font-size: 13px; }
td, th { border: 1px solid #ddd; padding: 4px 8px; text-align: left; }
.legend span { display: inline-block; margin-right: 14px; font-size: 12px; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
"""


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def _badge(level: str | None) -> str:
    return f'<span class="badge" style="background:{COLORS[level]}">{escape(level or "not rated")}</span>'


def _ratings_chart(report: dora.Report) -> str:
    """The four ratings as a chart: one row per metric, the current level highlighted."""
    names = {"deployment_frequency": "Deployment frequency", "lead_time_for_changes": "Lead time for changes",
             "change_failure_rate": "Change failure rate", "time_to_restore_service": "Time to restore"}
    width, row = 760, 34
    height = 30 + row * len(names)
    parts = [f'<svg id="chart-ratings" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg"><title>The four ratings</title>']
    for col, level in enumerate(dora.LEVELS):
        parts.append(f'<text x="{230 + col * 130 + 60}" y="18" text-anchor="middle">{level}</text>')
    for index, (key, label) in enumerate(names.items()):
        y = 26 + index * row
        parts.append(f'<text x="10" y="{y + 20}">{escape(label)}</text>')
        current = report.ratings[key].level
        for col, level in enumerate(dora.LEVELS):
            fill = COLORS[level] if level == current else "#ecf0f1"
            parts.append(f'<rect class="rating-cell" x="{230 + col * 130}" y="{y + 4}" width="120" height="24" '
                         f'rx="4" fill="{fill}"/>')
        if current is None:
            parts.append(f'<text x="{230 + 260}" y="{y + 20}" text-anchor="middle">not rated</text>')
    parts.append("</svg>")
    return "".join(parts)


def _weekly_chart(report: dora.Report) -> str:
    width, height, left, bottom, top = 760, 260, 48, 40, 16
    weeks = report.weeks
    peak = max([w.deploys for w in weeks] + [1])
    plot_w, plot_h = width - left - 16, height - top - bottom
    slot = plot_w / max(len(weeks), 1)
    bar = max(2.0, min(48.0, slot * 0.7))
    parts = [f'<svg id="chart-deploys-per-week" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg"><title>Deploys per week</title>']
    for tick in _ticks(peak):
        y = top + plot_h - tick / peak * plot_h
        parts.append(f'<line x1="{left}" x2="{width - 16}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick:g}</text>')
    label_every = max(1, math.ceil(len(weeks) / 12))
    for index, week in enumerate(weeks):
        x = left + index * slot + (slot - bar) / 2
        y = top + plot_h
        for count, color, kind in ((week.passed, PASS, "passed"), (week.failed, FAIL, "failed"),
                                   (week.inconclusive, UNDECIDED, "inconclusive")):
            if not count:
                continue
            h = count / peak * plot_h
            y -= h
            parts.append(f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                         f'fill="{color}"><title>{count} {kind}, week from {isotime.iso(week.start)[:10]}'
                         f'</title></rect>')
        if index % label_every == 0:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle">'
                         f'{isotime.iso(week.start)[5:10]}</text>')
    parts.append(f'<line x1="{left}" x2="{width - 16}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#999"/>')
    parts.append("</svg>")
    return "".join(parts)


def _ticks(peak: float) -> list[float]:
    step = max(1.0, 10 ** math.floor(math.log10(peak)) if peak >= 10 else 1.0)
    while peak / step > 6:
        step *= 2
    return [step * i for i in range(int(peak // step) + 1)]


def _time_axis(report: dora.Report, left: float, plot_w: float, y: float) -> str:
    span = report.period_end - report.period_start
    labels = []
    for frac, anchor in ((0.0, "start"), (0.5, "middle"), (1.0, "end")):
        labels.append(f'<text x="{left + frac * plot_w:.1f}" y="{y}" text-anchor="{anchor}">'
                      f'{isotime.iso(report.period_start + frac * span)[:10]}</text>')
    return "".join(labels)


_LEAD_TICKS = ((60, "1 min"), (3600, "1 h"), (86400, "1 d"), (7 * 86400, "1 w"), (30 * 86400, "30 d"))


def _lead_chart(report: dora.Report) -> str:
    """Each commit's lead time at the time it went live; a log scale, since they span minutes to weeks."""
    width, height, left, bottom, top = 760, 280, 56, 36, 16
    plot_w, plot_h = width - left - 16, height - top - bottom
    points = report.lead_points[-MAX_POINTS:]
    parts = [f'<svg id="chart-lead-time" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg"><title>Lead time over time</title>']
    low = math.log10(30)
    high = math.log10(max([p.seconds for p in points] + [2 * 86400]) * 1.5)
    span = report.period_end - report.period_start

    def y_of(seconds: float) -> float:
        return top + plot_h - (math.log10(max(seconds, 30)) - low) / (high - low) * plot_h

    for seconds, label in _LEAD_TICKS:
        if math.log10(seconds) > high:
            continue
        y = y_of(seconds)
        parts.append(f'<line x1="{left}" x2="{width - 16}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{label}</text>')
    for point in points:
        x = left + (point.deployed_at - report.period_start) / span * plot_w
        parts.append(f'<circle class="point" cx="{x:.1f}" cy="{y_of(point.seconds):.1f}" r="3" fill="#2c7fb8" '
                     f'fill-opacity="0.7"><title>deployed with {escape(point.commit[:12])}: '
                     f'{_duration(point.seconds)}</title>'
                     f'</circle>')
    lead_median = report.lead.median
    if lead_median is not None:
        y = y_of(lead_median)
        parts.append(f'<line id="lead-median" x1="{left}" x2="{width - 16}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#e67e22" stroke-dasharray="6 4"/><text x="{width - 20}" y="{y - 4:.1f}" '
                     f'text-anchor="end">median {_duration(lead_median)}</text>')
    if not points:
        parts.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle">no deployed commit '
                     'in the period</text>')
    parts.append(_time_axis(report, left, plot_w, height - 12))
    parts.append(f'<line x1="{left}" x2="{width - 16}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#999"/>')
    parts.append("</svg>")
    return "".join(parts)


def _recovery_chart(report: dora.Report) -> str:
    """One bar per incident, from the first failed deploy to the passing one (open ones reach the period's end)."""
    incidents = report.incidents[-40:]
    width, left, row, top = 760, 56, 22, 16
    height = max(90, top + row * len(incidents) + 40)
    plot_w = width - left - 16
    span = report.period_end - report.period_start
    parts = [f'<svg id="chart-recovery" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
             '<title>Failures and recovery times</title>']
    for index, incident in enumerate(incidents):
        y = top + index * row
        start = incident.started_at
        finish = incident.restored_by.live_at if incident.restored_by else report.period_end
        x0 = left + max(0.0, (start - report.period_start) / span) * plot_w
        x1 = left + min(1.0, (finish - report.period_start) / span) * plot_w
        kind = "restored" if incident.restored_by else "open"
        extra = "" if incident.restored_by else ' stroke="#c0392b" stroke-dasharray="4 3" fill-opacity="0.35"'
        label = (f"{_duration(incident.recovery_s)}" if incident.restored_by
                 else f"open {_duration(report.period_end - start)}")
        parts.append(f'<rect class="incident {kind}" x="{x0:.1f}" y="{y + 3}" width="{max(3.0, x1 - x0):.1f}" '
                     f'height="14" fill="{FAIL}"{extra}><title>{escape(incident.failed[0].commit[:12])} '
                     f'{escape(incident.service or "")}: {label}</title></rect>')
        if x1 + 100 < width:
            parts.append(f'<text x="{x1 + 6:.1f}" y="{y + 14}">{escape(label)}</text>')
        else:  # no room on the right: the label goes before the bar
            parts.append(f'<text x="{x0 - 6:.1f}" y="{y + 14}" text-anchor="end">{escape(label)}</text>')
    if not incidents:
        parts.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle">no failed deploy '
                     'in the period</text>')
    parts.append(_time_axis(report, left, plot_w, height - 10))
    parts.append("</svg>")
    return "".join(parts)


def _cards(report: dora.Report) -> str:
    lead = report.lead
    recovery = report.recovery_times
    cfr = report.change_failure_rate
    cards = [
        ("Deployment frequency", "deployment_frequency",
         f"{report.deployments / report.weeks_in_period:.1f} / week",
         f"{plural(report.deployments, 'deploy')}, "
         f"{report.deploy_days / report.weeks_in_period:.1f} deploy days / week"),
        ("Lead time for changes", "lead_time_for_changes", f"median {_duration(lead.median)}",
         f"P95 {_duration(lead.p95)}, {plural(lead.changes, 'commit')}"),
        ("Change failure rate", "change_failure_rate", "n/a" if cfr is None else f"{cfr * 100:.1f} %",
         f"{report.count('fail')} failed, {report.count('pass')} passed, "
         f"{report.count('inconclusive')} inconclusive"),
        ("Time to restore", "time_to_restore_service", f"median {_duration(dora.median(recovery))}",
         f"P95 {_duration(dora.percentile(recovery, 95))}, {plural(len(report.incidents), 'incident')}, "
         f"{len(report.incidents) - len(recovery)} open"),
    ]
    out = ['<div class="cards">']
    for title, key, value, detail in cards:
        rating = report.ratings[key]
        note = f'<div class="note">{escape(rating.note)}</div>' if rating.note else ""
        out.append(f'<div class="card" id="card-{key}"><div class="name">{escape(title)}</div>'
                   f'<div class="value">{escape(value)}</div>{_badge(rating.level)}'
                   f'<div class="note">{escape(detail)}</div>{note}</div>')
    out.append("</div>")
    return "".join(out)


def _incident_table(report: dora.Report) -> str:
    if not report.incidents:
        return "<p>No failed deploy in the period.</p>"
    rows = ["<table id=\"incidents\"><tr><th>started</th><th>service</th><th>failed commit(s)</th><th>reason</th>"
            "<th>restored by</th><th>recovery</th></tr>"]
    for incident in report.incidents[-200:]:
        restored = incident.restored_by
        rows.append(
            f"<tr><td>{isotime.iso(incident.started_at)}</td><td>{escape(incident.service or '')}</td>"
            f"<td>{escape(', '.join(d.commit[:12] for d in incident.failed))}</td>"
            f"<td>{escape(incident.failed[0].reason or '')}</td>"
            f"<td>{escape(restored.commit[:12]) if restored else 'open'}</td>"
            f"<td>{_duration(incident.recovery_s) if restored else 'open'}</td></tr>")
    rows.append("</table>")
    return "".join(rows)


def _bands_table() -> str:
    rows = ["<table id=\"bands\"><tr><th>metric</th>" + "".join(f"<th>{level}</th>" for level in dora.LEVELS)
            + "</tr>"]
    for metric, bands in dora.BANDS.items():
        rows.append(f"<tr><td>{escape(metric.replace('_', ' '))}</td>"
                    + "".join(f"<td>{escape(bands[level])}</td>" for level in dora.LEVELS) + "</tr>")
    rows.append("</table>")
    return "".join(rows)


def render(report: dora.Report) -> str:
    scope = f"service {report.service}" if report.service else "all services"
    title = f"DORA metrics — {scope}"
    notes = "".join(f"<li>{escape(note)}</li>" for note in report.notes)
    legend = (f'<div class="legend"><span><i style="background:{PASS}"></i>passed</span>'
              f'<span><i style="background:{FAIL}"></i>failed</span>'
              f'<span><i style="background:{UNDECIDED}"></i>inconclusive</span></div>')
    return "".join([
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="sub">{isotime.iso(report.period_start)} to {isotime.iso(report.period_end)} · '
        f"{report.deployments} deploys</p>",
        _cards(report),
        "<h2>Ratings</h2>", _ratings_chart(report),
        "<h2>Deploys per week</h2>", legend, _weekly_chart(report),
        "<h2>Lead time over time</h2>", _lead_chart(report),
        "<h2>Failures and recovery times</h2>", _recovery_chart(report), _incident_table(report),
        f"<h2>Notes</h2><ul>{notes or '<li>none</li>'}</ul>",
        f"<h2>Rating bands</h2><p class=\"note\">{escape(dora.BANDS_SOURCE)}</p>", _bands_table(),
        "</body></html>\n",
    ])

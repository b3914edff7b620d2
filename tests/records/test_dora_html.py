"""The DORA page: self-contained, escaped, and rendered by a real headless Chromium with its charts."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from mosaic_hooks.core import isotime
from mosaic_hooks.records import dora, dora_html
from tests.support.dora_records import record
from tests.support.services import service_missing

START = isotime.epoch("2026-01-01T00:00:00Z")
END = isotime.epoch("2026-01-29T00:00:00Z")
assert START is not None and END is not None


def _report() -> dora.Report:
    records = []
    for day in range(1, 28):
        verdict = "fail" if day in (5, 6, 20, 27) else ("inconclusive" if day == 12 else "pass")
        live = f"2026-01-{day:02d}T10:00:00Z"
        records.append(record(f"d{day}", live, verdict, commits=[(f"c{day}", f"2026-01-{day:02d}T0{day % 9}:00:00Z")],
                              reason="<script>alert('x')</script> health: 503" if verdict == "fail" else None))
    return dora.compute(dora.load_deploys(records), start=START, end=END)


def test_the_page_loads_nothing_from_anywhere() -> None:
    page = dora_html.render(_report())
    lowered = page.lower()
    assert "<script" not in lowered
    for needle in ("<link", "src=", "@import", "url(", "@font-face"):
        assert needle not in lowered, needle
    # the only absolute URL is the SVG namespace, which is a name, never fetched
    assert set(re.findall(r"https?://[^\"' )]+", page)) == {"http://www.w3.org/2000/svg"}


def test_text_from_the_history_is_escaped() -> None:
    page = dora_html.render(_report())
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; health: 503" in page


def test_the_page_has_the_four_charts_and_ratings() -> None:
    page = dora_html.render(_report())
    for chart in ("chart-ratings", "chart-deploys-per-week", "chart-lead-time", "chart-recovery"):
        assert f'id="{chart}"' in page
    # one stack per verdict present in a week: passed+failed (5, 6), passed+inconclusive (12),
    # passed+failed (20), passed+failed (27)
    assert page.count('class="bar"') == 2 + 2 + 2 + 2
    assert "DevLake" in page


def test_an_empty_history_still_renders_a_page() -> None:
    page = dora_html.render(dora.compute(dora.load_deploys([]), start=START, end=END))
    assert "no deployed commit in the period" in page
    assert "no failed deploy in the period" in page


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@dataclass
class Rendered:
    dom: str
    png: bytes
    blank_png: bytes


def _chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=90,
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    if CHROMIUM is None:
        service_missing("chromium is not installed (.ci/run installs it with apt-get install chromium)")
    tmp = tmp_path_factory.mktemp("chromium")
    page, blank = tmp / "dora.html", tmp / "blank.html"
    page.write_text(dora_html.render(_report()), encoding="utf-8")
    blank.write_text("<!DOCTYPE html><html><body></body></html>")
    dom = _chromium(tmp / "profile", "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    shots = []
    for source, png in ((page, tmp / "page.png"), (blank, tmp / "blank.png")):
        proc = _chromium(tmp / "profile", f"--screenshot={png}", "--window-size=1200,1600", source.as_uri())
        assert proc.returncode == 0 and png.is_file(), proc.stderr[-2000:]
        shots.append(png.read_bytes())
    return Rendered(dom=dom.stdout, png=shots[0], blank_png=shots[1])


def test_chromium_renders_the_charts_in_the_dom(rendered: Rendered) -> None:
    for chart in ("chart-ratings", "chart-deploys-per-week", "chart-lead-time", "chart-recovery"):
        assert re.search(rf'<svg[^>]*id="{chart}"', rendered.dom), chart
    assert len(re.findall(r'<rect class="bar"', rendered.dom)) == 8
    assert len(re.findall(r'<circle class="point"', rendered.dom)) == 27
    assert len(re.findall(r'<rect class="incident ', rendered.dom)) == 3  # 5-6 back to back, 20, 27 (open)
    assert len(re.findall(r'<rect class="rating-cell"', rendered.dom)) == 16


def test_chromium_takes_a_full_non_trivial_screenshot(rendered: Rendered) -> None:
    png = rendered.png
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (1200, 1600)
    # a blank page compresses to almost nothing; the charts and text do not
    assert len(png) > 20_000
    assert len(png) > 5 * len(rendered.blank_png)

"""The dashboard in a real headless Chromium: a date range typed into the sidebar changes the
timeline and the URL, a PNG and a CSV download are real files, the Articles page's link downloads
every matching item (streamed by the server's own route), and every page is photographed
(test-output/browser/, git-ignored) for a person to look at.

Runs `flankwatch serve` (python -m analysis.cli serve) on a free port against a copy of the demo
store, and always stops it (its whole process group) afterwards.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import duckdb
import pytest

from dashboard_fixtures import PROJECT, demo_copy  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
SHOTS = PROJECT / "test-output" / "browser"
PAGES = [("Topic trends", "trends"), ("Claims tracker", "claims"), ("Articles", "articles"),
         ("Topics", "topics"), ("Add articles", "add-articles")]
START = "2024-01-01"

if not CHROMIUM.exists():
    pytest.skip(f"no Chromium at {CHROMIUM}: the browser test needs Debian's chromium package",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the browser test needs the playwright package")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture()
def server(demo_copy, tmp_path) -> Iterator[tuple[str, Path]]:  # noqa: F811
    """`flankwatch serve` on a private copy of the demo store; the base URL and the store."""
    store = tmp_path / "browser.duckdb"
    shutil.copy(demo_copy, store)
    port = _free_port()
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "analysis.cli", "serve", "--db", str(store), "--port", str(port), "--no-poll"],
        cwd=PROJECT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as reply:
                    if reply.read() == b"ok":
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(f"the dashboard did not start: {(tmp_path / 'server.log').read_text()[-2000:]}")
            time.sleep(0.25)
        yield base, store
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # the CLI and the streamlit process it started
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        log.close()


def _idle(page) -> None:
    """Wait until the script run is over and the charts are drawn."""
    page.wait_for_selector('[data-testid="stApp"]')
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && document.querySelectorAll('[data-stale=\"true\"]').length === 0", timeout=60_000)
    time.sleep(0.8)


def _timeline_start(page) -> str:
    return page.evaluate(
        "() => { const p = document.querySelector('.js-plotly-plot');"
        " return p.data.map(t => t.x[0]).sort()[0]; }")


def _download(page, label: str, target: Path) -> bytes:
    with page.expect_download(timeout=90_000) as info:
        page.locator("button", has_text=label).first.click()
    info.value.save_as(target)
    return target.read_bytes()


def _shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def test_dashboard_in_a_real_browser(server, demo_copy, tmp_path):  # noqa: F811
    base, store = server
    with duckdb.connect(str(demo_copy), read_only=True) as con:  # the served copy is the server's
        (claim_item,) = con.execute("SELECT item_id FROM claims c JOIN items i ON i.id = c.item_id "
                                    "WHERE i.kind = 'article' ORDER BY i.published_date DESC LIMIT 1").fetchone()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 2000}, accept_downloads=True)
            page.goto(base + "/")
            page.wait_for_selector(".js-plotly-plot", timeout=60_000)
            _idle(page)
            # plotly.js was imported early (dashboard/ui.py warm_chart_library) and by the charts:
            # one module, fetched once, not two copies
            chunks = page.evaluate("() => performance.getEntriesByType('resource')"
                                   ".map(e => e.name).filter(n => /PlotlyChart\\.[^/]+\\.js$/.test(n))")
            assert len(chunks) == 1, chunks
            before = _timeline_start(page)
            assert before < START

            # the date range is a react-aria field: type the start date, then leave the field
            page.get_by_role("spinbutton", name="year, Date range start date").click()
            page.keyboard.type(START.replace("-", ""))
            page.get_by_role("heading", name="Overview").click()
            page.wait_for_function(
                f"() => {{ const p = document.querySelector('.js-plotly-plot');"
                f" return p && p.data.every(t => t.x[0] >= '{START}'); }}", timeout=60_000)
            _idle(page)
            assert _timeline_start(page) >= START
            assert f"dates={START}" in page.url
            _shot(page, "overview")

            data = _download(page, "CSV", tmp_path / "theme-volume.csv")
            rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
            assert rows[0] == ["period", "theme", "theme_label", "items", "all_items", "share", "filters"]
            assert len(rows) > 1 and all(row[0] >= START for row in rows[1:])
            assert all(row[-1].startswith(f"{START} to ") for row in rows[1:])  # the view it came from

            png = _download(page, "PNG", tmp_path / "theme-volume.png")
            assert png[:8] == b"\x89PNG\r\n\x1a\n"
            assert struct.unpack(">II", png[16:24]) == (2400, 1350)

            for title, slug in PAGES:
                page.get_by_role("link", name=title, exact=True).click()
                page.wait_for_url(f"**/{slug}*", timeout=30_000)
                _idle(page)
                assert f"dates={START}" in page.url, f"{title}: the filter was lost on the way"
                assert page.get_by_role("heading", name=title).count() >= 1
                assert not page.locator('[data-testid="stException"]').count()
                _shot(page, slug)

            # a point on the claims chart opens its quote
            page.get_by_role("link", name="Claims tracker", exact=True).click()
            page.wait_for_url("**/claims*", timeout=30_000)
            _idle(page)
            points = page.locator(".js-plotly-plot .scatterlayer .trace .points path")
            assert points.count() > 0
            box = points.nth(points.count() - 1).bounding_box()
            page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            page.wait_for_selector("blockquote", timeout=30_000)
            assert page.locator("blockquote").first.text_content().strip()
            _shot(page, "claim-selected")

            page.goto(f"{base}/articles?item={claim_item}")
            page.wait_for_selector("mark", timeout=60_000)
            _idle(page)
            _shot(page, "article")
        finally:
            browser.close()
    assert all((SHOTS / f"{name}.png").stat().st_size > 10_000
               for name in ["overview", "article", "claim-selected", *(slug for _, slug in PAGES)])


def test_articles_csv_downloads_every_matching_item_through_the_page(server, demo_copy, tmp_path):  # noqa: F811
    """A theme picked in the sidebar and a search typed on the Articles page: the link downloads
    exactly the store's rows for them (dashboard/downloads.py streams them), BOM and filters column
    included; the route refuses a parameter the page would not write, naming it."""
    from analysis import queries
    from analysis.queries import Filters
    from analysis.themes import load_taxonomy
    from dashboard import downloads, exports

    base, _ = server
    filters, search = Filters(themes=("migration",)), "border"
    labels = dict(load_taxonomy().labels)
    words = exports.with_search(filters.describe(theme_labels=labels), search)
    with duckdb.connect(str(demo_copy), read_only=True) as con:  # the served copy is the server's
        queries.build_rollups(con)
        expected = exports.table_csv(queries.items_export(con, filters, text=search, rollups=True), filters=words)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1400}, accept_downloads=True)
            page.goto(f"{base}/articles")
            page.wait_for_selector("a.fw-download", timeout=60_000)
            _idle(page)
            page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text="Themes").click()
            page.get_by_role("option", name=labels["migration"], exact=True).click()
            page.keyboard.press("Escape")
            _idle(page)
            field = page.get_by_role("textbox", name="Search titles and text")
            field.fill(search)
            field.press("Enter")
            _idle(page)
            link = page.get_by_role("link", name=re.compile(r"Download all [\d,]+ matching items \(CSV\)"))
            count = int(re.search(r"([\d,]+) matching", link.inner_text()).group(1).replace(",", ""))
            href = link.get_attribute("href")
            page_params = sorted(parse_qsl(urlsplit(page.url).query))
            assert ("theme", labels["migration"]) in page_params and ("q", search) in page_params
            assert sorted(parse_qsl(urlsplit(href).query)) == page_params  # the page's own URL form
            with page.expect_download(timeout=90_000) as info:
                link.click()
            info.value.save_as(tmp_path / "articles.csv")
            assert info.value.suggested_filename == "articles_all-dates_migration_q-border.csv"
            assert page.url.startswith(f"{base}/articles")  # the page stayed
        finally:
            browser.close()
    data = (tmp_path / "articles.csv").read_bytes()
    assert data == expected
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert data.startswith(b"\xef\xbb\xbfid,") and rows[0][-1] == exports.FILTERS_COLUMN
    assert len(rows) == 1 + count > 1 and all(row[-1] == words for row in rows[1:])

    with urllib.request.urlopen(base + href, timeout=30) as reply:  # sent as it is read, its size unknown before
        assert reply.headers["Transfer-Encoding"] == "chunked" and reply.headers["Content-Length"] is None
        assert reply.read() == expected
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{base}{downloads.EXPORT_PATH}?theme=migration", timeout=30)
    assert refused.value.code == 400
    assert refused.value.read().decode() == "theme: 'migration' is not among the themes of this store\n"


def _date_field(page) -> tuple[str, bool]:
    """The sidebar date range as shown ('2025-09-28 – 2025-10-27') and whether it is marked invalid."""
    text, invalid = page.evaluate(
        "() => { const f = document.querySelector('[data-testid=\"stSidebar\"] [data-testid=\"stDateInputField\"]');"
        " return [f.innerText, f.hasAttribute('data-has-error') || !!f.querySelector('[aria-invalid=\"true\"]')]; }")
    return "".join(text.split()).replace("–", " – "), invalid


def _sidebar_warnings(page) -> list[str]:
    return [" ".join(t.split()) for t in page.locator('[data-testid="stSidebar"] [data-testid="stAlert"]').all_inner_texts()]


def test_date_field_explains_a_refused_day_and_recovers(server, demo_copy):  # noqa: F811
    """Type a start year before the store, read why it moved, then a quick pick: a clean, whole field."""
    base, _ = server
    with duckdb.connect(str(demo_copy), read_only=True) as con:  # the served copy is the server's
        first, last = con.execute(
            "SELECT min(published_date), max(published_date) FROM items WHERE duplicate_of IS NULL").fetchone()
    early = first.replace(year=first.year - 4)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1400})
            page.goto(base + "/")
            page.wait_for_selector(".js-plotly-plot", timeout=60_000)
            _idle(page)
            page.get_by_role("spinbutton", name="year, Date range start date").click()
            page.keyboard.type(str(early.year))
            page.get_by_role("heading", name="Overview").click()  # the value is sent on blur
            expected = f"{early:%Y-%m-%d} is before the first item, {first:%Y-%m-%d}; showing from {first:%Y-%m-%d}."
            page.wait_for_function(
                "() => [...document.querySelectorAll('[data-testid=\"stSidebar\"] [data-testid=\"stAlert\"]')]"
                ".some(a => a.innerText.includes('is before the first item'))", timeout=60_000)
            _idle(page)
            assert any(expected in w for w in _sidebar_warnings(page))
            assert _date_field(page) == (f"{first:%Y-%m-%d} – {last:%Y-%m-%d}", False)
            _shot(page, "date-refused")

            page.get_by_role("button", name="Last 30 days").click()
            _idle(page)
            start = last - timedelta(days=29)
            assert _date_field(page) == (f"{start:%Y-%m-%d} – {last:%Y-%m-%d}", False)  # whole, not '2025-10-2'
            assert not _sidebar_warnings(page)
            assert f"dates={start:%Y-%m-%d}&dates={last:%Y-%m-%d}" in page.url
            ticks = page.evaluate("() => document.querySelector('.js-plotly-plot').layout.xaxis.ticktext || []")
            assert not any(":" in t for t in ticks)  # dates, not 23:59:59.999
            _shot(page, "date-recovered")
        finally:
            browser.close()


@pytest.mark.parametrize("width", [1440, 390])
def test_time_charts_read_at_every_width_and_span(server, demo_copy, width):  # noqa: F811
    """Overview and Topic trends for the whole store, the last 30 days (per month too) and a
    decade, photographed at a desk and a phone width (test-output/browser/time-*.png)."""
    base, _ = server
    with duckdb.connect(str(demo_copy), read_only=True) as con:
        (last,) = con.execute("SELECT max(published_date) FROM items WHERE duplicate_of IS NULL").fetchone()
    spans = {"default": "", "30d": f"dates={last - timedelta(days=29)}&dates={last}",
             "30d-month": f"dates={last - timedelta(days=29)}&dates={last}&ov_freq=Month&tr_freq=Month",
             "decade": f"dates={last.replace(year=last.year - 10)}&dates={last}"}
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": 1400})
            for span, query in spans.items():
                for slug in ("overview", "trends"):
                    page.goto(f"{base}/{'' if slug == 'overview' else slug}" + (f"?{query}" if query else ""))
                    page.wait_for_selector(".js-plotly-plot", timeout=60_000, state="attached")
                    _idle(page)
                    assert not page.locator('[data-testid="stException"]').count()
                    layout = page.evaluate("() => document.querySelector('.js-plotly-plot').layout")
                    ticks = layout["xaxis"].get("ticktext") or []
                    assert not any(":" in t for t in ticks), (span, slug, ticks)
                    if slug == "overview":
                        assert layout["showlegend"] is False  # panels are named: no legend on a phone
                    collapse = page.get_by_role("button", name="Collapse sidebar")
                    if width < 600 and collapse.count():
                        collapse.first.click()
                        time.sleep(0.5)
                    plot = page.locator(".js-plotly-plot").first
                    plot.scroll_into_view_if_needed()
                    SHOTS.mkdir(parents=True, exist_ok=True)
                    plot.screenshot(path=str(SHOTS / f"time-{slug}-{span}-{width}.png"))
        finally:
            browser.close()
    assert all((SHOTS / f"time-{slug}-{span}-{width}.png").stat().st_size > 5_000
               for span in spans for slug in ("overview", "trends"))

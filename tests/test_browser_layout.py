"""Every page at 1440 and 390 px wide in a real headless Chromium: photographed
(test-output/browser/layout-<page>-<width>.png, git-ignored) for a person to look at, and measured
in the DOM for what a screenshot shows wrong on a phone or a wide screen:

- nothing wider than the viewport at 390 px, except inside a container that scrolls by itself
  (a table, the text of an article), and no button pushed off the screen (a segmented control's
  last options);
- no text of a chart outside its figure (a clipped source note, title or spike label);
- every chart's legend under its plot area, or no legend (beside the plot it took two thirds of a
  phone's chart; above it, it pushed the plot down);
- the mode bar never over the chart's title;
- at 1440 px every column header of every table visible, not cut by the table's right edge.
"""

from __future__ import annotations

import time

import duckdb
import pytest

from dashboard_fixtures import demo_copy  # noqa: F401  (a fixture the server needs)
from test_browser import CHROMIUM, CHROMIUM_ARGS, SHOTS, server, sync_api  # noqa: F401  (server: a fixture)

pytestmark = pytest.mark.browser

WIDE, PHONE = (1440, 900), (390, 844)
# a phone's browser says so (Chrome on Android); the dashboard lays some charts out by it
PHONE_AGENT = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/131.0.0.0 Mobile Safari/537.36")
# (name, path): every page of the dashboard; the Claims tracker is photographed per tab
PAGES = [("overview", ""), ("trends", "trends"), ("claims", "claims"), ("articles", "articles"),
         ("article", "articles?item={item}"), ("topics", "topics"), ("model", "model"),
         ("sources", "sources"), ("add-articles", "add-articles")]

_SETTLED = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]').length;
    const drawn = document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot .main-svg').length;
    return [!!document.querySelector('[data-testid="stStatusWidget"]'),
            document.querySelectorAll('[data-stale="true"], [data-testid="stSkeleton"]').length,
            charts, drawn > 0 || charts === 0, main ? main.scrollHeight : 0, main ? main.scrollWidth : 0].join();
}"""

# Elements wider than the viewport that are not inside something that scrolls or clips by itself.
_OVERFLOW = """(limit) => {
    const clips = el => { for (let p = el.parentElement; p; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (p.getBoundingClientRect().right <= limit + 1 && /auto|scroll|hidden|clip/.test(s.overflowX)
            && p.tagName !== 'HTML' && p.tagName !== 'BODY' && p.dataset.testid !== 'stMain') return true;
        if (p.tagName === 'svg' || p.tagName === 'CANVAS') return true;
    } return false; };
    const main = document.querySelector('[data-testid="stMain"]');
    const wide = [];
    for (const el of main.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0 || r.right <= limit + 1 || r.left >= limit) continue;
        if (!clips(el)) wide.push((el.dataset.testid || el.tagName) + ' ' + (el.className.baseVal ?? el.className)
                                  + ' right=' + Math.round(r.right) + ' "' + (el.textContent || '').slice(0, 40) + '"');
    }
    const buttons = [...main.querySelectorAll('button')].filter(b => {
        const r = b.getBoundingClientRect();
        return r.width > 0 && r.right > limit + 1 && !b.closest('[data-testid="stDataFrame"], .js-plotly-plot');
    }).map(b => 'a button off the screen: "' + b.innerText.trim() + '"');
    return {doc: document.documentElement.scrollWidth, main: main.scrollWidth, wide: wide.slice(0, 8).concat(buttons)};
}"""

# Per chart: its size, its title's and mode bar's boxes, the plot areas' and legend's boxes, and
# any text that sits outside the figure (clipped by the SVG).
_CHARTS = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')].map(plot => {
    const box = el => { if (!el) return null; const r = el.getBoundingClientRect();
                        return r.width && r.height ? {l: r.left, r: r.right, t: r.top, b: r.bottom} : null; };
    const fig = box(plot.querySelector('.main-svg'));
    const areas = [...plot.querySelectorAll('.draglayer .nsewdrag')].map(box).filter(Boolean);
    const legend = plot.querySelector('.legend');
    const items = legend ? legend.querySelectorAll('.traces').length : 0;
    const outside = [...plot.querySelectorAll('.infolayer text, .annotation-text, .gtitle, .xtick text, .ytick text')]
        .map(t => [t.textContent, box(t)]).filter(([text, b]) => b && text.trim() &&
             (b.l < fig.l - 2 || b.r > fig.r + 2 || b.t < fig.t - 2 || b.b > fig.b + 2))
        .map(([text, b]) => text.slice(0, 50) + ' [' + Math.round(b.l - fig.l) + '..' + Math.round(b.r - fig.l) + ']');
    return {title: (plot.querySelector('.gtitle') || {}).textContent || '', fig, areas,
            titleBox: box(plot.querySelector('.gtitle')), legend: items ? box(legend.querySelector('.bg') || legend) : null,
            modebar: box(plot.querySelector('.modebar-container .modebar')), outside};
})"""

# Per table (glide data grid): its box and every column header's box; headers are drawn on a
# canvas, so they are read from the grid's accessible table.
_TABLES = """() => [...document.querySelectorAll('[data-testid="stDataFrame"]')].map(frame => {
    const r = frame.getBoundingClientRect();
    const heads = [...frame.querySelectorAll('table [role="columnheader"], table th')]
        .map(th => th.textContent.trim()).filter(Boolean);
    const scroller = frame.querySelector('.dvn-scroller');
    return {right: r.right, width: r.width, heads,
            scrollWidth: scroller ? scroller.scrollWidth : 0, clientWidth: scroller ? scroller.clientWidth : 0};
})"""


def settle(page, *, timeout: float = 90.0) -> None:
    """Wait until the script run is over, every chart is drawn and the page stops growing."""
    page.wait_for_selector('[data-testid="stApp"]')
    deadline, last, since = time.monotonic() + timeout, None, time.monotonic()
    while time.monotonic() < deadline:
        state = page.evaluate(_SETTLED)
        busy, stale, _, drawn, height, _ = state.split(",")
        if state != last:
            last, since = state, time.monotonic()
        elif busy == "false" and stale == "0" and drawn == "true" and int(height) > 200 \
                and time.monotonic() - since > 1.2:
            return
        time.sleep(0.3)
    raise AssertionError(f"the page did not settle: {last}")


def close_sidebar(page) -> None:
    """A phone starts with the sidebar over the page; the reader closes it first."""
    button = page.locator('[data-testid="stSidebarCollapseButton"] button')
    if page.viewport_size["width"] < 640 and button.count() and button.first.is_visible():
        button.first.click(force=True)
        page.wait_for_timeout(700)


def photograph(page, name: str) -> None:
    """The whole page: Streamlit scrolls inside its main block, so the viewport grows to fit it."""
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    full = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": width, "height": max(height, int(full) + 24)})
    page.wait_for_timeout(900)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"layout-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": width, "height": height})
    page.wait_for_timeout(300)


def _overlap(a: dict | None, b: dict | None) -> bool:
    return bool(a and b) and a["l"] < b["r"] and b["l"] < a["r"] and a["t"] < b["b"] and b["t"] < a["b"]


REVISIONS_TITLE = "Defence-spending claims by actor"


def measure(page) -> list[str]:
    """What is wrong on the page as it stands, one line per fault."""
    width = page.viewport_size["width"]
    faults: list[str] = []
    overflow = page.evaluate(_OVERFLOW, width)
    if width < 640:
        if overflow["doc"] > width or overflow["main"] > width:
            faults.append(f"the page scrolls sideways: {overflow}")
        faults += [f"wider than the screen: {w}" for w in overflow["wide"]]
    for chart in page.evaluate(_CHARTS):
        name = chart["title"][:40] or "untitled chart"
        faults += [f"{name}: text outside the figure: {text}" for text in chart["outside"]]
        if _overlap(chart["modebar"], chart["titleBox"]):
            faults.append(f"{name}: the mode bar covers the title")
        if width < 640 and chart["legend"] and chart["areas"]:
            bottom = max(area["b"] for area in chart["areas"])
            if chart["legend"]["t"] < bottom - 1:
                faults.append(f"{name}: the legend is not under the plot ({chart['legend']} vs bottom {bottom})")
    if width >= 1000:
        for table in page.evaluate(_TABLES):
            if table["scrollWidth"] > table["clientWidth"] + 1:
                faults.append(f"a table cuts columns: {table['heads']} ({table['scrollWidth']} > {table['clientWidth']})")
    return faults


def _visit(page, base: str, path: str) -> None:
    page.goto(f"{base}/{path}")
    settle(page)
    close_sidebar(page)


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1440", "390"])
def test_every_page_fits_the_screen(server, demo_copy, viewport):  # noqa: F811
    base, _ = server
    with duckdb.connect(str(demo_copy), read_only=True) as con:  # the served copy is the server's
        (item,) = con.execute("SELECT item_id FROM claims c JOIN items i ON i.id = c.item_id "
                              "WHERE i.kind = 'article' ORDER BY i.published_date DESC LIMIT 1").fetchone()
    width, height = viewport
    faults: dict[str, list[str]] = {}
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height},
                                    user_agent=PHONE_AGENT if viewport == PHONE else None)
            for name, path in PAGES:
                _visit(page, base, path.format(item=item))
                errors = page.locator('[data-testid="stException"]').all_inner_texts()
                assert not errors, f"{name}: {errors[0][:600]}"
                if name != "claims":
                    faults[name] = measure(page)
                    photograph(page, name)
                    continue
                tabs = page.get_by_role("tab")
                for index in range(tabs.count()):
                    tab = tabs.nth(index)
                    label = tab.inner_text().strip().lower().split()[0]
                    tab.click()
                    settle(page)
                    faults[f"claims-{label}"] = measure(page)
                    photograph(page, f"claims-{label}")
        finally:
            browser.close()
    wrong = {name: found for name, found in faults.items() if found}
    assert not wrong, "\n".join(f"{name} at {width} px: {fault}" for name, found in wrong.items() for fault in found)


def test_the_revisions_key_is_under_its_panels_on_a_phone(server):  # noqa: F811
    """The revisions chart's symbol key (target, restated, actual) is drawn, and under the panels."""
    base, _ = server
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": PHONE[0], "height": PHONE[1]}, user_agent=PHONE_AGENT)
            _visit(page, base, "claims")  # Spending is the first tab
            charts = [c for c in page.evaluate(_CHARTS) if c["title"].startswith(REVISIONS_TITLE)]
            faults = [f for f in measure(page) if "legend" in f]
        finally:
            browser.close()
    assert charts and charts[0]["legend"], f"no key drawn on the revisions chart: {charts}"
    assert not faults, faults
    # a phone gets one panel per row: the chart fits the screen instead of scrolling sideways
    assert charts[0]["fig"]["r"] <= PHONE[0], charts[0]["fig"]

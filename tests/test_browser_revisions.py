"""The claims tracker's revisions in a real headless Chromium, at 1440 and 390 px wide: the annotated
step chart and the revisions table are on the page, and both widths are photographed
(test-output/browser/claims-revisions-*.png) for a person to look at."""

from __future__ import annotations

import pytest

from dashboard_fixtures import demo_copy  # noqa: F401  (a fixture the server needs)
from test_browser import CHROMIUM, CHROMIUM_ARGS, _idle, _shot, server, sync_api  # noqa: F401  (server: a fixture)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1440, 390])
def test_the_claims_page_shows_revisions(server, width):  # noqa: F811
    base, _ = server
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": 2600})
            page.goto(f"{base}/claims" + ("?cl_cols=1" if width < 640 else ""))
            page.wait_for_selector(".js-plotly-plot", timeout=60_000)
            _idle(page)
            if width < 640:  # a phone starts with the sidebar over the page
                collapse = page.locator('[data-testid="stSidebarCollapseButton"] button')
                if collapse.count():
                    collapse.first.click()
                    _idle(page)
            chart = page.locator(".js-plotly-plot").first
            assert "Defence-spending claims by actor" in chart.locator(".gtitle").text_content()
            notes = chart.locator(".annotation-text").all_text_contents()
            assert any("raised from 3 % to 5–6 % for 2026–2030" in n and "2025-01-16" in n for n in notes), notes
            links = chart.locator(".annotation-text a").evaluate_all(
                "links => links.map(a => a.getAttribute('href') || a.getAttribute('xlink:href'))")
            assert links and all(link.startswith("articles?item=") for link in links), links
            panels = [n for n in notes if n in ("Lithuania", "Latvia", "Estonia", "NATO")]
            assert len(panels) == 4
            assert page.get_by_text("Revisions", exact=True).count() == 1
            table = page.locator('[data-testid="stDataFrame"]').first
            assert table.is_visible()
            box = chart.bounding_box()
            assert box["width"] <= width  # the chart stays inside the page
            _shot(page, f"claims-revisions-{width}")
        finally:
            browser.close()

"""Issue 9's smaller points in a real headless Chromium, on `flankwatch serve` over a demo copy:
/overview answers (with its view), a chart's CSV is named by its view and filters and carries
them, and the upload report lists the new items, survives other pages and goes on Dismiss.
Screenshots in test-output/browser/ (git-ignored) for a person to look at."""

from __future__ import annotations

import csv
import io
import json

from dashboard_fixtures import demo_copy  # noqa: F401  (a fixture)
from test_browser import CHROMIUM, CHROMIUM_ARGS, _download, _idle, _shot, server, sync_api  # noqa: F401

import pytest

pytestmark = pytest.mark.browser

UPLOAD = [
    {"headline": "Estonian navy tests sonar buoys off Hiiumaa",
     "text": "The Estonian navy tested sonar buoys off Hiiumaa on Wednesday, the navy said.",
     "published": "2025-11-06T10:15:00+02:00", "url": "https://example.invalid/sonar", "source": "Upload Test Wire"},
]


def test_overview_path_downloads_and_upload_report(server, tmp_path):  # noqa: F811
    base, _ = server
    upload = tmp_path / "upload.jsonl"
    upload.write_text("".join(json.dumps(r) + "\n" for r in UPLOAD), encoding="utf-8")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1600}, accept_downloads=True)
            page.goto(base + "/overview?theme=Belarus")  # was "Page not found"
            page.wait_for_selector(".js-plotly-plot", timeout=60_000)
            _idle(page)
            assert page.url == base + "/?theme=Belarus"
            assert page.locator("h1").first.inner_text() == "Overview"
            assert "Page not found" not in page.inner_text("body")
            _shot(page, "overview-path")

            data = _download(page, "CSV", tmp_path / "chart.csv")
            with page.expect_download(timeout=90_000) as info:
                page.locator("button", has_text="CSV").first.click()
            assert info.value.suggested_filename.endswith("_all-dates_belarus.csv")
            rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
            assert rows and {row["filters"] for row in rows} == {"all dates · themes: Belarus · headlines counted"}

            page.goto(base + "/add-articles")
            page.wait_for_selector("h1", timeout=60_000)
            _idle(page)
            page.set_input_files("input[type=file]", str(upload))
            page.get_by_role("button", name="Ingest and analyse 1 file").click()
            page.get_by_text("New items (1)").wait_for(timeout=240_000)
            _idle(page)
            for name in ("Overview", "Articles", "Add articles"):
                page.get_by_role("link", name=name).first.click()
                _idle(page)
            assert page.get_by_text("New items (1)").count() == 1  # still there after other pages
            _shot(page, "upload-report")
            grid = page.locator("[data-testid=stDataFrame]").first.bounding_box()
            link = (grid["x"] + grid["width"] - 92, grid["y"] + 53)  # "Open" in the one row (the grid is a canvas)
            page.mouse.move(*link)
            page.wait_for_timeout(800)
            with page.context.expect_page(timeout=30_000) as opened:
                page.mouse.click(*link)
            article = opened.value
            article.wait_for_selector("h1", timeout=60_000)
            assert "/articles?item=" in article.url
            article.get_by_text("Estonian navy tests sonar buoys off Hiiumaa").first.wait_for(timeout=60_000)
            page.bring_to_front()
            page.get_by_role("button", name="Dismiss").click()
            page.get_by_text("New items (").wait_for(state="detached", timeout=30_000)
            assert page.get_by_text("Report").count() == 0
        finally:
            browser.close()

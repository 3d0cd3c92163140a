"""The open dashboard while others write, in a real headless Chromium.

- New items written by `flankwatch ingest` and `flankwatch poll --once` (handed to the dashboard's
  process, the store's owner) appear in the open page without a reload.
- A dashboard opened while a command holds the store says who is writing and how far it is, and
  shows the store by itself when the command lets go.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from dashboard_fixtures import PROJECT, demo_copy  # noqa: F401  (a fixture)
from live_server import LiveServer
from test_browser import CHROMIUM, CHROMIUM_ARGS, _free_port
from test_live import _serve_feed, _sources, distinct_text, feed

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api", reason="the browser test needs the playwright package")
SHOTS = PROJECT / "test-output" / "browser"


@contextmanager
def serving(store: Path, log: Path, *, sources: Path | None = None) -> Iterator[str]:
    port = _free_port()
    polling = ["--sources", str(sources)] if sources else ["--no-poll"]
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "analysis.cli", "serve", "--db", str(store), "--port", str(port), *polling],
            cwd=PROJECT, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
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
                    pytest.fail(f"the dashboard did not start: {log.read_text()[-2000:]}")
                time.sleep(0.25)
            yield base
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
    assert process.returncode == 0, log.read_text()[-2000:]  # SIGTERM stops it cleanly


@contextmanager
def browser_page(width: int = 1440) -> Iterator:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": width, "height": 900})
        finally:
            browser.close()


def _sidebar_items(page) -> int | None:
    text = page.locator('[data-testid="stSidebar"]').inner_text()
    found = re.search(r"· ([\d,]+) items", text)
    return int(found.group(1).replace(",", "")) if found else None


def _wait_items(page, expected: int, timeout: float) -> float:
    started = time.monotonic()
    while _sidebar_items(page) != expected:
        assert time.monotonic() - started < timeout, f"the page still shows {_sidebar_items(page)} items"
        time.sleep(0.1)
    return time.monotonic() - started


def _records(path: Path, count: int, *, prefix: str, offset: int = 0) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for n in range(count):
            handle.write(json.dumps({"title": f"{prefix} {n}", "url": f"https://example.test/{prefix}/{n}",
                                     "published": "2025-11-0{}".format(1 + n % 9), "outlet": "Test Wire",
                                     "text": f"{prefix} {n}. " + distinct_text(offset + n)}) + "\n")
    return path


def test_new_items_from_commands_appear_in_the_open_page(demo_copy, tmp_path):  # noqa: F811
    store = tmp_path / "live.duckdb"
    shutil.copy(demo_copy, store)
    with serving(store, tmp_path / "serve.log") as base, browser_page() as page, LiveServer() as feeds:
        page.goto(base)
        page.wait_for_selector('[data-testid="stSidebar"]')
        deadline = time.monotonic() + 60
        while _sidebar_items(page) is None and time.monotonic() < deadline:
            time.sleep(0.2)
        before = _sidebar_items(page)
        assert before and before > 100

        ingest = subprocess.run([sys.executable, "-m", "analysis.cli", "ingest", "-q", "--db", str(store),
                                 str(_records(tmp_path / "new.jsonl", 3, prefix="Handed over", offset=500))],
                                cwd=PROJECT, capture_output=True, text=True, timeout=120)
        assert ingest.returncode == 0, ingest.stderr
        _wait_items(page, before + 3, timeout=30)
        page.wait_for_selector('[data-testid="stSidebar"] >> text=/3 new items at \\d\\d:\\d\\d/', timeout=10_000)

        _serve_feed(feeds, "/wire.rss", feed([1, 2]))
        poll = subprocess.run([sys.executable, "-m", "analysis.cli", "poll", "--once", "--db", str(store),
                               "--sources", str(_sources(tmp_path, feeds, "wire"))],
                              cwd=PROJECT, capture_output=True, text=True, timeout=120)
        assert poll.returncode == 0, poll.stderr
        _wait_items(page, before + 5, timeout=30)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "live-new-items.png"), full_page=True)

        page.goto(f"{base}/sources")
        page.wait_for_selector("text=Sources file:", timeout=60_000)


def test_a_source_added_while_serving_is_polled_and_its_items_appear_on_their_own(demo_copy, tmp_path):  # noqa: F811
    store = tmp_path / "polled.duckdb"
    shutil.copy(demo_copy, store)
    with LiveServer() as feeds:
        _serve_feed(feeds, "/first.rss", feed([41, 42]))
        _serve_feed(feeds, "/second.rss", feed([43, 44, 45]))
        sources = _sources(tmp_path, feeds, "first")
        with serving(store, tmp_path / "serve.log", sources=sources) as base, browser_page() as page:
            page.goto(base)
            deadline = time.monotonic() + 60
            while _sidebar_items(page) != _expected(demo_copy) + 2:  # the first source, polled at start
                assert time.monotonic() < deadline, f"the page shows {_sidebar_items(page)} items"
                time.sleep(0.2)
            _sources(tmp_path, feeds, "first", "second")  # an analyst adds a feed while the page is open
            waited = _wait_items(page, _expected(demo_copy) + 5, timeout=60)
            page.goto(f"{base}/sources")
            page.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)  # the health table (a canvas)
            time.sleep(1)
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "live-sources.png"), full_page=True)
            assert "Polling is off" not in page.inner_text("body")
    print(f"a source added to the file showed its items {waited:.1f} s later")


def test_a_page_opened_while_a_command_writes_recovers_by_itself(demo_copy, tmp_path):  # noqa: F811
    store = tmp_path / "busy.duckdb"
    shutil.copy(demo_copy, store)
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(6):
        _records(folder / f"part{n}.jsonl", 3000, prefix=f"Batch {n}", offset=100_000 + 3000 * n)
    writer = subprocess.Popen([sys.executable, "-m", "analysis.cli", "ingest", "-q", "--db", str(store), str(folder)],
                              cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wal = store.with_name(store.name + ".wal")
        deadline = time.monotonic() + 60
        while not (store.with_name(store.name + ".owner.json").exists() or writer.poll() is not None):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        with serving(store, tmp_path / "serve.log") as base, browser_page() as page:
            page.goto(base)
            if writer.poll() is None:  # still writing: the page says so
                page.wait_for_selector("text=is writing to it", timeout=30_000)
                SHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SHOTS / "live-waiting.png"), full_page=True)
                assert "flankwatch ingest" in page.inner_text("body")
            assert writer.wait(timeout=300) == 0, writer.stderr.read()
            _wait_items(page, _expected(demo_copy) + 18000, timeout=60)
        assert wal.exists() or store.exists()
    finally:
        writer.kill()
        writer.wait()


def _expected(demo: Path) -> int:
    import duckdb

    with duckdb.connect(str(demo), read_only=True) as con:
        return con.execute("SELECT count(*) FROM items WHERE duplicate_of IS NULL").fetchone()[0]

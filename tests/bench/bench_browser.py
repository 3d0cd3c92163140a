"""How fast the dashboard answers in a real browser on a big store: click to chart redrawn.

A plain script (not collected by pytest). For every page it starts `flankwatch serve` on the
store (so each page is measured with cold query caches; the owner's rollups are built by a
warm-up visit to the Add articles page first, as they are once per server), opens the page in
headless Chromium and times, in the browser:

- first render: navigation start to the page drawn after the script run that draws it has
  finished;
- filter changes: a theme picked in the sidebar, then an outlet, then a start date typed into the
  date field (month and day segments, then a click elsewhere); each from the click or the last
  key to the page drawn after that rerun finished;
- a search on the Articles page (a word typed, Enter to results drawn);
- reopened: the page opened again in a new tab of the same browser (scripts from its cache,
  the first view's queries in the server's cache).

Each is timed to two ends: **charts drawn**, the last change inside a plotly chart (the issue's
"click to chart redrawn"; on a page without a chart, as settled), which the targets apply to; and
**settled**, the last change anywhere in the main area, tables included (a data grid draws on a
canvas and updates its hidden accessibility table some 200 ms later, which this end counts).

The script run's end comes from Streamlit's own websocket messages (``script_finished``; the
sidebar's live-update fragment runs are told apart and ignored); "drawn" is the last DOM mutation
outside the sidebar and header, once the main area has been quiet for ``QUIET_S``. Each figure is
the median of ``--rounds`` rounds. ``--export`` also downloads all articles as CSV from the
Articles page (its link to the server's streaming route, dashboard/downloads.py), from the click
to the file saved, and samples the server's resident memory (psutil, every 50 ms) while it does.

    python tests/bench/bench_browser.py                                   # .bench/store-1m.duckdb
    python tests/bench/bench_browser.py --pages claims topics --rounds 1
    python tests/bench/bench_browser.py --export-only
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
FIRST_RENDER_TARGET = 2.0
CHANGE_TARGET = 0.5
QUIET_S = 0.6
TIMEOUT_S = 180.0
VERBOSE = bool(os.environ.get("BENCH_VERBOSE"))
THEME = "Irregular migration & border"
OUTLET = "LRT"
OUTLET_PICKED = OUTLET
SEARCH = "radar"
TYPED_START = ("06", "01")  # month and day typed into the start date: 2018-06-01 on the bench store
TYPED = TYPED_START
PAGES = (  # (url path, title, whether it has a search box)
    ("", "Overview", False),
    ("trends", "Topic trends", False),
    ("claims", "Claims tracker", False),
    ("articles", "Articles", True),
    ("topics", "Topics", False),
)

# Records the time of the last change to the page outside the sidebar and the header (the live
# updates fragment redraws the sidebar every 2 s; the status widget lives in the header), and of
# the last change inside a plotly chart.
OBSERVER = """
window.__fwLast = 0;
window.__fwChart = 0;
new MutationObserver(records => {
  let outside = false;
  for (const r of records) {
    const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
    if (el && el.closest && el.closest('[data-testid="stSidebar"], header, [data-testid="stHeader"]')) continue;
    outside = true;
    if (el && el.closest && el.closest('[data-testid="stPlotlyChart"]')) {
      window.__fwChart = performance.now();
      break;
    }
  }
  if (outside) window.__fwLast = performance.now();
}).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
"""


class RunWatch:
    """Counts the whole-app script runs that finished, from Streamlit's websocket messages."""

    def __init__(self, page) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self._message = ForwardMsg
        self.finished = 0
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload) -> None:
        if isinstance(payload, str):
            return
        message = self._message()
        try:
            message.ParseFromString(payload)
        except Exception:  # noqa: BLE001  (not a ForwardMsg: nothing to count)
            return
        if message.WhichOneof("type") == "script_finished" and \
                message.script_finished == self._message.ScriptFinishedStatus.FINISHED_SUCCESSFULLY:
            self.finished += 1


def _settled(page, watch: RunWatch, runs_before: int, since: float = 0.0) -> tuple[float, float]:
    """Wait for a script run after ``runs_before`` to finish and the main area to go quiet; the
    ``performance.now()`` (ms) of the last change inside a chart (if one changed after ``since``;
    else the next) and of the main area's last change."""
    deadline = time.monotonic() + TIMEOUT_S
    while watch.finished <= runs_before:
        if time.monotonic() > deadline:
            raise SystemExit(f"{page.url}: no script run finished within {TIMEOUT_S:.0f} s")
        page.wait_for_timeout(15)
    if VERBOSE:
        print(f"    run finished at {page.evaluate('performance.now()') / 1000:.2f} s", flush=True)
    page.wait_for_function(
        f"() => performance.now() - window.__fwLast > {QUIET_S * 1000:.0f}"
        " && document.querySelectorAll('[data-stale=\"true\"]').length === 0", timeout=TIMEOUT_S * 1000, polling=50)
    if page.locator('[data-testid="stException"]').count():
        raise SystemExit(f"{page.url}: the page shows an exception: "
                         f"{page.locator('[data-testid=stException]').first.text_content()[:300]}")
    last, chart = page.evaluate("[window.__fwLast, window.__fwChart]")
    return (chart if chart > since else last), last


class CpuMeter:
    """CPU seconds used by the server (its process tree) and by the page's main thread in Chromium.

    On a shared machine wall-clock times grow with the load; CPU time much less, so the table
    reports both (the server's includes the sidebar's live-update runs every 2 s).
    """

    def __init__(self, server_pid: int) -> None:
        import psutil

        self._server = psutil.Process(server_pid)
        self._page_metrics = None

    def attach(self, page) -> None:
        self._page_metrics = page.context.new_cdp_session(page)
        self._page_metrics.send("Performance.enable", {"timeDomain": "threadTicks"})

    def server(self) -> float:
        total = 0.0
        for process in (self._server, *self._server.children(recursive=True)):
            try:
                times = process.cpu_times()
            except Exception:  # noqa: BLE001  (a child that just ended)
                continue
            total += times.user + times.system
        return total

    def browser(self) -> float:
        metrics = self._page_metrics.send("Performance.getMetrics")["metrics"]
        return next(m["value"] for m in metrics if m["name"] == "ThreadTime")

    def reading(self) -> tuple[float, float]:
        return self.server(), self.browser()


def _timed(page, watch: RunWatch, action: Callable[[], None], meter: CpuMeter) -> tuple[float, float, float, float]:
    """Seconds from just before ``action``'s last input to the charts drawn and to the page settled
    after the rerun it causes, and the CPU seconds the server and the page's main thread spent meanwhile."""
    runs = watch.finished
    server, browser = meter.reading()
    started = page.evaluate("performance.now()")
    action()
    chart, last = _settled(page, watch, runs, since=started)
    server_after, browser_after = meter.reading()
    return (chart - started) / 1000, (last - started) / 1000, server_after - server, browser_after - browser


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(db: Path) -> Iterator[tuple[str, int]]:
    """`flankwatch serve` on ``db`` (a store, or a lake folder: `serve --lake`): the base URL and the
    server's pid; stopped (its group) afterwards."""
    port = _free_port()
    opened = ["--lake", str(db)] if db.is_dir() else ["--db", str(db), "--no-poll"]
    process = subprocess.Popen(
        [sys.executable, "-m", "analysis.cli", "serve", *opened, "--port", str(port)],
        cwd=PROJECT_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as reply:
                    if reply.read() == b"ok":
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the dashboard did not start")
            time.sleep(0.25)
        yield base, process.pid
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _open(browser, url: str, meter: CpuMeter | None = None,
          context=None) -> tuple[object, RunWatch, tuple[float, float, float, float]]:
    """A fresh session on ``url`` (in a new browser context unless ``context`` is given): the page,
    its run counter, and (seconds to charts drawn, to settled, server CPU, page CPU) to first render."""
    if context is None:
        context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
        context.add_init_script(OBSERVER)
    page = context.new_page()
    watch = RunWatch(page)
    server = meter.server() if meter else 0.0
    if meter:
        meter.attach(page)
    page.goto(url, wait_until="commit", timeout=TIMEOUT_S * 1000)
    chart, last = _settled(page, watch, 0)
    if not meter:
        return page, watch, (chart / 1000, last / 1000, 0.0, 0.0)
    return page, watch, (chart / 1000, last / 1000, meter.server() - server, meter.browser())


def _pick(page, nth: int, option: str) -> Callable[[], None]:
    """The click that picks ``option`` in the ``nth`` sidebar multiselect (its list opened first)."""
    page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').nth(nth).click()
    page.get_by_role("option", name=option, exact=True).wait_for(timeout=30_000)
    return lambda: page.get_by_role("option", name=option, exact=True).click()


def _close_list(page) -> None:
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)


def _type_start(page, title: str) -> Callable[[], None]:
    page.get_by_role("spinbutton", name="month, Date range start date").click()
    page.keyboard.type("".join(TYPED))
    return lambda: page.get_by_role("heading", name=title).first.click()


def _search(page) -> Callable[[], None]:
    box = page.get_by_role("textbox", name="Search titles and text")
    box.fill(SEARCH)
    return lambda: box.press("Enter")


def _load() -> str:
    return "load average " + ", ".join(f"{v:.2f}" for v in os.getloadavg())


def measure_page(browser, db: Path, slug: str, title: str, searchable: bool) -> dict[str, tuple[float, ...]]:
    times: dict[str, tuple[float, ...]] = {}
    with serving(db) as (base, pid):
        # the owner opens the store and builds the rollups (a lake has its own, and no Add articles page)
        warm, _, _ = _open(browser, f"{base}/{'topics' if db.is_dir() else 'add-articles'}")
        warm.context.close()
        meter = CpuMeter(pid)
        page, watch, times["first render"] = _open(browser, f"{base}/{slug}", meter)
        if searchable:
            times["search"] = _timed(page, watch, _search(page), meter)
        click = _pick(page, 0, THEME)
        times["theme picked"] = _timed(page, watch, click, meter)
        _close_list(page)
        click = _pick(page, 1, OUTLET_PICKED)
        times["outlet picked"] = _timed(page, watch, click, meter)
        _close_list(page)
        times["start date typed"] = _timed(page, watch, _type_start(page, title), meter)
        if f"-{TYPED[0]}-{TYPED[1]}&" not in page.url:  # the year is the store's first
            raise SystemExit(f"{title}: the typed start date did not reach the URL ({page.url})")
        # the same page opened again in the same browser: its scripts (plotly.js among them) come
        # from the browser's cache, compiled, and the server's query cache holds the first view's
        # results; what an analyst who keeps the dashboard open in a tab sees
        again, _, times["reopened"] = _open(browser, f"{base}/{slug}", meter, context=page.context)
        page.context.close()
    return times


def measure_export(browser, db: Path, target: Path) -> tuple[float, float, float, int]:
    """Seconds to download every article as CSV, the server's RSS (MB) before and at its peak, and the size."""
    import psutil

    with serving(db) as (base, pid):
        page, _, _ = _open(browser, f"{base}/articles")
        server = psutil.Process(pid)

        def rss() -> float:
            processes = [server, *server.children(recursive=True)]
            return sum(p.memory_info().rss for p in processes if p.is_running()) / 2**20

        before = rss()
        peak = [before]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                try:
                    peak[0] = max(peak[0], rss())
                except psutil.NoSuchProcess:  # the server died: the download fails and says so
                    return
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.perf_counter()
        with page.expect_download(timeout=600_000) as info:
            page.locator("a", has_text="matching items (CSV)").first.click()
        info.value.save_as(target)
        elapsed = time.perf_counter() - started
        time.sleep(1.0)
        done.set()
        sampler.join()
        page.context.close()
    return elapsed, before, peak[0], target.stat().st_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=PROJECT_DIR / ".bench" / "store-1m.duckdb")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pages", nargs="*", help="url paths to measure (overview = ''); default all")
    parser.add_argument("--export", action="store_true", help="also time an all-articles CSV export")
    parser.add_argument("--export-only", action="store_true")
    parser.add_argument("--lake", type=Path, help="a lake folder instead of a store (`serve --lake`), e.g. .bench/lake10m")
    parser.add_argument("--outlet", default=OUTLET, help=f"the outlet picked (default {OUTLET!r}; 'Outlet 03' on a bench lake)")
    parser.add_argument("--start", nargs=2, default=TYPED_START, metavar=("MM", "DD"),
                        help="month and day typed into the start date (default 06 01; 12 01 on a bench lake)")
    args = parser.parse_args(argv)
    global OUTLET_PICKED, TYPED
    OUTLET_PICKED, TYPED = args.outlet, tuple(args.start)
    if args.lake is not None:
        args.db = args.lake
    if not args.db.exists():
        raise SystemExit(f"{args.db}: no store; build it with tests/bench/make_store.py --items 1000000 --db {args.db}")
    from playwright.sync_api import sync_playwright

    wanted = [("" if p == "overview" else p) for p in args.pages] if args.pages else None
    pages = [p for p in PAGES if wanted is None or p[0] in wanted]
    if args.export_only:
        pages = []
    rows: dict[tuple[str, str], list[tuple[float, ...]]] = {}
    print(f"store: {args.db}; {_load()}", flush=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for round_ in range(args.rounds if pages else 0):
                for slug, title, searchable in pages:
                    try:
                        measured = measure_page(browser, args.db, slug, title, searchable)
                    except SystemExit as failed:  # a stuck round: said, and left out of the medians
                        print(f"  round {round_ + 1}: {title}: {failed}", flush=True)
                        continue
                    for action, seconds in measured.items():
                        rows.setdefault((title, action), []).append(seconds)
                        print(f"  round {round_ + 1}: {title:<15} {action:<17} {seconds[0]:6.2f} s, settled "
                              f"{seconds[1]:.2f} s (server CPU {seconds[2]:.2f} s, page CPU {seconds[3]:.2f} s)",
                              flush=True)
            if args.export or args.export_only:
                target = args.db.parent / "export-all.csv"
                elapsed, before, peak, size = measure_export(browser, args.db, target)
        finally:
            browser.close()
    if rows:
        print(f"\n{'page':<15} {'action':<17} {'charts drawn':>12}  {'target':>7}  result  {'settled':>7}  "
              f"{'server CPU':>10}  {'page CPU':>8}   (seconds; median of the rounds that finished, of {args.rounds})")
        for (title, action), values in rows.items():
            target = FIRST_RENDER_TARGET if action in ("first render", "reopened") else CHANGE_TARGET
            wall, settled, server, browser_cpu = (statistics.median(v[i] for v in values) for i in range(4))
            print(f"{title:<15} {action:<17} {wall:12.2f}  {target:>5.1f} s  {'pass' if wall <= target else 'FAIL':<6}"
                  f"  {settled:7.2f}  {server:8.2f} s  {browser_cpu:6.2f} s")
    if args.export or args.export_only:
        print(f"\nall-articles CSV export: {elapsed:.1f} s, {size / 2**20:,.0f} MB file; server RSS "
              f"{before:,.0f} MB before, {peak:,.0f} MB peak (+{peak - before:,.0f} MB)")
    print(_load())
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""How fast the dashboard answers on a big store: first render of each page, then filter changes.

A plain script (not collected by pytest). It drives the real app with Streamlit's AppTest, so
the times are server time for a whole script run (queries, chart building, serialising), and
prints them next to the targets: first render of a page <= 2 s, a filter change <= 300 ms, the
process under 1.5 GB.

    python tests/bench/bench_dashboard.py                  # builds .bench/store-1m.duckdb if missing
    python tests/bench/bench_dashboard.py --items 200000 --db .bench/store-200k.duckdb
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

import psutil  # noqa: E402

APP = PROJECT_DIR / "dashboard" / "app.py"
PAGES = (
    ("Overview", None),
    ("Topic trends", "views/trends.py"),
    ("Claims tracker", "views/claims.py"),
    ("Articles", "views/articles.py"),
    ("Topics", "views/topics.py"),
)
FIRST_RENDER_TARGET = 2.0
FILTER_CHANGE_TARGET = 0.300
MEMORY_TARGET_MB = 1536


def _timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def _check(at, what: str) -> None:
    problems = [e.value for e in at.exception] + [e.value for e in at.error]
    if problems:
        raise SystemExit(f"{what}: the app failed: {problems[0]}")


def _filter_changes(store_last, outlets: list[str]) -> list[tuple[str, Callable]]:
    """(name, change) pairs; each change sets one sidebar widget on an AppTest before a rerun."""
    last = store_last
    return [
        ("themes = migration, belarus", lambda at: at.multiselect(key="theme").set_value(["migration", "belarus"])),
        ("date = last year", lambda at: at.date_input(key="dates").set_value((last - timedelta(days=364), last))),
        ("headlines off", lambda at: at.toggle(key="headlines").set_value(False)),
        ("source = one outlet", lambda at: at.multiselect(key="source").set_value(outlets[:1])),
        ("date = 2 years, no theme", lambda at: (at.multiselect(key="theme").set_value([]),
                                                 at.date_input(key="dates").set_value((last - timedelta(days=729), last)))),
        ("reset", lambda at: at.button(key="reset_filters").click()),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=PROJECT_DIR / ".bench" / "store-1m.duckdb")
    parser.add_argument("--items", type=int, default=1_000_000, help="items to generate when --db is missing")
    args = parser.parse_args(argv)
    if not args.db.exists():
        from tests.bench.make_store import build_store

        print(f"generating {args.items:,} items into {args.db} ...", flush=True)
        build_store(args.db, n_items=args.items)
    os.environ["FLANKWATCH_DB"] = str(args.db.resolve())

    import duckdb
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from analysis import queries

    with duckdb.connect(str(args.db), read_only=True) as con:
        bounds = queries.store_bounds(con)
        outlets = queries.filter_options(con)["outlets"]["value"].tolist()
    print(f"store: {args.db} ({bounds['items']:,} items, {bounds['first']} to {bounds['last']})")
    process = psutil.Process()
    rss_start = process.memory_info().rss / 2**20

    st.cache_data.clear()
    st.cache_resource.clear()
    rows: list[tuple[str, str, float, float]] = []
    peak_rss = rss_start
    for title, page in PAGES:
        at = AppTest.from_file(str(APP), default_timeout=120)
        if page is not None:
            at.run()  # lands on Overview (cached by now), then switch
            at.switch_page(page)
        first = _timed(at.run)
        _check(at, f"{title} first render")
        rows.append((title, "first render", first, FIRST_RENDER_TARGET))
        changes = []
        for name, change in _filter_changes(bounds["last"], outlets):
            change(at)
            elapsed = _timed(at.run)
            _check(at, f"{title}: {name}")
            changes.append(elapsed)
            rows.append((title, f"filter: {name}", elapsed, FILTER_CHANGE_TARGET))
        rows.append((title, "filter change, median", statistics.median(changes), FILTER_CHANGE_TARGET))
        peak_rss = max(peak_rss, process.memory_info().rss / 2**20)

    print(f"\n{'page':<16} {'step':<34} {'seconds':>8}  target")
    for title, step, seconds, target in rows:
        verdict = "ok" if seconds <= target else "OVER"
        print(f"{title:<16} {step:<34} {seconds:8.3f}  <= {target:g} s {verdict}")
    print(f"\nprocess memory: {rss_start:,.0f} MB at start, {peak_rss:,.0f} MB peak "
          f"(target < {MEMORY_TARGET_MB:,} MB) {'ok' if peak_rss < MEMORY_TARGET_MB else 'OVER'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

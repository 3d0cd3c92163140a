"""How fast the dashboard answers a filter change over a lake of ten million items (`serve --lake`).

A plain script (not collected by pytest). It generates a lake straight with DuckDB (random
outlets, kinds, dates over ten years, themes, claims and topics; short synthetic titles, no
article text) and its rollups (analysis/lake/rollups.py ``write_rollups``), cached under
.bench/lake10m (git-ignored); then it opens the lake the way the dashboard does (dashboard/data.py
over analysis/lake/serve.py) and times what the Overview and Topic trends pages query for a
date-range + theme filter change, with the caches cleared first: the server time of a filter
change, without Streamlit's rendering. Target: <= 0.5 s at 10,000,000 items. Peak RSS is this
process's (the lake is generated in a child process).

    python tests/bench/bench_lake_dashboard.py                     # 10,000,000 items, .bench/lake10m
    python tests/bench/bench_lake_dashboard.py --items 1000000      # .bench/lake1m
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

FILTER_CHANGE_TARGET = 0.5
FIRST_DAY = date(2015, 7, 1)
DAYS = 3653  # ten years, to 2025-07-01
OUTLETS = tuple(f"Outlet {n:02d}" for n in range(24))
ACTORS = ("Lithuania", "Latvia", "Estonia", "Poland", "Finland", "NATO", "Germany", "Sweden")
CLAIM_TYPES = ("spending", "deployment", "migration")
TOPICS = 30
PLACES = ("Vilnius", "Riga", "Tallinn", "Warsaw", "Helsinki", "Narva", "Suwalki", "Klaipeda")
REPEATS = 3


def default_lake(items: int) -> Path:
    name = f"{items // 1_000_000}m" if items % 1_000_000 == 0 else f"{items // 1000}k"
    return PROJECT_DIR / ".bench" / f"lake{name}"


def _u(salt: int) -> str:
    """SQL for a deterministic uniform number in [0, 1) from the row number ``n``."""
    return f"((hash(n, {salt}) % 1000003) / 1000003.0)"


def _pick(values: tuple[str, ...], salt: int, skew: float = 1.0) -> str:
    literal = "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"
    return f"{literal}[1 + CAST(floor(power({_u(salt)}, {skew}) * {len(values)}) AS INTEGER)]"


def generate_lake(lake: Path, *, items: int, theme_keys: tuple[str, ...]) -> None:
    """Write a lake of ``items`` items in the layout of analysis/lake/__init__.py, then its rollups."""
    import duckdb

    from analysis.lake import LAKE_FORMAT, MANIFEST, TABLES
    from analysis.lake.rollups import sql_string, write_rollups

    partial = lake.with_name(lake.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    themes = "[" + ", ".join(f"'{k}'" for k in theme_keys) + "]"
    month = "coalesce(strftime(published_date, '%Y-%m'), 'unknown')"
    started = time.perf_counter()
    with duckdb.connect(":memory:") as con:
        con.execute("SET preserve_insertion_order = false")
        # Coverage grows towards the present (u ** 0.6); one item in 500 is undated, one in 50 a near-duplicate.
        con.execute(f"""
        CREATE TABLE base AS
        SELECT n, printf('%016x', hash(n, 7)) AS id,
               CASE WHEN {_u(1)} < 0.25 THEN 'headline' ELSE 'article' END AS kind,
               CASE WHEN {_u(2)} < 0.002 THEN NULL
                    ELSE DATE '{FIRST_DAY}' + CAST(floor(power({_u(3)}, 0.6) * {DAYS}) AS INTEGER) END AS published_date,
               {_pick(OUTLETS, 4, 1.5)} AS outlet, {_pick(PLACES, 5)} AS place,
               CASE WHEN {_u(6)} < 0.02 THEN printf('%016x', hash(n + 1, 7)) END AS duplicate_of
        FROM range({items}) r(n)""")
        copies = {
            "items": f"""
                SELECT id, kind, 'Item ' || n || ': ' || place || ' steps up defence' AS title,
                       CASE WHEN kind = 'article' THEN 'Short text from ' || place || '.' ELSE '' END AS text,
                       CAST(published_date + INTERVAL (CAST(floor({_u(8)} * 86400) AS INTEGER)) SECOND AS TIMESTAMPTZ)
                           AS published_at,
                       published_date, false AS published_approximate, outlet, NULL::VARCHAR AS byline,
                       NULL::VARCHAR AS dateline, NULL::VARCHAR AS section, NULL::VARCHAR[] AS tags,
                       'https://example.org/' || id AS url, NULL::VARCHAR AS parent_id, NULL::VARCHAR AS source_path,
                       NULL::UBIGINT AS simhash, NULL::UBIGINT[] AS lsh_bands, duplicate_of, 1 AS run_id,
                       TIMESTAMPTZ '2025-07-02 00:00:00+00' AS ingested_at, NULL::VARCHAR AS source_name,
                       {month} AS month
                FROM base""",
            # up to three themes an item (about 1.35 on average), distinct
            "item_themes": f"""
                SELECT DISTINCT ON (id, theme) id AS item_id, theme, 0.3 + 0.7 * {_u(12)} AS score, true AS assigned,
                       NULL::VARCHAR[] AS terms, NULL::VARCHAR[] AS sentences, {month} AS month
                FROM (SELECT b.*, {themes}[1 + CAST(hash(n, 10 + k) % {len(theme_keys)} AS INTEGER)] AS theme, k
                      FROM base b, range(3) t(k)
                      WHERE (hash(n, 20 + k) % 1000) < [800, 400, 150][k + 1])""",
            "claims": f"""
                SELECT id || '-c0' AS claim_id, id AS item_id, {_pick(CLAIM_TYPES, 31)} AS type,
                       {_pick(ACTORS, 32)} AS actor, 'target' AS kind, round(1 + 4 * {_u(33)}, 1) AS value,
                       NULL::DOUBLE AS value_high, 'pct_gdp' AS unit, 2020 + CAST(floor({_u(34)} * 10) AS INTEGER) AS year,
                       NULL::INTEGER AS year_high, false AS year_relative, NULL::VARCHAR AS speaker,
                       place || ' will spend more on defence.' AS evidence, 0 AS start_offset, 10 AS end_offset,
                       NULL::JSON AS details, {month} AS month
                FROM base WHERE {_u(30)} < 0.1""",
            "analysed": f"""
                SELECT id AS item_id, TIMESTAMPTZ '2025-07-02 00:00:00+00' AS analysed_at, 'bench' AS model_version,
                       {month} AS month FROM base""",
            "item_topics": f"""
                SELECT id AS item_id, CAST(hash(n, 40) % {TOPICS} AS INTEGER) AS topic_id,
                       {_u(41)} * 10 - 5 AS x, {_u(42)} * 10 - 5 AS y, {month} AS month
                FROM base WHERE kind = 'article'""",
        }
        for table, select in copies.items():
            con.execute(f"COPY ({select}) TO {sql_string(partial / table)} "
                        "(FORMAT parquet, PARTITION_BY (month), COMPRESSION zstd)")
            print(f"  {table}: {time.perf_counter() - started:.0f} s", flush=True)
        (partial / "topics").mkdir()
        con.execute(f"""
        COPY (SELECT CAST(t AS INTEGER) AS topic_id, 'Topic ' || t || ': ' || {themes}[1 + t % {len(theme_keys)}] AS label,
                     ['border', 'brigade', 'budget'] AS top_terms, []::VARCHAR[] AS representative_ids,
                     {themes}[1 + t % {len(theme_keys)}] AS nearest_theme, 0.5 AS theme_similarity,
                     t % 7 = 0 AS emerging, 1000 AS size, TIMESTAMPTZ '2025-07-02 00:00:00+00' AS fitted_at
              FROM range({TOPICS}) r(t))
        TO {sql_string(partial / 'topics' / 'data_0.parquet')} (FORMAT parquet)""")
    counts = write_rollups(partial)
    print(f"  rollups: {time.perf_counter() - started:.0f} s ({', '.join(f'{k} {v:,}' for k, v in counts.items())})",
          flush=True)
    (partial / MANIFEST).write_text(json.dumps({"format": LAKE_FORMAT, "tables": list(TABLES), "items": items,
                                                "written_by": "tests/bench/bench_lake_dashboard.py"}))
    shutil.rmtree(lake, ignore_errors=True)
    partial.rename(lake)


def _timed(run: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = run()
    return time.perf_counter() - started, result


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(lake: Path) -> int:
    os.environ["FLANKWATCH_LAKE"] = str(lake)
    import logging

    import streamlit as st

    logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)  # no runtime: expected

    from analysis import queries
    from analysis.queries import Filters
    from dashboard import data

    path = data.db_path()
    opened_s, opened = _timed(lambda: data.handle(path))
    if opened.store is None:
        raise SystemExit(f"the lake cannot be opened: {opened.notice}")
    bounds_s, bounds = _timed(lambda: (data.bounds(path), data.options(path)))
    bounds, options = bounds
    themes = options["themes"]["value"].tolist()
    last = bounds["last"]
    print(f"lake: {lake} ({bounds['items']:,} items, {bounds['first']} to {last}); "
          f"opened in {opened_s:.2f} s, bounds and sidebar options in {bounds_s:.2f} s")

    def overview(filters: Filters) -> dict[str, float]:
        """What app.py and views/overview.py query for one run."""
        steps = {}
        steps["summary"], summary = _timed(lambda: data.summary(path, filters))
        freq = queries.auto_freq(summary["first"], summary["last"], items=summary["items"])
        steps["volume"], _ = _timed(lambda: data.volume(path, filters, dimension="theme", freq=freq))
        steps["latest"], _ = _timed(lambda: data.latest(path, filters))
        return steps

    def trends(filters: Filters) -> dict[str, float]:
        """What app.py and views/trends.py query for one run (theme series, the biggest one selected)."""
        steps = {}
        steps["summary"], summary = _timed(lambda: data.summary(path, filters))
        freq = queries.auto_freq(summary["first"], summary["last"], items=summary["items"])
        steps["volume"], volume = _timed(lambda: data.volume(path, filters, dimension="theme", freq=freq))
        key = volume.groupby("key")["items"].sum().idxmax()
        steps["spikes"], _ = _timed(lambda: data.spike_headlines(path, filters, dimension="theme", freq=freq, key=key))
        recent = queries.default_range(last, days=90)
        before = (recent[0] - timedelta(days=90), recent[0] - timedelta(days=1))
        steps["compare"], _ = _timed(lambda: data.compare(path, filters, first=before, second=recent,
                                                          dimension="theme"))
        return steps

    changes = {
        "last year, 2 themes": Filters(start=last - timedelta(days=364), end=last, themes=tuple(themes[:2])),
        "last 2 years, 1 theme": Filters(start=last - timedelta(days=729), end=last, themes=tuple(themes[2:3])),
        "all dates, 1 theme": Filters(themes=tuple(themes[:1])),
        "last 90 days, 3 themes, articles": Filters(start=last - timedelta(days=89), end=last,
                                                    themes=tuple(themes[:3]), include_headlines=False),
    }
    rows = []
    for page, run in (("Overview", overview), ("Topic trends", trends)):
        for name, filters in changes.items():
            times = []
            for _ in range(REPEATS):
                st.cache_data.clear()
                steps = run(filters)
                times.append((sum(steps.values()), steps))
            total, steps = sorted(times, key=lambda t: t[0])[len(times) // 2]
            rows.append((page, name, total, steps))
    print(f"\n{'page':<13} {'filter change':<34} {'seconds':>8}  target      queries (s)")
    for page, name, total, steps in rows:
        verdict = "ok" if total <= FILTER_CHANGE_TARGET else "OVER"
        detail = ", ".join(f"{k} {v:.3f}" for k, v in steps.items())
        print(f"{page:<13} {name:<34} {total:8.3f}  <= {FILTER_CHANGE_TARGET:g} s {verdict:<4}  {detail}")
    worst = max(total for _, _, total, _ in rows)
    print(f"\nfilter change: median {statistics.median(t for _, _, t, _ in rows):.3f} s, worst {worst:.3f} s "
          f"(median of {REPEATS} runs each, caches cleared)")
    print(f"peak RSS of this process: {_peak_rss_mb():,.0f} MB")
    print(f"machine: {os.cpu_count()} CPUs; {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000_000)
    parser.add_argument("--lake", type=Path, help="the lake folder (default .bench/lake10m, lake1m, ...)")
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    lake = (args.lake or default_lake(args.items)).resolve()
    if args.generate_only:
        from analysis.themes import load_taxonomy

        generate_lake(lake, items=args.items, theme_keys=tuple(load_taxonomy().keys))
        return 0
    if not lake.exists():
        print(f"generating {args.items:,} items into {lake} ...", flush=True)
        started = time.perf_counter()
        # in a child process, so the peak RSS below is the dashboard's alone
        subprocess.run([sys.executable, __file__, "--items", str(args.items), "--lake", str(lake), "--generate-only"],
                       check=True)
        print(f"generated in {time.perf_counter() - started:.0f} s", flush=True)
    return measure(lake)


if __name__ == "__main__":
    sys.exit(main())

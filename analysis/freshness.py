"""Keeping the dashboard's in-memory rollups (analysis/queries.py) true after the store changes.

A write adds items (ingest, upload, poll), changes their themes (analysis, corrections) or their
topics (analysis of new items). Rebuilding the rollups takes seconds on a million items; bringing
them up to date for the items a write touched takes milliseconds: their facts rows are replaced
and the per-day counts of the days, kinds and outlets they fall on (before and after) recounted.
A theme the rollups have no bit for, or a topic refit, means a rebuild.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import duckdb

from analysis.queries import DAY_ROLLUPS, FACTS, ROLLUP_DB, build_rollups, facts_select, has_rollups

# Larger changes than this are cheaper as one rebuild than as a recount per item.
REBUILD_FROM = 50_000


def changed_since(con: duckdb.DuckDBPyConnection, started: datetime) -> tuple[list[str], bool]:
    """The items a write that started at ``started`` touched, and whether the rollups need a rebuild."""
    (refit,) = con.execute("SELECT count(*) FROM topics WHERE fitted_at >= ?", [started]).fetchone()
    # new items, and the copies a richer new copy took a story over from (they point at it now)
    ids = [row[0] for row in con.execute(
        """SELECT id FROM items WHERE ingested_at >= $1
           UNION SELECT id FROM items WHERE duplicate_of IN (SELECT id FROM items WHERE ingested_at >= $1)
           UNION SELECT item_id FROM analysed WHERE analysed_at >= $1
           UNION SELECT item_id FROM corrections WHERE corrected_at >= $1""", [started]).fetchall()]
    return ids, bool(refit)


def refresh_since(con: duckdb.DuckDBPyConnection, started: datetime) -> None:
    """After a write: bring the rollups up to date for what it touched (nothing to do without rollups)."""
    if not has_rollups(con):
        return
    ids, rebuild = changed_since(con, started)
    if rebuild or len(ids) >= REBUILD_FROM:
        build_rollups(con)
    elif ids:
        refresh_items(con, ids)


def refresh_items(con: duckdb.DuckDBPyConnection, item_ids: Sequence[str]) -> None:
    """Recount the rollups for these items (new, re-analysed or corrected); without rollups, nothing."""
    ids = sorted({str(i) for i in item_ids})
    if not ids or not has_rollups(con):
        return
    (unknown,) = con.execute(
        f"""SELECT count(*) FROM item_themes t WHERE t.assigned AND list_contains(?::VARCHAR[], t.item_id)
            AND t.theme NOT IN (SELECT theme FROM {ROLLUP_DB}.theme_bits)""", [ids]).fetchone()
    if unknown:
        build_rollups(con)
        return
    # The groups (day, kind, outlet) the items fall on, before and after: their counts change.
    # (A temp table of its own: one transaction writes to one database, here the rollups.)
    con.execute(f"""
            CREATE OR REPLACE TEMP TABLE fw_changed_groups AS
            SELECT DISTINCT published_date AS day, kind, outlet FROM (
                SELECT published_date, kind, outlet FROM {FACTS} WHERE list_contains($1::VARCHAR[], id)
                UNION ALL
                SELECT published_date, kind, outlet FROM items WHERE list_contains($1::VARCHAR[], id)
            ) WHERE published_date IS NOT NULL""", [ids])
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"DELETE FROM {FACTS} WHERE list_contains(?::VARCHAR[], id)", [ids])
        con.execute(f"INSERT INTO {FACTS} BY NAME {facts_select('list_contains($1::VARCHAR[], i.id)')}", [ids])
        in_groups = """EXISTS (SELECT 1 FROM fw_changed_groups c WHERE c.day = {t}.{day} AND c.kind = {t}.kind
                               AND c.outlet IS NOT DISTINCT FROM {t}.outlet)"""
        for table, select in DAY_ROLLUPS.items():
            con.execute(f"DELETE FROM {ROLLUP_DB}.{table} d WHERE {in_groups.format(t='d', day='day')}")
            con.execute(f"INSERT INTO {ROLLUP_DB}.{table} BY NAME "
                        + select.format(where=in_groups.format(t="f", day="published_date")))
    except BaseException:
        con.execute("ROLLBACK")
        con.execute("DROP TABLE IF EXISTS fw_changed_groups")
        raise
    con.execute("COMMIT")
    con.execute("DROP TABLE IF EXISTS fw_changed_groups")

"""A lake's tables as DuckDB views, and the dashboard's rollups computed from them.

The rollups are the ones :func:`analysis.queries.build_rollups` makes in memory for a store: the
views carry the store's table names, so the same SQL builds them here and nothing is duplicated.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from functools import cache
from pathlib import Path

import duckdb

from analysis.lake import ROLLUPS, TABLES
from analysis.lake.errors import LakeError


@cache
def store_columns(table: str) -> tuple[tuple[str, str], ...]:
    """(name, SQL type) of a store table's columns, in the store's order, taken from analysis/store.py."""
    from analysis.store import ADDED_COLUMNS, SCHEMA

    with duckdb.connect(":memory:") as con:
        con.execute(SCHEMA)
        for name, column, sql_type in ADDED_COLUMNS:
            con.execute(f"ALTER TABLE {name} ADD COLUMN IF NOT EXISTS {column} {sql_type}")
        rows = con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index",
            [table],
        ).fetchall()
    return tuple((str(name), str(sql_type)) for name, sql_type in rows)


def sql_string(value: str | os.PathLike[str]) -> str:
    """A SQL string literal (paths go into COPY and read_parquet, which take no parameters)."""
    return "'" + str(value).replace("'", "''") + "'"


def parquet_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("**/*.parquet")) if folder.is_dir() else []


def open_lake(lake_dir: str | os.PathLike[str]) -> duckdb.DuckDBPyConnection:
    """An in-memory connection with a view per store table (items, claims, ...) over the lake's Parquet.

    The views have exactly the store's columns and types (the ``month`` partition column is
    dropped); a table the lake does not hold (none of its rows were written) is an empty view.
    """
    lake = Path(lake_dir)
    if not lake.is_dir():
        raise LakeError(lake, "no lake here (not a folder); write one with `flankwatch export --parquet`")
    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")
    try:
        for table in TABLES:
            columns = store_columns(table)
            if parquet_files(lake / table):
                source = (f"read_parquet({sql_string(lake / table / '**' / '*.parquet')}, "
                          "hive_partitioning = true, union_by_name = true)")
                select = ", ".join(f'CAST("{name}" AS {sql_type}) AS "{name}"' for name, sql_type in columns)
            else:
                source = "(SELECT 1) WHERE false"
                select = ", ".join(f'CAST(NULL AS {sql_type}) AS "{name}"' for name, sql_type in columns)
            con.execute(f"CREATE VIEW {table} AS SELECT {select} FROM {source}")
    except duckdb.Error as exc:
        con.close()
        raise LakeError(lake, f"cannot read the lake's Parquet ({exc})") from exc
    return con


# What an item list shows of each item (analysis/queries.py _item_list), in date order: looked up by
# id and date, a lake reads the row groups of that day only, where the item tables by id read all.
CARDS_SELECT = """
SELECT i.id, i.published_date, i.title, i.outlet,
       coalesce(th.themes, []) AS themes, coalesce(th.scores, []) AS scores, coalesce(cl.claims, 0) AS claims
FROM items i
LEFT JOIN (SELECT item_id, list(theme ORDER BY score DESC, theme) AS themes,
                  list(score ORDER BY score DESC, theme) AS scores
           FROM item_themes WHERE assigned GROUP BY item_id) th ON th.item_id = i.id
LEFT JOIN (SELECT item_id, count(*) AS claims FROM claims GROUP BY item_id) cl ON cl.item_id = i.id
WHERE i.duplicate_of IS NULL
ORDER BY i.published_date NULLS FIRST, i.id"""


def write_rollups(lake_dir: str | os.PathLike[str]) -> dict[str, int]:
    """Write the dashboard's rollups as DIR/rollups/<name>/*.parquet; returns each one's row count.

    Built by :func:`analysis.queries.build_rollups` over :func:`open_lake`'s views. None are written
    (an empty dict) when the store has more themes than a bit mask holds, as the dashboard then
    builds none either. Earlier rollups of the lake are replaced whole.
    """
    from analysis.queries import ROLLUP_DB, build_rollups

    lake = Path(lake_dir)
    target = lake / "rollups"
    staging = Path(tempfile.mkdtemp(prefix=".rollups.", suffix=".partial", dir=lake))
    try:
        with open_lake(lake) as con:
            counts: dict[str, int] = {}
            if build_rollups(con):
                for name in ROLLUPS:
                    (staging / name).mkdir()
                    # in date order, so a filter on dates skips the row groups of other days
                    order = " ORDER BY published_date NULLS FIRST, id" if name == "facts" else ""
                    con.execute(f"COPY (SELECT * FROM {ROLLUP_DB}.{name}{order}) "
                                f"TO {sql_string(staging / name / 'data_0.parquet')} (FORMAT parquet)")
                    (counts[name],) = con.execute(f"SELECT count(*) FROM {ROLLUP_DB}.{name}").fetchone()
                (staging / "cards").mkdir()
                con.execute(f"COPY ({CARDS_SELECT}) TO {sql_string(staging / 'cards' / 'data_0.parquet')} "
                            "(FORMAT parquet, ROW_GROUP_SIZE 50000)")
                (counts["cards"],) = con.execute(
                    f"SELECT count(*) FROM read_parquet({sql_string(staging / 'cards' / 'data_0.parquet')})").fetchone()
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return counts

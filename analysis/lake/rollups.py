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
                    con.execute(f"COPY {ROLLUP_DB}.{name} TO {sql_string(staging / name / 'data_0.parquet')} "
                                "(FORMAT parquet)")
                    (counts[name],) = con.execute(f"SELECT count(*) FROM {ROLLUP_DB}.{name}").fetchone()
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return counts

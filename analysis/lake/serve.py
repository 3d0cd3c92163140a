"""The dashboard over a lake: DuckDB views over the Parquet, read-only, in place of a store's owner.

`flankwatch serve --lake DIR` shows a lake (see analysis/lake/__init__.py) with the same pages as
a store. Nothing is loaded: the store's tables become views over ``DIR/<table>/**/*.parquet`` in
an in-memory DuckDB database, and the dashboard's rollups (``fw_rollups``, analysis/queries.py)
become views over ``DIR/rollups/<name>/*.parquet``, which the export or the Spark job wrote
beside the tables. A filter change then reads a few columns of the rollups' files, never the items.

The table views are analysis/lake/rollups.py ``open_lake``'s. A lake is written by a batch job,
not by the dashboard: there is no owner and no write thread, so uploads, corrections, topic
refits, model retraining and polling are not offered. A store table no lake holds (corrections,
models, source state) is an empty table of the store's schema, so every read still answers.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from analysis.lake import MANIFEST, ROLLUPS, TABLES
from analysis.lake.errors import LakeError
from analysis.lake.rollups import open_lake, parquet_files, sql_string
from analysis.queries import ROLLUP_DB
from analysis.store import SCHEMA, Store, StoreError

LAKE_ENV = "FLANKWATCH_LAKE"  # set by serve_lake; the dashboard shows this lake instead of a store
_CREATE_TABLE = re.compile(r"CREATE TABLE IF NOT EXISTS (\w+)")


def is_lake(path: str | os.PathLike[str]) -> bool:
    """A lake is a folder (a store is one file)."""
    return Path(path).is_dir()


def check_lake(lake_dir: str | os.PathLike[str]) -> Path:
    """The lake's folder, resolved, or LakeError saying why it is not one."""
    lake = Path(lake_dir).resolve()
    if not lake.is_dir():
        raise LakeError(lake, "no such folder; write a lake with `flankwatch export --parquet` "
                              "or `flankwatch analyze --engine spark`")
    if not parquet_files(lake / "items"):
        raise LakeError(lake, "no items/month=*/*.parquet here, so this is not a Flankwatch lake "
                              "(see analysis/lake/__init__.py for the layout)")
    return lake


def has_all_rollups(lake_dir: str | os.PathLike[str]) -> bool:
    return all(parquet_files(Path(lake_dir) / "rollups" / name) for name in ROLLUPS)


def manifest(lake_dir: str | os.PathLike[str]) -> dict:
    """What wrote the lake (DIR/_lake.json), or {} when it says nothing."""
    try:
        found = json.loads((Path(lake_dir) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def connect_lake(lake_dir: str | os.PathLike[str]) -> duckdb.DuckDBPyConnection:
    """An in-memory connection whose store tables and ``fw_rollups`` tables are views over the lake's Parquet.

    Without all of its rollups the lake gets none, and the queries answer from the table views
    instead (slowly on a big lake).
    """
    lake = check_lake(lake_dir)
    con = open_lake(lake)
    try:
        for statement in SCHEMA.split(";"):  # the store's other tables (corrections, models, ...): empty
            named = _CREATE_TABLE.search(statement)
            if named and named.group(1) not in TABLES:
                con.execute(statement)
        if has_all_rollups(lake):  # all or none: the queries read them together
            con.execute(f"ATTACH ':memory:' AS {ROLLUP_DB}")
            for name in ROLLUPS:
                files = sql_string(lake / "rollups" / name / "**" / "*.parquet")
                con.execute(f"CREATE VIEW {ROLLUP_DB}.{name} AS SELECT * FROM read_parquet({files})")
            if parquet_files(lake / "rollups" / "cards"):  # item lists by id and date (analysis/lake/rollups.py)
                files = sql_string(lake / "rollups" / "cards" / "**" / "*.parquet")
                con.execute(f"CREATE VIEW {ROLLUP_DB}.cards AS SELECT * FROM read_parquet({files})")
    except BaseException:
        con.close()
        raise
    return con


class LakeReader:
    """What the dashboard asks of a store's owner (analysis/owner.py Owner), for a lake: reads only.

    It never changes, so its generation stays 0 and it has no job, no changes and no write thread.
    """

    def __init__(self, lake_dir: str | os.PathLike[str]):
        self.path = Path(lake_dir).resolve()
        self.store: Store | None = None
        self.failed: str | None = None
        self.waiting_for: str | None = None
        self.generation = 0
        self.changes: list = []
        self.rollups_built = True  # the lake's own, or none at all: never built here
        self.persistent = False

    def open(self) -> "LakeReader":
        try:
            self.store = Store(self.path, connect_lake(self.path), read_only=True)
        except (LakeError, duckdb.Error) as exc:
            self.failed = str(exc)
        return self

    @property
    def is_open(self) -> bool:
        return self.store is not None

    @property
    def has_rollups(self) -> bool:
        from analysis.queries import has_rollups

        with self.cursor() as con:
            return has_rollups(con)

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if self.store is None:
            raise StoreError(self.failed or f"{self.path}: the lake is not open")
        con = self.store.connection.cursor()
        try:
            yield con
        finally:
            con.close()

    def write(self, function, *, label: str, timeout: float | None = None):
        raise StoreError(f"{self.path}: a lake is read-only ({label} not done); make the change in the store "
                         "and export it again")

    def on_write(self, callback) -> None:
        """Nothing is ever written, so there is nothing to refresh."""

    def status(self) -> dict:
        return {"pid": os.getpid(), "command": "flankwatch serve --lake", "open": self.is_open, "job": None,
                "running_s": None, "progress": None, "queued": 0, "generation": 0, "new_items": 0}

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None


def serve_lake(lake_dir: str | os.PathLike[str], *, port: int | None = None, address: str = "127.0.0.1") -> int:
    """Start the dashboard in this process over the lake (read-only); returns the exit status.

    Like `flankwatch serve`, Streamlit runs in-process (analysis/serving.py), the Articles page's
    streamed CSV route included; the lake reaches the dashboard through $FLANKWATCH_LAKE. There is
    no owner and no poller: nothing writes to a lake.
    """
    from analysis.serving import run_dashboard

    try:
        lake = check_lake(lake_dir)
    except LakeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not has_all_rollups(lake):
        print(f"warning: {lake / 'rollups'}: the rollups are missing or incomplete; every filter change reads "
              "the items (slow on a big lake). Export the lake again to write them.", file=sys.stderr)
    os.environ[LAKE_ENV] = str(lake)
    run_dashboard(address=address, port=port)
    return 0

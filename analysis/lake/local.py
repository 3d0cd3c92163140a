"""The lake's analysis on this machine: DuckDB reads the month partitions, N processes analyse.

The same work as the Spark job (analysis/lake/spark.py), with the same functions
(analysis/lake/job.py), for a lake that one machine can get through: the parent reads the items
in chunks and links the near-duplicates in DuckDB; spawned workers (as in
pipeline._analysed_batches) each load the model once and write their chunk's Parquet files
straight into the partitions of the lake being written, which is renamed into place at the end.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import tempfile
import time
from collections import deque
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pandas as pd

from analysis.lake import UNKNOWN_MONTH
from analysis.lake.job import (
    ANALYSIS_COLUMNS, OUTPUT_TABLES, analyse_items, check_items, link_near_duplicates, prepare_output,
    publish_lake, summary_line, to_arrow,
)
from analysis.modelfile import ModelBundle, bundle_bytes, load_bundle_bytes
from analysis.pipeline import load_model
from analysis.themes import Taxonomy, load_taxonomy

CHUNK_ITEMS = 2000  # items per task: one Parquet file per table and month, each with this many items at most


def analyze_lake_local(input_dir: str | os.PathLike[str], output_dir: str | os.PathLike[str], *,
                       workers: int | None, model_path: str | os.PathLike[str] | None = None) -> str:
    """Analyse a lake's items into a new lake at ``output_dir``; a one-line summary.

    ``workers`` processes analyse (None: as many as cores, at most 4; 1: this process). Writes
    items (with duplicate_of), item_themes, claims and analysed, partitioned by month, plus the
    rollups when analysis/lake/rollups.py is there. Bad input raises LakeError before any work.
    """
    started = time.perf_counter()
    lake = Path(input_dir)
    files, _ = check_items(lake)
    out = prepare_output(lake, output_dir)
    taxonomy = load_taxonomy()
    bundle = load_model(taxonomy=taxonomy, model_path=model_path)
    workers = workers or min(os.cpu_count() or 1, 4)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    try:
        con = duckdb.connect(":memory:")
        try:
            con.execute(f"SET temp_directory = {_sql_string(staging / '_spill')}")
            listed = ", ".join(_sql_string(path) for path in files)
            con.execute(f"""CREATE VIEW items AS SELECT * FROM read_parquet([{listed}], hive_partitioning = true,
                            hive_types = {{'month': VARCHAR}}, union_by_name = true)""")
            counts = _analyse(con, bundle, taxonomy, staging, workers=workers)
            counts["near_duplicates"] = _write_items(con, staging)
        finally:
            con.close()
        shutil.rmtree(staging / "_spill", ignore_errors=True)
        publish_lake(staging, out, engine="local", input_dir=lake, model_version=bundle.version,
                     counts={k: counts[k] for k in ("items", "item_themes", "claims", "analysed")})
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return summary_line(engine=f"{workers} process{'es' if workers > 1 else ''}", counts=counts, out=out,
                        model_version=bundle.version, seconds=time.perf_counter() - started)


def _sql_string(value: str | os.PathLike[str]) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _write_items(con: duckdb.DuckDBPyConnection, staging: Path) -> int:
    """The items again, with the near-duplicate links of the whole lake; the number of links."""
    link_near_duplicates(lambda name, sql: con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}"),
                         lambda sql: int(con.execute(sql).fetchone()[0]), dialect="duckdb")
    columns = [row[0] for row in con.execute("DESCRIBE items").fetchall()]
    select = ['d.duplicate_of AS "duplicate_of"' if c == "duplicate_of" else f'i."{c}"'
              for c in columns if c != "month"]
    if "duplicate_of" not in columns:
        select.append('d.duplicate_of AS "duplicate_of"')
    con.execute(f"""COPY (SELECT {', '.join(select)}, i.month FROM items i LEFT JOIN fw_duplicates d ON d.id = i.id)
                    TO {_sql_string(staging / 'items')}
                    (FORMAT parquet, PARTITION_BY (month), FILENAME_PATTERN 'part-{{i}}')""")
    return int(con.execute("SELECT count(*) FROM fw_duplicates WHERE duplicate_of IS NOT NULL").fetchone()[0])


def _chunks(con: duckdb.DuckDBPyConnection) -> Iterator[pd.DataFrame]:
    columns = ", ".join(f'"{c}"' for c in ANALYSIS_COLUMNS)
    reader = con.sql(f"SELECT {columns}, month FROM items").to_arrow_reader(CHUNK_ITEMS)
    for batch in reader:
        if batch.num_rows:
            yield batch.to_pandas()


def _analyse(con: duckdb.DuckDBPyConnection, bundle: ModelBundle, taxonomy: Taxonomy, staging: Path, *,
             workers: int) -> dict[str, int]:
    analysed_at = datetime.now(timezone.utc)
    for table in OUTPUT_TABLES:
        (staging / table).mkdir()
    counts = {"items": 0, "item_themes": 0, "claims": 0, "analysed": 0, "theme_assignments": 0}

    def add(done: dict[str, int]) -> None:
        for key, value in done.items():
            counts[key] += value

    if workers <= 1:
        for number, chunk in enumerate(_chunks(con)):
            add(write_chunk(bundle, chunk, staging, number=number, analysed_at=analysed_at))
        return counts
    # spawn, not fork: this process holds DuckDB's threads and locks. At most two chunks per worker
    # wait in the queue, so a big lake is never all in memory.
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=_init_worker,
                      initargs=(bundle_bytes(bundle), taxonomy, str(staging), analysed_at)) as pool:
        pending: deque = deque()
        for number, chunk in enumerate(_chunks(con)):
            pending.append(pool.apply_async(_write_in_worker, (number, chunk)))
            if len(pending) >= 2 * workers:
                add(pending.popleft().get())
        while pending:
            add(pending.popleft().get())
    return counts


def write_chunk(bundle: ModelBundle, chunk: pd.DataFrame, staging: Path, *, number: int,
                analysed_at: datetime) -> dict[str, int]:
    """Analyse one chunk and write its rows as ``TABLE/month=M/part-NUMBER.parquet``; its counts."""
    import pyarrow.parquet as pq

    frames = analyse_items(bundle, chunk, analysed_at=analysed_at)
    for table, frame in frames.items():
        for month, rows in frame.groupby("month", sort=True) if len(frame) else ():
            folder = staging / table / f"month={month or UNKNOWN_MONTH}"
            folder.mkdir(parents=True, exist_ok=True)
            pq.write_table(to_arrow(table, rows).drop_columns(["month"]), folder / f"part-{number:06d}.parquet")
    themes = frames["item_themes"]
    return {"items": len(chunk), "item_themes": len(themes), "claims": len(frames["claims"]),
            "analysed": len(frames["analysed"]),
            "theme_assignments": int(themes["assigned"].sum()) if len(themes) else 0}


# Set once in each worker by the pool initializer: the model arrives once per worker, as its file's bytes.
_worker_state: dict = {}


def _init_worker(model: bytes, taxonomy: Taxonomy, staging: str, analysed_at: datetime) -> None:
    _worker_state.update(bundle=load_bundle_bytes(model, taxonomy, name="model"), staging=Path(staging),
                         analysed_at=analysed_at)


def _write_in_worker(number: int, chunk: pd.DataFrame) -> dict[str, int]:
    return write_chunk(_worker_state["bundle"], chunk, _worker_state["staging"], number=number,
                       analysed_at=_worker_state["analysed_at"])

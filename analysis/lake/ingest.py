"""Reading files into a lake: the readers of `flankwatch ingest`, run as a job over many files.

    flankwatch ingest --lake OUT [--engine local|spark] [--master URL] PATH...

Every file (HTML, WARC, feeds, JSON, CSV: whatever `flankwatch ingest` reads) is read by the same
function as in the store, on this machine's cores or on Spark's executors; the lake's items are
the store's items rows, partitioned by month (analysis/lake/__init__.py), and
``ingest_files`` records each file's outcome (read, failed and why, duplicate content).

An item read twice (the same id from two files) is kept once: the copy from the first file in
path order, as in the store. Near-duplicates are linked afterwards by the analysis job, across the
whole lake. Nothing is half-written: the lake is written in a folder beside OUT and renamed.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pandas as pd

from analysis.ingest import MAX_FILE_BYTES
from analysis.ingest.runner import _parse, _parse_paths, expand_paths, item_row
from analysis.lake import LAKE_FORMAT, MANIFEST, UNKNOWN_MONTH
from analysis.lake.errors import LakeError
from analysis.lake.folders import replace_folder
from analysis.store import ADDED_COLUMNS, SCHEMA
from analysis.wording import plural

RUN_ID = 1
# The outcome of a file, one row each, next to its items in the job's output.
FILE_COLUMNS = ["path", "sha256", "reader", "status", "items_read", "error", "warnings"]


def _month(day) -> str:
    return day.strftime("%Y-%m") if day is not None and not pd.isna(day) else UNKNOWN_MONTH


def parsed_rows(parsed, *, file_number: int, ingested_at: datetime) -> tuple[list[dict], dict]:
    """One file's items as lake rows (with its order, for keeping the first copy) and its outcome."""
    rows = []
    if parsed.status == "ok":
        for position, (item, print_) in enumerate(zip(parsed.read.items, parsed.prints)):
            row = item_row(item, print_, duplicate_of=None, run_id=RUN_ID, ingested_at=ingested_at, source_name=None)
            row.update(month=_month(item.published_date), file_number=file_number, position=position)
            rows.append(row)
    read = parsed.read
    outcome = {"path": parsed.name, "sha256": parsed.sha256, "reader": read.reader if read else None,
               "status": parsed.status, "items_read": len(read.items) if read else 0,
               "error": parsed.error, "warnings": list(read.warnings) if read else []}
    return rows, outcome


# -- the two engines -------------------------------------------------------------------------------

def _local_batches(files: list[Path], *, workers: int, max_bytes: int,
                   ingested_at: datetime) -> Iterator[tuple[list[dict], list[dict]]]:
    rows: list[dict] = []
    outcomes: list[dict] = []
    parsed_files = _parse_paths([str(f) for f in files], set(), max_bytes=max_bytes, workers=workers)
    for number, parsed in enumerate(parsed_files):
        file_rows, outcome = parsed_rows(parsed, file_number=number, ingested_at=ingested_at)
        rows.extend(file_rows)
        outcomes.append(outcome)
        if len(rows) >= 5000:
            yield rows, outcomes
            rows, outcomes = [], []
    if rows or outcomes:
        yield rows, outcomes


def _staging(folder: Path) -> duckdb.DuckDBPyConnection:
    """A scratch store on disk (the lake's items may not fit in memory) with the store's column types."""
    con = duckdb.connect(str(folder / "staging.duckdb"))
    con.execute(SCHEMA)
    for table, column, kind in ADDED_COLUMNS:
        con.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {kind}")
    con.execute("ALTER TABLE items ADD COLUMN month VARCHAR")
    con.execute("ALTER TABLE items ADD COLUMN file_number BIGINT")
    con.execute("ALTER TABLE items ADD COLUMN position BIGINT")
    con.execute("""CREATE TABLE files (file_number BIGINT, path VARCHAR, sha256 VARCHAR, reader VARCHAR,
                   status VARCHAR, items_read INTEGER, error VARCHAR, warnings VARCHAR[])""")
    return con


def _stage(con: duckdb.DuckDBPyConnection, rows: list[dict], outcomes: list[dict], first_file: int) -> None:
    if rows:
        frame = pd.DataFrame.from_records(rows)
        frame["simhash"] = pd.array([row["simhash"] for row in rows], dtype="UInt64")
        frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True)
        con.register("fw_rows", frame)
        con.execute("INSERT INTO items BY NAME SELECT * FROM fw_rows")
        con.unregister("fw_rows")
    if outcomes:
        files = pd.DataFrame.from_records(outcomes, columns=FILE_COLUMNS)
        files.insert(0, "file_number", range(first_file, first_file + len(files)))
        con.register("fw_files", files)
        con.execute("INSERT INTO files BY NAME SELECT * FROM fw_files")
        con.unregister("fw_files")


def _write_lake(con: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, int]:
    """The staged items, each id once (its first copy), as the lake's items; the files' outcomes."""
    items_dir = folder / "items"
    con.execute(f"""
        COPY (
            SELECT * EXCLUDE (file_number, position) FROM items
            QUALIFY row_number() OVER (PARTITION BY id ORDER BY file_number, position) = 1
            ORDER BY month, id
        ) TO '{_sql_path(items_dir)}' (FORMAT parquet, PARTITION_BY (month), FILENAME_PATTERN 'part-{{i}}')""")
    (folder / "ingest_files").mkdir()
    con.execute(f"""COPY (SELECT * EXCLUDE (file_number) FROM files ORDER BY file_number)
                    TO '{_sql_path(folder / "ingest_files" / "part-0.parquet")}' (FORMAT parquet)""")
    (items,) = con.execute("SELECT count(DISTINCT id) FROM items").fetchone()
    counts = dict(con.execute("SELECT status, count(*) FROM files GROUP BY status").fetchall())
    return {"items": int(items), **{f"files_{k}": int(v) for k, v in counts.items()}}


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _spark_rows(spark, files: list[Path], *, max_bytes: int, ingested_at: datetime):
    """The files read on Spark's executors: (items frame, outcomes frame), pandas, in file order."""
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    numbered = spark.createDataFrame([(n, str(f)) for n, f in enumerate(files)],
                                     StructType([StructField("file_number", LongType()),
                                                 StructField("path", StringType())]))
    partitions = max(1, min(len(files), spark.sparkContext.defaultParallelism * 4))
    stamp = ingested_at.isoformat()

    def read_partition(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        when = datetime.fromisoformat(stamp)
        for frame in frames:
            for number, path in zip(frame["file_number"], frame["path"]):
                from analysis.ingest.runner import _parse_path

                rows, outcome = parsed_rows(_parse_path(path, set(), max_bytes), file_number=int(number),
                                            ingested_at=when)
                yield pd.DataFrame({"file_number": [int(number)],
                                    "payload": [json.dumps({"rows": rows, "outcome": outcome},
                                                           default=_json_default)]})

    out = numbered.repartition(partitions).mapInPandas(read_partition, "file_number long, payload string")
    for batch in out.toLocalIterator(prefetchPartitions=True):
        yield int(batch["file_number"]), json.loads(batch["payload"])


def _json_default(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def ingest_to_lake(paths: Sequence[str | Path], output_dir: str | Path, *, engine: str = "local",
                   master: str = "local[2]", workers: int | None = None, overwrite: bool = False,
                   max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read ``paths`` (files, folders, globs) into a new lake at ``output_dir``; a one-line summary."""
    out = Path(output_dir)
    if out.exists() and not (overwrite and (out / MANIFEST).is_file()):
        raise LakeError(out, "exists already" + ("; pass --overwrite to replace a lake" if not overwrite
                                                 else " and is not a lake: not replaced"))
    files, missing = expand_paths(paths)
    if not files:
        problems = "; ".join(f"{m.path}: {m.error}" for m in missing) or "no files given"
        raise LakeError(f"nothing to read: {problems}")
    out.parent.mkdir(parents=True, exist_ok=True)
    ingested_at = datetime.now(timezone.utc)
    temp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        con = _staging(temp)
        if engine == "local":
            workers = workers or min(os.cpu_count() or 1, 4)
            first = 0
            for rows, outcomes in _local_batches(files, workers=workers, max_bytes=max_bytes,
                                                 ingested_at=ingested_at):
                _stage(con, rows, outcomes, first)
                first += len(outcomes)
        elif engine == "spark":
            from analysis.lake.sparkenv import spark_session

            with spark_session(master) as spark:
                for number, payload in _spark_rows(spark, files, max_bytes=max_bytes, ingested_at=ingested_at):
                    rows = [_typed(row) for row in payload["rows"]]
                    _stage(con, rows, [payload["outcome"]], number)
        else:
            raise LakeError(f"unknown engine {engine!r}: local or spark")
        counts = _write_lake(con, temp)
        con.close()
        (temp / "staging.duckdb").unlink()
        counts["files_missing"] = len(missing)
        (temp / MANIFEST).write_text(json.dumps({
            "format": LAKE_FORMAT, "written_by": f"flankwatch ingest --engine {engine}",
            "written_at": ingested_at.isoformat(), "counts": counts,
        }, indent=2), encoding="utf-8")
        replace_folder(temp, out)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    failed = counts.get("files_failed", 0) + len(missing)
    for outcome in missing:
        print(f"{outcome.path}: {outcome.error}", file=sys.stderr)
    return (f"read {plural(len(files), 'file')} into {out}: {plural(counts['items'], 'item')}; "
            f"{plural(failed, 'file')} failed (listed in {out / 'ingest_files'})")


def _typed(row: dict) -> dict:
    """A row back from JSON: its instants and days as values again."""
    if row.get("published_at"):
        row["published_at"] = datetime.fromisoformat(row["published_at"])
    if row.get("published_date"):
        row["published_date"] = datetime.fromisoformat(row["published_date"]).date()
    row["ingested_at"] = datetime.fromisoformat(row["ingested_at"])
    return row

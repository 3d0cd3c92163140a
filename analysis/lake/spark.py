"""The lake's analysis as a Spark job: `flankwatch analyze --lake IN --out OUT --engine spark`.

Two Spark jobs. First the near-duplicate pairs: the store's MinHash LSH rule as a band self-join in
Spark SQL over the few columns it needs (each copy's richness read along), collected to the driver,
where analysis/lake/job.py's duplicates_from_pairs makes them stories (there are far fewer pairs
than items). Then one pass over the items, joined to the (broadcast) links: the model file's bytes
go to the executors once (a broadcast), are loaded once per Python worker, and ``mapInArrow`` runs
analysis/lake/job.py's analyse_items on each task's items (the function the local engine runs) and
writes the task's Parquet files itself, as the local engine's workers do: item_themes, claims,
analysed and the items with their duplicate_of, as ``TABLE/month=M/part-<task>.parquet``, through
pyarrow's filesystem for the output's URI (a local path, hdfs://, s3://). Spark gets back only the
files' names and row counts; a file no successful task reported (a failed or speculative attempt's)
is removed. The lake is written beside OUTPUT and renamed at the end.

The items are written with the input's types: Spark reads Parquet's unsigned 64-bit ``simhash`` and
``lsh_bands`` as DECIMAL(20,0), and the tasks write them back as unsigned 64-bit integers.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

from analysis.ingest.dedup import MAX_DISTANCE
from analysis.lake.job import (
    ANALYSIS_COLUMNS, OUTPUT_TABLES, analyse_items, check_items, duplicates_from_pairs, prepare_output,
    publish_lake, summary_line, to_arrow,
)
from analysis.modelfile import ModelBundle, bundle_bytes, load_bundle_bytes
from analysis.pipeline import BATCH_SIZE, load_model
from analysis.themes import Taxonomy, load_taxonomy

ITEMS_PER_TASK = 2500  # about 10 s of analysis per task on one core; the last wave stays short
FLUSH_ITEMS = 20_000  # a task writes its files at least this often, so a big split is never all in memory
# What each task tells the driver: one row per file written.
WRITTEN = "`table` string, `month` string, `file` string, `rows` long, `assigned` long"

# The band self-join of link_near_duplicates in Spark SQL, returning each confirmed pair once with both
# copies' richness. Spark reads an unsigned 64-bit simhash as DECIMAL(20,0): made a signed BIGINT
# (the same bits) for the XOR. Band keys are only compared for equality, so they stay as read.
PAIRS_SQL = f"""
WITH bands AS (
    SELECT i.id, b.band, b.key,
           CAST(CASE WHEN i.simhash >= 9223372036854775808 THEN i.simhash - 18446744073709551616
                     ELSE i.simhash END AS BIGINT) AS simhash,
           coalesce(i.published_at IS NOT NULL AND NOT i.published_approximate, false) AS precise,
           octet_length(i.text) AS size, i.run_id, i.ingested_at
    FROM fw_items i LATERAL VIEW posexplode(i.lsh_bands) b AS band, key
    WHERE i.kind = 'article' AND i.simhash IS NOT NULL),
pairs AS (
    SELECT DISTINCT a.id AS a, b.id AS b,
           a.precise AS a_precise, a.size AS a_size, a.run_id AS a_run_id, a.ingested_at AS a_ingested_at,
           b.precise AS b_precise, b.size AS b_size, b.run_id AS b_run_id, b.ingested_at AS b_ingested_at
    FROM bands a JOIN bands b ON a.band = b.band AND a.key = b.key AND a.id < b.id
    WHERE bit_count(a.simhash ^ b.simhash) <= {MAX_DISTANCE}),
headlines AS (
    SELECT parent_id, count(*) AS headlines FROM fw_items WHERE parent_id IS NOT NULL GROUP BY parent_id)
SELECT p.*, coalesce(ha.headlines, 0) AS a_headlines, coalesce(hb.headlines, 0) AS b_headlines
FROM pairs p LEFT JOIN headlines ha ON ha.parent_id = p.a LEFT JOIN headlines hb ON hb.parent_id = p.b
"""


def analyze_lake_spark(input_dir: str | os.PathLike[str], output_dir: str | os.PathLike[str], *,
                       master: str = "local[2]", model_path: str | os.PathLike[str] | None = None,
                       spark=None, shuffle_partitions: int | None = None) -> str:
    """Analyse a lake's items on Spark into a new lake at ``output_dir``; a one-line summary.

    ``spark``: a running SparkSession to use (left running); by default one is started on
    ``master`` for the job and stopped after it. ``shuffle_partitions`` for the near-duplicate join
    (default: twice the cores). Bad input raises LakeError before Spark starts; pyspark or Java
    missing raises analysis.lake.sparkenv.SparkUnavailable.
    """
    started = time.perf_counter()
    lake = Path(input_dir)
    files, rows = check_items(lake)
    size = sum(path.stat().st_size for path in files)
    out = prepare_output(lake, output_dir)
    taxonomy = load_taxonomy()
    bundle = load_model(taxonomy=taxonomy, model_path=model_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    run = partial(_run, lake=lake, staging=staging, bundle=bundle, taxonomy=taxonomy, rows=rows, size=size,
                  shuffle_partitions=shuffle_partitions)
    try:
        if spark is None:
            from analysis.lake.sparkenv import spark_session

            with spark_session(master, app="flankwatch analyze") as session:
                counts = run(session)
        else:
            counts = run(spark)
        for table in ("items", *OUTPUT_TABLES):  # a table with no rows at all: an empty folder, as locally
            (staging / table).mkdir(exist_ok=True)
        publish_lake(staging, out, engine="spark", input_dir=lake, model_version=bundle.version,
                     counts={k: counts[k] for k in ("items", "item_themes", "claims", "analysed")})
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    where = master if spark is None else spark.sparkContext.master
    return summary_line(engine=f"Spark {where}", counts=counts, out=out, model_version=bundle.version,
                        seconds=time.perf_counter() - started)


def _run(spark, *, lake: Path, staging: Path, bundle: ModelBundle, taxonomy: Taxonomy, rows: int, size: int,
         shuffle_partitions: int | None) -> dict[str, int]:
    import pyarrow as pa
    from pyspark.sql import functions as F

    parallelism = spark.sparkContext.defaultParallelism
    months = sum(1 for _ in (lake / "items").glob("month=*"))
    for key, value in {
        "spark.sql.sources.partitionColumnTypeInference.enabled": "false",  # month stays text
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": str(shuffle_partitions or 2 * parallelism),
        "spark.sql.execution.arrow.maxRecordsPerBatch": str(BATCH_SIZE),
        # Tasks read the month files as they lie (no shuffle of the texts): several per core, so no core
        # idles at the end, and about ITEMS_PER_TASK items each on a big lake.
        "spark.sql.files.maxPartitionBytes": str(max(1 << 20, size // max(4 * parallelism,
                                                                          math.ceil(rows / ITEMS_PER_TASK)))),
        "spark.sql.files.openCostInBytes": str(1 << 16),  # small month files are packed together
        # check_items has listed the month folders here already: no Spark job to list them again
        "spark.sql.sources.parallelPartitionDiscovery.threshold": str(max(32, months + 1)),
    }.items():
        spark.conf.set(key, value)
    items_dir = str(lake / "items")
    # no mergeSchema (a job over every footer): check_items saw the columns the job reads in each
    # file, and a column that some file lacks reads as NULL there
    items = spark.read.option("basePath", items_dir).option("pathGlobFilter", "*.parquet").parquet(items_dir)

    # job 1: the near-duplicate pairs, reading only the columns the rule needs
    items.createOrReplaceTempView("fw_items")
    try:
        pairs = spark.sql(PAIRS_SQL).toArrow().to_pylist()
    finally:
        spark.catalog.dropTempView("fw_items")
    richness = {}
    for pair in pairs:
        for side in ("a", "b"):
            richness[pair[side]] = (pair[f"{side}_precise"], pair[f"{side}_size"], pair[f"{side}_headlines"],
                                    pair[f"{side}_run_id"], pair[f"{side}_ingested_at"])
    duplicates = duplicates_from_pairs(((pair["a"], pair["b"]) for pair in pairs), richness)

    # job 2: every item analysed and written again with its link, by the Python tasks themselves
    columns = [c for c in items.columns if c != "month"]
    if "duplicate_of" not in columns:
        columns.append("duplicate_of")
    links = spark.createDataFrame(pa.table({"id": pa.array(list(duplicates), pa.string()),
                                            "duplicate_of": pa.array(list(duplicates.values()), pa.string())}))
    linked = items.drop("duplicate_of").join(F.broadcast(links), on="id", how="left").select(*columns, "month")
    model = spark.sparkContext.broadcast(bundle_bytes(bundle))
    output = str(staging.resolve())
    write = partial(_write_partition, bundle.version, model, taxonomy, datetime.now(timezone.utc), output)
    try:
        written = linked.mapInArrow(write, schema=WRITTEN).toArrow().to_pylist()
    finally:
        model.destroy()
    _remove_unreported(output, {(row["table"], row["month"], row["file"]) for row in written})
    totals = {table: sum(row["rows"] for row in written if row["table"] == table)
              for table in ("items", *OUTPUT_TABLES)}
    return {"items": totals["analysed"], "analysed": totals["analysed"], "item_themes": totals["item_themes"],
            "claims": totals["claims"], "near_duplicates": len(duplicates),
            "theme_assignments": sum(row["assigned"] for row in written if row["table"] == "item_themes")}


def _remove_unreported(output: str, reported: set[tuple[str, str, str]]) -> None:
    """Remove the files of task attempts that did not succeed (no successful task reported them)."""
    from pyarrow.fs import FileSelector, FileSystem, FileType

    filesystem, root = FileSystem.from_uri(output)
    for info in filesystem.get_file_info(FileSelector(root, recursive=True)):
        if info.type != FileType.File or not info.base_name.startswith("part-"):
            continue
        table, month = info.path[len(root):].strip("/").split("/")[:2]
        if (table, month.removeprefix("month="), info.base_name) not in reported:
            filesystem.delete_file(info.path)


# -- on the executors -----------------------------------------------------------------------------

# One model per Python worker, loaded on its first batch (Spark reuses its Python workers across tasks).
_bundles: dict[str, ModelBundle] = {}


def _worker_bundle(version: str, model, taxonomy: Taxonomy) -> ModelBundle:
    bundle = _bundles.get(version)
    if bundle is None:
        _bundles.clear()  # a new model: the old one is not needed again
        bundle = _bundles[version] = load_bundle_bytes(model.value, taxonomy, name=f"model {version}")
    return bundle


def _write_partition(version: str, model, taxonomy: Taxonomy, analysed_at: datetime, output: str,
                     batches: Iterator) -> Iterator:
    """mapInArrow: a task's items -> its Parquet files in every table; one row per file written."""
    import pyarrow as pa
    from pyarrow.fs import FileSystem
    from pyspark import TaskContext

    bundle = _worker_bundle(version, model, taxonomy)
    filesystem, root = FileSystem.from_uri(output)
    task = TaskContext.get()
    # unique per task attempt: a retried or speculative attempt never overwrites another's files
    name = f"part-{task.stageId()}-{task.partitionId():05d}-{task.attemptNumber()}"
    pending: dict[str, list] = {table: [] for table in ("items", *OUTPUT_TABLES)}
    written, held, flushes = [], 0, 0
    for batch in batches:
        if not batch.num_rows:
            continue
        items = _lake_types(pa.Table.from_batches([batch]))
        pending["items"].append(items)
        frames = analyse_items(bundle, items.select([*ANALYSIS_COLUMNS, "month"]).to_pandas(),
                               analysed_at=analysed_at)
        for table, frame in frames.items():
            if len(frame):
                pending[table].append(to_arrow(table, frame))
        held += batch.num_rows
        if held >= FLUSH_ITEMS:
            written += _write_tables(filesystem, root, pending, f"{name}-{flushes}")
            pending, held, flushes = {table: [] for table in pending}, 0, flushes + 1
    if held:
        written += _write_tables(filesystem, root, pending, f"{name}-{flushes}")
    yield pa.RecordBatch.from_pylist(written, schema=pa.schema([
        ("table", pa.string()), ("month", pa.string()), ("file", pa.string()), ("rows", pa.int64()),
        ("assigned", pa.int64())]))


def _write_tables(filesystem, root: str, pending: dict[str, list], name: str) -> list[dict]:
    """Each table's rows as ``TABLE/month=M/NAME.parquet``, one file per month; what was written."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    written = []
    for table, parts in pending.items():
        if not parts:
            continue
        rows = pa.concat_tables(parts)
        for month in sorted(rows["month"].unique().to_pylist()):
            part = rows.filter(pc.equal(rows["month"], month)).drop_columns(["month"])
            folder = f"{root}/{table}/month={month}"
            filesystem.create_dir(folder, recursive=True)
            pq.write_table(part, f"{folder}/{name}.parquet", filesystem=filesystem)
            assigned = pc.sum(part["assigned"]).as_py() if table == "item_themes" else 0
            written.append({"table": table, "month": month, "file": f"{name}.parquet", "rows": part.num_rows,
                            "assigned": int(assigned or 0)})
    return written


def _lake_types(items):
    """The items' columns as the lake holds them: Spark's DECIMAL(20,0) back to unsigned 64-bit integers."""
    import pyarrow as pa

    def lake_type(kind):
        if pa.types.is_decimal(kind) and kind.scale == 0 and kind.precision == 20:
            return pa.uint64()
        if pa.types.is_large_string(kind):
            return pa.string()
        if pa.types.is_list(kind) or pa.types.is_large_list(kind):
            return pa.list_(lake_type(kind.value_type))
        return kind

    return items.cast(pa.schema([field.with_type(lake_type(field.type)) for field in items.schema]))

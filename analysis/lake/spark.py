"""The lake's analysis as a Spark job: `flankwatch analyze --lake IN --out OUT --engine spark`.

Spark reads the items' month partitions, the model file's bytes go to the executors once (a
broadcast) and are loaded once per Python worker (a cache keyed by the model version), and
``mapInPandas`` runs analysis/lake/job.py's analyse_items on each partition: the same function the
local engine runs, built on the single-machine pipeline. The near-duplicate links are the same SQL
as the local engine's, in Spark's dialect. The lake is written beside OUTPUT and renamed at the end.

The output is the lake layout, with one difference Spark cannot avoid: it has no unsigned 64-bit
integer, so the items' ``simhash`` and ``lsh_bands`` are written as DECIMAL(20,0) (the same values;
a store's export has UBIGINT).
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

import pandas as pd

from analysis.lake.job import (
    ANALYSIS_COLUMNS, OUTPUT_TABLES, analyse_items, check_items, finish_lake, link_near_duplicates,
    prepare_output, replace_folder, spark_ddl, summary_line,
)
from analysis.modelfile import ModelBundle, bundle_bytes, load_bundle_bytes
from analysis.pipeline import load_model
from analysis.themes import Taxonomy, load_taxonomy

ITEMS_PER_TASK = 5000  # about 10 s of analysis per task on one core
# All output tables' columns in one frame, told apart by ``table`` (mapInPandas returns one schema).
UNION_COLUMNS: tuple[tuple[str, str], ...] = (("table", "string"),) + tuple(
    {name: kind for columns in OUTPUT_TABLES.values() for name, kind in columns}.items())
_ARRAY_COLUMNS = tuple(name for name, kind in UNION_COLUMNS if kind.startswith("array<"))


def analyze_lake_spark(input_dir: str | os.PathLike[str], output_dir: str | os.PathLike[str], *,
                       master: str = "local[2]", model_path: str | os.PathLike[str] | None = None,
                       spark=None) -> str:
    """Analyse a lake's items on Spark into a new lake at ``output_dir``; a one-line summary.

    ``spark``: a running SparkSession to use (left running); by default one is started on
    ``master`` for the job and stopped after it. Bad input raises LakeError before Spark starts;
    pyspark or Java missing raises analysis.lake.sparkenv.SparkUnavailable.
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
    try:
        if spark is None:
            from analysis.lake.sparkenv import spark_session

            with spark_session(master, app="flankwatch analyze") as session:
                counts = _run(session, lake, staging, bundle, taxonomy, rows=rows, size=size)
        else:
            counts = _run(spark, lake, staging, bundle, taxonomy, rows=rows, size=size)
        _tidy(staging)
        finish_lake(staging, engine="spark", input_dir=lake, model_version=bundle.version,
                    counts={k: counts[k] for k in ("items", "item_themes", "claims", "analysed")})
        replace_folder(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    where = master if spark is None else spark.sparkContext.master
    return summary_line(engine=f"Spark {where}", counts=counts, out=out, model_version=bundle.version,
                        seconds=time.perf_counter() - started)


def _run(spark, lake: Path, staging: Path, bundle: ModelBundle, taxonomy: Taxonomy, *, rows: int,
         size: int) -> dict[str, int]:
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    spark.conf.set("spark.sql.sources.partitionColumnTypeInference.enabled", "false")  # month stays text
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    parallelism = spark.sparkContext.defaultParallelism
    spark.conf.set("spark.sql.shuffle.partitions", str(max(4, 2 * parallelism)))
    # Tasks read the month files as they lie (no shuffle of the texts): several per core, so no core
    # idles at the end, and about ITEMS_PER_TASK items each on a big lake.
    tasks = max(4 * parallelism, math.ceil(rows / ITEMS_PER_TASK))
    spark.conf.set("spark.sql.files.maxPartitionBytes", str(max(1 << 20, size // tasks)))
    spark.conf.set("spark.sql.files.openCostInBytes", str(1 << 16))  # small month files are packed together
    items_dir = str(lake / "items")
    # no mergeSchema (a job over every footer): check_items saw the columns the job reads in each
    # file, and a column that some file lacks reads as NULL there
    items = spark.read.option("basePath", items_dir).option("pathGlobFilter", "*.parquet").parquet(items_dir)
    items.createOrReplaceTempView("items")

    model = spark.sparkContext.broadcast(bundle_bytes(bundle))
    analyse = partial(_analyse_partition, bundle.version, model, taxonomy, datetime.now(timezone.utc))
    analysed = (items.select(*ANALYSIS_COLUMNS, "month").mapInPandas(analyse, schema=spark_ddl(UNION_COLUMNS))
                .persist(StorageLevel.MEMORY_AND_DISK))
    try:
        for table, columns in OUTPUT_TABLES.items():
            (analysed.where(F.col("table") == table).select(*[name for name, _ in columns])
             .write.mode("overwrite").partitionBy("month").parquet(str(staging / table)))
        tallies = {row["table"]: (row["n"], row["assigned"]) for row in analysed.groupBy("table").agg(
            F.count(F.lit(1)).alias("n"), F.sum(F.col("assigned").cast("int")).alias("assigned")).collect()}
    finally:
        analysed.unpersist()
        model.destroy()

    def materialise(name: str, sql: str) -> None:
        spark.sql(sql).localCheckpoint(eager=True).createOrReplaceTempView(name)

    duplicates = spark.table(link_near_duplicates(materialise, lambda sql: int(spark.sql(sql).first()[0]),
                                                  dialect="spark"))
    columns = items.columns
    linked = items.drop("duplicate_of").join(F.broadcast(duplicates), on="id", how="left")
    if "duplicate_of" not in columns:
        columns = [c for c in columns if c != "month"] + ["duplicate_of", "month"]
    linked.select(*columns).write.mode("overwrite").partitionBy("month").parquet(str(staging / "items"))
    near = int(duplicates.where(F.col("duplicate_of").isNotNull()).count())
    for name in ("fw_prints", "fw_bands", "fw_links", "fw_labels", "fw_next", "fw_duplicates", "items"):
        spark.catalog.dropTempView(name)
    return {"items": tallies.get("analysed", (0, 0))[0], "analysed": tallies.get("analysed", (0, 0))[0],
            "item_themes": tallies.get("item_themes", (0, 0))[0], "claims": tallies.get("claims", (0, 0))[0],
            "theme_assignments": int(tallies.get("item_themes", (0, 0))[1] or 0), "near_duplicates": near}


def _tidy(staging: Path) -> None:
    """Leave only the lake's files: Spark's _SUCCESS markers and .crc checksums go."""
    for path in list(staging.rglob("_SUCCESS")) + list(staging.rglob(".*.crc")):
        path.unlink()
    for table in OUTPUT_TABLES:  # a table with no rows at all: an empty folder, as the local engine leaves
        (staging / table).mkdir(exist_ok=True)


# -- on the executors -----------------------------------------------------------------------------

# One model per Python worker, loaded on its first batch (Spark reuses its Python workers across tasks).
_bundles: dict[str, ModelBundle] = {}


def _worker_bundle(version: str, model, taxonomy: Taxonomy) -> ModelBundle:
    bundle = _bundles.get(version)
    if bundle is None:
        import warnings

        # said once per worker is enough (the driver filters it in analysis/lake/sparkenv.py)
        warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
        _bundles.clear()  # a new model: the old one is not needed again
        bundle = _bundles[version] = load_bundle_bytes(model.value, taxonomy, name=f"model {version}")
    return bundle


def _analyse_partition(version: str, model, taxonomy: Taxonomy, analysed_at: datetime,
                       frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """mapInPandas: each batch of items -> its item_themes, claims and analysed rows in one frame."""
    bundle = _worker_bundle(version, model, taxonomy)
    names = [name for name, _ in UNION_COLUMNS]
    for frame in frames:
        if not len(frame):
            continue
        tables = analyse_items(bundle, frame, analysed_at=analysed_at)
        union = pd.concat([rows.assign(table=table) for table, rows in tables.items() if len(rows)],
                          ignore_index=True).reindex(columns=names)
        for name in _ARRAY_COLUMNS:  # a row of another table has NaN there, which Arrow cannot make a list
            union[name] = [v if isinstance(v, (list, tuple)) or hasattr(v, "__array__") else None
                           for v in union[name]]
        # pandas 3 keeps text in Arrow-backed columns, which this pyspark's converter cannot take yet
        extension = [name for name in names if isinstance(union[name].dtype, pd.api.extensions.ExtensionDtype)
                     and not isinstance(union[name].dtype, pd.DatetimeTZDtype)]
        yield union.astype({name: object for name in extension})

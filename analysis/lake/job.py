"""The lake's analysis, shared by both engines: one batch of items in, the store's rows out.

`flankwatch analyze --lake IN --out OUT [--engine local|spark]` reads a lake's items and writes
their item_themes, claims and analysed rows (and the items again, with their near-duplicate links)
as a new lake. Both engines run the same two things defined here:

- :func:`analyse_items`, built on :func:`analysis.pipeline.analyse_batch`, so an item's themes and
  claims are the single-machine pipeline's by construction (they depend on the item and the model
  alone, never on the batch);
- the store's MinHash LSH rule as a self-join on band keys over the whole lake: locally all of it
  in DuckDB (:func:`link_near_duplicates`); on Spark the band join in Spark SQL, its few pairs then
  grouped into stories by :func:`duplicates_from_pairs` (the same stories and canonical items).

Near-duplicates, and how they differ from the store's. Two articles are near-duplicates when they
share an LSH band and their SimHashes are at most MAX_DISTANCE bits apart (analysis/ingest/dedup.py).
A story is a connected group of such pairs; its canonical item (``duplicate_of IS NULL``) is the
richest copy (a precise published time, then more UTF-8 bytes of text, then more headlines whose
parent is the copy: dedup.richness), ties going to the earliest ingested (``run_id``,
``ingested_at``, then ``id``); every other member points at it. For a story whose copies are all
near-duplicates of each other (what wire copies and re-saved pages are) this is the store's answer.
The store links one item at a time, against canonical copies only, so in a chain A~B~C with A and C
far apart it makes two stories where this makes one; and a lake written by `ingest --lake` gives
all its items one ingested_at, so ties go by id there, by file order in the store.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

import pandas as pd

from analysis.ingest.dedup import MAX_DISTANCE
from analysis.lake import UNKNOWN_MONTH
from analysis.lake.errors import LakeError
from analysis.lake.folders import replace_folder
from analysis.modelfile import ModelBundle
from analysis.pipeline import BATCH_SIZE, analyse_batch

Engine = Literal["local", "spark"]
Dialect = Literal["duckdb", "spark"]

# What the job reads of an item: for the analysis, then for the near-duplicate links.
ANALYSIS_COLUMNS = ("id", "kind", "title", "text", "published_date", "published_at")
DEDUP_COLUMNS = ("simhash", "lsh_bands", "published_approximate", "parent_id", "run_id", "ingested_at")
REQUIRED_ITEM_COLUMNS = ANALYSIS_COLUMNS + DEDUP_COLUMNS

# The tables the job writes, in the store's columns (analysis/store.py) plus the item's month.
# One declaration for both engines: Spark SQL types here, Arrow types derived in ARROW_TYPES.
OUTPUT_TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "item_themes": (("item_id", "string"), ("theme", "string"), ("score", "double"), ("assigned", "boolean"),
                    ("terms", "array<string>"), ("sentences", "array<string>"), ("month", "string")),
    "claims": (("claim_id", "string"), ("item_id", "string"), ("type", "string"), ("actor", "string"),
               ("kind", "string"), ("value", "double"), ("value_high", "double"), ("unit", "string"),
               ("year", "int"), ("year_high", "int"), ("year_relative", "boolean"), ("speaker", "string"),
               ("evidence", "string"), ("start_offset", "int"), ("end_offset", "int"), ("details", "string"),
               ("month", "string")),
    "analysed": (("item_id", "string"), ("analysed_at", "timestamp"), ("model_version", "string"),
                 ("month", "string")),
}
_INT_COLUMNS = {name for columns in OUTPUT_TABLES.values() for name, kind in columns if kind == "int"}


def arrow_schema(table: str):
    """The Arrow schema of an output table (the same columns and types Spark is given)."""
    import pyarrow as pa

    types = {"string": pa.string(), "double": pa.float64(), "boolean": pa.bool_(), "int": pa.int32(),
             "timestamp": pa.timestamp("us", tz="UTC"), "array<string>": pa.list_(pa.string())}
    return pa.schema([(name, types[kind]) for name, kind in OUTPUT_TABLES[table]])


def spark_ddl(columns: Sequence[tuple[str, str]]) -> str:
    return ", ".join(f"`{name}` {kind}" for name, kind in columns)


# -- the analysis of a batch ------------------------------------------------------------------------

def analyse_items(bundle: ModelBundle, items: pd.DataFrame, *, analysed_at: datetime) -> dict[str, pd.DataFrame]:
    """item_themes, claims and analysed rows of lake items (``ANALYSIS_COLUMNS`` and ``month``).

    Claims' details are JSON text, as the store writes them; every row carries its item's month.
    """
    themes, claims = [], []
    for start in range(0, len(items), BATCH_SIZE):
        batch = items.iloc[start:start + BATCH_SIZE]
        _, _, batch_themes, batch_claims = analyse_batch(bundle, batch[list(ANALYSIS_COLUMNS)])
        themes.append(batch_themes)
        claims.append(batch_claims)
    ids = [str(i) for i in items["id"]]
    months = dict(zip(ids, (str(m) if isinstance(m, str) else UNKNOWN_MONTH for m in items["month"])))
    frames = {
        "item_themes": pd.concat(themes, ignore_index=True) if themes else pd.DataFrame(),
        "claims": pd.concat(claims, ignore_index=True) if claims else pd.DataFrame(),
        "analysed": pd.DataFrame({"item_id": ids, "analysed_at": pd.Timestamp(analysed_at),
                                  "model_version": bundle.version}),
    }
    if len(frames["claims"]):
        frames["claims"] = frames["claims"].assign(details=[
            json.dumps(d, ensure_ascii=False) if isinstance(d, dict) else d for d in frames["claims"]["details"]])
    return {table: _typed(table, frame.assign(month=[months[i] for i in frame["item_id"]])
                          if len(frame) else frame)
            for table, frame in frames.items()}


def _typed(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The table's columns in order; whole numbers that may be missing as Python ints or None."""
    frame = frame.reindex(columns=[name for name, _ in OUTPUT_TABLES[table]])
    for name in _INT_COLUMNS.intersection(frame.columns):
        frame[name] = pd.Series([None if pd.isna(v) else int(v) for v in frame[name]], index=frame.index,
                                dtype=object)
    return frame


def to_arrow(table: str, frame: pd.DataFrame):
    import pyarrow as pa

    return pa.Table.from_pandas(frame, schema=arrow_schema(table), preserve_index=False)


# -- the input --------------------------------------------------------------------------------------

def check_items(input_dir: str | os.PathLike[str]) -> tuple[list[Path], int]:
    """The lake's items files and their row count, or LakeError naming the path and the problem.

    Reads only the Parquet footers: every file must lie in ``items/month=*/`` and hold the
    columns the job reads (``REQUIRED_ITEM_COLUMNS``).
    """
    import pyarrow.parquet as pq

    lake = Path(input_dir)
    if not lake.is_dir():
        raise LakeError(lake, "no such folder" if not lake.exists() else "not a folder; give a lake's folder")
    files = sorted((lake / "items").glob("month=*/*.parquet"))
    if not files:
        raise LakeError(lake, "not a lake: no items/month=YYYY-MM/*.parquet here "
                              "(write one with `flankwatch export --parquet` or `flankwatch ingest --lake`)")
    rows = 0
    for path in files:
        try:
            metadata = pq.read_metadata(path)
        except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ... for a file that is not Parquet
            raise LakeError(path, f"not a readable Parquet file ({exc})") from None
        missing = [c for c in REQUIRED_ITEM_COLUMNS if c not in metadata.schema.to_arrow_schema().names]
        if missing:
            raise LakeError(path, f"items file without the column(s) {', '.join(missing)}; a lake's items "
                                  "hold the store's items columns (analysis/store.py)")
        rows += metadata.num_rows
    return files, rows


def prepare_output(input_dir: str | os.PathLike[str], output_dir: str | os.PathLike[str]) -> Path:
    """The output folder, checked: not the input, and either new, empty, or a lake (then replaced)."""
    out, lake = Path(output_dir), Path(input_dir)
    if out.resolve() == lake.resolve() or lake.resolve() in out.resolve().parents:
        raise LakeError(out, f"the output must be a folder outside the input lake {lake}")
    if out.exists() and not out.is_dir():
        raise LakeError(out, "exists and is not a folder; choose a new folder for the analysed lake")
    if out.is_dir() and any(out.iterdir()) and not (out / "_lake.json").is_file():
        raise LakeError(out, "the folder holds other files and is not a lake; choose a new or empty folder")
    return out


def publish_lake(staging: Path, out: Path, *, engine: Engine, input_dir: Path, model_version: str,
                 counts: dict[str, int]) -> dict[str, int]:
    """The engines' last step: the rollups and the manifest written into the staging folder, which
    then replaces ``out`` (analysis/lake/folders.py). Returns the rollups' row counts."""
    from analysis.lake import LAKE_FORMAT, MANIFEST
    from analysis.lake.rollups import write_rollups

    rollups = write_rollups(staging)
    manifest = {"format": LAKE_FORMAT, "written_by": f"flankwatch analyze --engine {engine}",
                "source": str(input_dir), "model_version": model_version,
                "analysed_model_versions": [model_version], "tables": counts, "rollups": rollups,
                "written_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    replace_folder(staging, out)
    return rollups


# -- near-duplicates --------------------------------------------------------------------------------

# The few places where DuckDB's SQL and Spark's differ. The items' simhash is UBIGINT in DuckDB;
# Spark reads Parquet's unsigned 64-bit integers as DECIMAL(20,0), made a signed BIGINT (the same bits)
# for its XOR. Band keys are only compared for equality, so they stay as read.
_DIALECT: dict[Dialect, dict[str, str]] = {
    "duckdb": {
        "simhash": "i.simhash",
        "bytes": "strlen(i.text)",
        "bands": "SELECT id, simhash, unnest(range(0, len(lsh_bands))) AS band, unnest(lsh_bands) AS key "
                 "FROM fw_prints",
        "distance": "bit_count(xor(a.simhash, b.simhash))",
    },
    "spark": {
        "simhash": "CAST(CASE WHEN i.simhash >= 9223372036854775808 THEN i.simhash - 18446744073709551616 "
                   "ELSE i.simhash END AS BIGINT)",
        "bytes": "octet_length(i.text)",
        "bands": "SELECT id, simhash, band, key FROM fw_prints LATERAL VIEW posexplode(lsh_bands) b AS band, key",
        "distance": "bit_count(a.simhash ^ b.simhash)",
    },
}


def link_near_duplicates(materialise: Callable[[str, str], None], scalar: Callable[[str], int],
                         *, dialect: Dialect) -> str:
    """Build the view ``fw_duplicates(id, duplicate_of)`` from the view ``items``; return its name.

    ``materialise(name, sql)`` makes a table (or a cached view) of a query's rows and ``scalar(sql)``
    returns one number: DuckDB's or Spark's. Only items in a story get a row (others: NULL).
    """
    d = _DIALECT[dialect]
    materialise("fw_prints", f"""
        SELECT i.id, {d['simhash']} AS simhash, i.lsh_bands,
               coalesce(i.published_at IS NOT NULL AND NOT i.published_approximate, false) AS precise,
               {d['bytes']} AS size, coalesce(h.headlines, 0) AS headlines,
               i.run_id, i.ingested_at
        FROM items i LEFT JOIN (SELECT parent_id, count(*) AS headlines FROM items
                                WHERE parent_id IS NOT NULL GROUP BY parent_id) h ON h.parent_id = i.id
        WHERE i.kind = 'article' AND i.simhash IS NOT NULL AND i.lsh_bands IS NOT NULL""")
    materialise("fw_bands", d["bands"])
    # every confirmed pair, both ways round
    materialise("fw_links", f"""
        WITH pairs AS (
            SELECT DISTINCT a.id AS a, b.id AS b FROM fw_bands a JOIN fw_bands b
                ON a.band = b.band AND a.key = b.key AND a.id < b.id
            WHERE {d['distance']} <= {MAX_DISTANCE})
        SELECT a AS id, b AS other FROM pairs UNION ALL SELECT b AS id, a AS other FROM pairs""")
    # a story = a connected group: every member takes the smallest id it reaches, step by step
    materialise("fw_labels", "SELECT id, min(least(id, other)) AS label FROM fw_links GROUP BY id")
    while True:
        materialise("fw_next", """
            SELECT l.id, least(l.label, min(o.label)) AS label
            FROM fw_labels l JOIN fw_links k ON k.id = l.id JOIN fw_labels o ON o.id = k.other
            GROUP BY l.id, l.label""")
        changed = scalar("SELECT count(*) FROM fw_next n JOIN fw_labels l ON l.id = n.id WHERE n.label <> l.label")
        materialise("fw_labels", "SELECT id, label FROM fw_next")
        if not changed:
            break
    materialise("fw_duplicates", """
        WITH ranked AS (
            SELECT l.id, l.label, first_value(l.id) OVER (
                       PARTITION BY l.label
                       ORDER BY p.precise DESC, p.size DESC, p.headlines DESC,
                                p.run_id ASC NULLS LAST, p.ingested_at ASC NULLS LAST, l.id ASC) AS canonical
            FROM fw_labels l JOIN fw_prints p ON p.id = l.id)
        SELECT id, CASE WHEN id = canonical THEN NULL ELSE canonical END AS duplicate_of FROM ranked""")
    return "fw_duplicates"


# The richness of a story's member, as link_near_duplicates orders them (first = canonical).
Richness = tuple[bool, int | None, int, int | None, datetime | None]  # precise, bytes, headlines, run_id, ingested_at


def duplicates_from_pairs(pairs: Iterable[tuple[str, str]], richness: dict[str, Richness]) -> dict[str, str]:
    """``{id: duplicate_of}`` of every non-canonical member of a story, from its confirmed pairs.

    The rule of :func:`link_near_duplicates` (connected groups; the richest copy canonical, ties to
    the earliest ingested, then the smallest id), for an engine that finds the pairs itself and has
    far fewer of them than items. ``richness`` holds every paired id's (precise, UTF-8 bytes,
    headlines, run_id, ingested_at).
    """
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, b in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    stories: dict[str, list[str]] = {}
    for node in parent:
        stories.setdefault(root(node), []).append(node)

    def order(node: str) -> tuple:  # precise DESC, size DESC, headlines DESC, run, ingested ASC NULLS LAST, id
        precise, size, headlines, run_id, ingested_at = richness[node]
        # a None is only ever compared with a None (the flag before it differs otherwise)
        return (not precise, size is None, -(size or 0), -headlines, run_id is None, run_id,
                ingested_at is None, ingested_at, node)

    duplicates = {}
    for members in stories.values():
        canonical = min(members, key=order)
        duplicates.update((node, canonical) for node in members if node != canonical)
    return duplicates


# -- the command --------------------------------------------------------------------------------------

def analyze_lake_command(engine: Engine, input_dir: str | os.PathLike[str], output_dir: str | os.PathLike[str],
                         master: str = "local[2]", model_path: str | os.PathLike[str] | None = None,
                         workers: int | None = None) -> int:
    """`flankwatch analyze --lake IN --out OUT`: print the summary; 2 with a one-line error on bad input."""
    import sys

    from analysis.modelfile import ModelFileError

    try:
        if engine == "local":
            from analysis.lake.local import analyze_lake_local

            summary = analyze_lake_local(input_dir, output_dir, workers=workers, model_path=model_path)
        elif engine == "spark":
            from analysis.lake.sparkenv import SparkUnavailable
            from analysis.lake.spark import analyze_lake_spark

            try:
                summary = analyze_lake_spark(input_dir, output_dir, master=master, model_path=model_path)
            except SparkUnavailable as exc:
                raise LakeError(input_dir, f"cannot run on Spark: {exc}") from None
        else:
            raise LakeError(input_dir, f"unknown engine {engine!r}: local or spark")
    except (LakeError, ModelFileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(summary)
    return 0


def summary_line(*, engine: str, counts: dict[str, int], out: Path, model_version: str, seconds: float) -> str:
    from analysis.wording import plural

    return (f"analysed {plural(counts['items'], 'item', thousands=False)} into {out} on {engine} in {seconds:.1f}s "
            f"with model {model_version}: {plural(counts['theme_assignments'], 'theme assignment', thousands=False)}, "
            f"{plural(counts['claims'], 'claim', thousands=False)}, "
            f"{plural(counts['near_duplicates'], 'near-duplicate', thousands=False)} linked")

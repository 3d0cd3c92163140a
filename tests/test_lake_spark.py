"""The lake's analysis (analysis/lake/job.py, local.py, spark.py) gives the store's rows.

One small store, analysed by the single-machine ``analyze_store``; its items written as a lake;
then the local engine and the Spark job (local[2]) over that lake must give the store's
item_themes, claims, model versions and near-duplicate links, row for row and floats exactly.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analysis.ingest.runner import ingest_paths
from analysis.lake.errors import LakeError
from analysis.lake.job import OUTPUT_TABLES, REQUIRED_ITEM_COLUMNS, analyze_lake_command, duplicates_from_pairs
from analysis.lake.local import analyze_lake_local
from analysis.pipeline import analyze_store
from analysis.store import Store

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dev.jsonl"
SPARK_MISSING = ("pyspark is not installed" if importlib.util.find_spec("pyspark") is None
                 else "Java is not installed (Spark needs Java 17+)" if shutil.which("java") is None else None)
# (table, the columns that identify a row) for the comparison
KEYS = {"item_themes": ["item_id", "theme"], "claims": ["claim_id"], "analysed": ["item_id"]}


def _real_texts(count: int) -> list[dict]:
    """Real article texts, read at test time (never copied into the project)."""
    if not CORPUS.is_file():
        pytest.skip(f"the labelled corpus is not beside this checkout ({CORPUS})")
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    long = [r for r in rows if len(r.get("text") or "") > 800]
    return long[:count]


def _records() -> tuple[list[dict], list[dict]]:
    """Two files' records: short generated items, real-length ones, and near-duplicate copies."""
    first, second = [], []
    for n in range(12):
        first.append({"title": f"Border report {n}", "url": f"https://example.test/short/{n}",
                      "published": f"2024-{1 + n % 3:02d}-{1 + n:02d}" if n % 5 else None, "outlet": "Test Wire",
                      "text": f"Report number {n}: the border guard counted {n * 7} attempts near Druskininkai. "
                              f"Lithuania will spend {2 + n % 3}.{n % 10} percent of GDP on defence in 2025."})
    real = _real_texts(14)
    for n, r in enumerate(real):
        first.append({"title": r.get("title") or f"Real {n}", "url": f"https://example.test/real/{n}",
                      "published": f"2023-{1 + n % 4:02d}-15", "outlet": r.get("source"), "text": r["text"]})
    for n, r in enumerate(real[:6]):  # near-duplicates: a sentence cut or added, in the next file
        text = r["text"]
        if n % 2:  # longer: the richer copy, so it becomes the story's canonical item
            text = text + " The ministry confirmed the figures on Friday evening in a short statement."
        else:
            text = text[: int(len(text) * 0.93)]
        second.append({"title": f"Copy of {n}", "url": f"https://example.test/copy/{n}",
                       "published": f"2023-{1 + (n + 1) % 4:02d}-20", "outlet": "Copy Wire", "text": text})
    second.append({"title": "Copy of copy", "url": "https://example.test/copy/again",  # a third member
                   "published": "2023-05-01", "outlet": "Copy Wire", "text": real[1]["text"]})
    return first, second


def _write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def case(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("lake-case")
    first, second = _records()
    db = folder / "store.duckdb"
    with Store.open(db) as store:
        ingest_paths(store, [_write_jsonl(folder / "a.jsonl", first)])
        ingest_paths(store, [_write_jsonl(folder / "b.jsonl", second)])
        analyze_store(store, workers=1)
        lake = folder / "lake"
        lake.mkdir()
        store.connection.execute(f"""
            COPY (SELECT *, coalesce(strftime(published_date, '%Y-%m'), 'unknown') AS month FROM items)
            TO '{lake / "items"}' (FORMAT parquet, PARTITION_BY (month))""")
        expected = {table: _store_rows(store.connection, table) for table in OUTPUT_TABLES}
        expected["items"] = store.query_df("SELECT id, duplicate_of FROM items ORDER BY id")
    assert expected["items"]["duplicate_of"].notna().sum() >= 6, "the case should hold near-duplicates"
    return {"folder": folder, "lake": lake, "expected": expected}


def _store_rows(con, table: str) -> pd.DataFrame:
    columns = [name for name, _ in OUTPUT_TABLES[table] if name not in ("month", "analysed_at")]
    select = ", ".join(f"t.{c}" for c in columns)
    if table == "claims":
        select = select.replace("t.details", "CAST(t.details AS VARCHAR) AS details")
    frame = con.execute(f"""SELECT {select}, coalesce(strftime(i.published_date, '%Y-%m'), 'unknown') AS month
                            FROM {table} t JOIN items i ON i.id = t.item_id""").df()
    return _sorted(frame, table)


def _lake_rows(lake: Path, table: str) -> pd.DataFrame:
    columns = [name for name, _ in OUTPUT_TABLES[table] if name != "analysed_at"]
    files = sorted((lake / table).glob("month=*/*.parquet"))
    assert files, f"{lake / table}: no Parquet files"
    frame = duckdb.sql(f"""SELECT {', '.join(columns)} FROM read_parquet({[str(f) for f in files]},
                           hive_partitioning = true, hive_types = {{'month': VARCHAR}})""").df()
    return _sorted(frame, table)


def _sorted(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    frame = frame.assign(**{c: [tuple(v) if v is not None and not isinstance(v, float) else None for v in frame[c]]
                            for c in ("terms", "sentences") if c in frame})
    frame = frame.sort_values(KEYS[table]).reset_index(drop=True).astype(object)
    return frame.where(frame.notna(), None)


def _check_against_store(out: Path, expected: dict) -> None:
    for table in OUTPUT_TABLES:
        got, want = _lake_rows(out, table), expected[table]
        assert list(got.columns) == list(want.columns), table
        assert len(got) == len(want), table
        for column in want.columns:  # floats exactly: the same function on the same text
            assert got[column].tolist() == want[column].tolist(), f"{table}.{column}"
    items = duckdb.sql(f"""SELECT id, duplicate_of FROM read_parquet('{out}/items/*/*.parquet') ORDER BY id""").df()
    pd.testing.assert_frame_equal(items.astype(object).where(items.notna(), None),
                                  expected["items"].astype(object).where(expected["items"].notna(), None))
    manifest = json.loads((out / "_lake.json").read_text(encoding="utf-8"))
    assert manifest["format"] == 1 and manifest["tables"]["analysed"] == len(expected["analysed"])
    assert not [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")], "a staging folder was left"


def test_the_local_engine_gives_the_stores_rows(case):
    out = case["folder"] / "local-out"
    summary = analyze_lake_local(case["lake"], out, workers=2)
    assert summary.startswith(f"analysed {len(case['expected']['analysed'])} items into {out}"), summary
    assert "near-duplicates linked" in summary
    _check_against_store(out, case["expected"])
    assert {p.name for p in out.iterdir()} >= {"items", "item_themes", "claims", "analysed", "_lake.json"}


def test_the_local_engine_in_one_process_replaces_a_lake_it_wrote(case):
    out = case["folder"] / "local-again"
    analyze_lake_local(case["lake"], out, workers=1)
    analyze_lake_local(case["lake"], out, workers=1)
    _check_against_store(out, case["expected"])


@pytest.mark.parametrize("make, problem", [
    (lambda root: root / "missing", "no such folder"),
    (lambda root: (root / "empty").mkdir() or root / "empty", "not a lake"),
    (lambda root: _lake_without(root, "text"), r"without the column\(s\) text;"),
])
def test_bad_input_is_a_lake_error_naming_the_path_and_nothing_is_written(tmp_path, make, problem):
    source = make(tmp_path)
    out = tmp_path / "out"
    with pytest.raises(LakeError, match=problem) as raised:
        analyze_lake_local(source, out, workers=1)
    assert str(tmp_path) in str(raised.value)
    assert not out.exists() and not list(tmp_path.glob(".out.*"))
    assert analyze_lake_command("local", source, out, "local[2]", None, 1) == 2


def _lake_without(root: Path, column: str) -> Path:
    folder = root / "lake" / "items" / "month=2024-01"
    folder.mkdir(parents=True)
    values = ", ".join(f"'x' AS {name}" for name in REQUIRED_ITEM_COLUMNS if name != column)
    duckdb.sql(f"COPY (SELECT {values}) TO '{folder / 'part-0.parquet'}' (FORMAT parquet)")
    return root / "lake"


def test_an_output_folder_holding_other_files_is_refused(case, tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(LakeError, match="not a lake"):
        analyze_lake_local(case["lake"], tmp_path, workers=1)
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


# -- Spark --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def spark():
    if SPARK_MISSING:
        pytest.skip(f"the Spark job cannot run here: {SPARK_MISSING}")
    import warnings

    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("flankwatch tests")
               .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
               .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def test_the_spark_job_gives_the_stores_rows(case, spark):
    from analysis.lake.spark import analyze_lake_spark

    out = case["folder"] / "spark-out"
    summary = analyze_lake_spark(case["lake"], out, spark=spark)
    assert summary.startswith(f"analysed {len(case['expected']['analysed'])} items into {out} on Spark local[2]")
    _check_against_store(out, case["expected"])
    leftovers = [p for p in out.rglob("*") if p.name == "_SUCCESS" or p.suffix == ".crc"]
    assert not leftovers
    assert sorted(p.name for p in (out / "items").iterdir()) == sorted(p.name for p in (case["lake"] / "items").iterdir())
    assert all(p.name.startswith("part-") for p in out.rglob("month=*/*.parquet"))
    # the tasks write the items back with the input's columns and types (simhash unsigned, not DECIMAL)
    assert _item_types(out) == _item_types(case["lake"])


def _item_types(lake: Path) -> list[tuple[str, str]]:
    return [row[:2] for row in duckdb.sql(f"""DESCRIBE SELECT * FROM read_parquet('{lake}/items/*/*.parquet',
                                              hive_partitioning = true, hive_types = {{'month': VARCHAR}})""").fetchall()]


def test_a_failed_task_attempts_files_are_removed(tmp_path):
    from analysis.lake.spark import _remove_unreported

    for relative in ("claims/month=2024-01/part-1-00000-0-0.parquet", "claims/month=2024-01/part-1-00000-1-0.parquet",
                     "items/month=unknown/part-1-00003-0-0.parquet"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_bytes(b"PAR1")
    _remove_unreported(str(tmp_path), {("claims", "2024-01", "part-1-00000-1-0.parquet"),
                                       ("items", "unknown", "part-1-00003-0-0.parquet")})
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.parquet")) == [
        "claims/month=2024-01/part-1-00000-1-0.parquet", "items/month=unknown/part-1-00003-0-0.parquet"]


_AT = datetime(2026, 1, 1, tzinfo=timezone.utc)
_PLAIN = (False, 100, 0, 1, _AT)  # precise, UTF-8 bytes, headlines, run_id, ingested_at


@pytest.mark.parametrize("pairs, richness, expected", [
    # a chain a~b~c is one story, even though a and c are not a pair; ties go to the smallest id
    ([("a", "b"), ("b", "c")], {}, {"b": "a", "c": "a"}),
    # a precise published time wins over more text
    ([("a", "b")], {"b": (True, 10, 0, 1, _AT)}, {"a": "b"}),
    # then more text, then more headlines, then the earlier run, then the earlier ingest
    ([("a", "b")], {"b": (False, 200, 0, 1, _AT)}, {"a": "b"}),
    ([("a", "b")], {"b": (False, 100, 2, 1, _AT)}, {"a": "b"}),
    ([("a", "b")], {"a": (False, 100, 0, None, _AT), "b": (False, 100, 0, 2, _AT)}, {"a": "b"}),
    ([("a", "b")], {"a": (False, 100, 0, 1, _AT + timedelta(microseconds=1))}, {"a": "b"}),
    ([("a", "b")], {"a": (False, None, 0, 1, _AT), "b": (False, 1, 0, 1, _AT)}, {"a": "b"}),
    # two stories stay apart
    ([("a", "b"), ("c", "d")], {"d": (True, 1, 0, 1, _AT)}, {"b": "a", "c": "d"}),
    ([], {}, {}),
])
def test_stories_from_pairs_follow_the_lakes_rule(pairs, richness, expected):
    ids = {node for pair in pairs for node in pair}
    assert duplicates_from_pairs(pairs, {node: richness.get(node, _PLAIN) for node in ids}) == expected


def test_the_spark_job_refuses_bad_input_before_starting(tmp_path, spark):
    from analysis.lake.spark import analyze_lake_spark

    source = _lake_without(tmp_path, "lsh_bands")
    with pytest.raises(LakeError, match=r"part-0\.parquet: items file without the column\(s\) lsh_bands;"):
        analyze_lake_spark(source, tmp_path / "out", spark=spark)
    assert not (tmp_path / "out").exists()

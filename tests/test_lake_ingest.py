"""Files read into a lake (`flankwatch ingest --lake`): the store's items, on this machine or on Spark."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from analysis.ingest.runner import ingest_paths
from analysis.lake.errors import LakeError
from analysis.lake.ingest import ingest_to_lake
from analysis.lake.sparkenv import spark_missing
from analysis.store import Store

COMPARED = ("id, kind, title, text, published_at, published_date, published_approximate, outlet, byline, "
            "dateline, section, tags, url, parent_id, source_path, simhash, lsh_bands")


def _lake_items(lake: Path) -> list[tuple]:
    with duckdb.connect() as con:
        return con.execute(f"""SELECT {COMPARED} FROM read_parquet('{lake}/items/**/*.parquet', hive_partitioning = true)
                               ORDER BY id""").fetchall()


def _inputs(tmp_path: Path, fixtures_dir: Path) -> Path:
    folder = tmp_path / "in"
    shutil.copytree(fixtures_dir, folder / "fixtures")
    (folder / "broken.json").write_text('{"title": "unterminated', encoding="utf-8")
    shutil.copy(fixtures_dir / "html" / "article.html", folder / "again.html")  # the same item twice
    return folder


def test_a_lake_holds_the_items_the_store_would_hold(tmp_path, fixtures_dir):
    folder = _inputs(tmp_path, fixtures_dir)
    summary = ingest_to_lake([folder], tmp_path / "lake", workers=1)
    assert "; 1 file failed" in summary
    with Store.open(tmp_path / "store.duckdb") as store:
        ingest_paths(store, [folder], workers=1)
        stored = store.connection.execute(f"SELECT {COMPARED} FROM items ORDER BY id").fetchall()
    assert _lake_items(tmp_path / "lake") == stored
    months = sorted(p.name for p in (tmp_path / "lake" / "items").iterdir())
    assert "month=2023-09" in months and all(m.startswith("month=") for m in months)
    with duckdb.connect() as con:
        failed = con.execute(f"""SELECT path, error FROM read_parquet('{tmp_path}/lake/ingest_files/*.parquet')
                                 WHERE status = 'failed'""").fetchall()
    assert [Path(p).name for p, _ in failed] == ["broken.json"] and failed[0][1]


def test_an_existing_folder_is_refused_and_a_failed_run_leaves_nothing(tmp_path, fixtures_dir, monkeypatch):
    out = tmp_path / "lake"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(LakeError, match="exists already"):
        ingest_to_lake([fixtures_dir], out, workers=1)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"

    from analysis.lake import ingest as lake_ingest

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(lake_ingest, "_write_lake", fail)
    with pytest.raises(OSError, match="disk full"):
        ingest_to_lake([fixtures_dir], tmp_path / "second", workers=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lake"]


def test_nothing_to_read_names_the_path(tmp_path):
    with pytest.raises(LakeError, match="no-such-folder: no such file or folder"):
        ingest_to_lake([tmp_path / "no-such-folder"], tmp_path / "lake")


def test_spark_reads_the_files_into_the_same_lake(tmp_path, fixtures_dir):
    missing = spark_missing()
    if missing:
        pytest.skip(f"Spark cannot run here: {missing}")
    folder = _inputs(tmp_path, fixtures_dir)
    ingest_to_lake([folder], tmp_path / "local", workers=1)
    ingest_to_lake([folder], tmp_path / "spark", engine="spark", master="local[2]")
    local, spark = _lake_items(tmp_path / "local"), _lake_items(tmp_path / "spark")
    assert len(local) == 18 and spark == local


def test_the_commands_write_lakes_and_refuse_to_overwrite(tmp_path, fixtures_dir, capsys):
    from analysis.cli import main

    assert main(["ingest", "--lake", str(tmp_path / "read"), str(fixtures_dir)]) == 0
    assert "into" in capsys.readouterr().out
    assert main(["ingest", "--lake", str(tmp_path / "read"), str(fixtures_dir)]) == 2
    assert "exists already; pass --overwrite" in capsys.readouterr().err
    db = str(tmp_path / "store.duckdb")
    assert main(["ingest", str(fixtures_dir), "--db", db, "-q"]) == 0
    assert main(["export", "--parquet", str(tmp_path / "exported"), "--db", db]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("exported 18 items")
    assert main(["export", "--parquet", str(tmp_path / "exported"), "--db", db]) == 2
    assert _lake_items(tmp_path / "exported") == _lake_items(tmp_path / "read")


def test_files_to_an_analysed_lake_the_dashboard_opens(tmp_path, fixtures_dir, capsys):
    """ingest --lake, analyze --engine local, then the dashboard's reader: the store's figures."""
    from analysis import queries
    from analysis.cli import main
    from analysis.lake.serve import connect_lake
    from analysis.pipeline import analyze_store

    read, analysed = tmp_path / "read", tmp_path / "analysed"
    assert main(["ingest", "--lake", str(read), str(fixtures_dir)]) == 0
    assert main(["analyze", "--engine", "local", "--input", str(read), "--output", str(analysed),
                 "--workers", "1"]) == 0
    assert "analysed 18 items" in capsys.readouterr().out
    assert main(["analyze", "--input", str(read), "--output", str(analysed)]) == 2
    assert "--engine" in capsys.readouterr().err
    with Store.open(tmp_path / "store.duckdb") as store:
        ingest_paths(store, [fixtures_dir], workers=1)
        analyze_store(store, workers=1)
        queries.build_rollups(store.connection)
        theirs = queries.summary(store.connection, queries.Filters(), rollups=True)
    with connect_lake(analysed) as con:
        assert queries.summary(con, queries.Filters(), rollups=True) == theirs


def test_the_spark_submit_line_of_docs_cluster_runs_the_job(tmp_path, fixtures_dir):
    """docs/cluster.md's spark-submit entry point, on local[2] (a cluster gives its own master)."""
    import os
    import subprocess
    import sys

    missing = spark_missing()
    if missing:
        pytest.skip(f"Spark cannot run here: {missing}")
    from analysis.lake import submit

    read = tmp_path / "read"
    ingest_to_lake([fixtures_dir], read, workers=1)
    submit_bin = Path(sys.executable).parent / "spark-submit"
    python = f"spark.pyspark.python={sys.executable}"
    done = subprocess.run(
        [str(submit_bin), "--master", "local[2]", "--conf", "spark.driver.host=127.0.0.1",
         "--conf", "spark.driver.bindAddress=127.0.0.1", "--conf", "spark.ui.enabled=false", "--conf", python,
         submit.__file__, "--input", str(read), "--output", str(tmp_path / "analysed")],
        capture_output=True, text=True, timeout=240, env={**os.environ, "PYSPARK_PYTHON": sys.executable},
        cwd=Path(submit.__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr[-2000:]
    assert "analysed 18 items" in done.stdout
    assert any((tmp_path / "analysed" / "item_themes").rglob("*.parquet"))

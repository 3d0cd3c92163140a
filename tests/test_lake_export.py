"""The lake export (analysis/lake/export.py) and its rollups (analysis/lake/rollups.py): every table
back row for row, hive month folders, refusals, and no half-written lake after a killed export."""

from __future__ import annotations

import json
import math
from pathlib import Path

import duckdb
import pytest

from analysis import queries
from analysis.lake import CARDS, LAKE_FORMAT, MANIFEST, ROLLUPS, TABLES, UNKNOWN_MONTH
from analysis.lake import export as lake_export
from analysis.lake.errors import LakeError
from analysis.lake.export import export_command, export_lake, read_manifest
from analysis.lake.rollups import open_lake, store_columns, write_rollups
from analysis.store import Store

# Our own words: short wire reports on defence budgets, deployments and border crossings.
SENTENCES = (
    "The defence ministry said spending will reach 3.5% of GDP in 2026, up from 2.9% this year.",
    "A battalion of about 800 troops will deploy to the eastern border region next spring.",
    "Border guards recorded 240 attempts to cross the frontier illegally during the week.",
    "Parliament approved an extra 120 million euros for air defence systems on Thursday.",
    "The minister told reporters the brigade would be fully deployed by the end of 2027.",
    "Officials expect the new radar stations to cover the whole coastline within two years.",
)


def _records(folder: Path) -> Path:
    path = folder / "wire.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for n in range(36):
            record = {
                "title": f"Wire report {n} on regional security",
                "url": f"https://wire.example.org/reports/{n}",
                "outlet": "Example Wire" if n % 3 else "Harbour Post (demo)",
                "text": " ".join(SENTENCES[(n + k) % len(SENTENCES)] for k in range(3)) + f" Report {n}.",
            }
            if n % 9:  # every ninth report has no date: month=unknown
                record["published"] = f"2024-{1 + n % 5:02d}-{1 + n % 27:02d}T08:{n:02d}:00Z"
            handle.write(json.dumps(record) + "\n")
    return path


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    from analysis.ingest.runner import ingest_paths
    from analysis.pipeline import analyze_store

    folder = tmp_path_factory.mktemp("lake-store")
    path = folder / "store.duckdb"
    with Store.open(path) as store:
        report = ingest_paths(store, [_records(folder)], workers=1)
        assert not report.failures
        analyze_store(store, workers=1)
    return path


@pytest.fixture(scope="module")
def lake(store_path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("lakes") / "lake"
    with Store.open(store_path, read_only=True) as store:
        summary = export_lake(store, out)
    assert summary.startswith("exported 36 items (6 months)") and summary.endswith(f"to {out}")
    return out


def _rows(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    columns = ", ".join(f'"{name}"' for name, _ in store_columns(table))
    rows = con.execute(f"SELECT {columns} FROM {table}").fetchall()
    return sorted(rows, key=lambda row: json.dumps(row, default=str))


def _floats_equal(a: list[tuple], b: list[tuple]) -> bool:
    def same(x, y) -> bool:
        if isinstance(x, float) and isinstance(y, float):
            return math.isclose(x, y, rel_tol=1e-12) or (math.isnan(x) and math.isnan(y))
        return x == y

    return len(a) == len(b) and all(len(r) == len(s) and all(map(same, r, s)) for r, s in zip(a, b))


@pytest.mark.parametrize("table", TABLES)
def test_every_table_reads_back_row_for_row(store_path, lake, table):
    with Store.open(store_path, read_only=True) as store:
        expected = _rows(store.connection, table)
    with open_lake(lake) as con:
        got = _rows(con, table)
    assert expected, f"the test store has no {table} rows: the comparison would prove nothing"
    assert got == expected


def test_the_lake_read_with_plain_duckdb_has_the_store_columns_and_the_month(store_path, lake):
    with duckdb.connect() as con:
        items = con.execute(
            f"SELECT * FROM read_parquet('{lake}/items/**/*.parquet', hive_partitioning = true)").df()
    assert list(items.columns) == [name for name, _ in store_columns("items")] + ["month"]
    with Store.open(store_path, read_only=True) as store:
        expected = store.query_df(
            f"SELECT id, coalesce(strftime(published_date, '%Y-%m'), '{UNKNOWN_MONTH}') AS month FROM items")
    assert dict(zip(items["id"], items["month"])) == dict(zip(expected["id"], expected["month"]))


def test_partition_folders_are_the_items_months(lake):
    months = {"2024-01", "2024-02", "2024-03", "2024-04", "2024-05", UNKNOWN_MONTH}
    assert {p.name for p in (lake / "items").iterdir()} == {f"month={m}" for m in months}
    for table in ("item_themes", "claims", "analysed", "item_topics"):
        found = {p.name for p in (lake / table).iterdir()}
        assert found <= {f"month={m}" for m in months} and found, table
    assert [p.name for p in (lake / "topics").iterdir()] == ["data_0.parquet"]
    assert {p.name for p in (lake / "rollups").iterdir()} == {*ROLLUPS, CARDS}
    assert not [p for p in lake.parent.iterdir() if p.name.startswith(".")], "a staging folder was left"


def test_the_other_tables_carry_their_items_month(lake):
    with duckdb.connect() as con:
        wrong = con.execute(f"""
            SELECT count(*) FROM read_parquet('{lake}/claims/**/*.parquet', hive_partitioning = true) c
            JOIN read_parquet('{lake}/items/**/*.parquet', hive_partitioning = true) i ON i.id = c.item_id
            WHERE i.month <> c.month""").fetchone()[0]
    assert wrong == 0


def test_the_manifest(store_path, lake):
    manifest = read_manifest(lake)
    assert manifest["format"] == LAKE_FORMAT
    with Store.open(store_path, read_only=True) as store:
        for table in TABLES:
            (count,) = store.connection.execute(f"SELECT count(*) FROM {table}").fetchone()
            assert manifest["tables"][table] == count, table
        (version,) = store.connection.execute("SELECT any_value(model_version) FROM analysed").fetchone()
    assert manifest["model_version"] is None  # no analyst-accepted model: the shipped one
    assert manifest["analysed_model_versions"] == [version]
    assert manifest["written_at"].endswith("+00:00")
    assert set(manifest["rollups"]) == {*ROLLUPS, CARDS}


def _rollup_rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return sorted(con.execute(sql).fetchall(), key=lambda row: json.dumps(row, default=str))


@pytest.mark.parametrize("name", ROLLUPS)
def test_rollups_from_the_lake_equal_build_rollups_on_the_store(store_path, lake, name):
    with Store.open(store_path, read_only=True) as store:
        con = store.connection
        assert queries.build_rollups(con)
        expected = _rollup_rows(con, f"SELECT * FROM {queries.ROLLUP_DB}.{name}")
        columns = [c[0] for c in con.execute(f"DESCRIBE {queries.ROLLUP_DB}.{name}").fetchall()]
    with duckdb.connect() as con:
        got = _rollup_rows(con, f"SELECT * FROM read_parquet('{lake}/rollups/{name}/*.parquet')")
        got_columns = [c[0] for c in con.execute(
            f"DESCRIBE SELECT * FROM read_parquet('{lake}/rollups/{name}/*.parquet')").fetchall()]
    assert expected, f"the test store makes no {name} rows"
    assert got_columns == columns
    assert _floats_equal(got, expected)


def test_write_rollups_on_a_lake_replaces_its_rollups(lake, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(lake, copy)
    (copy / "rollups" / "facts" / "stale.parquet").write_bytes(b"not parquet")
    counts = write_rollups(copy)
    assert counts == read_manifest(lake)["rollups"]
    assert [p.name for p in (copy / "rollups" / "facts").iterdir()] == ["data_0.parquet"]


def test_an_absent_table_is_an_empty_view_with_the_store_columns(lake, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(lake, copy)
    shutil.rmtree(copy / "claims")
    with open_lake(copy) as con:
        assert con.execute("SELECT count(*) FROM claims").fetchone()[0] == 0
        described = [(c[0], c[1]) for c in con.execute("DESCRIBE claims").fetchall()]
    assert described == list(store_columns("claims"))
    assert ("details", "JSON") in described


def test_an_existing_lake_is_replaced_only_with_overwrite(store_path, tmp_path):
    out = tmp_path / "lake"
    with Store.open(store_path, read_only=True) as store:
        export_lake(store, out)
        written = read_manifest(out)["written_at"]
        with pytest.raises(LakeError, match=f"{out}: a lake is there already; pass --overwrite"):
            export_lake(store, out)
        export_lake(store, out, overwrite=True)
    assert read_manifest(out)["written_at"] >= written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lake"]


@pytest.mark.parametrize("overwrite", [False, True])
def test_a_folder_that_is_not_a_lake_is_refused_whatever_overwrite_says(store_path, tmp_path, overwrite):
    out = tmp_path / "documents"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    with Store.open(store_path, read_only=True) as store:
        with pytest.raises(LakeError, match=f"{out}: the folder holds other files and is not a lake"):
            export_lake(store, out, overwrite=overwrite)
        a_file = tmp_path / "a-file"
        a_file.write_text("x", encoding="utf-8")
        with pytest.raises(LakeError, match=f"{a_file}: exists and is not a folder"):
            export_lake(store, a_file, overwrite=overwrite)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "documents"]


def test_an_empty_folder_takes_a_lake(store_path, tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    with Store.open(store_path, read_only=True) as store:
        export_lake(store, out)
    assert (out / MANIFEST).is_file()


@pytest.mark.parametrize("stage", ["tables", "rollups", "move"])
def test_a_killed_export_leaves_no_half_lake_and_the_previous_lake_intact(store_path, tmp_path, monkeypatch, stage):
    out = tmp_path / "lake"
    with Store.open(store_path, read_only=True) as store:
        export_lake(store, out)
        before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

        def killed(*args, **kwargs):
            raise KeyboardInterrupt

        if stage == "tables":  # after the first tables are written
            real = lake_export._select
            calls = iter(range(100))
            monkeypatch.setattr(lake_export, "_select", lambda *a: killed() if next(calls) == 3 else real(*a))
        elif stage == "rollups":
            monkeypatch.setattr(lake_export, "write_rollups", killed)
        else:  # the new lake renamed into place fails after the old one was moved aside
            real_rename = Path.rename

            def rename(self, target):
                if ".partial" in self.name and Path(target) == out:
                    killed()
                return real_rename(self, target)

            monkeypatch.setattr(Path, "rename", rename)
        with pytest.raises(KeyboardInterrupt):
            export_lake(store, out, overwrite=True)
        monkeypatch.undo()
        with pytest.raises(KeyboardInterrupt):
            monkeypatch.setattr(lake_export, "write_rollups", killed)
            export_lake(store, tmp_path / "new-lake")
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lake"]


def test_export_command_prints_the_summary_and_exits_2_on_a_refusal(store_path, tmp_path, capsys):
    out = tmp_path / "lake"
    assert export_command(store_path, out, False) == 0
    assert capsys.readouterr().out.startswith("exported 36 items")
    assert export_command(store_path, out, False) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {out}: a lake is there already") and err.count("\n") == 1
    assert export_command(tmp_path / "missing.duckdb", tmp_path / "other", False) == 2
    assert "no store here yet" in capsys.readouterr().err
    assert not (tmp_path / "missing.duckdb").exists()

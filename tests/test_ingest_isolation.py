"""One bad file never costs another file its items: whatever a reader raises, the run records
that file as failed with its reason and goes on (issue 7)."""

from __future__ import annotations

import shutil

import pytest

from analysis.cli import main
from analysis.ingest import readers
from analysis.ingest import runner
from analysis.ingest.runner import ingest_paths
from analysis.store import Store

import ingest_faults

EXPECTED = "unexpected error in the json reader: KeyError: 'a bug in the reader'"


@pytest.fixture
def folder(tmp_path, fixtures_dir):
    """Every fixture format plus one JSON file the broken reader fails on."""
    target = tmp_path / "in"
    shutil.copytree(fixtures_dir, target)
    shutil.copy(fixtures_dir / "exports" / "articles.json", target / "bad.json")
    (target / "bad.json").write_text((target / "bad.json").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    return target


def _good_items(fixtures_dir, tmp_path) -> int:
    with Store.open(tmp_path / "reference.duckdb") as store:
        ingest_paths(store, [fixtures_dir], workers=1)
        return store.count_items()


def test_a_reader_that_raises_fails_its_file_only(folder, fixtures_dir, tmp_path, monkeypatch, capsys):
    expected_items = _good_items(fixtures_dir, tmp_path)
    monkeypatch.setattr(readers, "READERS", ingest_faults.readers_with_a_failing_json_reader())
    db = tmp_path / "store.duckdb"
    assert main(["ingest", str(folder), "--db", str(db), "-q"]) == 1
    err = capsys.readouterr().err
    assert f"failed: {folder / 'bad.json'}: {EXPECTED}" in err
    with Store.open(db) as store:
        assert store.count_items() == expected_items
        files = store.files_frame().set_index("path")
    assert files.loc[str(folder / "bad.json"), "status"] == "failed"
    assert files.loc[str(folder / "bad.json"), "error"] == EXPECTED


def test_a_reader_that_raises_in_a_worker_process_fails_its_file_only(folder, fixtures_dir, tmp_path, monkeypatch):
    expected_items = _good_items(fixtures_dir, tmp_path)
    monkeypatch.setattr(runner, "_parse_in_worker", ingest_faults.parse_in_worker_with_a_failing_reader)
    with Store.open(tmp_path / "store.duckdb") as store:
        report = ingest_paths(store, [folder], workers=2)
        assert store.count_items() == expected_items
    assert [(o.path, o.error) for o in report.failures] == [(str(folder / "bad.json"), EXPECTED)]


def test_an_error_outside_the_readers_fails_the_file_too(tmp_path, fixtures_dir, monkeypatch):
    def broken_decode(data, *, name):
        raise MemoryError() if name.endswith(".rss") else LookupError("no codec")

    monkeypatch.setattr("analysis.ingest.decode_bytes", broken_decode)
    with Store.open(tmp_path / "store.duckdb") as store:
        report = ingest_paths(store, [fixtures_dir / "feeds"], workers=1)
    assert {o.error for o in report.failures} == {"unexpected error while reading: MemoryError",
                                                  "unexpected error while reading: LookupError: no codec"}

"""Ingest runs into a real DuckDB store: idempotency, near-duplicates, failures, interruption."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.ingest.runner import expand_paths, ingest_paths, ingest_uploads, safe_name
from analysis.store import Store

STORY = (
    "Lithuania's parliament voted on Thursday to extend the state of emergency along the border with "
    "Belarus for another three months, citing continued attempts by groups of migrants to cross into "
    "the country through the forests. Border guards said they had turned back more than two hundred "
    "people over the past week, most of them at night and in small groups. The interior minister told "
    "lawmakers that the physical barrier would be completed before winter and that patrols would be "
    "reinforced with officers from other regions."
)


def _jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "store.duckdb") as opened:
        yield opened


def test_ingest_every_fixture_format(store, fixtures_dir):
    report = ingest_paths(store, [fixtures_dir])
    assert report.failures == []
    assert {o.reader for o in report.outcomes} == {"text_page", "html", "json", "jsonl", "csv", "feed", "warc"}
    counts = store.query_df("SELECT kind, count(*) AS n FROM items GROUP BY kind ORDER BY kind")
    assert counts.to_dict("records") == [{"kind": "article", "n": 15}, {"kind": "headline", "n": 3}]
    row = store.connection.execute(
        "SELECT published_at, published_date FROM items WHERE title LIKE 'Allied leaders%'").fetchone()
    assert str(row[1]) == "2023-07-11"
    assert row[0].astimezone(timezone.utc) == datetime(2023, 7, 11, 15, 5, tzinfo=timezone.utc)  # 18:05 Vilnius


def test_reingesting_the_same_files_adds_nothing(store, fixtures_dir, tmp_path):
    first = ingest_paths(store, [fixtures_dir])
    second = ingest_paths(store, [fixtures_dir])
    assert first.totals["new"] == 18
    assert second.totals["new"] == 0 and second.totals["unchanged_files"] == len(second.outcomes)
    copy = tmp_path / "copy.json"
    copy.write_bytes((fixtures_dir / "exports" / "articles.json").read_bytes() + b"\n")
    third = ingest_paths(store, [copy])
    assert (third.totals["new"], third.totals["duplicate"]) == (0, 2)
    assert store.count_items() == 18


def test_near_duplicates_are_linked_not_counted_twice(store, tmp_path):
    edited = STORY.replace("on Thursday", "on Thursday evening").replace("more than two hundred", "over 200")
    path = _jsonl(tmp_path / "wire.jsonl", [
        {"title": "Lithuania extends border emergency", "text": STORY, "url": "https://a.example.org/1", "date": "2021-11-10"},
        {"title": "UPDATE: Lithuania extends emergency at Belarus border", "text": edited,
         "url": "https://b.example.org/2", "date": "2021-11-11"},
        {"title": "Unrelated", "text": STORY.replace("Lithuania", "Latvia").split(". ")[0][::-1] + " " + " ".join(
            f"word{i}" for i in range(60)), "url": "https://c.example.org/3", "date": "2021-11-11"},
    ])
    report = ingest_paths(store, [path])
    assert report.totals["new"] == 3 and report.totals["near_duplicate"] == 1
    rows = [dict(zip(("url", "duplicate_of", "id"), r)) for r in
            store.connection.execute("SELECT url, duplicate_of, id FROM items ORDER BY url").fetchall()]
    assert rows[0]["duplicate_of"] is None
    assert rows[1]["duplicate_of"] == rows[0]["id"]
    assert rows[2]["duplicate_of"] is None
    # A later run finds the duplicate among stored items too; a shorter copy links to the story,
    # a longer one takes it over (the story's copies point at it) and the count stays.
    shorter = _jsonl(tmp_path / "shorter.jsonl", [{"title": "Brief", "text": edited, "url": "https://e.example.org/5"}])
    ingest_paths(store, [shorter])
    assert store.query_df("SELECT duplicate_of FROM items WHERE url LIKE '%e.example%'").iloc[0, 0] == rows[0]["id"]
    later = _jsonl(tmp_path / "later.jsonl", [{"title": "Again", "text": STORY + " Updated.", "url": "https://d.example.org/4"}])
    ingest_paths(store, [later])
    links = dict(store.connection.execute("SELECT url, duplicate_of FROM items").fetchall())
    (later_id,) = store.connection.execute("SELECT id FROM items WHERE url LIKE '%d.example%'").fetchone()
    assert links == {"https://a.example.org/1": later_id, "https://b.example.org/2": later_id,
                     "https://c.example.org/3": None, "https://d.example.org/4": None, "https://e.example.org/5": later_id}
    assert store.query_df("SELECT count(*) FROM items WHERE duplicate_of IS NULL").iloc[0, 0] == 2


def test_a_failing_file_is_reported_and_the_others_land(store, fixtures_dir, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "ok", "text": "A first good line."}\n{"title": broken\n', encoding="utf-8")
    report = ingest_paths(store, [fixtures_dir / "exports" / "articles.json", bad, tmp_path / "missing.csv"])
    assert [(o.path, o.status) for o in report.failures] == [(str(tmp_path / "missing.csv"), "failed"),
                                                              (str(bad), "failed")]
    assert report.failures[1].error == "line 2: broken JSON (Expecting value at column 11)"
    assert store.count_items() == 2  # the good line of the broken file is not kept: all or nothing
    files = store.files_frame()
    assert files.set_index("path").loc[str(bad), "status"] == "failed"
    assert files.set_index("path").loc[str(bad), "error"].startswith("line 2: broken JSON")


def test_nothing_stored_is_lost_when_later_files_fail(store, fixtures_dir, tmp_path):
    ingest_paths(store, [fixtures_dir])
    before = store.items_frame()
    junk = tmp_path / "junk.txt"
    junk.write_bytes(b"\x00\x01binary")
    report = ingest_paths(store, [junk])
    assert len(report.failures) == 1
    assert store.items_frame().equals(before)


def test_cli_summary_and_exit_status(tmp_path, fixtures_dir, capsys):
    db = tmp_path / "cli.duckdb"
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    status = main(["ingest", str(fixtures_dir / "feeds"), str(empty), "--db", str(db), "-q"])
    out, err = capsys.readouterr()
    assert status == 1
    assert f"failed: {empty}: the file is empty" in err
    assert out.strip() == ("run 1: 3 files, 3 items read, 3 new (0 linked as near-duplicates), 0 duplicate, "
                           "0 files unchanged since an earlier run, 0 copies of a file read earlier in this run, "
                           "1 failed")
    assert main(["ingest", str(fixtures_dir / "feeds"), "--db", str(db), "-q"]) == 0


def test_db_from_environment(tmp_path, fixtures_dir, monkeypatch):
    db = tmp_path / "env.duckdb"
    monkeypatch.setenv("FLANKWATCH_DB", str(db))
    assert main(["ingest", str(fixtures_dir / "feeds"), "-q"]) == 0
    with Store.open(db, read_only=True) as store:
        assert store.count_items() == 3


def test_globs_and_folders(fixtures_dir):
    files, missing = expand_paths([str(fixtures_dir / "exports" / "*.json*"), fixtures_dir / "feeds", "nope/*.txt"])
    assert [f.name for f in files] == ["articles.json", "articles.jsonl", "news.atom", "news.rss"]
    assert [(m.path, m.error) for m in missing] == [("nope/*.txt", "no files match this pattern")]


def test_uploads_use_names_only_for_display(store, fixtures_dir):
    data = (fixtures_dir / "feeds" / "news.rss").read_bytes()
    report = ingest_uploads(store, [("../../etc/feed<script>.rss", data)])
    assert report.outcomes[0].path == "upload:feed_script_.rss"
    assert set(store.query_df("SELECT source_path FROM items")["source_path"]) == {"upload:feed_script_.rss"}
    assert safe_name("..\\..\\x.csv") == "x.csv" and safe_name("...") == "upload"


def test_a_killed_ingest_leaves_whole_files_only(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    for n in range(3000):
        (pages / f"p{n:05d}.txt").write_text(
            f"Story number {n}\n\n  • 2022-03-{n % 28 + 1:02d}\n  • Desk\n\nRIGA - Paragraph one of story {n}.\n\n"
            f"Paragraph two of story {n} with more words in it.\n", encoding="utf-8")
    db = tmp_path / "killed.duckdb"
    code = ("import sys; from analysis.store import Store; from analysis.ingest.runner import ingest_paths\n"
            "with Store.open(sys.argv[1]) as s: ingest_paths(s, [sys.argv[2]], batch_files=50)")
    child = subprocess.Popen([sys.executable, "-c", code, str(db), str(pages)], cwd=Path(__file__).parents[1])
    wal = Path(str(db) + ".wal")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and child.poll() is None:
        if wal.exists() and wal.stat().st_size > 50_000:  # several batches committed
            break
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL, "the ingest finished before it could be killed"

    with Store.open(db) as store:
        stored = store.query_df("SELECT count(*) FROM items").iloc[0, 0]
        files = store.query_df("SELECT path, items_new FROM ingest_files WHERE status = 'ok'")
        per_file = store.query_df("SELECT source_path AS path, count(*) AS n FROM items GROUP BY 1")
        assert 0 < stored < 3000
        assert stored == files["items_new"].sum() == len(files)
        assert set(per_file["path"]) == set(files["path"])
        assert store.runs_frame()["status"].tolist() == ["running"]
        report = ingest_paths(store, [pages])
        assert report.failures == []
        assert store.count_items() == 3000
        assert report.totals["unchanged_files"] == len(files)
        assert store.runs_frame()["status"].tolist() == ["interrupted", "finished"]

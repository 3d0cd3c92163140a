"""The bundled demo corpus: what `make run` shows first must exercise every reader and be our own words."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from analysis.ingest import READERS
from analysis.ingest.runner import ingest_paths
from analysis.paths import DEMO_DIR
from analysis.store import Store


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    with Store.open(tmp_path_factory.mktemp("demo-ingest") / "demo.duckdb") as store:
        report = ingest_paths(store, [DEMO_DIR])
        yield store, report


def test_every_demo_file_reads_and_every_reader_is_used(demo_store):
    store, report = demo_store
    assert [(o.path, o.error) for o in report.failures] == []
    assert {o.reader for o in report.outcomes} == {reader.name for reader in READERS}


def test_demo_corpus_size_dates_and_outlets(demo_store):
    store, _ = demo_store
    con = store.connection
    distinct = con.execute("SELECT count(*) FROM items WHERE kind = 'article' AND duplicate_of IS NULL").fetchone()[0]
    assert distinct >= 150
    first, last = con.execute("SELECT min(published_date), max(published_date) FROM items").fetchone()
    assert first.year >= 2014 and last.year <= 2025
    outlets = {row[0] for row in con.execute("SELECT DISTINCT outlet FROM items WHERE outlet IS NOT NULL").fetchall()}
    assert outlets and all("(demo)" in o or o.endswith((".example.org", ".example.com")) for o in outlets)
    urls = [row[0] for row in con.execute("SELECT url FROM items WHERE url IS NOT NULL").fetchall()]
    assert all(re.match(r"https://[a-z]+\.example\.(org|com)/", u) for u in urls)


def test_demo_near_duplicates_are_linked(demo_store):
    store, _ = demo_store
    pairs = store.connection.execute(
        "SELECT d.title, i.title FROM items d JOIN items i ON d.duplicate_of = i.id ORDER BY 1").fetchall()
    assert len(pairs) == 4
    assert any("Ryanair" in a and "Ryanair" in b for a, b in pairs)


def test_demo_corpus_copies_no_sentence_from_the_real_articles(shared_dir):
    texts = [p.read_text(errors="ignore") for p in (shared_dir / "seeds").glob("*.txt")]
    for line in (shared_dir / "corpus" / "dev.jsonl").read_text(encoding="utf-8").splitlines():
        texts.append(json.loads(line).get("text", ""))
    probes = {" ".join(s.split())[:55] for t in texts for s in re.split(r"(?<=[.!?])\s+|\n", t)
              if len(" ".join(s.split())) >= 60}
    demo = " ".join(" ".join(p.read_text(errors="ignore").split()) for p in Path(DEMO_DIR).rglob("*") if p.is_file())
    assert [p for p in probes if p in demo] == []

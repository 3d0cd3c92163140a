"""The bundled demo corpus: what `make run` shows first must exercise every reader, be our own words, and tell a story.

The hand-written files (2014-2025) sit beside data/demo/generated/, which data/demo/generate.py
writes from a timeline of 2023-2025; the story tests read the store `flankwatch demo` builds
(``demo_db``), so they check what the dashboard shows, not what the generator meant.
"""

from __future__ import annotations

import filecmp
import json
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analysis import queries, revisions
from analysis.ingest import READERS
from analysis.ingest.runner import ingest_paths
from analysis.paths import DEMO_DIR
from analysis.queries import Filters
from analysis.store import Store

ALL = Filters(None, None, (), (), (), True)
DISTINCT_ARTICLES = "kind = 'article' AND duplicate_of IS NULL"


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    with Store.open(tmp_path_factory.mktemp("demo-ingest") / "demo.duckdb") as store:
        report = ingest_paths(store, [DEMO_DIR], workers=1)  # no spawned workers: they re-import __main__
        yield store, report


@pytest.fixture(scope="module")
def demo(demo_db):
    """The analysed demo store, read-only (as `make run` builds it)."""
    with duckdb.connect(str(demo_db), read_only=True) as con:
        yield con


def test_every_demo_file_reads_and_every_reader_is_used(demo_store):
    store, report = demo_store
    assert [(o.path, o.error) for o in report.failures] == []
    assert {o.reader for o in report.outcomes} == {reader.name for reader in READERS}


def test_demo_corpus_size_dates_and_outlets(demo_store):
    store, _ = demo_store
    con = store.connection
    distinct = con.execute(f"SELECT count(*) FROM items WHERE {DISTINCT_ARTICLES}").fetchone()[0]
    assert 1000 <= distinct <= 1600
    first, last = con.execute("SELECT min(published_date), max(published_date) FROM items").fetchone()
    assert first.year >= 2014 and last.year <= 2025
    outlets = {row[0] for row in con.execute("SELECT DISTINCT outlet FROM items WHERE outlet IS NOT NULL").fetchall()}
    assert outlets and all("(demo)" in o or o.endswith((".example.org", ".example.com")) for o in outlets)
    followed = {"LRT English (demo)", "BNS (demo)", "The Baltic Times (demo)", "ERR News (demo)", "LSM (demo)",
                "Delfi (demo)", "Baltic Demo Wire (demo)"}
    assert followed <= outlets
    urls = [row[0] for row in con.execute("SELECT url FROM items WHERE url IS NOT NULL").fetchall()]
    assert all(re.match(r"https://[a-z]+\.example\.(org|com)/", u) for u in urls)


def test_every_format_carries_generated_articles_too(demo_store):
    store, _ = demo_store
    formats = dict(store.connection.execute(
        "SELECT regexp_extract(source_path, '\\.([a-z]+)$', 1), count(*) FROM items "
        "WHERE source_path LIKE '%generated%' GROUP BY 1").fetchall())
    assert set(formats) == {"html", "txt", "json", "jsonl", "csv", "rss", "atom"}
    assert min(formats.values()) >= 30


def test_demo_near_duplicates_are_linked_and_a_minority(demo_store):
    store, _ = demo_store
    pairs = store.connection.execute(
        "SELECT d.title, i.title FROM items d JOIN items i ON d.duplicate_of = i.id ORDER BY 1").fetchall()
    for a, b in (("Ryanair", "Ryanair"), ("Estlink 2", "Estlink 2"), ("5-6 percent", "5-6 percent"),
                 ("Vilnius airport", "Balloons")):  # the hand-written pairs
        assert any(a in x and b in y or b in x and a in y for x, y in pairs), (a, b)
    articles = store.connection.execute("SELECT count(*) FROM items WHERE kind = 'article'").fetchone()[0]
    assert 20 <= len(pairs) <= 0.08 * articles  # wire copies exist, template look-alikes stay rare


def test_demo_corpus_copies_no_sentence_from_the_real_articles(shared_dir):
    texts = [p.read_text(errors="ignore") for p in (shared_dir / "seeds").glob("*.txt")]
    for line in (shared_dir / "corpus" / "dev.jsonl").read_text(encoding="utf-8").splitlines():
        texts.append(json.loads(line).get("text", ""))
    probes = {" ".join(s.split())[:55] for t in texts for s in re.split(r"(?<=[.!?])\s+|\n", t)
              if len(" ".join(s.split())) >= 60}
    demo = " ".join(" ".join(p.read_text(errors="ignore").split()) for p in Path(DEMO_DIR).rglob("*") if p.is_file())
    assert [p for p in probes if p in demo] == []


def test_the_generated_files_are_what_the_generator_writes(tmp_path):
    """data/demo/generated is committed; regenerating it (fixed seed, no clock) gives the same bytes."""
    run = subprocess.run([sys.executable, str(Path(DEMO_DIR) / "generate.py"), "--out", str(tmp_path / "generated")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    committed = Path(DEMO_DIR) / "generated"
    written = sorted(p.relative_to(tmp_path / "generated") for p in (tmp_path / "generated").rglob("*") if p.is_file())
    assert written == sorted(p.relative_to(committed) for p in committed.rglob("*") if p.is_file())
    _, mismatch, errors = filecmp.cmpfiles(committed, tmp_path / "generated", [str(p) for p in written], shallow=False)
    assert (mismatch, errors) == ([], []), "run: .venv/bin/python data/demo/generate.py"


# -- the story the dashboard tells ----------------------------------------------------------------


def test_every_quarter_of_2023_2025_is_dense(demo):
    per_quarter = dict(demo.execute(
        f"SELECT strftime(published_date, '%Y') || 'Q' || quarter(published_date), count(*) FROM items "
        f"WHERE {DISTINCT_ARTICLES} AND published_date >= '2023-01-01' GROUP BY 1").fetchall())
    assert len(per_quarter) == 12
    assert min(per_quarter.values()) >= 45, per_quarter


def _monthly(demo, theme: str) -> pd.Series:
    return demo.execute(
        f"SELECT strftime(i.published_date, '%Y-%m') AS month, count(*) AS n FROM items i "
        f"JOIN item_themes t ON t.item_id = i.id AND t.assigned AND t.theme = ? "
        f"WHERE i.{DISTINCT_ARTICLES.replace('AND ', 'AND i.')} AND i.published_date >= '2023-01-01' GROUP BY 1",
        [theme]).df().set_index("month")["n"]


@pytest.mark.parametrize(("theme", "months"), [
    ("air_defence", ["2025-09"]),                 # drones over Poland, MiG-31s over Estonia, Eastern Sentry
    ("migration", ["2023-08", "2024-06"]),         # Latvia's emergency; the soldier killed at the Polish fence
    ("energy_security", ["2025-01", "2025-02"]),   # cables cut, Baltic Sentry, the grid leaves BRELL
    ("deterrence", ["2023-07", "2024-06", "2025-06"]),  # Vilnius summit, Steadfast Defender, The Hague
])
def test_theme_lines_rise_at_their_events(demo, theme, months):
    monthly = _monthly(demo, theme)
    assert len(monthly) >= 30, f"{theme}: a line, not a scatter"
    assert max(monthly.get(m, 0) for m in months) >= 1.6 * monthly.median(), monthly.to_dict()


def test_spending_targets_are_revised_by_named_speakers(demo):
    claims = queries.claims(demo.cursor(), ALL, claim_type="spending")
    changes = revisions.changes(revisions.target_revisions(claims))
    for actor in ("Lithuania", "Latvia", "Estonia", "Poland", "NATO"):
        assert len(changes[changes["actor"] == actor]) >= 3, actor
    recent = changes[pd.to_datetime(changes["date"]) >= "2023-01-01"]
    assert len(recent) >= 12
    assert recent["speaker"].notna().mean() >= 0.75 and recent["source"].notna().mean() >= 0.9
    latvia = recent[recent["actor"] == "Latvia"]["summary"].tolist()
    assert "raised from 2.2 % by 2023 to 3 % by 2027" in latvia and "raised from 4 % by 2026 to 5 % by 2026" in latvia
    actuals = claims[(claims["kind"] == "actual") & claims["year"].between(2023, 2026) & (claims["unit"] == "pct_gdp")]
    for actor in ("Lithuania", "Latvia", "Estonia", "Poland"):  # a level for every year
        assert set(actuals[actuals["actor"] == actor]["year"]) >= {2023, 2024, 2025, 2026}, actor


def test_deployments_read_as_series_with_their_units(demo):
    rows = demo.execute(
        "SELECT c.actor, count(DISTINCT i.published_date), list(DISTINCT json_extract_string(c.details, '$.counted')) "
        "FROM claims c JOIN items i ON i.id = c.item_id WHERE c.type = 'deployment' AND c.value IS NOT NULL "
        "GROUP BY 1").fetchall()
    series = {actor: (days, counted) for actor, days, counted in rows}
    assert sum(days >= 6 for days, _ in series.values()) >= 4, series
    counted = {word for _, words in series.values() for word in words if word}
    assert {"soldiers", "jets", "tanks", "helicopters"} <= {w.split()[-1] for w in counted}


def test_migration_figures_read_as_monthly_series_per_place(demo):
    rows = demo.execute(
        "SELECT json_extract_string(c.details, '$.place'), count(DISTINCT strftime(i.published_date, '%Y-%m')) "
        "FROM claims c JOIN items i ON i.id = c.item_id WHERE c.type = 'migration' AND c.value IS NOT NULL "
        "AND i.published_date >= '2023-01-01' GROUP BY 1").fetchall()
    months = dict(rows)
    for place in ("Belarus-Poland border", "Belarus-Latvia border", "Belarus-Lithuania border"):
        assert months.get(place, 0) >= 6, months


def test_topics_are_a_readable_dozen(demo):
    topics = demo.execute("SELECT label, size FROM topics").fetchall()
    assert len(topics) >= 12
    assert sum(size >= 30 for _, size in topics) >= 12

"""Which copy of a story stands for it (issue 9): the richest, however and in whatever order the
copies arrive. A precise published time beats a date only, then more text, then related headlines;
a later, richer copy takes over in the same transaction as its insert, and the counts do not
depend on how the corpus is split into runs."""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest

from analysis import queries
from analysis.freshness import refresh_since
from analysis.ingest.dedup import richness
from analysis.ingest.runner import ingest_paths
from analysis.queries import Filters
from analysis.store import Store

STORY = (
    "Lithuania's parliament voted on Thursday to extend the state of emergency along the border with "
    "Belarus for another three months, citing continued attempts by groups of migrants to cross into "
    "the country through the forests. Border guards said they had turned back more than two hundred "
    "people over the past week, most of them at night and in small groups. The interior minister told "
    "lawmakers that the physical barrier would be completed before winter and that patrols would be "
    "reinforced with officers from other regions."
)
MORE = " Opposition members asked for the costs of the barrier to be published."


def _copies(folder: Path) -> dict[str, Path]:
    """Three copies of one story: a feed entry with its day only, an export with the time, and the
    saved page with the time, a longer text and a related headline (the richest)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "feed": ({"title": "Emergency extended", "text": STORY, "date": "2021-06-14",
                  "url": "https://wire.example/emergency"}, "jsonl"),
        "export": ({"title": "Emergency extended at the border", "text": STORY,
                    "date": "2021-06-14T16:26:00+03:00", "url": "https://news.example/emergency"}, "jsonl"),
    }
    paths = {}
    for name, (record, suffix) in files.items():
        paths[name] = folder / f"{name}.{suffix}"
        paths[name].write_text(json.dumps(record) + "\n", encoding="utf-8")
    paths["page"] = folder / "page.txt"
    paths["page"].write_text("Lietuvoje\n2021.06.14 16:26\nSeimas extends the emergency\n\n" + STORY + MORE
                             + "\n\n# Tag\n\nPastebėjote klaidą?\n\n2 h ago\n\nA related headline\n", encoding="utf-8")
    return paths


def _stories(store: Store) -> dict[str, str | None]:
    """source file stem -> the stem of its story's canonical copy (None: it is the canonical one)."""
    rows = store.connection.execute(
        """SELECT i.source_path, c.source_path FROM items i LEFT JOIN items c ON c.id = i.duplicate_of
           WHERE i.kind = 'article'""").fetchall()
    return {Path(path).stem: None if canonical is None else Path(canonical).stem for path, canonical in rows}


RICHEST = {"feed": "page", "export": "page", "page": None}


@pytest.mark.parametrize("order", list(itertools.permutations(["feed", "export", "page"])), ids="-".join)
def test_the_richest_copy_stands_for_the_story_whatever_the_order_and_runs(tmp_path, order):
    paths = _copies(tmp_path / "in")
    with Store.open(tmp_path / "one.duckdb") as store:
        report = ingest_paths(store, [paths[name] for name in order])
        assert _stories(store) == RICHEST
        assert report.totals["near_duplicate"] == 2  # two copies joined a story already counted
        one_run = store.connection.execute("SELECT id, duplicate_of FROM items ORDER BY id").fetchall()
    with Store.open(tmp_path / "runs.duckdb") as store:
        for name in order:
            ingest_paths(store, [paths[name]])
        assert _stories(store) == RICHEST
        assert store.connection.execute("SELECT id, duplicate_of FROM items ORDER BY id").fetchall() == one_run
        assert queries.summary(store.connection, Filters(include_headlines=False))["items"] == 1


def test_a_time_beats_a_date_only_before_text_and_headlines():
    date_only = richness(precise_time=False, text=STORY + MORE * 5, headlines=9)
    timed = richness(precise_time=True, text=STORY, headlines=0)
    assert timed > date_only
    assert richness(precise_time=True, text=STORY + MORE, headlines=0) > timed
    assert richness(precise_time=True, text=STORY, headlines=1) > timed
    assert richness(precise_time=True, text="Nausėda", headlines=0) > richness(precise_time=True, text="Nauseda",
                                                                               headlines=0)  # UTF-8 bytes


def test_the_takeover_is_written_with_the_insert_or_not_at_all(tmp_path):
    """A richer copy whose re-linking fails is not stored either: the old copy still stands."""
    paths = _copies(tmp_path / "in")
    path = tmp_path / "store.duckdb"
    with Store.open(path) as store:
        ingest_paths(store, [paths["feed"]])

    class FailingRelink:
        def __init__(self, con):
            self.con = con

        def execute(self, sql, *args):
            if sql.startswith("UPDATE items SET duplicate_of"):
                raise duckdb.IOException("disk full (simulated)")
            return self.con.execute(sql, *args)

        def __getattr__(self, name):
            return getattr(self.con, name)

    with Store.open(path) as store:
        failing = Store(path, FailingRelink(store.connection), read_only=False)
        with pytest.raises(duckdb.IOException, match="simulated"):
            ingest_paths(failing, [paths["page"]])
        assert _stories(store) == {"feed": None}
        assert store.connection.execute("SELECT count(*) FROM ingest_files WHERE path LIKE '%page.txt'").fetchone() == (0,)
        ingest_paths(store, [paths["page"]])  # read again, it takes over
        assert _stories(store) == {"feed": "page", "page": None}


def test_the_dashboard_rollups_follow_a_takeover(tmp_path):
    """The owner refreshes the rollups for what a write touched: the demoted copy leaves the counts."""
    paths = _copies(tmp_path / "in")
    with Store.open(tmp_path / "store.duckdb") as store:
        ingest_paths(store, [paths["feed"]])
        con = store.connection
        assert queries.build_rollups(con)
        started = datetime.now(timezone.utc)
        ingest_paths(store, [paths["page"]])
        refresh_since(con, started)
        articles = Filters(include_headlines=False)
        assert queries.summary(con, articles, rollups=True)["items"] == 1
        found = queries.search_items(con, articles, text="emergency", rollups=True)
        assert found["title"].tolist() == ["Seimas extends the emergency"]

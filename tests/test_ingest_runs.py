"""Ingest runs and the folders they read (issue 7): near-duplicate links do not depend on how a
corpus is split into runs, unreadable folders are reported, symlinks do not lead out of the
given folder, and the summary says what each count is."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.ingest.dedup import fingerprint
from analysis.ingest.runner import expand_paths, ingest_paths
from analysis.paths import DEMO_DIR
from analysis.store import Store

STORY = (
    "Lithuania's parliament voted on Thursday to extend the state of emergency along the border with "
    "Belarus for another three months, citing continued attempts by groups of migrants to cross into "
    "the country through the forests. Border guards said they had turned back more than two hundred "
    "people over the past week, most of them at night and in small groups. The interior minister told "
    "lawmakers that the physical barrier would be completed before winter and that patrols would be "
    "reinforced with officers from other regions."
)


def _links(store: Store) -> list[tuple]:
    return store.connection.execute("SELECT id, duplicate_of FROM items ORDER BY id").fetchall()


def test_stored_simhashes_keep_every_bit(tmp_path):
    """A batch that mixes fingerprinted articles and headlines (no fingerprint) once went through float64."""
    records = [{"title": f"Story {n}", "text": f"{STORY} Variant {n} with its own words {n * 7}."} for n in range(6)]
    export = tmp_path / "export.jsonl"
    export.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    page = tmp_path / "page.txt"
    page.write_text("Lietuvoje\n2021.06.14 16:26\nA page title\n\n" + STORY + "\n\n# Tag\n\n"
                    "Pastebėjote klaidą?\n\n2 h ago\n\nA related headline\n", encoding="utf-8")
    with Store.open(tmp_path / "store.duckdb") as store:
        ingest_paths(store, [export, page])
        rows = store.connection.execute("SELECT text, simhash FROM items WHERE kind = 'article'").fetchall()
        assert store.count_items(kind="headline") == 1
    assert len(rows) == 7
    assert [simhash for _, simhash in rows] == [fingerprint(text).simhash for text, _ in rows]


def test_near_duplicate_links_are_the_same_in_one_run_or_two(tmp_path):
    files, _ = expand_paths([DEMO_DIR])
    with Store.open(tmp_path / "one.duckdb") as store:
        ingest_paths(store, [DEMO_DIR])
        one_run = _links(store)
    half = len(files) // 2
    with Store.open(tmp_path / "two.duckdb") as store:
        ingest_paths(store, files[:half])
        ingest_paths(store, files[half:])
        two_runs = _links(store)
    assert sum(d is not None for _, d in one_run) > 0
    assert two_runs == one_run


def test_a_story_added_in_this_run_links_to_its_first_copy():
    """As the stored index does: the earliest match wins, whichever band finds it first."""
    import numpy as np

    from analysis.ingest.dedup import BANDS, Fingerprint, NearDuplicateIndex

    index = NearDuplicateIndex([], np.array([], dtype=np.uint64), np.zeros((0, BANDS), dtype=np.uint64))
    first = Fingerprint(0, tuple(range(100, 100 + BANDS)))
    second = Fingerprint(1, tuple(range(200, 200 + BANDS)))
    index.add("first", first)
    index.add("second", second)
    third = Fingerprint(3, (200, 101) + tuple(range(300, 300 + BANDS - 2)))  # band 0 as second's, band 1 as first's
    assert index.find(third) == "first"

"""Counts in words (issue 9: "1 items"): the helper, and the summaries that use it."""

from __future__ import annotations

import json

import pytest

from analysis.ingest.runner import FileOutcome, IngestReport, ingest_paths
from analysis.store import Store
from analysis.topics import TopicUpdate
from analysis.wording import plural
from dashboard.charts import source_note


@pytest.mark.parametrize("count, args, expected", [
    (0, ("item",), "0 items"),
    (1, ("item",), "1 item"),
    (2, ("item",), "2 items"),
    (1500, ("file",), "1,500 files"),
    (1, ("copy", "copies"), "1 copy"),
    (3, ("copy", "copies"), "3 copies"),
    (1, ("entry", "entries"), "1 entry"),
])
def test_plural(count, args, expected):
    assert plural(count, *args) == expected


def test_ingest_summary_says_one_in_the_singular(tmp_path):
    report = IngestReport(1, [FileOutcome("a.jsonl", "ok", items_read=1, items_new=1, items_near_duplicate=1)])
    assert report.summary() == ("run 1: 1 file, 1 item read, 1 new (1 linked as a near-duplicate), 0 duplicate, "
                                "0 files unchanged since an earlier run, 0 copies of a file read earlier in this run, "
                                "0 failed")


def test_analysis_and_topic_summaries_say_one_in_the_singular(tmp_path):
    from analysis.pipeline import analyze_store

    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps({"title": "Radar near Paldiski", "text": "Estonia switched on a coastal radar."}) + "\n",
                    encoding="utf-8")
    with Store.open(tmp_path / "store.duckdb") as store:
        ingest_paths(store, [path])
        summary = analyze_store(store, progress=False)
        assert summary.startswith("analysed 1 item (1 article, 0 headlines) ")
        again = analyze_store(store, progress=False)
        assert again.startswith("nothing new to analyse (1 item in the store;")
    assert TopicUpdate(action="assigned", topics=1, emerging=0, assigned=1).summary() == "1 new item assigned to the existing 1 topic"


def test_a_chart_note_counts_one_item():
    assert source_note(filters_text="all dates", items=1).endswith("Source: Flankwatch store, 1 item")

"""The "Add articles" page: uploads go through the command line's ingest and analysis; a store
another process holds is shown read-only (uploads off) or, if it cannot be read, explained."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import time

import pytest

from analysis.ingest import MAX_FILE_BYTES

from dashboard_fixtures import (  # noqa: F401  (fixtures)
    app_test, assert_clean, demo_copy, fresh_streamlit_caches,
)

UPLOAD_PAGE = "views/upload.py"

# Our own sentences: a made-up export of two articles.
EXPORT = "\n".join(json.dumps(record) for record in [
    {"headline": "Estonia tests new coastal radar near Paldiski",
     "text": "Engineers switched on a coastal radar near Paldiski on Tuesday. The station watches the Gulf of "
             "Finland and feeds the regional air picture, the defence forces said.",
     "published": "2025-11-03", "url": "https://example.invalid/radar-paldiski", "source": "Upload Test Wire"},
    {"headline": "Latvia extends border fence works by another season",
     "text": "Latvia will keep building the fence on its eastern border through next summer, the interior "
             "ministry said. Border guards stopped dozens of people trying to cross irregularly last week.",
     "published": "2025-11-04", "url": "https://example.invalid/fence-season", "source": "Upload Test Wire"},
]).encode("utf-8")


@pytest.fixture()
def writable_demo(demo_copy, tmp_path):  # noqa: F811
    path = tmp_path / "upload.duckdb"
    shutil.copy(demo_copy, path)
    return path


def _metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_upload_ingests_analyses_and_reports_each_file(writable_demo, monkeypatch):
    at = app_test(writable_demo, monkeypatch)
    items_before = int(_metric(at, "Items").replace(",", ""))
    at.switch_page(UPLOAD_PAGE).run()
    uploader = at.file_uploader[0]
    assert set(uploader.allowed_type) >= {".txt", ".html", ".htm", ".json", ".jsonl", ".csv", ".xml", ".rss", ".atom"}
    uploader.set_value([
        ("../../etc/<b>export</b>.jsonl", EXPORT, "application/json"),
        ("empty.csv", b"", "text/csv"),
    ])
    at.run()
    ingest = next(b for b in at.button if b.proto.label.startswith("Ingest and analyse"))
    assert ingest.proto.label == "Ingest and analyse 2 files"
    ingest.click().run(timeout=240)
    assert_clean(at)
    report = next(d.value for d in at.dataframe if "status" in d.value.columns)
    assert len(report) == 2
    by_status = report.set_index("status")
    assert by_status.loc["ok", "items_new"] == 2
    assert "etc" not in by_status.loc["ok", "path"] and "<" not in by_status.loc["ok", "path"]  # name sanitised
    assert by_status.loc["failed", "error"]
    assert any("2 new" in t.value for t in at.text)
    assert any("1 file failed" in w.value for w in at.warning)

    at.switch_page("views/articles.py").run()
    at.text_input(key="q").set_value('"coastal radar near Paldiski"').run()
    assert at.dataframe[0].value["title"].tolist() == ["Estonia tests new coastal radar near Paldiski"]
    at.switch_page("views/overview.py").run()
    assert int(_metric(at, "Items").replace(",", "")) == items_before + 2  # caches were refreshed


def test_the_report_lists_the_new_items_and_stays_until_dismissed(writable_demo, monkeypatch):
    """Each new item with its article view link; the report outlives visits to other pages."""
    at = app_test(writable_demo, monkeypatch, page=UPLOAD_PAGE)
    at.file_uploader[0].set_value([("export.jsonl", EXPORT, "application/json")])
    at.run()
    next(b for b in at.button if b.proto.label.startswith("Ingest and analyse")).click().run(timeout=240)
    assert_clean(at)

    def new_items(at):
        return next((d.value for d in at.dataframe if "link" in d.value.columns), None)

    listed = new_items(at)
    assert sorted(listed["title"]) == ["Estonia tests new coastal radar near Paldiski",
                                       "Latvia extends border fence works by another season"]
    assert set(listed["outlet"]) == {"Upload Test Wire"}
    assert [f"{d:%Y-%m-%d}" for d in sorted(listed["published_date"])] == ["2025-11-03", "2025-11-04"]
    assert all(link.startswith("articles?item=") for link in listed["link"])
    assert any(s.value == "New items (2)" for s in at.subheader)

    item_id = listed["link"].iloc[0].removeprefix("articles?item=")
    for page in ("views/overview.py", "views/articles.py"):
        at.switch_page(page).run()
    at.query_params["item"] = item_id  # the link opens the article view
    at.run()
    assert at.title[0].value == "Articles"
    assert any(listed["title"].iloc[0] in str(h.proto) for h in at.get("html"))  # its heading
    at.switch_page(UPLOAD_PAGE).run()
    assert_clean(at)
    assert new_items(at) is not None and len(new_items(at)) == 2  # still there after other pages
    next(b for b in at.button if b.proto.label == "Dismiss").click().run()
    assert new_items(at) is None and not any(s.value == "Report" for s in at.subheader)


def test_oversized_upload_is_refused_before_reading(writable_demo, monkeypatch):
    at = app_test(writable_demo, monkeypatch, page=UPLOAD_PAGE)
    big = b"x" * (MAX_FILE_BYTES + 1)
    at.file_uploader[0].set_value([("[huge](javascript:x).txt", big, "text/plain")])
    at.run()
    assert any("Larger than 32 MB, not read: \\[huge\\]\\(javascript\\:x\\)\\.txt" in e.value for e in at.error)
    ingest = next(b for b in at.button if b.proto.label.startswith("Ingest and analyse"))
    assert ingest.proto.label == "Ingest and analyse 0 files" and ingest.disabled


def _hold(path, *, read_only: bool) -> subprocess.Popen:
    """Another process with the store open, as `flankwatch ingest` (or a second dashboard) would."""
    code = textwrap.dedent(f"""
        import duckdb, sys, time
        con = duckdb.connect({str(path)!r}, read_only={read_only})
        print("open", flush=True)
        sys.stdin.read()
    """)
    holder = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "open"
    return holder


def _release(holder: subprocess.Popen) -> None:
    holder.stdin.close()
    holder.wait(timeout=30)


@pytest.mark.parametrize("read_only", [True, False], ids=["reads", "writes"])
def test_a_store_another_process_holds_is_explained_and_opens_when_it_lets_go(writable_demo, monkeypatch, read_only):
    holder = _hold(writable_demo, read_only=read_only)
    try:
        for page in (None, UPLOAD_PAGE):
            at = app_test(writable_demo, monkeypatch, page=page)
            assert not at.exception
            notice = " ".join(i.value for i in at.info).replace("\\", "")  # markdown escapes
            assert f"another process holds the store (PID {holder.pid}, " in notice
            assert "This page opens the store by itself as soon as it is free." in notice
            assert not at.title  # no page drawn from a store it cannot read
    finally:
        _release(holder)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # the owner keeps trying in the background
        at.run()
        if at.title:
            break
        time.sleep(0.2)
    assert_clean(at)
    assert at.title[0].value == "Add articles"
    assert not at.file_uploader[0].disabled


def test_the_uploader_accepts_every_suffix_the_readers_read(demo_copy, monkeypatch):  # noqa: F811
    from analysis.ingest import supported_suffixes

    at = app_test(demo_copy, monkeypatch)
    at.switch_page(UPLOAD_PAGE).run()
    assert set(at.file_uploader[0].allowed_type) == set(supported_suffixes())
    assert ".tsv" in at.file_uploader[0].allowed_type

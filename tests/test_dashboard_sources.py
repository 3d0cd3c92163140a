"""The Sources page: each followed source's health, and pausing and resuming it (AppTest)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pandas as pd

from analysis.live import SourceState
from analysis.store import Store
from dashboard_fixtures import app_test, assert_clean
from dashboard.health import health_frame

PAGE = "views/sources.py"
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=timezone.utc)


def _store(tmp_path):
    db = tmp_path / "live.duckdb"
    with Store.open(db) as store:
        now = datetime.now(timezone.utc)
        store.connection.execute(
            """INSERT INTO items (id, kind, title, text, published_approximate, outlet, ingested_at, source_name)
               SELECT 'i' || n, 'article', 'Story ' || n, 'Text ' || n, false, 'Test Wire',
                      ?::TIMESTAMPTZ - INTERVAL (n) HOUR, 'wire' FROM range(14) t(n)""", [now])
        ok = SourceState(last_success=now - timedelta(minutes=5), last_attempt=now - timedelta(minutes=5),
                         next_poll=now + timedelta(minutes=10), items_seen=14)
        failing = SourceState(last_attempt=now - timedelta(minutes=2), last_error="https://x.test/feed: HTTP 503 "
                              "Service Unavailable after 3 attempts", last_error_kind="http",
                              last_error_at=now - timedelta(minutes=2), consecutive_failures=2,
                              next_poll=now + timedelta(minutes=28))
        store.save_source_state("wire", "https://wire.test/rss", ok.to_dict())
        store.save_source_state("broken", "https://x.test/feed", failing.to_dict())
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[[sources]]\nname = "wire"\nurl = "https://wire.test/rss"\noutlet = "Test Wire"\n\n'
        '[[sources]]\nname = "broken"\nurl = "https://x.test/feed"\n\n'
        '[[sources]]\nname = "later"\nurl = "https://later.test/rss"\nenabled = false\n', encoding="utf-8")
    return db, sources


def test_the_page_shows_each_sources_health_and_pauses_and_resumes(tmp_path, monkeypatch):
    db, sources = _store(tmp_path)
    monkeypatch.setenv("FLANKWATCH_SOURCES", str(sources))
    at = app_test(db, monkeypatch, page=PAGE)
    assert_clean(at)
    assert at.title[0].value == "Sources"
    assert any("Polling is off in this dashboard" in i.value for i in at.info)
    table = at.dataframe[0].value.set_index("name")
    assert table.loc["wire", "status"] == "ok" and table.loc["wire", "items"] == 14
    assert table.loc["wire", "per_day"] == 2.0
    assert table.loc["wire", "last_success"] == "5 min ago"
    assert table.loc["broken", "status"] == "failing"
    assert table.loc["broken", "last_error"].startswith("http: https://x.test/feed: HTTP 503 Service Unavailable")
    assert table.loc["later", "status"] == "disabled" and table.loc["later", "next_poll"] == ""

    at.selectbox(key="sources_chosen").set_value("broken").run()
    at.button(key="sources_pause").click().run()
    assert_clean(at)
    assert at.dataframe[0].value.set_index("name").loc["broken", "status"] == "paused"
    at.button(key="sources_resume").click().run()
    assert at.dataframe[0].value.set_index("name").loc["broken", "status"] == "failing"


def test_a_broken_sources_file_is_named_with_its_problem(tmp_path, monkeypatch):
    db, sources = _store(tmp_path)
    sources.write_text("[[sources]]\nname = 'x'\n", encoding="utf-8")
    monkeypatch.setenv("FLANKWATCH_SOURCES", str(sources))
    at = app_test(db, monkeypatch, page=PAGE)
    assert not at.exception
    assert any(str(sources) in e.value.replace("\\", "") for e in at.error)


def test_times_read_as_ago_and_in():
    rows = [{"name": "a", "status": "ok", "outlet": None, "last_success": NOW - timedelta(hours=3),
             "last_error_kind": "timeout", "last_error": "u: timed out", "last_error_at": NOW - timedelta(days=2),
             "items": 1, "per_day": 0.1, "next_poll": NOW + timedelta(seconds=40), "interval_min": 15.0, "url": "u"}]
    frame = health_frame(rows, now=NOW)
    assert frame.loc[0, "last_success"] == "3 h ago"
    assert frame.loc[0, "last_error"] == "timeout: u: timed out (2 d ago)"
    assert frame.loc[0, "next_poll"] == "in 40 s"
    assert isinstance(frame, pd.DataFrame)

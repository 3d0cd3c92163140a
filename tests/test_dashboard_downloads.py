"""dashboard/downloads.py: the Articles page's every matching item, streamed by the server's own route.

The route is called in this process as plain ASGI (dashboard_fixtures.route_get), so each piece
it sends is seen as it is sent; the browser's side is in tests/test_browser.py.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import re
import shutil
import tracemalloc
from urllib.parse import parse_qsl, urlsplit

import duckdb
import pytest

from analysis import queries as q
from analysis.queries import Filters
from analysis.store import ITEM_COLUMNS
from analysis.themes import load_taxonomy
from dashboard import downloads, exports

from dashboard_fixtures import (  # noqa: F401  (fixtures)
    app_test, assert_clean, fresh_streamlit_caches, route_get, synthetic_db,
)


def _expected(db, filters: Filters, *, search: str = "") -> bytes:
    """The CSV the DataFrame path gives (the chart downloads' table_csv), read before the route opens the store."""
    labels = dict(load_taxonomy().labels)
    with duckdb.connect(str(db), read_only=True) as con:
        q.build_rollups(con)
        frame = q.items_export(con, filters, text=search, rollups=True)
    return exports.table_csv(frame, filters=exports.with_search(filters.describe(theme_labels=labels), search))


@pytest.fixture()
def served(synthetic_db, monkeypatch):  # noqa: F811
    """The synthetic store as `flankwatch serve` shows it (the route finds it as the pages do)."""
    monkeypatch.setenv("FLANKWATCH_DB", str(synthetic_db))
    return synthetic_db


def test_the_route_sends_the_filtered_items_as_the_table_csv(served):
    filters = Filters(themes=("migration",), include_headlines=False)
    expected = _expected(served, filters, search="border")
    reply = route_get(downloads.EXPORT_PATH, "theme=Irregular+migration+%26+border&headlines=false&q=border")
    assert reply.status == 200, reply.text
    assert reply.headers["content-type"] == "text/csv; charset=utf-8"
    assert reply.headers["content-disposition"] == (
        'attachment; filename="articles_all-dates_migration_articles-only_q-border.csv"')
    assert reply.digest.hexdigest() == hashlib.sha256(expected).hexdigest()
    assert expected.startswith(b"\xef\xbb\xbfid,") and b',"all dates \xc2\xb7 themes: Irregular migration' in expected


@pytest.fixture(scope="module")
def five_fold_db(synthetic_db, tmp_path_factory):  # noqa: F811
    """The synthetic store with four more copies of every item (3 MB of CSV): a file far bigger than
    the memory the route's own work takes."""
    path = tmp_path_factory.mktemp("five-fold") / "five-fold.duckdb"
    shutil.copy(synthetic_db, path)
    values = ", ".join("i.id || '-' || r.n" if c == "id" else f"i.{c}" for c in ITEM_COLUMNS)
    with duckdb.connect(str(path)) as con:
        con.execute(f"INSERT INTO items ({', '.join(ITEM_COLUMNS)}) SELECT {values} FROM items i, range(1, 5) r(n)")
    return path


def test_the_csv_is_streamed_a_batch_at_a_time_never_built_whole(five_fold_db, monkeypatch):
    """Many pieces, no Content-Length (the size is not known before the end), and the server's
    Python memory stays far below the file's size while it sends it: a file built whole first,
    in memory or read back from disk, fails here."""
    expected = _expected(five_fold_db, Filters())
    monkeypatch.setenv("FLANKWATCH_DB", str(five_fold_db))
    monkeypatch.setattr(downloads, "BATCH_ROWS", 200)
    assert route_get(downloads.EXPORT_PATH).status == 200  # imports, caches and rollups: made once, not measured
    tracemalloc.start()
    try:
        reply = route_get(downloads.EXPORT_PATH)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert reply.status == 200 and "content-length" not in reply.headers
    assert reply.digest.hexdigest() == hashlib.sha256(expected).hexdigest()
    assert len(reply.pieces) > len(expected.splitlines()) // 200
    assert max(reply.pieces) < len(expected) / 50
    assert peak < len(expected) / 8, f"{peak:,} bytes traced for a file of {len(expected):,}"


def test_a_download_the_browser_cancels_stops_reading_the_store(five_fold_db, monkeypatch):
    monkeypatch.setenv("FLANKWATCH_DB", str(five_fold_db))
    monkeypatch.setattr(downloads, "BATCH_ROWS", 200)
    made, closed = [], []
    pieces = downloads._csv_pieces

    def watched(*args, **kwargs):
        try:
            for piece in pieces(*args, **kwargs):
                made.append(len(piece))
                yield piece
        finally:
            closed.append(True)

    monkeypatch.setattr(downloads, "_csv_pieces", watched)
    whole = route_get(downloads.EXPORT_PATH)
    made.clear()
    left = route_get(downloads.EXPORT_PATH, leave_after=3)
    assert left.status == 200 and closed == [True, True]
    assert len(made) < len(whole.pieces) / 4  # it stopped soon after the browser left


@pytest.mark.parametrize("query, message", [
    ("theme=Atlantis", "theme: 'Atlantis' is not among the themes of this store\n"),
    ("dates=yesterday", "dates: 'yesterday' is not a day (YYYY-MM-DD)\n"),
    ("headlines=sometimes", "headlines: 'sometimes' is not true or false\n"),
    ("id=lt-2025", "id: not a filter; the filters are dates, theme, source, actor, headlines\n"),
    ("sql=SELECT+*+FROM+items", "sql: not a filter; the filters are dates, theme, source, actor, headlines\n"),
    ("q=a&q=b", "q: 2 searches given; one is read\n"),
])
def test_a_bad_parameter_is_refused_with_400_naming_it(served, query, message):
    reply = route_get(downloads.EXPORT_PATH, query)
    assert (reply.status, reply.text) == (400, message)


def test_the_articles_page_links_to_its_own_filters_and_search(served, monkeypatch):
    """The link carries the page's filters in its URL form; what it downloads is what the page counts."""
    expected = _expected(served, Filters(themes=("migration",), include_headlines=False), search="border")
    at = app_test(served, monkeypatch, page="views/articles.py",
                  query={"theme": "Irregular migration & border", "headlines": "false"})
    at.text_input(key="q").set_value("border").run()
    assert_clean(at)
    link = next(h.proto.body for h in at.get("html") if "fw-download" in h.proto.body)
    href = html.unescape(re.search(r"href='([^']+)'", link).group(1))
    count = int(re.search(r"Download all ([\d,]+) matching items \(CSV\)", link).group(1).replace(",", ""))
    address = urlsplit(href)
    assert address.path == downloads.EXPORT_PATH
    assert sorted(parse_qsl(address.query)) == [("headlines", "false"), ("q", "border"),
                                                ("theme", "Irregular migration & border")]
    assert "download='articles_all-dates_migration_articles-only_q-border.csv'" in link
    reply = route_get(address.path, address.query)
    assert reply.status == 200
    assert reply.digest.hexdigest() == hashlib.sha256(expected).hexdigest()
    assert len(list(csv.reader(io.StringIO(expected.decode("utf-8-sig"))))) == 1 + count > 1

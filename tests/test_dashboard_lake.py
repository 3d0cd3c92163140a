"""`flankwatch serve --lake`: the dashboard over a lake exported from a store shows what the store shows.

The lake is the synthetic store's export (analysis/lake/export.py, rollups included); the
dashboard reads it through analysis/lake/serve.py. Every read-only page renders and counts as
it does on the store; nothing that writes is offered.
"""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from analysis import queries
from analysis.lake.errors import LakeError
from analysis.lake.export import export_lake
from analysis.lake.serve import LAKE_ENV, LakeReader, check_lake, connect_lake
from analysis.queries import Filters
from analysis.store import Store, StoreError

from dashboard import downloads
from dashboard_fixtures import (  # noqa: F401  (fixtures)
    app_test, assert_clean, chart_specs, chart_titled, fresh_streamlit_caches, route_get, synthetic_db, trace_total,
)

READ_PAGES = [
    (None, "Overview"),
    ("views/trends.py", "Topic trends"),
    ("views/claims.py", "Claims tracker"),
    ("views/articles.py", "Articles"),
    ("views/topics.py", "Topics"),
]
WRITE_PAGES = ["views/model.py", "views/sources.py", "views/upload.py"]
READ_ONLY_WORDS = "read-only"


@pytest.fixture(scope="module")
def store_and_lake(synthetic_db, tmp_path_factory) -> tuple[Path, Path]:  # noqa: F811
    """A private copy of the synthetic store (the store side of each comparison) and its lake."""
    folder = tmp_path_factory.mktemp("lake")
    store = folder / "store.duckdb"
    shutil.copy(synthetic_db, store)
    with Store.open(store, read_only=True) as opened:
        export_lake(opened, folder / "lake")
    return store, folder / "lake"


def lake_app(lake: Path, monkeypatch, *, page: str | None = None, query: dict | None = None):
    monkeypatch.setenv(LAKE_ENV, str(lake))
    return app_test(lake, monkeypatch, page=page, query=query)


def store_app(store: Path, monkeypatch, *, page: str | None = None, query: dict | None = None):
    monkeypatch.delenv(LAKE_ENV, raising=False)
    return app_test(store, monkeypatch, page=page, query=query)


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _chart_totals(at) -> dict[str, float]:
    """Each chart's title and the sum of the numbers it draws (y, or x for a horizontal bar chart)."""
    def numbers(trace: dict) -> list[float]:
        for axis in ("y", "x"):
            values = [v for v in trace.get(axis, []) or [] if v is not None]
            if values and all(isinstance(v, (int, float)) for v in values):
                return values
        return []
    return {spec["layout"]["title"]["text"]: round(sum(sum(numbers(t)) for t in spec["data"]), 9)
            for spec in chart_specs(at)}


def _match_caption(at) -> str:
    return next(c.value for c in at.caption if " match" in c.value)


# -- the lake reader ------------------------------------------------------------------------------


def test_the_lake_answers_every_query_as_the_store_does(store_and_lake):
    store, lake = store_and_lake
    filters = Filters(themes=("migration", "belarus"))
    with duckdb.connect(str(store), read_only=True) as con, connect_lake(lake) as lake_con:
        queries.build_rollups(con)
        assert queries.has_rollups(lake_con)
        assert lake_con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = 'fw_rollups'"
                                ).fetchone() == (0,)  # views over the Parquet, nothing loaded
        assert queries.store_bounds(lake_con) == queries.store_bounds(con)
        assert queries.summary(lake_con, filters, rollups=True) == queries.summary(con, filters, rollups=True)
        for dimension in ("theme", "topic"):
            ours = queries.volume(lake_con, filters.without_themes(), dimension=dimension, rollups=True)
            theirs = queries.volume(con, filters.without_themes(), dimension=dimension, rollups=True)
            assert ours[["period", "key", "items", "total"]].equals(theirs[["period", "key", "items", "total"]])
        listed = ["id", "published_date", "title", "outlet", "kind", "themes", "claims"]
        for wanted in (filters, Filters(), Filters(end=queries.store_bounds(con)["last"])):
            ours = queries.latest_items(lake_con, wanted, rollups=True)[listed]
            theirs = queries.latest_items(con, wanted, rollups=True)[listed]
            assert len(ours) and ours.astype(str).equals(theirs.astype(str))  # from the cards, by id and date
        for dimension in ("theme", "topic"):
            volume = queries.volume(con, Filters(), dimension=dimension, rollups=True)
            spikes = volume.sort_values(["items", "key"], ascending=False).head(4)[["key", "period"]]
            ours = queries.spike_headlines(lake_con, Filters(), spikes, dimension=dimension, rollups=True)
            theirs = queries.spike_headlines(con, Filters(), spikes, dimension=dimension, rollups=True)
            assert len(ours) and ours.astype(str).equals(theirs.astype(str))
        assert len(queries.claims(lake_con, filters, rollups=True)) == len(queries.claims(con, filters, rollups=True))
        assert lake_con.execute("SELECT count(*) FROM corrections").fetchone() == (0,)  # a store table no lake holds


def test_a_lake_without_rollups_answers_from_its_tables(store_and_lake, tmp_path):
    store, lake = store_and_lake
    bare = tmp_path / "bare"
    shutil.copytree(lake, bare, ignore=shutil.ignore_patterns("rollups"))
    with duckdb.connect(str(store), read_only=True) as con, connect_lake(bare) as lake_con:
        assert not queries.has_rollups(lake_con)
        filters = Filters(themes=("migration",))
        assert queries.summary(lake_con, filters, rollups=True) == queries.summary(con, filters)


@pytest.mark.parametrize("folder, problem", [("missing", "no such folder"), ("empty", "not a Flankwatch lake")])
def test_a_folder_that_is_no_lake_is_refused_with_what_to_do(tmp_path, folder, problem):
    (tmp_path / "empty").mkdir()
    with pytest.raises(LakeError, match=problem):
        check_lake(tmp_path / folder)
    reader = LakeReader(tmp_path / folder).open()
    assert reader.store is None and problem in reader.failed


def test_the_lake_reader_refuses_writes(store_and_lake):
    reader = LakeReader(store_and_lake[1]).open()
    try:
        with pytest.raises(StoreError, match="read-only"):
            reader.write(lambda store: None, label="upload")
        assert reader.generation == 0 and reader.status()["job"] is None
    finally:
        reader.close()


# -- the dashboard --------------------------------------------------------------------------------


@pytest.mark.parametrize("page, title", READ_PAGES, ids=[t for _, t in READ_PAGES])
def test_every_read_page_renders_on_the_lake(store_and_lake, monkeypatch, page, title):
    at = lake_app(store_and_lake[1], monkeypatch, page=page)
    assert_clean(at)
    assert at.title[0].value == title
    assert any(c.value.startswith("Lake: lake ·") and READ_ONLY_WORDS in c.value for c in at.sidebar.caption)
    assert any("upload articles, correct themes and claims" in c.value for c in at.sidebar.caption)
    assert not [t for t in at.toggle if t.label == "Live updates"]  # nothing arrives in a lake


def test_overview_shows_the_stores_metrics_and_chart_totals(store_and_lake, monkeypatch):
    store, lake = store_and_lake
    expected = store_app(store, monkeypatch)
    at = lake_app(lake, monkeypatch)
    assert _metrics(at) == _metrics(expected)
    assert _chart_totals(at) == _chart_totals(expected)
    assert at.dataframe[0].value["title"].tolist() == expected.dataframe[0].value["title"].tolist()


def test_filtered_counts_are_the_stores(store_and_lake, monkeypatch):
    store, lake = store_and_lake
    shown = {}
    for name, opened in (("store", store_app(store, monkeypatch)), ("lake", lake_app(lake, monkeypatch))):
        last = opened.date_input(key="dates").value[1]
        opened.multiselect(key="theme").set_value(["migration", "belarus"])
        opened.date_input(key="dates").set_value((last - timedelta(days=364), last)).run()
        assert_clean(opened)
        overview = (_metrics(opened), chart_titled(opened, "Theme coverage"))
        opened.toggle(key="headlines").set_value(False).run()
        articles_only = _metrics(opened)
        opened.switch_page("views/trends.py").run()
        assert_clean(opened)
        trends = _chart_totals(opened)
        opened.switch_page("views/articles.py").run()
        shown[name] = (overview[0], trace_total(overview[1]), articles_only, trends, _match_caption(opened))
    assert shown["lake"] == shown["store"]
    assert int(shown["lake"][0]["Items"].replace(",", "")) < 3000  # the filters narrowed something


def test_the_articles_csv_route_streams_the_lake_as_the_store(store_and_lake, monkeypatch):
    """`serve --lake` serves the Articles page, so its download route reads the lake: the same bytes."""
    store, lake = store_and_lake
    query = "theme=Irregular+migration+%26+border&theme=Belarus&q=border"
    replies = {}
    for name, path in (("store", store), ("lake", lake)):
        if name == "lake":
            monkeypatch.setenv(LAKE_ENV, str(lake))
        else:
            monkeypatch.delenv(LAKE_ENV, raising=False)
            monkeypatch.setenv("FLANKWATCH_DB", str(store))
        replies[name] = route_get(downloads.EXPORT_PATH, query)
        assert replies[name].status == 200, replies[name].text
    assert replies["lake"].digest.hexdigest() == replies["store"].digest.hexdigest()
    assert sum(replies["lake"].pieces) > 1000


def test_an_opened_item_shows_no_corrections(store_and_lake, monkeypatch):
    store, lake = store_and_lake
    at = lake_app(lake, monkeypatch, page="views/articles.py", query={"item": "lt-2025"})
    assert_clean(at)
    bodies = [h.proto.body for h in at.get("html")]
    assert any("Lithuania will spend 5-6 % of GDP on defence in 2026-2030</mark>" in b for b in bodies)
    assert not [b for b in at.button if b.key and ("theme_" in b.key or "claim_" in b.key)]
    assert not [t for t in at.text_input if t.key and t.key.startswith("correction_note_")]
    assert any("Corrections are not offered here" in c.value for c in at.caption)


def test_topics_offer_no_refit(store_and_lake, monkeypatch):
    at = lake_app(store_and_lake[1], monkeypatch, page="views/topics.py")
    assert_clean(at)
    assert not [b for b in at.button if b.key == "topics_refit"]
    assert any("Refitting topics is not offered here" in c.value for c in at.caption)


@pytest.mark.parametrize("page", WRITE_PAGES)
def test_the_pages_that_write_are_not_offered(store_and_lake, monkeypatch, page):
    at = lake_app(store_and_lake[1], monkeypatch)
    with pytest.raises(Exception, match="Could not find a navigation page"):
        at.switch_page(page)

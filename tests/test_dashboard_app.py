"""The Streamlit app through AppTest: every page on a populated, an empty and the demo store;
every sidebar filter changes what the charts draw; the state lives in the URL."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pytest

from analysis.queries import auto_freq
from analysis.themes import load_taxonomy
from dashboard import ui

from dashboard_fixtures import (  # noqa: F401  (fixtures)
    APP, app_test, assert_clean, chart_specs, chart_titled, demo_copy, empty_db, fresh_streamlit_caches, infos,
    synthetic_db, trace_total,
)

PAGES = [
    (None, "Overview"),
    ("views/trends.py", "Topic trends"),
    ("views/claims.py", "Claims tracker"),
    ("views/articles.py", "Articles"),
    ("views/topics.py", "Topics"),
    ("views/sources.py", "Sources"),
    ("views/upload.py", "Add articles"),
]
CHART_PAGES = {"Overview", "Topic trends", "Claims tracker", "Topics"}


def _store_facts(db) -> dict:
    with duckdb.connect(str(db), read_only=True) as con:
        first, last = con.execute(
            "SELECT min(published_date), max(published_date) FROM items WHERE duplicate_of IS NULL").fetchone()
        gap = con.execute(
            """SELECT min(d) FROM (
                   SELECT CAST(unnest(range(CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP), INTERVAL 1 DAY)) AS DATE) d)
               WHERE d NOT IN (SELECT published_date FROM items WHERE published_date IS NOT NULL)""",
            [first, last]).fetchone()[0]
        outlet = con.execute("SELECT outlet FROM items WHERE outlet IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 "
                             "LIMIT 1").fetchone()[0]
    return {"first": first, "last": last, "gap": gap, "outlet": outlet}


def _metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _overview_volume(at) -> dict:
    return chart_titled(at, "Theme coverage")


# -- every page, three stores -------------------------------------------------------------------


@pytest.mark.parametrize("page, title", PAGES, ids=[t for _, t in PAGES])
def test_every_page_renders_on_a_populated_store(synthetic_db, monkeypatch, page, title):  # noqa: F811
    at = app_test(synthetic_db, monkeypatch, page=page)
    assert_clean(at)
    assert at.title[0].value == title
    # a page that draws charts has the browser load plotly.js first thing, before its queries
    scripts = [h.proto.body for h in at.get("html") if h.proto.unsafe_allow_javascript]
    assert scripts == ([ui.chart_library_script()] if title in CHART_PAGES else [])
    if title in CHART_PAGES:
        specs = chart_specs(at)
        assert specs, f"{title} drew no chart"
        for spec in specs:
            notes = [a["text"] for a in spec["layout"].get("annotations", [])]
            assert any("Source: Flankwatch store," in n for n in notes), spec["layout"]["title"]["text"]
            assert spec["layout"]["xaxis"]["title"]["text"] and spec["layout"]["title"]["text"]


@pytest.mark.parametrize("page, title", PAGES, ids=[t for _, t in PAGES])
def test_every_page_explains_an_empty_store(empty_db, monkeypatch, page, title):  # noqa: F811
    at = app_test(empty_db, monkeypatch, page=page)
    assert_clean(at)
    assert at.title[0].value == title
    if title == "Add articles":
        assert at.file_uploader and not at.file_uploader[0].disabled
    elif title == "Sources":  # what to follow does not depend on what is stored
        assert any("Polling is off in this dashboard" in text for text in infos(at))
    else:
        assert any("The store is empty" in text for text in infos(at))
        assert not at.get("plotly_chart")


@pytest.mark.parametrize("page, title", PAGES, ids=[t for _, t in PAGES])
def test_every_page_renders_on_the_demo_store(demo_copy, monkeypatch, page, title):  # noqa: F811
    at = app_test(demo_copy, monkeypatch, page=page)
    assert_clean(at)
    assert at.title[0].value == title
    if title in CHART_PAGES:
        assert chart_specs(at)


def test_demo_store_overview_counts_match_the_store(demo_copy, monkeypatch):  # noqa: F811
    with duckdb.connect(str(demo_copy), read_only=True) as con:
        (items,) = con.execute("SELECT count(*) FROM items WHERE duplicate_of IS NULL").fetchone()
        (claims,) = con.execute("SELECT count(*) FROM claims c JOIN items i ON i.id = c.item_id "
                                "WHERE i.duplicate_of IS NULL").fetchone()
    at = app_test(demo_copy, monkeypatch)
    assert _metric(at, "Items") == f"{items:,}"
    assert _metric(at, "Claims") == f"{claims:,}"


# -- every filter changes what is drawn --------------------------------------------------------


def test_theme_filter_narrows_the_theme_chart(synthetic_db, monkeypatch):  # noqa: F811
    at = app_test(synthetic_db, monkeypatch)
    before = _overview_volume(at)
    assert len(before["data"]) > 2
    at.multiselect(key="theme").set_value(["migration"]).run()
    assert_clean(at)
    after = _overview_volume(at)
    assert [t["name"] for t in after["data"]] == ["Irregular migration &amp; border"]
    migration_before = next(t for t in before["data"] if t["name"] == "Irregular migration &amp; border")
    assert trace_total(after) == trace_total({"data": [migration_before]})
    assert int(_metric(at, "Items").replace(",", "")) < 3000
    assert "themes: Irregular migration &amp; border" in " ".join(a["text"] for a in after["layout"]["annotations"])


def test_quick_pick_sets_the_last_30_days_of_the_store(synthetic_db, monkeypatch):  # noqa: F811
    facts = _store_facts(synthetic_db)
    at = app_test(synthetic_db, monkeypatch)
    at.button(key="pick_30d").click().run()
    assert_clean(at)
    start = facts["last"] - timedelta(days=29)
    assert at.date_input(key="dates").value == (start, facts["last"])
    assert _metric(at, "First item") >= start.isoformat()
    periods = [x for trace in _overview_volume(at)["data"] for x in trace["x"]]
    assert min(periods)[:7] >= start.isoformat()[:7]
    assert any(f"newest item in the store ({facts['last']:%Y-%m-%d})" in c.value for c in at.caption)
    at.button(key="pick_all").click().run()
    assert at.date_input(key="dates").value == (facts["first"], facts["last"])


def test_one_date_range_means_from_that_day_on(synthetic_db, monkeypatch):  # noqa: F811
    facts = _store_facts(synthetic_db)
    start = date(facts["last"].year, 1, 1)
    at = app_test(synthetic_db, monkeypatch)
    at.date_input(key="dates").set_value((start,)).run()
    assert_clean(at)
    assert any("Only a start date is set" in c.value for c in at.caption)
    assert _metric(at, "First item") >= start.isoformat()
    assert _metric(at, "Newest item") == facts["last"].isoformat()


def test_a_range_with_no_items_shows_an_empty_state(synthetic_db, monkeypatch):  # noqa: F811
    gap = _store_facts(synthetic_db)["gap"]
    at = app_test(synthetic_db, monkeypatch)
    at.date_input(key="dates").set_value((gap, gap)).run()
    assert_clean(at)
    assert any("No items match these filters" in text for text in infos(at))
    assert not at.get("plotly_chart")
    for page in ("views/trends.py", "views/claims.py", "views/articles.py", "views/topics.py"):
        at.switch_page(page).run()
        assert_clean(at)
        assert any("No items match" in text for text in infos(at)), page


def test_source_actor_and_headline_filters(synthetic_db, monkeypatch):  # noqa: F811
    outlet = _store_facts(synthetic_db)["outlet"]
    with duckdb.connect(str(synthetic_db), read_only=True) as con:
        (lithuania,) = con.execute("SELECT count(*) FROM claims WHERE actor = 'Lithuania'").fetchone()
    at = app_test(synthetic_db, monkeypatch)
    total_items = int(_metric(at, "Items").replace(",", ""))
    at.multiselect(key="source").set_value([outlet]).run()
    assert _metric(at, "Sources") == "1"
    at.multiselect(key="source").set_value([]).run()

    at.toggle(key="headlines").set_value(False).run()
    assert _metric(at, "Items") == _metric(at, "Articles")
    assert int(_metric(at, "Items").replace(",", "")) < total_items
    at.toggle(key="headlines").set_value(True).run()

    at.multiselect(key="actor").set_value(["Lithuania"]).run()
    assert_clean(at)
    assert _metric(at, "Claims") == f"{lithuania:,}"
    at.button(key="reset_filters").click().run()
    assert at.multiselect(key="actor").value == [] and _metric(at, "Items") == f"{total_items:,}"


def test_freq_and_share_controls(synthetic_db, monkeypatch):  # noqa: F811
    facts = _store_facts(synthetic_db)
    at = app_test(synthetic_db, monkeypatch)
    assert at.segmented_control(key="ov_freq").value == "auto"
    assert at.segmented_control(key="ov_freq").options == ["Auto", "Day", "Week", "Month", "Quarter", "Year"]
    expected = auto_freq(facts["first"], facts["last"], items=int(_metric(at, "Items").replace(",", "")))
    assert f"Theme coverage per {expected}" in _overview_volume(at)["layout"]["title"]["text"]
    at.segmented_control(key="ov_freq").set_value("month").run()
    monthly = _overview_volume(at)
    at.segmented_control(key="ov_freq").set_value("week").run()
    weekly = _overview_volume(at)
    assert len(weekly["data"][0]["x"]) > 3 * len(monthly["data"][0]["x"])
    assert trace_total(weekly) == trace_total(monthly)
    at.segmented_control(key="ov_freq").set_value("year").run()
    assert_clean(at)
    assert trace_total(_overview_volume(at)) == trace_total(monthly)
    at.segmented_control(key="ov_measure").set_value("share").run()
    share = _overview_volume(at)
    assert share["layout"]["yaxis"]["tickformat"] == ".0%"
    shares = [y for t in share["data"] if t["type"] == "bar" for y in t["y"] if y is not None and y == y]
    assert shares and all(0 <= y <= 1 for y in shares)


def test_themes_are_small_multiples_in_the_taxonomy_colours(synthetic_db, monkeypatch):  # noqa: F811
    at = app_test(synthetic_db, monkeypatch)
    spec = _overview_volume(at)
    taxonomy = load_taxonomy()
    by_label = {taxonomy.labels[k].replace("&", "&amp;"): c for k, c in taxonomy.colours.items()}
    bars = [t for t in spec["data"] if t["type"] == "bar"]
    assert len(bars) > 2 and not spec["layout"]["showlegend"]
    assert all(t["marker"]["color"] == by_label[t["name"]] for t in bars)
    assert len({t["yaxis"] for t in bars}) == len(bars)  # a panel each


def test_last_30_days_per_month_draws_one_labelled_bar(synthetic_db, monkeypatch):  # noqa: F811
    at = app_test(synthetic_db, monkeypatch)
    at.button(key="pick_30d").click().run()
    at.segmented_control(key="ov_freq").set_value("month").run()
    assert_clean(at)
    spec = _overview_volume(at)
    axis = spec["layout"]["xaxis"]
    assert axis["type"] == "date" and all(":" not in t for t in axis["ticktext"])
    assert 1 <= len(axis["ticktext"]) <= 2 and all(len(t) == 8 for t in axis["ticktext"])  # 'Oct 2025'
    assert all(w > 20 * 86_400_000 for t in spec["data"] if t["type"] == "bar" for w in t["width"])


def test_a_typed_date_outside_the_store_says_why_and_recovers(synthetic_db, monkeypatch):  # noqa: F811
    facts = _store_facts(synthetic_db)
    at = app_test(synthetic_db, monkeypatch)
    early = date(facts["first"].year - 5, 1, 1)
    at.date_input(key="dates").set_value((early, facts["last"])).run()
    assert_clean(at)
    message = (f"{early:%Y-%m-%d} is before the first item, {facts['first']:%Y-%m-%d}; "
               f"showing from {facts['first']:%Y-%m-%d}.")
    assert [w.value for w in at.sidebar.warning] == [message]
    assert at.date_input(key="dates").value == (facts["first"], facts["last"])  # the field shows what is shown

    inside = facts["last"] - timedelta(days=60)
    at.date_input(key="dates").set_value((inside, facts["last"])).run()  # the next valid input clears it
    assert not at.sidebar.warning and at.date_input(key="dates").value == (inside, facts["last"])

    late = facts["last"] + timedelta(days=400)
    at.date_input(key="dates").set_value((inside, late)).run()
    assert [w.value for w in at.sidebar.warning] == [
        f"{late:%Y-%m-%d} is after the newest item, {facts['last']:%Y-%m-%d}; showing up to {facts['last']:%Y-%m-%d}."]
    at.date_input(key="dates").set_value((early,)).run()  # a range with one day picked: a 1-tuple
    assert_clean(at)
    assert at.date_input(key="dates").value == (facts["first"],)
    assert any(message in w.value for w in at.sidebar.warning)
    at.button(key="pick_30d").click().run()  # a quick pick resets the field and the message
    assert not at.sidebar.warning
    assert at.date_input(key="dates").value == (facts["last"] - timedelta(days=29), facts["last"])


def test_a_bookmark_outside_the_store_is_moved_into_it(synthetic_db, monkeypatch):  # noqa: F811
    facts = _store_facts(synthetic_db)
    at = app_test(synthetic_db, monkeypatch, query={"dates": ["1999-01-01", facts["last"].isoformat()]})
    assert_clean(at)
    assert any(f"1999-01-01 is before the first item, {facts['first']:%Y-%m-%d}" in c.value for c in at.caption)
    assert _metric(at, "First item") == facts["first"].isoformat()


# -- the URL holds the state ------------------------------------------------------------------


def test_filters_are_bound_to_the_url(synthetic_db, monkeypatch):  # noqa: F811
    """The browser writes bound widgets into the URL (tests/test_browser.py checks that); here:
    every filter is bound, and a URL seeds the filters and survives a page switch."""
    facts = _store_facts(synthetic_db)
    start = date(facts["last"].year, 1, 1)
    at = app_test(synthetic_db, monkeypatch)
    bound = {"theme": at.multiselect(key="theme"), "source": at.multiselect(key="source"),
             "actor": at.multiselect(key="actor"), "dates": at.date_input(key="dates"),
             "headlines": at.toggle(key="headlines")}
    assert {key: widget.proto.query_param_key for key, widget in bound.items()} == {key: key for key in bound}

    bookmark = {"theme": "Belarus", "dates": [start.isoformat(), facts["last"].isoformat()], "headlines": "false",
                "source": facts["outlet"]}
    shared = app_test(synthetic_db, monkeypatch, query=bookmark)  # a shared link opens the same view
    assert_clean(shared)
    assert shared.multiselect(key="theme").value == ["belarus"]
    assert shared.multiselect(key="source").value == [facts["outlet"]]
    assert shared.toggle(key="headlines").value is False
    assert shared.date_input(key="dates").value == (start, facts["last"])
    assert [t["name"] for t in _overview_volume(shared)["data"]] == ["Belarus"]
    assert _metric(shared, "First item") >= start.isoformat()

    shared.switch_page("views/trends.py").run()
    assert_clean(shared)
    assert shared.multiselect(key="theme").value == ["belarus"]
    assert shared.date_input(key="dates").value == (start, facts["last"])
    assert shared.query_params["dates"] == bookmark["dates"]
    assert "<b>Belarus</b>" in chart_titled(shared, "Items per")["layout"]["title"]["text"]


def test_overview_answers_at_its_own_path_too(synthetic_db, monkeypatch):  # noqa: F811
    """/overview (a link or bookmark) opens the Overview with its view, as / does; it was "Page not found".

    A browser opening /overview asks for the page registered at that path; AppTest asks for it by
    its hash (Streamlit hashes the url path). tests/test_browser_pages.py drives the real thing.
    """
    from streamlit.testing.v1 import AppTest
    from streamlit.util import calc_hash

    monkeypatch.setenv("FLANKWATCH_DB", str(synthetic_db))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["theme"] = "Belarus"
    at._page_hash = calc_hash("overview")  # a fresh session opened at /overview?theme=belarus
    at.run()
    assert_clean(at)
    assert {info.get("url_pathname") for info in at._registered_pages.values()} >= {"", "overview"}
    assert [t.value for t in at.title] == ["Overview"]
    assert at.multiselect(key="theme").value == ["belarus"]  # the view survives the redirect
    assert [t["name"] for t in _overview_volume(at)["data"]] == ["Belarus"]


def test_a_bad_bookmark_is_ignored_not_fatal(synthetic_db, monkeypatch):  # noqa: F811
    at = app_test(synthetic_db, monkeypatch, query={"theme": "no_such_theme", "dates": ["2031-01-01", "x"],
                                                   "item": "no-such-item"})
    assert_clean(at)
    assert at.multiselect(key="theme").value == []
    at.switch_page("views/articles.py").run()
    assert_clean(at)
    assert any("not in the store" in w.value for w in at.warning)


# -- pages -------------------------------------------------------------------------------------


def test_trends_annotate_spikes_and_compare_periods(synthetic_db, monkeypatch):  # noqa: F811
    at = app_test(synthetic_db, monkeypatch, page="views/trends.py")
    trend = chart_titled(at, "rolling average (line)")
    names = [t["name"] for t in trend["data"]]
    assert names[1:] == ["Rolling average", "Spike"]
    assert trend["layout"]["annotations"][:-1], "spikes are labelled with a headline"
    compare = chart_titled(at, "share of coverage in two periods")
    assert len(compare["data"]) == 2
    at.segmented_control(key="tr_dim").set_value("topic").run()
    assert_clean(at)
    assert chart_titled(at, "rolling average (line)")["data"][0]["name"].endswith(": items")
    assert chart_titled(at, "Discovered topics: share of coverage")


def test_claims_tracker_shows_revisions_and_opens_a_quote(synthetic_db, monkeypatch):  # noqa: F811
    at = app_test(synthetic_db, monkeypatch, page="views/claims.py")
    assert_clean(at)
    spending = chart_titled(at, "Defence-spending claims by actor")
    panels = [a["text"] for a in spending["layout"]["annotations"] if a.get("xref") == "paper" and "<b>" in a["text"]]
    assert "<b>Lithuania</b>" in panels
    assert not any(t.get("showlegend") and t.get("name") == "Lithuania" for t in spending["data"])
    step = next(t for t in spending["data"] if t.get("name") == "Lithuania" and t.get("line", {}).get("shape") == "hv")
    assert step["y"][-2:] == [5.5, 5.5]  # the current target: 5–6 %, drawn at its middle over a band
    band = next(t for t in spending["data"] if t.get("name") == "Lithuania" and t.get("fill") == "toself"
                and 6.0 in t["y"])
    assert 5.0 in band["y"]  # every range of the panel is one band trace
    notes = [a["text"] for a in spending["layout"]["annotations"] if a.get("name", "").startswith("revision:")]
    assert any("to 5–6 % for 2026–2030" in n and "articles?item=lt-2025" in n for n in notes)

    table = next(d.value for d in at.dataframe if "change" in d.value.columns)
    assert list(table.columns) == ["actor", "change", "from", "to", "date", "source", "speaker", "quote"]
    row = table[(table["actor"] == "Lithuania") & (table["to"] == "5–6 % for 2026–2030")].iloc[0]
    assert (row["change"], row["speaker"], row["quote"]) == ("raised", "the president", "articles?item=lt-2025")
    assert table["date"].is_monotonic_decreasing  # newest first

    picker = at.selectbox(key="claims_list_spending")
    assert any(o.endswith("Lithuania · 5–6 % for 2026–2030") for o in picker.options)
    picker.set_value("claim-lt-2025").run()
    assert_clean(at)
    quotes = [h.proto.body for h in at.get("html")]
    assert any("Lithuania will spend 5-6 % of GDP on defence in 2026-2030" in q for q in quotes)


def test_claims_tracker_panels_per_row_are_in_the_url(synthetic_db, monkeypatch):  # noqa: F811
    at = app_test(synthetic_db, monkeypatch, page="views/claims.py", query={"cl_cols": "1"})
    assert_clean(at)
    spending = chart_titled(at, "Defence-spending claims by actor")
    assert "xaxis2" in spending["layout"] and spending["layout"]["xaxis2"]["domain"] == spending["layout"]["xaxis"]["domain"]


@pytest.mark.parametrize("tab, title", [("Deployments", "Deployment claims by nation"),
                                        ("Migration", "Border-crossing figures by place")])
def test_claim_tabs_are_in_the_url(synthetic_db, monkeypatch, tab, title):  # noqa: F811
    at = app_test(synthetic_db, monkeypatch, page="views/claims.py", query={"claims_tab": tab})
    assert_clean(at)
    assert chart_titled(at, title)
    assert not any("Defence-spending" in s["layout"]["title"]["text"] for s in chart_specs(at))


def test_articles_search_and_hostile_titles_stay_text(synthetic_db, monkeypatch):  # noqa: F811
    at = app_test(synthetic_db, monkeypatch, page="views/articles.py")
    at.text_input(key="q").set_value("Minister visits Tapa").run()
    assert_clean(at)
    table = at.dataframe[0].value
    assert table["title"].tolist() == ["<script>alert('flank')</script> Minister visits Tapa"]
    at.text_input(key="q").set_value('"full** budget"').run()
    assert at.dataframe[0].value["title"].tolist() == ["[Click here](javascript:alert(1)) to read the **full** budget"]
    for element in [*at.markdown, *at.caption]:
        assert "<script>" not in element.value and "javascript:" not in element.value


def test_an_opened_item_escapes_its_title_and_highlights_its_claim(synthetic_db, monkeypatch):  # noqa: F811
    at = app_test(synthetic_db, monkeypatch, page="views/articles.py", query={"item": "hostile-0"})
    assert_clean(at)
    assert not [h for h in at.get("html") if h.proto.unsafe_allow_javascript]  # no script runs on this page
    bodies = [h.proto.body for h in at.get("html")]
    assert any("&lt;script&gt;alert(&#x27;flank&#x27;)&lt;/script&gt; Minister visits Tapa" in b for b in bodies)
    assert not any("<script>" in b for b in bodies)

    at = app_test(synthetic_db, monkeypatch, page="views/articles.py", query={"item": "lt-2025"})
    bodies = [h.proto.body for h in at.get("html")]
    assert any("<mark title='spending claim: Lithuania'>Lithuania will spend 5-6 % of GDP on defence in "
               "2026-2030</mark>" in b for b in bodies)


def test_an_opened_article_lists_its_headlines_and_near_duplicates(synthetic_db, monkeypatch):  # noqa: F811
    with duckdb.connect(str(synthetic_db), read_only=True) as con:
        page_id, headlines = con.execute(
            "SELECT parent_id, count(*) FROM items WHERE parent_id IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1"
        ).fetchone()
        original, copy = con.execute(
            "SELECT duplicate_of, id FROM items WHERE duplicate_of IS NOT NULL ORDER BY id LIMIT 1").fetchone()
    at = app_test(synthetic_db, monkeypatch, page="views/articles.py", query={"item": page_id})
    assert_clean(at)
    assert any(s.value == f"Related headlines ({headlines})" for s in at.subheader)
    at = app_test(synthetic_db, monkeypatch, page="views/articles.py", query={"item": original})
    frames = [d.value for d in at.dataframe]
    assert any("relation" in f.columns and copy in f.get("id", f.index).tolist() or
               ("relation" in f.columns and (f["relation"] == "near-duplicate").any()) for f in frames)


def test_topics_page_draws_sizes_and_the_map(synthetic_db, monkeypatch):  # noqa: F811
    at = app_test(synthetic_db, monkeypatch, page="views/topics.py")
    assert_clean(at)
    sizes = chart_titled(at, "discovered topics")
    assert len(sizes["data"]) == 5 and not sizes["layout"]["showlegend"]  # a named panel per topic
    at.segmented_control(key="tp_layout").set_value("stacked").run()
    assert_clean(at)
    stacked = chart_titled(at, "discovered topics")
    assert stacked["layout"]["barmode"] == "stack" and len(stacked["data"]) == 5
    assert sorted(t["marker"]["color"] for t in stacked["data"]) == sorted(t["marker"]["color"] for t in sizes["data"])
    corpus = chart_titled(at, "map of the corpus")
    assert {t["type"] for t in corpus["data"]} == {"scattergl"}
    assert sum(len(t["x"]) for t in corpus["data"]) <= 4000


def test_every_chart_offers_every_download(synthetic_db, monkeypatch):  # noqa: F811
    at = app_test(synthetic_db, monkeypatch)
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels[:4] == ["PNG", "SVG", "HTML", "CSV"]


def test_the_claims_tracker_draws_the_newest_claims_and_says_how_many_more(synthetic_db, monkeypatch):  # noqa: F811
    """Beyond CLAIMS_SHOWN a browser spends minutes on the points: the newest are drawn, the rest counted."""
    from dashboard import data

    with duckdb.connect(str(synthetic_db), read_only=True) as con:
        total, newest = con.execute("""SELECT count(*), max(i.published_date) FROM claims c JOIN items i ON i.id = c.item_id
                                       WHERE c.type = 'deployment' AND i.duplicate_of IS NULL""").fetchone()
    assert total > 2
    monkeypatch.setattr(data, "CLAIMS_SHOWN", 2)
    at = app_test(synthetic_db, monkeypatch, page="views/claims.py", query={"claims_tab": "Deployments"})
    assert_clean(at)
    assert f"Showing the newest 2 of {total:,} deployment claims" in " ".join(c.value for c in at.caption)
    table = at.dataframe[0].value
    assert len(table) == 2 and max(table["stated"]).date() == newest


def test_a_search_reads_the_texts_once_across_filter_changes(synthetic_db, monkeypatch):  # noqa: F811
    """Filter changes while a search stays the same reuse its matches (a scan of a million texts takes seconds)."""
    import re

    from analysis import queries
    from analysis.queries import Filters

    scans: list[str] = []
    real = queries.search_ids
    monkeypatch.setattr(queries, "search_ids", lambda con, text: scans.append(text) or real(con, text))

    def matching(at) -> int:
        found = [c.value for c in at.caption if re.match(r"[\d,]+ items? match", c.value)]
        assert found, [c.value for c in at.caption]
        return int(found[0].split()[0].replace(",", ""))

    at = app_test(synthetic_db, monkeypatch, page="views/articles.py")
    at.text_input(key="q").set_value("border").run()
    assert_clean(at)
    everything = matching(at)
    at.multiselect(key="theme").set_value(["migration"]).run()
    assert_clean(at)
    narrowed = matching(at)
    from dashboard import data

    with data.cursor(data.db_path()) as con:  # what a scan of the texts finds (the app holds the store)
        assert everything == queries.count_items(con, Filters(), text="border")
        assert narrowed == queries.count_items(con, Filters(themes=("migration",)), text="border")
    assert 0 < narrowed < everything
    assert scans == ["border"]

"""The dashboard's pure helpers: date ranges from the sidebar, safe highlighting, claim spans."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analysis.queries import Filters
from dashboard import sidebar, ui

FIRST, LAST = date(2014, 1, 2), date(2025, 10, 27)


@pytest.mark.parametrize("pick, expected", [
    ("30d", (date(2025, 9, 28), LAST)),
    ("1y", (date(2024, 10, 28), LAST)),
    ("all", (FIRST, LAST)),
])
def test_quick_picks_count_back_from_the_newest_item(pick, expected):
    chosen = next(p for p in sidebar.QUICK_PICKS if p.key == pick)
    assert sidebar.quick_range(chosen, first=FIRST, last=LAST) == expected


def test_quick_pick_never_starts_before_the_first_item():
    year = next(p for p in sidebar.QUICK_PICKS if p.key == "1y")
    assert sidebar.quick_range(year, first=date(2025, 6, 1), last=date(2025, 7, 1)) == (date(2025, 6, 1),
                                                                                      date(2025, 7, 1))


@pytest.mark.parametrize("value, expected", [
    ((date(2025, 1, 1), date(2025, 3, 31)), (date(2025, 1, 1), date(2025, 3, 31), None)),
    ((date(2025, 3, 31), date(2025, 1, 1)), (date(2025, 1, 1), date(2025, 3, 31), None)),
    ((FIRST, LAST), (None, None, None)),  # the whole store: no date restriction, undated items count
    ((), (None, None, None)),
    (None, (None, None, None)),
    ((date(2025, 1, 1),), (date(2025, 1, 1), None,
                           "Only a start date is set: showing 2025-01-01 to the newest item.")),
    (date(2025, 1, 1), (date(2025, 1, 1), None,
                        "Only a start date is set: showing 2025-01-01 to the newest item.")),
])
def test_date_input_values(value, expected):
    assert sidebar.date_bounds(value, first=FIRST, last=LAST) == expected


@pytest.mark.parametrize("value, expected, message", [
    ((date(2020, 1, 1), date(2021, 1, 1)), (date(2020, 1, 1), date(2021, 1, 1)), None),
    ((date(2010, 1, 1), date(2021, 1, 1)), (FIRST, date(2021, 1, 1)),
     "2010-01-01 is before the first item, 2014-01-02; showing from 2014-01-02."),
    ((date(2020, 1, 1), date(2026, 3, 1)), (date(2020, 1, 1), LAST),
     "2026-03-01 is after the newest item, 2025-10-27; showing up to 2025-10-27."),
    ((date(2030, 1, 1), date(2010, 1, 1)), (FIRST, LAST),  # typed the wrong way round, both outside
     "2010-01-01 is before the first item, 2014-01-02; showing from 2014-01-02. "
     "2030-01-01 is after the newest item, 2025-10-27; showing up to 2025-10-27."),
    ((date(2031, 1, 1), date(2032, 1, 1)), (LAST, LAST),
     "2031-01-01 is after the newest item, 2025-10-27; showing from 2025-10-27. "
     "2032-01-01 is after the newest item, 2025-10-27; showing up to 2025-10-27."),
    ((date(2010, 1, 1),), (FIRST,), "2010-01-01 is before the first item, 2014-01-02; showing from 2014-01-02."),
    ((), (), None),
    (None, (), None),
    ("2010-01-01", (), None),  # not dates: nothing picked
])
def test_typed_days_outside_the_store_are_moved_in_with_a_reason(value, expected, message):
    assert sidebar.clamp_range(value, first=FIRST, last=LAST) == (expected, message)


def test_a_bookmarked_day_outside_the_store_is_moved_and_noted():
    start, end, note = sidebar.date_bounds((date(2010, 1, 1), date(2020, 1, 1)), first=FIRST, last=LAST)
    assert (start, end) == (FIRST, date(2020, 1, 1))
    assert note == "2010-01-01 is before the first item, 2014-01-02; showing from 2014-01-02."
    assert sidebar.date_bounds((date(2010, 1, 1),), first=FIRST, last=LAST)[2] == (
        "2010-01-01 is before the first item, 2014-01-02; showing from 2014-01-02. "
        "Only a start date is set: showing 2014-01-02 to the newest item.")


URL_CHOICES = {"first": FIRST, "last": LAST, "theme_keys": ["deterrence", "air_defence", "local_topic"],
               "theme_labels": {"deterrence": "Deterrence & force posture", "air_defence": "Air & missile defence"},
               "outlets": ["LRT", "ERR News"], "actors": ["Lithuania", "NATO"]}


@pytest.mark.parametrize("filters, query", [
    (Filters(), []),
    (Filters(start=date(2025, 1, 1), end=date(2025, 3, 31)), [("dates", "2025-01-01"), ("dates", "2025-03-31")]),
    (Filters(start=date(2025, 1, 1)), [("dates", "2025-01-01")]),
    (Filters(themes=("air_defence", "local_topic")),  # by label, as the multiselect writes it; a key without one
     [("theme", "Air & missile defence"), ("theme", "local_topic")]),
    (Filters(outlets=("ERR News",), actors=("NATO", "Lithuania"), include_headlines=False),
     [("source", "ERR News"), ("actor", "NATO"), ("actor", "Lithuania"), ("headlines", "false")]),
])
def test_filters_go_into_the_url_form_and_read_back(filters, query):
    assert sidebar.filters_query(filters, theme_labels=URL_CHOICES["theme_labels"]) == query
    assert sidebar.filters_from_query(query, **URL_CHOICES) == filters


@pytest.mark.parametrize("query, filters", [
    ([("dates", "2010-01-01"), ("dates", "2030-01-01")], Filters()),  # the whole span: no date restriction
    ([("dates", "2030-01-01"), ("dates", "2020/05/01")], Filters(start=date(2020, 5, 1), end=LAST)),
    ([("headlines", "FALSE")], Filters(include_headlines=False)),
    ([("theme", "Deterrence & force posture")] * 2, Filters(themes=("deterrence",))),
])
def test_the_url_form_is_read_as_the_widgets_read_it(query, filters):
    assert sidebar.filters_from_query(query, **URL_CHOICES) == filters


@pytest.mark.parametrize("query, message", [
    ([("dates", "2025-13-01")], "dates: '2025-13-01' is not a day (YYYY-MM-DD)"),
    ([("dates", "2025-01-01")] * 3, "dates: 3 days given; a range is one or two days"),
    ([("theme", "deterrence")], "theme: 'deterrence' is not among the themes of this store"),  # a key, not its label
    ([("theme", "")], "theme: '' is not among the themes of this store"),
    ([("source", "LRT"), ("source", "Delfi"), ("source", "BNS")],
     "source: 'Delfi', 'BNS' are not among the sources of this store"),
    ([("actor", "Belarus")], "actor: 'Belarus' is not among the actors of this store"),
    ([("headlines", "maybe")], "headlines: 'maybe' is not true or false"),
    ([("headlines", "true"), ("headlines", "false")], "headlines: given 2 times; it is one value, true or false"),
    ([("sql", "DROP TABLE items")], "sql: not a filter; the filters are dates, theme, source, actor, headlines"),
])
def test_a_url_the_sidebar_would_not_write_is_refused_naming_the_parameter(query, message):
    with pytest.raises(sidebar.FilterError) as refused:
        sidebar.filters_from_query(query, **URL_CHOICES)
    assert str(refused.value) == message


@pytest.mark.parametrize("text, spans, expected", [
    ("plain", [], "plain"),
    ("<script>alert(1)</script>", [], "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("Spend 2 % & more", [(6, 9, "spending")], "Spend <mark title='spending'>2 %</mark> &amp; more"),
    ("a <b>claim</b> here", [(2, 14, "x")], "a <mark title='x'>&lt;b&gt;claim&lt;/b&gt;</mark> here"),
    ("[link](javascript:x)", [(0, 6, "l")], "<mark title='l'>[link]</mark>(javascript:x)"),
    ("overlap", [(0, 4, "a"), (2, 6, "b")], "<mark title='a'>over</mark>lap"),
    ("short", [(3, 99, "out of range")], "short"),
    ("quote", [(0, 5, "it's <here>")], "<mark title='it&#x27;s &lt;here&gt;'>quote</mark>"),
])
def test_highlight_escapes_first_then_marks(text, spans, expected):
    assert ui.highlight(text, spans) == expected


def test_claim_spans_use_offsets_or_find_the_quote():
    text = "Intro. Latvia will spend 3 % of GDP. End."
    claims = pd.DataFrame([
        {"type": "spending", "actor": "Latvia", "evidence": "Latvia will spend 3 % of GDP.", "start_offset": 7,
         "end_offset": 36},
        {"type": "spending", "actor": "Latvia", "evidence": "End.", "start_offset": 0, "end_offset": 4},
        {"type": "spending", "actor": None, "evidence": "not in the text", "start_offset": None, "end_offset": None},
    ])
    assert ui.claim_spans(text, claims) == [(7, 36, "spending claim: Latvia"), (37, 41, "spending claim: Latvia")]


def test_claim_views_prepare_labels_groups_and_markers():
    from dashboard import claim_views

    claims = pd.DataFrame([
        {"claim_id": "s1", "type": "spending", "actor": "Lithuania", "kind": "target", "value": 2.5,
         "value_high": None, "unit": "pct_gdp", "year": 2030, "year_high": None, "speaker": None,
         "details": "{}", "stated": pd.Timestamp("2021-06-14"), "title": "T", "outlet": "LRT"},
        {"claim_id": "s2", "type": "spending", "actor": None, "kind": "actual", "value": 1.0e9,
         "value_high": None, "unit": "eur", "year": 2025, "year_high": None, "speaker": None,
         "details": "{}", "stated": pd.Timestamp("2024-01-01"), "title": "T", "outlet": None},
        {"claim_id": "s3", "type": "spending", "actor": "Latvia", "kind": "target", "value": None,
         "value_high": None, "unit": "pct_gdp", "year": 2027, "year_high": None, "speaker": None,
         "details": "{}", "stated": pd.Timestamp("2024-01-01"), "title": "T", "outlet": None},
    ]).astype({"year": "Int64", "year_high": "Int64"})
    spending = claim_views.prepare(claims, claim_views.claim_view("spending"), unit="pct_gdp")
    assert spending[["claim_id", "label", "group", "symbol"]].values.tolist() == [
        ["s1", "2.5 % by 2030", "Lithuania", "circle"]]  # s3 has no value to place, s2 another unit
    euros = claim_views.prepare(claims, claim_views.claim_view("spending"), unit="eur")
    assert euros[["label", "group", "symbol"]].values.tolist() == [["1 billion EUR in 2025", "unspecified", "diamond"]]

    moves = pd.DataFrame([
        {"claim_id": "d1", "type": "deployment", "actor": "Germany", "kind": None, "value": 4800.0,
         "value_high": None, "unit": "troops", "year": None, "year_high": None, "speaker": None,
         "details": '{"nation": "Germany", "size": 4800, "place": "Rukla", "unit": "brigade", "counted": "troops"}',
         "stated": pd.Timestamp("2023-06-26"), "title": "T", "outlet": "LRT"},
        {"claim_id": "d2", "type": "deployment", "actor": "Poland", "kind": None, "value": 2.0,
         "value_high": None, "unit": None, "year": None, "year_high": None, "speaker": None,
         "details": '{"nation": "Poland", "size": 2, "place": "Šiauliai", "unit": "helicopters", "counted": "helicopters"}',
         "stated": pd.Timestamp("2023-06-27"), "title": "T", "outlet": "LRT"},
        {"claim_id": "d3", "type": "deployment", "actor": "Germany", "kind": None, "value": None,
         "value_high": None, "unit": None, "year": None, "year_high": None, "speaker": None,
         "details": '{"nation": "Germany", "size": null, "place": "Lithuania", "unit": "brigade", "counted": null}',
         "stated": pd.Timestamp("2023-06-28"), "title": "T", "outlet": "LRT"},
        {"claim_id": "m1", "type": "migration", "actor": "Lithuania", "kind": None, "value": 120.0,
         "value_high": None, "unit": "people", "year": None, "year_high": None, "speaker": None,
         "details": '{"counted": "prevented crossings", "period": "per day", "place": "Medininkai"}',
         "stated": pd.Timestamp("2021-08-01"), "title": "T", "outlet": "LRT"},
    ])
    deployment = claim_views.prepare(moves[moves["type"] == "deployment"], claim_views.claim_view("deployment"))
    assert sorted(deployment["label"]) == ["2 helicopters in Šiauliai", "4,800 troops in Rukla"]  # d3: no size to place
    migration = claim_views.prepare(moves[moves["type"] == "migration"], claim_views.claim_view("migration"))
    assert migration[["label", "group"]].values.tolist() == [["120 prevented crossings per day", "Medininkai"]]
    with pytest.raises(KeyError, match="no claim view 'budget'"):
        claim_views.claim_view("budget")


@pytest.mark.parametrize("url, expected", [
    ("https://www.lrt.lt/en/news", "https://www.lrt.lt/en/news"),
    (" http://example.invalid/a ", "http://example.invalid/a"),
    ("javascript:alert(1)", None),
    ("JaVaScRiPt:alert(1)", None),
    ("data:text/html,<script>", None),
    (None, None),
    (float("nan"), None),
])
def test_only_web_links_become_buttons(url, expected):
    assert ui.safe_url(url) == expected


@pytest.mark.parametrize("text, expected", [
    ("/data/my_store.duckdb", "/data/my\\_store\\.duckdb"),
    ("[click](javascript:alert(1)).txt", "\\[click\\]\\(javascript\\:alert\\(1\\)\\)\\.txt"),
    ("**bold** `code` <b>", "\\*\\*bold\\*\\* \\`code\\` \\<b\\>"),
    (None, ""),
])
def test_markdown_escaping_for_captions(text, expected):
    assert ui.md_escape(text) == expected

"""analysis/queries.py: the dashboard's read-only queries, on a small store with known answers,
and the rollups (facts and per-day counts) against the plain tables on a synthetic store."""

from __future__ import annotations

from datetime import date, datetime, timezone

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import queries as q
from analysis.queries import Filters
from analysis.store import Store
from dashboard_fixtures import synthetic_db  # noqa: F401  (a fixture)

# -- a small store whose every count is known --------------------------------------------------

ITEMS = [
    # id, kind, title, text, published_date, outlet, parent_id, duplicate_of
    ("a1", "article", "Radar sites approved",
     "Vilnius approves new radar sites. Lithuania will spend 3.5 % of GDP on defence by 2027, the minister said.",
     date(2025, 1, 6), "LRT", None, None),
    ("h1", "headline", "Lithuania to raise defence spending to 2.5 percent by 2030", "",
     date(2025, 1, 7), "LRT", "a1", None),
    ("a2", "article", "Border fence 100% finished, roll_call done", "Workers closed the last gap in the fence.",
     date(2025, 1, 8), "ERR News", None, None),
    ("a3", "article", "Radar sites approved (copy)", "Vilnius approves new radar sites, a copy.",
     date(2025, 1, 20), "LRT", None, "a1"),
    ("a4", "article", "Undated note on Minsk", "A note about Belarus without a date, 3,5 pages.", None, None,
     None, None),
    ("a5", "article", "=SUM(A1) troops", "German troops moved north to the base near Rukla for a roll call.",
     date(2025, 2, 3), "LSM", None, None),
]
THEMES = [
    ("a1", "air_defence", 0.8, True, ["radar"], ["Vilnius approves new radar sites."]),
    ("a1", "deterrence", 0.2, False, [], []),
    ("h1", "defence_spending", 0.7, True, ["defence spending"], ["Lithuania to raise defence spending"]),
    ("a2", "migration", 0.9, True, ["fence"], ["Workers closed the last gap in the fence."]),
    ("a4", "belarus", 0.6, True, ["minsk"], ["A note about Belarus without a date."]),
    ("a5", "migration", 0.5, True, ["border"], ["German troops moved north."]),
    ("a5", "deterrence", 0.6, True, ["troops"], ["German troops moved north."]),
]
CLAIMS = [
    ("c1", "a1", "spending", "Lithuania", "target", 3.5, None, "pct_gdp", 2027, None, "the minister",
     "Lithuania will spend 3.5 % of GDP on defence by 2027", 34, 85, {}),
    ("c2", "h1", "spending", "Lithuania", "target", 2.5, None, "pct_gdp", 2030, None, None,
     "Lithuania to raise defence spending to 2.5 percent by 2030", 0, 58, {}),
    ("c3", "a5", "deployment", "Germany", None, 500.0, None, "troops", None, None, None,
     "German troops moved north", 0, 25, {"nation": "Germany", "size": 500, "place": "Rukla"}),
]
TOPICS = [(1, "radar / sites", ["radar", "sites"], "air_defence", 0.4, False, 2),
          (2, "fence / troops", ["fence", "troops"], "migration", 0.3, True, 3)]
ITEM_TOPICS = [("a1", 1, 0.0, 0.0), ("h1", 1, 0.5, 0.1), ("a2", 2, 3.0, 3.0), ("a4", 2, 3.2, 2.9),
               ("a5", 2, 2.8, 3.1)]


def _write(path, items, themes, claims, topics=(), item_topics=()) -> None:
    """A store through the Store API, the way ingest and analysis write it."""
    frame = pd.DataFrame([
        {"id": i, "kind": k, "title": t, "text": x, "published_date": d, "outlet": o, "parent_id": p,
         "duplicate_of": dup, "published_approximate": False, "url": f"https://news.example/{i}",
         "published_at": (datetime(d.year, d.month, d.day, 9, tzinfo=timezone.utc) if d else None)}
        for i, k, t, x, d, o, p, dup in items
    ])
    with Store.open(path) as store:
        store.write_ingest_batch(frame, pd.DataFrame())
        store.write_analysis(
            [row[0] for row in items],
            pd.DataFrame(themes, columns=["item_id", "theme", "score", "assigned", "terms", "sentences"]),
            pd.DataFrame(claims, columns=["claim_id", "item_id", "type", "actor", "kind", "value", "value_high",
                                          "unit", "year", "year_high", "speaker", "evidence", "start_offset",
                                          "end_offset", "details"]).assign(year_relative=False),
        )
        store.write_topics(
            pd.DataFrame(topics, columns=["topic_id", "label", "top_terms", "nearest_theme", "theme_similarity",
                                          "emerging", "size"]),
            pd.DataFrame(item_topics, columns=["item_id", "topic_id", "x", "y"]),
        )


@pytest.fixture(scope="module")
def small_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("queries") / "small.duckdb"
    _write(path, ITEMS, THEMES, CLAIMS, TOPICS, ITEM_TOPICS)
    return path


@pytest.fixture(params=[False, True], ids=["tables", "rollups"])
def con(request, small_db):
    """Every known-answer test runs twice: on the plain tables and on the rollups."""
    connection = duckdb.connect(str(small_db), read_only=True)
    if request.param:
        assert q.build_rollups(connection)
    yield connection, request.param
    connection.close()


# -- Filters ------------------------------------------------------------------------------------


def test_filters_reject_bad_values():
    with pytest.raises(ValueError, match="start 2025-02-01 is after end 2025-01-01"):
        Filters(start=date(2025, 2, 1), end=date(2025, 1, 1))
    with pytest.raises(TypeError, match="Filters.themes must be a tuple"):
        Filters(themes=["migration"])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Filters.start"):
        Filters(start="2025-01-01")  # type: ignore[arg-type]


def test_filters_are_hashable_and_describe_themselves():
    filters = Filters(start=date(2025, 1, 1), end=date(2025, 3, 31), themes=("migration",), outlets=("LRT",),
                      actors=("Lithuania",), include_headlines=False)
    assert hash(filters) == hash(Filters(date(2025, 1, 1), date(2025, 3, 31), ("migration",), ("LRT",),
                                         ("Lithuania",), False))
    assert filters.describe(theme_labels={"migration": "Irregular migration"}) == (
        "2025-01-01 to 2025-03-31 · themes: Irregular migration · sources: LRT · actors: Lithuania · articles only")
    assert Filters().describe() == "all dates · headlines counted"
    assert Filters(start=date(2025, 1, 1)).describe(span="Q1 vs Q2") == "Q1 vs Q2 · headlines counted"


# -- known answers ------------------------------------------------------------------------------


@pytest.mark.parametrize("filters, expected", [
    (Filters(), {"items": 5, "articles": 4, "headlines": 1, "sources": 3, "first": date(2025, 1, 6),
                 "last": date(2025, 2, 3), "undated": 1, "claims": 3}),
    (Filters(include_headlines=False), {"items": 4, "headlines": 0, "claims": 2}),
    (Filters(themes=("migration",)), {"items": 2, "claims": 1}),
    (Filters(themes=("migration", "air_defence")), {"items": 3, "claims": 2}),
    (Filters(actors=("Lithuania",)), {"items": 2, "claims": 2}),
    (Filters(outlets=("LRT",)), {"items": 2, "sources": 1, "claims": 2}),
    (Filters(start=date(2025, 1, 7), end=date(2025, 1, 31)), {"items": 2, "undated": 0, "claims": 1}),
    (Filters(start=date(2024, 1, 1), end=date(2024, 12, 31)), {"items": 0, "claims": 0, "first": None}),
])
def test_summary_counts(con, filters, expected):
    connection, rollups = con
    got = q.summary(connection, filters, rollups=rollups)
    assert {key: got[key] for key in expected} == expected


def test_store_bounds_ignore_filters_and_duplicates(con):
    connection, _ = con
    assert q.store_bounds(connection) == {"first": date(2025, 1, 6), "last": date(2025, 2, 3), "items": 5}


def test_filter_options_list_what_is_stored(con):
    connection, _ = con
    options = q.filter_options(connection)
    assert options["outlets"]["value"].tolist() == ["LRT", "ERR News", "LSM"]
    assert options["actors"]["value"].tolist() == ["Lithuania", "Germany"]
    assert set(options["themes"]["value"]) == {"air_defence", "defence_spending", "migration", "belarus", "deterrence"}


def test_weekly_volume_is_zero_filled_with_shares(con):
    connection, rollups = con
    weekly = q.volume(connection, Filters(), freq="week", rollups=rollups)
    migration = weekly[weekly["key"] == "migration"]
    assert [p.date() for p in pd.to_datetime(migration["period"])] == [
        date(2025, 1, 6), date(2025, 1, 13), date(2025, 1, 20), date(2025, 1, 27), date(2025, 2, 3)]
    assert migration["items"].tolist() == [1, 0, 0, 0, 1]
    assert migration["total"].tolist() == [3, 0, 0, 0, 1]
    assert migration["share"].round(4).tolist() == [0.3333, 0, 0, 0, 1.0]
    assert set(weekly["key"]) == {"air_defence", "defence_spending", "migration", "deterrence"}  # belarus is undated


def test_theme_filter_keeps_only_the_chosen_series(con):
    connection, rollups = con
    monthly = q.volume(connection, Filters(themes=("migration",)), freq="month", rollups=rollups)
    assert set(monthly["key"]) == {"migration"}
    assert monthly["items"].tolist() == [1, 1]
    assert monthly["total"].tolist() == [3, 1]  # shares are of all coverage, not of the theme


def test_topic_volume_and_compare_periods(con):
    connection, rollups = con
    topics = q.volume(connection, Filters(), dimension="topic", freq="month", rollups=rollups)
    assert dict(zip(topics["label"], topics.groupby("key")["items"].transform("sum"))) == {
        "radar / sites": 2, "fence / troops": 2}
    compared = q.compare_periods(connection, Filters(), first=(date(2025, 1, 1), date(2025, 1, 31)),
                                 second=(date(2025, 2, 1), date(2025, 2, 28)), rollups=rollups)
    migration = compared.set_index("key").loc["migration"]
    assert (migration["items_first"], migration["items_second"]) == (1, 1)
    assert (migration["total_first"], migration["total_second"]) == (3, 1)
    assert migration["change"] == pytest.approx(100 * (1 - 1 / 3))
    with pytest.raises(ValueError, match="the second period starts"):
        q.compare_periods(connection, Filters(), first=(date(2025, 1, 1), date(2025, 1, 2)),
                          second=(date(2025, 3, 1), date(2025, 2, 1)))


@pytest.mark.parametrize("freq, period", [("quarter", date(2025, 1, 1)), ("year", date(2025, 1, 1))])
def test_quarters_and_years_bucket_the_items(con, freq, period):
    connection, rollups = con
    volume = q.volume(connection, Filters(), freq=freq, rollups=rollups)
    migration = volume[volume["key"] == "migration"]
    assert [p.date() for p in pd.to_datetime(migration["period"])] == [period]
    assert (migration["items"].tolist(), migration["total"].tolist()) == ([2], [4])
    spikes = volume[volume["spike"]]
    assert q.spike_headlines(connection, Filters(), spikes, freq=freq, rollups=rollups).empty


def test_a_quarterly_series_is_zero_filled_across_years(tmp_path):
    items = [(f"q{n}", "article", f"Radar story {n}", "Radar sites.", day, "LRT", None, None)
             for n, day in enumerate([date(2023, 2, 1), date(2023, 11, 30), date(2024, 8, 15)])]
    themes = [(i[0], "air_defence", 0.8, True, ["radar"], ["Radar sites."]) for i in items]
    _write(tmp_path / "quarters.duckdb", items, themes, [])
    with duckdb.connect(str(tmp_path / "quarters.duckdb"), read_only=True) as connection:
        quarterly = q.volume(connection, Filters(), freq="quarter")
    assert [p.date() for p in pd.to_datetime(quarterly["period"])] == [
        date(2023, 1, 1), date(2023, 4, 1), date(2023, 7, 1), date(2023, 10, 1), date(2024, 1, 1),
        date(2024, 4, 1), date(2024, 7, 1)]
    assert quarterly["items"].tolist() == [1, 0, 0, 1, 0, 0, 1]


@pytest.mark.parametrize("first, last, items, expected", [
    (date(2014, 1, 2), date(2025, 10, 27), 338, "quarter"),      # the demo: a sparse decade
    (date(2014, 1, 2), date(2025, 10, 27), 1_000_000, "quarter"),  # a busy decade: still at most 60 bars
    (date(1990, 1, 1), date(2025, 10, 27), 5_000, "year"),       # too long for quarters
    (date(2014, 1, 2), date(2025, 10, 27), 30, "year"),          # too sparse for quarters
    (date(1900, 1, 1), date(2025, 10, 27), 50, "year"),          # over 60 years: still years
    (date(2024, 10, 28), date(2025, 10, 27), 5_000, "week"),     # a busy year
    (date(2024, 10, 28), date(2025, 10, 27), 40, "month"),       # a quiet year
    (date(2025, 9, 28), date(2025, 10, 27), 300, "day"),         # a busy month
    (date(2025, 9, 28), date(2025, 10, 27), 3, "week"),          # three items in a month: weeks, not one bar
    (date(2025, 10, 27), date(2025, 10, 27), 1, "day"),          # one day
    (date(2025, 10, 27), date(2025, 10, 14), 3, "day"),          # reversed ends are put in order
    (None, None, 0, "month"),
])
def test_auto_period_follows_span_and_density(first, last, items, expected):
    assert q.auto_freq(first, last, items=items) == expected


def test_volume_rejects_unknown_options(con):
    connection, _ = con
    with pytest.raises(ValueError, match="freq must be one of day, week, month, quarter, year"):
        q.volume(connection, Filters(), freq="fortnight")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="dimension must be one of theme, topic"):
        q.volume(connection, Filters(), dimension="outlet")  # type: ignore[arg-type]


@pytest.mark.parametrize("sort, expected", [
    ("newest", ["a5", "a2", "h1", "a1", "a4"]),
    ("oldest", ["a1", "h1", "a2", "a5", "a4"]),
    ("title", ["a5", "a2", "h1", "a1", "a4"]),
    ("claims", ["a5", "h1", "a1", "a2", "a4"]),
])
def test_search_sorts(con, sort, expected):
    connection, rollups = con
    assert q.search_items(connection, Filters(), sort=sort, rollups=rollups)["id"].tolist() == expected


@pytest.mark.parametrize("text, expected", [
    ("radar", ["a1"]),
    ("RADAR vilnius", ["a1"]),
    ('"radar sites" minister', ["a1"]),
    ('"sites radar"', []),
    ("fence", ["a2"]),        # at the start of a word: not "defence"
    ("defen", ["h1", "a1"]),  # a word start finds longer words
    ("roll_call", ["a2"]),    # "_" is a character ("roll call" does not match)
    ("3.5", ["a1"]),          # "." too ("3,5" does not match)
    ("100%", ["a2"]),
    ("Rukla troops", ["a5"]),
    ("", ["a5", "a2", "h1", "a1", "a4"]),
])
def test_search_text(con, text, expected):
    connection, rollups = con
    found = q.search_items(connection, Filters(), text=text, rollups=rollups)
    assert found["id"].tolist() == expected
    assert q.count_items(connection, Filters(), text=text, rollups=rollups) == len(expected)


ACCENTED = [
    ("n1", "article", "Nausėda meets the press", "The president spoke in Vilnius.", date(2025, 3, 1), "LRT", None, None),
    ("n2", "article", "A visit", "President Nauseda visited the base.", date(2025, 3, 2), "BNS", None, None),
    ("n3", "article", "NAUSĖDA IN RIGA", "Talks on air defence.", date(2025, 3, 3), "LSM", None, None),
    ("n4", "article", "Decomposed", "President Nause\u0307da (NFD) spoke.", date(2025, 3, 4), "LRT", None, None),
    ("n5", "article", "Žalgiris and Łukašenka", "Fans of Žalgiris; defence talks.", date(2025, 3, 5), "LRT", None, None),
]


@pytest.fixture(scope="module", params=[False, True], ids=["tables", "rollups"])
def accented(request, tmp_path_factory):
    path = tmp_path_factory.mktemp("accents") / "accents.duckdb"
    _write(path, ACCENTED, [], [])
    connection = duckdb.connect(str(path), read_only=True)
    if request.param:
        assert q.build_rollups(connection)
    yield connection, request.param
    connection.close()


@pytest.mark.parametrize("text, expected", [
    ("Nauseda", ["n4", "n3", "n2", "n1"]),   # without the accent: every spelling
    ("Nausėda", ["n4", "n3", "n2", "n1"]),   # with it: the plain spelling too
    ("nAUSeDA", ["n4", "n3", "n2", "n1"]),
    ("zalgiris", ["n5"]),                    # a word that starts with an accented letter
    ("ŽALGIRIS lukasenka", ["n5"]),
    ("fence", []),                           # still at the start of a word: not "defence"
    ("algiris", []),                         # "Ž" is a letter: no word starts inside "Žalgiris"
])
def test_search_folds_accents_and_case_both_ways(accented, text, expected):
    connection, rollups = accented
    found = q.search_items(connection, Filters(), text=text, rollups=rollups)
    assert found["id"].tolist() == expected
    assert q.count_items(connection, Filters(), text=text, rollups=rollups) == len(expected)
    assert len(q.items_export(connection, Filters(), text=text, rollups=rollups)) == len(expected)


def test_search_rows_carry_themes_and_claims(con):
    connection, rollups = con
    rows = q.search_items(connection, Filters(), rollups=rollups).set_index("id")
    assert list(rows.loc["a5", "themes"]) == ["deterrence", "migration"]
    assert rows.loc["a1", "claims"] == 1 and rows.loc["a2", "claims"] == 0
    with pytest.raises(ValueError, match="sort must be one of"):
        q.search_items(connection, Filters(), sort="random")  # type: ignore[arg-type]


def test_latest_items_are_dated_and_notable(con):
    connection, rollups = con
    latest = q.latest_items(connection, Filters(), limit=3, rollups=rollups)
    assert latest["id"].tolist() == ["a5", "a2", "h1"]
    assert q.latest_items(connection, Filters(include_headlines=False), limit=10, rollups=rollups)["id"].tolist() == [
        "a5", "a2", "a1"]


def test_item_detail_queries(small_db):
    with duckdb.connect(str(small_db), read_only=True) as connection:
        assert q.item(connection, "a1")["title"] == "Radar sites approved"
        assert q.item(connection, "missing") is None
        assert q.item_themes(connection, "a1")["theme"].tolist() == ["air_defence", "deterrence"]
        assert q.item_claims(connection, "a1")["claim_id"].tolist() == ["c1"]
        assert q.related_headlines(connection, "a1")["id"].tolist() == ["h1"]
        assert q.near_duplicates(connection, "a1")[["id", "relation"]].values.tolist() == [["a3", "near-duplicate"]]
        assert q.near_duplicates(connection, "a3")[["id", "relation"]].values.tolist() == [["a1", "original"]]


@pytest.mark.parametrize("filters, claim_type, expected", [
    (Filters(), "spending", ["c1", "c2"]),
    (Filters(), "deployment", ["c3"]),
    (Filters(), None, ["c3", "c1", "c2"]),
    (Filters(actors=("Germany",)), None, ["c3"]),
    (Filters(include_headlines=False), "spending", ["c1"]),
    (Filters(themes=("defence_spending",)), "spending", ["c2"]),
    (Filters(start=date(2025, 2, 1)), None, ["c3"]),
])
def test_claims_follow_the_filters(con, filters, claim_type, expected):
    connection, rollups = con
    found = q.claims(connection, filters, claim_type=claim_type, rollups=rollups)
    assert found["claim_id"].tolist() == expected
    if "c1" in expected:
        row = found.set_index("claim_id").loc["c1"]
        assert (row["stated"].date(), row["title"], row["speaker"]) == (date(2025, 1, 6), "Radar sites approved",
                                                                       "the minister")


def test_topics_and_their_map(con):
    connection, rollups = con
    topics = q.topics(connection, Filters(themes=("migration",)), rollups=rollups)
    assert dict(zip(topics["label"], topics["items"])) == {"fence / troops": 2, "radar / sites": 0}
    points = q.topic_map(connection, Filters(), rollups=rollups)
    assert sorted(points["id"]) == ["a1", "a2", "a4", "a5", "h1"]
    assert q.topic_map(connection, Filters(), limit=2, rollups=rollups)["id"].tolist() == points["id"].tolist()[:2]


def test_spikes_are_flagged_and_explained(tmp_path):
    """Four quiet weeks of one item each, then eight: the fifth week is a spike, with its headlines."""
    items, themes = [], []
    weeks = [1, 1, 1, 1, 8, 1]
    for week, count in enumerate(weeks):
        for n in range(count):
            item_id = f"w{week}-{n}"
            items.append((item_id, "article", f"Story {n} of week {week}", "Some text.",
                          date(2025, 1, 6 + 7 * week) if week < 4 else date(2025, 2, 3 + 7 * (week - 4)),
                          "LRT", None, None))
            themes.append((item_id, "air_defence", 0.5 + n / 100, True, [], []))
    path = tmp_path / "spikes.duckdb"
    _write(path, items, themes, [])
    with duckdb.connect(str(path), read_only=True) as connection:
        weekly = q.volume(connection, Filters(), freq="week")
        assert weekly["items"].tolist() == weeks
        assert weekly["spike"].tolist() == [False, False, False, False, True, False]
        assert weekly["rolling"].tolist() == pytest.approx([1, 1, 1, 1, 11 / 4, 11 / 4])
        headlines = q.spike_headlines(connection, Filters(), weekly[weekly["spike"]], freq="week", per_spike=3)
        assert headlines["title"].tolist() == ["Story 7 of week 4", "Story 6 of week 4", "Story 5 of week 4"]
        assert q.spike_headlines(connection, Filters(), weekly[weekly["spike"] & False], freq="week").empty


def test_empty_store_answers_with_empty_frames(tmp_path):
    path = tmp_path / "empty.duckdb"
    Store.open(path).close()
    with duckdb.connect(str(path), read_only=True) as connection:
        assert q.store_bounds(connection) == {"first": None, "last": None, "items": 0}
        assert q.summary(connection, Filters())["items"] == 0
        assert q.volume(connection, Filters()).empty
        assert q.search_items(connection, Filters()).empty
        assert q.latest_items(connection, Filters()).empty
        assert q.claims(connection, Filters()).empty
        assert q.topics(connection, Filters()).empty
        assert q.build_rollups(connection)
        assert q.volume(connection, Filters(themes=("migration",)), rollups=True).empty


# -- rollups give the plain tables' answers -----------------------------------------------------

ROLLUP_FILTERS = [
    Filters(),
    Filters(themes=("migration", "belarus")),
    Filters(start=date(2024, 1, 1), end=date(2025, 6, 30)),
    Filters(include_headlines=False, outlets=("LRT", "Delfi")),
    Filters(actors=("Lithuania", "Germany")),
    Filters(themes=("deterrence",), start=date(2023, 1, 1), include_headlines=False),
]


@pytest.fixture(scope="module")
def synthetic_pair(synthetic_db):  # noqa: F811
    plain = duckdb.connect(str(synthetic_db), read_only=True)
    fast = duckdb.connect(str(synthetic_db), read_only=True)
    assert q.build_rollups(fast)
    yield plain, fast
    plain.close()
    fast.close()


def _same(a, b) -> None:
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False)
    else:
        assert a == b


@pytest.mark.parametrize("filters", ROLLUP_FILTERS, ids=lambda f: f.describe())
def test_rollups_answer_like_the_tables(synthetic_pair, filters):
    plain, fast = synthetic_pair
    periods = dict(first=(date(2023, 1, 1), date(2023, 12, 31)), second=(date(2024, 1, 1), date(2024, 12, 31)))
    calls = {
        "summary": lambda c, r: q.summary(c, filters, rollups=r),
        "latest": lambda c, r: q.latest_items(c, filters, rollups=r),
        "search": lambda c, r: q.search_items(c, filters, rollups=r),
        "search by title": lambda c, r: q.search_items(c, filters, sort="title", rollups=r),
        "search text": lambda c, r: q.search_items(c, filters, text='border "air defence"', rollups=r),
        "count text": lambda c, r: q.count_items(c, filters, text="defence", rollups=r),
        "claims": lambda c, r: q.claims(c, filters, rollups=r),
        "topics": lambda c, r: q.topics(c, filters, rollups=r),
        "topic map": lambda c, r: q.topic_map(c, filters, rollups=r),
        "export": lambda c, r: q.items_export(c, filters, text="border", rollups=r),
    }
    for dimension in ("theme", "topic"):
        calls[f"volume {dimension}"] = lambda c, r, d=dimension: q.volume(c, filters, dimension=d, freq="month",
                                                                         rollups=r)
        calls[f"compare {dimension}"] = lambda c, r, d=dimension: q.compare_periods(c, filters, dimension=d,
                                                                                   rollups=r, **periods)
        weekly = q.volume(plain, filters, dimension=dimension, freq="week")
        calls[f"spikes {dimension}"] = lambda c, r, d=dimension, w=weekly: q.spike_headlines(
            c, filters, w[w["spike"]], dimension=d, freq="week", rollups=r)
    for name, call in calls.items():
        try:
            _same(call(plain, False), call(fast, True))
        except AssertionError as exc:
            raise AssertionError(f"{name}: rollups differ from the tables: {exc}") from None
    assert len(q.search_items(fast, filters, rollups=True)) > 0  # the comparison compared something


@pytest.mark.parametrize("text", ["", "border", '"air defence"', "nAUSeDA", "no-such-word"])
@pytest.mark.parametrize("sort", ["newest", "claims", "title"])
def test_search_with_count_is_search_items_and_count_items_in_one_pass(con, text, sort):
    connection, rollups = con
    for filters in (Filters(), Filters(themes=("migration",)), Filters(include_headlines=False)):
        frame, total = q.search_with_count(connection, filters, text=text, sort=sort, limit=2, rollups=rollups)
        pd.testing.assert_frame_equal(frame, q.search_items(connection, filters, text=text, sort=sort, limit=2,
                                                            rollups=rollups))
        assert total == q.count_items(connection, filters, text=text, rollups=rollups)


@pytest.mark.parametrize("text", ["border", '"air defence"', "nAUSeDA", "defen minister", "no-such-word"])
@pytest.mark.parametrize("sort", ["newest", "claims", "title"])
def test_a_search_found_once_answers_every_filter_as_a_scan_would(con, text, sort):
    """search_ids reads the texts once; the page and count for any filters then come from those ids."""
    connection, rollups = con
    ids = q.search_ids(connection, text)
    assert ids.column_names == ["id"]
    cursor = connection.cursor()
    cursor.register("fw_matched", ids)
    try:
        for filters in (Filters(), Filters(themes=("migration",)), Filters(include_headlines=False),
                        Filters(outlets=("LRT",))):
            scanned = q.search_with_count(connection, filters, text=text, sort=sort, limit=2, rollups=rollups)
            found = q.search_with_count(cursor, filters, text=text, sort=sort, limit=2, rollups=rollups,
                                        matched="fw_matched")
            pd.testing.assert_frame_equal(found[0], scanned[0])
            assert found[1] == scanned[1]
    finally:
        cursor.close()


def test_search_ids_needs_a_term(con):
    connection, _ = con
    with pytest.raises(ValueError, match="at least one search term"):
        q.search_ids(connection, '  ""  ')


def test_the_search_first_pass_lets_through_every_character_a_pattern_matches():
    """Every character of the BMP that a term's pattern lets stand for an ASCII character folds
    (lower-cased, marks stripped, as the first pass reads the text) to that character, or, for the
    letters the first pass leaves open, to some one character: the first pass never drops a match."""
    wrong: list[tuple[str, str, str]] = []
    accented_e = 0
    with duckdb.connect() as con:
        con.execute("SET enable_progress_bar = false")
        con.execute("CREATE TABLE chars AS SELECT chr(i::INTEGER) AS ch, strip_accents(lower(chr(i::INTEGER))) AS folded "
                    "FROM range(1, 65536) t(i) WHERE i < 55296 OR i > 57343")
        for term in map(chr, range(33, 127)):
            piece = q.search_pattern(term).replace(q._WORD_START, "", 1)  # the pattern's one character
            rows = con.execute("SELECT ch, folded FROM chars WHERE regexp_full_match(ch, ?)", [piece]).fetchall()
            base = q.fold_accents(term)  # as the first pass has it: "A" is "a"
            open_letter = base in q._ANY_OF
            wrong += [(term, ch, folded) for ch, folded in rows
                      if folded != base and not (open_letter and len(folded) == 1)]
            if term == "e":
                accented_e = sum(1 for ch, _ in rows if not ch.isascii())
    assert accented_e > 20  # the pieces do match accented letters: the check checked something
    assert not wrong, wrong[:20]


WORDS = ["Nausėda", "Łukašenka", "Šiauliai", "radar", "défense", "DEFENCE", "fence", "Ørsted", "ſtraße", "İzmir",
         "Nause\u0307da", "100%", "roll_call", "3.5", "Ǿre", "air-defence", "Tallinn's", "ŽALGIRIS"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.lists(st.sampled_from(WORDS + [" ", ", ", "-", "x"]), max_size=12).map("".join),
                      min_size=1, max_size=12),
       term=st.sampled_from(WORDS + ["nauseda", "lukasenka", "siauliai", "defen", "ence", "orsted", "strasse",
                                     "izmir", "zalgiris", "a", "st", "100", "l", "air defence", "tallinn"]))
def test_the_search_first_pass_finds_what_the_pattern_alone_finds(texts, term):
    with duckdb.connect() as con:
        con.execute("CREATE TABLE items (id INTEGER, title VARCHAR, text VARCHAR)")
        con.executemany("INSERT INTO items VALUES (?, ?, ?)",
                        [(i, text[: len(text) // 3] or None, text[len(text) // 3:]) for i, text in enumerate(texts)])
        sql, params = q._term_conditions([term], "i")
        found = sorted(r[0] for r in con.execute(f"SELECT id FROM items i WHERE {sql[0]}", params).fetchall())
        pattern = q.search_pattern(term)
        alone = sorted(r[0] for r in con.execute(
            "SELECT id FROM items i WHERE regexp_matches(i.title, ?) OR regexp_matches(i.text, ?)",
            [pattern, pattern]).fetchall())
    assert found == alone

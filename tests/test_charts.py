"""dashboard/charts.py: pure chart builders, checked on figure_dict(fig)."""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard import charts
from dashboard_fixtures import APP, figure_dict, synthetic_db  # noqa: F401  (fixture)

NOTE = charts.source_note(filters_text="2025-01-01 to 2025-03-31 · headlines counted", items=1234)
SHOWN_NOTE = "<br>".join(charts.wrap_note(NOTE))  # as the figure shows it: in lines that fit a phone


def _layout_texts(fig) -> tuple[str, str, str, list[str]]:
    layout = figure_dict(fig)["layout"]
    return (layout["title"]["text"], layout["xaxis"]["title"]["text"], layout["yaxis"]["title"]["text"],
            [a["text"] for a in layout.get("annotations", [])])


def _volume_frame() -> pd.DataFrame:
    periods = pd.to_datetime(["2025-01-06", "2025-01-13", "2025-01-20"])
    return pd.DataFrame({
        "period": list(periods) * 2,
        "key": ["migration"] * 3 + ["air_defence"] * 3,
        "items": [1, 0, 4, 2, 2, 2],
        "share": [0.25, 0.0, 0.5, 0.5, 1.0, 0.25],
    })


def test_source_note_names_the_filters_and_the_store():
    assert NOTE == "2025-01-01 to 2025-03-31 · headlines counted · Source: Flankwatch store, 1,234 items"


def test_volume_chart_has_a_line_per_theme_in_taxonomy_colours():
    fig = charts.volume_chart(
        _volume_frame(), x="period", y="items", series="key",
        labels={"migration": "Irregular migration & border", "air_defence": "Air & missile defence"},
        colours={"migration": "#117733", "air_defence": "#88CCEE"},
        title="Theme coverage per week", x_title="Week", y_title="Items", note=NOTE,
    )
    data = figure_dict(fig)["data"]
    assert [t["name"] for t in data] == ["Air &amp; missile defence", "Irregular migration &amp; border"]
    assert [t["line"]["color"] for t in data] == ["#88CCEE", "#117733"]
    assert list(data[1]["y"]) == [1, 0, 4]
    title, x_title, y_title, notes = _layout_texts(fig)
    assert title.startswith("<b>Theme coverage per week</b><br>") and (x_title, y_title) == ("Week", "Items")
    assert "<span style='color:#117733'>━</span> Irregular migration &amp; border" in title  # the key, not a legend
    assert figure_dict(fig)["layout"]["showlegend"] is False
    assert notes == ["2025-01-01 to 2025-03-31 · headlines counted<br>Source: Flankwatch store, 1,234 items"]


def test_volume_chart_share_uses_percent_ticks():
    fig = charts.volume_chart(_volume_frame(), x="period", y="share", series="key", labels={}, colours={},
                              title="Share", x_title="Week", y_title="Share of items", note=NOTE, share=True)
    assert figure_dict(fig)["layout"]["yaxis"]["tickformat"] == ".0%"
    assert [t["line"]["color"] for t in figure_dict(fig)["data"]] == [charts.FALLBACK_COLOUR] * 2


def test_article_text_is_escaped_for_plotly():
    hostile = "<script>alert(1)</script> & <a href='javascript:x'>link</a>"
    assert charts.plain(hostile) == (
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;a href='javascript:x'&gt;link&lt;/a&gt;")
    assert charts.plain("  many   spaces\nand lines ", limit=12) == "many spaces…"
    assert charts.plain(None) == "" and charts.plain(float("nan")) == ""


def test_trend_chart_rings_and_labels_spikes_with_their_headlines():
    periods = pd.to_datetime(["2025-01-06", "2025-01-13", "2025-01-20", "2025-01-27"])
    data = pd.DataFrame({"period": periods, "items": [1, 1, 9, 2], "rolling": [1, 1, 11 / 3, 13 / 4],
                         "spike": [False, False, True, False], "zscore": [0, 0, 8, 0]})
    headlines = pd.DataFrame({"period": [periods[2]] * 2, "title": ["<b>Drones</b> over Vilnius", "Second"],
                              "rank": [1, 2]})
    fig = charts.trend_chart(data, x="period", y="items", rolling="rolling", spike="spike", headlines=headlines,
                             colour="#88CCEE", series_label="Air & missile defence", title="Air defence",
                             x_title="Week", y_title="Items", note=NOTE)
    traces = figure_dict(fig)["data"]
    assert [t["type"] for t in traces] == ["bar", "scatter", "scatter"]
    assert [t["name"] for t in traces] == ["Air &amp; missile defence: items", "Rolling average", "Spike"]
    spike = traces[2]
    assert list(spike["y"]) == [9]
    assert "• &lt;b&gt;Drones&lt;/b&gt; over Vilnius<br>• Second" in spike["customdata"][0]
    notes = _layout_texts(fig)[3]
    assert "&lt;b&gt;Drones&lt;/b&gt;<br>over Vilnius<br>(+1)" in notes and SHOWN_NOTE in notes


def test_trend_chart_without_spikes_has_no_spike_trace():
    periods = pd.to_datetime(["2025-01-06", "2025-01-13"])
    data = pd.DataFrame({"period": periods, "items": [1, 2], "rolling": [1, 1.5], "spike": [False, False],
                         "zscore": [0, 0]})
    fig = charts.trend_chart(data, x="period", y="items", rolling="rolling", spike="spike",
                             headlines=pd.DataFrame(columns=["period", "title", "rank"]), colour="#000000",
                             series_label="X", title="X", x_title="Week", y_title="Items", note=NOTE)
    assert [t["name"] for t in figure_dict(fig)["data"]] == ["X: items", "Rolling average"]


def test_compare_chart_pairs_the_periods():
    data = pd.DataFrame({"key": ["migration", "belarus"], "share_first": [0.1, 0.3], "share_second": [0.4, 0.2]})
    fig = charts.compare_chart(data, series="key", first="share_first", second="share_second",
                               first_label="2024", second_label="2025", labels={"migration": "Migration"},
                               title="Compare", x_title="Share of items", note=NOTE)
    first, second = figure_dict(fig)["data"]
    assert (first["name"], second["name"]) == ("2024", "2025")
    assert list(first["y"]) == ["belarus", "Migration"] and list(second["x"]) == [0.2, 0.4]
    assert figure_dict(fig)["layout"]["barmode"] == "group"


@pytest.mark.parametrize("row, expected", [
    ({"value": 2.0, "value_high": None, "year": None, "year_high": None, "kind": "actual"}, "2 %"),
    ({"value": 2.5, "value_high": None, "year": 2030, "year_high": None, "kind": "target"}, "2.5 % by 2030"),
    ({"value": 5.0, "value_high": 6.0, "year": 2026, "year_high": 2030, "kind": "target"}, "5–6 % 2026–2030"),
    ({"value": 2.14, "value_high": None, "year": 2018, "year_high": None, "kind": "actual"}, "2.14 % in 2018"),
    ({"value": None, "value_high": None, "year": 2027, "year_high": None, "kind": "target"}, "? % by 2027"),
])
def test_spending_labels(row, expected):
    frame = pd.DataFrame([row]).astype({"year": "Int64", "year_high": "Int64", "value": float, "value_high": float})
    assert charts.spending_labels(frame).tolist() == [expected]


def _revision_frame() -> pd.DataFrame:
    """Lithuania's revisions: 2 % (2018), 2.5 % by 2030 (2021), 5–6 % for 2026–2030 (2025)."""
    frame = pd.DataFrame({
        "claim_id": ["c1", "c2", "c3", "c4"],
        "group": ["Lithuania", "Lithuania", "Lithuania", "Latvia"],
        "stated": pd.to_datetime(["2018-02-15", "2021-06-14", "2025-01-10", "2024-05-01"]),
        "value": [2.0, 2.5, 5.0, 3.0], "value_high": [np.nan, np.nan, 6.0, np.nan],
        "year": pd.array([None, 2030, 2026, 2025], dtype="Int64"),
        "year_high": pd.array([None, None, 2030, None], dtype="Int64"),
        "kind": ["actual", "target", "target", "target"],
        "speaker": ["the minister", None, "<i>the president</i>", None],
        "outlet": ["LRT", "LRT", None, "LSM"], "title": ["A", "B", "C", "D"],
        "symbol": ["diamond", "circle", "circle", "circle"],
    })
    frame = frame.assign(label=charts.spending_labels(frame))
    return frame.assign(hover=charts.claim_hovers(frame))


def test_claims_chart_joins_each_actors_revisions_and_draws_ranges():
    frame = _revision_frame()
    fig = charts.claims_chart(frame, x="stated", y="value", y_high="value_high", actor="group", label="label",
                              key="claim_id", hover="hover", symbol="symbol",
                              colours={"Lithuania": "#C8553D", "Latvia": "#2F5D8A"},
                              title="Defence-spending claims by actor", x_title="Date stated",
                              y_title="Share of GDP (%)", note=NOTE)
    traces = figure_dict(fig)["data"]
    lines = [t for t in traces if t["mode"] == "lines"]
    assert [t["name"] for t in lines] == ["Latvia", "Lithuania"]
    assert list(lines[1]["y"]) == [2.0, 2.5, 5.0]  # joined in the order stated
    points = [t for t in traces if t["mode"].startswith("markers") and t["name"] == "Lithuania"]
    by_symbol = {t["marker"]["symbol"]: t for t in points}
    assert list(by_symbol["diamond"]["customdata"]) == ["c1"]
    targets = by_symbol["circle"]
    assert list(targets["customdata"]) == ["c2", "c3"]
    assert list(targets["error_y"]["array"]) == [0.0, 1.0] and list(targets["error_y"]["arrayminus"]) == [0, 0]
    assert list(targets["text"]) == ["2.5 % by 2030", "5–6 % 2026–2030"]
    assert "said by &lt;i&gt;the president&lt;/i&gt;" in targets["hovertext"][1]
    assert all(not t.get("showlegend", True) for t in points)
    assert figure_dict(fig)["layout"]["clickmode"] == "event+select"


def test_claim_hovers_leave_out_what_is_missing():
    hover = _revision_frame()["hover"].tolist()
    assert hover[0] == "<b>Lithuania</b>: 2 %<br>said by the minister<br>stated 2018-02-15 · LRT<br>A"
    assert hover[1] == "<b>Lithuania</b>: 2.5 % by 2030<br>stated 2021-06-14 · LRT<br>B"


@pytest.mark.parametrize("details, name, expected", [
    ('{"place": "Rukla", "size": 500}', "place", "Rukla"),
    ({"place": "Tapa"}, "place", "Tapa"),
    ("not json", "place", None),
    ('["a list"]', "place", None),
    (None, "place", None),
])
def test_details_field(details, name, expected):
    assert charts.details_field(details, name) == expected


def test_topic_map_uses_webgl_and_a_colour_per_topic():
    data = pd.DataFrame({"x": [0.0, 1.0, 5.0], "y": [0.0, 1.0, 5.0], "topic_id": ["1", "1", "2"],
                         "label": ["radar", "radar", "fence"], "title": ["T1", "<T2>", "T3"]})
    fig = charts.topic_map_chart(data, x="x", y="y", topic="topic_id", label="label", hover="title",
                                 colours={"1": "#111111", "2": "#222222"}, title="Map", note=NOTE)
    traces = figure_dict(fig)["data"]
    assert [t["type"] for t in traces] == ["scattergl", "scattergl"]
    assert [t["marker"]["color"] for t in traces] == ["#111111", "#222222"]
    assert list(traces[0]["customdata"]) == ["T1", "&lt;T2&gt;"]


def test_palette_colours_prefer_the_taxonomy_and_never_depend_on_the_others():
    colours = charts.palette_colours(["migration", "Lithuania", "Somewhere"], known={"migration": "#117733"})
    assert colours["migration"] == "#117733" and colours["Lithuania"] == "#E69F00"
    alone = charts.palette_colours(["Somewhere"])
    assert alone["Somewhere"] == colours["Somewhere"] in charts.PALETTE


def test_empty_figure_says_why():
    fig = charts.empty_figure(title="Nothing", message="No items <here>", note=NOTE)
    assert _layout_texts(fig)[3] == ["No items &lt;here&gt;", SHOWN_NOTE]
    assert figure_dict(fig)["data"] == []


def test_every_chart_has_title_axes_and_note():
    """The briefing rule: a chart exported alone still says what, where from and for which filters."""
    figures = [
        charts.volume_chart(_volume_frame(), x="period", y="items", series="key", labels={}, colours={},
                            title="T", x_title="Week", y_title="Items", note=NOTE),
        charts.claims_chart(_revision_frame(), x="stated", y="value", y_high="value_high", actor="group",
                            label="label", key="claim_id", hover="hover", symbol="symbol", colours={}, title="T",
                            x_title="Date stated", y_title="Share of GDP (%)", note=NOTE),
    ]
    for fig in figures:
        title, x_title, y_title, notes = _layout_texts(fig)
        assert title and x_title and y_title and SHOWN_NOTE in notes
        assert figure_dict(fig)["layout"]["paper_bgcolor"] == "#FFFFFF"


def test_dates_on_the_x_axis_are_dates():
    frame = _volume_frame()
    fig = charts.volume_chart(frame, x="period", y="items", series="key", labels={}, colours={}, title="T",
                              x_title="Week", y_title="Items", note=NOTE)
    assert pd.Timestamp(figure_dict(fig)["data"][0]["x"][0]).date() == date(2025, 1, 6)


# -- periods and short ranges ------------------------------------------------------------------


def _quarterly_frame() -> pd.DataFrame:
    periods = pd.to_datetime(["2024-10-01", "2025-01-01", "2025-04-01"])
    return pd.DataFrame({
        "period": list(periods) * 2,
        "key": ["migration"] * 3 + ["belarus"] * 3,
        "items": [1, 6, 2, 0, 3, 9],
        "total": [1, 10, 12, 1, 10, 12],
        "share": [1.0, 0.6, 2 / 12, 0.0, 0.3, 0.75],
    })


@pytest.mark.parametrize("period, freq, expected", [
    ("2025-10-27", "day", "2025-10-27"),
    ("2025-10-20", "week", "week of 2025-10-20"),
    ("2025-10-01", "month", "Oct 2025"),
    ("2025-10-01", "quarter", "2025 Q4"),
    ("2025-04-01", "quarter", "2025 Q2"),
    ("2025-01-01", "year", "2025"),
])
def test_periods_are_named_as_an_analyst_writes_them(period, freq, expected):
    assert charts.period_label(pd.Timestamp(period), freq) == expected


def test_small_multiples_draw_a_panel_per_theme_biggest_on_top():
    fig = charts.small_multiples_chart(
        _quarterly_frame(), x="period", y="items", series="key",
        labels={"migration": "Irregular migration & border", "belarus": "Belarus"},
        colours={"migration": "#117733", "belarus": "#882255"}, title="Theme coverage per quarter",
        x_title="Quarter", y_title="Items", note=NOTE, freq="quarter",
    )
    spec = figure_dict(fig)
    bars = spec["data"]
    assert [(t["type"], t["name"], t["marker"]["color"]) for t in bars] == [
        ("bar", "Belarus", "#882255"), ("bar", "Irregular migration &amp; border", "#117733")]
    assert (bars[0]["yaxis"], bars[1]["yaxis"]) == ("y2", "y")  # Belarus (12 items) in the top panel
    assert bars[1]["y"] == [1, 6, 2]
    assert spec["layout"]["showlegend"] is False  # the panels are named; no legend to decode
    panel_names = [a["text"] for a in spec["layout"]["annotations"] if "■" in a["text"]]
    assert panel_names == ["<span style='color:#882255'>■</span> <b>Belarus</b>",
                           "<span style='color:#117733'>■</span> <b>Irregular migration &amp; border</b>"]
    assert spec["layout"]["yaxis2"]["matches"] == "y"  # one scale: panels compare
    assert spec["layout"]["xaxis"]["ticktext"] == ["2024 Q4", "2025 Q1", "2025 Q2"]
    assert spec["layout"]["xaxis"]["title"]["text"] == "Quarter" and not spec["layout"]["xaxis2"]["title"]["text"]
    assert bars[1]["customdata"][1] == ["2025 Q1", "6", "10"]


def test_a_share_needs_enough_items_and_says_its_n():
    fig = charts.small_multiples_chart(
        _quarterly_frame(), x="period", y="share", series="key", labels={}, colours={}, title="Share",
        x_title="Quarter", y_title="Share of items", note=NOTE, freq="quarter", share=True, min_total=5,
    )
    traces = figure_dict(fig)["data"]
    migration = next(t for t in traces if t["type"] == "bar" and t["name"] == "migration")
    assert np.isnan(migration["y"][0]) and migration["y"][1:] == pytest.approx([0.6, 2 / 12])  # 1 item is not 100 %
    low = next(t for t in traces if t["name"] == "migration: too few items")
    assert low["y"] == [0] and low["marker"]["color"] == charts.LOW_COUNT
    assert "only %{customdata[2]:,d} items in all, fewer than 5" in low["hovertemplate"]
    assert "of %{customdata[2]:,d} items" in migration["hovertemplate"]
    layout = figure_dict(fig)["layout"]
    assert layout["yaxis"]["tickformat"] == ".0%" and layout["yaxis"]["range"][1] == pytest.approx(0.75 * 1.12)


def test_stacked_bars_split_the_items_of_each_period():
    fig = charts.stacked_volume_chart(
        _quarterly_frame(), x="period", y="items", series="key", labels={"belarus": "Belarus"},
        colours={"belarus": "#882255"}, title="Topics", x_title="Quarter", y_title="Items", note=NOTE,
        freq="quarter",
    )
    spec = figure_dict(fig)
    assert spec["layout"]["barmode"] == "stack"
    assert [t["name"] for t in spec["data"]] == ["Belarus", "migration"]
    assert spec["data"][0]["customdata"][2] == ["2025 Q2", "9", "11"]  # 9 of the quarter's 11 items


def test_one_period_is_a_labelled_bar_not_a_millisecond():
    """'Last 30 days' per month: one bar, ticked 'Oct 2025', never 23:59:59.999."""
    one = pd.DataFrame({"period": pd.to_datetime(["2025-10-01"]), "key": ["belarus"], "items": [2], "total": [3],
                        "share": [2 / 3]})
    fig = charts.small_multiples_chart(one, x="period", y="items", series="key", labels={}, colours={},
                                       title="T", x_title="Month", y_title="Items", note=NOTE, freq="month")
    spec = figure_dict(fig)
    axis, bar = spec["layout"]["xaxis"], spec["data"][0]
    assert axis["type"] == "date" and axis["ticktext"] == ["Oct 2025"]
    assert axis["tickvals"] == ["2025-10-16 12:00:00"] and [pd.Timestamp(x) for x in bar["x"]] == [
        pd.Timestamp("2025-10-16 12:00")]  # the bar stands in the middle of its month
    assert bar["width"] == [pytest.approx(0.8 * 31 * charts.DAY_MS)]
    assert axis["range"] == ["2025-09-15 12:00:00", "2025-11-16 12:00:00"]  # half a month either side


def test_points_on_one_day_get_a_padded_axis_ticked_by_the_day():
    frame = _revision_frame().assign(stated=pd.Timestamp("2025-01-10"))
    fig = charts.claims_chart(frame, x="stated", y="value", y_high="value_high", actor="group", label="label",
                              key="claim_id", hover="hover", symbol="symbol", colours={}, title="T",
                              x_title="Date stated", y_title="Share of GDP (%)", note=NOTE)
    axis = figure_dict(fig)["layout"]["xaxis"]
    assert axis["range"] == ["2025-01-07 00:00:00", "2025-01-13 00:00:00"]
    assert (axis["tickvals"], axis["ticktext"]) == (["2025-01-10 00:00:00"], ["2025-01-10"])


@pytest.mark.parametrize("days, expected", [(5, "%d %b %Y"), (200, "%b %Y"), (2000, "%Y")])
def test_long_date_axes_tick_whole_days_months_or_years(days, expected):
    dates = pd.date_range("2020-01-01", periods=2, freq=f"{days}D")
    axis = figure_dict(charts.fit_date_axis(go.Figure(), dates))["layout"]["xaxis"]
    assert axis["tickformat"] == expected and ("dtick" in axis) == (days < 14)


def test_trend_chart_names_its_periods():
    data = pd.DataFrame({"period": pd.to_datetime(["2025-01-01", "2025-04-01"]), "items": [3, 4],
                         "rolling": [3, 3.5], "spike": [False, False], "zscore": [0, 0]})
    fig = charts.trend_chart(data, x="period", y="items", rolling="rolling", spike="spike",
                             headlines=pd.DataFrame(columns=["period", "title", "rank"]), colour="#000000",
                             series_label="X", title="X", x_title="Quarter", y_title="Items", note=NOTE,
                             freq="quarter", subtitle="Bars: items;\nline: rolling average")
    spec = figure_dict(fig)
    assert spec["data"][0]["customdata"] == ["2025 Q1", "2025 Q2"]
    assert spec["layout"]["xaxis"]["ticktext"] == ["2025 Q1", "2025 Q2"]
    assert spec["layout"]["showlegend"] is False  # the subtitle says what bars and line are
    assert "Bars: items;<br>line: rolling average" in spec["layout"]["title"]["text"]


def test_spike_labels_near_an_edge_grow_inwards():
    periods = pd.date_range("2024-01-01", periods=24, freq="MS")
    spike = [m in (1, 12, 24) for m in range(1, 25)]
    data = pd.DataFrame({"period": periods, "items": [9 if s else 1 for s in spike], "rolling": [1.0] * 24,
                         "spike": spike, "zscore": [8 if s else 0 for s in spike]})
    headlines = pd.DataFrame({"period": periods[[0, 11, 23]], "title": ["First", "Middle", "Last"], "rank": [1] * 3})
    fig = charts.trend_chart(data, x="period", y="items", rolling="rolling", spike="spike", headlines=headlines,
                             colour="#000000", series_label="X", title="X", x_title="Month", y_title="Items",
                             note=NOTE, freq="month")
    labels = {a["text"]: a.get("xanchor") for a in figure_dict(fig)["layout"]["annotations"] if a.get("showarrow")}
    assert labels == {"First": "left", "Middle": "center", "Last": "right"}


# -- phone and narrow screens: text wrapped by character count, keys instead of legends ---------------


@pytest.mark.parametrize("text, width, expected", [
    ("", 10, []),
    ("short", 10, ["short"]),
    ("one two three four", 9, ["one two", "three", "four"]),
    ("Air &amp; missile defence", 12, ["Air &amp;", "missile", "defence"]),  # &amp; is one character
    ("Supercalifragilistic word", 8, ["Supercalifragilistic", "word"]),  # a long word stays whole
])
def test_wrap_counts_what_is_shown(text, width, expected):
    assert charts.wrap(text, width) == expected


def test_a_note_breaks_between_its_parts():
    assert charts.wrap_note(NOTE, 64) == ["2025-01-01 to 2025-03-31 · headlines counted",
                                          "Source: Flankwatch store, 1,234 items"]
    assert charts.wrap_note("a · b · c", 64) == ["a · b · c"]


def test_a_key_packs_its_entries_into_lines():
    lines = charts.key_lines([("Lithuania", "#111111"), ("Latvia", "#222222"), ("Estonia", "#333333")],
                             title="Actor", width=24)
    assert lines == ["<b>Actor:</b>   <span style='color:#111111'>■</span> Lithuania",
                     "<span style='color:#222222'>■</span> Latvia   <span style='color:#333333'>■</span> Estonia"]


def _every_chart() -> list[go.Figure]:
    long_note = charts.source_note(filters_text="2024-01-01 – 2025-10-27 · themes: Irregular migration & border, "
                                   "Belarus, Air & missile defence · sources: LRT, ERR · headlines counted", items=12345)
    quarters = _quarterly_frame()
    return [
        charts.volume_chart(_volume_frame(), x="period", y="items", series="key", labels={}, colours={},
                            title="Theme coverage per week in the whole store", x_title="Week", y_title="Items",
                            note=long_note),
        charts.small_multiples_chart(quarters, x="period", y="items", series="key", labels={}, colours={},
                                     title="Theme coverage per quarter", x_title="Quarter", y_title="Items",
                                     note=long_note, freq="quarter", subtitle="Items per quarter, a panel per theme"),
        charts.stacked_volume_chart(quarters, x="period", y="items", series="key", labels={}, colours={},
                                    title="Items per quarter in 5 discovered topics", x_title="Quarter",
                                    y_title="Items", note=long_note, freq="quarter", legend_title="Topic"),
        charts.claims_chart(_revision_frame(), x="stated", y="value", y_high="value_high", actor="group",
                            label="label", key="claim_id", hover="hover", symbol="symbol", colours={},
                            title="Deployment claims by nation", x_title="Date stated", y_title="Size",
                            note=long_note, legend_title="Nation"),
        charts.compare_chart(pd.DataFrame({"key": ["a", "b"], "first": [0.1, 0.2], "second": [0.3, 0.1]}),
                             series="key", first="first", second="second",
                             first_label="2025-05-01 – 2025-07-29 (4 items)",
                             second_label="2025-07-30 – 2025-10-27 (11 items)",
                             labels={"a": "Energy & critical infrastructure", "b": "Belarus"},
                             title="Themes: share of coverage in two periods", x_title="Share of items",
                             note=long_note),
        charts.empty_figure(title="Nothing", message="No items", note=long_note),
    ]


def _lines(text: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]*>", "", line)) for line in text.split("<br>")]


def test_no_chart_has_a_legend_and_its_text_fits_a_phone():
    """A figure cannot know the screen: every line is short enough for a 358 px chart, the colour key
    is text under the title (no legend beside or over the plot), and the margins hold every line."""
    for fig in _every_chart():
        layout = figure_dict(fig)["layout"]
        assert layout["showlegend"] is False
        title = layout["title"]["text"]
        bold, _, rest = title.partition("</b>")
        assert all(len(line) <= charts.TITLE_CHARS for line in _lines(bold)), bold
        assert all(len(line) <= charts.SUBTITLE_CHARS for line in _lines(rest)), rest
        assert layout["margin"]["t"] >= charts.top_margin(title.count("<br>") + 1)
        note = layout["annotations"][-1]
        assert all(len(line) <= charts.NOTE_CHARS for line in _lines(note["text"]))
        assert layout["margin"]["b"] >= 82 + charts.NOTE_LINE_PX * (note["text"].count("<br>") + 1)
        assert note["x"] == 0 and note["xshift"] == -(layout["margin"]["l"] - 10)  # from the figure's left edge
        if "xaxis" in layout and layout["xaxis"].get("title", {}).get("text"):
            assert all(len(line) <= charts.NOTE_CHARS for line in _lines(layout["xaxis"]["title"]["text"]))


def test_spike_and_point_labels_come_in_short_lines():
    periods = pd.date_range("2024-01-01", periods=24, freq="MS")
    spike = [m in (6, 12, 18) for m in range(1, 25)]
    data = pd.DataFrame({"period": periods, "items": [9 if s else 1 for s in spike], "rolling": [1.0] * 24,
                         "spike": spike, "zscore": [8 if s else 0 for s in spike]})
    headlines = pd.DataFrame({"period": periods[[5, 11, 17]], "rank": [1] * 3,
                              "title": ["Estonia plans defence spending of 3.2 percent of GDP next year"] * 3})
    fig = charts.trend_chart(data, x="period", y="items", rolling="rolling", spike="spike", headlines=headlines,
                             colour="#000000", series_label="X", title="X", x_title="Month", y_title="Items",
                             note=NOTE, freq="month")
    layout = figure_dict(fig)["layout"]
    labels = [a for a in layout["annotations"] if a.get("showarrow")]
    ceiling = layout["yaxis"]["range"][1]
    assert ceiling > 9 * 1.4  # a band above the highest bar for the labels
    rows = [a["ay"] for a in labels]  # in the band, in data units; neighbours on alternate rows
    assert len(labels) == 3 and all(a["ayref"] == "y" and a["yanchor"] == "top" for a in labels)
    assert rows[0] == rows[2] > rows[1] > 9 and rows[0] < ceiling
    assert all(len(line) <= charts.SPIKE_LABEL_CHARS for a in labels for line in _lines(a["text"]))
    assert layout["showlegend"] is False and "Rolling average" in layout["title"]["text"]  # keyed, no subtitle

    frame = _revision_frame().assign(label="4 battalions in Estonia, Latvia, Lithuania and Poland")
    fig = charts.claims_chart(frame, x="stated", y="value", y_high="value_high", actor="group", label="label",
                              key="claim_id", hover="hover", symbol="symbol", colours={}, title="T",
                              x_title="Date stated", y_title="Size", note=NOTE)
    points = [t for t in figure_dict(fig)["data"] if t["mode"].startswith("markers")]
    assert all(len(line) <= charts.POINT_LABEL_CHARS for t in points for text in t["text"] for line in _lines(text))
    positions = {p for t in points for p in t["textposition"]}
    assert positions <= {"top right", "top center", "top left"} and {"top right", "top left"} <= positions


_WARM_UP_PROBE = """
import sys
from streamlit.testing.v1 import AppTest
from dashboard import charts

charts.warm_up()
loaded = {name for name in sys.modules if name.startswith(("plotly", "_plotly_utils"))}
for page in (None, "views/trends.py", "views/claims.py", "views/topics.py"):
    at = AppTest.from_file(sys.argv[1], default_timeout=120)
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.get("plotly_chart"), page
new = sorted(name for name in sys.modules if name.startswith(("plotly", "_plotly_utils")) and name not in loaded)
print("\\n".join(new))
"""


def test_the_warm_up_loads_every_part_of_plotly_the_chart_pages_use(synthetic_db):  # noqa: F811
    """`flankwatch serve` warms plotly up at start-up: the first page's charts then import nothing."""
    import os
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _WARM_UP_PROBE, str(APP)], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1], timeout=600,
                          env={**os.environ, "FLANKWATCH_DB": str(synthetic_db)})
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == []

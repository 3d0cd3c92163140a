"""dashboard/charts.py: pure chart builders, checked on figure_dict(fig)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from dashboard import charts
from dashboard_fixtures import figure_dict

NOTE = charts.source_note(filters_text="2025-01-01 to 2025-03-31 · headlines counted", items=1234)


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
    assert title == "<b>Theme coverage per week</b>" and (x_title, y_title) == ("Week", "Items")
    assert notes == [NOTE]


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
    assert "&lt;b&gt;Drones&lt;/b&gt; over Vilnius (+1)" in notes and NOTE in notes


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


def test_palette_colours_prefer_the_taxonomy():
    colours = charts.palette_colours(["migration", "x", "y"], known={"migration": "#117733"})
    assert colours == {"migration": "#117733", "x": charts.PALETTE[0], "y": charts.PALETTE[1]}
    many = charts.palette_colours([str(n) for n in range(40)])
    assert len(many) == 40 and many["0"] == many[str(len(charts.PALETTE))]


def test_empty_figure_says_why():
    fig = charts.empty_figure(title="Nothing", message="No items <here>", note=NOTE)
    assert _layout_texts(fig)[3] == ["No items &lt;here&gt;", NOTE]
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
        assert title and x_title and y_title and NOTE in notes
        assert figure_dict(fig)["layout"]["paper_bgcolor"] == "#FFFFFF"


def test_dates_on_the_x_axis_are_dates():
    frame = _volume_frame()
    fig = charts.volume_chart(frame, x="period", y="items", series="key", labels={}, colours={}, title="T",
                              x_title="Week", y_title="Items", note=NOTE)
    assert pd.Timestamp(figure_dict(fig)["data"][0]["x"][0]).date() == date(2025, 1, 6)

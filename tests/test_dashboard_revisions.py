"""The revisions chart (dashboard/revisions.py), tested on fig.to_dict(): a step line of the current
target per actor panel, ranges as bands, changes annotated with a link to the article, actuals as
points at the year they are for, and no actor colour legend."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.revisions import is_target, target_revisions
from dashboard import revisions as rc
from dashboard_fixtures import figure_dict
from test_revisions import A, T, claims


def _lithuania_and_latvia() -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = pd.concat([
        claims(("2018-07-12", T, 2.5, None, 2030, None, "broadcaster.example.org"),
               ("2019-05-26", T, 2.0, None, None, None),
               ("2022-03-15", T, 2.5, None, 2023, None),
               ("2025-01-16", A, 5.0, 6.0, 2026, 2030, "Baltic Demo Wire"),
               ("2025-03-07", A, 3.0, None, 2025, None),
               ("2021-05-01", A, 2.0, None, None, None)),
        claims(("2014-12-10", T, 2.0, None, 2020, None), ("2015-10-12", A, 1.4, None, 2016, None), actor="Latvia"),
    ], ignore_index=True)
    frame["claim_id"] = [f"c{i}" for i in range(len(frame))]
    frame["item_id"] = [f"i{i}" for i in range(len(frame))]
    actuals = frame[~is_target(frame)].assign(hover="level")
    return target_revisions(frame), actuals


def _figure(**options) -> dict:
    statements, actuals = _lithuania_and_latvia()
    defaults = dict(actors=["Lithuania", "Latvia"], unit="pct_gdp", until=pd.Timestamp("2025-10-27"),
                    title="Defence-spending claims by actor", note="all dates · Source: Flankwatch store, 9 items",
                    y_title="% of GDP", subtitle="Targets as revised")
    return figure_dict(rc.revisions_figure(statements, actuals, **{**defaults, **options}))


def _traces(fig: dict, actor: str, **match) -> list[dict]:
    return [t for t in fig["data"] if t.get("name") == actor and all(t.get(k) == v for k, v in match.items())]


def test_the_current_target_is_a_step_line_ending_on_the_last_day():
    fig = _figure()
    (line,) = [t for t in _traces(fig, "Lithuania", mode="lines") if t.get("line", {}).get("shape") == "hv"]
    # set 2.5 by 2030, brought forward to 2023, raised to 5–6 (drawn at its middle); the interim 2 % is no step
    assert line["y"] == [2.5, 2.5, 5.5, 5.5]
    assert [str(x)[:10] for x in line["x"]] == ["2018-07-12", "2022-03-15", "2025-01-16", "2025-10-27"]


def test_a_range_is_a_band_and_its_change_is_labelled_with_a_link_to_the_article():
    fig = _figure()
    (band,) = [t for t in _traces(fig, "Lithuania") if t.get("fill") == "toself"]
    assert sorted({y for y in band["y"] if y == y}) == [5.0, 6.0]
    notes = [a for a in fig["layout"]["annotations"] if a.get("name", "").startswith("revision:")]
    texts = [a["text"] for a in notes]
    newest = next(t for t in texts if "5–6" in t)
    assert "raised from 2.5 % by 2023 to 5–6 % for 2026–2030" in newest
    assert "2025-01-16 · Baltic Demo Wire" in newest
    assert "<a href='articles?item=i3' target='_blank'>" in newest
    assert all(a["showarrow"] and a["xref"].endswith(" domain") and a["axref"] == a["xref"] for a in notes)


def test_only_the_newest_changes_are_written_on_a_panel():
    fig = _figure(annotate=2)
    notes = [a["text"] for a in fig["layout"]["annotations"] if a.get("name", "").startswith("revision:")]
    assert len(notes) == 3  # two for Lithuania (of three changes), one for Latvia
    assert not any("set at 2.5 % by 2030" in n for n in notes)


def test_actuals_are_points_at_the_year_they_are_for():
    fig = _figure()
    (points,) = [t for t in _traces(fig, "Lithuania", mode="markers") if t["marker"].get("symbol") == "diamond"]
    assert points["y"] == [3.0, 2.0]
    assert [str(x)[:10] for x in points["x"]] == ["2025-07-02", "2021-05-01"]  # mid-2025; a yearless level on its day
    assert list(points["customdata"]) == ["c4", "c5"]


def test_every_statement_point_leads_back_to_its_claim():
    fig = _figure()
    clickable = [str(c) for t in _traces(fig, "Lithuania", mode="markers") for c in t["customdata"]]
    assert sorted(clickable) == ["c0", "c1", "c2", "c3", "c4", "c5"]


def test_panels_are_titled_by_actor_and_no_actor_has_a_legend_entry():
    fig = _figure(columns=2)
    titles = [a["text"] for a in fig["layout"]["annotations"] if a.get("xref") == "paper" and "<b>" in a["text"]]
    assert titles == ["<b>Lithuania</b>", "<b>Latvia</b>"]
    legend = [t["name"] for t in fig["data"] if t.get("showlegend")]
    assert legend == [name for name, _, _ in rc.LEGEND]
    assert "xaxis2" in fig["layout"] and fig["layout"]["xaxis2"]["matches"] == "x"
    assert fig["layout"]["yaxis"]["title"]["text"] == "% of GDP"
    assert fig["layout"]["title"]["text"].startswith("<b>Defence-spending claims by actor</b>")


@pytest.mark.parametrize("columns, rows", [(1, 2), (2, 1), (3, 1)])
def test_panels_per_row(columns, rows):
    fig = _figure(columns=columns)
    assert fig["layout"]["height"] == 144 + 18 + 80 + rc.PANEL_HEIGHT * rows


def test_the_y_axis_leaves_the_top_to_the_notes_and_ticks_only_the_data():
    fig = _figure()
    assert fig["layout"]["yaxis"]["range"] == [0.0, 12.0]  # the data's top, 6 %, is half the panel
    assert fig["layout"]["yaxis"]["tickvals"] == [0, 2, 4, 6, 8]


def test_hostile_text_is_escaped():
    statements, actuals = _lithuania_and_latvia()
    statements = statements.assign(source="<script>x</script>", summary="raised <b>")
    fig = figure_dict(rc.revisions_figure(statements, actuals, actors=["<i>Lithuania</i>"], unit="pct_gdp",
                                          until=pd.Timestamp("2025-10-27"), title="t", note="n", y_title="%"))
    texts = " ".join(a["text"] for a in fig["layout"]["annotations"])
    assert "<script>" not in texts and "&lt;i&gt;Lithuania&lt;/i&gt;" in texts


def test_panel_actors_most_claims_first_and_no_actor_is_refused():
    statements, actuals = _lithuania_and_latvia()
    assert rc.panel_actors(statements, actuals, limit=6) == ["Lithuania", "Latvia"]
    assert rc.panel_actors(statements, actuals, limit=1) == ["Lithuania"]
    with pytest.raises(ValueError, match="at least one actor"):
        rc.revisions_figure(statements, actuals, actors=[], unit="pct_gdp", until=pd.Timestamp("2025-01-01"),
                            title="t", note="n", y_title="%")


def _chain_figure(*rows: tuple) -> dict:
    frame = claims(*rows)
    return figure_dict(rc.revisions_figure(target_revisions(frame), frame.iloc[:0].assign(hover=""),
                                           actors=["Lithuania"], unit="pct_gdp", until=pd.Timestamp("2025-06-30"),
                                           title="t", note="n", y_title="%"))


def test_a_restated_target_adds_no_vertex_to_the_step_line():
    fig = _chain_figure(("2020-01-10", T, 2.0, None, 2024, None), ("2020-06-01", T, 2.0, None, 2024, None),
                        ("2021-02-01", T, 2.0, None, None, None), ("2022-05-05", T, 2.5, None, 2026, None),
                        ("2023-01-01", T, 2.5, None, 2026, None))
    (line,) = [t for t in _traces(fig, "Lithuania", mode="lines") if t.get("line", {}).get("shape") == "hv"]
    assert line["y"] == [2.0, 2.5, 2.5]
    assert [str(x)[:10] for x in line["x"]] == ["2020-01-10", "2022-05-05", "2025-06-30"]


def test_restatements_drawn_on_one_another_are_one_ring_that_counts_them():
    same_week = [(f"2022-03-0{day}", T, 2.0, None, 2024, None) for day in range(1, 6)]
    fig = _chain_figure(("2018-01-01", T, 2.0, None, 2024, None), *same_week, ("2022-03-03", T, 1.5, None, 2021, None),
                        ("2024-11-20", T, 2.0, None, 2024, None))
    (rings,) = [t for t in _traces(fig, "Lithuania", mode="markers") if t["marker"].get("symbol") == "circle-open"]
    # five restatements in one week are one ring, the newest's; the interim 1.5 % the same week and
    # the restatement of 2024 are rings of their own
    assert sorted(zip([str(x)[:10] for x in rings["x"]], rings["y"])) == [
        ("2022-03-03", 1.5), ("2022-03-05", 2.0), ("2024-11-20", 2.0)]
    hovers = dict(zip(rings["customdata"], rings["hovertext"]))
    assert "one of 5 statements of this level since 2022-03-01" in hovers["c5"]
    assert "one of" not in hovers["c7"]

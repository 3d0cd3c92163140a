"""The revisions chart: each actor's current spending target as a step line, its actual levels as
points, one small panel per actor. Tidy frames in, a plotly Figure out; no Streamlit here.

The frames come from :func:`analysis.revisions.target_revisions` (the statements) and the claims
query (the actual levels). Every drawn point carries its ``claim_id`` in customdata, so a click
leads back to the quote; each change is annotated with what changed, when and where, linked to
the article view.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analysis.revisions import CHANGE_KINDS, target_text
from dashboard.charts import FONT, GRID, INK, MUTED, NOTE_LINE_PX, plain, wrap_note

TARGET = "#2F5D8A"
TARGET_BAND = "rgba(47, 93, 138, 0.16)"
ACTUAL = "#C8553D"
QUIET = "#8C99A6"
PANEL_HEIGHT = 300
ROW_GAP = 80  # pixels between rows of panels: the x ticks and the next panel's title
NOTE_STEP = 0.16  # the height of one change note, as a share of a panel
DATA_SHARE = 0.5  # the data keep the lower half of a panel; the notes the upper
ARTICLE_URL = "articles?item={item_id}"  # the Articles page opens one item from its URL
# At most this many grey rings (restatements, interim levels) per panel, spread evenly over time:
# on a store of a million items a panel has thousands, which hide one another and slow the browser.
QUIET_LIMIT = 200
# Rings of the same level closer than 1/RING_SLOTS of the time axis are one ring (a panel is
# 300-700 px wide, a ring 7 px): its hover counts the statements it stands for.
RING_SLOTS = 80
LEGEND = (  # what the marks mean; the actor is each panel's title, so no colour stands for one
    ("Current target (a band for a range); dot: set or changed", dict(size=9, color=TARGET),
     dict(color=TARGET, width=2.4)),
    ("Target restated, or a lower interim level", dict(size=7, symbol="circle-open", color=QUIET), None),
    ("Level reached or budgeted, at the year it is for", dict(size=9, symbol="diamond", color=ACTUAL), None),
)
X_TITLE = "date stated · a level at the year it is for"
_DRAWN = ("actor", "date", "kind", "summary", "to_value", "to_value_high", "claim_id", "item_id", "source",
          "speaker", "title")
_LEVELS = ("actor", "value", "value_high", "year", "year_high", "stated", "claim_id", "hover")
_TOP = 76  # the title and the first row's panel titles (a subtitle adds _SUBTITLE)
_SUBTITLE = 18
_LEFT = 64  # the y ticks and axis title
# Under the panels, from the lowest one's bottom edge down: its x ticks and axis title, the source
# note (NOTE_LINE_PX a line), then the key, one entry a line, at the figure's bottom edge. A legend
# can be placed to the pixel only from an edge of the figure, and the note only from the panels;
# the bottom margin is in pixels, so the two stay apart however tall the figure is drawn (an image
# export is drawn EXPORT_HEIGHT high, whatever the layout's height).
_NOTE_SHIFT = 56
_KEY = 77  # the gap over the key and its three lines
_ARROW = {"raised": "▲", "lowered": "▼", "revised": "◆", "brought forward": "◀", "put back": "▶", "new": "●"}


def panel_actors(revisions: pd.DataFrame, actuals: pd.DataFrame, *, limit: int) -> list[str]:
    """The actors to draw, those with most target statements and levels first (ties by name)."""
    counts = pd.concat([revisions["actor"], actuals["actor"]]).dropna().value_counts()
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], str(pair[0])))
    return [str(actor) for actor, _ in ranked[:limit]]


def _actual_x(actuals: pd.DataFrame) -> pd.Series:
    """An actual level sits at the middle of the year (or period) it is for; without a year, on its day."""
    start = pd.to_numeric(actuals["year"], errors="coerce")
    end = pd.to_numeric(actuals["year_high"], errors="coerce").fillna(start) + 1
    first = pd.to_datetime(start.map("{:.0f}-01-01".format, na_action="ignore"), errors="coerce")
    last = pd.to_datetime(end.map("{:.0f}-01-01".format, na_action="ignore"), errors="coerce")
    return (first + (last - first) / 2).fillna(pd.to_datetime(actuals["stated"]))


def _hover(rows: pd.DataFrame, headline: pd.Series) -> np.ndarray:
    speaker = rows["speaker"].map(lambda s: f"<br>said by {plain(s)}" if isinstance(s, str) and s.strip() else "")
    source = rows["source"].map(lambda s: f" · {plain(s)}" if isinstance(s, str) and s else "")
    title = rows["title"].map(lambda t: f"<br>{plain(t, limit=60)}") if "title" in rows else ""
    day = pd.to_datetime(rows["date"]).dt.strftime("%Y-%m-%d")
    return (headline + "<br>" + day + source + speaker + title).to_numpy(object)


def _annotation(row: pd.Series, *, url: str) -> str:
    link = plain(url.format(item_id=row["item_id"]))
    source = f" · {plain(row['source'])}" if isinstance(row["source"], str) and row["source"] else ""
    return (f"<a href='{link}' target='_blank'>{_ARROW.get(row['kind'], '')} {plain(row['summary'])}</a>"
            f"<br><span style='color:{MUTED}'>{pd.Timestamp(row['date']):%Y-%m-%d}{source}</span>")


def revisions_figure(
    revisions: pd.DataFrame,
    actuals: pd.DataFrame,
    *,
    actors: Sequence[str],
    unit: str,
    until: pd.Timestamp,
    title: str,
    note: str,
    y_title: str,
    subtitle: str | None = None,
    columns: int = 2,
    annotate: int = 3,
    article_url: str = ARTICLE_URL,
    y_format: str = ",.2~f",
) -> go.Figure:
    """Small multiples, one panel per actor (its name as the panel title): the current target as a
    step line (a range as a band), labelled at each change, and the actual levels as diamonds.

    ``revisions`` is ``target_revisions`` output; ``actuals`` has actor, value, value_high, year,
    year_high, stated, claim_id, hover (ready-made, escaped). ``until`` ends the last step.
    Only the newest ``annotate`` changes of a panel are written on it (the table lists all).
    """
    actors = list(actors)
    if not actors:
        raise ValueError("revisions_figure needs at least one actor")
    columns = max(1, min(columns, len(actors)))
    rows = math.ceil(len(actors) / columns)
    plot_height = PANEL_HEIGHT * rows
    grid = make_subplots(rows=rows, cols=columns, subplot_titles=[f"<b>{plain(a)}</b>" for a in actors],
                         horizontal_spacing=0.08 if columns > 1 else 0.0,
                         vertical_spacing=ROW_GAP / plot_height if rows > 1 else 0.0)
    until = pd.Timestamp(until)
    # only the columns drawn: every subset of a wide frame of arrow strings copies all of them
    shown = revisions.loc[revisions["actor"].isin(actors), [c for c in _DRAWN if c in revisions.columns]]
    drawn = actuals.loc[actuals["actor"].isin(actors), [c for c in _LEVELS if c in actuals.columns]]
    x_range = _x_range(shown, drawn, until)
    data_top = _top(shown, drawn)
    y_range = (0.0, data_top / DATA_SHARE if annotate else data_top * 1.1)
    # The figure is built as plain dicts and validated once at the end: plotly checks every
    # property on each add_trace, add_annotation and update_*axes, a second or more for six panels.
    traces: list[dict] = []
    notes: list[dict] = []
    chains = dict(tuple(shown.groupby("actor", sort=False)))
    levels = dict(tuple(drawn.groupby("actor", sort=False)))
    for index, actor in enumerate(actors):
        refs = _axis_refs(index + 1)
        chain = chains.get(actor, shown.iloc[:0]).sort_values("date", kind="stable")
        panel = [*_target_traces(chain, actor=actor, until=until, x_range=x_range),
                 *_actual_traces(levels.get(actor, drawn.iloc[:0]), actor=actor)]
        traces += [{**trace, "xaxis": refs[0], "yaxis": refs[1]} for trace in panel]
        notes += _notes(chain, refs=refs, annotate=annotate, article_url=article_url, x_range=x_range,
                        y_range=y_range)
    for key_name, marker, line in LEGEND:
        traces.append(dict(type="scatter", x=[None], y=[None], name=key_name,
                           mode="lines+markers" if line else "markers", marker=marker, line=line or None,
                           hoverinfo="skip", showlegend=True))
    layout = grid.layout.to_plotly_json()
    _layout(layout, notes=notes, title=title, subtitle=subtitle, note=note, y_title=y_title, rows=rows,
            columns=columns, y_format=y_format, x_range=x_range, y_range=y_range, y_ticks=_ticks(data_top))
    return go.Figure(data=traces, layout=layout)


def _x_range(revisions: pd.DataFrame, actuals: pd.DataFrame, until: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Every statement and level, and half a year either side."""
    times = pd.concat([pd.to_datetime(revisions["date"]), _actual_x(actuals), pd.Series([until])]).dropna()
    pad = pd.Timedelta(days=182)
    return times.min() - pad, times.max() + pad


def _ticks(top: float) -> list[float]:
    """Round ticks up to the data's top only (the space above is the notes')."""
    rough = top / 4
    magnitude = 10 ** math.floor(math.log10(rough)) if rough > 0 else 1
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= rough)
    return [round(step * i, 10) for i in range(int(top // step) + 2)]


def _top(revisions: pd.DataFrame, actuals: pd.DataFrame) -> float:
    values = pd.concat([revisions["to_value"], revisions["to_value_high"], actuals["value"], actuals["value_high"]])
    top = pd.to_numeric(values, errors="coerce").max()
    return float(top) if top == top and top > 0 else 1.0


def _target_traces(chain: pd.DataFrame, *, actor: str, until: pd.Timestamp,
                   x_range: tuple[pd.Timestamp, pd.Timestamp]) -> list[dict]:
    """The step line (and bands) of an actor's current target, its changes as dots, the rest as grey rings."""
    if chain.empty:
        return []
    traces = []
    name = plain(actor)
    shown = chain[chain["kind"].isin(CHANGE_KINDS) | chain["kind"].eq("restated")]
    # a restatement of the level already in force adds no step: the same line, without a vertex
    # per restatement (a store of a million items has thousands)
    values = shown["to_value"].astype(float)
    highs = shown["to_value_high"].astype(float).fillna(values)
    again = shown["kind"].eq("restated") & values.eq(values.shift()) & highs.eq(highs.shift())
    shown = shown[~again.to_numpy()]
    # the current target after each statement: an interim level leaves it as it was
    steps = shown.assign(end=shown["date"].shift(-1).fillna(until).clip(lower=shown["date"]))
    high = steps["to_value_high"].astype(float).fillna(steps["to_value"].astype(float))
    ranged = steps[(high > steps["to_value"].astype(float)).to_numpy()]
    if not ranged.empty:  # each range a band over the time it was the target: one trace, gaps between
        tops = high[(high > steps["to_value"].astype(float)).to_numpy()]
        start, end = ranged["date"].to_numpy("datetime64[ns]"), ranged["end"].to_numpy("datetime64[ns]")
        low, gap = ranged["to_value"].to_numpy(float), np.full(len(ranged), np.datetime64("NaT"), "datetime64[ns]")
        xs = np.column_stack([start, end, end, start, start, gap]).ravel()
        ys = np.column_stack([low, low, tops.to_numpy(float), tops.to_numpy(float), low, np.full(len(ranged), np.nan)]).ravel()
        traces.append(dict(type="scatter",
            x=xs, y=ys, name=name, mode="lines", fill="toself", fillcolor=TARGET_BAND, line=dict(width=0),
            hoverinfo="skip", showlegend=False))
    if not steps.empty:
        mid = (steps["to_value"].astype(float) + high) / 2
        traces.append(dict(type="scatter",
            x=np.append(steps["date"].to_numpy("datetime64[ns]"), steps["end"].to_numpy("datetime64[ns]")[-1:]),
            y=np.append(mid.to_numpy(float), mid.to_numpy(float)[-1:]), name=name, mode="lines",
            line=dict(color=TARGET, width=2.4, shape="hv"), hoverinfo="skip", showlegend=False))

    changed = chain[chain["kind"].isin(CHANGE_KINDS)]
    quiet, times = _rings(chain[~chain["kind"].isin(CHANGE_KINDS)], x_range)
    if not quiet.empty:
        quiet_values = quiet["to_value"].astype(float)
        quiet_mid = (quiet_values + quiet["to_value_high"].astype(float).fillna(quiet_values)) / 2
        hover = _hover(quiet, "<b>" + name + "</b>: " + quiet["summary"].map(plain))
        if times is not None:
            hover = hover + times
        traces.append(dict(type="scatter",
            x=quiet["date"].to_numpy("datetime64[ns]"), y=quiet_mid.to_numpy(float), name=name, mode="markers",
            showlegend=False, marker=dict(size=7, symbol="circle-open", color=QUIET, line=dict(width=1.5)),
            customdata=quiet["claim_id"].astype(str).to_numpy(object),
            hovertext=hover, hovertemplate="%{hovertext}<extra></extra>"))
    changed_values = changed["to_value"].astype(float)
    changed_mid = (changed_values + changed["to_value_high"].astype(float).fillna(changed_values)) / 2
    traces.append(dict(type="scatter",
        x=changed["date"].to_numpy("datetime64[ns]"), y=changed_mid.to_numpy(float), name=name, mode="markers",
        showlegend=False, marker=dict(size=10, color=TARGET, line=dict(color="#FFFFFF", width=1)),
        customdata=changed["claim_id"].astype(str).to_numpy(object),
        hovertext=_hover(changed, "<b>" + name + "</b>: " + changed["summary"].map(plain)),
        hovertemplate="%{hovertext}<extra></extra>"))
    return traces


def _rings(rows: pd.DataFrame, x_range: tuple[pd.Timestamp, pd.Timestamp]) -> tuple[pd.DataFrame, np.ndarray | None]:
    """The grey rings to draw, in date order, and a line for each ring's hover counting the
    statements it stands for (None when every ring is one statement).

    Statements of the same level in the same 1/RING_SLOTS of the time axis would be drawn over
    one another: they are one ring, the newest statement's (a click opens its quote). Then at
    most QUIET_LIMIT rings, spread over time.
    """
    if rows.empty:
        return rows, None
    dates = pd.to_datetime(rows["date"])
    span = max((x_range[1] - x_range[0]).value, 1)
    slot = ((dates - x_range[0]).to_numpy("timedelta64[ns]").astype(np.int64) * RING_SLOTS // span)
    values = rows["to_value"].astype(float)
    key = pd.DataFrame({"slot": slot, "value": values.to_numpy(),
                        "high": rows["to_value_high"].astype(float).fillna(values).to_numpy(),
                        "date": dates.to_numpy()}, index=rows.index)
    grouped = key.groupby(["slot", "value", "high"], sort=False)["date"]
    counts, first = grouped.transform("size"), grouped.transform("min")
    newest = ~key.duplicated(["slot", "value", "high"], keep="last")  # rows are in date order
    kept = _spread(rows[newest.to_numpy()], QUIET_LIMIT)
    n = counts.loc[kept.index]
    if (n <= 1).all():
        return kept, None
    since = first.loc[kept.index].dt.strftime("%Y-%m-%d")
    times = np.where(n > 1, "<br>one of " + n.astype(str) + " statements of this level since " + since, "")
    return kept, times.astype(object)


def _spread(rows: pd.DataFrame, limit: int) -> pd.DataFrame:
    """At most ``limit`` of the rows (in date order), evenly spread, the first and the newest kept."""
    if len(rows) <= limit:
        return rows
    return rows.iloc[np.unique(np.linspace(0, len(rows) - 1, limit).round().astype(int))]


def _notes(chain: pd.DataFrame, *, refs: tuple[str, str], annotate: int, article_url: str,
           x_range: tuple[pd.Timestamp, pd.Timestamp], y_range: tuple[float, float]) -> list[dict]:
    """The newest changes, stacked in the panel's top left (above the data) with a leader to each point."""
    xref, yref = refs
    changed = chain[chain["kind"].isin(CHANGE_KINDS)]
    notes = []
    for place, data_row in enumerate(changed.tail(annotate).iloc[::-1].itertuples(index=False)):
        record = pd.Series(data_row._asdict())
        # in the panel's own (domain) coordinates: plotly places the note's tail there only when
        # the point and the tail share a reference
        x = (pd.Timestamp(record["date"]) - x_range[0]) / (x_range[1] - x_range[0])
        y = (_middle(record) - y_range[0]) / (y_range[1] - y_range[0])
        notes.append(dict(
            x=x, y=y, xref=f"{xref} domain", yref=f"{yref} domain", text=_annotation(record, url=article_url),
            showarrow=True, arrowhead=0, arrowwidth=1, arrowcolor=QUIET, standoff=5,
            ax=0.02, ay=0.99 - NOTE_STEP * place, axref=f"{xref} domain", ayref=f"{yref} domain",
            xanchor="left", yanchor="top", align="left", font=dict(size=10.5, color=INK),
            bgcolor="rgba(255,255,255,0.9)", name=f"revision:{record['claim_id']}"))
    return notes


def _middle(record: pd.Series) -> float:
    value = float(record["to_value"])
    return (value + (float(record["to_value_high"]) if not pd.isna(record["to_value_high"]) else value)) / 2


def _axis_refs(number: int) -> tuple[str, str]:
    """The axes of the ``number``-th panel (row by row, from 1), as make_subplots names them."""
    suffix = "" if number == 1 else str(number)
    return f"x{suffix}", f"y{suffix}"


def _actual_traces(actuals: pd.DataFrame, *, actor: str) -> list[dict]:
    """An actor's levels as diamonds; the same level for the same year reported again is one diamond
    (the newest report's), its hover counting the others."""
    points = actuals[actuals["value"].notna()]
    if points.empty:
        return []
    points = points.assign(_x=_actual_x(points), _order=np.arange(len(points)))
    key = ["_x", "value", "value_high"]
    newest_first = points.sort_values("stated", ascending=False, kind="stable")
    reports = newest_first.groupby(key, dropna=False, sort=False)["claim_id"].transform("size")
    points = newest_first.assign(_reports=reports).drop_duplicates(key).sort_values("_order")
    hover = points["hover"].astype(object)
    again = points["_reports"] > 1
    if again.any():
        hover = hover.where(~again, hover + "<br>reported " + points["_reports"].astype(str) + " times")
    spread = (points["value_high"] - points["value"]).where(points["value_high"].notna(), 0).clip(lower=0)
    return [dict(type="scatter",
        x=points["_x"].to_numpy("datetime64[ns]"), y=points["value"].to_numpy(float),
        name=plain(actor), mode="markers", showlegend=False,
        marker=dict(size=9, symbol="diamond", color=ACTUAL, line=dict(color="#FFFFFF", width=1)),
        error_y=dict(type="data", symmetric=False, array=spread.to_numpy(float),
                     arrayminus=np.zeros(len(points)), color=ACTUAL, thickness=2.5, width=0),
        customdata=points["claim_id"].astype(str).to_numpy(object),
        hovertext=hover.to_numpy(object), hovertemplate="%{hovertext}<extra></extra>",
        selected=dict(marker=dict(size=13)), unselected=dict(marker=dict(opacity=0.6)))]


def _layout(layout: dict, *, notes: list[dict], title: str, subtitle: str | None, note: str, y_title: str,
            rows: int, columns: int, y_format: str, x_range: tuple[pd.Timestamp, pd.Timestamp],
            y_range: tuple[float, float], y_ticks: list[float]) -> None:
    """Fill in make_subplots' ``layout`` dict: title, legend, axes, the panel titles' font, notes."""
    title_text = f"<b>{plain(title)}</b>"
    if subtitle:
        title_text += f"<br><span style='font-size:12px;color:{MUTED}'>{plain(subtitle)}</span>"
    top = _TOP + (_SUBTITLE if subtitle else 0)
    note_lines = wrap_note(note)
    bottom = _NOTE_SHIFT + NOTE_LINE_PX * len(note_lines) + _KEY
    layout.update(
        template="plotly_white", height=top + PANEL_HEIGHT * rows + bottom,
        font=dict(family=FONT, size=12, color=INK),
        title=dict(text=title_text, x=0.01, xanchor="left", xref="container", y=1, yanchor="top",
                   yref="container", pad=dict(t=14, l=4), font=dict(size=17)),
        margin=dict(l=_LEFT, r=24, t=top, b=bottom),
        # the key under the panels, at the plot's left edge: above them it pushed the panels down a
        # phone's screen. One entry a line, so it is as tall on a phone as on a slide (side by side
        # the entries take one to three lines, by the chart's width). x stays on the plot: a vertical
        # legend placed on the container both ways makes plotly keep its width free beside the panels.
        legend=dict(orientation="v", x=0, xanchor="left", y=0, yanchor="bottom", yref="container",
                    font=dict(size=11), itemclick=False, itemdoubleclick=False),
        paper_bgcolor="#FFFFFF", plot_bgcolor="#FFFFFF",
        hoverlabel=dict(font=dict(family=FONT, size=12), align="left"),
        clickmode="event+select", dragmode="zoom",
    )
    for name, axis in layout.items():
        if not name.startswith(("xaxis", "yaxis")):
            continue
        number = int(name[5:] or 1)
        first_column = (number - 1) % columns == 0
        axis.update(gridcolor=GRID, linecolor="#9AA8B8", zeroline=False, showticklabels=True)
        if name.startswith("xaxis"):
            axis.update(matches="x", range=list(x_range))
            if first_column:
                axis["title"] = dict(text=X_TITLE, font=dict(size=10, color=MUTED), standoff=4)
        else:
            axis.update(matches="y", rangemode="tozero", tickformat=y_format, range=list(y_range), tickvals=y_ticks)
            if first_column:
                axis["title"] = dict(text=plain(y_title), font=dict(size=11, color=MUTED))
    titles = [dict(a, font=dict(size=13, color=INK)) if a.get("xref") == "paper" else a
              for a in layout.get("annotations", [])]
    layout["annotations"] = [*titles, *notes, dict(
        text="<br>".join(note_lines), xref="paper", yref="paper", x=0, y=0, yshift=-_NOTE_SHIFT, xanchor="left",
        yanchor="top", showarrow=False, align="left", font=dict(size=11, color=MUTED))]

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
from dashboard.charts import FONT, GRID, INK, MUTED, plain

TARGET = "#2F5D8A"
TARGET_BAND = "rgba(47, 93, 138, 0.16)"
ACTUAL = "#C8553D"
QUIET = "#8C99A6"
PANEL_HEIGHT = 300
ROW_GAP = 80  # pixels between rows of panels: the x ticks and the next panel's title
NOTE_STEP = 0.16  # the height of one change note, as a share of a panel
DATA_SHARE = 0.5  # the data keep the lower half of a panel; the notes the upper
ARTICLE_URL = "articles?item={item_id}"  # the Articles page opens one item from its URL
LEGEND = (  # what the marks mean; the actor is each panel's title, so no colour stands for one
    ("Current target (a band for a range); dot: set or changed", dict(size=9, color=TARGET),
     dict(color=TARGET, width=2.4)),
    ("Target restated, or a lower interim level", dict(size=7, symbol="circle-open", color=QUIET), None),
    ("Level reached or budgeted, at the year it is for", dict(size=9, symbol="diamond", color=ACTUAL), None),
)
X_TITLE = "date stated · a level at the year it is for"
_TOP = 144  # the title, the subtitle and a legend of up to three lines above the panels
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
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=[f"<b>{plain(a)}</b>" for a in actors],
                        horizontal_spacing=0.08 if columns > 1 else 0.0,
                        vertical_spacing=ROW_GAP / plot_height if rows > 1 else 0.0)
    until = pd.Timestamp(until)
    shown = revisions[revisions["actor"].isin(actors)]
    drawn = actuals[actuals["actor"].isin(actors)]
    x_range = _x_range(shown, drawn, until)
    data_top = _top(shown, drawn)
    y_range = (0.0, data_top / DATA_SHARE if annotate else data_top * 1.1)
    for index, actor in enumerate(actors):
        row, col = index // columns + 1, index % columns + 1
        chain = revisions[revisions["actor"] == actor].sort_values("date", kind="stable")
        _draw_targets(fig, chain, actor=actor, row=row, col=col, until=until, unit=unit,
                      annotate=annotate, article_url=article_url, x_range=x_range, y_range=y_range)
        _draw_actuals(fig, actuals[actuals["actor"] == actor], actor=actor, row=row, col=col)
    for key_name, marker, line in LEGEND:
        fig.add_trace(go.Scatter(x=[None], y=[None], name=key_name, mode="lines+markers" if line else "markers",
                                 marker=marker, line=line or None, hoverinfo="skip", showlegend=True))
    _layout(fig, title=title, subtitle=subtitle, note=note, y_title=y_title, rows=rows, y_format=y_format)
    fig.update_xaxes(range=list(x_range))
    fig.update_yaxes(range=list(y_range), tickvals=_ticks(data_top))
    return fig


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


def _draw_targets(fig: go.Figure, chain: pd.DataFrame, *, actor: str, row: int, col: int, until: pd.Timestamp,
                  unit: str, annotate: int, article_url: str, x_range: tuple[pd.Timestamp, pd.Timestamp],
                  y_range: tuple[float, float]) -> None:
    if chain.empty:
        return
    name = plain(actor)
    shown = chain[chain["kind"].isin(CHANGE_KINDS) | chain["kind"].eq("restated")]
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
        fig.add_trace(go.Scatter(
            x=xs, y=ys, name=name, mode="lines", fill="toself", fillcolor=TARGET_BAND, line=dict(width=0),
            hoverinfo="skip", showlegend=False), row=row, col=col)
    mid = (steps["to_value"].astype(float) + high) / 2
    fig.add_trace(go.Scatter(
        x=np.append(steps["date"].to_numpy("datetime64[ns]"), steps["end"].to_numpy("datetime64[ns]")[-1:]),
        y=np.append(mid.to_numpy(float), mid.to_numpy(float)[-1:]), name=name, mode="lines",
        line=dict(color=TARGET, width=2.4, shape="hv"), hoverinfo="skip", showlegend=False),
        row=row, col=col)

    changed = chain[chain["kind"].isin(CHANGE_KINDS)]
    quiet = chain[~chain["kind"].isin(CHANGE_KINDS)]
    quiet_values = quiet["to_value"].astype(float)
    quiet_mid = (quiet_values + quiet["to_value_high"].astype(float).fillna(quiet_values)) / 2
    if not quiet.empty:
        fig.add_trace(go.Scatter(
            x=quiet["date"].to_numpy("datetime64[ns]"), y=quiet_mid.to_numpy(float), name=name, mode="markers", showlegend=False,
            marker=dict(size=7, symbol="circle-open", color=QUIET, line=dict(width=1.5)),
            customdata=quiet["claim_id"].astype(str).to_numpy(object),
            hovertext=_hover(quiet, "<b>" + name + "</b>: " + quiet["summary"].map(plain)),
            hovertemplate="%{hovertext}<extra></extra>"), row=row, col=col)
    changed_values = changed["to_value"].astype(float)
    changed_mid = (changed_values + changed["to_value_high"].astype(float).fillna(changed_values)) / 2
    fig.add_trace(go.Scatter(
        x=changed["date"].to_numpy("datetime64[ns]"), y=changed_mid.to_numpy(float), name=name, mode="markers", showlegend=False,
        marker=dict(size=10, color=TARGET, line=dict(color="#FFFFFF", width=1)),
        customdata=changed["claim_id"].astype(str).to_numpy(object),
        hovertext=_hover(changed, "<b>" + name + "</b>: " + changed["summary"].map(plain)),
        hovertemplate="%{hovertext}<extra></extra>"), row=row, col=col)
    # the newest changes, stacked in the panel's top left (above the data) with a leader to each point
    xref, yref = _axis_refs(fig, row, col)
    for place, data_row in enumerate(changed.tail(annotate).iloc[::-1].itertuples(index=False)):
        record = pd.Series(data_row._asdict())
        # in the panel's own (domain) coordinates: plotly places the note's tail there only when
        # the point and the tail share a reference
        x = (pd.Timestamp(record["date"]) - x_range[0]) / (x_range[1] - x_range[0])
        y = (_middle(record) - y_range[0]) / (y_range[1] - y_range[0])
        fig.add_annotation(
            x=x, y=y, xref=f"{xref} domain", yref=f"{yref} domain", text=_annotation(record, url=article_url),
            showarrow=True, arrowhead=0, arrowwidth=1, arrowcolor=QUIET, standoff=5,
            ax=0.02, ay=0.99 - NOTE_STEP * place, axref=f"{xref} domain", ayref=f"{yref} domain",
            xanchor="left", yanchor="top", align="left", font=dict(size=10.5, color=INK),
            bgcolor="rgba(255,255,255,0.9)", name=f"revision:{record['claim_id']}")


def _middle(record: pd.Series) -> float:
    value = float(record["to_value"])
    return (value + (float(record["to_value_high"]) if not pd.isna(record["to_value_high"]) else value)) / 2


def _axis_refs(fig: go.Figure, row: int, col: int) -> tuple[str, str]:
    subplot = fig.get_subplot(row, col)
    return (subplot.xaxis.plotly_name.replace("axis", ""), subplot.yaxis.plotly_name.replace("axis", ""))


def _draw_actuals(fig: go.Figure, actuals: pd.DataFrame, *, actor: str, row: int, col: int) -> None:
    points = actuals[actuals["value"].notna()]
    if points.empty:
        return
    spread = (points["value_high"] - points["value"]).where(points["value_high"].notna(), 0).clip(lower=0)
    fig.add_trace(go.Scatter(
        x=_actual_x(points).to_numpy("datetime64[ns]"), y=points["value"].to_numpy(float),
        name=plain(actor), mode="markers", showlegend=False,
        marker=dict(size=9, symbol="diamond", color=ACTUAL, line=dict(color="#FFFFFF", width=1)),
        error_y=dict(type="data", symmetric=False, array=spread.to_numpy(float),
                     arrayminus=np.zeros(len(points)), color=ACTUAL, thickness=2.5, width=0),
        customdata=points["claim_id"].astype(str).to_numpy(object),
        hovertext=points["hover"].to_numpy(object), hovertemplate="%{hovertext}<extra></extra>",
        selected=dict(marker=dict(size=13)), unselected=dict(marker=dict(opacity=0.6))), row=row, col=col)


def _layout(fig: go.Figure, *, title: str, subtitle: str | None, note: str, y_title: str, rows: int,
            y_format: str) -> None:
    title_text = f"<b>{plain(title)}</b>"
    if subtitle:
        title_text += f"<br><span style='font-size:12px;color:{MUTED}'>{plain(subtitle)}</span>"
    height = _TOP + (18 if subtitle else 0) + 80 + PANEL_HEIGHT * rows
    fig.update_layout(
        template="plotly_white", height=height, font=dict(family=FONT, size=12, color=INK),
        title=dict(text=title_text, x=0.01, xanchor="left", xref="container", y=1, yanchor="top",
                   yref="container", pad=dict(t=14, l=4), font=dict(size=17)),
        margin=dict(l=64, r=24, t=_TOP + (18 if subtitle else 0), b=80),
        legend=dict(orientation="h", x=0, xanchor="left", y=1, yanchor="bottom", yref="container",
                    font=dict(size=11), itemclick=False, itemdoubleclick=False),
        paper_bgcolor="#FFFFFF", plot_bgcolor="#FFFFFF",
        hoverlabel=dict(font=dict(family=FONT, size=12), align="left"),
        clickmode="event+select", dragmode="zoom",
    )
    # the legend sits just under the title, above the panels
    fig.update_layout(legend=dict(y=1 - (70 if subtitle else 52) / height, yanchor="top"))
    fig.update_xaxes(gridcolor=GRID, linecolor="#9AA8B8", zeroline=False, matches="x", showticklabels=True)
    fig.update_yaxes(gridcolor=GRID, linecolor="#9AA8B8", zeroline=False, matches="y", rangemode="tozero",
                     tickformat=y_format, showticklabels=True)
    fig.update_yaxes(title=dict(text=plain(y_title), font=dict(size=11, color=MUTED)), col=1)
    fig.update_xaxes(title=dict(text=X_TITLE, font=dict(size=10, color=MUTED), standoff=4), col=1)
    fig.update_annotations(selector=dict(xref="paper"), font=dict(size=13, color=INK))
    fig.add_annotation(text=note, xref="paper", yref="paper", x=0, y=0, yshift=-56, xanchor="left",
                       yanchor="top", showarrow=False, align="left", font=dict(size=11, color=MUTED))

"""Chart builders: a tidy DataFrame and column names in, a plotly Figure out. No Streamlit here.

Every figure carries its title, axis titles and a note (date range, filters, "Source: Flankwatch
store, N items") inside the figure itself, so an exported PNG stands alone on a slide. Text that
comes from articles (titles, quotes, names) is HTML-escaped before it reaches plotly, which
would otherwise read tags in it.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

INK = "#17263A"
MUTED = "#5B6B7F"
GRID = "#DCE3EC"
SPIKE = "#C0392B"
FONT = "Inter, 'Source Sans 3', 'Segoe UI', Helvetica, Arial, sans-serif"
# Distinct, print-safe colours for things without a taxonomy colour (actors, topics, places).
PALETTE = (
    "#2F5D8A", "#C8553D", "#3A7D44", "#8E5572", "#D4A017", "#1B998B", "#6C4F9E", "#A0522D",
    "#4F6D7A", "#E07A5F", "#2E86AB", "#7D8F29", "#B56576", "#386641", "#9D4EDD", "#5E6472",
)
FALLBACK_COLOUR = "#8C99A6"
HEIGHT = 460
EXPORT_WIDTH = 1200
EXPORT_HEIGHT = 675


def plain(text: object, *, limit: int | None = None) -> str:
    """Article text made safe for plotly labels: shortened, then HTML-escaped."""
    value = "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text)
    value = " ".join(value.split())
    if limit is not None and len(value) > limit:
        value = value[: limit - 1].rstrip() + "…"
    return html.escape(value, quote=False)


def palette_colours(keys: Sequence[str], *, known: Mapping[str, str] | None = None) -> dict[str, str]:
    """A colour per key: the taxonomy's where it has one, else the palette in order."""
    known = known or {}
    colours: dict[str, str] = {}
    spare = iter(PALETTE * (1 + len(keys) // len(PALETTE)))
    for key in keys:
        colours[key] = known.get(key) or next(spare)
    return colours


def source_note(*, filters_text: str, items: int) -> str:
    """The line under every chart: what it shows and where it comes from."""
    return f"{plain(filters_text)} · Source: Flankwatch store, {items:,} items"


def _finish(
    fig: go.Figure,
    *,
    title: str,
    x_title: str,
    y_title: str,
    note: str,
    subtitle: str | None = None,
    height: int = HEIGHT,
    legend_title: str | None = None,
) -> go.Figure:
    """The house layout: title top left, the legend beside the plot, the source note below it."""
    title_text = f"<b>{plain(title)}</b>"
    if subtitle:
        title_text += f"<br><span style='font-size:12px;color:{MUTED}'>{plain(subtitle)}</span>"
    fig.update_layout(
        template="plotly_white",
        height=height,
        font=dict(family=FONT, size=13, color=INK),
        title=dict(text=title_text, x=0.01, xanchor="left", xref="container", y=1, yanchor="top",
                   yref="container", pad=dict(t=14, l=4), font=dict(size=17)),
        margin=dict(l=70, r=30, t=84 if subtitle else 64, b=96),
        legend=dict(orientation="v", x=1.01, xanchor="left", y=1, yanchor="top",
                    title=dict(text=f"<b>{plain(legend_title)}</b>" if legend_title else ""),
                    font=dict(size=12), itemclick="toggle", itemdoubleclick="toggleothers"),
        paper_bgcolor="#FFFFFF",
        plot_bgcolor="#FFFFFF",
        hoverlabel=dict(font=dict(family=FONT, size=12), align="left"),
    )
    fig.update_xaxes(title=dict(text=plain(x_title)), gridcolor=GRID, linecolor="#9AA8B8", zeroline=False)
    fig.update_yaxes(title=dict(text=plain(y_title)), gridcolor=GRID, linecolor="#9AA8B8", zeroline=False,
                     rangemode="tozero")
    fig.add_annotation(
        text=note, xref="paper", yref="paper", x=0, y=0, yshift=-72, xanchor="left", yanchor="top",
        showarrow=False, align="left", font=dict(size=11, color=MUTED),
    )
    return fig


def _count_ticks(fig: go.Figure, top: float) -> None:
    """Counts are whole numbers: no 0.5 ticks when the axis is short."""
    if top <= 6:
        fig.update_yaxes(tick0=0, dtick=1)
    elif top <= 12:
        fig.update_yaxes(tick0=0, dtick=2)


def empty_figure(*, title: str, message: str, note: str) -> go.Figure:
    """A chart with nothing to draw still says what it would show and why it is empty."""
    fig = go.Figure()
    fig.add_annotation(text=plain(message), x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font=dict(size=15, color=MUTED))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _finish(fig, title=title, x_title="", y_title="", note=note)


def volume_chart(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    series: str,
    labels: Mapping[str, str],
    colours: Mapping[str, str],
    title: str,
    x_title: str,
    y_title: str,
    note: str,
    share: bool = False,
) -> go.Figure:
    """One line per series (theme or topic) over time; ``share`` formats y as a percentage."""
    fig = go.Figure()
    keys = list(dict.fromkeys(data[series]))
    order = sorted(keys, key=lambda k: -float(data.loc[data[series] == k, y].sum()))
    for key in order:
        rows = data[data[series] == key]
        label = plain(labels.get(key, key))
        fig.add_trace(go.Scatter(
            x=rows[x], y=rows[y], name=label, mode="lines",
            line=dict(color=colours.get(key, FALLBACK_COLOUR), width=2.2),
            hovertemplate=f"{label}<br>%{{x|%Y-%m-%d}}: %{{y:{'.1%' if share else ',d'}}}<extra></extra>",
        ))
    _finish(fig, title=title, x_title=x_title, y_title=y_title, note=note)
    if share:
        fig.update_yaxes(tickformat=".0%")
    elif len(data):
        _count_ticks(fig, float(data[y].max()))
    return fig


def trend_chart(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    rolling: str,
    spike: str,
    headlines: pd.DataFrame,
    colour: str,
    series_label: str,
    title: str,
    x_title: str,
    y_title: str,
    note: str,
    annotate: int = 5,
) -> go.Figure:
    """Bars of volume, the rolling mean as a line, spikes ringed and labelled with their headline.

    ``headlines`` has one row per spike headline: ``x`` (the spike's period), ``title`` and
    ``rank``; the ``annotate`` strongest spikes get a label, every spike a hover list.
    """
    fig = go.Figure()
    fig.add_trace(go.Bar(
        x=data[x], y=data[y], name=f"{plain(series_label)}: items", marker=dict(color=colour, opacity=0.45),
        hovertemplate="%{x|%Y-%m-%d}: %{y:,d} items<extra></extra>",
    ))
    fig.add_trace(go.Scatter(
        x=data[x], y=data[rolling], name="Rolling average", mode="lines",
        line=dict(color=INK, width=2.4), hovertemplate="%{x|%Y-%m-%d}: %{y:.1f} (rolling)<extra></extra>",
    ))
    spikes = data[data[spike].astype(bool)]
    if len(spikes):
        titles = {
            pd.Timestamp(period): group.sort_values("rank")["title"].tolist()
            for period, group in headlines.groupby(x)
        } if len(headlines) else {}
        hover = [
            "<br>".join("• " + plain(t, limit=90) for t in titles.get(pd.Timestamp(p), [])) or "no headline"
            for p in spikes[x]
        ]
        fig.add_trace(go.Scatter(
            x=spikes[x], y=spikes[y], name="Spike", mode="markers",
            marker=dict(symbol="circle-open", size=16, color=SPIKE, line=dict(width=2.5)),
            customdata=hover, hovertemplate="<b>Spike %{x|%Y-%m-%d}: %{y:,d} items</b><br>%{customdata}<extra></extra>",
        ))
        strongest = (spikes.sort_values("zscore", ascending=False) if "zscore" in spikes else spikes).head(annotate)
        labelled = [row for _, row in strongest.sort_values(x).iterrows() if titles.get(pd.Timestamp(row[x]))]
        for index, row in enumerate(labelled):
            top = titles[pd.Timestamp(row[x])]
            more = f" (+{len(top) - 1})" if len(top) > 1 else ""
            fig.add_annotation(
                # neighbouring labels sit at three heights so they do not overlap
                x=row[x], y=row[y], text=plain(top[0], limit=48) + more, showarrow=True, arrowhead=0,
                arrowcolor=SPIKE, ax=0, ay=-30 - 26 * (index % 3), font=dict(size=11, color=INK),
                bgcolor="rgba(255,255,255,0.85)", bordercolor=SPIKE, borderwidth=1, borderpad=3,
            )
    _finish(fig, title=title, x_title=x_title, y_title=y_title, note=note)
    if len(data):
        _count_ticks(fig, float(data[y].max()))
    fig.update_layout(bargap=0.1, margin=dict(t=110), legend=dict(orientation="h", x=0, y=1.0, yanchor="bottom",
                                                                  xanchor="left"))
    return fig


def compare_chart(
    data: pd.DataFrame,
    *,
    series: str,
    first: str,
    second: str,
    first_label: str,
    second_label: str,
    labels: Mapping[str, str],
    title: str,
    x_title: str,
    note: str,
) -> go.Figure:
    """Horizontal paired bars: each theme's share of coverage in two periods."""
    rows = data.sort_values(second, ascending=True)
    names = [plain(labels.get(k, k), limit=40) for k in rows[series]]
    fig = go.Figure()
    fig.add_trace(go.Bar(y=names, x=rows[first], name=plain(first_label), orientation="h",
                         marker=dict(color="#9FB4CC"), hovertemplate="%{y}: %{x:.1%}<extra></extra>"))
    fig.add_trace(go.Bar(y=names, x=rows[second], name=plain(second_label), orientation="h",
                         marker=dict(color="#2F5D8A"), hovertemplate="%{y}: %{x:.1%}<extra></extra>"))
    _finish(fig, title=title, x_title=x_title, y_title="", note=note,
            height=max(HEIGHT, 140 + 46 * len(rows)))
    fig.update_layout(barmode="group", bargap=0.25)
    fig.update_xaxes(tickformat=".0%")
    fig.update_yaxes(rangemode=None, automargin=True)
    return fig


def _number(value: float) -> str:
    return f"{value:g}" if value == value else ""


def _texts(values: pd.Series, *, limit: int | None = None) -> pd.Series:
    return pd.Series([plain(v, limit=limit) for v in values], index=values.index, dtype=object)


def _present(values: pd.Series) -> pd.Series:
    return values.notna() & values.astype(str).str.strip().ne("")


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def spending_label(value: object, value_high: object, year: object, year_high: object, kind: object,
                   *, unit_suffix: str = " %") -> str:
    """'2.5 % by 2030', '5–6 % 2026–2030', '2.14 % in 2018': how an analyst writes a spending claim.

    A target gets "by" its year, an actual level "in" its year; a period is written as a range.
    """
    text = "?" if _missing(value) else f"{float(value):g}"
    if not _missing(value_high):
        text += f"–{float(value_high):g}"
    text += unit_suffix
    if not _missing(year):
        if not _missing(year_high):
            text += f" {int(year)}–{int(year_high)}"
        else:
            text += f" {'in' if kind == 'actual' else 'by'} {int(year)}"
    return text


def spending_labels(claims: pd.DataFrame, *, unit_suffix: str = " %") -> pd.Series:
    """:func:`spending_label` for every row of a claims frame."""
    columns = (claims[c].tolist() for c in ("value", "value_high", "year", "year_high", "kind"))
    return pd.Series([spending_label(*row, unit_suffix=unit_suffix) for row in zip(*columns)],
                     index=claims.index, dtype=object)


def claim_hovers(points: pd.DataFrame, *, group: str = "group", label: str = "label") -> pd.Series:
    """Hover text per claim: what, who said it, when and where; every piece escaped."""
    speaker = pd.Series("", index=points.index, dtype=object).mask(
        _present(points["speaker"]), "<br>said by " + _texts(points["speaker"]))
    stated = pd.to_datetime(points["stated"]).dt.strftime("%Y-%m-%d").fillna("undated").astype(object)
    outlet = pd.Series("", index=points.index, dtype=object).mask(
        _present(points["outlet"]), " · " + _texts(points["outlet"]))
    return ("<b>" + _texts(points[group]) + "</b>: " + _texts(points[label]) + speaker
            + "<br>stated " + stated + outlet + "<br>" + _texts(points["title"], limit=60))


def claims_chart(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    y_high: str,
    actor: str,
    label: str,
    key: str,
    hover: str,
    symbol: str | None,
    colours: Mapping[str, str],
    title: str,
    x_title: str,
    y_title: str,
    note: str,
    subtitle: str | None = None,
    connect: bool = True,
    labels: str = "all",
    legend_title: str = "Actor",
    y_format: str = ",.2~f",
) -> go.Figure:
    """Claims by actor over time: a point per claim, ranges as vertical bars, revisions joined.

    Each actor's claims are joined in the order they were stated, so a revision (2 % -> 2.5 %
    by 2030 -> 5–6 % for 2026–2030) reads as a line that steps. ``key`` goes into customdata so
    a selected point leads back to its claim; ``hover`` is ready-made (escaped) hover text.
    """
    if labels not in ("all", "latest", "none"):
        raise ValueError(f"labels must be 'all', 'latest' or 'none', got {labels!r}")
    fig = go.Figure()
    for name, rows in data.sort_values([actor, x]).groupby(actor, sort=False):
        colour = colours.get(name, FALLBACK_COLOUR)
        group = f"actor-{name}"
        if labels == "latest":  # only each actor's most recent claim carries its label
            rows = rows.assign(**{label: [""] * (len(rows) - 1) + rows[label].tolist()[-1:]})
        if connect:
            # the legend entry and the line joining successive claims; the points come next
            fig.add_trace(go.Scatter(
                x=rows[x], y=rows[y], name=plain(name), legendgroup=group, mode="lines",
                line=dict(color=colour, width=1.6, dash="dot"), hoverinfo="skip",
            ))
        # one points trace per marker symbol (target, actual), so no per-point symbol list
        for index, (marker, points) in enumerate(rows.groupby(symbol, sort=True) if symbol else [("circle", rows)]):
            spread = (points[y_high] - points[y]).where(points[y_high].notna(), 0).clip(lower=0).to_numpy(float)
            fig.add_trace(go.Scatter(
                x=points[x], y=points[y], name=plain(name), legendgroup=group,
                showlegend=not connect and index == 0,
                mode="markers" + ("+text" if labels != "none" else ""),
                marker=dict(color=colour, size=10, symbol=marker, line=dict(color="#FFFFFF", width=1)),
                selected=dict(marker=dict(size=14)), unselected=dict(marker=dict(opacity=0.55)),
                error_y=dict(type="data", symmetric=False, array=spread, arrayminus=np.zeros(len(points)),
                             color=colour, thickness=3, width=0),
                text=points[label].map(plain).to_numpy(object) if labels != "none" else None,
                textposition="top center", textfont=dict(size=11, color=colour),
                customdata=points[key].astype(str).to_numpy(object),
                hovertext=points[hover].to_numpy(object),
                hovertemplate="%{hovertext}<extra></extra>",
            ))
    _finish(fig, title=title, subtitle=subtitle, x_title=x_title, y_title=y_title, note=note, legend_title=legend_title)
    # many actors and a narrow column: the legend goes above the plot, leaving it the full width
    fig.update_layout(legend=dict(orientation="h", x=0, xanchor="left", y=1.0, yanchor="bottom"),
                      margin=dict(t=130 if subtitle else 110), height=560)
    fig.update_yaxes(tickformat=y_format)
    fig.update_layout(clickmode="event+select", dragmode="zoom")
    return fig


def details_field(details: object, name: str) -> object:
    """One field of a claim's JSON details, or None (bad JSON counts as no details)."""
    if isinstance(details, Mapping):
        return details.get(name)
    if not isinstance(details, str) or not details:
        return None
    try:
        parsed = json.loads(details)
    except ValueError:
        return None
    return parsed.get(name) if isinstance(parsed, dict) else None


def topic_map_chart(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    topic: str,
    label: str,
    hover: str,
    colours: Mapping[str, str],
    title: str,
    note: str,
) -> go.Figure:
    """The corpus in two dimensions, a colour per discovered topic (WebGL, so thousands of points)."""
    fig = go.Figure()
    for key, rows in data.groupby(topic, sort=True):
        name = plain(rows[label].iloc[0], limit=40)
        fig.add_trace(go.Scattergl(
            x=rows[x], y=rows[y], name=name, mode="markers",
            marker=dict(color=colours.get(str(key), FALLBACK_COLOUR), size=5 if len(data) > 1000 else 8,
                        opacity=0.75),
            customdata=[plain(t, limit=90) for t in rows[hover]],
            hovertemplate=f"<b>{name}</b><br>%{{customdata}}<extra></extra>",
        ))
    _finish(fig, title=title, x_title="Map dimension 1", y_title="Map dimension 2", note=note,
            height=620, legend_title="Topic")
    fig.update_layout(legend=dict(orientation="v", x=1.01, y=1, xanchor="left", yanchor="top"),
                      margin=dict(r=220))
    fig.update_xaxes(showticklabels=False, rangemode=None)
    fig.update_yaxes(showticklabels=False, rangemode=None)
    return fig

"""Chart builders: a tidy DataFrame and column names in, a plotly Figure out. No Streamlit here.

Every figure carries its title, axis titles and a note (date range, filters, "Source: Flankwatch
store, N items") inside the figure itself, so an exported PNG stands alone on a slide. Text that
comes from articles (titles, quotes, names) is HTML-escaped before it reaches plotly, which
would otherwise read tags in it.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analysis.wording import plural
from dashboard import colours as fw_colours

INK = "#17263A"
MUTED = "#5B6B7F"
GRID = "#DCE3EC"
SPIKE = "#C0392B"
FONT = "Inter, 'Source Sans 3', 'Segoe UI', Helvetica, Arial, sans-serif"
# Colours for things without a taxonomy colour (actors, outlets, places, topics): dashboard/colours.py.
PALETTE = fw_colours.PALETTE
FALLBACK_COLOUR = fw_colours.FALLBACK
LOW_COUNT = "#B8C2CC"  # a period with too few items for a share: drawn, greyed, not as a share
MIN_SHARE_ITEMS = 5
DAY_MS = 86_400_000
# per period: how a period is named in ticks and hovers, and its length in days (bar widths, padding)
PERIODS: Mapping[str, tuple[str, float]] = {
    "day": ("%Y-%m-%d", 1.0),
    "week": ("week of %Y-%m-%d", 7.0),
    "month": ("%b %Y", 30.44),
    "quarter": ("{year} Q{quarter}", 91.31),
    "year": ("%Y", 365.25),
}
MAX_LABELLED_TICKS = 12
SPIKE_LABEL_CHARS = 16  # a spike's headline in (at most three) lines this long: three fit side by side on a phone
SPIKE_LABEL_ROW_PX = 54  # a row of spike labels (three lines): neighbouring labels alternate rows
CATEGORY_CHARS = 18  # a bar's name on a category axis, per line
POINT_LABEL_CHARS = 20  # a claim's label beside its point, per line
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
    """A colour per key: the taxonomy's where it has one, else the key's own (dashboard/colours.py).

    A key's colour never depends on the other keys, so a filter cannot recolour an actor.
    """
    return fw_colours.colours(keys, known=known)


def period_label(period: object, freq: str) -> str:
    """How a period reads on an axis or in a hover: '2025-10-27', 'Oct 2025', '2025 Q4', '2025'."""
    stamp = pd.Timestamp(period)
    pattern = PERIODS.get(freq, PERIODS["day"])[0]
    if freq == "quarter":
        return pattern.format(year=stamp.year, quarter=stamp.quarter)
    return stamp.strftime(pattern)


def period_labels(periods: Sequence[object] | pd.Series, freq: str) -> list[str]:
    return [period_label(p, freq) for p in periods]


_PERIOD_STEP: Mapping[str, pd.DateOffset] = {
    "day": pd.DateOffset(days=1), "week": pd.DateOffset(days=7), "month": pd.DateOffset(months=1),
    "quarter": pd.DateOffset(months=3), "year": pd.DateOffset(years=1),
}


def period_ends(periods: Sequence[object] | pd.Series, freq: str) -> list[pd.Timestamp]:
    """The first day after each period (periods are given by their first day)."""
    step = _PERIOD_STEP[freq]
    return [pd.Timestamp(p) + step for p in periods]


def period_middles(periods: Sequence[object] | pd.Series, freq: str) -> list[pd.Timestamp]:
    """Where a period's bar stands: the middle of its days, so a month's bar covers its month."""
    starts = [pd.Timestamp(p) for p in periods]
    return [start + (end - start) / 2 for start, end in zip(starts, period_ends(starts, freq))]


def period_widths(periods: Sequence[object] | pd.Series, freq: str, *, fill: float = 0.8) -> list[float]:
    """Bar widths in milliseconds: ``fill`` of each period (a lone bar is otherwise a millisecond wide)."""
    starts = [pd.Timestamp(p) for p in periods]
    return [fill * (end - start).total_seconds() * 1000 for start, end in zip(starts, period_ends(starts, freq))]


def _stamp(value: pd.Timestamp) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S")


def fit_date_axis(fig: go.Figure, dates: Sequence[object] | pd.Series, *, freq: str | None = None,
                  axis: str = "xaxis") -> go.Figure:
    """Date ticks that are dates, whatever the span: the fix for one-date and few-period charts.

    plotly draws a chart whose points share one date over a millisecond, ticked
    ``23:59:59.999``. With ``freq`` (``dates`` are then period starts, bars at their middles) the
    axis runs from the first period's first day to the last one's end, and up to twelve periods
    get one labelled tick each ('Oct 2025', '2025 Q4'). Without it (points on days) a single day
    gets three days either side. Ticks never fall inside a day. ``axis``: 'xaxis', 'xaxis2', ...
    """
    stamps = sorted(pd.to_datetime(pd.Series(list(dates)), errors="coerce").dropna().unique())
    settings: dict[str, object] = {"type": "date"}
    if stamps:
        first, last = pd.Timestamp(stamps[0]), pd.Timestamp(stamps[-1])
        if freq is not None:
            end = period_ends([last], freq)[0]
            pad = (end - last) / 2 if first == last else pd.Timedelta(0)  # a lone bar, not a wall
            settings["range"] = [_stamp(first - pad), _stamp(end + pad)]
            if len(stamps) <= MAX_LABELLED_TICKS:
                settings.update(tickmode="array", tickvals=[_stamp(m) for m in period_middles(stamps, freq)],
                                ticktext=period_labels(stamps, freq))
        elif first == last:
            settings.update(range=[_stamp(first - pd.Timedelta(days=3)), _stamp(last + pd.Timedelta(days=3))],
                            tickmode="array", tickvals=[_stamp(first)], ticktext=[first.strftime("%Y-%m-%d")])
        if "tickvals" not in settings:
            span_days = (last - first).days + (PERIODS[freq][1] if freq else 0)
            settings["tickformat"] = "%Y" if span_days > 3 * 365 else "%b %Y" if span_days > 120 else "%d %b %Y"
            if span_days < 14:
                settings["dtick"] = DAY_MS
    fig.update_layout({axis: settings})
    return fig


def source_note(*, filters_text: str, items: int) -> str:
    """The line under every chart: what it shows and where it comes from."""
    return f"{plain(filters_text)} · Source: Flankwatch store, {plural(items, 'item')}"


# Text in a figure is wrapped by character count: a figure cannot know the screen it lands on, so
# lines are kept short enough for a phone (a 358 px figure at 390 px) and read as well on a slide.
TITLE_CHARS = 34      # 17 px bold
SUBTITLE_CHARS = 62   # 12 px
NOTE_CHARS = 64       # 11 px, from the figure's left edge
LINE_PX = 22          # a title line (plotly spaces lines by the title's own font size)
NOTE_LINE_PX = 15


def _visible(text: str) -> int:
    """How many characters ``text`` shows: tags left out, entities counted once."""
    return len(html.unescape(re.sub(r"<[^>]*>", "", text)))


def wrap(text: str, width: int) -> list[str]:
    """Escaped plotly text in lines of at most ``width`` visible characters, broken at spaces.

    A word longer than a line stays whole on its own line. ``'' -> []``.
    """
    lines: list[str] = []
    for word in text.split():
        if lines and _visible(lines[-1]) + 1 + _visible(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def wrap_note(note: str, width: int = NOTE_CHARS) -> list[str]:
    """A source note in lines, broken between its ' · ' parts where it can, else between words."""
    lines: list[str] = []
    for part in note.split(" · "):
        if lines and _visible(lines[-1]) + 3 + _visible(part) <= width:
            lines[-1] += " · " + part
        else:
            lines.extend(wrap(part, width) or [""])
    return lines


def key_lines(entries: Sequence[tuple[str, str]], *, glyph: str = "■", title: str | None = None,
              width: int = SUBTITLE_CHARS) -> list[str]:
    """A colour key as lines of text ('■ Lithuania   ■ Latvia'): the legend, in the subtitle.

    ``entries`` are (escaped label, colour). Lines are packed to ``width`` characters, so the key
    never runs off a phone's chart and takes no room beside or under the plot.
    """
    lines: list[str] = [f"<b>{plain(title)}:</b>"] if title else []
    for label, colour in entries:
        entry = f"<span style='color:{colour}'>{glyph}</span> {label}"
        if lines and _visible(lines[-1]) + 3 + _visible(entry) <= width:
            lines[-1] += "   " + entry
        else:
            lines.append(entry)
    return lines


def _finish(
    fig: go.Figure,
    *,
    title: str,
    x_title: str,
    y_title: str,
    note: str,
    subtitle: str | None = None,
    height: int = HEIGHT,
    key: Sequence[str] = (),
    left: int = 70,
) -> go.Figure:
    """The house layout: the title (wrapped), under it the subtitle and any colour ``key`` (lines
    from :func:`key_lines`), no legend, the source note (wrapped) under the plot at the figure's
    left edge. The top and bottom margins are counted from the lines, so nothing is clipped.
    """
    title_lines = wrap(plain(title), TITLE_CHARS) or [""]
    sub_lines = [piece for line in (subtitle or "").split("\n") for piece in wrap(plain(line), SUBTITLE_CHARS)]
    sub_lines += list(key)
    title_text = f"<b>{'<br>'.join(title_lines)}</b>"
    if sub_lines:
        title_text += f"<br><span style='font-size:12px;color:{MUTED}'>{'<br>'.join(sub_lines)}</span>"
    note_lines = wrap_note(note)
    fig.update_layout(
        template="plotly_white",
        height=height,
        font=dict(family=FONT, size=13, color=INK),
        title=dict(text=title_text, x=0.01, xanchor="left", xref="container", y=1, yanchor="top",
                   yref="container", pad=dict(t=14, l=4), font=dict(size=17)),
        margin=dict(l=left, r=24, t=top_margin(len(title_lines) + len(sub_lines)),
                    b=82 + NOTE_LINE_PX * len(note_lines)),
        showlegend=False,
        paper_bgcolor="#FFFFFF",
        plot_bgcolor="#FFFFFF",
        hoverlabel=dict(font=dict(family=FONT, size=12), align="left"),
    )
    fig.update_xaxes(title=dict(text="<br>".join(wrap(plain(x_title), NOTE_CHARS))), gridcolor=GRID,
                     linecolor="#9AA8B8", zeroline=False, automargin=True)
    fig.update_yaxes(title=dict(text=plain(y_title)), gridcolor=GRID, linecolor="#9AA8B8", zeroline=False,
                     rangemode="tozero", automargin=True)
    fig.add_annotation(
        text="<br>".join(note_lines), xref="paper", yref="paper", x=0, y=0, xshift=-(left - 10), yshift=-72,
        xanchor="left", yanchor="top", showarrow=False, align="left", font=dict(size=11, color=MUTED),
    )
    return fig


def top_margin(lines: int) -> int:
    """The top margin for a title of ``lines`` lines (title, subtitle and key together)."""
    return 42 + LINE_PX * max(1, lines)


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
    entries = []
    for key in order:
        rows = data[data[series] == key]
        label = plain(labels.get(key, key))
        entries.append((label, colours.get(key, FALLBACK_COLOUR)))
        fig.add_trace(go.Scatter(
            x=rows[x], y=rows[y], name=label, mode="lines",
            line=dict(color=colours.get(key, FALLBACK_COLOUR), width=2.2),
            hovertemplate=f"{label}<br>%{{x|%Y-%m-%d}}: %{{y:{'.1%' if share else ',d'}}}<extra></extra>",
        ))
    _finish(fig, title=title, x_title=x_title, y_title=y_title, note=note, key=key_lines(entries, glyph="━"))
    if share:
        fig.update_yaxes(tickformat=".0%")
    elif len(data):
        _count_ticks(fig, float(data[y].max()))
    return fig


def _share_hover(label: str, *, share: bool) -> str:
    value = "%{y:.1%} of %{customdata[2]:,d} items (%{customdata[1]:,d})" if share else \
        "%{y:,d} items (of %{customdata[2]:,d} in all)"
    return f"<b>{label}</b><br>%{{customdata[0]}}: {value}<extra></extra>"


def small_multiples_chart(
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
    freq: str,
    share: bool = False,
    items: str = "items",
    total: str = "total",
    min_total: int = MIN_SHARE_ITEMS,
    subtitle: str | None = None,
) -> go.Figure:
    """One small bar chart per series (theme), stacked on a shared time axis and a shared y scale.

    Reads on a phone as on a slide: no legend to decode (each panel is named in its colour), the
    biggest series on top. ``share`` draws y as a share of all coverage in the period, except
    where fewer than ``min_total`` items were published: one item is not "100 % of coverage".
    Those periods are greyed ticks at zero whose hover gives the count.
    """
    order = list(data.groupby(series, sort=False)[items].sum().sort_values(ascending=False, kind="stable").index)
    panels = max(1, len(order))
    panel_px = 92
    fig = make_subplots(rows=panels, cols=1, shared_xaxes=True, start_cell="bottom-left",
                        vertical_spacing=min(0.3, 26 / (panels * panel_px)))
    for index, key in enumerate(order):
        row = panels - index  # row 1 is the bottom panel
        rows = data[data[series] == key].sort_values(x)
        label = plain(labels.get(key, key))
        colour = colours.get(key, FALLBACK_COLOUR)
        middles = period_middles(rows[x], freq)
        custom = np.column_stack([period_labels(rows[x], freq), rows[items].to_numpy(),
                                  (rows[total] if total in rows else rows[items]).to_numpy()]).tolist()
        values = rows[y].to_numpy(float)
        if share and total in rows:
            low = (rows[total] < min_total).to_numpy()
            values = np.where(low, np.nan, values)
            if low.any():
                low_rows = [c for c, flag in zip(custom, low) if flag]
                fig.add_trace(go.Scatter(
                    x=[m for m, flag in zip(middles, low) if flag], y=[0] * int(low.sum()), mode="markers",
                    name=f"{label}: too few items", showlegend=False,
                    marker=dict(symbol="line-ew-open", size=12, color=LOW_COUNT, line=dict(width=3, color=LOW_COUNT)),
                    customdata=low_rows,
                    hovertemplate=(f"<b>{label}</b><br>%{{customdata[0]}}: only %{{customdata[2]:,d}} items in all, "
                                   f"fewer than {min_total}: no share shown<extra></extra>"),
                ), row=row, col=1)
        fig.add_trace(go.Bar(
            x=middles, y=values, width=period_widths(rows[x], freq), name=label, showlegend=False,
            marker=dict(color=colour, line=dict(width=0)), customdata=custom,
            hovertemplate=_share_hover(label, share=share),
        ), row=row, col=1)
        fig.add_annotation(
            text=f"<span style='color:{colour}'>■</span> <b>{label}</b>", x=0, y=1, xref="x domain" if row == 1
            else f"x{row} domain", yref="y domain" if row == 1 else f"y{row} domain", xanchor="left",
            yanchor="bottom", showarrow=False, font=dict(size=12, color=INK), yshift=1,
        )
    _finish(fig, title=title, subtitle=subtitle, x_title=x_title, y_title="", note=note, left=56)
    fig.update_layout(bargap=0, margin=dict(r=16),
                      height=fig.layout.margin.t + fig.layout.margin.b + panels * panel_px)
    fig.update_xaxes(title=dict(text=""))
    fig.update_layout(xaxis=dict(title=dict(text=plain(x_title))))  # under the bottom panel only
    top = float(pd.to_numeric(data[y], errors="coerce").max()) if len(data) else 1.0
    if share:
        shown = data[data[total] >= min_total] if total in data else data
        top = float(shown[y].max()) if len(shown) else 1.0
    fig.update_yaxes(matches="y", nticks=3, range=[0, (top or 1.0) * 1.12], tickformat=".0%" if share else ",d",
                     showgrid=True)
    fig.update_layout(yaxis=dict(title=dict(text=plain(y_title), standoff=6)))
    periods = sorted(data[x].unique()) if len(data) else []
    for row in range(1, panels + 1):
        fit_date_axis(fig, periods, freq=freq, axis="xaxis" if row == 1 else f"xaxis{row}")
    if not share and top <= 6:  # whole numbers, at most three ticks in a panel 70 px high
        fig.update_yaxes(dtick=max(1, int(np.ceil(top / 2))), tick0=0, nticks=None)
    return fig


def stacked_volume_chart(
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
    freq: str,
    legend_title: str | None = None,
) -> go.Figure:
    """Stacked bars per period: for series that split the items (each item in one topic).

    The colour key sits under the title, biggest first (``legend_title`` heads it).
    """
    order = list(data.groupby(series, sort=False)[y].sum().sort_values(ascending=False, kind="stable").index)
    totals = data.groupby(x)[y].sum()
    fig = go.Figure()
    entries = []
    for key in order:
        rows = data[data[series] == key].sort_values(x)
        label = plain(labels.get(key, key), limit=40)
        entries.append((label, colours.get(key, FALLBACK_COLOUR)))
        custom = np.column_stack([period_labels(rows[x], freq), rows[y].to_numpy(),
                                  totals.reindex(rows[x]).to_numpy()]).tolist()
        fig.add_trace(go.Bar(
            x=period_middles(rows[x], freq), y=rows[y], width=period_widths(rows[x], freq), name=label,
            marker=dict(color=colours.get(key, FALLBACK_COLOUR), line=dict(width=0)), customdata=custom,
            hovertemplate=_share_hover(label, share=False),
        ))
    key = key_lines(entries, title=legend_title)
    _finish(fig, title=title, x_title=x_title, y_title=y_title, note=note, key=key,
            height=HEIGHT + LINE_PX * max(0, len(key) - 1))
    fig.update_layout(barmode="stack", bargap=0)
    if len(data):
        _count_ticks(fig, float(totals.max()))
    fit_date_axis(fig, sorted(data[x].unique()), freq=freq)
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
    annotate: int = 3,
    freq: str | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """Bars of volume, the rolling mean as a line, spikes ringed and labelled with their headline.

    ``headlines`` has one row per spike headline: ``x`` (the spike's period), ``title`` and
    ``rank``; the ``annotate`` strongest spikes get a label, every spike a hover list. With
    ``freq`` the bars cover their periods and periods are named ('2025 Q3'); without it they
    stand on the period's first day. With a ``subtitle`` (saying what bars, line and rings are)
    there is no legend, which on a phone took a third of the chart.
    """
    def place(periods: pd.Series) -> list:
        return period_middles(periods, freq) if freq else list(periods)

    def names(periods: pd.Series) -> list[str]:
        return period_labels(periods, freq) if freq else [pd.Timestamp(p).strftime("%Y-%m-%d") for p in periods]

    fig = go.Figure()
    fig.add_trace(go.Bar(
        x=place(data[x]), y=data[y], name=f"{plain(series_label)}: items", customdata=names(data[x]),
        width=period_widths(data[x], freq) if freq else None, marker=dict(color=colour, opacity=0.45),
        hovertemplate="%{customdata}: %{y:,d} items<extra></extra>",
    ))
    fig.add_trace(go.Scatter(
        x=place(data[x]), y=data[rolling], name="Rolling average", mode="lines", customdata=names(data[x]),
        line=dict(color=INK, width=2.4), hovertemplate="%{customdata}: %{y:.1f} (rolling)<extra></extra>",
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
            x=place(spikes[x]), y=spikes[y], name="Spike", mode="markers",
            marker=dict(symbol="circle-open", size=16, color=SPIKE, line=dict(width=2.5)),
            customdata=np.column_stack([names(spikes[x]), hover]).tolist(),
            hovertemplate="<b>Spike %{customdata[0]}: %{y:,d} items</b><br>%{customdata[1]}<extra></extra>",
        ))
        strongest = (spikes.sort_values("zscore", ascending=False) if "zscore" in spikes else spikes).head(annotate)
        labelled = [row for _, row in strongest.sort_values(x).iterrows() if titles.get(pd.Timestamp(row[x]))]
        first, last = pd.Timestamp(data[x].min()), pd.Timestamp(data[x].max())
        for index, row in enumerate(labelled):
            top = titles[pd.Timestamp(row[x])]
            more = f" (+{len(top) - 1})" if len(top) > 1 else ""
            # a label near an edge grows inwards, so it stays inside a narrow chart
            where = (pd.Timestamp(row[x]) - first) / (last - first) if last > first else 0.5
            spot = place(pd.Series([row[x]]))[0]
            fig.add_annotation(
                # short lines in a band above the bars, neighbours on alternate rows (the height is set
                # below, once the plot's height is known), so they fit a phone's chart
                x=spot, y=row[y], showarrow=True, ax=spot, axref="x", ayref="y", ay=index % 2, yanchor="top",
                text=_spike_label(top[0], more),
                arrowhead=0, arrowcolor=SPIKE, font=dict(size=11, color=INK),
                xanchor="left" if where < 0.15 else "right" if where > 0.85 else "center", align="left",
                bgcolor="rgba(255,255,255,0.85)", bordercolor=SPIKE, borderwidth=1, borderpad=3,
            )
    key = () if subtitle else key_lines([(f"{plain(series_label)}: items", colour), ("Rolling average", INK),
                                         ("Spike", SPIKE)])
    _finish(fig, title=title, subtitle=subtitle, x_title=x_title, y_title=y_title, note=note, key=key,
            height=HEIGHT + 40)
    if len(data):
        top = float(data[y].max())
        _count_ticks(fig, top)
        if len(spikes):  # a band above the highest bar for the labels: two rows
            layout = fig.layout
            plot_px = layout.height - layout.margin.t - layout.margin.b
            band_px = 2 * SPIKE_LABEL_ROW_PX + 10
            ceiling = max(top, 1.0) / max(0.4, 1 - band_px / plot_px)
            per_px = ceiling / plot_px
            fig.update_yaxes(range=[0, ceiling])
            for label in fig.layout.annotations:
                if label.showarrow and label.ayref == "y":
                    label.ay = ceiling - (4 + SPIKE_LABEL_ROW_PX * label.ay) * per_px
    fig.update_layout(bargap=0.1)
    fit_date_axis(fig, data[x], freq=freq)
    return fig


def _spike_label(headline: object, more: str) -> str:
    """A spike's headline in at most three short lines, whole words, with '…' where it is cut."""
    words = plain(headline).split()
    for count in range(len(words), 0, -1):
        lines = wrap(" ".join(words[:count]) + ("…" if count < len(words) else "") + more, SPIKE_LABEL_CHARS)
        if len(lines) <= 3:
            return "<br>".join(lines)
    return "<br>".join(wrap(words[0] + "…" + more if words else more.strip(), SPIKE_LABEL_CHARS)[:3])


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
    """Horizontal paired bars: each theme's share of coverage in two periods.

    The key under the title names the periods; a theme's name is broken into short lines so the
    bars keep most of a phone's width.
    """
    rows = data.sort_values(second, ascending=True)
    names = ["<br>".join(wrap(plain(labels.get(k, k), limit=40), CATEGORY_CHARS)) for k in rows[series]]
    fig = go.Figure()
    shades = {"first": "#9FB4CC", "second": "#2F5D8A"}
    fig.add_trace(go.Bar(y=names, x=rows[first], name=plain(first_label), orientation="h",
                         marker=dict(color=shades["first"]), hovertemplate="%{y}: %{x:.1%}<extra></extra>"))
    fig.add_trace(go.Bar(y=names, x=rows[second], name=plain(second_label), orientation="h",
                         marker=dict(color=shades["second"]), hovertemplate="%{y}: %{x:.1%}<extra></extra>"))
    key = key_lines([(plain(first_label), shades["first"]), (plain(second_label), shades["second"])])
    _finish(fig, title=title, x_title=x_title, y_title="", note=note, key=key, left=10 + 8 * CATEGORY_CHARS,
            height=max(HEIGHT, 140 + 46 * len(rows)) + LINE_PX * len(key))
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
    The actors' colours are keyed under the title (``legend_title`` heads the key); a point's
    label leans inwards near either end of the time axis, so it is not cut at the plot's edge.
    """
    if labels not in ("all", "latest", "none"):
        raise ValueError(f"labels must be 'all', 'latest' or 'none', got {labels!r}")
    fig = go.Figure()
    stamps = pd.to_datetime(data[x])
    first, span = stamps.min(), (stamps.max() - stamps.min()) if len(data) else pd.Timedelta(0)
    entries = []
    for name, rows in data.sort_values([actor, x]).groupby(actor, sort=False):
        colour = colours.get(name, FALLBACK_COLOUR)
        entries.append((plain(name), colour))
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
                text=np.array([_point_label(v) for v in points[label]], dtype=object) if labels != "none" else None,
                textposition=_text_positions(pd.to_datetime(points[x]), first=first, span=span),
                textfont=dict(size=11, color=colour),
                customdata=points[key].astype(str).to_numpy(object),
                hovertext=points[hover].to_numpy(object),
                hovertemplate="%{hovertext}<extra></extra>",
            ))
    key = key_lines(sorted(entries, key=lambda entry: entry[0]), glyph="●", title=legend_title)
    _finish(fig, title=title, subtitle=subtitle, x_title=x_title, y_title=y_title, note=note, key=key,
            height=480 + LINE_PX * len(key))
    fig.update_yaxes(tickformat=y_format)
    fig.update_layout(clickmode="event+select", dragmode="zoom")
    fit_date_axis(fig, data[x])
    return fig


def _point_label(value: object) -> str:
    return "<br>".join(wrap(plain(value), POINT_LABEL_CHARS))


def _text_positions(stamps: pd.Series, *, first: pd.Timestamp, span: pd.Timedelta) -> np.ndarray:
    """'top right' in the first third of the time axis, 'top left' in the last, else 'top center'."""
    if span <= pd.Timedelta(0):
        return np.full(len(stamps), "top center", dtype=object)
    where = ((stamps - first) / span).to_numpy(float)
    return np.where(where < 1 / 3, "top right", np.where(where > 2 / 3, "top left", "top center")).astype(object)


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
    """The corpus in two dimensions, a colour per discovered topic (WebGL, so thousands of points).

    The topics' colours are keyed under the title, biggest topic first.
    """
    fig = go.Figure()
    entries = []
    for key, rows in data.groupby(topic, sort=True):
        name = plain(rows[label].iloc[0], limit=40)
        entries.append((len(rows), name, colours.get(str(key), FALLBACK_COLOUR)))
        fig.add_trace(go.Scattergl(
            x=rows[x], y=rows[y], name=name, mode="markers",
            marker=dict(color=colours.get(str(key), FALLBACK_COLOUR), size=5 if len(data) > 1000 else 8,
                        opacity=0.75),
            customdata=[plain(t, limit=90) for t in rows[hover]],
            hovertemplate=f"<b>{name}</b><br>%{{customdata}}<extra></extra>",
        ))
    key = key_lines([(name, colour) for _, name, colour in sorted(entries, key=lambda e: (-e[0], e[1]))],
                    glyph="●", title="Topic")
    _finish(fig, title=title, x_title="Map dimension 1", y_title="Map dimension 2", note=note, key=key,
            height=560 + LINE_PX * len(key), left=40)
    fig.update_xaxes(showticklabels=False, rangemode=None)
    fig.update_yaxes(showticklabels=False, rangemode=None)
    return fig


def warm_up() -> None:
    """Build one small chart of each kind the pages draw, and serialise it as the page does.

    plotly imports the classes and validators of a figure's parts on first use, some 500
    modules: without this, the first visitor's page pays for them (a quarter to half a second of
    the server's time). `flankwatch serve` calls it once at start-up, in the background.
    """
    periods = pd.to_datetime(["2024-01-01", "2024-04-01", "2024-01-01", "2024-04-01"])
    volume = pd.DataFrame({"period": periods, "key": ["a", "a", "b", "b"], "items": [1, 2, 3, 4],
                           "total": [5, 6, 7, 8], "share": [0.2, 0.3, 0.4, 0.5]})
    common = dict(labels={"a": "A", "b": "B"}, colours={"a": PALETTE[0], "b": PALETTE[1]}, title="t",
                  x_title="x", y_title="y", note="n")
    figures = [
        small_multiples_chart(volume, x="period", y="share", series="key", freq="quarter", share=True, **common),
        stacked_volume_chart(volume, x="period", y="items", series="key", freq="quarter", **common),
        volume_chart(volume, x="period", y="items", series="key", **common),
        empty_figure(title="t", message="m", note="n"),
    ]
    points = go.Figure(go.Scattergl(x=[0.0, 1.0], y=[1.0, 0.0], mode="markers", customdata=["a", "b"],
                                    marker=dict(size=[4, 6], color=[PALETTE[0], PALETTE[1]], opacity=0.7),
                                    hovertemplate="%{customdata}<extra></extra>"))
    panels = make_subplots(rows=2, cols=2, subplot_titles=["a", "b", "c", "d"])
    panels.add_trace(go.Scatter(
        x=periods[:2], y=[1.0, 2.0], mode="lines+markers", fill="toself", line=dict(shape="hv", width=2),
        marker=dict(symbol="diamond", size=9, line=dict(color="#FFFFFF", width=1)), customdata=["a", "b"],
        error_y=dict(type="data", array=[0.0, 1.0], arrayminus=[0.0, 0.0], thickness=2, width=0),
        hovertext=["a", "b"], hovertemplate="%{hovertext}<extra></extra>", selected=dict(marker=dict(size=13)),
        unselected=dict(marker=dict(opacity=0.6)), text=["a", "b"], textposition="top center"), row=1, col=1)
    panels.add_trace(go.Bar(x=periods[:2], y=[1, 2], width=[1e9, 1e9], marker=dict(color=PALETTE[2]),
                            text=["1", "2"], textposition="outside"), row=1, col=2)
    panels.add_annotation(x=0.5, y=0.5, xref="x domain", yref="y domain", ax=0.1, ay=0.9, axref="x domain",
                          ayref="y domain", text="<a href='x'>a</a>", showarrow=True, arrowhead=0, bgcolor="#FFFFFF")
    panels.add_shape(type="line", x0=0, x1=1, y0=0, y1=1, xref="x", yref="y", line=dict(dash="dot"))
    panels.update_layout(legend=dict(orientation="h", yref="container", font=dict(size=11)), barmode="stack",
                         clickmode="event+select", dragmode="zoom", bargap=0.1,
                         uniformtext=dict(minsize=8, mode="hide"))
    panels.update_xaxes(title=dict(text="x", font=dict(size=10), standoff=4), matches="x", tickformat="%b %Y",
                        ticklabelmode="period", dtick="M3", tickangle=0, showspikes=False, fixedrange=False)
    panels.update_yaxes(title=dict(text="y", font=dict(size=11)), matches="y", tickvals=[0, 1, 2],
                        ticktext=["0", "1", "2"], tickformat=",.2~f")
    for fig in [*figures, _finish(points, title="t", x_title="x", y_title="y", note="n"),
                _finish(panels, title="t", x_title="x", y_title="y", note="n")]:
        fig.to_json()

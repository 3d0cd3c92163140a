"""Topic trends: one theme's (or discovered topic's) volume with its rolling average and spikes,
the headlines behind each spike, and two periods compared."""

from __future__ import annotations

from datetime import date, timedelta
from types import MappingProxyType

import pandas as pd
import streamlit as st

from analysis.queries import default_range
from dashboard import charts, data, sidebar, ui

DIMENSIONS = MappingProxyType({"theme": "Themes", "topic": "Discovered topics"})


def _labels(ctx: ui.ViewContext, volume: pd.DataFrame, dimension: str) -> dict[str, str]:
    if dimension == "theme":
        return {k: ctx.theme_labels.get(k, k) for k in volume["key"].unique()}
    return dict(zip(volume["key"], volume["label"]))


def _colours(ctx: ui.ViewContext, keys: list[str], dimension: str) -> dict[str, str]:
    return charts.palette_colours(keys, known=ctx.theme_colours if dimension == "theme" else None)


def _period_pair(last: date, first: date) -> tuple[tuple[date, date], tuple[date, date]]:
    """Default comparison: the last 90 days against the 90 days before them."""
    recent = default_range(last, days=90)
    before_end = recent[0] - timedelta(days=1)
    before = (max(first, before_end - timedelta(days=89)), max(first, before_end))
    return before, recent


def _range_value(value: object) -> tuple[date, date] | None:
    picked = [v for v in (value if isinstance(value, (tuple, list)) else (value,)) if isinstance(v, date)]
    if len(picked) < 2:
        return None
    start, end = sorted(picked[:2])
    return start, end


def trend_section(ctx: ui.ViewContext, dimension: str, freq: str) -> None:
    volume = data.volume(ctx.db, ctx.filters, dimension=dimension, freq=freq)
    if volume.empty:
        what = "theme" if dimension == "theme" else "discovered topic"
        st.info(f"No item in this selection has a {what} yet. Run `flankwatch analyze` if the store "
                "has not been analysed.")
        return
    totals = volume.groupby("key")["items"].sum().sort_values(ascending=False)
    labels = _labels(ctx, volume, dimension)
    colours = _colours(ctx, list(totals.index), dimension)
    key = st.selectbox(
        "Series", options=list(totals.index), key=f"tr_series_{dimension}", bind="query-params",
        format_func=lambda k: f"{labels.get(k, k)} ({ui.plural(int(totals[k]), 'item')})",
        help="Spikes: a period at least 3 standard deviations above the 4 periods before it, with 3 items or more.",
    )
    series = volume[volume["key"] == key]
    headlines = data.spike_headlines(ctx.db, ctx.filters, dimension=dimension, freq=freq, key=key)
    fig = charts.trend_chart(
        series, x="period", y="items", rolling="rolling", spike="spike",
        headlines=headlines, colour=colours.get(key, charts.FALLBACK_COLOUR), series_label=labels.get(key, key),
        title=labels.get(key, key),
        subtitle=f"Items per {freq} (bars), 4-{freq} rolling average (line);\nspikes ringed, labelled with a headline",
        x_title=freq.capitalize(), y_title="Items", note=ctx.note, freq=freq,
    )
    table = series[["period", "key", "label", "items", "rolling", "zscore", "spike"]].assign(
        label=labels.get(key, key))
    ui.chart(fig, table, name=f"trend-{labels.get(key, key)}-{freq}", key="trend_chart")

    spikes = series[series["spike"]]
    st.subheader(f"Spikes ({len(spikes)})", anchor=False)
    if spikes.empty:
        st.caption("No spikes in this series for these filters.")
        return
    listed = (headlines.groupby("period")["title"].apply(lambda t: " | ".join(t)) if len(headlines)
              else pd.Series(dtype=str))
    spike_table = pd.DataFrame({
        "period": spikes["period"].to_numpy(),
        "items": spikes["items"].to_numpy(),
        "rolling": spikes["rolling"].round(1).to_numpy(),
        "zscore": spikes["zscore"].round(1).to_numpy(),
        "headlines": [listed.get(p, "") for p in spikes["period"]],
    }).sort_values("period", ascending=False)
    st.dataframe(spike_table, hide_index=True, width="stretch", column_config={
        "period": st.column_config.DateColumn(f"{freq.capitalize()} of", format="YYYY-MM-DD"),
        "items": "Items", "rolling": "Rolling avg", "zscore": "z-score",
        "headlines": st.column_config.TextColumn("Top headlines", width="large"),
    })


def compare_section(ctx: ui.ViewContext, dimension: str) -> None:
    st.subheader("Compare two periods", anchor=False)
    st.caption("The sidebar's date range does not apply here; its other filters do. Shares are of all "
               "coverage in each period.")
    before, recent = _period_pair(ctx.last, ctx.first)
    left, right = st.columns(2)
    first = _range_value(left.date_input("First period", value=before, min_value=ctx.first, max_value=ctx.last,
                                         key="cmp_first", bind="query-params", format="YYYY-MM-DD"))
    second = _range_value(right.date_input("Second period", value=recent, min_value=ctx.first,
                                           max_value=ctx.last, key="cmp_second", bind="query-params",
                                           format="YYYY-MM-DD"))
    if first is None or second is None:
        st.info("Pick a start and an end day for both periods.")
        return
    compared = data.compare(ctx.db, ctx.filters, first=first, second=second, dimension=dimension)
    if compared.empty:
        st.info("Neither period has themed items for these filters.")
        return
    labels = dict(zip(compared["key"], compared["label"]))
    if dimension == "theme":
        labels = {k: ctx.theme_labels.get(k, k) for k in compared["key"]}
    first_label = f"{first[0]:%Y-%m-%d} – {first[1]:%Y-%m-%d} ({ui.plural(int(compared['total_first'].iloc[0]), 'item')})"
    second_label = f"{second[0]:%Y-%m-%d} – {second[1]:%Y-%m-%d} ({ui.plural(int(compared['total_second'].iloc[0]), 'item')})"
    fig = charts.compare_chart(
        compared.head(15), series="key", first="share_first", second="share_second",
        first_label=first_label, second_label=second_label, labels=labels,
        title=f"{DIMENSIONS[dimension]}: share of coverage in two periods", x_title="Share of items",
        note=charts.source_note(
            filters_text=ctx.filters.describe(theme_labels=ctx.theme_labels, span=f"{first_label} vs {second_label}"),
            items=int(compared["total_first"].iloc[0] + compared["total_second"].iloc[0])),
    )
    table = compared.assign(label=[labels.get(k, k) for k in compared["key"]])
    ui.chart(fig, table, name=f"compare-{dimension}", key="compare_chart")
    st.dataframe(
        table[["label", "items_first", "items_second", "share_first", "share_second", "change"]],
        hide_index=True, width="stretch", column_config={
            "label": "Series", "items_first": "Items (first)", "items_second": "Items (second)",
            "share_first": st.column_config.NumberColumn("Share (first)", format="percent"),
            "share_second": st.column_config.NumberColumn("Share (second)", format="percent"),
            "change": st.column_config.NumberColumn("Change (points)", format="%+.1f"),
        })


def main() -> None:
    ctx = ui.context()
    ui.page_title("Topic trends", "Volume over time with a rolling average; spikes are periods well above "
                                  "the weeks before them, labelled with the headlines that made them.")
    if not ui.has_data(ctx):
        return
    left, middle = st.columns([3, 5], vertical_alignment="bottom")
    with left:
        dimension = st.segmented_control("Group by", options=list(DIMENSIONS), format_func=DIMENSIONS.get,
                                         default="theme", key="tr_dim", bind="query-params") or "theme"
    with middle:
        summary = data.summary(ctx.db, ctx.filters)
        freq = sidebar.period_control("tr_freq", first=summary["first"], last=summary["last"],
                                      items=summary["items"])
    trend_section(ctx, dimension, freq)
    st.divider()
    compare_section(ctx, dimension)


main()

"""Overview: the filtered store at a glance, theme volume over time, the latest notable items."""

from __future__ import annotations

from types import MappingProxyType

import streamlit as st

from dashboard import charts, data, sidebar, ui

MEASURES = MappingProxyType({"items": "Items", "share": "Share of all coverage"})


def main() -> None:
    ctx = ui.context()
    ui.page_title("Overview", "Coverage of the Baltic states and NATO's eastern flank in the store, "
                              "for the filters in the sidebar.")
    if not ui.has_data(ctx):
        return
    summary = data.summary(ctx.db, ctx.filters)
    cells = st.columns(6)
    cells[0].metric("Items", f"{summary['items']:,}",
                    help=f"{ui.plural(summary['articles'], 'article')} and {ui.plural(summary['headlines'], 'headline-only item')}; "
                         "near-duplicates are not counted.")
    cells[1].metric("Articles", f"{summary['articles']:,}")
    cells[2].metric("Sources", f"{summary['sources']:,}")
    undated = (f"{ui.plural(summary['undated'], 'item')} {'has' if summary['undated'] == 1 else 'have'} "
               "no published date.") if summary["undated"] else None
    cells[3].metric("First item", f"{summary['first']:%Y-%m-%d}" if summary["first"] is not None else "–",
                    help=undated)
    cells[4].metric("Newest item", f"{summary['last']:%Y-%m-%d}" if summary["last"] is not None else "–")
    cells[5].metric("Claims", f"{summary['claims']:,}", help="Spending, deployment and migration claims.")

    left, middle = st.columns([5, 3], vertical_alignment="bottom")
    with left:
        freq = sidebar.period_control("ov_freq", first=summary["first"], last=summary["last"], items=summary["items"])
    with middle:
        measure = st.segmented_control("Show", options=list(MEASURES), format_func=MEASURES.get,
                                       default="items", key="ov_measure", bind="query-params") or "items"
    volume = data.volume(ctx.db, ctx.filters, dimension="theme", freq=freq)
    if volume.empty:
        st.info("No item in this selection has a theme assigned yet, so there is no theme timeline. "
                "Run `flankwatch analyze` if the store has not been analysed.")
    else:
        share = measure == "share"
        subtitle = (f"Share of all items published in each {freq}, a panel per theme;\n"
                    f"a {freq} with fewer than {charts.MIN_SHARE_ITEMS} items in all is a grey tick" if share else
                    f"Items per {freq}, a panel per theme;\nan item with several themes counts in each")
        fig = charts.small_multiples_chart(
            volume, x="period", y="share" if share else "items", series="key",
            labels=ctx.theme_labels, colours=ctx.theme_colours,
            title=f"Theme coverage per {freq}" + (" (share of all coverage)" if share else ""), subtitle=subtitle,
            x_title=freq.capitalize(), y_title="Share of items" if share else "Items", note=ctx.note, share=share,
            freq=freq,
        )
        table = volume[["period", "key", "label", "items", "total", "share"]].rename(
            columns={"key": "theme", "label": "theme_label", "total": "all_items"})
        table = table.assign(theme_label=[ctx.theme_labels.get(k, k) for k in table["theme"]])
        ui.chart(fig, table, name=f"theme-volume-{freq}", key="overview_volume")

    st.subheader("Latest notable items", anchor=False)
    st.caption("The newest items with a theme or a claim. Select a row to open it on the Articles page.")
    latest = data.latest(ctx.db, ctx.filters)
    if latest.empty:
        st.info("No notable items in this selection.")
        return
    shown = latest.assign(themes=[ui.themes_text(ctx, t) for t in latest["themes"]], outlet=latest["outlet"].fillna(""))
    event = st.dataframe(
        shown[["published_date", "title", "outlet", "kind", "themes", "claims"]],
        hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row", key="ov_latest",
        column_config={
            # pixel widths that add up to a 1440 px screen's table (about 960 px): every column in sight
            "published_date": st.column_config.DateColumn("Published", format="YYYY-MM-DD", width=100),
            "title": st.column_config.TextColumn("Title", width=320),
            "outlet": st.column_config.TextColumn("Source", width=170),
            "kind": st.column_config.TextColumn("Kind", width=70),
            "themes": st.column_config.TextColumn("Themes", width=180),
            "claims": st.column_config.NumberColumn("Claims", format="%d", width=65),
        },
    )
    rows = event.selection.rows if event is not None else []
    if rows:
        item_id = str(latest.iloc[rows[0]]["id"])
        st.page_link("views/articles.py", label="Open the selected item", icon=":material/open_in_new:",
                     query_params={"item": item_id})


main()

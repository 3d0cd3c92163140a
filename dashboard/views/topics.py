"""Topics: what the unsupervised topic discovery found, how each topic grew, and a map of the corpus."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data, ui

MAP_SAMPLE = 4000
SHOWN_BY_DEFAULT = 5


def main() -> None:
    ctx = ui.context()
    ui.page_title("Topics", "Topics discovered in the text without the taxonomy (TF-IDF, SVD, k-means): a "
                            "check on what the themes miss. Emerging topics match no theme well.")
    if not ui.has_data(ctx):
        return
    topics = data.topics(ctx.db, ctx.filters)
    if topics.empty:
        st.info("No topics yet: run `flankwatch analyze` to discover them.")
        return
    keys = [str(t) for t in topics["topic_id"]]
    colours = charts.palette_colours(keys)
    table = topics.assign(
        terms=[", ".join(t) for t in topics["top_terms"]],
        theme=[ui.theme_label(ctx, t) if isinstance(t, str) else "" for t in topics["nearest_theme"]],
    )
    st.subheader("Discovered topics", anchor=False)
    st.caption("Items: how many of the filtered items belong to the topic. Select rows to draw them below.")
    event = st.dataframe(
        table[["label", "terms", "items", "size", "theme", "theme_similarity", "emerging"]],
        hide_index=True, width="stretch", key="topics_table", on_select="rerun", selection_mode="multi-row",
        column_config={
            "label": st.column_config.TextColumn("Topic", width="medium"),
            "terms": st.column_config.TextColumn("Top terms", width="large"),
            "items": st.column_config.NumberColumn("Items", format="%d"),
            "size": st.column_config.NumberColumn("All items", format="%d"),
            "theme": "Nearest theme",
            "theme_similarity": st.column_config.ProgressColumn("Similarity", min_value=0.0, max_value=1.0,
                                                                format="%.2f"),
            "emerging": st.column_config.CheckboxColumn("Emerging"),
        },
    )
    rows = event.selection.rows if event is not None else []
    chosen = [keys[r] for r in rows] or [k for k, n in zip(keys, topics["items"]) if n > 0][:SHOWN_BY_DEFAULT]

    st.subheader("Size over time", anchor=False)
    freq = ui.freq_control("tp_freq", default="month")
    volume = data.volume(ctx.db, ctx.filters, dimension="topic", freq=freq)
    volume = volume[volume["key"].isin(chosen)]
    if volume.empty:
        st.info("The chosen topics have no dated items for these filters.")
    else:
        labels = dict(zip(volume["key"], volume["label"]))
        fig = charts.volume_chart(
            volume, x="period", y="items", series="key", labels=labels, colours=colours,
            title=f"Items per {freq} in {len(chosen)} discovered topic{'s' if len(chosen) != 1 else ''}",
            x_title=freq.capitalize(), y_title="Items", note=ctx.note,
        )
        ui.chart(fig, volume[["period", "key", "label", "items"]].rename(columns={"key": "topic_id"}),
                 name=f"topic-size-{freq}", key="topic_size")

    st.subheader("Map of the corpus", anchor=False)
    points = data.topic_map(ctx.db, ctx.filters)
    if points.empty:
        st.info("No map positions for these items.")
        return
    st.caption(f"{len(points):,} items (a fixed sample of at most {MAP_SAMPLE:,}); items close together use "
               "similar words. Hover a point for its title.")
    fig = charts.topic_map_chart(
        points.assign(topic_id=points["topic_id"].astype(str)), x="x", y="y", topic="topic_id", label="label",
        hover="title", colours=colours, title="Discovered topics: map of the corpus", note=ctx.note,
    )
    ui.chart(fig, points[["id", "x", "y", "topic_id", "label", "title", "published_date"]],
             name="topic-map", key="topic_map")


main()

"""Topics: what the unsupervised topic discovery found, how each topic grew, and a map of the corpus."""

from __future__ import annotations


import streamlit as st

from dashboard import charts, colours as fw_colours, data, sidebar, ui

LAYOUTS = {"panels": "A panel each", "stacked": "Stacked"}
MAP_SAMPLE = 4000
SHOWN_BY_DEFAULT = 5
REFIT_KEY = "topics_refit_report"


def refit(ctx: ui.ViewContext) -> dict:
    """Refit the store's topics (matched topics keep ids and labels); return what changed."""
    from analysis.topics import refresh_topics

    taxonomy, problem = data.taxonomy()
    if taxonomy is None:
        return {"error": f"The taxonomy cannot be read, so topics cannot be refitted: {problem}"}
    # on the store owner's write thread, after whatever ingest, poll or correction is running
    update = data.write(ctx.db, lambda writer: refresh_topics(writer, writer.all_items_for_topics(),
                                                              taxonomy=taxonomy, refit=True),
                        label="topic refit")
    return {"summary": update.summary(), "changes": update.changes}


def _refit_controls(ctx: ui.ViewContext) -> None:
    if data.lake_mode(ctx.db):  # read-only: a refit would be lost at the next export
        st.caption(f"Refitting topics is not offered here. {ctx.notice}")
        return
    st.caption("New items join the nearest existing topic, so topics keep their ids and labels. Refitting "
               "discovers them again over the whole store; a new topic that shares most of its items with an "
               "old one keeps the old id and label.")
    if st.button("Refit topics", key="topics_refit", icon=":material/refresh:", disabled=ctx.read_only,
                 help="Read-only: another process has the store open." if ctx.read_only else None):
        with st.spinner("Refitting topics…"):
            st.session_state[REFIT_KEY] = refit(ctx)
    report = st.session_state.get(REFIT_KEY)
    if not report:
        return
    if "error" in report:
        st.error(ui.md_escape(report["error"]))
        return
    st.success(ui.md_escape(report["summary"]), icon=":material/published_with_changes:")
    changes = report["changes"]
    if changes is not None and len(changes):
        st.dataframe(
            changes.assign(top_terms=[", ".join(t) for t in changes["top_terms"]]),
            hide_index=True, width="stretch", key="topics_refit_changes",
            column_config={
                "topic_id": st.column_config.NumberColumn("Id", format="%d"),
                "label": st.column_config.TextColumn("Topic", width="medium"),
                "status": "Kept, new or retired",
                "items_before": st.column_config.NumberColumn("Items before", format="%d"),
                "items_after": st.column_config.NumberColumn("Items after", format="%d"),
                "similarity": st.column_config.NumberColumn("Item overlap", format="%.2f"),
                "top_terms": st.column_config.TextColumn("Top terms now", width="large"),
            },
        )


def main() -> None:
    ctx = ui.context()
    ui.page_title("Topics", "Topics discovered in the text without the taxonomy (TF-IDF, SVD, k-means): a "
                            "check on what the themes miss. Emerging topics match no theme well.")
    if not ui.has_data(ctx):
        return
    _refit_controls(ctx)
    topics = data.topics(ctx.db, ctx.filters)
    if topics.empty:
        st.info("No topics yet: run `flankwatch analyze` to discover them.")
        return
    keys = [str(t) for t in topics["topic_id"]]
    colours = {key: fw_colours.topic_colour(key) for key in keys}
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
            # widths that add up to a 1440 px screen's table (about 960 px): every column in sight
            "label": st.column_config.TextColumn("Topic", width=160),
            "terms": st.column_config.TextColumn("Top terms", width=240),
            "items": st.column_config.NumberColumn("Items", format="%d", width=60),
            "size": st.column_config.NumberColumn("All items", format="%d", width=75),
            "theme": st.column_config.TextColumn("Nearest theme", width=180),
            "theme_similarity": st.column_config.ProgressColumn("Similarity", min_value=0.0, max_value=1.0,
                                                                format="%.2f", width=110),
            "emerging": st.column_config.CheckboxColumn("Emerging", width=80),
        },
    )
    rows = event.selection.rows if event is not None else []
    chosen = [keys[r] for r in rows] or [k for k, n in zip(keys, topics["items"]) if n > 0][:SHOWN_BY_DEFAULT]

    st.subheader("Size over time", anchor=False)
    summary = data.summary(ctx.db, ctx.filters)
    left, right = st.columns([5, 3], vertical_alignment="bottom")
    with left:
        freq = sidebar.period_control("tp_freq", first=summary["first"], last=summary["last"],
                                      items=summary["items"])
    with right:
        layout = st.segmented_control("Draw", options=list(LAYOUTS), format_func=LAYOUTS.get, default="panels",
                                      key="tp_layout", bind="query-params",
                                      help="Each item has one topic, so stacked bars add up to the period's items.") \
            or "panels"
    volume = data.volume(ctx.db, ctx.filters, dimension="topic", freq=freq)
    volume = volume[volume["key"].isin(chosen)]
    if volume.empty:
        st.info("The chosen topics have no dated items for these filters.")
    else:
        labels = dict(zip(volume["key"], volume["label"]))
        title = f"Items per {freq} in {len(chosen)} discovered topic{'s' if len(chosen) != 1 else ''}"
        if layout == "stacked":
            fig = charts.stacked_volume_chart(
                volume, x="period", y="items", series="key", labels=labels, colours=colours, title=title,
                x_title=freq.capitalize(), y_title="Items", note=ctx.note, freq=freq, legend_title="Topic",
            )
        else:
            fig = charts.small_multiples_chart(
                volume, x="period", y="items", series="key", labels=labels,
                colours=colours, title=title, x_title=freq.capitalize(), y_title="Items", note=ctx.note, freq=freq,
            )
        ui.chart(fig, volume[["period", "key", "label", "items"]].rename(columns={"key": "topic_id"}),
                 name=f"topic-size-{freq}", key="topic_size")

    st.subheader("Map of the corpus", anchor=False)
    points = data.topic_map(ctx.db, ctx.filters)
    if points.empty:
        st.info("No map positions for these items.")
        return
    st.caption(f"{ui.plural(len(points), 'item')} (a fixed sample of at most {MAP_SAMPLE:,}); items close together use "
               "similar words. Hover a point for its title.")
    fig = charts.topic_map_chart(
        points.assign(topic_id=points["topic_id"].astype(str)), x="x", y="y", topic="topic_id", label="label",
        hover="title", colours=colours, title="Discovered topics: map of the corpus", note=ctx.note,
    )
    ui.chart(fig, points[["id", "x", "y", "topic_id", "label", "title", "published_date"]],
             name="topic-map", key="topic_map")


main()

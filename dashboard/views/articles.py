"""Articles: search, filter and sort the items; open one to see why it got its themes and claims.

The open item lives in the URL (``?item=<id>``), so a link to one article can be shared. Titles
and text are shown escaped: a title with ``<script>`` or a Markdown link reads literally.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import pandas as pd
import streamlit as st

from analysis.queries import SORTS
from dashboard import data, ui

ITEM_PARAM = "item"
PAGE_SIZE = 200
SORT_LABELS = MappingProxyType(
    {"newest": "Newest first", "oldest": "Oldest first", "claims": "Most claims", "title": "Title A–Z"})


def _open_item(table_key: str, ids: list[str]) -> None:
    rows = st.session_state.get(table_key, {}).get("selection", {}).get("rows", [])
    if rows and rows[0] < len(ids):
        st.query_params[ITEM_PARAM] = ids[rows[0]]


def _close_item() -> None:
    st.query_params.pop(ITEM_PARAM, None)


def _item_table(frame: pd.DataFrame, *, key: str, columns: Mapping[str, Any], height: int | str = "auto") -> None:
    """A selectable table of items; selecting a row opens that item."""
    ids = frame["id"].astype(str).tolist()
    st.dataframe(frame[list(columns)], hide_index=True, width="stretch", height=height, key=key,
                 on_select=lambda: _open_item(key, ids), selection_mode="single-row", column_config=dict(columns))


def item_view(ctx: ui.ViewContext, item_id: str) -> None:
    detail = data.item_detail(ctx.db, item_id)
    if detail is None:
        st.warning("That item is not in the store (the link may be from another store).")
        st.button("Back to the list", on_click=_close_item, icon=":material/arrow_back:")
        return
    item = detail["item"]
    st.button("Back to the list", on_click=_close_item, icon=":material/arrow_back:", type="tertiary")
    ui.heading(item["title"], level=2)
    published = item.get("published_at")
    when = (pd.Timestamp(published).strftime("%Y-%m-%d %H:%M %Z") if published is not None and not pd.isna(published)
            else (pd.Timestamp(item["published_date"]).strftime("%Y-%m-%d")
                  if item.get("published_date") is not None and not pd.isna(item.get("published_date")) else "undated"))
    if item.get("published_approximate"):
        when += " (approximate)"
    meta = pd.DataFrame([
        ("Published", when), ("Source", item.get("outlet") or "unknown"), ("Kind", item.get("kind")),
        ("Byline", item.get("byline") or ""), ("Dateline", item.get("dateline") or ""),
        ("Section", item.get("section") or ""), ("URL", item.get("url") or ""),
        ("File", item.get("source_path") or ""), ("Id", item["id"]),
    ], columns=["field", "value"])
    meta = meta[meta["value"].astype(str) != ""]
    left, right = st.columns([3, 2])
    with right:
        ui.facts_table(list(meta.itertuples(index=False, name=None)))
        url = ui.safe_url(item.get("url"))
        if url:
            st.link_button("Open the original", url, icon=":material/open_in_new:")
        parent = item.get("parent_id")
        if isinstance(parent, str) and parent:
            st.button("Open the page that lists this headline",
                      on_click=lambda: st.query_params.update({ITEM_PARAM: parent}),
                      icon=":material/arrow_upward:")
        if isinstance(item.get("duplicate_of"), str) and item.get("duplicate_of"):
            st.caption("This item is a near-duplicate of an earlier one (see the story below).")
    claims = detail["claims"]
    with left:
        text = item.get("text") or ""
        body = text if text.strip() else item["title"]
        spans = ui.claim_spans(body, claims)
        st.caption(f"{'Text' if text.strip() else 'Headline only (no text)'} · "
                   f"{len(spans)} claim{'s' if len(spans) != 1 else ''} highlighted")
        ui.text_block(ui.highlight(body, spans))

    st.subheader("Themes", anchor=False)
    themes = detail["themes"]
    if themes.empty:
        st.caption("No theme scores: the item has not been analysed yet.")
    else:
        shown = themes.assign(label=[ui.theme_label(ctx, k) for k in themes["theme"]],
                              terms=[", ".join(t) for t in themes["terms"]])
        st.dataframe(shown[["label", "score", "assigned", "terms"]], hide_index=True, width="stretch",
                     column_config={
                         "label": "Theme", "assigned": "Assigned",
                         "score": st.column_config.ProgressColumn("Score", min_value=0.0, max_value=1.0, format="%.2f"),
                         "terms": "Matched terms",
                     })
        driven = themes[themes["assigned"] & themes["sentences"].map(len).gt(0)]
        if len(driven):
            st.caption("Sentences that drove the assigned themes")
            blocks = []
            for row in driven.to_dict("records"):
                items = "".join(f"<li>{ui.escaped(s)}</li>" for s in row["sentences"])
                label = ui.escaped(ui.theme_label(ctx, row["theme"]))
                blocks.append(f"<p style='margin:0.4rem 0 0.1rem 0'><b>{label}</b></p>"
                              f"<ul style='margin:0 0 0.3rem 1.2rem'>{items}</ul>")
            st.html("".join(blocks))

    if len(claims):
        st.subheader("Claims", anchor=False)
        st.dataframe(claims[["type", "actor", "kind", "value", "value_high", "unit", "year", "year_high",
                             "speaker", "evidence"]].astype(object).fillna(""), hide_index=True, width="stretch",
                     column_config={"type": "Type", "actor": "Actor", "kind": "Kind", "value": "Value",
                                    "value_high": "Up to", "unit": "Unit", "year": "Year", "year_high": "Until",
                                    "speaker": "Speaker",
                                    "evidence": st.column_config.TextColumn("Quote", width="large")})

    related = detail["related"]
    st.subheader(f"Related headlines ({len(related)})", anchor=False)
    if related.empty:
        st.caption("No headlines are listed on this page.")
    else:
        st.caption("Headlines listed on this page, each an item of its own. Select one to open it.")
        _item_table(related, key="related_table", columns={
            "published_date": st.column_config.DateColumn("Published", format="YYYY-MM-DD"),
            "published_approximate": st.column_config.CheckboxColumn("Approx."),
            "title": st.column_config.TextColumn("Headline", width="large"), "outlet": "Source"})
    duplicates = detail["duplicates"]
    st.subheader(f"Same story elsewhere ({len(duplicates)})", anchor=False)
    if duplicates.empty:
        st.caption("No near-duplicates of this item.")
    else:
        _item_table(duplicates, key="duplicates_table", columns={
            "relation": "Relation", "published_date": st.column_config.DateColumn("Published", format="YYYY-MM-DD"),
            "title": st.column_config.TextColumn("Title", width="large"), "outlet": "Source"})


def list_view(ctx: ui.ViewContext) -> None:
    search_column, sort_column = st.columns([4, 1], vertical_alignment="bottom")
    text = search_column.text_input(
        "Search titles and text", key="q", bind="query-params", placeholder='e.g. NASAMS Vilnius, or "air policing"',
        help="Every word must appear, at the start of a word (fence finds fences, not defence); "
             "put a phrase in double quotes.",
    ).strip()
    sort = sort_column.selectbox("Sort", options=list(SORTS), format_func=SORT_LABELS.get, key="sort",
                                 bind="query-params")
    frame, total = data.search(ctx.db, ctx.filters, text=text, sort=sort, limit=PAGE_SIZE)
    if total == 0:
        st.info("No items match this search and these filters." if text else ui.NO_MATCH)
        return
    st.caption(f"{total:,} items match" + (f"; showing the first {PAGE_SIZE}" if total > PAGE_SIZE else "")
               + ". Select a row to open it.")
    shown = frame.assign(themes=[ui.themes_text(ctx, t) for t in frame["themes"]], outlet=frame["outlet"].fillna(""))
    _item_table(shown, key="articles_table", height=min(720, 38 + 35 * len(shown)), columns={
        "published_date": st.column_config.DateColumn("Published", format="YYYY-MM-DD"),
        "title": st.column_config.TextColumn("Title", width="large"),
        "outlet": st.column_config.TextColumn("Source", width="medium"),
        "kind": st.column_config.TextColumn("Kind", width="small"),
        "themes": st.column_config.TextColumn("Themes", width="medium"),
        "claims": st.column_config.NumberColumn("Claims", format="%d", width="small")})
    ui.table_download(f"Download all {total:,} matching items (CSV)",
                      lambda: data.items_export(ctx.store, ctx.filters, text=text), name="articles", key="articles_csv")


def main() -> None:
    ctx = ui.context()
    ui.page_title("Articles", "Search, filter and sort; open an item to see its themes, claims, related "
                              "headlines and near-duplicates.")
    item_id = st.query_params.get(ITEM_PARAM)
    if item_id and ctx.store is not None and ctx.total_items:
        item_view(ctx, str(item_id))  # a linked item opens even when the filters would hide it
    elif ui.has_data(ctx):
        list_view(ctx)


main()

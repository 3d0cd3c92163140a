"""Articles: search, filter and sort the items; open one to see why it got its themes and claims.

The open item lives in the URL (``?item=<id>``), so a link to one article can be shared. Titles
and text are shown escaped: a title with ``<script>`` or a Markdown link reads literally.

On an open item the analyst confirms or rejects each theme and claim, adds a missing theme or
spending claim, and fixes a claim's fields. Each decision is stored with its time
(analysis/corrections.py) and every page counts the corrected values at once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import pandas as pd
import streamlit as st

from analysis.corrections import CLAIM_FIELDS, SPENDING_KINDS, SPENDING_UNITS, Correction, CorrectionError
from analysis.queries import SORTS
from analysis.store import StoreError
from dashboard import data, downloads, ui

ITEM_PARAM = "item"
PAGE_SIZE = 200
SORT_LABELS = MappingProxyType(
    {"newest": "Newest first", "oldest": "Oldest first", "claims": "Most claims", "title": "Title A–Z"})
FLASH_KEY = "corrections_flash"
ACTION_LABELS = MappingProxyType({"confirm": "confirmed", "reject": "rejected", "add": "added", "edit": "edited"})
FIELD_LABELS = MappingProxyType({
    "actor": "Actor", "kind": "Kind", "value": "Value", "value_high": "Up to", "unit": "Unit", "year": "Year",
    "year_high": "Until", "speaker": "Speaker",
})
UNIT_CHOICES = MappingProxyType({"pct_gdp": "% of GDP", "eur": "euros", "usd": "US dollars"})


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


# -- corrections --------------------------------------------------------------------------------


def _save(path: str, corrections: list[Correction], done: str) -> None:
    """Button callback: record the corrections before the page runs again, so it shows them."""
    try:
        data.save_corrections(path, corrections)
    except (CorrectionError, StoreError) as exc:
        st.session_state[FLASH_KEY] = ("error", f"Not saved: {exc}")
        return
    st.session_state[FLASH_KEY] = ("success", done)


def _note(item_id: str) -> str | None:
    return (st.session_state.get(f"correction_note_{item_id}") or "").strip() or None


def _save_theme(path: str, item_id: str, theme: str, action: str, label: str) -> None:
    _save(path, [Correction(item_id, "theme", action, theme=theme, note=_note(item_id))],
          f"Theme {label} {ACTION_LABELS[action]}.")


def _add_theme(path: str, item_id: str, labels: Mapping[str, str]) -> None:
    theme = st.session_state.get(f"theme_add_choice_{item_id}")
    if not theme:
        st.session_state[FLASH_KEY] = ("error", "Pick the theme to add first.")
        return
    _save_theme(path, item_id, theme, "add", labels.get(theme, theme))


def _number_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)


def _claim_values(claim: Mapping[str, Any]) -> dict[str, str]:
    """A stored claim's fields as the form shows them (text; "" for none)."""
    out = {}
    for name in CLAIM_FIELDS:
        value = claim.get(name)
        if name in ("value", "value_high", "year", "year_high"):
            out[name] = _number_text(value)
        else:
            out[name] = value if isinstance(value, str) else ""
    return out


def _claim_prefix(item_id: str, claim_id: str) -> str:
    """Widget keys of one claim's form: stable per item and claim."""
    return f"claim_{item_id}_{claim_id}_"


def _new_claim_prefix(item_id: str) -> str:
    return f"new_claim_{item_id}_"


def _save_claim(path: str, item_id: str, claim: Mapping[str, Any], action: str) -> None:
    claim_id = str(claim["claim_id"])
    if action != "edit":
        _save(path, [Correction(item_id, "claim", action, claim_id=claim_id, note=_note(item_id))],
              f"Claim {ACTION_LABELS[action]}.")
        return
    before = _claim_values(claim)
    prefix = _claim_prefix(item_id, claim_id)
    typed = {name: str(st.session_state.get(prefix + name) or "").strip() for name in CLAIM_FIELDS}
    changed = {name: typed[name] for name in CLAIM_FIELDS if typed[name] != before[name]}
    if not changed:
        st.session_state[FLASH_KEY] = ("info", "Nothing changed. Use Confirm to confirm the claim as it is.")
        return
    _save(path, [Correction(item_id, "claim", "edit", claim_id=claim_id, fields=changed, note=_note(item_id))],
          "Claim corrected: " + ", ".join(FIELD_LABELS[n].lower() for n in changed) + ".")


def _add_claim(path: str, item_id: str) -> None:
    prefix = _new_claim_prefix(item_id)
    names = (*CLAIM_FIELDS, "evidence")
    fields = {name: str(st.session_state.get(prefix + name) or "").strip() for name in names}
    _save(path, [Correction(item_id, "claim", "add", fields={**fields, "type": "spending"}, note=_note(item_id))],
          "Spending claim added.")
    if st.session_state.get(FLASH_KEY, ("",))[0] == "success":  # empty the form for the next one; keep it on error
        for name in names:
            st.session_state[prefix + name] = ""


def _status(latest: pd.DataFrame, target: str, key: str) -> str:
    """"rejected by the analyst on 2025-01-02" for the latest correction of a theme or claim, or ""."""
    rows = latest[(latest["target"] == target) & (latest["theme" if target == "theme" else "claim_id"] == key)]
    if rows.empty:
        return ""
    row = rows.iloc[0]
    action = ACTION_LABELS.get(row["action"], row["action"])
    return f"{action} by the analyst on {pd.Timestamp(row['corrected_at']):%Y-%m-%d}"


def _flash() -> None:
    """What the last correction button did: a toast, and an error also where it can be read."""
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        kind, message = flash
        st.toast(ui.md_escape(message), icon=":material/error:" if kind == "error" else ":material/check_circle:")
        if kind == "error":
            st.error(ui.md_escape(message))


def theme_corrections(ctx: ui.ViewContext, item_id: str, themes: pd.DataFrame, latest: pd.DataFrame) -> None:
    """Confirm or reject each assigned (or analyst-rejected) theme; add a missing one."""
    disabled = ctx.read_only or ctx.store is None
    rejected = set(latest[(latest["target"] == "theme") & (latest["action"] == "reject")]["theme"])
    assigned = themes[themes["assigned"]]["theme"].tolist()
    shown = [*assigned, *sorted(rejected - set(assigned))]
    for theme in shown:
        label = ui.theme_label(ctx, theme)
        name, status, confirm, reject = st.columns([3, 4, 1, 1], vertical_alignment="center")
        name.markdown(ui.md_escape(label) if theme in assigned else f"~~{ui.md_escape(label)}~~")
        status.caption(_status(latest, "theme", theme) or "assigned by the model")
        confirm.button("Confirm" if theme in assigned else "Restore", key=f"theme_confirm_{item_id}_{theme}",
                       disabled=disabled, type="tertiary", icon=":material/check:" if theme in assigned else
                       ":material/undo:", on_click=_save_theme, args=(ctx.db, item_id, theme, "confirm", label))
        if theme in assigned:
            reject.button("Reject", key=f"theme_reject_{item_id}_{theme}", disabled=disabled, type="tertiary",
                          icon=":material/close:", on_click=_save_theme, args=(ctx.db, item_id, theme, "reject", label))
    labels = dict(ctx.theme_labels)
    missing = [k for k in labels if k not in assigned]
    if missing:
        pick, add = st.columns([4, 1], vertical_alignment="bottom")
        pick.selectbox("Add a missing theme", options=missing, index=None, format_func=lambda k: labels.get(k, k),
                       key=f"theme_add_choice_{item_id}", placeholder="Choose a theme", disabled=disabled)
        add.button("Add theme", key=f"theme_add_{item_id}", disabled=disabled, icon=":material/add:",
                   on_click=_add_theme, args=(ctx.db, item_id, labels))


def _claim_inputs(prefix: str, values: Mapping[str, str], *, spending: bool, disabled: bool) -> None:
    """The claim field widgets (keys ``prefix + field``); spending claims choose kind and unit from a list."""
    first = st.columns(4)
    first[0].text_input(FIELD_LABELS["actor"], value=values.get("actor", ""), key=f"{prefix}actor", disabled=disabled)
    if spending:
        kinds = ["", *SPENDING_KINDS]
        units = ["", *SPENDING_UNITS]
        first[1].selectbox(FIELD_LABELS["kind"], options=kinds, key=f"{prefix}kind", disabled=disabled,
                           index=kinds.index(values.get("kind", "")) if values.get("kind", "") in kinds else 0,
                           format_func=lambda k: k or "not stated")
        first[2].selectbox(FIELD_LABELS["unit"], options=units, key=f"{prefix}unit", disabled=disabled,
                           index=units.index(values.get("unit", "")) if values.get("unit", "") in units else 0,
                           format_func=lambda u: UNIT_CHOICES.get(u, u or "choose"))
    else:
        first[1].text_input(FIELD_LABELS["kind"], value=values.get("kind", ""), key=f"{prefix}kind", disabled=disabled)
        first[2].text_input(FIELD_LABELS["unit"], value=values.get("unit", ""), key=f"{prefix}unit", disabled=disabled)
    first[3].text_input(FIELD_LABELS["speaker"], value=values.get("speaker", ""), key=f"{prefix}speaker",
                        disabled=disabled)
    second = st.columns(4)
    for column, name in zip(second, ("value", "value_high", "year", "year_high")):
        column.text_input(FIELD_LABELS[name], value=values.get(name, ""), key=f"{prefix}{name}", disabled=disabled,
                          help="A number: 2.5, 1200000000 or 1.2 billion; empty for none." if "value" in name
                          else "A year such as 2030; empty for none.")


def claim_corrections(ctx: ui.ViewContext, item_id: str, claims: pd.DataFrame, latest: pd.DataFrame) -> None:
    """Confirm, reject or fix each claim; restore a rejected one; add a missing spending claim."""
    disabled = ctx.read_only or ctx.store is None
    for claim in claims.to_dict("records"):
        claim_id = str(claim["claim_id"])
        status = _status(latest, "claim", claim_id)
        summary = " · ".join(str(v) for v in (claim["type"], claim.get("actor"), _number_text(claim.get("value")),
                                              claim.get("unit"), _number_text(claim.get("year")))
                             if isinstance(v, str) and v)
        label = ui.md_escape(f"{summary}{' · ' + status if status else ''}")
        with st.expander(label, key=f"claim_box_{item_id}_{claim_id}"):
            ui.text_block(ui.escaped(claim.get("evidence") or "(no quote)"))
            with st.form(key=f"claim_form_{item_id}_{claim_id}", border=False):
                _claim_inputs(_claim_prefix(item_id, claim_id), _claim_values(claim),
                              spending=claim["type"] == "spending", disabled=disabled)
                row = st.columns(3)
                row[0].form_submit_button("Save changes", key=f"claim_edit_{item_id}_{claim_id}", disabled=disabled,
                                          icon=":material/save:", type="primary",
                                          on_click=_save_claim, args=(ctx.db, item_id, claim, "edit"))
                row[1].form_submit_button("Confirm as is", key=f"claim_confirm_{item_id}_{claim_id}",
                                          disabled=disabled, icon=":material/check:",
                                          on_click=_save_claim, args=(ctx.db, item_id, claim, "confirm"))
                row[2].form_submit_button("Reject claim", key=f"claim_reject_{item_id}_{claim_id}", disabled=disabled,
                                          icon=":material/close:",
                                          on_click=_save_claim, args=(ctx.db, item_id, claim, "reject"))
    rejected = latest[(latest["target"] == "claim") & (latest["action"] == "reject")]
    for row in rejected.to_dict("records"):
        quote = str(json.loads(row["fields"] or "{}").get("evidence") or "(no quote)")
        left, right = st.columns([6, 1], vertical_alignment="center")
        left.caption(ui.md_escape(f"Rejected claim: {quote[:160]}"))
        right.button("Restore", key=f"claim_restore_{item_id}_{row['claim_id']}", disabled=disabled, type="tertiary",
                     icon=":material/undo:", on_click=_save_claim,
                     args=(ctx.db, item_id, {"claim_id": row["claim_id"]}, "confirm"))
    with st.expander("Add a missing spending claim", key=f"new_claim_box_{item_id}"):
        with st.form(key=f"new_claim_form_{item_id}", border=False):
            prefix = _new_claim_prefix(item_id)
            _claim_inputs(prefix, {}, spending=True, disabled=disabled)
            st.text_area("Quote (the sentence that states it; optional)", key=prefix + "evidence", disabled=disabled,
                         height=80)
            st.form_submit_button("Add claim", key=f"new_claim_add_{item_id}", disabled=disabled, icon=":material/add:",
                                  type="primary", on_click=_add_claim, args=(ctx.db, item_id))


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

    history = data.item_corrections(ctx.db, item_id)
    latest = history[history["latest"]]
    st.subheader("Themes", anchor=False)
    _flash()
    themes = detail["themes"]
    if themes.empty:
        st.caption("No theme scores: the item has not been analysed yet.")
    else:
        shown = themes.assign(label=[ui.theme_label(ctx, k) for k in themes["theme"]],
                              terms=[", ".join(t) for t in themes["terms"]],
                              analyst=[_status(latest, "theme", k) for k in themes["theme"]])
        st.dataframe(shown[["label", "score", "assigned", "analyst", "terms"]], hide_index=True, width="stretch",
                     key=f"themes_table_{item_id}",
                     column_config={
                         "label": "Theme", "assigned": "Assigned", "analyst": "Analyst",
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
    lake = data.lake_mode(ctx.db)  # read-only: no corrections (the next export would lose them)
    if lake:
        st.caption(f"Corrections are not offered here. {ctx.notice}")
    else:
        with st.container(border=True, key=f"theme_corrections_{item_id}"):
            st.caption("Correct the themes: confirm or reject each one, or add one the model missed. "
                       + ("Read-only: another process has the store open." if ctx.read_only else
                          "Every page counts the corrected themes at once."))
            st.text_input("Note for your corrections (optional)", key=f"correction_note_{item_id}",
                          placeholder="e.g. Belarus is only the route here", disabled=ctx.read_only)
            theme_corrections(ctx, item_id, themes, latest)

    st.subheader("Claims", anchor=False)
    if len(claims):
        text_columns = ["type", "actor", "kind", "unit", "speaker", "evidence"]
        shown = claims[["type", "actor", "kind", "value", "value_high", "unit", "year", "year_high", "speaker",
                        "evidence"]]
        shown = shown.assign(**{c: shown[c].astype(object).where(shown[c].notna(), "") for c in text_columns})
        st.dataframe(shown, hide_index=True, width="stretch",
                     key=f"claims_table_{item_id}",
                     # pixel widths that add up to about 930 px: every column in sight on a 1440 px screen
                     column_config={"type": st.column_config.TextColumn("Type", width=85),
                                    "actor": st.column_config.TextColumn("Actor", width=95),
                                    "kind": st.column_config.TextColumn("Kind", width=65),
                                    "value": st.column_config.NumberColumn("Value", width=65),
                                    "value_high": st.column_config.NumberColumn("Up to", width=60),
                                    "unit": st.column_config.TextColumn("Unit", width=70),
                                    "year": st.column_config.NumberColumn("Year", width=55, format="%d"),
                                    "year_high": st.column_config.NumberColumn("Until", width=55, format="%d"),
                                    "speaker": st.column_config.TextColumn("Speaker", width=130),
                                    "evidence": st.column_config.TextColumn("Quote", width=250)})
        if not lake:
            st.caption("Open a claim to confirm, reject or correct it.")
    else:
        st.caption("No claims found in this item.")
    if not lake:
        claim_corrections(ctx, item_id, claims, latest)

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
    st.caption(f"{ui.plural(total, 'item')} match{'es' if total == 1 else ''}" + (f"; showing the first {PAGE_SIZE}" if total > PAGE_SIZE else "")
               + ". Select a row to open it.")
    shown = frame.assign(themes=[ui.themes_text(ctx, t) for t in frame["themes"]], outlet=frame["outlet"].fillna(""))
    _item_table(shown, key="articles_table", height=min(720, 38 + 35 * len(shown)), columns={
        # widths that add up to a 1440 px screen's table (about 960 px): every column in sight
        "published_date": st.column_config.DateColumn("Published", format="YYYY-MM-DD", width=100),
        "title": st.column_config.TextColumn("Title", width=320),
        "outlet": st.column_config.TextColumn("Source", width=170),
        "kind": st.column_config.TextColumn("Kind", width=70),
        "themes": st.column_config.TextColumn("Themes", width=180),
        "claims": st.column_config.NumberColumn("Claims", format="%d", width=65)})
    ui.download_link(f"Download all {total:,} matching items (CSV)",
                     downloads.export_link(ctx.filters, search=text, theme_labels=ctx.theme_labels),
                     file_name=downloads.export_name(ctx.filters, search=text))
    corrected = data.corrections_count(ctx.db)
    if corrected["items"]:
        st.download_button(
            f"Download the analysts' corrections ({corrected['items']:,} "
            f"article{'s' if corrected['items'] != 1 else ''}, labelled JSON lines)",
            data=lambda: data.corrections_export(ctx.store),
            file_name="flankwatch-corrections.jsonl", mime="application/jsonl", key="corrections_jsonl",
            icon=":material/download:", on_click="ignore",
            help="Every corrected article with its themes and spending claims as they now stand, in the labelling "
                 "schema; `flankwatch corrections import FILE` reads it back.")


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

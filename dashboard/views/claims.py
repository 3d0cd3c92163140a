"""Claims tracker: spending targets by actor over time (revisions joined), deployments, migration.

Every point opens its quote, speaker, article and link: click it in the chart, select its row in
the table, or pick it from the list under the chart.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from dashboard import charts, data, ui
from dashboard.claim_views import CLAIM_VIEWS, UNIT_LABELS, ClaimView

SELECTED_KEY = "claims_selected"


def _select_from_chart(chart_key: str) -> None:
    points = st.session_state.get(chart_key, {}).get("selection", {}).get("points", [])
    for point in points:
        custom = point.get("customdata")
        if isinstance(custom, (list, tuple)):
            custom = custom[0] if custom else None
        if custom:
            st.session_state[SELECTED_KEY] = str(custom)
            return


def _select_from_table(table_key: str, ids: list[str]) -> None:
    rows = st.session_state.get(table_key, {}).get("selection", {}).get("rows", [])
    if rows and rows[0] < len(ids):
        st.session_state[SELECTED_KEY] = ids[rows[0]]


def _select_from_list(list_key: str) -> None:
    if st.session_state.get(list_key):
        st.session_state[SELECTED_KEY] = st.session_state[list_key]


def claim_detail(ctx: ui.ViewContext, claim: Mapping[str, object]) -> None:
    """The quote, who said it, and the article it came from, with links."""
    with st.container(border=True):
        st.caption(f"{claim['type'].capitalize()} claim · {ui.md_escape(claim.get('actor') or 'actor not stated')} · "
                   f"stated {pd.Timestamp(claim['stated']):%Y-%m-%d}" if claim.get("stated") is not None
                   and not pd.isna(claim.get("stated")) else f"{claim['type'].capitalize()} claim")
        st.html("<blockquote style='margin:0.2rem 0 0.6rem 0;padding:0.4rem 0.9rem;border-left:4px solid "
                f"#2F5D8A;background:#FFFFFF;font-size:1.05rem'>{ui.escaped(claim.get('evidence'))}</blockquote>")
        ui.facts_table([
            ("Claim", claim.get("label")),
            ("Speaker", claim.get("speaker") if isinstance(claim.get("speaker"), str) else "not stated"),
            ("Article", claim.get("title")),
            ("Source", claim.get("outlet") if isinstance(claim.get("outlet"), str) else "unknown"),
            ("Link", claim.get("url") if isinstance(claim.get("url"), str) else "none"),
        ])
        left, right, _ = st.columns([2, 2, 4])
        left.page_link("views/articles.py", label="Open the article here", icon=":material/article:",
                       query_params={"item": str(claim["item_id"])})
        url = ui.safe_url(claim.get("url"))
        if url:
            right.link_button("Open the original", url, icon=":material/open_in_new:")


def claim_tab(ctx: ui.ViewContext, view: ClaimView) -> None:
    claims = data.claims(ctx.db, ctx.filters, claim_type=view.claim_type)
    if claims.empty:
        st.info(f"No {view.tab.lower()} claims for these filters.")
        return
    unit = None
    if view.claim_type == "spending":
        units = [u for u in ("pct_gdp", "eur", "usd") if (claims["unit"] == u).any()]
        units += sorted(set(claims["unit"].dropna()) - set(units))
        if not units:
            st.info("No spending claim here states an amount.")
            return
        unit = st.segmented_control("Unit", options=units, format_func=lambda u: UNIT_LABELS.get(u, u),
                                    default=units[0], key="cl_unit", bind="query-params") or units[0]
    points = data.claim_points(ctx.db, ctx.filters, claim_type=view.claim_type, unit=unit)
    if points.empty:
        st.info("None of these claims has both a value and a date to place it on the chart.")
        return
    colours = charts.palette_colours(sorted(points["group"].unique()))
    y_title = UNIT_LABELS.get(unit, view.y_title) if unit else view.y_title
    subtitle = ("● target   ◆ level reached or budgeted · a vertical bar is a range · lines join an actor's "
                "successive claims" if view.claim_type == "spending" else None)
    fig = charts.claims_chart(
        points, x="stated", y="value", y_high="value_high", actor="group", label="label", key="claim_id",
        hover="hover", symbol="symbol", colours=colours, title=view.title, subtitle=subtitle,
        x_title="Date stated", y_title=y_title, note=ctx.note, connect=view.connect,
        labels="all" if len(points) <= 12 else "latest", y_format=",.2~f" if unit == "pct_gdp" else ",.0f",
        legend_title=view.legend,
    )
    chart_key = f"claims_chart_{view.claim_type}"
    table_key = f"claims_table_{view.claim_type}"
    list_key = f"claims_list_{view.claim_type}"
    export = points.drop(columns=["hover", "symbol"])
    chart_column, table_column = st.columns([13, 7])
    with chart_column:
        ui.plotly_chart(fig, key=chart_key, on_select=lambda: _select_from_chart(chart_key))
        ui.download_row(fig, export, name=f"{view.claim_type}-claims", key=f"dl_{view.claim_type}")
    ids = points["claim_id"].astype(str).tolist()
    with table_column:
        table = pd.DataFrame({"stated": points["stated"], "claim": points["group"] + ": " + points["label"]})
        st.dataframe(
            table, hide_index=True, width="stretch", height=560, key=table_key,
            on_select=lambda: _select_from_table(table_key, ids), selection_mode="single-row",
            column_config={
                "stated": st.column_config.DateColumn("Stated", format="YYYY-MM-DD", width="small"),
                "claim": st.column_config.TextColumn(f"{view.legend}: claim", width="large"),
            },
        )
    # Option labels in one vectorised pass: a callback per option is slow with thousands of claims.
    labels = dict(zip(ids, pd.to_datetime(points["stated"]).dt.strftime("%Y-%m-%d").fillna("undated")
                      + " · " + points["group"].astype(str) + " · " + points["label"].astype(str)))
    st.selectbox(
        "Claim", options=ids, index=None, key=list_key, on_change=_select_from_list, args=(list_key,),
        placeholder="Or pick a claim from the list", format_func=labels.__getitem__,
    )
    selected = st.session_state.get(SELECTED_KEY)
    if selected in labels:
        claim_detail(ctx, points[points["claim_id"].astype(str) == selected].iloc[0].to_dict())
    else:
        st.caption("Click a point, select a table row or pick a claim to see its quote and article.")


def main() -> None:
    ctx = ui.context()
    ui.page_title("Claims tracker", "Quantified statements found in the articles: who pledged what, when it "
                                    "was said, and where it was reported.")
    if not ui.has_data(ctx):
        return
    # bound to the URL, the tabs run lazily: only the open one queries and draws
    tabs = st.tabs([view.tab for view in CLAIM_VIEWS], key="claims_tab", bind="query-params")
    for tab, view in zip(tabs, CLAIM_VIEWS):
        if tab.open:
            with tab:
                claim_tab(ctx, view)
    st.divider()
    ui.table_download("Download all filtered claims (CSV)", lambda: data.claims_export(ctx.store, ctx.filters),
                      name="claims", key="claims_csv")


main()

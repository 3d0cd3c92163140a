"""Claims tracker: spending targets as revised by each actor, deployments, migration.

Spending: one small panel per actor with its current target as a step line and its actual levels
as points, each change annotated and listed in the revisions table beside the chart
(analysis/revisions.py decides what is a revision). Every point opens its quote, speaker, article
and link: click it in the chart, select its row in a table, or pick it from the list.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from analysis import revisions as fw_revisions
from dashboard import charts, data, ui
from dashboard import revisions as revision_charts
from dashboard.claim_views import CLAIM_VIEWS, UNIT_LABELS, ClaimView

SELECTED_KEY = "claims_selected"
MAX_PANELS = 6


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
    if len(claims) >= data.CLAIMS_SHOWN:
        total = data.claims_count(ctx.db, ctx.filters, claim_type=view.claim_type)
        if total > len(claims):
            st.caption(f"Showing the newest {len(claims):,} of {total:,} {view.claim_type} claims: narrow the "
                       "dates, themes or sources to see older ones. The CSV download below has them all.")
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
    if view.claim_type == "spending":
        spending_revisions(ctx, view, claims[claims["unit"] == unit], points, unit=str(unit))
        claim_picker(ctx, points)
        return
    colours = charts.palette_colours(sorted(points["group"].unique()))
    y_title = UNIT_LABELS.get(unit, view.y_title) if unit else view.y_title
    subtitle = None
    fig = charts.claims_chart(
        points, x="stated", y="value", y_high="value_high", actor="group", label="label", key="claim_id",
        hover="hover", symbol="symbol", colours=colours, title=view.title, subtitle=subtitle,
        x_title="Date stated", y_title=y_title, note=ctx.note, connect=view.connect,
        labels="all" if len(points) <= 12 else "latest", y_format=",.2~f" if unit == "pct_gdp" else ",.0f",
        legend_title=view.legend,
    )
    chart_key = f"claims_chart_{view.claim_type}"
    table_key = f"claims_table_{view.claim_type}"
    export = points.drop(columns=["hover", "symbol"])
    chart_column, table_column = st.columns([13, 7])
    with chart_column:
        ui.plotly_chart(fig, key=chart_key, on_select=lambda: _select_from_chart(chart_key))
        ui.download_row(fig, export, name=f"{view.claim_type}-claims", key=f"dl_{view.claim_type}")
    ids = points["claim_id"].astype(str).tolist()
    with table_column:
        table = pd.DataFrame({"stated": points["stated"], "claim": points["group"] + ": " + points["label"]})
        st.dataframe(
            # both columns inside the narrow column beside the chart; a claim wraps over three lines
            table, hide_index=True, width="stretch", height=560, key=table_key, row_height=66,
            on_select=lambda: _select_from_table(table_key, ids), selection_mode="single-row",
            column_config={
                "stated": st.column_config.DateColumn("Stated", format="YYYY-MM-DD", width=95),
                "claim": st.column_config.TextColumn(f"{view.legend}: claim", width=190),
            },
        )
    claim_picker(ctx, points)


def claim_picker(ctx: ui.ViewContext, points: pd.DataFrame) -> None:
    """Every claim of the chart in a list, and the quote of the one selected (by any means)."""
    list_key = f"claims_list_{points['type'].iloc[0]}"
    ids = points["claim_id"].astype(str).tolist()
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


def on_a_phone() -> bool:
    """Whether the browser says it is a phone or tablet: "Mobi" in its User-Agent (MDN's advice).

    The server does not know the screen's width; without this, a phone got two 300 px panels per
    row and scrolled the chart sideways. A saved view's own choice (cl_cols in the URL) still wins.
    """
    return "Mobi" in (st.context.headers.get("User-Agent") or "")


def spending_revisions(ctx: ui.ViewContext, view: ClaimView, claims: pd.DataFrame, points: pd.DataFrame, *,
                       unit: str) -> None:
    """Small multiples of each actor's target as revised, and the revisions table beside them."""
    statements = data.target_revisions(claims)
    actual_rows = points[~fw_revisions.is_target(points)]
    actors = revision_charts.panel_actors(statements, actual_rows, limit=MAX_PANELS)
    if not actors:
        st.info("No actor is named in these spending claims.")
        return
    unit_words = fw_revisions.unit_words(unit)
    default = 1 if on_a_phone() else 2
    columns = st.segmented_control("Panels per row", options=[1, 2, 3], default=default, key="cl_cols",
                                   bind="query-params", help="One per row reads best on a phone") or default
    fig = data.revisions_figure(
        statements, actual_rows, actors=actors, unit=unit, until=pd.Timestamp(points["stated"].max()),
        title=view.title, subtitle="Targets as revised, one panel per actor; click a label for its article",
        note=ctx.note, y_title=unit_words, columns=columns,
        y_format=",.2~f" if unit == "pct_gdp" else "~s",
    )
    chart_key, table_key = "claims_chart_spending", "claims_table_spending"
    changes = fw_revisions.changes(statements)
    changes = changes.sort_values(["date", "actor"], ascending=[False, True], kind="stable")  # newest first
    ids = changes["claim_id"].astype(str).tolist()
    # the table under the chart, not beside it: both need the full width to be read (and on a phone)
    # a panel never narrower than 300 px: on a narrow screen the chart scrolls inside itself instead
    st.html(f"<style>.st-key-revisions_chart {{overflow-x:auto}} .st-key-revisions_chart > div "
            f"{{min-width:{300 * min(columns, len(actors))}px}}</style>")
    with st.container(key="revisions_chart"):
        ui.plotly_chart(fig, key=chart_key, on_select=lambda: _select_from_chart(chart_key))
    export = statements.drop(columns=[c for c in ("evidence",) if c in statements.columns])
    ui.download_row(fig, export, name="spending-revisions", key="dl_spending")
    with st.container():
        st.markdown(f"**Revisions** · {len(changes):,} change{'s' if len(changes) != 1 else ''} of target, "
                    f"newest first")
        table = pd.DataFrame({
            "actor": changes["actor"],
            "change": changes["kind"],
            "from": changes["from_text"].replace("", "—"),
            "to": changes["to_text"],
            "date": pd.to_datetime(changes["date"]),
            "source": changes["source"].fillna("unknown"),
            "speaker": changes["speaker"].fillna("not stated"),
            "quote": [revision_charts.ARTICLE_URL.format(item_id=i) for i in changes["item_id"]],
        })
        st.dataframe(
            table, hide_index=True, width="stretch", height=min(560, 38 + 35 * max(len(table), 1)), key=table_key,
            on_select=lambda: _select_from_table(table_key, ids), selection_mode="single-row",
            column_config={
                "actor": st.column_config.TextColumn("Actor", pinned=True),
                "change": st.column_config.TextColumn("Change"),
                "from": st.column_config.TextColumn("From"),
                "to": st.column_config.TextColumn("To"),
                "date": st.column_config.DateColumn("Date", format="YYYY-MM-DD"),
                "source": st.column_config.TextColumn("Source"),
                "speaker": st.column_config.TextColumn("Speaker"),
                "quote": st.column_config.LinkColumn("Quote", display_text="open", width="small"),
            },
        )
        hidden = len(set(statements["actor"]) | set(actual_rows["actor"].dropna())) - len(actors)
        if hidden > 0:
            st.caption(f"The chart shows the {len(actors)} actors with most claims; {hidden} more "
                       f"actor{'s are' if hidden != 1 else ' is'} in the table. Pick actors in the sidebar to "
                       "compare others.")
        restated = int((statements["kind"] == "restated").sum())
        if restated:
            st.caption(f"Not listed: {restated:,} restatement{'s' if restated != 1 else ''} of a current target and "
                       "lower interim levels (grey rings on the chart), and same-day duplicates.")
        quiet = statements[~statements["kind"].isin(fw_revisions.CHANGE_KINDS) & statements["actor"].isin(actors)]
        if (quiet["actor"].value_counts() > revision_charts.QUIET_LIMIT).any():
            st.caption(f"An actor with more than {revision_charts.QUIET_LIMIT:,} restatements and interim levels "
                       f"shows {revision_charts.QUIET_LIMIT:,} of them as rings, spread over time; pick an actor "
                       "and a shorter date range to see them all.")


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

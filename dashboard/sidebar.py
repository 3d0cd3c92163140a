"""The sidebar filters every page shares, kept in the URL so a view can be bookmarked and shared.

Each filter widget is bound to a query parameter (``bind="query-params"``): the URL carries
``?dates=2025-01-01&dates=2025-03-31&theme=…&source=…&actor=…&headlines=false`` and the
widgets, which live in the entry script, keep their values across page switches.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import streamlit as st

from analysis.queries import Filters

DATES_KEY = "dates"
THEMES_KEY = "theme"
SOURCES_KEY = "source"
ACTORS_KEY = "actor"
HEADLINES_KEY = "headlines"
SPAN_KEY = "_store_span"


@dataclass(frozen=True, slots=True)
class QuickPick:
    """A one-click date range, counted back from the newest item in the store."""

    key: str
    label: str
    days: int | None  # None: the whole store


QUICK_PICKS: tuple[QuickPick, ...] = (
    QuickPick("30d", "Last 30 days", 30),
    QuickPick("1y", "Last year", 365),
    QuickPick("all", "All time", None),
)


def quick_range(pick: QuickPick, *, first: date, last: date) -> tuple[date, date]:
    """The range a quick pick stands for: the last ``days`` days up to the newest item."""
    if pick.days is None:
        return first, last
    return max(first, last - timedelta(days=pick.days - 1)), last


def date_bounds(value: Any, *, first: date, last: date) -> tuple[date | None, date | None, str | None]:
    """The (start, end) a date_input value means, and a note when it is incomplete.

    A range with only its first day picked arrives as a 1-tuple: it means "from that day on".
    The whole store span means no date restriction at all, so undated items still count.
    """
    if isinstance(value, date):
        value = (value,)
    picked = tuple(v for v in (value or ()) if isinstance(v, date))
    if not picked:
        return None, None, None
    if len(picked) == 1:
        start = picked[0]
        return start, None, f"Only a start date is set: showing {start:%Y-%m-%d} to the newest item."
    start, end = sorted(picked[:2])
    if start <= first and end >= last:
        return None, None, None
    return start, end, None


def _apply_quick_pick(pick: QuickPick, first: date, last: date) -> None:
    st.session_state[DATES_KEY] = quick_range(pick, first=first, last=last)


def _reset(first: date | None, last: date | None) -> None:
    if first is not None and last is not None:
        st.session_state[DATES_KEY] = (first, last)
    for key in (THEMES_KEY, SOURCES_KEY, ACTORS_KEY):
        st.session_state[key] = []
    st.session_state[HEADLINES_KEY] = True


def _follow_store_span(first: date, last: date) -> None:
    """When the store grows (an upload), a range that was the whole store grows with it."""
    previous = st.session_state.get(SPAN_KEY)
    if previous is not None and previous != (first, last):
        if tuple(st.session_state.get(DATES_KEY) or ()) == tuple(previous):
            st.session_state[DATES_KEY] = (first, last)
    st.session_state[SPAN_KEY] = (first, last)


def render(
    *,
    first: date | None,
    last: date | None,
    theme_keys: Sequence[str],
    theme_labels: Mapping[str, str],
    outlets: Sequence[str],
    actors: Sequence[str],
) -> Filters:
    """Draw the filter widgets in the sidebar and return what they say as a ``Filters``."""
    bar = st.sidebar
    bar.markdown("**Filters**")
    start = end = None
    if first is not None and last is not None:
        _follow_store_span(first, last)
        row = bar.container(horizontal=True, gap="small", key="quick_picks")
        for pick in QUICK_PICKS:
            row.button(pick.label, key=f"pick_{pick.key}", on_click=_apply_quick_pick,
                       args=(pick, first, last), type="secondary")
        value = bar.date_input(
            "Date range", value=(first, last), min_value=first, max_value=last, key=DATES_KEY,
            bind="query-params", format="YYYY-MM-DD",
            help="Published day of the items. Type or pick a start and an end day.",
        )
        bar.caption(f"Quick picks count back from the newest item in the store ({last:%Y-%m-%d}), "
                    "not from today.")
        start, end, note = date_bounds(value, first=first, last=last)
        if note:
            bar.caption(note)
    else:
        bar.caption("No dated items in the store yet.")
    themes = bar.multiselect(
        "Themes", options=list(theme_keys), key=THEMES_KEY, bind="query-params",
        format_func=lambda k: theme_labels.get(k, k), placeholder="All themes",
        help="Keep items assigned any of these themes; theme charts show only these themes.",
    )
    sources = bar.multiselect(
        "Sources", options=list(outlets), key=SOURCES_KEY, bind="query-params", placeholder="All outlets",
    )
    chosen_actors = bar.multiselect(
        "Actors", options=list(actors), key=ACTORS_KEY, bind="query-params", placeholder="All actors",
        help="Who a claim is about. Narrows claims to these actors, and items to those carrying such a claim.",
    )
    headlines = bar.toggle(
        "Count headline-only items", value=True, key=HEADLINES_KEY, bind="query-params",
        help="Related headlines listed on article pages are items of their own (title only).",
    )
    bar.button("Reset filters", key="reset_filters", on_click=_reset, args=(first, last), type="tertiary",
               icon=":material/restart_alt:")
    return Filters(
        start=start, end=end, themes=tuple(themes), outlets=tuple(sources), actors=tuple(chosen_actors),
        include_headlines=bool(headlines),
    )

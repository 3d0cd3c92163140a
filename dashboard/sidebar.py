"""The sidebar filters every page shares, kept in the URL so a view can be bookmarked and shared.

Each filter widget is bound to a query parameter (``bind="query-params"``): the URL carries
``?dates=2025-01-01&dates=2025-03-31&theme=…&source=…&actor=…&headlines=false`` and the
widgets, which live in the entry script, keep their values across page switches. A theme is
there by its label (the multiselect's ``format_func``), the others by their value; a filter
left at its default is not there at all. ``filters_query`` writes a ``Filters`` in that form and
``filters_from_query`` reads it back (for the download routes, dashboard/downloads.py, which
run outside any page and refuse what the widgets would silently drop).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import streamlit as st

from analysis.queries import FREQS, Filters, Freq, auto_freq

DATES_KEY = "dates"
THEMES_KEY = "theme"
SOURCES_KEY = "source"
ACTORS_KEY = "actor"
HEADLINES_KEY = "headlines"
FILTER_KEYS = (DATES_KEY, THEMES_KEY, SOURCES_KEY, ACTORS_KEY, HEADLINES_KEY)
SPAN_KEY = "_store_span"
NOTICE_KEY = "_dates_notice"
# The field accepts any day (the browser would refuse a day outside min/max with only a red
# outline); a day outside the store's span is moved into it here, saying why.
FIELD_MIN, FIELD_MAX = date(1900, 1, 1), date(2999, 12, 31)
AUTO = "auto"
PERIOD_LABELS: Mapping[str, str] = {AUTO: "Auto", **{f: f.capitalize() for f in FREQS}}


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


def _picked(value: Any) -> tuple[date, ...]:
    if isinstance(value, date):
        value = (value,)
    if not isinstance(value, (tuple, list)):
        return ()
    return tuple(v for v in value if isinstance(v, date))[:2]


def clamp_range(value: Any, *, first: date, last: date) -> tuple[tuple[date, ...], str | None]:
    """The picked days moved into the store's span (``first`` to ``last``), and why, if any moved.

    A range with only its first day picked arrives as a 1-tuple and stays one.

    >>> clamp_range((date(2019, 1, 1), date(2020, 5, 1)), first=date(2020, 3, 4), last=date(2025, 1, 1))
    ((datetime.date(2020, 3, 4), datetime.date(2020, 5, 1)), '2019-01-01 is before the first item, 2020-03-04; showing from 2020-03-04.')
    """
    picked = tuple(sorted(_picked(value)))
    moved: list[date] = []
    reasons: list[str] = []
    for index, day in enumerate(picked):
        edge = "from" if index == 0 else "up to"
        if day < first:
            moved.append(first)
            reasons.append(f"{day:%Y-%m-%d} is before the first item, {first:%Y-%m-%d}; showing {edge} {first:%Y-%m-%d}.")
        elif day > last:
            moved.append(last)
            reasons.append(f"{day:%Y-%m-%d} is after the newest item, {last:%Y-%m-%d}; showing {edge} {last:%Y-%m-%d}.")
        else:
            moved.append(day)
    return tuple(moved), " ".join(reasons) or None


def date_bounds(value: Any, *, first: date, last: date) -> tuple[date | None, date | None, str | None]:
    """The (start, end) a date_input value means, and a note when it is incomplete or was moved.

    A range with only its first day picked arrives as a 1-tuple: it means "from that day on".
    A day outside the store's span is moved to its edge, and the note says so. The whole store
    span means no date restriction at all, so undated items still count.
    """
    picked, moved = clamp_range(value, first=first, last=last)
    if not picked:
        return None, None, None
    if len(picked) == 1:
        start = picked[0]
        note = f"Only a start date is set: showing {start:%Y-%m-%d} to the newest item."
        return start, None, f"{moved} {note}" if moved else note
    start, end = picked
    if start <= first and end >= last:
        return None, None, moved
    return start, end, moved


def _check_typed_dates(first: date, last: date) -> None:
    """After a date is typed: a day outside the span is moved into it, the field shows where, and
    the reason stays under the field until the next valid input (or a quick pick) clears it."""
    picked, moved = clamp_range(st.session_state.get(DATES_KEY), first=first, last=last)
    st.session_state[NOTICE_KEY] = moved
    if moved:
        st.session_state[DATES_KEY] = picked


def _apply_quick_pick(pick: QuickPick, first: date, last: date) -> None:
    st.session_state[DATES_KEY] = quick_range(pick, first=first, last=last)
    st.session_state[NOTICE_KEY] = None


def _reset(first: date | None, last: date | None) -> None:
    st.session_state[NOTICE_KEY] = None
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
            "Date range", value=(first, last), min_value=FIELD_MIN, max_value=FIELD_MAX, key=DATES_KEY,
            bind="query-params", format="YYYY-MM-DD", on_change=_check_typed_dates, args=(first, last),
            help=f"Published day of the items, {first:%Y-%m-%d} to {last:%Y-%m-%d} in this store. "
                 "Type or pick a start and an end day.",
        )
        start, end, note = date_bounds(value, first=first, last=last)
        notice = st.session_state.get(NOTICE_KEY)
        if notice:
            bar.warning(notice, icon=":material/event_busy:")
        if note:
            bar.caption(note)
        bar.caption(f"Quick picks count back from the newest item in the store ({last:%Y-%m-%d}), "
                    "not from today.")
    else:
        bar.caption("No dated items in the store yet.")
    themes = bar.multiselect(
        "Themes", options=list(theme_keys), key=THEMES_KEY, bind="query-params",
        format_func=lambda k: theme_label(k, theme_labels), placeholder="All themes",
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


def theme_label(key: str, theme_labels: Mapping[str, str]) -> str:
    """How the sidebar names a theme, in its list and in the URL: the taxonomy's label, else the key."""
    return theme_labels.get(key, key)


class FilterError(ValueError):
    """A query parameter that does not say a filter of this store; the message names it and why."""


def filters_query(filters: Filters, *, theme_labels: Mapping[str, str]) -> list[tuple[str, str]]:
    """The query parameters the sidebar's widgets keep in the URL for ``filters`` (none for a default).

    >>> filters_query(Filters(start=date(2025, 1, 1), themes=("belarus",), include_headlines=False), theme_labels={})
    [('dates', '2025-01-01'), ('theme', 'belarus'), ('headlines', 'false')]
    """
    days = [day for day in (filters.start, filters.end) if day is not None]
    if filters.start is None and filters.end is not None:  # a range open at its start: from the field's first day
        days = [FIELD_MIN, filters.end]
    return [*((DATES_KEY, f"{day:%Y-%m-%d}") for day in days),
            *((THEMES_KEY, theme_label(key, theme_labels)) for key in filters.themes),
            *((SOURCES_KEY, outlet) for outlet in filters.outlets),
            *((ACTORS_KEY, actor) for actor in filters.actors),
            *([(HEADLINES_KEY, "false")] if not filters.include_headlines else [])]


def _day(value: str) -> date:
    for pattern in ("%Y-%m-%d", "%Y/%m/%d"):  # what the date field reads from a URL
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise FilterError(f"{DATES_KEY}: {value!r} is not a day (YYYY-MM-DD)")


def _chosen(key: str, values: Sequence[str], known: Mapping[str, str], what: str) -> tuple[str, ...]:
    """The keys of ``values`` as the URL names them (``known``: name -> key), each once."""
    unknown = [v for v in values if v not in known]
    if unknown:
        shown = ", ".join(repr(v) for v in unknown[:5]) + (", ..." if len(unknown) > 5 else "")
        raise FilterError(f"{key}: {shown} {'is' if len(unknown) == 1 else 'are'} not among the {what} of this store")
    return tuple(dict.fromkeys(known[v] for v in values))


def filters_from_query(params: Iterable[tuple[str, str]], *, first: date | None, last: date | None,
                       theme_keys: Sequence[str], theme_labels: Mapping[str, str], outlets: Sequence[str],
                       actors: Sequence[str]) -> Filters:
    """The ``Filters`` that query parameters in the sidebar's URL form say, read as its widgets read them.

    Days outside the store's span (``first`` to ``last``) move to its edge and the whole span means
    no date restriction (:func:`date_bounds`). Unlike the widgets, which drop what they cannot
    show, a parameter that is malformed, repeated where one value is meant, names a theme, source
    or actor the sidebar does not offer, or is not a filter at all raises FilterError naming it.
    """
    given: dict[str, list[str]] = {}
    for key, value in params:
        given.setdefault(key, []).append(value)
    unknown = [key for key in given if key not in FILTER_KEYS]
    if unknown:
        raise FilterError(f"{unknown[0]}: not a filter; the filters are {', '.join(FILTER_KEYS)}")
    days = [_day(value) for value in given.get(DATES_KEY, [])]
    if len(days) > 2:
        raise FilterError(f"{DATES_KEY}: {len(days)} days given; a range is one or two days")
    start = end = None
    if days and first is not None and last is not None:
        start, end, _ = date_bounds(tuple(days), first=first, last=last)
    headlines = given.get(HEADLINES_KEY, ["true"])
    if len(headlines) > 1:
        raise FilterError(f"{HEADLINES_KEY}: given {len(headlines)} times; it is one value, true or false")
    if headlines[0].lower() not in ("true", "false"):
        raise FilterError(f"{HEADLINES_KEY}: {headlines[0]!r} is not true or false")
    return Filters(
        start=start, end=end,
        themes=_chosen(THEMES_KEY, given.get(THEMES_KEY, []),
                       {theme_label(k, theme_labels): k for k in theme_keys}, "themes"),
        outlets=_chosen(SOURCES_KEY, given.get(SOURCES_KEY, []), {o: o for o in outlets}, "sources"),
        actors=_chosen(ACTORS_KEY, given.get(ACTORS_KEY, []), {a: a for a in actors}, "actors"),
        include_headlines=headlines[0].lower() == "true",
    )


def period_control(key: str, *, first: date | None, last: date | None, items: int) -> Freq:
    """The "Per" control of a time chart: Auto (the default) or a period the analyst picks.

    Auto follows the span and the number of items (:func:`analysis.queries.auto_freq`): weeks
    for a busy year, quarters for a decade. Bound to the URL like the filters.
    """
    choice = st.segmented_control(
        "Per", options=list(PERIOD_LABELS), format_func=PERIOD_LABELS.get, default=AUTO, key=key,
        bind="query-params", selection_mode="single",
        help="Auto picks the period from the dates shown and how many items they hold: at most 60 "
             "periods, about two items or more in each.",
    )
    if choice in FREQS:
        return choice
    return auto_freq(first, last, items=items)

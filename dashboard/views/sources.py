"""Sources: the feeds and sitemaps this store follows (sources.toml), and how each is doing.

Per source: its state (ok, failing, paused, not polled yet), the last success, the last error by
kind (timeout, HTTP 503, not a feed, TLS, ...), items per day over the last week, and the next
poll; a source can be paused, resumed and polled now. The table refreshes itself every few seconds.
"""

from __future__ import annotations

from datetime import datetime, timezone
import streamlit as st

from analysis import polling
from analysis.live import Source, SourcesError, load_sources
from dashboard import data, ui
from dashboard.health import health_frame

REFRESH_S = 5.0


def _sources(ctx: ui.ViewContext) -> tuple[list[Source], str | None, str]:
    poller = polling.running_poller(ctx.db)
    if poller is not None:
        return poller.sources, poller.problem, str(poller.sources_path)
    path = polling.sources_path(None)
    try:
        return load_sources(path), None, str(path)
    except SourcesError as exc:
        return [], str(exc), str(path)


@st.fragment(run_every=REFRESH_S)
def _table(ctx: ui.ViewContext, sources: list[Source]) -> None:
    now = datetime.now(timezone.utc)
    with data.cursor(ctx.db) as con:
        rows = polling.health(con, sources, now=now)
    text = st.column_config.TextColumn
    # widths that add up to a 1440 px screen's table (about 960 px): every column in sight
    st.dataframe(health_frame(rows, now=now), hide_index=True, width="stretch", column_config={
        "name": text("Source", width=125), "status": text("State", width=95), "outlet": text("Outlet", width=100),
        "last_success": text("Last success", width=105), "last_error": text("Last error", width=135),
        "items": st.column_config.NumberColumn("Items", width=55),
        "per_day": st.column_config.NumberColumn("Per day (7 d)", format="%.1f", width=85),
        "next_poll": text("Next poll", width=100),
        "interval_min": st.column_config.NumberColumn("Every (min)", format="%.0f", width=75),
        "url": st.column_config.LinkColumn("Feed", width=85),
    })


def main() -> None:
    ctx = ui.context()
    ui.page_title("Sources", "The feeds and sitemaps this store follows, and how each is doing.")
    if ctx.store is None:
        st.error(f"The store cannot be opened: {ui.md_escape(ctx.notice)}")
        return
    sources, problem, path = _sources(ctx)
    poller = polling.running_poller(ctx.db)
    if problem:
        st.error(ui.md_escape(problem))
    if poller is None:
        st.info("Polling is off in this dashboard (it was started with `--no-poll`, or not by `flankwatch serve`). "
                "`flankwatch poll --once` polls every source now and hands the new items to this dashboard.",
                icon=":material/pause_circle:")
    if not sources:
        st.info(f"No sources to follow in {ui.md_escape(path)}. Add `[[sources]]` tables with a `name` and a "
                "feed or news-sitemap `url` (see the comments in data/sources.toml).")
        return
    st.caption(f"Sources file: {ui.md_escape(path)}")
    _table(ctx, sources)

    names = [s.name for s in sources]
    chosen = st.selectbox("Source", names, key="sources_chosen")
    source = next(s for s in sources if s.name == chosen)
    with data.cursor(ctx.db) as con:
        row = next(r for r in polling.health(con, [source]))
    left, middle, right = st.columns(3)
    if row["paused"]:
        if left.button("Resume", key="sources_resume", icon=":material/play_arrow:", width="stretch"):
            polling.set_paused(data.the_owner(ctx.db), source, False)
            st.rerun()
    elif left.button("Pause", key="sources_pause", icon=":material/pause:", width="stretch",
                     disabled=not source.enabled):
        polling.set_paused(data.the_owner(ctx.db), source, True)
        st.rerun()
    if middle.button("Poll now", key="sources_poll", icon=":material/refresh:", width="stretch",
                     disabled=poller is None or row["paused"] or not source.enabled):
        polling.poll_soon(data.the_owner(ctx.db), source)
        poller.poll_now()
        st.toast(f"{source.name} will be polled within seconds")
    right.caption(f"{'Enabled' if source.enabled else 'Disabled in the sources file'} · every "
                  f"{source.interval / 60:.0f} min" + (f" · {source.country}" if source.country else "")
                  + (f" · {source.language}" if source.language else ""))


main()

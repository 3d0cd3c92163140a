"""Flankwatch dashboard entry script: page config, the shared sidebar filters, navigation.

Run it with `flankwatch serve` (which sets FLANKWATCH_DB) or `make run`. Every page is a file in
dashboard/views/; this script works out the filters and the store once per run and hands them
to the page through Session State.
"""

from __future__ import annotations

import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
if str(PROJECT_DIR) not in sys.path:  # `streamlit run dashboard/app.py` from any folder
    sys.path.insert(0, str(PROJECT_DIR))

import streamlit as st  # noqa: E402
from streamlit.errors import StreamlitAPIException  # noqa: E402

from dashboard import data, sidebar, ui  # noqa: E402
from dashboard.charts import palette_colours  # noqa: E402

PAGES: tuple[tuple[str, str, str, str], ...] = (
    # (file, title, icon, url path)
    ("views/overview.py", "Overview", ":material/dashboard:", "overview"),
    ("views/trends.py", "Topic trends", ":material/trending_up:", "trends"),
    ("views/claims.py", "Claims tracker", ":material/query_stats:", "claims"),
    ("views/articles.py", "Articles", ":material/article:", "articles"),
    ("views/topics.py", "Topics", ":material/hub:", "topics"),
    ("views/model.py", "Model", ":material/model_training:", "model"),
    ("views/sources.py", "Sources", ":material/rss_feed:", "sources"),
    ("views/upload.py", "Add articles", ":material/upload_file:", "add-articles"),
)
# The url paths of the pages that draw charts: their first render loads plotly.js early.
CHART_PAGES = frozenset({"", "overview", "trends", "claims", "topics"})
# Pages that exist to change the store (a model to accept, sources to poll, files to add): a lake has none.
WRITING_PAGES = frozenset({"views/model.py", "views/sources.py", "views/upload.py"})


LIVE_KEY = "fw_live"
SEEN_KEY = "fw_seen_generation"
ARRIVED_KEY = "fw_arrived"
LIVE_EVERY_S = 2.0


def _seen_now(path: str) -> None:
    """This run shows the store as of its current generation (clearing the caches once if it moved)."""
    st.session_state[SEEN_KEY] = data.live_generation(path)


@st.fragment(run_every=LIVE_EVERY_S)
def _live_updates(path: str) -> None:
    """Every few seconds: has the store a new generation? Then show it (or offer it, with live updates off)."""
    found = data.the_owner(path)
    seen = st.session_state.get(SEEN_KEY, found.generation)
    if found.generation != seen:
        new = sum(change.new_items for change in found.changes if change.generation > seen)
        if st.session_state.get(LIVE_KEY, True):
            if new:
                st.session_state[ARRIVED_KEY] = (new, found.changes[-1].at)
            st.rerun(scope="app")
        label = f"{new:,} new item{'s' if new != 1 else ''}" if new else "The store changed"
        if st.button(f"{label}: show", key="fw_show_new", icon=":material/refresh:", width="stretch"):
            st.rerun(scope="app")
    arrived = st.session_state.get(ARRIVED_KEY)
    if arrived:
        count, at = arrived
        st.caption(f"{count:,} new item{'s' if count != 1 else ''} at {at.astimezone().strftime('%H:%M:%S')}")
    status = found.status()
    if status["job"]:
        progress = status["progress"]
        text = f"Writing: {status['job']}"
        if progress and progress[1]:
            text += f" · {progress[0]:,} of {progress[1]:,} {progress[2]}".rstrip()
        st.caption(ui.md_escape(text))


@st.fragment(run_every=1.0)
def _wait_for_store(path: str) -> None:
    """Another process holds the store: say who and how far it is, and open the store when it is free."""
    found = data.the_owner(path)
    if found.is_open:
        st.rerun(scope="app")
    if found.failed:
        st.error(f"The store cannot be opened: {ui.md_escape(found.failed)}")
        return
    st.info(f"{ui.md_escape(found.waiting_for or 'Opening the store…')}. This page opens the store by itself "
            "as soon as it is free.", icon=":material/hourglass_top:")
    from analysis.owner import owner_status

    status = owner_status(path)
    if status and status.get("job"):
        progress = status.get("progress")
        text = f"{status['job']}" + (f": {progress[0]:,} of {progress[1]:,} {progress[2]}" if progress and progress[1] else "")
        st.progress(min(1.0, progress[0] / progress[1]) if progress and progress[1] else 0.0, text=ui.md_escape(text))


def _navigation(*, lake: bool = False) -> st.Page:
    """The pages; the first is the default, served at /, and its own path (/overview) answers too.

    Streamlit serves the default page at the root and answers its url_path with "Page not found",
    so a link or bookmark to /overview failed. A hidden page holds that path, runs the same file
    and switches to / with the same query parameters (the saved view), so the menu marks it. Where
    the switch cannot carry them (widgets of this session already bind them), it shows the page here.
    A ``lake`` is read-only: the pages that write are left out.
    """
    pages = [
        st.Page(path, title=title, icon=icon, url_path="" if index == 0 else url_path, default=index == 0)
        for index, (path, title, icon, url_path) in enumerate(PAGES)
        if not (lake and path in WRITING_PAGES)
    ]
    home_file, home_title, home_icon, home_path = PAGES[0]
    alias = st.Page(home_file, title=home_title, icon=home_icon, url_path=home_path, visibility="hidden")
    page = st.navigation([*pages, alias])
    if page.url_path == alias.url_path:
        try:
            st.switch_page(pages[0], query_params=[(key, value) for key in st.query_params
                                                   for value in st.query_params.get_all(key)])
        except StreamlitAPIException:
            pass
    return page


def main() -> None:
    st.set_page_config(page_title="Flankwatch", page_icon=":material/shield:", layout="wide",
                       initial_sidebar_state="auto")
    path = data.db_path()
    lake = data.lake_mode(path)
    page = _navigation(lake=lake)
    if page.url_path in CHART_PAGES:  # before the store is opened and queried
        ui.warm_chart_library()

    opened = data.handle(path)
    if opened.store is None:
        _wait_for_store(path)
        st.stop()
    _seen_now(path)
    taxonomy, taxonomy_error = data.taxonomy()
    known_colours = taxonomy.colours if taxonomy else {}
    theme_labels = dict(taxonomy.labels) if taxonomy else {}

    if opened.store is None:
        bounds = {"first": None, "last": None, "items": 0}
        theme_keys, outlets, actors = list(theme_labels), [], []
    else:
        bounds = data.bounds(path)
        options = data.options(path)
        theme_keys = data.theme_keys(path, theme_labels)
        outlets = options["outlets"]["value"].tolist()
        actors = options["actors"]["value"].tolist()

    filters = sidebar.render(first=bounds["first"], last=bounds["last"], theme_keys=theme_keys,
                             theme_labels=theme_labels, outlets=outlets, actors=actors)
    items = data.summary(path, filters)["items"] if opened.store is not None else 0
    st.sidebar.divider()
    st.sidebar.caption(f"{'Lake' if lake else 'Store'}: {ui.md_escape(Path(path).name)} · "
                       f"{ui.plural(bounds['items'], 'item')}" + (" · read-only" if opened.read_only else ""))
    if lake:  # nothing arrives in a lake, so no live updates
        st.sidebar.caption(data.LAKE_READ_ONLY)
    else:
        with st.sidebar:
            st.toggle("Live updates", key=LIVE_KEY, value=True,
                      help="Show articles as they arrive (from the poller, `flankwatch ingest` or uploads) "
                           "without reloading the page. Off: a notice offers them instead.")
            _live_updates(path)
    if taxonomy_error:
        st.sidebar.warning(f"Theme labels unavailable: {ui.md_escape(taxonomy_error)}")

    st.session_state[ui.CONTEXT_KEY] = ui.ViewContext(
        db=path, store=opened.store, read_only=opened.read_only, notice=opened.notice, filters=filters,
        filters_text=filters.describe(theme_labels=theme_labels), items=items, total_items=bounds["items"],
        first=bounds["first"], last=bounds["last"], theme_labels=theme_labels,
        theme_colours=palette_colours(theme_keys, known=known_colours),
    )
    page.run()


main()

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
    ("views/upload.py", "Add articles", ":material/upload_file:", "add-articles"),
)


def main() -> None:
    st.set_page_config(page_title="Flankwatch", page_icon=":material/shield:", layout="wide",
                       initial_sidebar_state="expanded")
    page = st.navigation([
        st.Page(path, title=title, icon=icon, url_path=url_path, default=index == 0)
        for index, (path, title, icon, url_path) in enumerate(PAGES)
    ])

    path = data.db_path()
    opened = data.handle(path)
    taxonomy, taxonomy_error = data.taxonomy()
    known_colours = taxonomy.colours if taxonomy else {}
    theme_labels = dict(taxonomy.labels) if taxonomy else {}

    if opened.store is None:
        bounds = {"first": None, "last": None, "items": 0}
        theme_keys, outlets, actors = list(theme_labels), [], []
    else:
        bounds = data.bounds(path)
        options = data.options(path)
        stored_themes = options["themes"]["value"].tolist()
        theme_keys = list(dict.fromkeys([*theme_labels, *stored_themes]))
        outlets = options["outlets"]["value"].tolist()
        actors = options["actors"]["value"].tolist()

    filters = sidebar.render(first=bounds["first"], last=bounds["last"], theme_keys=theme_keys,
                             theme_labels=theme_labels, outlets=outlets, actors=actors)
    items = data.summary(path, filters)["items"] if opened.store is not None else 0
    st.sidebar.divider()
    st.sidebar.caption(f"Store: {ui.md_escape(Path(path).name)} · {bounds['items']:,} items"
                       + (" · read-only" if opened.read_only else ""))
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

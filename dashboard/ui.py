"""What every view shares: the page context, charts with their downloads, safe text, empty states.

Article text and titles are never rendered as Markdown or HTML: they go out as dataframe cells,
``st.text``, or HTML-escaped text inside ``st.html`` (escape first, then wrap the highlights).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache, partial
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analysis.queries import Filters
from analysis.store import Store
from analysis.wording import plural  # noqa: F401  (ui.plural for the views)
from dashboard import charts, exports
from dashboard import data as fw_data

CONTEXT_KEY = "_flankwatch_context"
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=])")
EMPTY_STORE = (
    "The store is empty. Add files on the **Add articles** page, or build the demo store with "
    "`flankwatch demo` and restart the dashboard."
)
NO_MATCH = "No items match these filters. Widen the date range or clear a theme, source or actor filter."
# The mode bar shows on hover only, with few buttons (the image, zoom, pan, reset) so it stays clear
# of the title on a wide chart; on a phone PAGE_CSS hides it, where a tap would lay it over the
# title. The PNG, SVG, HTML and CSV buttons under every chart are the exports either way.
PLOTLY_CONFIG = {
    "displaylogo": False,
    "displayModeBar": "hover",
    "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d", "zoomIn2d", "zoomOut2d"],
    "responsive": True,
    "toImageButtonOptions": {"format": "png", "scale": exports.PNG_SCALE,
                             "width": charts.EXPORT_WIDTH, "height": charts.EXPORT_HEIGHT},
}


@dataclass(frozen=True)
class ViewContext:
    """What the entry script worked out for this run; every view reads it."""

    db: str
    store: Store | None
    read_only: bool
    notice: str | None
    filters: Filters
    filters_text: str
    items: int
    total_items: int
    first: date | None
    last: date | None
    theme_labels: Mapping[str, str] = field(default_factory=dict)
    theme_colours: Mapping[str, str] = field(default_factory=dict)

    @property
    def note(self) -> str:
        return charts.source_note(filters_text=self.filters_text, items=self.items)


def context() -> ViewContext:
    return st.session_state[CONTEXT_KEY]


PHONE_PX = 640
# What a narrow screen needs and Streamlit's theme cannot say: no mode bar over a chart's title,
# segmented controls (Per: Auto ... Year) that wrap instead of hiding their last options.
PAGE_CSS = f"""<style>
@media (max-width: {PHONE_PX}px) {{
  [data-testid="stPlotlyChart"] .modebar-container {{ display: none !important; }}
  [data-testid="stButtonGroup"] > div {{ flex-wrap: wrap; row-gap: 0.3rem; overflow-x: visible; }}
}}
</style>"""


WARM_KEY = "fw_chart_library"


@cache
def chart_library_script() -> str | None:
    """A script that imports Streamlit's lazily loaded chart module (plotly.js inside, about 4.7 MB).

    It finds the module by its URL next to Streamlit's own entry script, so the browser's module
    map shares it with Streamlit's own import. None for a Streamlit build without that module.
    """
    found = sorted((Path(st.__file__).parent / "static" / "static" / "js").glob("PlotlyChart.*.js"))
    if not found:
        return None
    return ("<script>(() => { const entry = [...document.scripts].find("
            "s => /\\/static\\/js\\/index\\.[^/]+\\.js$/.test(s.src));"
            f" if (entry) import(entry.src.replace(/index\\.[^/]+\\.js$/, {found[0].name!r})).catch(() => {{}}); }})();"
            "</script>")


def warm_chart_library() -> None:
    """Have the browser load plotly.js now, while the server is still querying the store.

    Streamlit loads its chart module only when the first chart arrives, after the page's queries,
    and parsing it is about a second of a page's first render in Chromium on this machine. This
    runs ``chart_library_script`` at the very start of every run, so the charts find it loaded. The
    container is hidden and emitted on every run, so the elements after it keep their places.
    """
    st.html(f"<style>.st-key-{WARM_KEY} {{ display: none; }}</style>")
    with st.container(key=WARM_KEY):
        script = chart_library_script()
        if script is not None:
            st.html(script, unsafe_allow_javascript=True)


def page_title(title: str, caption: str | None = None) -> None:
    st.html(PAGE_CSS)
    st.title(title, anchor=False)
    if caption:
        st.caption(caption)


def has_data(ctx: ViewContext) -> bool:
    """Show the right empty state and say whether there is anything to draw."""
    if ctx.store is None:
        st.error(f"The store cannot be opened: {md_escape(ctx.notice)}")
        return False
    if ctx.total_items == 0:
        st.info(EMPTY_STORE, icon=":material/inbox:")
        return False
    if ctx.items == 0:
        st.info(NO_MATCH, icon=":material/filter_alt_off:")
        return False
    return True


def plotly_chart(fig: go.Figure, *, key: str, on_select: object = "ignore",
                 selection_mode: str | Sequence[str] = "points"):
    return st.plotly_chart(fig, width="stretch", key=key, on_select=on_select, selection_mode=selection_mode,
                           config=PLOTLY_CONFIG, theme=None)


def chart(
    fig: go.Figure,
    data: pd.DataFrame,
    *,
    name: str,
    key: str,
    on_select: str = "ignore",
) -> Any:
    """A chart and, under it, one download button per export format (built only when clicked)."""
    event = plotly_chart(fig, key=key, on_select=on_select)
    download_row(fig, data, name=name, key=key)
    return event


def _view_filters() -> tuple[Filters | None, str | None]:
    """The filters of this run's view and their words, for download names and CSV columns."""
    ctx = st.session_state.get(CONTEXT_KEY)
    return (ctx.filters, ctx.filters_text) if ctx is not None else (None, None)


def download_row(fig: go.Figure, data: pd.DataFrame, *, name: str, key: str) -> None:
    """One button per export format; each file is named by the view and its filters, the CSV carries them."""
    renderer = fw_data.image_renderer()
    filters, filters_text = _view_filters()
    if filters_text is not None:
        data = data.assign(**{exports.FILTERS_COLUMN: filters_text})
    row = st.container(horizontal=True, gap="small", key=f"{key}_downloads")
    for fmt in exports.FORMATS:
        row.download_button(
            fmt.label, data=partial(exports.build, fmt.key, fig, data, renderer),
            file_name=exports.file_name(name, fmt.key, filters=filters), mime=fmt.mime, key=f"{key}_{fmt.key}",
            help=fmt.help, icon=":material/download:", on_click="ignore", type="tertiary",
        )


def table_download(label: str, build: Callable[[], pd.DataFrame], *, name: str, key: str) -> None:
    """A CSV download of a table built on click (a million rows are not built on every rerun),
    named by the view and its filters, which its last column repeats on every row. The table is
    held whole in the server's memory: for the Articles page's every item, see ``download_link``."""
    filters, filters_text = _view_filters()
    st.download_button(
        label, data=lambda: exports.table_csv(build(), filters=filters_text),
        file_name=exports.file_name(name, "csv", filters=filters),
        mime="text/csv", key=key, icon=":material/download:", on_click="ignore",
    )


# A link drawn as a secondary button (the theme's colours, .streamlit/config.toml), for downloads
# the server streams itself (dashboard/downloads.py).
DOWNLOAD_LINK_CSS = """<style>
a.fw-download { display: inline-flex; align-items: center; gap: 0.5rem; min-height: 2.5rem;
  padding: 0.25rem 0.75rem; border: 1px solid #CBD5E1; border-radius: 0.25rem; background: #FFFFFF;
  color: #17263A; text-decoration: none; font-size: 1rem; line-height: 1.6; }
a.fw-download:hover { border-color: #2F5D8A; color: #2F5D8A; }
a.fw-download:active { background: #2F5D8A; color: #FFFFFF; }
a.fw-download:focus-visible { outline: 2px solid #2F5D8A; outline-offset: 1px; }
a.fw-download .fw-icon { font-family: 'Material Symbols Rounded'; font-size: 1.25rem; line-height: 1; }
</style>"""


def download_link(label: str, href: str, *, file_name: str) -> None:
    """A plain link that downloads ``href`` (no script: the browser saves what the server streams).

    Not ``st.link_button``: it opens a new tab, where the download starts in a blank page. The
    ``download`` attribute keeps the page where it is whatever the server answers.
    """
    st.html(f"{DOWNLOAD_LINK_CSS}<a class='fw-download' href='{escaped(href)}' download='{escaped(file_name)}'>"
            f"<span class='fw-icon' aria-hidden='true'>download</span><span>{escaped(label)}</span></a>")


def md_escape(text: object) -> str:
    """Text (a path, an actor, an error) made literal inside a Markdown string such as a caption."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", "" if text is None else str(text))


def safe_url(url: object) -> str | None:
    """Only http(s) links become buttons; anything else (javascript:, data:) is never linked."""
    if isinstance(url, str) and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return None


def escaped(text: object) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def heading(text: object, *, level: int = 3) -> None:
    """A heading made of article text: escaped, never read as Markdown."""
    st.html(f"<h{level} class='fw-heading' style='margin:0.2rem 0 0.4rem 0'>{escaped(text)}</h{level}>")


def highlight(text: str, spans: Sequence[tuple[int, int, str]]) -> str:
    """``text`` as HTML: every character escaped, claim spans wrapped in <mark> with a tooltip.

    Spans are character offsets into ``text``; overlapping or out-of-range spans are skipped
    rather than breaking the markup.
    """
    pieces: list[str] = []
    position = 0
    for start, end, label in sorted(spans):
        if start < position or end <= start or end > len(text):
            continue
        pieces.append(html.escape(text[position:start]))
        pieces.append(f"<mark title='{escaped(label)}'>{html.escape(text[start:end])}</mark>")  # styled in text_block
        position = end
    pieces.append(html.escape(text[position:]))
    return "".join(pieces)


def claim_spans(text: str, claims: pd.DataFrame) -> list[tuple[int, int, str]]:
    """Where each claim's evidence sits in ``text``: its stored offsets when they match, else a search."""
    spans: list[tuple[int, int, str]] = []
    for claim in claims.to_dict("records"):
        evidence = str(claim.get("evidence") or "")
        start, end = claim.get("start_offset"), claim.get("end_offset")
        label = f"{claim.get('type')} claim: {claim.get('actor') or ''}".strip()
        if (start is not None and end is not None and not pd.isna(start) and not pd.isna(end)
                and 0 <= int(start) < int(end) <= len(text) and text[int(start):int(end)] == evidence):
            spans.append((int(start), int(end), label))
            continue
        found = text.find(evidence) if evidence else -1
        if found >= 0:
            spans.append((found, found + len(evidence), label))
    return spans


def facts_table(rows: Sequence[tuple[str, object]]) -> None:
    """A small two-column table of field names and (escaped) values, without a header row."""
    cells = "".join(
        f"<tr><th style='text-align:left;padding:0.3rem 0.8rem 0.3rem 0;color:#5B6B7F;font-weight:600;"
        f"vertical-align:top;white-space:nowrap'>{escaped(name)}</th>"
        f"<td style='padding:0.3rem 0;overflow-wrap:anywhere'>{escaped(value)}</td></tr>"
        for name, value in rows
    )
    st.html(f"<table class='fw-facts' style='border-collapse:collapse;width:100%;font-size:0.92rem'>{cells}</table>")


def text_block(body_html: str) -> None:
    """Already-escaped HTML shown as a readable block of text that keeps its line breaks."""
    st.html(
        "<style>.fw-text mark{background:#FBE3A1;color:inherit;padding:0 2px;border-radius:2px;"
        "box-shadow:inset 0 -2px 0 #D4A017}</style>"
        "<div class='fw-text' style='white-space:pre-wrap;line-height:1.55;font-size:0.98rem;"
        "background:#FFFFFF;border:1px solid #CBD5E1;border-radius:6px;padding:0.9rem 1.1rem;"
        f"max-height:32rem;overflow-y:auto'>{body_html}</div>"
    )


def theme_label(ctx: ViewContext, key: str) -> str:
    return ctx.theme_labels.get(key, key)


def themes_text(ctx: ViewContext, keys: object) -> str:
    if keys is None or (isinstance(keys, float) and pd.isna(keys)):
        return ""
    return ", ".join(theme_label(ctx, k) for k in list(keys))


def freq_control(key: str, *, default: str = "week") -> str:
    labels = {"day": "Day", "week": "Week", "month": "Month"}
    value = st.segmented_control("Per", options=list(labels), format_func=labels.get, default=default,
                                 key=key, bind="query-params", selection_mode="single")
    return value or default

"""Downloads: a registry of export formats for charts and tables. No Streamlit here.

Adding a format is adding a row to ``FORMATS``; the dashboard lists its download buttons from
it. Image bytes are built only when someone asks for them (the download buttons take a callable),
through one shared headless Chromium kept by :class:`ImageRenderer`: kaleido starts a browser
per image otherwise (~1.6 s), a kept one answers in ~0.15 s.

CSV cells that a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage
return) get a leading single quote, so an exported headline cannot become a formula in Excel.
"""

from __future__ import annotations

import hashlib
import re
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis.queries import Filters, fold_accents
from dashboard.charts import EXPORT_HEIGHT, EXPORT_WIDTH

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
PNG_SCALE = 2
# The last column of every CSV download: the view's filters, on every row. A spreadsheet keeps its
# header in row 1 (sorting, filters and pivot tables work), and rows pasted together from two
# downloads still say which view each came from; a comment line would land in cell A1 instead.
FILTERS_COLUMN = "filters"
MAX_NAME_CHARS = 100  # a download's name without its extension


class ImageRenderer:
    """Turns figures into PNG/SVG bytes through one kept headless browser (kaleido's server).

    The browser starts on the first image, not when the renderer is made; kaleido's server is a
    process-wide singleton that is not safe for concurrent callers, hence the lock.
    """

    def __init__(self, *, keep_browser: bool = True) -> None:
        self.keep_browser = keep_browser
        self._lock = threading.Lock()
        self._started = False

    def render(self, fig: go.Figure, *, fmt: str, width: int = EXPORT_WIDTH, height: int = EXPORT_HEIGHT,
               scale: float = 1) -> bytes:
        import kaleido

        with self._lock:
            if self.keep_browser and not self._started:
                kaleido.start_sync_server(silence_warnings=True)  # a no-op if one is running
                self._started = True
            with warnings.catch_warnings():
                # plotly passes kaleido options a kept server ignores; the defaults are what we want
                warnings.simplefilter("ignore", UserWarning)
                return fig.to_image(format=fmt, width=width, height=height, scale=scale)

    def close(self) -> None:
        import kaleido

        with self._lock:
            if self._started:
                kaleido.stop_sync_server(silence_warnings=True)
                self._started = False


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells cannot run as spreadsheet formulas, and whose lists read as text."""

    def cell(value: object) -> object:
        if isinstance(value, (list, tuple, np.ndarray)):
            value = "; ".join(str(v) for v in value)
        if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
            return "'" + value
        return value

    text_columns = [c for c in frame.columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])]
    return frame.assign(**{c: frame[c].map(cell) for c in text_columns})


def table_csv(frame: pd.DataFrame, *, filters: str | None = None) -> bytes:
    """CSV with a UTF-8 byte-order mark, so Excel reads names such as Nausėda correctly.

    ``filters`` (the view's filters in words) becomes the last column, ``FILTERS_COLUMN``. The
    Articles page's every matching item is the same CSV, streamed from the store instead
    (analysis/queries.py items_csv, dashboard/downloads.py).
    """
    if filters is not None:
        frame = frame.assign(**{FILTERS_COLUMN: filters})
    return spreadsheet_safe(frame).to_csv(index=False).encode("utf-8-sig")


def with_search(filters_text: str, search: str) -> str:
    """The view's filters in words and its search, if any: what a table's ``FILTERS_COLUMN`` says."""
    return f'{filters_text} · search: "{search.strip()}"' if search.strip() else filters_text


def figure_html(fig: go.Figure) -> bytes:
    """A standalone page with plotly.js inline: it opens offline, e.g. attached to an e-mail."""
    return fig.to_html(include_plotlyjs=True, full_html=True,
                       config={"displaylogo": False, "responsive": True}).encode("utf-8")


@dataclass(frozen=True, slots=True)
class ExportFormat:
    """One way to download a chart: what the button says and how the bytes are made."""

    key: str
    label: str
    extension: str
    mime: str
    build: Callable[[go.Figure, pd.DataFrame, ImageRenderer], bytes]
    help: str


FORMATS: tuple[ExportFormat, ...] = (
    ExportFormat("png", "PNG", "png", "image/png",
                 lambda fig, data, renderer: renderer.render(fig, fmt="png", scale=PNG_SCALE),
                 f"Image for slides, {EXPORT_WIDTH * PNG_SCALE}×{EXPORT_HEIGHT * PNG_SCALE} pixels"),
    ExportFormat("svg", "SVG", "svg", "image/svg+xml",
                 lambda fig, data, renderer: renderer.render(fig, fmt="svg"),
                 "Vector image for print and editing"),
    ExportFormat("html", "HTML", "html", "text/html",
                 lambda fig, data, renderer: figure_html(fig),
                 "Interactive chart that works offline"),
    ExportFormat("csv", "CSV", "csv", "text/csv",
                 lambda fig, data, renderer: table_csv(data),
                 "The data behind the chart"),
)


def export_format(key: str) -> ExportFormat:
    for fmt in FORMATS:
        if fmt.key == key:
            return fmt
    raise KeyError(f"no export format {key!r}; known: {', '.join(f.key for f in FORMATS)}")


def build(key: str, fig: go.Figure, data: pd.DataFrame, renderer: ImageRenderer) -> bytes:
    """The bytes of one download; what the dashboard's buttons call, and what the tests check."""
    return export_format(key).build(fig, data, renderer)


def _slug(text: str) -> str:
    """Lower-case letters, digits and single hyphens (accents dropped: Nausėda -> nauseda)."""
    return "-".join(re.findall(r"[a-z0-9]+", fold_accents(text)))


def filters_slug(filters: Filters, *, search: str = "") -> str:
    """The filters in a file name's short form: 2024-01-01_2025-06-30_deterrence+belarus_src-lrt."""
    parts = [f"{filters.start or 'first'}_{filters.end or 'latest'}"
             if filters.start is not None or filters.end is not None else "all-dates"]
    if filters.themes:
        parts.append("+".join(_slug(t) for t in filters.themes))
    if filters.outlets:
        parts.append("src-" + "+".join(_slug(o) for o in filters.outlets))
    if filters.actors:
        parts.append("actor-" + "+".join(_slug(a) for a in filters.actors))
    if not filters.include_headlines:
        parts.append("articles-only")
    if search.strip():
        parts.append("q-" + _slug(search))
    return "_".join(p for p in parts if p)


def file_name(view: str, key: str, *, filters: Filters | None = None, search: str = "") -> str:
    """A download's name: the view, then its filters in short form, safe characters only.

    ``theme-coverage_2024-01-01_2025-06-30_deterrence+belarus.csv``; two views or two filter
    choices never share a name. A name longer than ``MAX_NAME_CHARS`` is cut and ends in a short
    hash of the whole, so it stays unique.
    """
    stem = _slug(view) or "flankwatch"
    if filters is not None:
        stem += "_" + filters_slug(filters, search=search)
    if len(stem) > MAX_NAME_CHARS:
        digest = hashlib.sha1(stem.encode("utf-8")).hexdigest()[:8]
        stem = stem[:MAX_NAME_CHARS - 9].rstrip("_+-") + "-" + digest
    return f"{stem}.{export_format(key).extension}"

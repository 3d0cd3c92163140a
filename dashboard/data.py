"""The dashboard's only caches: the store's owner in this process, and every query's result.

The dashboard process owns the store it shows (analysis/owner.py): it reads on cursors of the
owner's one connection (safe from Streamlit's threads), and every write it makes (uploads,
corrections, topic refits, accepting a model) goes through the owner's write thread, as do the
ingest and analyze commands run while it is open and the poller. When another process holds the
store (a command that started first), the dashboard says who and how far it is, and opens the
store by itself when it is free; nothing about that wait is cached. Each query's small result is
cached by ``st.cache_data``, keyed by the store path and the frozen ``Filters``; the cache is
cleared once per new generation of the store (see ``live_generation``).

A lake (`flankwatch serve --lake DIR`, $FLANKWATCH_LAKE) takes the store's place: its reader
(analysis/lake/serve.py) answers the same queries over Parquet, never changes, and refuses writes;
the pages that write say so instead (``LAKE_READ_ONLY``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import streamlit as st

from analysis import corrections as fw_corrections
from analysis import freshness, owner, queries
from analysis.lake.serve import LAKE_ENV, LakeReader, is_lake
from analysis.paths import resolve_db
from analysis.queries import Filters
from analysis.store import Store, StoreError
from analysis.themes import Taxonomy, TaxonomyError, load_taxonomy
from dashboard import claim_views
from dashboard.exports import ImageRenderer

LAKE_READ_ONLY = ("This is a lake: Parquet files written by `flankwatch export --parquet` or the Spark job, "
                  "read here without loading them. It is read-only, because the next export or job run would "
                  "overwrite any change: upload articles, correct themes and claims, refit topics, retrain the "
                  "model and poll sources on the store (`flankwatch serve --db`), then export it again.")


@dataclass(frozen=True, slots=True)
class StoreHandle:
    """The open store (or why there is none yet) and whether this process may write to it."""

    path: str
    store: Store | None
    read_only: bool
    notice: str | None = None


def db_path() -> str:
    """The store this dashboard shows: $FLANKWATCH_DB (set by `flankwatch serve`) or the default; or the
    lake folder $FLANKWATCH_LAKE (set by `flankwatch serve --lake`)."""
    if os.environ.get(LAKE_ENV):
        return str(Path(os.environ[LAKE_ENV]).resolve())
    return str(resolve_db(None).resolve())


def lake_mode(path: str) -> bool:
    """Whether ``path`` is a lake (read-only, never changing) rather than a store."""
    return is_lake(path)


def _with_rollups(store: Store, started: Any) -> None:
    freshness.refresh_since(store.connection, started)


def _release(found: owner.Owner | LakeReader) -> None:
    if isinstance(found, LakeReader):
        found.close()
    else:
        owner.detach(found.path)


@st.cache_resource(show_spinner=False, on_release=_release)
def _owner(path: str) -> owner.Owner | LakeReader:
    if is_lake(path):
        return LakeReader(path).open()
    found = owner.attach(path)
    if _with_rollups not in found._after_write:
        found.on_write(_with_rollups)
    return found


def _rollups_built(path: str) -> None:
    """Build the rollups once per opened store, on the write thread (which keeps them fresh after each write)."""
    found = _owner(path)
    if not found.rollups_built:
        found.write(lambda store: queries.build_rollups(store.connection), label="rollups")
        found.rollups_built = True


def handle(path: str | None = None) -> StoreHandle:
    path = path or db_path()
    found = _owner(path)
    if found.store is None:
        return StoreHandle(path, None, True, found.failed or found.waiting_for or f"{path}: opening the store…")
    if isinstance(found, LakeReader):
        return StoreHandle(path, found.store, True, LAKE_READ_ONLY)
    _rollups_built(path)
    return StoreHandle(path, found.store, False)


def the_owner(path: str) -> owner.Owner | LakeReader:
    return _owner(path)


@contextmanager
def cursor(path: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor of the owner's connection; closed when the query is done."""
    with _owner(path).cursor() as con:
        yield con


def write(path: str, function: Callable[[Store], Any], *, label: str) -> Any:
    """Run a write on the owner's write thread (after whatever is queued) and show it everywhere."""
    result = _owner(path).write(function, label=label)
    forget_results(path)
    return result


def forget_results(path: str) -> None:
    """Forget every cached result (once per generation of the store, whichever session sees it first)."""
    st.cache_data.clear()
    _seen_generation(path)["cleared"] = _owner(path).generation


@st.cache_resource(show_spinner=False)
def _seen_generation(path: str) -> dict[str, int]:
    return {"cleared": 0}


def live_generation(path: str) -> int:
    """The store's generation; when it moved since the caches were last cleared, clear them now."""
    generation = _owner(path).generation
    if _seen_generation(path)["cleared"] != generation:
        forget_results(path)
    return generation


def refresh_after_write(path: str) -> None:
    """After a write made outside ``write``: forget every cached result (the owner refreshed the rollups)."""
    forget_results(path)


def save_corrections(path: str, items: Sequence[fw_corrections.Correction]) -> list[str]:
    """Record an analyst's corrections and show them at once on every page.

    The corrections land in the analysis rows in their own transaction on the owner's write
    thread, which then recounts the rollups of the corrected items; every cached result is
    forgotten, so the Overview, Trends and Claims pages count the corrected values on their next run.
    """
    return write(path, lambda store: fw_corrections.record_corrections(store, items),
                 label=f"{len(items)} correction{'s' if len(items) != 1 else ''}")


@st.cache_resource(show_spinner=False)
def taxonomy() -> tuple[Taxonomy | None, str | None]:
    """The default taxonomy, or the reason it could not be read (the app still runs without it)."""
    try:
        return load_taxonomy(), None
    except TaxonomyError as exc:
        return None, str(exc)


@st.cache_resource(show_spinner=False, on_release=lambda renderer: renderer.close())
def image_renderer() -> ImageRenderer:
    return ImageRenderer()


# -- cached queries (the first argument is always the store path, so stores never mix) ----------


@st.cache_data(show_spinner=False, max_entries=64)
def bounds(path: str) -> dict[str, Any]:
    with cursor(path) as con:
        return queries.store_bounds(con)


@st.cache_data(show_spinner=False, max_entries=64)
def options(path: str) -> dict[str, pd.DataFrame]:
    with cursor(path) as con:
        return queries.filter_options(con)


def theme_keys(path: str, theme_labels: Mapping[str, str]) -> list[str]:
    """The themes the sidebar offers: the taxonomy's, then any other theme the store assigns."""
    return list(dict.fromkeys([*theme_labels, *options(path)["themes"]["value"].tolist()]))


@st.cache_data(show_spinner=False, max_entries=256)
def summary(path: str, filters: Filters) -> dict[str, Any]:
    with cursor(path) as con:
        return queries.summary(con, filters, rollups=True)


@st.cache_data(show_spinner=False, max_entries=256)
def volume(path: str, filters: Filters, *, dimension: str, freq: str) -> pd.DataFrame:
    with cursor(path) as con:
        return queries.volume(con, filters, dimension=dimension, freq=freq, rollups=True)


@st.cache_data(show_spinner=False, max_entries=256)
def spike_headlines(path: str, filters: Filters, *, dimension: str, freq: str, key: str) -> pd.DataFrame:
    series = volume(path, filters, dimension=dimension, freq=freq)
    spikes = series[(series["key"] == key) & series["spike"]]
    with cursor(path) as con:
        return queries.spike_headlines(con, filters, spikes, dimension=dimension, freq=freq, rollups=True)


@st.cache_data(show_spinner=False, max_entries=128)
def compare(path: str, filters: Filters, *, first: tuple[date, date], second: tuple[date, date],
            dimension: str) -> pd.DataFrame:
    with cursor(path) as con:
        return queries.compare_periods(con, filters, first=first, second=second, dimension=dimension,
                                       rollups=True)


@st.cache_data(show_spinner=False, max_entries=256)
def latest(path: str, filters: Filters, *, limit: int = 12) -> pd.DataFrame:
    with cursor(path) as con:
        return queries.latest_items(con, filters, limit=limit, rollups=True)


@st.cache_data(show_spinner=False, max_entries=4)
def search_ids(path: str, text: str) -> pa.Table:
    """The ids of the items a search matches, whatever the filters: the texts are read once per
    search, not again at every filter change (a scan of a million texts takes seconds)."""
    with cursor(path) as con:
        return queries.search_ids(con, text)


@st.cache_data(show_spinner=False, max_entries=256)
def search(path: str, filters: Filters, *, text: str, sort: str, limit: int) -> tuple[pd.DataFrame, int]:
    matched = search_ids(path, text) if queries.search_terms(text) else None
    with cursor(path) as con:
        if matched is not None:
            con.register("fw_matched", matched)  # this cursor's own view of the ids
        return queries.search_with_count(con, filters, text=text, sort=sort, limit=limit, rollups=True,
                                         matched=None if matched is None else "fw_matched")


@st.cache_data(show_spinner=False, max_entries=256)
def item_detail(path: str, item_id: str) -> dict[str, Any] | None:
    with cursor(path) as con:
        record = queries.item(con, item_id)
        if record is None:
            return None
        return {
            "item": record,
            "themes": queries.item_themes(con, item_id),
            "claims": queries.item_claims(con, item_id),
            "related": queries.related_headlines(con, item_id),
            "duplicates": queries.near_duplicates(con, item_id),
        }


@st.cache_data(show_spinner=False, max_entries=256)
def item_corrections(path: str, item_id: str) -> pd.DataFrame:
    with cursor(path) as con:
        return fw_corrections.item_corrections(con, item_id)


@st.cache_data(show_spinner=False, max_entries=16)
def corrections_count(path: str) -> dict[str, int]:
    with cursor(path) as con:
        return fw_corrections.corrections_count(con)


@st.cache_data(show_spinner=False, max_entries=8)
def model_manifest(path: str) -> dict[str, Any]:
    """The manifest of the model in use (the store's accepted one, else the shipped file).

    Raises ImportError when this installation has no model API (analysis/modelfile.py), and
    TaxonomyError when the taxonomy the model is read against cannot be loaded.
    """
    import importlib

    modelfile = importlib.import_module("analysis.modelfile")
    themes, problem = taxonomy()
    if themes is None:
        raise TaxonomyError(problem or "the taxonomy cannot be read")
    with cursor(path) as con:
        return dict(modelfile.active_bundle(Store(path, con, read_only=True), themes).manifest)


# The Claims tracker draws at most this many claims (the newest), each a point and a row: beyond
# a few thousand a browser spends minutes drawing them. The CSV download has them all.
CLAIMS_SHOWN = 3000


@st.cache_data(show_spinner=False, max_entries=256)
def claims(path: str, filters: Filters, *, claim_type: str | None) -> pd.DataFrame:
    """The newest CLAIMS_SHOWN claims of the filters (all of them in a team's store)."""
    with cursor(path) as con:
        return queries.claims(con, filters, claim_type=claim_type, rollups=True, newest=CLAIMS_SHOWN)


@st.cache_data(show_spinner=False, max_entries=256)
def claims_count(path: str, filters: Filters, *, claim_type: str | None) -> int:
    with cursor(path) as con:
        return queries.count_claims(con, filters, claim_type=claim_type, rollups=True)


@st.cache_data(show_spinner=False, max_entries=64)
def claim_points(path: str, filters: Filters, *, claim_type: str, unit: str | None) -> pd.DataFrame:
    """The prepared points of one claims chart (labels and hover text built once per filter)."""
    return claim_views.prepare(claims(path, filters, claim_type=claim_type), claim_views.claim_view(claim_type),
                               unit=unit)


@st.cache_data(show_spinner=False, max_entries=32)
def target_revisions(claims_frame: pd.DataFrame) -> pd.DataFrame:
    """Each actor's statements of target (analysis/revisions.py), once per claims frame."""
    from analysis import revisions

    # plain Python strings: the chain walks its rows one by one, and arrow strings are slow to iterate
    strings = {c: object for c, kind in claims_frame.dtypes.items() if isinstance(kind, pd.StringDtype)}
    return revisions.target_revisions(claims_frame.astype(strings))


@st.cache_data(show_spinner=False, max_entries=32)
def revisions_figure(statements: pd.DataFrame, actual_rows: pd.DataFrame, **options: Any):
    """The small multiples of targets as revised (plotly's own work takes a second or more at 10,000 claims)."""
    from dashboard import revisions as revision_charts

    return revision_charts.revisions_figure(statements, actual_rows, **options)


@st.cache_data(show_spinner=False, max_entries=128)
def topics(path: str, filters: Filters) -> pd.DataFrame:
    with cursor(path) as con:
        return queries.topics(con, filters, rollups=True)


@st.cache_data(show_spinner=False, max_entries=128)
def topic_map(path: str, filters: Filters) -> pd.DataFrame:
    with cursor(path) as con:
        return queries.topic_map(con, filters, rollups=True)


# -- uncached, for downloads built on demand ---------------------------------------------------
# These run in the download button's own thread, outside any script run, so they take the open
# Store itself (looked up while the script ran) rather than going through the caches. The
# Articles page's every matching item is not one of them: a million rows are streamed by the
# server's own route (dashboard/downloads.py), never held whole in memory.


@contextmanager
def _store_cursor(store: Store) -> Iterator[duckdb.DuckDBPyConnection]:
    con = store.connection.cursor()
    try:
        yield con
    finally:
        con.close()


def claims_export(store: Store, filters: Filters) -> pd.DataFrame:
    with _store_cursor(store) as con:
        return queries.claims(con, filters, rollups=True)


def corrections_export(store: Store) -> str:
    """The corrected articles as labelled JSON lines (LABELING.md), for the download button."""
    with _store_cursor(store) as con:
        lines = fw_corrections.export_lines(Store(store.path, con, read_only=True))
    return "".join(line + "\n" for line in lines)

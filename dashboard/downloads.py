"""Downloads the dashboard's web server sends itself, streamed: every item matching the Articles page.

Streamlit's download button holds the whole file in the server's memory before the browser gets
a byte (its media file manager): 11 s and +441 MB for a million items. The Articles page links to
``EXPORT_PATH`` instead, its filters and search in the query string in the form the sidebar keeps
them in the page's URL (dashboard/sidebar.py ``filters_query``). The route reads them back as the
widgets do, reads the store through the pages' own owner (dashboard/data.py), and sends the CSV
as DuckDB hands over its rows, a batch at a time (analysis/queries.py ``items_csv``): the same
bytes as the table downloads' CSV, with its BOM, spreadsheet-safe cells and filters column.

Only filters and a search come from the request. A parameter the sidebar would not read, or a
theme, source or actor it does not offer, is refused with 400 and a message naming it; no SQL,
id or path is taken. dashboard/server.py mounts ``ROUTES`` beside Streamlit's own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from types import ModuleType
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from analysis import queries
from analysis.queries import Filters
from analysis.store import StoreError
from dashboard import exports, sidebar

EXPORT_PATH = "/export/articles.csv"
SEARCH_KEY = "q"  # the Articles page's search field, bound to the page's URL by this name
VIEW = "articles"  # the start of the file's name
BATCH_ROWS = 4096  # rows per piece sent: about 0.8 MB of CSV


def export_name(filters: Filters, *, search: str) -> str:
    """The file's name: the view, its filters and its search (dashboard/exports.py ``file_name``)."""
    return exports.file_name(VIEW, "csv", filters=filters, search=search)


def export_link(filters: Filters, *, search: str, theme_labels: Mapping[str, str]) -> str:
    """Where the CSV of ``filters`` and ``search`` is: the route, with them as the page's URL has them."""
    params = sidebar.filters_query(filters, theme_labels=theme_labels)
    if search.strip():
        params.append((SEARCH_KEY, search.strip()))
    return EXPORT_PATH + (f"?{urlencode(params)}" if params else "")


def _data() -> ModuleType:
    """dashboard/data.py, imported on the first request: its caches are declared for Streamlit's
    runtime, which the App starts after dashboard/server.py has imported this module."""
    from dashboard import data

    return data


def _request_view(path: str, params: Sequence[tuple[str, str]]) -> tuple[Filters, str, str]:
    """The filters, the search and their words (the filters column) that ``params`` ask for.

    Raises sidebar.FilterError for a parameter the page would not have written, StoreError while
    the store is not open.
    """
    data = _data()
    opened = data.handle(path)
    if opened.store is None:
        raise StoreError(opened.notice or f"{path}: the store is not open yet")
    searches = [value for key, value in params if key == SEARCH_KEY]
    if len(searches) > 1:
        raise sidebar.FilterError(f"{SEARCH_KEY}: {len(searches)} searches given; one is read")
    search = searches[0].strip() if searches else ""
    taxonomy, _ = data.taxonomy()
    theme_labels = dict(taxonomy.labels) if taxonomy else {}
    bounds, options = data.bounds(path), data.options(path)
    filters = sidebar.filters_from_query(
        [(key, value) for key, value in params if key != SEARCH_KEY], first=bounds["first"], last=bounds["last"],
        theme_keys=data.theme_keys(path, theme_labels), theme_labels=theme_labels,
        outlets=options["outlets"]["value"].tolist(), actors=options["actors"]["value"].tolist())
    return filters, search, exports.with_search(filters.describe(theme_labels=theme_labels), search)


def _csv_pieces(path: str, filters: Filters, *, search: str, words: str) -> Iterator[bytes]:
    with _data().cursor(path) as con:
        yield from queries.items_csv(con, filters, text=search, rollups=True, formula_prefixes=exports.FORMULA_PREFIXES,
                                     bom=True, constants={exports.FILTERS_COLUMN: words}, batch_rows=BATCH_ROWS)


async def _sent(pieces: Iterator[bytes]) -> AsyncIterator[bytes]:
    """Each piece made in a worker thread (the event loop keeps serving the pages meanwhile); the
    pieces are closed, and with them the store's cursor, however the response ends: a browser that
    cancels the download too."""
    try:
        while (piece := await run_in_threadpool(next, pieces, None)) is not None:
            yield piece
    finally:
        pieces.close()


async def articles_csv(request: Request) -> Response:
    """Every item matching the filters and search of the query string, as CSV, streamed."""
    path = _data().db_path()
    try:
        filters, search, words = await run_in_threadpool(_request_view, path, request.query_params.multi_items())
    except sidebar.FilterError as exc:
        return PlainTextResponse(f"{exc}\n", status_code=400)
    except StoreError as exc:
        return PlainTextResponse(f"The store is not open: {exc}\n", status_code=503,
                                 headers={"Retry-After": "5"})
    name = export_name(filters, search=search)  # letters, digits, _ + - and . only
    return StreamingResponse(_sent(_csv_pieces(path, filters, search=search, words=words)),
                             media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{name}"',
                                      "Cache-Control": "no-store"})


ROUTES = [Route(EXPORT_PATH, articles_csv, methods=["GET"])]

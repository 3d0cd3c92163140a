"""dashboard/exports.py: every download's bytes, built by the function the buttons call."""

from __future__ import annotations

import io
import shutil
import struct
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import plotly.graph_objects as go
import pytest

from analysis import queries as q
from analysis.queries import Filters
from dashboard import charts, exports
from dashboard_fixtures import synthetic_db  # noqa: F401  (a fixture)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
needs_chromium = pytest.mark.skipif(not shutil.os.path.exists(CHROMIUM),
                                    reason="PNG and SVG export need Chromium (/usr/bin/chromium) for kaleido")


@pytest.fixture(scope="module")
def renderer():
    kept = exports.ImageRenderer()
    yield kept
    kept.close()


@pytest.fixture(scope="module")
def figure() -> go.Figure:
    frame = pd.DataFrame({"period": pd.to_datetime(["2025-01-06", "2025-01-13"]), "key": ["migration"] * 2,
                          "items": [3, 5]})
    return charts.volume_chart(frame, x="period", y="items", series="key", labels={"migration": "Migration"},
                               colours={"migration": "#117733"}, title="Theme coverage per week",
                               x_title="Week", y_title="Items",
                               note=charts.source_note(filters_text="all dates", items=8))


def test_registry_rows_are_complete_and_unique():
    keys = [fmt.key for fmt in exports.FORMATS]
    assert keys == ["png", "svg", "html", "csv"]
    for fmt in exports.FORMATS:
        assert fmt.label and fmt.help and fmt.mime and fmt.extension
    with pytest.raises(KeyError, match="no export format 'pdf'; known: png, svg, html, csv"):
        exports.export_format("pdf")


@pytest.mark.parametrize("stem, key, expected", [
    ("theme-volume-week", "png", "theme-volume-week.png"),
    ("Trend: Air & missile defence / week", "svg", "trend-air-missile-defence-week.svg"),
    ("../../etc/passwd", "csv", "etc-passwd.csv"),
    ("", "html", "flankwatch.html"),
])
def test_file_names_are_safe(stem, key, expected):
    assert exports.file_name(stem, key) == expected


@pytest.mark.parametrize("filters, search, expected", [
    (Filters(date(2024, 1, 1), date(2025, 6, 30), ("deterrence", "belarus")), "",
     "theme-coverage_2024-01-01_2025-06-30_deterrence+belarus.csv"),
    (Filters(), "", "theme-coverage_all-dates.csv"),
    (Filters(start=date(2024, 1, 1)), "", "theme-coverage_2024-01-01_latest.csv"),
    (Filters(themes=("air_defence",), outlets=("LRT", "ERR News"), include_headlines=False),
     'Nausėda "air"', "theme-coverage_all-dates_air-defence_src-lrt+err-news_articles-only_q-nauseda-air.csv"),
    (Filters(actors=("Lithuania",)), "", "theme-coverage_all-dates_actor-lithuania.csv"),
])
def test_file_names_carry_the_view_and_its_filters(filters, search, expected):
    assert exports.file_name("Theme coverage", "csv", filters=filters, search=search) == expected


def test_long_file_names_are_cut_and_kept_apart_by_a_hash():
    many = Filters(outlets=tuple(f"Outlet number {n} (demo)" for n in range(12)))
    fewer = Filters(outlets=tuple(f"Outlet number {n} (demo)" for n in range(11)))
    names = [exports.file_name("articles", "csv", filters=f) for f in (many, fewer)]
    assert names[0] != names[1]
    for name in names:
        stem = name.removesuffix(".csv")
        assert len(stem) == exports.MAX_NAME_CHARS and stem.startswith("articles_all-dates_src-outlet-number-0-demo+")
        assert set(stem) <= set("abcdefghijklmnopqrstuvwxyz0123456789-_+")


def test_csv_downloads_carry_their_filters_in_a_last_column():
    """On every row, so the header stays in row 1 and pasted-together rows still say their view."""
    text = "2024-01-01 to 2025-06-30 · themes: Deterrence, Belarus · headlines counted"
    frame = pd.DataFrame({"title": ["Nausėda visits", "=SUM(A1)"], "items": [1, 2]})
    data = exports.table_csv(frame, filters=text)
    parsed = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert data.startswith(b"\xef\xbb\xbftitle,items,filters\n")
    assert parsed["filters"].tolist() == [text, text]
    assert parsed["title"].tolist() == ["Nausėda visits", "'=SUM(A1)"]
    assert exports.with_search(text, " air policing ") == f'{text} · search: "air policing"'
    assert exports.with_search(text, "  ") == text


@pytest.mark.parametrize("cell, expected", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+41 22", "'+41 22"),
    ("-2 % growth", "'-2 % growth"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tcmd", "'\tcmd"),
    ("\rcmd", "'\rcmd"),
    ("Radar sites approved", "Radar sites approved"),
    ("a = b", "a = b"),
])
def test_csv_cells_cannot_become_formulas(cell, expected):
    frame = pd.DataFrame({"title": [cell], "items": [-3]})
    safe = exports.spreadsheet_safe(frame)
    assert safe["title"].tolist() == [expected]
    assert safe["items"].tolist() == [-3]  # numbers stay numbers
    assert frame["title"].tolist() == [cell]  # the input frame is not changed


def test_table_csv_is_utf8_with_bom_and_lists_as_text():
    frame = pd.DataFrame({"speaker": ["Gitanas Nausėda", "=cmd"], "themes": [["deterrence", "belarus"], []]})
    data = exports.table_csv(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    parsed = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", keep_default_na=False)
    assert parsed.columns.tolist() == ["speaker", "themes"]
    assert parsed["speaker"].tolist() == ["Gitanas Nausėda", "'=cmd"]
    assert parsed["themes"].tolist() == ["deterrence; belarus", ""]


def test_csv_export_is_the_data_behind_the_chart(figure, renderer):
    data = pd.DataFrame({"period": ["2025-01-06"], "theme": ["migration"], "items": [3]})
    csv = exports.build("csv", figure, data, renderer).decode("utf-8-sig").splitlines()
    assert csv == ["period,theme,items", "2025-01-06,migration,3"]


def test_html_export_works_offline(figure, renderer):
    page = exports.build("html", figure, pd.DataFrame(), renderer).decode("utf-8")
    assert page.lower().startswith("<!doctype html>")
    assert "Theme coverage per week" in page
    assert "* plotly.js v" in page and len(page) > 1_000_000  # the library itself, inline
    assert "<script src=" not in page  # nothing fetched from a CDN


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@needs_chromium
def test_png_export_is_a_slide_sized_png(figure, renderer):
    data = exports.build("png", figure, pd.DataFrame(), renderer)
    assert _png_size(data) == (charts.EXPORT_WIDTH * exports.PNG_SCALE, charts.EXPORT_HEIGHT * exports.PNG_SCALE)
    assert exports.PNG_SCALE >= 2


@needs_chromium
def test_svg_export_is_an_svg_with_the_title(figure, renderer):
    data = exports.build("svg", figure, pd.DataFrame(), renderer).decode("utf-8")
    assert data.startswith("<svg")
    assert f'width="{charts.EXPORT_WIDTH}"' in data[:400] and f'height="{charts.EXPORT_HEIGHT}"' in data[:400]
    assert "Theme coverage per week" in data
    assert "Source: Flankwatch store, 8 items" in data


@needs_chromium
def test_renderer_keeps_one_browser_for_many_images(figure):
    kept = exports.ImageRenderer()
    try:
        first = kept.render(figure, fmt="svg")
        second = kept.render(figure, fmt="png")
        assert first.startswith(b"<svg") and _png_size(second)[0] == charts.EXPORT_WIDTH
        assert kept._started  # noqa: SLF001  (the kept browser is what makes the second image fast)
    finally:
        kept.close()
    assert not kept._started  # noqa: SLF001


# Cells a CSV writer must quote or a spreadsheet would run, written into a copy of the synthetic store.
AWKWARD_ITEMS = {
    "title": ['Quote "this", then a comma', "Two\nlines", "Carriage\r\nreturn", "=HYPERLINK(1)", "-2 % growth"],
    "byline": ["", None, "@handle", "Nausėda, G.", '"quoted"'],
}


@pytest.fixture(scope="module")
def awkward_db(synthetic_db, tmp_path_factory) -> Path:  # noqa: F811
    path = tmp_path_factory.mktemp("awkward") / "awkward.duckdb"
    shutil.copy(synthetic_db, path)
    with duckdb.connect(str(path)) as con:
        ids = [row[0] for row in con.execute("SELECT id FROM items WHERE duplicate_of IS NULL "
                                             "ORDER BY published_date DESC NULLS LAST, id LIMIT 5").fetchall()]
        for n, item_id in enumerate(ids):
            con.execute("UPDATE items SET title = ?, byline = ?, published_at = NULL WHERE id = ?",
                        [AWKWARD_ITEMS["title"][n], AWKWARD_ITEMS["byline"][n], item_id])
    return path


@pytest.mark.parametrize(("part_rows", "batch_rows"), [(150_000, 4096), (250, 7)])
@pytest.mark.parametrize(("filters", "text"), [
    (Filters(), ""),
    (Filters(themes=("migration",), include_headlines=False), "border"),
    (Filters(start=date(2020, 1, 1), end=date(2021, 6, 30), outlets=("LRT", "Delfi")), ""),
])
def test_the_streamed_items_csv_is_the_table_csv_of_the_export(awkward_db, filters, text, part_rows, batch_rows):
    """The all-items download is written by DuckDB a part and a batch at a time; its bytes are those
    of the DataFrame path (pandas' to_csv), filters column, BOM and formula-safe cells included."""
    words = "=all dates · headlines counted"
    con = duckdb.connect(str(awkward_db), read_only=True)
    try:
        assert q.build_rollups(con)
        pieces = list(q.items_csv(con, filters, text=text, rollups=True, formula_prefixes=exports.FORMULA_PREFIXES,
                                  bom=True, constants={exports.FILTERS_COLUMN: words}, part_rows=part_rows,
                                  batch_rows=batch_rows))
        frame = q.items_export(con, filters, text=text, rollups=True)
    finally:
        con.close()
    written = b"".join(pieces)
    assert pieces[0] == "\ufeffid,kind,published_date,published_at,title,outlet,byline,url,parent_id,themes,claims," \
                        "filters\n".encode()
    assert written == exports.table_csv(frame, filters=words)
    assert len(pieces) >= 1 + len(frame) // batch_rows  # the header, then a piece per batch
    if filters == Filters():
        assert b"'=HYPERLINK" in written and b",'=all dates" in written  # formulas made harmless in the file too
        parsed = pd.read_csv(io.BytesIO(written), encoding="utf-8-sig", keep_default_na=False)
        assert set(AWKWARD_ITEMS["title"][:3]) <= set(parsed["title"])

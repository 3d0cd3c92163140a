"""The WARC reader (analysis/ingest/warc.py): archives written here with warcio from pages we wrote,
one built from real pages, damaged records, records passed over, gzip, and an ingest into a store."""

from __future__ import annotations

import gzip
import io
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from analysis.ingest import ReadError, read_bytes
from analysis.ingest.readers import reader_for
from analysis.ingest.warc import read_warc
from analysis.model import stable_id

REALWORLD = Path(__file__).resolve().parents[2] / "shared" / "realworld" / "trafilatura"


def page(title: str, paragraphs: int = 3, *, published: str | None = "2024-03-14T09:00:00+02:00") -> bytes:
    """A small news page of our own words."""
    meta = f'<meta property="article:published_time" content="{published}">' if published else ""
    body = "".join(
        f"<p>{title}: the coastal brigade moved {n + 2} companies to the training ground near the harbour, "
        f"officers said on the {n + 1}st day of the exercise, adding that reservists joined them.</p>"
        for n in range(paragraphs)
    )
    return (f"<!doctype html><html><head><title>{title} | Harbour Post</title>{meta}"
            f'<meta property="og:site_name" content="Harbour Post (demo)"></head>'
            f"<body><nav>Home News Sport</nav><article><h1>{title}</h1>{body}</article>"
            "<footer>All rights reserved</footer></body></html>").encode("utf-8")


def response(writer: WARCWriter, uri: str, body: bytes, *, status: str = "200 OK",
             content_type: str = "text/html; charset=utf-8", warc_date: str = "2024-05-02T10:00:00Z",
             extra: list[tuple[str, str]] = ()) -> None:
    http = StatusAndHeaders(status, [("Content-Type", content_type), *extra], protocol="HTTP/1.1")
    record = writer.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=http,
                                       warc_headers_dict={"WARC-Date": warc_date})
    writer.write_record(record)


def archive(records, *, gz: bool = False) -> tuple[bytes, list[int]]:
    """The archive's bytes and the offset of each record."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gz)
    offsets = []
    for write in records:
        offsets.append(buffer.tell())
        write(writer)
    return buffer.getvalue(), offsets


def three_pages(writer: WARCWriter) -> None:
    for n, title in enumerate(("Brigade drills on the coast", "Radar station opens", "Reservists called up")):
        response(writer, f"https://harbour.example.org/news/{n}", page(title))


@pytest.mark.parametrize("gz", [False, True])
def test_one_article_per_html_response(gz):
    data, _ = archive([three_pages], gz=gz)
    items = read_warc(data, "crawl.warc")
    assert [item.title for item in items] == ["Brigade drills on the coast", "Radar station opens", "Reservists called up"]
    first = items[0]
    assert first.url == "https://harbour.example.org/news/0"
    assert first.id == stable_id(kind="article", url=first.url, title=first.title, text=first.text)
    assert first.published == datetime(2024, 3, 14, 7, 0, tzinfo=timezone.utc)
    assert not first.published_approximate
    assert first.outlet == "Harbour Post (demo)"
    assert first.source_path == "crawl.warc"
    assert "coastal brigade moved 2 companies" in first.text
    assert "All rights reserved" not in first.text and first.warnings == ()


def test_the_capture_time_stands_in_for_a_missing_date():
    data, _ = archive([lambda w: response(w, "https://harbour.example.org/undated",
                                          page("Undated report", published=None), warc_date="2023-11-30T22:15:00Z")])
    [item] = read_warc(data, "crawl.warc")
    assert item.published == datetime(2023, 11, 30, 22, 15, tzinfo=timezone.utc)
    assert item.published_approximate
    assert any("capture time (WARC-Date)" in w and "record at offset 0" in w for w in item.warnings)


def test_requests_revisits_redirects_and_other_types_are_passed_over():
    def others(writer: WARCWriter) -> None:
        writer.write_record(writer.create_warcinfo_record("crawl.warc", {"software": "test"}))
        request = StatusAndHeaders("GET /news/0 HTTP/1.1", [("Host", "harbour.example.org")], is_http_request=True)
        writer.write_record(writer.create_warc_record("https://harbour.example.org/news/0", "request",
                                                      http_headers=request))
        response(writer, "https://harbour.example.org/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(200),
                 content_type="image/png")
        response(writer, "https://harbour.example.org/data.json", b'{"a": 1}', content_type="application/json")
        response(writer, "https://harbour.example.org/old", b"", status="301 Moved Permanently",
                 extra=[("Location", "https://harbour.example.org/news/0")])
        response(writer, "https://harbour.example.org/missing", page("Not found page"), status="404 Not Found")
        revisit = writer.create_revisit_record(
            "https://harbour.example.org/news/0", digest="sha1:AAAA", refers_to_uri="https://harbour.example.org/news/0",
            refers_to_date="2024-05-01T10:00:00Z",
            http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1"))
        writer.write_record(revisit)
        response(writer, "https://harbour.example.org/news/9", page("The only page"),
                 content_type="application/xhtml+xml")

    data, _ = archive([others])
    [item] = read_warc(data, "crawl.warc")
    assert item.title == "The only page" and item.warnings == ()


def test_nothing_to_read_is_a_read_error_saying_what_was_passed_over():
    data, _ = archive([lambda w: response(w, "https://harbour.example.org/a.png", b"\x89PNG", content_type="image/png")])
    with pytest.raises(ReadError, match=r"crawl\.warc: no HTML page with status 200 .*1 image/png"):
        read_warc(data, "crawl.warc")


@pytest.mark.parametrize("gz", [False, True])
def test_a_truncated_last_record_is_skipped_with_its_offset(gz):
    data, offsets = archive([three_pages], gz=gz)
    items = read_warc(data[:-80], "cut.warc")
    assert [item.title for item in items] == ["Brigade drills on the coast", "Radar station opens"]
    [note] = [w for w in items[0].warnings if "skipped" in w]
    assert note.startswith(f"record at offset {_third(data, gz)} skipped")


def _third(data: bytes, gz: bool) -> int:
    """The offset of the third record (each three_pages record is one write)."""
    marker = b"\x1f\x8b\x08" if gz else b"WARC/1."
    found, position = [], -1
    while (position := data.find(marker, position + 1)) >= 0:
        found.append(position)
    return found[2]


@pytest.mark.parametrize("gz", [False, True])
def test_a_damaged_record_in_the_middle_costs_that_record_only(gz):
    data, _ = archive([three_pages], gz=gz)
    second = _third(data, gz) - 1
    start = data.rfind(b"\x1f\x8b\x08" if gz else b"WARC/1.", 0, second)  # the second record's start
    middle = start + (_third(data, gz) - start) // 2
    damaged = data[:middle] + b"#" * 40 + data[middle + 40:]
    items = read_warc(damaged, "damaged.warc.gz" if gz else "damaged.warc")
    assert [item.title for item in items] == ["Brigade drills on the coast", "Reservists called up"]
    assert any(w.startswith(f"record at offset {start} skipped") for w in items[0].warnings), items[0].warnings


def test_a_wrong_content_length_is_reported_and_reading_resumes():
    data, offsets = archive([three_pages])
    second = _third(data, False)
    first_end = data.rfind(b"WARC/1.", 0, second)
    length_at = data.index(b"Content-Length: ", first_end) + len(b"Content-Length: ")
    digits = data[length_at:data.index(b"\r\n", length_at)]
    longer = str(int(digits) + 7).encode()
    damaged = data[:length_at] + longer + data[length_at + len(digits):]
    items = read_warc(damaged, "crawl.warc")
    assert [item.title for item in items] == ["Brigade drills on the coast", "Reservists called up"]
    assert any(f"record at offset {first_end} skipped" in w for w in items[0].warnings), items[0].warnings


@pytest.mark.parametrize("data, what", [
    (b"Some notes about the crawl, not an archive.\n" * 3, "not a WARC web archive"),
    (gzip.compress(b"title,text\nA,B\n"), "a gzip file that does not hold a WARC web archive"),
    (b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: nonsense\r\n\r\n", "no HTML page"),
    (b"", "not a WARC web archive"),
    (b"\x1f\x8b\x08\x00broken", "a gzip file that does not hold a WARC web archive"),
])
def test_a_file_that_is_not_a_warc_is_a_read_error_naming_it(data, what):
    with pytest.raises(ReadError, match=rf"^notes\.warc: ({what})"):
        read_warc(data, "notes.warc")
    with pytest.raises(ReadError, match=r"^notes\.warc: "):
        read_bytes(data, name="notes.warc", suffix=".warc")


@pytest.mark.parametrize("suffix", [".warc", ".warc.gz", ""])
def test_the_registry_picks_the_warc_reader_by_content_too(suffix):
    data, _ = archive([three_pages], gz=suffix != ".warc")
    read = read_bytes(data, name=f"crawl{suffix}", suffix=suffix)
    assert read.reader == "warc" and len(read.items) == 3
    plain, _ = archive([three_pages])
    assert reader_for("", plain.decode("utf-8")[:65_536]).name == "warc"
    assert reader_for(".xml", plain.decode("utf-8")[:65_536]).name == "feed"  # .xml: feeds or pages only, as before


def test_real_pages_read_as_the_html_reader_reads_them(tmp_path):
    if not (REALWORLD / "gold.json").is_file():
        pytest.skip(f"the real-world pages are not beside this checkout ({REALWORLD})")
    gold = json.loads((REALWORLD / "gold.json").read_text(encoding="utf-8"))
    chosen = []
    for url, entry in sorted(gold.items()):
        if not url.startswith(("http://", "https://")):  # some gold keys are names, not the page's URL
            continue
        body = (REALWORLD / "pages" / entry["file"]).read_bytes()
        try:
            direct = read_bytes(body, name=entry["file"], suffix=".html").items[0]
        except ReadError:
            continue
        chosen.append((url, body, direct))
        if len(chosen) == 8:
            break

    def real(writer: WARCWriter) -> None:
        for url, body, _ in chosen:
            response(writer, url, body, content_type="text/html")

    data, _ = archive([real], gz=True)
    path = tmp_path / "real.warc.gz"
    path.write_bytes(data)  # built at test time; never kept in the project
    items = read_bytes(path.read_bytes(), name=str(path), suffix=".warc.gz").items
    assert len(items) == len(chosen)
    for item, (url, _, direct) in zip(items, chosen):
        assert (item.title, item.text, item.byline) == (direct.title, direct.text, direct.byline)
        assert item.url == url
        if direct.published is not None:
            assert item.published == direct.published


def test_ingest_paths_stores_a_warcs_pages(tmp_path):
    from analysis.ingest.runner import ingest_paths
    from analysis.store import Store

    folder = tmp_path / "crawls"
    folder.mkdir()
    data, _ = archive([three_pages], gz=True)
    (folder / "crawl.warc.gz").write_bytes(data)
    (folder / "damaged.warc").write_bytes(archive([three_pages])[0][:-80])
    (folder / "notes.gz").write_bytes(gzip.compress(b"not an archive"))
    with Store.open(tmp_path / "store.duckdb") as store:
        report = ingest_paths(store, [folder], workers=1)
        outcomes = {Path(o.path).name: o for o in report.outcomes}
        assert outcomes["crawl.warc.gz"].status == "ok" and outcomes["crawl.warc.gz"].reader == "warc"
        assert outcomes["crawl.warc.gz"].items_new == 3
        assert outcomes["damaged.warc"].items_duplicate == 2
        assert any("skipped" in w for w in outcomes["damaged.warc"].warnings)
        assert "notes.gz" not in outcomes  # a .gz that is not named .warc.gz is none of the readers' files
        rows = store.connection.execute(
            "SELECT url, title, published_date, outlet FROM items ORDER BY url").fetchall()
    assert [row[0] for row in rows] == [f"https://harbour.example.org/news/{n}" for n in range(3)]
    assert {row[3] for row in rows} == {"Harbour Post (demo)"}

"""WARC web archives (.warc, .warc.gz): one article per archived HTML page.

Every ``response`` record whose HTTP status is 200 and whose content type is HTML is read by the
HTML reader (analysis/ingest/readers.py ``read_html``); requests, revisits, metadata and other
content types are passed over. The article's URL is the record's WARC-Target-URI, and the
capture time (WARC-Date) stands in for a publication date the page does not give. A damaged
record (truncated, a wrong Content-Length, a failed block digest, a broken gzip member) costs that
record only: it is skipped with a warning naming the file and the record's offset, and reading
resumes at the next record found after it.
"""

from __future__ import annotations

import codecs
import io
import re
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone

from analysis.ingest.decoding import decode_bytes
from analysis.ingest.errors import ReadError
from analysis.ingest.outlets import domain_of, outlet_for_domain
from analysis.model import Item, stable_id

HTML_TYPES = frozenset(("text/html", "application/xhtml+xml"))
MAX_PAGE_BYTES = 16_000_000  # one page, decompressed; a gzip member can expand far beyond the file's size
_GZIP = b"\x1f\x8b\x08"
_WARC_LINE = b"\nWARC/1."
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
# Latin-1 as a transport label means Windows-1252 in every browser.
_CHARSET_ALIASES = {"iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252"}
_SKIPPED_SHOWN = 20  # skipped-record warnings listed per file; the rest are counted


def looks_like_warc(head: str) -> bool:
    """A WARC's first line, or a gzip stream (its bytes did not decode as text: the head is XML's view of them)."""
    return head.startswith("WARC/1.") or head.startswith("\x1f\ufffd\x08")


@dataclass(frozen=True, slots=True)
class _Page:
    """What one record gave: an article, or why it was passed over (ignored) or skipped (damaged)."""

    item: Item | None = None
    ignored: str | None = None
    problem: str | None = None


def read_warc(data: bytes, name: str) -> list[Item]:
    compressed = data.startswith(_GZIP)
    head = _head(data, compressed=compressed)
    if not head.startswith(b"WARC/1."):
        what = "a gzip file that does not hold a WARC web archive" if compressed else "not a WARC web archive"
        shown = head[:40].decode("utf-8", "backslashreplace")
        raise ReadError(name, f"{what} (it starts with {shown!r}, not a WARC/1.x record); "
                              "only .warc and .warc.gz files are read as web archives")
    pages: list[tuple[int, _Page]] = []
    first_failure: str | None = None  # the file does not start with a record
    start: int | None = 0
    while start is not None:
        failure = _read_from(data, start, name=name, on_record=lambda offset, page: pages.append((offset, page)))
        if failure is None:
            break
        offset, problem = failure
        if problem is not None and offset == 0:
            first_failure = problem
        elif problem is not None:
            pages.append((offset, _Page(problem=problem)))
        start = _next_record(data, after=max(offset, start) + 1, compressed=compressed)
    items = [page.item for _, page in pages if page.item is not None]
    skipped = [f"record at offset {offset} skipped: {page.problem}" for offset, page in pages if page.problem]
    ignored = Counter(page.ignored for _, page in pages if page.ignored)
    if not items:
        raise ReadError(name, _nothing_read(first_failure, ignored, skipped, compressed=compressed))
    notes = skipped[:_SKIPPED_SHOWN]
    if len(skipped) > _SKIPPED_SHOWN:
        notes.append(f"{len(skipped) - _SKIPPED_SHOWN} more records skipped")
    if first_failure is not None:
        notes.insert(0, f"the file does not start with a WARC record ({first_failure}); read from the first record found")
    if notes:  # said once, on the file's first item
        items[0] = replace(items[0], warnings=items[0].warnings + tuple(notes))
    return items


def _read_from(data: bytes, start: int, *, name: str,
               on_record: Callable[[int, _Page], None]) -> tuple[int, str | None] | None:
    """Read records from ``start`` to the end (None) or to the first damage: (its offset, the problem, None
    when the damaged record was reported already); reading resumes at a record found after that offset."""
    from warcio.archiveiterator import ArchiveIterator

    class Records(ArchiveIterator):
        INC_RECORD = ""  # warcio prints a misaligned record to stderr; it counts it too (err_count), read below

    stream = io.BytesIO(data)
    stream.seek(start)
    records = Records(stream, check_digests=True)
    iterator = iter(records)
    while True:
        try:
            record = next(iterator)
        except StopIteration:
            return None
        except Exception as exc:  # a header warcio cannot parse, a broken gzip member, a cut-off file
            return records.offset, _describe(exc)
        offset = records.offset
        errors_before = records.err_count
        try:
            page = _page(record, offset, name=name)
            records.read_to_end()  # the blank lines that end a record: absent when its Content-Length is wrong
        except Exception as exc:
            return offset, _describe(exc)
        if records.err_count > errors_before:  # warcio would read on from the wrong place: look for the next record
            on_record(offset, _Page(problem="the record does not end where its Content-Length says (the file is damaged)"))
            return offset, None
        on_record(offset, page)


def _page(record, offset: int, *, name: str) -> _Page:
    from analysis.ingest.readers import read_html

    if record.format != "warc":
        return _Page(problem=f"not a WARC record ({record.format or 'unknown format'})")
    if record.rec_type != "response":
        return _Page(ignored=record.rec_type or "unknown")
    http = record.http_headers
    if http is None:
        return _Page(ignored="response without HTTP headers")
    status = http.get_statuscode()
    content_type = (http.get_header("Content-Type") or "").split(";", 1)[0].strip().lower()
    if status != "200":
        return _Page(ignored=f"HTTP {status}")
    if content_type not in HTML_TYPES:
        return _Page(ignored=content_type or "no content type")
    body = record.content_stream().read(MAX_PAGE_BYTES + 1)
    if len(body) > MAX_PAGE_BYTES:
        return _Page(problem=f"the page is over {MAX_PAGE_BYTES / 1e6:.0f} MB")
    while record.raw_stream.read(65_536):  # to the record's end, so its length and digest are checked
        pass
    if getattr(record.raw_stream, "limit", 0) > 0:
        return _Page(problem=f"truncated: {record.raw_stream.limit} bytes of the record are missing")
    failed = [p for p in getattr(record.digest_checker, "problems", ()) if p.startswith("block digest failed")]
    if failed:
        return _Page(problem="its bytes do not match its WARC-Block-Digest (the record is damaged)")
    uri = (record.rec_headers.get_header("WARC-Target-URI") or "").strip("<> ") or None
    where = f"record at offset {offset}" + (f" ({uri})" if uri else "")
    try:
        text, decode_notes = _decode(body, http.get_header("Content-Type") or "", name=f"{name}, {where}")
        [article] = [item for item in read_html(text, name) if item.kind == "article"][:1] or [None]
    except ReadError as exc:
        return _Page(problem=exc.problem)
    if article is None:
        return _Page(problem="no article in the page")
    return _Page(item=_with_capture(article, uri=uri, captured=record.rec_headers.get_header("WARC-Date"),
                                    where=where, notes=decode_notes))


def _with_capture(article: Item, *, uri: str | None, captured: str | None, where: str, notes: tuple[str, ...]) -> Item:
    """The page's article with the record's URL, its capture time when the page has no date, and warnings that say which record."""
    warnings = list(notes) + list(article.warnings)
    published, approximate = article.published, article.published_approximate
    if published is None and captured:
        capture_time = _warc_date(captured)
        if capture_time is not None:
            published, approximate = capture_time, True
            warnings.append("no publication date in the page: the capture time (WARC-Date) is used")
    url = uri or article.url
    outlet = article.outlet
    if outlet is None and url:
        domain = domain_of(url)
        known = outlet_for_domain(domain)
        outlet = known.name if known else domain
    return replace(
        article,
        id=stable_id(kind="article", url=url, title=article.title, text=article.text),
        url=url,
        outlet=outlet,
        published=published,
        published_approximate=approximate,
        warnings=tuple(f"{where}: {w}" for w in warnings),
    )


def _decode(body: bytes, content_type: str, *, name: str) -> tuple[str, tuple[str, ...]]:
    """The page's text: UTF-8 when it is valid UTF-8, else the charset the HTTP header names, else the
    evidence analysis/ingest/decoding.py weighs (a BOM, the page's own declaration, the Baltic code pages)."""
    if not body.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return body.decode("utf-8"), ()
        except UnicodeDecodeError:
            pass
        match = _CHARSET.search(content_type)
        if match:
            label = match.group(1).lower()
            try:
                return body.decode(_CHARSET_ALIASES.get(label, label)), (f"decoded as {label}, as the server said",)
            except (LookupError, UnicodeDecodeError):
                pass
    decoded = decode_bytes(body, name=name)
    return decoded.text.lstrip("\ufeff"), decoded.warnings


def _warc_date(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)


def _head(data: bytes, *, compressed: bool) -> bytes:
    """The first bytes of the archive's text: of its first gzip member when it is compressed."""
    if not compressed:
        return data[:64]
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data[:65_536], 64)
    except zlib.error:
        return b""


def _next_record(data: bytes, *, after: int, compressed: bool) -> int | None:
    """Where the next record seems to start after a damaged one: a gzip member, or a WARC version line."""
    if compressed:
        found = data.find(_GZIP, after)
        return found if found >= 0 else None
    found = data.find(_WARC_LINE, after - 1)
    return found + 1 if found >= 0 else None


def _describe(exc: BaseException) -> str:
    message = " ".join(str(exc).split())
    message = message if len(message) <= 160 else message[:160] + "…"
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _nothing_read(failure: str | None, ignored: Counter[str], skipped: list[str], *, compressed: bool) -> str:
    if failure is not None and not ignored and not skipped:
        what = "a gzip file that does not hold a WARC web archive" if compressed else "not a WARC web archive"
        return f"{what} ({failure}); only .warc and .warc.gz files are read as web archives"
    passed = ", ".join(f"{n} {what}" for what, n in ignored.most_common(6)) or "none"
    problems = "; ".join(skipped[:3]) or "none"
    return (f"no HTML page with status 200 could be read from the archive (records passed over: {passed}; "
            f"damaged or unreadable: {problems})")

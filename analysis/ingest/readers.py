"""One reader per source format, each text -> articles (and related headlines for pages)."""

from __future__ import annotations

import codecs
import copy
import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from analysis.ingest.dates import ParsedDate, check_published, parse_published
from analysis.ingest.errors import ReadError
from analysis.ingest.jsonfeed import json_feed_records
from analysis.ingest.markup import clean_text, html_to_text
from analysis.ingest.outlets import domain_of, outlet_for_domain, zone_for
from analysis.ingest.pages import parse_page
from analysis.ingest.records import match_columns, record_to_item
from analysis.ingest.warc import looks_like_warc, read_warc
from analysis.model import Item, normalise_text, stable_id


@dataclass(frozen=True, slots=True)
class Reader:
    """A format: the file endings it claims, a sniff for files whose ending says nothing, a reader."""

    name: str
    suffixes: tuple[str, ...]
    sniff: Callable[[str], bool]
    read: Callable[[str, str], list[Item]] | Callable[[bytes, str], list[Item]]
    reads_bytes: bool = False  # the reader gets the file's bytes and applies the format's own encoding rules


# -- plain-text pages ---------------------------------------------------------------------------


def read_text_page(text: str, name: str) -> list[Item]:
    page = parse_page(text, name=name)
    article = Item(
        id=stable_id(kind="article", url=page.url, title=page.title, text=page.body),
        kind="article",
        title=page.title,
        text=page.body,
        published=page.published,
        outlet=page.outlet,
        byline=page.byline,
        dateline=page.dateline,
        section=page.section,
        tags=page.tags,
        url=page.url,
        source_path=name,
        warnings=page.warnings,
    )
    headlines = [
        Item(
            id=stable_id(kind="headline", url=None, title=related.title, text=related.title),
            kind="headline",
            title=related.title,
            text=related.title,
            published=related.published,
            published_approximate=related.approximate,
            outlet=page.outlet,
            parent_id=article.id,
            source_path=name,
        )
        for related in page.related
    ]
    return [article, *headlines]


# -- HTML ---------------------------------------------------------------------------------------

# Dates that name the article itself, in the order trusted (the page's order says nothing: analytics
# tags such as sailthru.date often carry the last revision), then generic ones that are as often a
# related story's, a comment's or the page's last build, and last-modified ones: htmldate (the
# article's original date, searched on a copy without the generic and modified ones) goes between.
_META_PUBLISHED = (
    "article:published_time", "og:article:published_time", "datepublished", "parsely-pub-date", "sailthru.date",
    "pubdate", "publishdate", "publish-date", "article.published", "article_date_original",
)
_META_GENERIC_DATE = ("date", "dc.date", "dc.date.issued", "dcterms.created", "dcterms.date", "dcterms.issued")
_META_MODIFIED = ("article:modified_time", "og:updated_time", "og:article:modified_time", "datemodified", "lastmod",
                  "last-modified", "dcterms.modified", "dc.date.modified", "revision_date", "updated_time")
# Where a date candidate comes from: the article's own metadata, a search of the page, a generic meta date.
DateSource = Literal["own", "searched", "generic"]
# Elements holding readers' comments (class or id "comments", "comment-date", "kb-comment-box"...).
_COMMENT_SECTIONS = ("//*[not(self::html or self::body or self::main or self::article)]"
                     "[re:test(concat(' ', @class, ' ', @id, ' '), '[\\s_-]comments?[\\s_-]', 'i')]")
_JSON_LD_ARTICLES = frozenset(("article", "newsarticle", "blogposting", "reportagenewsarticle", "analysisnewsarticle",
                               "opinionnewsarticle", "scholarlyarticle", "techarticle", "report", "liveblogposting"))
# Extraction settings tried in turn: precise first, trafilatura's defaults, then recall, before a refusal.
_EXTRACTION_FALLBACKS: tuple[dict[str, bool], ...] = ({"favor_precision": True}, {}, {"favor_recall": True})
_MIN_WORDS = 6  # a lone menu word is what extractors return for pages with no article
# Han, kana and Hangul: text written without spaces between words is counted in characters.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_END_OF_DOCUMENT = re.compile(r"</(?:html|body)\s*>", re.IGNORECASE)
_TITLE_SEPARATORS = re.compile(r" [|\-–—:·•»«/] ")  # on whitespace collapsed to single spaces
_DOMAIN_LIKE = re.compile(r"^(?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/?$", re.IGNORECASE)


def read_html(text: str, name: str) -> list[Item]:
    import lxml.html

    markup = _XML_DECLARATION.sub("", text, count=1)  # lxml refuses a str that declares its encoding
    try:
        tree = lxml.html.fromstring(markup)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise ReadError(name, f"not readable as HTML ({exc})") from exc
    meta = _html_meta(tree)
    warnings = []
    if not _END_OF_DOCUMENT.search(markup):  # comments and scripts often follow </html>: no truncation
        warnings.append("the HTML ends without </html>: the file looks truncated; kept what was readable")
    for options in _EXTRACTION_FALLBACKS:
        extracted, body = _extract(markup, url=meta.get("url"), options=options)
        title = _title(meta, extracted)
        if title and normalise_text(body.split("\n", 1)[0]) == normalise_text(title):
            body = body.split("\n", 1)[1].strip() if "\n" in body else ""
        if _word_count(body) >= _MIN_WORDS:
            break
    else:
        raise ReadError(name, "no article text found in the HTML (is the file truncated or a page without an article?)")
    body = re.sub(r"\n+", "\n\n", body)
    url = meta.get("url") or extracted.get("url")
    domain = domain_of(url) if url else None
    known = outlet_for_domain(domain)
    tz = zone_for(outlet=known, domain=domain)
    published = _published(tree, meta, extracted, tz=tz)
    if published.warning:
        warnings.append(published.warning)
    outlet = (known.name if known else None) or meta.get("site") or extracted.get("sitename") or domain
    return [
        Item(
            id=stable_id(kind="article", url=url, title=title, text=body),
            kind="article",
            title=title or body.split("\n", 1)[0][:160],
            text=body,
            published=published.value,
            outlet=outlet,
            byline=meta.get("author") or extracted.get("author"),
            section=meta.get("section"),
            tags=tuple(meta.get("tags", ())) or tuple(extracted.get("tags") or ()),
            url=url,
            source_path=name,
            warnings=tuple(warnings),
        )
    ]


def _published(tree, meta: dict, extracted: dict, *, tz: ZoneInfo | None) -> ParsedDate:
    """The first date the candidates give that parses; a date found by searching the page is passed
    over when it is later than the page's own date or last change, which bound its publication: it
    is a comment's, a newer related story's or the masthead's today."""
    page_days = (_day(parse_published(raw, tz=tz).value) for raw in meta.get("page_dates", ()))
    latest = max((day for day in page_days if day is not None), default=None)
    warning = None
    for source, raw in _date_candidates(tree, meta, extracted):
        if not raw:
            continue
        published = parse_published(raw, tz=tz)
        if published.value is None:
            warning = warning or published.warning
        elif source != "searched" or latest is None or _day(published.value) <= latest:
            return published
    return ParsedDate(None, warning)


def _date_candidates(tree, meta: dict, extracted: dict) -> Iterator[tuple[DateSource, str | None]]:
    """The article's own metadata; htmldate's original date, quick then extensive, on the page less
    the evidence ranked apart (generic and last-modified meta dates) and less its comments;
    trafilatura's date; the page's generic date. Lazy: a page with its own date is not searched."""
    yield "own", meta.get("published")
    search_tree = _date_search_tree(tree)
    yield "searched", _htmldate(search_tree, extensive_search=False)
    yield "searched", _htmldate(search_tree, extensive_search=True)
    yield "searched", extracted.get("date")
    yield "generic", meta.get("published_generic")


def _day(value: date | datetime | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def _extract(markup: str, *, url: str | None, options: dict[str, bool]) -> tuple[dict, str]:
    import trafilatura

    document = trafilatura.bare_extraction(
        markup, url=url, with_metadata=True, include_comments=False, include_tables=True, deduplicate=False,
        **options,
    )
    extracted = document.as_dict() if document is not None else {}
    return extracted, (extracted.get("text") or "").strip()


def _word_count(text: str) -> int:
    return len(_CJK.sub(" ", text).split()) + len(_CJK.findall(text))


def _title(meta: dict, extracted: dict) -> str:
    """og:title, else the page's <title>, cut to its headline: the part that is the page's <h1>, the
    one part that is not the site's name or a domain, or the part before a pipe (after one come the
    site's and the section's names); else trafilatura's title."""
    # whitespace collapsed first: a separator pattern around runs of spaces is quadratic in their length
    page_title = " ".join((meta.get("title") or meta.get("page_title") or "").split())
    parts = [part.strip() for part in _TITLE_SEPARATORS.split(page_title) if part.strip()]
    if len(parts) > 1:
        headline = normalise_text(meta.get("h1") or "")
        sites = {normalise_text(site) for site in (meta.get("site"), extracted.get("sitename")) if site}
        kept = [part for part in parts if normalise_text(part) not in sites and not _DOMAIN_LIKE.search(part)]
        if headline and any(normalise_text(part) == headline for part in kept):
            return next(part for part in kept if normalise_text(part) == headline)
        if len(kept) == 1 or (kept and re.search(r"\s\|\s", page_title)):
            return kept[0]
    return (meta.get("title") or extracted.get("title") or page_title).strip()


def _html_meta(tree) -> dict:
    found: dict = {}
    tags: list[str] = []
    published: dict[str, str] = {}
    page_dates: list[str] = []  # the page's generic and last-modified dates
    for element in tree.iter("meta"):
        key = (element.get("property") or element.get("name") or element.get("itemprop") or "").strip()
        value = (element.get("content") or "").strip()
        if not key or not value:
            continue
        lowered = key.lower()
        if lowered in ("og:title", "twitter:title") and "title" not in found:
            found["title"] = value
        elif lowered in _META_PUBLISHED:
            published.setdefault(lowered, value)
        elif lowered in _META_GENERIC_DATE:
            found.setdefault("published_generic", value)
            page_dates.append(value)
        elif lowered in _META_MODIFIED:
            page_dates.append(value)
        elif lowered in ("author", "article:author", "dc.creator", "parsely-author"):
            found.setdefault("author", value)
        elif lowered == "og:site_name":
            found.setdefault("site", value)
        elif lowered == "og:url":
            found.setdefault("url", value)
        elif lowered == "article:section":
            found.setdefault("section", value)
        elif lowered == "article:tag":
            tags.append(value)
    for link in tree.iter("link"):
        if (link.get("rel") or "").lower() == "canonical" and link.get("href"):
            found["url"] = link.get("href").strip()
    if published:
        found["published"] = next(published[key] for key in _META_PUBLISHED if key in published)
    if "published" not in found:
        for element in tree.xpath('//*[@itemprop="datePublished"][@content or @datetime]'):
            found["published"] = (element.get("content") or element.get("datetime")).strip()
            break
    if "published" not in found:
        json_ld = _json_ld_published(tree)
        if json_ld:
            found["published"] = json_ld
    if "published_generic" not in found:
        for element in tree.iter("time"):
            if element.get("datetime"):
                found["published_generic"] = element.get("datetime").strip()
                break
    titles = tree.findtext(".//title")
    if titles and titles.strip():
        found["page_title"] = titles.strip()
    headline = next(iter(tree.iter("h1")), None)
    if headline is not None and headline.text_content().strip():
        found["h1"] = " ".join(headline.text_content().split())
    found["tags"] = tags
    found["page_dates"] = page_dates
    return found


def _json_ld_published(tree) -> str | None:
    """datePublished of the page's article in its JSON-LD (an Article type first, else any object)."""
    found: list[tuple[bool, str]] = []

    def visit(node: object, depth: int = 0) -> None:
        if depth > 20:
            return
        if isinstance(node, list):
            for child in node:
                visit(child, depth + 1)
        elif isinstance(node, dict):
            value = node.get("datePublished")
            if isinstance(value, str) and value.strip():
                kinds = node.get("@type")
                kinds = kinds if isinstance(kinds, list) else [kinds]
                found.append((any(str(k).lower() in _JSON_LD_ARTICLES for k in kinds), value.strip()))
            for child in node.values():
                if isinstance(child, (list, dict)):
                    visit(child, depth + 1)

    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            visit(json.loads(script.text_content()))
        except (ValueError, RecursionError):
            continue  # broken JSON-LD is common; the other evidence decides
    return next((value for is_article, value in found if is_article), found[0][1] if found else None)


def _date_search_tree(tree):
    """A copy of the page for htmldate: without the meta dates read_html ranks itself (htmldate takes
    a generic or a last-modified one before a date shown in the article) and without readers' comments."""
    pruned = copy.deepcopy(tree)
    for element in pruned.iter("meta"):
        key = (element.get("property") or element.get("name") or element.get("itemprop") or "").strip().lower()
        if key in _META_GENERIC_DATE or key in _META_MODIFIED:
            element.drop_tree()
    for element in pruned.xpath(_COMMENT_SECTIONS, namespaces={"re": "http://exslt.org/regular-expressions"}):
        if not element.xpath(".//h1"):  # a wrapper of the article that merely mentions comments
            element.drop_tree()
    return pruned


def _htmldate(tree, *, extensive_search: bool) -> str | None:
    from htmldate import find_date

    try:
        return find_date(tree, original_date=True, extensive_search=extensive_search)
    except Exception:  # htmldate raises broadly on odd trees; a missing date is not fatal
        return None


# -- JSON, JSONL, CSV ---------------------------------------------------------------------------


def read_json(text: str, name: str) -> list[Item]:
    try:
        data = _load_json(text)
    except json.JSONDecodeError as exc:
        raise ReadError(name, f"broken JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
    except RecursionError as exc:
        raise ReadError(name, _TOO_DEEP) from exc
    if isinstance(data, dict):
        records = json_feed_records(data) or next(
            (data[k] for k in ("items", "articles", "data", "results", "entries", "records")
             if isinstance(data.get(k), list)),
            [data],
        )
    elif isinstance(data, list):
        records = data
    else:
        raise ReadError(name, "the JSON holds neither an object nor a list of article objects")
    return _records(records, name, where=lambda i: f"record {i + 1}")


def read_jsonl(text: str, name: str) -> list[Item]:
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(_load_json(line))
        except json.JSONDecodeError as exc:
            raise ReadError(name, f"line {number}: broken JSON ({exc.msg} at column {exc.colno})") from exc
        except RecursionError as exc:
            raise ReadError(name, f"line {number}: {_TOO_DEEP}") from exc
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    return _records(records, name, where=lambda i: f"line {lines[i]}")


def read_csv(text: str, name: str) -> list[Item]:
    header = text.split("\n", 1)[0]
    delimiter = max(",;\t|", key=header.count)  # the header names the columns: its separator is the file's
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    items = []
    record_end = 0  # the last line of the last record read: a malformed record starts after it
    try:
        if not reader.fieldnames:
            raise ReadError(name, "the CSV has no header row")
        mapping = match_columns(reader.fieldnames, name=name)
        record_end = reader.line_num
        for row in reader:
            if None in row:  # more cells than the header names
                raise ReadError(name, f"line {reader.line_num}: more cells than the header has columns")
            item = record_to_item(row, mapping, name=name, where=f"line {reader.line_num}")
            if item is not None:
                items.append(item)
            record_end = reader.line_num
    except csv.Error as exc:
        problem = str(exc)
        if "field limit" in problem:
            problem = f"a field over {csv.field_size_limit():,} characters (is a quote left open?)"
        raise ReadError(name, f"line {record_end + 1}: malformed CSV ({problem})") from exc
    if not items:
        raise ReadError(name, f"no rows with text in column {mapping['text']!r}")
    return items


_TOO_DEEP = "the JSON is nested too deeply to be an export of articles"
# Python refuses to turn more digits than this into an int (sys.int_info.default_max_str_digits).
_MAX_INT_DIGITS = 4300


def _load_json(text: str):
    """json.loads, keeping an integer too long for Python as its digits (a string), not failing."""
    return json.loads(text, parse_int=_json_int)


def _json_int(digits: str) -> int | str:
    return int(digits) if len(digits) <= _MAX_INT_DIGITS else digits


def _records(records: list, name: str, *, where: Callable[[int], str]) -> list[Item]:
    objects = [(i, r) for i, r in enumerate(records) if isinstance(r, dict)]
    if len(objects) != len(records):
        bad = next(i for i, r in enumerate(records) if not isinstance(r, dict))
        raise ReadError(name, f"{where(bad)}: expected an object with article fields, got {type(records[bad]).__name__}")
    columns = {key for _, record in objects for key in record}
    mapping = match_columns(columns, name=name)
    items = [record_to_item(record, mapping, name=name, where=where(i)) for i, record in objects]
    items = [item for item in items if item is not None]
    if not items:
        raise ReadError(name, f"no records with text in field {mapping['text']!r}")
    return items


# -- RSS and Atom -------------------------------------------------------------------------------

# Root elements (local name, lower case) of the feed formats feedparser reads.
_FEED_ROOTS = frozenset({"rss", "feed", "rdf"})
# XML that is often saved beside feeds but is not one: what to call it in the refusal.
_NOT_FEEDS = {
    "urlset": "a sitemap",
    "sitemapindex": "a sitemap index",
    "channel": "a CDF channel (Microsoft's Channel Definition Format of 1997)",
    "opml": "an OPML list of feeds",
    "html": "an HTML page (save it as .html)",
    "svg": "an SVG image",
}
_PROLOG = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^<>\[]|\[.*?\])*>)", re.DOTALL | re.IGNORECASE)
_ROOT = re.compile(r"\s*<([A-Za-z_][\w.:-]*)")
_FEED_ANYWHERE = re.compile(r"<(?:[\w.-]+:)?(?:rss|feed|RDF)[\s>]")
# feedparser's loose parser fails on a character reference to a lone surrogate (&#xD800;).
_SURROGATE_REFERENCE = re.compile(rb"&#(?:[xX]0*[dD][89a-fA-F][0-9a-fA-F]{2}|0*5[5-7][0-9]{3});")


def xml_root(head: str) -> str | None:
    """The qualified name of the first element after the prolog (declaration, comments, doctype)."""
    position = 0
    while match := _PROLOG.match(head, position):
        position = match.end()
    match = _ROOT.match(head, position)
    return match.group(1) if match else None


def xml_head(data: bytes, size: int = 65_536) -> str:
    """The start of an XML file as text, by XML's own autodetection: a BOM, or the NULs of UTF-32/16."""
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom):len(bom) + size].decode(codec, "replace")
    first = data[:4]
    if len(first) == 4 and first[:3] == b"\0\0\0":
        codec = "utf-32-be"
    elif len(first) == 4 and first[1:] == b"\0\0\0":
        codec = "utf-32-le"
    elif first[:1] == b"\0":
        codec = "utf-16-be"
    elif first[1:2] == b"\0":
        codec = "utf-16-le"
    else:
        codec = "utf-8"  # every other encoding an XML file may declare writes its markup in ASCII
    return data[:size].decode(codec, "replace")


def read_feed(data: bytes, name: str) -> list[Item]:
    """Feedparser reads the bytes, so the feed's own encoding rules apply (BOM, XML declaration)."""
    import feedparser

    root = xml_root(xml_head(data))
    local = root.rpartition(":")[2].lower() if root else None
    if local is not None and local not in _FEED_ROOTS:
        what = _NOT_FEEDS.get(local, f"XML with the root <{root}>")
        raise ReadError(name, f"this is {what}, not a feed (RSS, Atom or RDF); give the feed or the pages themselves")
    try:
        # A stream, never the bytes: feedparser opens a str or bytes that names a file or a URL.
        parsed = feedparser.parse(io.BytesIO(_SURROGATE_REFERENCE.sub(b"&#xFFFD;", data)))
    except Exception as exc:  # the loose parser fails in ways of its own; the file is refused, not the run
        raise ReadError(name, f"the feed cannot be parsed ({type(exc).__name__}: {clean_text(str(exc))[:200]})") from exc
    if not parsed.entries and root is None:
        raise ReadError(name, "this is not a feed: no <rss>, <feed> or <rdf:RDF> root element was found")
    if not parsed.entries:
        problem = getattr(parsed, "bozo_exception", None)
        raise ReadError(name, f"no entries in the feed{f' ({problem})' if problem else ''}")
    feed_title = clean_text(parsed.feed.get("title") or "").strip() or None
    items, notes = [], []
    for number, entry in enumerate(parsed.entries, start=1):
        try:
            article = _entry_item(entry, number, feed_title=feed_title, name=name)
        except Exception as exc:  # one odd entry costs that entry only
            notes.append(f"entry {number} skipped: {type(exc).__name__}: {clean_text(str(exc))[:120]}")
            continue
        if article is None:
            notes.append(f"entry {number} skipped: it has no title, text, link or date")
        else:
            items.append(article)
    if not items:
        raise ReadError(name, f"{len(parsed.entries)} entries, but no entry has a title, text, link or date")
    encoding = (parsed.get("encoding") or "utf-8").lower()
    if not encoding.startswith(("utf-", "us-ascii", "ascii")):  # say it, as for any non-UTF-8 file
        notes.insert(0, f"decoded as {encoding}, as the feed declares")
    if notes:  # said once, on the file's first item
        items[0] = replace(items[0], warnings=items[0].warnings + tuple(notes))
    return items


def _entry_item(entry, number: int, *, feed_title: str | None, name: str) -> Item | None:
    content = entry.get("content") or []
    html = content[0].get("value") if content else entry.get("summary") or entry.get("description") or ""
    body = html_to_text(html or "")
    title = clean_text(entry.get("title") or "").strip()
    url = clean_text(entry.get("link") or "").strip() or None
    domain = domain_of(url) if url else None
    known = outlet_for_domain(domain)
    key = next((k for k in ("published", "updated", "created") if entry.get(k)), None)
    published = parse_published(entry.get(key) if key else None, tz=zone_for(outlet=known, domain=domain))
    if published.value is None and key and entry.get(f"{key}_parsed"):  # a dialect only feedparser reads
        published = _feedparser_date(entry[key], entry[f"{key}_parsed"]) or published
    warnings = [f"entry {number}: {published.warning}"] if published.warning else []
    if not body and not title:
        if url:
            title = url
            warnings.append(f"entry {number} has only a link: kept with the link as its title; its page is not read")
        elif published.value is not None:
            title = f"{feed_title or name}, {published.value.isoformat()[:10]}"
            warnings.append(f"entry {number} has only a date: kept with the feed's title and the date as its title")
        else:
            return None
    tags = tuple(clean_text(t.get("term", "")).strip() for t in entry.get("tags", []) if t.get("term"))
    return Item(
        id=stable_id(kind="article", url=url, title=title, text=body or title),
        kind="article",
        title=title or body[:160],
        text=body or title,
        published=published.value,
        outlet=(known.name if known else None) or feed_title or domain,
        byline=clean_text(entry.get("author") or "").strip() or None,
        tags=tags,
        url=url,
        source_path=name,
        warnings=tuple(warnings),
    )


def _feedparser_date(raw: str, parsed) -> ParsedDate | None:
    """feedparser's reading (a UTC time tuple): an instant when a time is written, else the day."""
    try:
        if re.search(r"\d:\d\d", raw):
            value = datetime(*parsed[:6], tzinfo=timezone.utc)
        else:
            value = date(*parsed[:3])
    except (TypeError, ValueError, OverflowError):
        return None
    checked = check_published(value, raw, None)
    return checked if checked.value is not None else None


def _looks_like_feed(head: str) -> bool:
    """XML that is not a page: a feed, or XML the feed reader refuses saying what it is."""
    root = xml_root(head)
    if root is None:  # text before the root, as ill-formed feeds have
        return bool(_FEED_ANYWHERE.search(head[:2000]))
    local = root.rpartition(":")[2].lower()
    if local == "html":
        return False
    return local in _FEED_ROOTS or local in _NOT_FEEDS or head.lstrip().startswith("<?xml")


def _looks_like_html(head: str) -> bool:
    return bool(re.search(r"<(!doctype html|html|body|article)[\s>]", head[:2000], re.IGNORECASE))


def _looks_like_jsonl(head: str) -> bool:
    first = head.lstrip().split("\n", 1)[0].strip()
    return first.startswith("{") and first.endswith("}")


READERS: tuple[Reader, ...] = (
    # First: a web archive holds HTML pages, which the sniffs after it would claim.
    Reader("warc", (".warc", ".warc.gz"), looks_like_warc, read_warc, reads_bytes=True),
    Reader("feed", (".rss", ".atom"), _looks_like_feed, read_feed, reads_bytes=True),
    Reader("html", (".html", ".htm", ".xhtml"), _looks_like_html, read_html),
    Reader("jsonl", (".jsonl", ".ndjson"), _looks_like_jsonl, read_jsonl),
    Reader("json", (".json",), lambda head: head.lstrip()[:1] in ("[", "{"), read_json),
    Reader("csv", (".csv", ".tsv"), lambda head: False, read_csv),
    Reader("text_page", (".txt", ".text"), lambda head: True, read_text_page),
)
# Files ending in .xml are feeds or pages: the content decides.
SNIFFED_SUFFIXES = (".xml", "")
_XML_READERS = ("feed", "html")


def file_suffix(name: str) -> str:
    """A file name's suffix as the readers know it: ".warc.gz" is one, ".gz" alone is none of theirs."""
    lowered = name.lower()
    return ".warc.gz" if lowered.endswith(".warc.gz") else Path(lowered).suffix


def reader_for(suffix: str, head: str) -> Reader | None:
    suffix = suffix.lower()
    for reader in READERS:
        if suffix in reader.suffixes:
            return reader
    if suffix in SNIFFED_SUFFIXES:
        reader = next(reader for reader in READERS if reader.sniff(head))
        if suffix == ".xml" and reader.name not in _XML_READERS:  # markup: the feed reader says what it is
            return next(reader for reader in READERS if reader.name == "feed")
        return reader
    return None


def supported_suffixes() -> tuple[str, ...]:
    return tuple(s for reader in READERS for s in reader.suffixes) + (".xml",)

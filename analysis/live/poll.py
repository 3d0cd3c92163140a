"""Polling one source: fetch its feed or news sitemap, keep what is new, read thin entries' pages.

A poll never writes to the store and never raises for the source's own failure: it returns a
PollResult holding the source's next state and the new items as groups, one per fetched feed
body, which the store's owner writes as one ingested "file" each. The flow:

1. The feed is fetched with the validators of the last poll; a 304 ends the poll with nothing new.
2. The body is archived, then read as a feed (the project's feed reader, from the bytes, so the
   feed's own encoding rules apply) or as a news sitemap; anything else is "not-a-feed". A
   sitemap index is followed to its most recent sitemaps.
3. ``known_ids`` says which entries the store has; only the others are kept.
4. A new entry that is only a summary (under ``page_words`` words), a title or a link has its
   page fetched (robots.txt applies) and read by the HTML reader; the item keeps the entry's
   identity (id and URL). A page that cannot be fetched or read leaves the entry as it was, with a
   warning naming the page and the problem.

Failures move the next poll further away: the interval doubles with each consecutive failure, up
to FAILURE_BACKOFF_CAP (or the interval, if that is longer).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date, datetime, timedelta, timezone
from typing import Any, NamedTuple

from analysis.ingest import describe_error, read_bytes
from analysis.ingest.dates import parse_published
from analysis.ingest.errors import ReadError
from analysis.ingest.outlets import domain_of, outlet_for_domain, zone_for
from analysis.ingest.readers import read_feed, xml_head, xml_root
from analysis.live.archive import Archive
from analysis.live.fetch import Fetched, Fetcher, FetchError
from analysis.live.sources import Source
from analysis.model import Item, stable_id

FAILURE_BACKOFF_CAP = timedelta(hours=6)
PAGE_WORDS = 80  # an entry with fewer words than this is a summary: its page is read
MAX_PAGES = 30  # pages read per source per poll; the rest of a backlog keeps its summaries
MAX_SITEMAPS = 3  # the most recent sitemaps of a sitemap index that are read
_FEED_ROOTS = frozenset(("rss", "feed", "rdf"))
_SITEMAP_ROOTS = frozenset(("urlset", "sitemapindex"))
_FEED_ANYWHERE = re.compile(rb"<(?:[\w.-]+:)?(?:rss|feed|RDF)[\s>]")
_ONLY_A_LINK = "its page is not read"  # the feed reader's note on an entry with only a link


class PollError(NamedTuple):
    """Why a source failed: one of FETCH_ERROR_KINDS and a message naming the URL."""

    kind: str
    message: str


@dataclass(slots=True)
class SourceState:
    """What the poller remembers about a source between polls; ``to_dict`` is JSON-safe."""

    etag: str | None = None
    last_modified: str | None = None
    last_success: datetime | None = None
    last_attempt: datetime | None = None
    last_error: str | None = None
    last_error_kind: str | None = None
    last_error_at: datetime | None = None
    consecutive_failures: int = 0
    next_poll: datetime | None = None
    items_seen: int = 0  # new items found, over all polls
    paused: bool = False

    def to_dict(self) -> dict[str, Any]:
        record = asdict(self)
        for key, value in record.items():
            if isinstance(value, datetime):
                record[key] = value.isoformat()
        return record

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> "SourceState":
        """The state saved by ``to_dict``; keys it does not know are ignored, missing ones take defaults."""
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in record.items() if key in known}
        for key in ("last_success", "last_attempt", "last_error_at", "next_poll"):
            if isinstance(values.get(key), str):
                values[key] = datetime.fromisoformat(values[key])
        return cls(**values)


@dataclass(frozen=True, slots=True)
class ItemGroup:
    """The new items of one fetched feed body, to be written as one ingested file named ``name``."""

    name: str  # the feed's URL
    sha256: str  # of the feed body, as archived
    items: list[Item]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PollResult:
    source: str
    state: SourceState
    groups: list[ItemGroup] = field(default_factory=list)
    entries: int = 0  # entries read from the feed bodies
    new: int = 0
    pages_fetched: int = 0
    pages_failed: int = 0
    not_modified: bool = False
    error: PollError | None = None
    warnings: tuple[str, ...] = ()  # about the poll rather than one feed body (a sitemap that failed)
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


def due(sources: Iterable[Source], states: Mapping[str, SourceState], now: datetime) -> list[Source]:
    """The sources to poll at ``now``: enabled, not paused, and never polled or past their next poll."""
    chosen = []
    for source in sources:
        state = states.get(source.name)
        if not source.enabled or (state is not None and state.paused):
            continue
        if state is None or state.next_poll is None or state.next_poll <= now:
            chosen.append(source)
    return chosen


def poll_source(source: Source, state: SourceState, fetcher: Fetcher, *, archive: Archive,
                known_ids: Callable[[Iterable[str]], set[str]], now: datetime | None = None,
                page_words: int = PAGE_WORDS, max_pages: int = MAX_PAGES,
                max_sitemaps: int = MAX_SITEMAPS) -> PollResult:
    """Poll ``source`` once; the source's failure is in the result, never raised."""
    now = now or datetime.now(timezone.utc)
    started = time.monotonic()
    state = replace(state, last_attempt=now)
    try:
        fetched = fetcher.fetch(source.url, etag=state.etag, last_modified=state.last_modified)
        if fetched.not_modified:
            return PollResult(source.name, _succeeded(state, source, now, fetched, new=0), not_modified=True,
                              elapsed=time.monotonic() - started)
        documents, warnings = _documents(source, fetched, fetcher, archive, max_sitemaps=max_sitemaps)
    except FetchError as error:
        return PollResult(source.name, _failed(state, source, now, error), error=PollError(error.kind, str(error)),
                          elapsed=time.monotonic() - started)
    ids = {entry.id for document in documents for entry in document.entries}
    known = set(known_ids(ids)) if ids else set()
    reader = _PageReader(source, fetcher, archive, page_words=page_words, max_pages=max_pages)
    groups = []
    for document in documents:
        fresh = []
        for entry in document.entries:
            if entry.id not in known:
                known.add(entry.id)  # an entry listed twice is kept once
                fresh.append(entry)
        items = reader.complete(fresh, group=document.url)
        notes = [w for item in items for w in item.warnings]
        groups.append(ItemGroup(document.url, document.sha256, items, tuple(dict.fromkeys(notes))))
    new = sum(len(group.items) for group in groups)
    return PollResult(
        source.name, _succeeded(state, source, now, fetched, new=new), groups=groups,
        entries=sum(len(document.entries) for document in documents), new=new,
        pages_fetched=reader.fetched, pages_failed=reader.failed, warnings=tuple(warnings),
        elapsed=time.monotonic() - started,
    )


# -- state --------------------------------------------------------------------------------------


def _succeeded(state: SourceState, source: Source, now: datetime, fetched: Fetched, *, new: int) -> SourceState:
    return replace(
        state, etag=fetched.etag, last_modified=fetched.last_modified, last_success=now,
        consecutive_failures=0, next_poll=now + timedelta(seconds=source.interval),
        items_seen=state.items_seen + new,
    )


def _failed(state: SourceState, source: Source, now: datetime, error: FetchError) -> SourceState:
    failures = state.consecutive_failures + 1
    interval = timedelta(seconds=source.interval)
    wait = min(interval * 2 ** min(failures - 1, 20), max(FAILURE_BACKOFF_CAP, interval))
    return replace(state, last_error=str(error), last_error_kind=error.kind, last_error_at=now,
                   consecutive_failures=failures, next_poll=now + wait)


# -- feed bodies --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Document:
    url: str
    sha256: str
    entries: list[Item]


def _documents(source: Source, fetched: Fetched, fetcher: Fetcher, archive: Archive, *,
               max_sitemaps: int) -> tuple[list[_Document], list[str]]:
    """The fetched body as entries; a sitemap index as the entries of its most recent sitemaps."""
    sha256 = archive.store(fetched.body, url=fetched.final_url, content_type=fetched.content_type,
                           source=source.name)
    kind, root = _kind_of(fetched, expected=source.kind)
    if kind == "feed":
        return [_Document(source.url, sha256, _feed_entries(source, fetched))], []
    if root == "urlset":
        return [_Document(source.url, sha256, _sitemap_entries(source, fetched.body, source.url))], []
    documents, warnings = [], []
    children = _sitemap_children(fetched.body)
    if not children:
        raise FetchError("not-a-feed", source.url, "a sitemap index that lists no sitemaps")
    failures: list[FetchError] = []
    for child in children[:max_sitemaps]:
        try:
            answer = fetcher.fetch(child)
            child_sha256 = archive.store(answer.body, url=answer.final_url, content_type=answer.content_type,
                                         source=source.name)
            _, child_root = _kind_of(answer, expected="sitemap")
            if child_root != "urlset":
                raise FetchError("not-a-feed", child, "a sitemap index inside a sitemap index; not followed")
            documents.append(_Document(child, child_sha256, _sitemap_entries(source, answer.body, child)))
        except FetchError as error:
            failures.append(error)
            warnings.append(f"sitemap {child} not read: {error.problem} ({error.kind})")
    if not documents:
        raise failures[0]
    return documents, warnings


def _kind_of(fetched: Fetched, *, expected: str) -> tuple[str, str | None]:
    """("feed" | "sitemap", the root's local name), or not-a-feed saying what the body is instead."""
    url = fetched.final_url
    if not fetched.body.strip():
        raise FetchError("not-a-feed", url, "an empty answer, not a feed or sitemap")
    root = xml_root(xml_head(fetched.body))
    local = root.rpartition(":")[2].lower() if root else None
    if local in _FEED_ROOTS or (local is None and _FEED_ANYWHERE.search(fetched.body[:2000])):
        kind = "feed"  # a feed after stray text (a server's warning printed first) is still read
    elif local in _SITEMAP_ROOTS:
        kind = "sitemap"
    elif local == "html" or (local is None and b"<html" in fetched.body[:4096].lower()):
        raise FetchError("not-a-feed", url, "an HTML page, not a feed or sitemap "
                                            "(is the address the site's page rather than its feed?)")
    elif local is None:
        what = fetched.content_type or "no XML"
        raise FetchError("not-a-feed", url, f"not a feed or sitemap ({what})")
    else:
        raise FetchError("not-a-feed", url, f"XML with the root <{root}>, not a feed or sitemap")
    if expected != "auto" and kind != expected:
        raise FetchError("not-a-feed", url, f"a {kind}, but the source says kind = {expected!r}; "
                                            f"set kind = {kind!r} or \"auto\"")
    return kind, local


def _feed_entries(source: Source, fetched: Fetched) -> list[Item]:
    try:
        items = read_feed(fetched.body, source.url)
    except ReadError as error:
        if error.problem.startswith("no entries in the feed"):
            return []  # a quiet feed, not a broken one
        raise FetchError("not-a-feed", fetched.final_url, error.problem) from error
    except Exception as error:  # a reader bug costs this poll only
        raise FetchError("not-a-feed", fetched.final_url,
                         f"unexpected error in the feed reader: {describe_error(error)}") from error
    return [_with_source(item, source, group=source.url) for item in items]


def _sitemap_tree(body: bytes):
    import lxml.etree

    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        return lxml.etree.fromstring(body, parser=parser)
    except lxml.etree.XMLSyntaxError:
        return None


def _sitemap_children(body: bytes) -> list[str]:
    """A sitemap index's sitemaps, the most recently modified first (in listed order when undated)."""
    tree = _sitemap_tree(body)
    if tree is None:
        return []
    listed = []
    for position, element in enumerate(tree.iter("{*}sitemap")):
        loc = (element.findtext("{*}loc") or "").strip()
        if loc:
            listed.append(((element.findtext("{*}lastmod") or "").strip(), -position, loc))
    if any(lastmod for lastmod, _, _ in listed):
        listed.sort(reverse=True)  # ISO 8601 dates sort as text
    return [loc for _, _, loc in listed]


def _sitemap_entries(source: Source, body: bytes, name: str) -> list[Item]:
    """A news sitemap's URLs as link entries: the news title, publication date and name when given."""
    tree = _sitemap_tree(body)
    if tree is None:
        raise FetchError("not-a-feed", name, "the sitemap is not readable XML")
    items = []
    for element in tree.iter("{*}url"):
        url = (element.findtext("{*}loc") or "").strip()
        if not url:
            continue
        news = element.find("{*}news")
        title = (news.findtext("{*}title") if news is not None else None) or ""
        raw_date = (news.findtext("{*}publication_date") if news is not None else None) \
            or element.findtext("{*}lastmod")
        publisher = news.findtext("{*}publication/{*}name") if news is not None else None
        keywords = news.findtext("{*}keywords") if news is not None else None
        domain = domain_of(url)
        published = parse_published(raw_date, tz=zone_for(outlet=outlet_for_domain(domain), domain=domain))
        title = " ".join(title.split()) or url
        items.append(_with_source(Item(
            id=stable_id(kind="article", url=url, title=title, text=title),
            kind="article", title=title, text=title, published=published.value,
            outlet=(publisher or "").strip() or domain,
            tags=tuple(k.strip() for k in (keywords or "").split(",") if k.strip()),
            url=url, source_path=name,
            warnings=(f"sitemap entry {url}: {published.warning}",) if published.warning else (),
        ), source, group=name))
    return items


def _with_source(item: Item, source: Source, *, group: str) -> Item:
    """The item as read from ``source``: a known outlet by domain, else the source's, else the reader's."""
    known = outlet_for_domain(domain_of(item.url)) if item.url else None
    outlet = known.name if known else (source.outlet or item.outlet)
    return replace(item, outlet=outlet, source_path=group)


# -- article pages ------------------------------------------------------------------------------


class _PageReader:
    """Reads the pages of thin entries, at most ``max_pages`` per poll, newest entries first."""

    def __init__(self, source: Source, fetcher: Fetcher, archive: Archive, *, page_words: int, max_pages: int):
        self.source = source
        self.fetcher = fetcher
        self.archive = archive
        self.page_words = page_words
        self.max_pages = max_pages
        self.fetched = 0
        self.failed = 0

    def complete(self, entries: Sequence[Item], *, group: str) -> list[Item]:
        thin = [entry for entry in entries if self._thin(entry)]
        thin.sort(key=lambda entry: _sort_key(entry.published), reverse=True)
        budget = max(self.max_pages - self.fetched - self.failed, 0)
        chosen = {entry.id for entry in thin[:budget]}
        completed = []
        for entry in entries:
            if entry.id in chosen:
                completed.append(self._read(entry, group=group))
            elif self._thin(entry):
                completed.append(_note(entry, f"page {entry.url} not read: over the {self.max_pages} pages "
                                              "read per poll; the entry's summary is kept"))
            else:
                completed.append(entry)
        return completed

    def _thin(self, entry: Item) -> bool:
        if not entry.url:
            return False
        return entry.text.strip() in ("", entry.title.strip(), entry.url) or len(entry.text.split()) < self.page_words

    def _read(self, entry: Item, *, group: str) -> Item:
        url = entry.url
        try:
            fetched = self.fetcher.fetch(url, page=True)
            self.archive.store(fetched.body, url=fetched.final_url, content_type=fetched.content_type,
                               source=self.source.name)
            read = read_bytes(fetched.body, name=fetched.final_url, suffix=".html")
        except FetchError as error:
            self.failed += 1
            return _note(entry, f"page {url} not read: {error.problem} ({error.kind}); the entry's summary is kept")
        except ReadError as error:
            self.failed += 1
            return _note(entry, f"page {url} not read: {error.problem}; the entry's summary is kept")
        except Exception as error:  # a reader bug costs this page only
            self.failed += 1
            return _note(entry, f"page {url} not read: unexpected error in the HTML reader: "
                                f"{describe_error(error)}; the entry's summary is kept")
        self.fetched += 1
        page = next(item for item in read.items if item.kind == "article")
        if len(page.text.split()) < len(entry.text.split()):  # a paywall's teaser or a cookie wall
            return _note(entry, f"page {url} read, but its text is shorter than the entry's; the entry is kept")
        untitled = page.title == page.text.split("\n", 1)[0][:160]  # the reader's stand-in for a missing title
        title = entry.title if untitled and entry.title and entry.title != url else page.title
        kept = tuple(w for w in entry.warnings if _ONLY_A_LINK not in w)
        notes = tuple(f"page {url}: {w}" for w in read.warnings)
        known = outlet_for_domain(domain_of(url))
        return replace(
            entry,
            title=title,
            text=page.text,
            published=page.published if page.published is not None else entry.published,
            published_approximate=page.published_approximate if page.published is not None
            else entry.published_approximate,
            outlet=known.name if known else (self.source.outlet or page.outlet or entry.outlet),
            byline=page.byline or entry.byline, dateline=page.dateline or entry.dateline,
            section=page.section or entry.section, tags=page.tags or entry.tags,
            source_path=group, warnings=kept + notes,
        )


def _note(item: Item, warning: str) -> Item:
    return replace(item, warnings=item.warnings + (warning,))


def _sort_key(published: datetime | date | None) -> float:
    if isinstance(published, datetime):
        return (published if published.tzinfo else published.replace(tzinfo=timezone.utc)).timestamp()
    if isinstance(published, date):
        return datetime(published.year, published.month, published.day, tzinfo=timezone.utc).timestamp()
    return float("-inf")

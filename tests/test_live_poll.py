"""Polling sources against a local server: new entries only, 304s, thin entries' pages, every failure recorded."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from xml.sax.saxutils import escape

import pytest
from live_server import LiveServer, Reply, conditional, endless, gzipped

from analysis.live.archive import Archive
from analysis.live.fetch import Fetcher
from analysis.live.poll import FAILURE_BACKOFF_CAP, SourceState, due, poll_source
from analysis.live.sources import Source
from analysis.model import Item

NOW = datetime(2025, 6, 2, 12, 0, tzinfo=timezone.utc)
LONG_TEXT = (
    "The defence ministry said on Monday that the new brigade would reach full strength by the end of "
    "the decade, and that the first two battalions were already training on the ranges near the border. "
    "Officials added that the housing for the soldiers' families would be finished before the winter. "
    "The opposition asked how the construction would be paid for, and the minister answered that the "
    "budget already set aside the money over three years. Local mayors welcomed the plan, saying the "
    "garrison would bring jobs, though some residents worried about noise from the training grounds."
)


def rss(entries: list[tuple[str, str, str]], *, encoding: str = "utf-8", title: str = "Test Wire") -> bytes:
    """An RSS 2.0 feed of (link, title, description) entries in ``encoding``, declared in its XML declaration."""
    items = "".join(
        f"<item><title>{escape(t)}</title><link>{escape(link)}</link><guid>{escape(link)}</guid>"
        f"<pubDate>Mon, 02 Jun 2025 0{i}:00:00 +0000</pubDate><description>{escape(d)}</description></item>"
        for i, (link, t, d) in enumerate(entries)
    )
    text = (f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>http://example.org/</link>{items}</channel></rss>")
    return text.encode(encoding)


def page(title: str, text: str = LONG_TEXT, *, published: str | None = "2025-06-01T09:30:00+03:00") -> bytes:
    meta = f'<meta property="article:published_time" content="{published}">' if published else ""
    paragraphs = "".join(f"<p>{escape(p.strip())}.</p>" for p in text.split(". ") if p.strip())
    return (f"<!DOCTYPE html><html><head><title>{escape(title)}</title>{meta}</head><body>"
            f"<nav><a href='/'>Home</a></nav><article><h1>{escape(title)}</h1>{paragraphs}</article>"
            "<footer>Contact us</footer></body></html>").encode("utf-8")


class KnownIds:
    """The store's side of known_ids: a set the test adds each poll's new items to."""

    def __init__(self) -> None:
        self.ids: set[str] = set()
        self.calls = 0

    def __call__(self, ids) -> set[str]:
        self.calls += 1
        return self.ids & set(ids)

    def keep(self, result) -> None:
        self.ids.update(item.id for group in result.groups for item in group.items)


@pytest.fixture()
def server():
    with LiveServer() as running:
        running.route("/robots.txt", Reply(404))
        yield running


@pytest.fixture()
def fetcher():
    with Fetcher(timeout=1.0, retries=1, backoff=0.01, host_delay=0.0, max_bytes=2_000_000) as client:
        yield client


@pytest.fixture()
def archive(tmp_path):
    return Archive(tmp_path / "archive")


def _poll(source, state, fetcher, archive, known, *, now=NOW, **kwargs):
    return poll_source(source, state, fetcher, archive=archive, known_ids=known, now=now, **kwargs)


def _items(result) -> list[Item]:
    return [item for group in result.groups for item in group.items]


def test_a_feed_that_gains_entries_gives_only_the_new_ones(server, fetcher, archive):
    full = [(server.url(f"/news/{n}"), f"Story number {n} about the brigade", LONG_TEXT) for n in range(3)]
    server.route("/feed", Reply(200, rss(full[:2])), Reply(200, rss(full)))
    source = Source(name="Test wire", url=server.url("/feed"), outlet="Test Wire Service")
    known = KnownIds()
    first = _poll(source, SourceState(), fetcher, archive, known)
    known.keep(first)
    second = _poll(source, first.state, fetcher, archive, known, now=NOW + timedelta(minutes=15))
    assert (first.entries, first.new, second.entries, second.new) == (2, 2, 3, 1)
    assert [item.title for item in _items(second)] == ["Story number 2 about the brigade"]
    assert second.state.items_seen == 3 and second.state.last_success == NOW + timedelta(minutes=15)
    assert second.state.next_poll == NOW + timedelta(minutes=30)
    group = second.groups[0]
    assert group.name == source.url and archive.read(group.sha256) == rss(full)
    assert _items(second)[0].source_path == source.url
    assert first.pages_fetched == second.pages_fetched == 0  # full text in the feed: no pages read


@pytest.mark.parametrize("validator", ["etag", "last_modified"])
def test_a_304_adds_nothing_and_keeps_the_validators(server, fetcher, archive, validator):
    values = {"etag": '"feed-v1"', "last_modified": "Mon, 02 Jun 2025 10:00:00 GMT"}
    body = rss([(server.url("/news/1"), "A story", LONG_TEXT)])
    server.route("/feed", conditional(body, **{validator: values[validator]}))
    source = Source(name="Wire", url=server.url("/feed"))
    known = KnownIds()
    first = _poll(source, SourceState(), fetcher, archive, known)
    assert getattr(first.state, validator) == values[validator]
    second = _poll(source, first.state, fetcher, archive, known, now=NOW + timedelta(minutes=15))
    assert second.not_modified and second.groups == [] and second.new == 0 and second.ok
    assert getattr(second.state, validator) == values[validator]
    assert second.state.next_poll == NOW + timedelta(minutes=30)
    assert known.calls == 1  # nothing to look up after a 304


def test_summary_only_entries_have_their_page_read_and_keep_the_entry_identity(server, fetcher, archive):
    links = [server.url("/news/summary"), server.url("/news/link-only"), server.url("/news/full")]
    feed = rss([(links[0], "Brigade reaches the border", "A short summary of the story."),
                (links[1], "", ""),
                (links[2], "A story told in full", LONG_TEXT)])
    server.route("/feed", Reply(200, feed))
    server.route("/news/summary", Reply(200, page("Brigade reaches the border"), {"Content-Type": "text/html"}))
    server.route("/news/link-only", Reply(200, page("Housing for soldiers' families", published=None)))
    source = Source(name="Wire", url=server.url("/feed"), outlet="Test Wire Service")
    known = KnownIds()
    result = _poll(source, SourceState(), fetcher, archive, known)
    assert (result.new, result.pages_fetched, result.pages_failed) == (3, 2, 0)
    by_url = {item.url: item for item in _items(result)}
    summary, link_only = by_url[links[0]], by_url[links[1]]
    assert "full strength by the end of the decade" in summary.text and len(summary.text.split()) > 80
    assert summary.title == "Brigade reaches the border"
    assert summary.published == datetime(2025, 6, 1, 6, 30, tzinfo=timezone.utc)  # the page's own date
    assert link_only.title == "Housing for soldiers' families"
    assert link_only.published == datetime(2025, 6, 2, 1, 0, tzinfo=timezone.utc)  # the entry's date: the page has none
    assert not any("its page is not read" in w for w in link_only.warnings)
    assert {item.outlet for item in _items(result)} == {"Test Wire Service"}
    assert {item.source_path for item in _items(result)} == {source.url}
    assert server.count("/news/full") == 0
    archived = {entry.url for entry in archive.entries()}
    assert {source.url, links[0], links[1]} <= archived
    # the same entries, polled again: known, so no page is fetched twice
    known.keep(result)
    again = _poll(source, result.state, fetcher, archive, known, now=NOW + timedelta(minutes=15))
    assert again.new == 0 and again.pages_fetched == 0 and server.count("/news/summary") == 1
    # the page item has the entry's id: the store recognises it whichever of the two it read first
    feed_only = poll_source(source, SourceState(), Fetcher(robots=False, host_delay=0.0), archive=archive,
                            known_ids=lambda ids: set(), now=NOW, page_words=0)
    assert {item.id for item in _items(feed_only)} == {item.id for item in _items(result)}


def test_robots_txt_disallowing_articles_keeps_the_summary_with_a_warning(server, fetcher, archive):
    server.route("/robots.txt", Reply(200, b"User-agent: *\nDisallow: /news/\n"))
    server.route("/feed", Reply(200, rss([(server.url("/news/1"), "Border story", "Only a summary.")])))
    server.route("/news/1", Reply(200, page("Border story")))
    result = _poll(Source(name="Wire", url=server.url("/feed")), SourceState(), fetcher, archive, KnownIds())
    assert result.ok and (result.new, result.pages_fetched, result.pages_failed) == (1, 0, 1)
    item = _items(result)[0]
    assert item.text == "Only a summary."
    assert any(w.startswith(f"page {server.url('/news/1')} not read") and "robots.txt" in w for w in item.warnings)
    assert item.warnings[-1] in result.groups[0].warnings
    assert server.count("/news/1") == 0


def test_a_failed_page_keeps_the_summary_and_does_not_fail_the_source(server, fetcher, archive):
    server.route("/feed", Reply(200, rss([(server.url("/news/gone"), "Gone story", "A summary."),
                                          (server.url("/news/pdf"), "A PDF", "Another summary.")])))
    server.route("/news/gone", Reply(410))
    server.route("/news/pdf", Reply(200, b"%PDF-1.7 binary", {"Content-Type": "application/pdf"}))
    result = _poll(Source(name="Wire", url=server.url("/feed")), SourceState(), fetcher, archive, KnownIds())
    assert result.ok and result.new == 2 and result.pages_failed == 2
    warnings = result.groups[0].warnings
    assert any("/news/gone not read: HTTP 410 Gone (http)" in w for w in warnings)
    assert any("/news/pdf not read" in w and "PDF" in w for w in warnings)


def test_a_page_shorter_than_the_entry_leaves_the_entry_as_it_was(server, fetcher, archive):
    summary = " ".join(LONG_TEXT.split()[:40])
    server.route("/feed", Reply(200, rss([(server.url("/news/1"), "Walled story", summary)])))
    server.route("/news/1", Reply(200, page("Walled story", "Subscribe to read the whole of this article today. "
                                                             "Our reporters cover the region every single day")))
    result = _poll(Source(name="Wire", url=server.url("/feed")), SourceState(), fetcher, archive, KnownIds())
    [item] = _items(result)
    assert item.text == summary and "shorter than the entry's" in item.warnings[-1]


def test_pages_per_poll_are_capped_newest_first(server, fetcher, archive):
    entries = [(server.url(f"/news/{n}"), f"Story {n}", "A summary.") for n in range(4)]
    server.route("/feed", Reply(200, rss(entries)))
    for n in range(4):
        server.route(f"/news/{n}", Reply(200, page(f"Story {n}")))
    result = _poll(Source(name="Wire", url=server.url("/feed")), SourceState(), fetcher, archive, KnownIds(),
                   max_pages=2)
    assert (result.new, result.pages_fetched) == (4, 2)
    assert [server.count(f"/news/{n}") for n in range(4)] == [0, 0, 1, 1]  # entry 3 is the newest
    assert sum("over the 2 pages read per poll" in w for w in result.groups[0].warnings) == 2


def test_a_news_sitemap_gives_link_entries_whose_pages_are_read(server, fetcher, archive):
    sitemap = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
 <url><loc>{server.url('/news/a')}</loc><news:news><news:publication><news:name>Sitemap Times</news:name>
  <news:language>en</news:language></news:publication><news:publication_date>2025-06-02T08:00:00+00:00</news:publication_date>
  <news:title>Drills on the coast</news:title></news:news></url>
 <url><loc>{server.url('/news/b')}</loc><lastmod>2025-06-01</lastmod></url>
</urlset>""".encode()
    server.route("/sitemap.xml", Reply(200, sitemap, {"Content-Type": "application/xml"}))
    server.route("/news/a", Reply(200, page("Drills on the coast", published=None)))
    server.route("/news/b", Reply(500))
    result = _poll(Source(name="Sitemap", url=server.url("/sitemap.xml"), kind="sitemap"), SourceState(),
                   fetcher, archive, KnownIds())
    assert result.ok and (result.entries, result.new, result.pages_fetched, result.pages_failed) == (2, 2, 1, 1)
    a, b = _items(result)
    assert a.title == "Drills on the coast" and "full strength" in a.text and a.outlet == "Sitemap Times"
    assert a.published == datetime(2025, 6, 2, 8, 0, tzinfo=timezone.utc)
    assert b.title == b.url == server.url("/news/b") and b.published.isoformat() == "2025-06-01"
    assert any("HTTP 500" in w for w in b.warnings)


def test_a_sitemap_index_is_followed_to_its_newest_sitemaps(server, fetcher, archive):
    def urlset(n: int) -> bytes:
        return (f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{server.url(f"/news/{n}")}'
                "</loc></url></urlset>").encode()

    index = "".join(f"<sitemap><loc>{server.url(f'/s{n}.xml')}</loc><lastmod>2025-06-0{n}</lastmod></sitemap>"
                    for n in (1, 2, 3))
    server.route("/index.xml", Reply(200, f'<sitemapindex xmlns="x">{index}</sitemapindex>'.encode()))
    for n in (1, 2, 3):
        server.route(f"/s{n}.xml", Reply(200, urlset(n)))
        server.route(f"/news/{n}", Reply(200, page(f"Story {n}")))
    result = _poll(Source(name="Index", url=server.url("/index.xml")), SourceState(), fetcher, archive,
                   KnownIds(), max_sitemaps=2)
    assert [group.name for group in result.groups] == [server.url("/s3.xml"), server.url("/s2.xml")]
    assert server.count("/s1.xml") == 0 and result.new == 2


def test_a_feed_that_changes_encoding_is_read_right_both_times(server, fetcher, archive):
    lithuanian = "Grybauskaitė ir Kaļiņingradas: žinios šiandien"
    entries = [(server.url("/news/1"), lithuanian, LONG_TEXT)]
    cp1257 = rss(entries + [(server.url("/news/2"), "Šiauliai airbase drills", LONG_TEXT)], encoding="windows-1257")
    assert "ė".encode("windows-1257") in cp1257  # a single byte, not UTF-8
    server.route("/feed", Reply(200, rss(entries)), Reply(200, cp1257))
    source = Source(name="Wire", url=server.url("/feed"))
    first = _poll(source, SourceState(), fetcher, archive, lambda ids: set())
    second = _poll(source, first.state, fetcher, archive, lambda ids: set())
    assert _items(first)[0].title == lithuanian
    assert [item.title for item in _items(second)] == [lithuanian, "Šiauliai airbase drills"]
    assert "decoded as windows-1257, as the feed declares" in second.groups[0].warnings


def test_a_gzipped_feed_is_read(server, fetcher, archive):
    body = rss([(server.url("/news/1"), "Compressed story", LONG_TEXT)])
    server.route("/feed", gzipped(body))
    result = _poll(Source(name="Wire", url=server.url("/feed")), SourceState(), fetcher, archive, KnownIds())
    assert result.ok and [item.title for item in _items(result)] == ["Compressed story"]
    assert archive.read(result.groups[0].sha256) == body  # archived as received, after decoding


def test_a_feed_after_stray_text_is_still_read(server, fetcher, archive):
    body = b"Warning: session_start() failed in /var/www/feed.php on line 3\n" + rss(
        [(server.url("/news/1"), "Read despite the warning", LONG_TEXT)])
    server.route("/feed", Reply(200, body))
    result = _poll(Source(name="Wire", url=server.url("/feed")), SourceState(), fetcher, archive, KnownIds())
    assert result.ok and [item.title for item in _items(result)] == ["Read despite the warning"]


def test_an_empty_feed_is_a_quiet_success(server, fetcher, archive):
    server.route("/feed", Reply(200, rss([])))
    result = _poll(Source(name="Wire", url=server.url("/feed")), SourceState(), fetcher, archive, KnownIds())
    assert result.ok and result.entries == 0 and result.groups[0].items == []


FAILURES = {
    # path: (reply, kind, words in the message)
    "/e500": (Reply(500), "http", "HTTP 500"),
    "/e404": (Reply(404), "http", "HTTP 404"),
    "/hang": (Reply(200, b"<rss/>", delay=3.0), "timeout", "no complete answer within 1 s"),
    "/loop": (Reply(302, headers={"Location": "/loop"}), "redirects", "redirect loop"),
    "/huge": (Reply(200, endless(100_000_000)), "too-large", "2 MB limit"),
    "/html": (Reply(200, page("A home page"), {"Content-Type": "text/html"}), "not-a-feed", "an HTML page"),
    "/json": (Reply(200, b'{"items": []}', {"Content-Type": "application/json"}), "not-a-feed", "not a feed"),
    "/opml": (Reply(200, b"<?xml version='1.0'?><opml><body/></opml>"), "not-a-feed", "root <opml>"),
}


def test_every_failure_is_recorded_on_its_source_and_the_others_are_still_polled(server, fetcher, archive):
    for path, (reply, _, _) in FAILURES.items():
        server.route(path, reply)
    server.route("/good", Reply(200, rss([(server.url("/news/1"), "The one good feed", LONG_TEXT)])))
    sources = [Source(name=path, url=server.url(path)) for path in FAILURES]
    sources.insert(len(sources) // 2, Source(name="good", url=server.url("/good")))
    sources.append(Source(name="tls", url=server.url("/good", scheme="https")))
    expected = {path: kind for path, (_, kind, _) in FAILURES.items()} | {"tls": "tls"}
    results = {source.name: _poll(source, SourceState(), fetcher, archive, KnownIds()) for source in sources}
    assert results["good"].ok and results["good"].new == 1
    assert results["good"].state.last_error is None
    for name, kind in expected.items():
        result = results[name]
        assert result.error is not None and result.error.kind == kind, name
        assert result.groups == [] and result.new == 0
        state = result.state
        assert (state.last_error_kind, state.last_error_at, state.consecutive_failures) == (kind, NOW, 1)
        assert state.last_error == result.error.message and state.last_success is None
        assert state.next_poll == NOW + timedelta(minutes=15)
    for path, (_, _, words) in FAILURES.items():
        assert words in results[path].error.message and server.url(path) in results[path].error.message
    assert server.sent["/huge"] < 20_000_000


def test_503_then_success_is_one_poll_with_retries(server, archive):
    body = rss([(server.url("/news/1"), "After the outage", LONG_TEXT)])
    server.route("/feed", Reply(503), Reply(503), Reply(200, body))
    with Fetcher(timeout=1.0, retries=2, backoff=0.01, host_delay=0.0) as fetcher:
        result = _poll(Source(name="Wire", url=server.url("/feed")), SourceState(), fetcher, archive, KnownIds())
    assert result.ok and result.new == 1 and server.count("/feed") == 3


def test_consecutive_failures_push_the_next_poll_back_up_to_a_cap_and_a_success_resets_them(server, fetcher, archive):
    server.route("/feed", Reply(500))
    source = Source(name="Wire", url=server.url("/feed"), interval=900)
    state, waits = SourceState(), []
    for _ in range(7):
        state = _poll(source, state, fetcher, archive, KnownIds()).state
        waits.append(state.next_poll - NOW)
    assert waits[:5] == [timedelta(minutes=m) for m in (15, 30, 60, 120, 240)]
    assert waits[5] == waits[6] == FAILURE_BACKOFF_CAP
    assert state.consecutive_failures == 7
    server.route("/feed", Reply(200, rss([(server.url("/news/1"), "Back", LONG_TEXT)])))
    state = _poll(source, state, fetcher, archive, KnownIds()).state
    assert state.consecutive_failures == 0 and state.next_poll == NOW + timedelta(minutes=15)
    assert state.last_error_kind == "http"  # the last error stays on the health page, with its time


def test_a_source_of_the_wrong_kind_is_refused_saying_what_to_set(server, fetcher, archive):
    server.route("/feed", Reply(200, rss([(server.url("/news/1"), "A story", LONG_TEXT)])))
    result = _poll(Source(name="Wire", url=server.url("/feed"), kind="sitemap"), SourceState(), fetcher, archive,
                   KnownIds())
    assert result.error.kind == "not-a-feed" and "set kind = 'feed'" in result.error.message


def test_state_round_trips_through_a_json_safe_dict():
    import json

    state = SourceState(etag='"x"', last_modified="Mon, 02 Jun 2025 10:00:00 GMT", last_success=NOW,
                        last_attempt=NOW, last_error="u: HTTP 503", last_error_kind="http", last_error_at=NOW,
                        consecutive_failures=2, next_poll=NOW + timedelta(hours=1), items_seen=40, paused=True)
    record = json.loads(json.dumps(state.to_dict()))
    assert SourceState.from_dict(record) == state
    assert SourceState.from_dict({}) == SourceState()
    assert SourceState.from_dict({"etag": "e", "a_field_from_a_later_version": 1}).etag == "e"


def test_due_picks_enabled_unpaused_sources_whose_time_has_come():
    sources = [Source(name=n, url=f"http://example.org/{n}", enabled=n != "off")
               for n in ("new", "ready", "later", "paused", "off")]
    states = {
        "ready": SourceState(next_poll=NOW),
        "later": SourceState(next_poll=NOW + timedelta(seconds=1)),
        "paused": SourceState(next_poll=NOW - timedelta(hours=1), paused=True),
    }
    assert [s.name for s in due(sources, states, NOW)] == ["new", "ready"]

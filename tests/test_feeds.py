"""Feeds as the real web writes them: encodings, odd entries, XML that is not a feed (issue 7).

Every feed here is written in the test; none is copied from a corpus.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from analysis.ingest import ReadError, read_bytes

TITLE = "Šiauliai air base ready for the allied rotation"
TEXT = "Allied fighter jets arrived at the Šiauliai air base on Friday, the ministry said."


def rss(items: str, *, channel_title: str = "Fixture Feed (demo)", declaration: str = "") -> str:
    return (
        f"{declaration}<rss version=\"2.0\"><channel><title>{channel_title}</title>"
        f"<link>https://fixturefeed.example.org/</link>{items}</channel></rss>"
    )


def item(title: str = TITLE, text: str = TEXT, *, link: str = "https://fixturefeed.example.org/a", extra: str = "") -> str:
    parts = [f"<title>{title}</title>" if title else "", f"<description>{text}</description>" if text else "",
             f"<link>{link}</link>" if link else "", extra]
    return "<item>" + "".join(parts) + "</item>"


def read(data: str | bytes, suffix: str = ".rss"):
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return read_bytes(raw, name=f"feed{suffix}", suffix=suffix)


# -- feeds reach feedparser as bytes ------------------------------------------------------------

_UTF_16_32 = [
    ("utf-16", "utf-16"),  # Python writes a BOM
    ("utf-16-le", "utf-16"),
    ("utf-16-be", "utf-16"),
    ("utf-16-be", "utf-16be"),
    ("utf-16-le", "utf16"),
    ("utf-16", "utf-16le"),
    ("utf-32", "utf-32"),  # Python writes a BOM
    ("utf-32-le", "utf-32"),
    ("utf-32-be", "utf-32"),
]


@pytest.mark.parametrize("suffix", [".rss", ".xml"])
@pytest.mark.parametrize(("codec", "declared"), _UTF_16_32)
def test_utf16_and_utf32_feeds_are_read(codec, declared, suffix):
    feed = rss(item(), declaration=f'<?xml version="1.0" encoding="{declared}"?>\n')
    result = read(feed.encode(codec), suffix)
    assert result.reader == "feed"
    assert [(i.title, i.text) for i in result.items] == [(TITLE, TEXT)]


@pytest.mark.parametrize("codec", ["windows-1251", "koi8-r", "iso-8859-2"])
def test_a_feed_is_read_in_the_charset_it_declares(codec):
    title = "Учения в Литве" if codec != "iso-8859-2" else "Ćwiczenia na Litwie źle ocenione"
    feed = rss(item(title=title, text=title), declaration=f'<?xml version="1.0" encoding="{codec}"?>\n')
    [article] = read(feed.encode(codec)).items
    assert article.title == title
    assert article.warnings == (f"decoded as {codec}, as the feed declares",)  # as for any non-UTF-8 file


# -- crashes inside an entry cost that entry at most --------------------------------------------

_BAD_ENTRIES = {
    "surrogate reference in the title": item(title="Bad &#xD800; title"),
    "surrogate reference in the text": item(title="Bad entry", text="a &#55296; b"),
    "control character before the HTML": item(title="Bad entry", text="&#6;&lt;p&gt;x y&lt;/p&gt;"),
    "control character after the HTML": item(title="Bad entry", text="&lt;p&gt;x y&lt;/p&gt;&#6;"),
    "CDATA holding a lone doctype": item(title="Bad entry", text="<![CDATA[ <!DOCTYPE ]]>"),
    "CDATA holding a lone comment": item(title="Bad entry", text="<![CDATA[<!-- nothing -->]]>"),
}


@pytest.mark.parametrize("bad", list(_BAD_ENTRIES.values()), ids=list(_BAD_ENTRIES))
def test_a_bad_entry_does_not_cost_the_others(bad):
    good = item(title="Good entry", text="Fine text of the good entry.", link="https://fixturefeed.example.org/good")
    result = read(rss(bad + good))
    titles = [i.title for i in result.items]
    assert "Good entry" in titles
    for article in result.items:
        for value in (article.title, article.text):
            value.encode("utf-8")  # storable
            assert not any(ord(c) < 32 and c not in "\t\n\r" for c in value)


def test_feedparser_failing_on_the_whole_file_is_a_read_error(monkeypatch):
    import feedparser

    def broken(*args, **kwargs):
        raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")

    monkeypatch.setattr(feedparser, "parse", broken)
    with pytest.raises(ReadError, match="feed.rss: .*cannot be parsed"):
        read(rss(item()))


# -- what is a feed -----------------------------------------------------------------------------

_SITEMAP = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    "<url><loc>https://fixturefeed.example.org/a</loc><lastmod>2024-03-01</lastmod></url></urlset>"
)
_NOT_FEEDS = {
    "sitemap": (_SITEMAP, "a sitemap, not a feed"),
    "sitemap index": (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<sitemap><loc>https://fixturefeed.example.org/s.xml</loc></sitemap></sitemapindex>",
        "a sitemap index, not a feed",
    ),
    "CDF": (
        '<?xml version="1.0"?>\n<CHANNEL HREF="https://fixturefeed.example.org/"><TITLE>Old channel</TITLE>'
        '<ITEM HREF="https://fixturefeed.example.org/a"><TITLE>Item</TITLE></ITEM></CHANNEL>',
        "a CDF channel",
    ),
    "OPML": (
        '<?xml version="1.0"?><opml version="2.0"><head><title>Subscriptions</title></head>'
        '<body><outline text="A feed" xmlUrl="https://fixturefeed.example.org/rss"/></body></opml>',
        "an OPML list of feeds, not a feed",
    ),
    "other XML": ('<?xml version="1.0"?><catalog><book><title>A book</title></book></catalog>',
                  "XML with the root <catalog>, not a feed"),
}


@pytest.mark.parametrize("suffix", [".xml", ".rss"])
@pytest.mark.parametrize(("content", "what"), list(_NOT_FEEDS.values()), ids=list(_NOT_FEEDS))
def test_xml_that_is_not_a_feed_is_refused_saying_what_it_is(content, what, suffix):
    with pytest.raises(ReadError) as raised:
        read(content, suffix)
    assert raised.value.path == f"feed{suffix}"
    assert what in raised.value.problem


@pytest.mark.parametrize(
    "feed",
    [
        '<r:rss xmlns:r="http://backend.userland.com/rss2" version="2.0"><r:channel><r:title>Fixture Feed (demo)</r:title>'
        f"<r:item><r:title>{TITLE}</r:title><r:description>{TEXT}</r:description></r:item></r:channel></r:rss>",
        '<?xml version="1.0"?>\n<!-- a long licence comment ' + "x" * 5000 + " -->\n"
        '<?xml-stylesheet type="text/xsl" href="style.xsl"?>\n' + rss(item()),
        '<?xml version="1.0"?><a:feed xmlns:a="http://www.w3.org/2005/Atom"><a:title>Fixture Feed (demo)</a:title>'
        f"<a:entry><a:title>{TITLE}</a:title><a:summary>{TEXT}</a:summary></a:entry></a:feed>",
    ],
    ids=["prefixed RSS", "comment and stylesheet first", "prefixed Atom"],
)
def test_feeds_are_recognised_by_their_root(feed):
    result = read(feed, ".xml")
    assert result.reader == "feed"
    assert [(i.title, i.text) for i in result.items] == [(TITLE, TEXT)]


@pytest.mark.parametrize(
    "content",
    ["<" * 5000, '<?xml version="1.0"?>' + "x" * 5000, "Plain words in a file that ends in .xml, nothing else.",
     "<!-- a comment that never ends " + "-" * 5000],
    ids=["angle brackets", "declaration only", "plain text", "open comment"],
)
def test_an_xml_file_is_a_feed_a_page_or_refused_never_a_text_article(content):
    with pytest.raises(ReadError) as raised:
        read(content, ".xml")
    assert "not a feed" in raised.value.problem


def test_xhtml_in_xml_is_still_a_page_not_a_refused_feed():
    from analysis.ingest.readers import reader_for

    head = '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml"><body>'
    assert reader_for(".xml", head).name == "html"


# -- entries with only a link or a date ---------------------------------------------------------


def test_entries_with_only_a_link_or_a_date_are_kept():
    feed = rss(
        item(title="", text="", link="https://fixturefeed.example.org/2024/03/01/only-link")
        + item(title="", text="", link="", extra="<pubDate>Fri, 01 Mar 2024 10:20:00 +0200</pubDate>")
        + item()
    )
    result = read(feed)
    link_only, date_only, full = result.items
    assert link_only.url == "https://fixturefeed.example.org/2024/03/01/only-link"
    assert link_only.title == "https://fixturefeed.example.org/2024/03/01/only-link"
    assert date_only.title == "Fixture Feed (demo), 2024-03-01"
    assert date_only.published == datetime(2024, 3, 1, 10, 20, tzinfo=timezone(timedelta(hours=2)))
    assert full.title == TITLE
    assert any("entry 1" in w and "only a link" in w for w in link_only.warnings)
    assert any("entry 2" in w and "only a date" in w for w in date_only.warnings)
    assert not full.warnings


def test_an_entry_with_nothing_is_skipped_with_a_warning():
    feed = rss('<item><guid isPermaLink="false">42</guid></item>' + item())
    [article] = read(feed).items
    assert article.title == TITLE
    assert article.warnings == ("entry 1 skipped: it has no title, text, link or date",)


def test_a_feed_of_links_only_is_read_not_refused():
    feed = rss("".join(item(title="", text="", link=f"https://fixturefeed.example.org/{n}") for n in range(3)))
    assert [i.url for i in read(feed).items] == [f"https://fixturefeed.example.org/{n}" for n in range(3)]


def test_a_feed_whose_entries_hold_nothing_is_refused_saying_so():
    feed = rss("<item><guid isPermaLink=\"false\">42</guid></item>")
    with pytest.raises(ReadError, match="no entry has a title, text, link or date"):
        read(feed)


def test_a_feed_file_naming_another_file_is_not_followed(tmp_path):
    # feedparser opens a str or bytes that names a file (or fetches one that names a URL).
    elsewhere = tmp_path / "elsewhere.rss"
    elsewhere.write_text(rss(item()), encoding="utf-8")
    with pytest.raises(ReadError):
        read(str(elsewhere))

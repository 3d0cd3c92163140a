"""The HTML reader on pages written here: XHTML, layout tables, CJK text, what follows </html>,
which of a page's dates is the article's, and titles without the site's name."""

from __future__ import annotations

from datetime import date

import pytest

from analysis.ingest import ReadError, read_bytes

PARAGRAPH = ("The defence ministry confirmed on Tuesday that the new air defence systems will be delivered "
             "next spring, officials in Riga said.")


def _page(body: str, *, head: str = "<title>Riga orders radars</title>", before: str = "<!DOCTYPE html>\n<html>",
          after: str = "") -> str:
    return f"{before}<head>{head}</head><body>{body}</body></html>{after}"


def _article(paragraphs: int = 3) -> str:
    return "<article><h1>Riga orders radars</h1>" + f"<p>{PARAGRAPH}</p>" * paragraphs + "</article>"


def _read(html: str, *, encoding: str = "utf-8"):
    return read_bytes(html.encode(encoding), name="page.html", suffix=".html")


@pytest.mark.parametrize("encoding", ["utf-8", "iso-8859-1"])
def test_xhtml_with_an_xml_declaration_is_read(encoding):
    html = _page(_article(), before=f'<?xml version="1.0" encoding="{encoding}"?>\n'
                 '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
                 '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml">')
    read = _read(html, encoding=encoding)
    assert PARAGRAPH in read.items[0].text
    assert read.items[0].title == "Riga orders radars"


def test_a_layout_table_page_falls_back_to_trafilaturas_defaults():
    """favor_precision finds nothing in a table-laid page; the defaults read its article."""
    html = _page(f"<table><tr><td>{PARAGRAPH}<br><br>{PARAGRAPH}</td></tr></table>")
    assert PARAGRAPH in _read(html).items[0].text


@pytest.mark.parametrize(
    "text",
    [
        "防衛省は新しい防空システムの購入を確認した。",
        "国防部确认购买新的防空系统。",
        "國防部確認購買新的防空系統。",
    ],
)
def test_cjk_text_is_counted_in_characters_not_space_separated_words(text):
    html = _page(f"<article><h1>見出し</h1><p>{text}</p><p>{text}</p></article>", head="<title>見出し</title>")
    assert text in _read(html).items[0].text


def test_a_page_with_only_a_menu_word_is_still_refused():
    with pytest.raises(ReadError, match="no article text found in the HTML"):
        _read(_page("<nav><a href='/'>Home</a></nav><p>防衛</p>"))


@pytest.mark.parametrize(
    "after",
    [
        "\n<!-- page generated in 0.2 s by the cache -->\n",
        "\n<script>window.stats = {loaded: true};</script>\n",
        "\n<!-- a --><script src='/t.js'></script>\n<!-- b -->\n  <noscript><img src='/p.gif'></noscript>\n",
    ],
)
def test_a_comment_or_script_after_the_closing_html_tag_is_not_truncation(after):
    read = _read(_page(_article(), after=after))
    assert not any("truncated" in warning for warning in read.warnings)


def test_a_page_cut_inside_its_body_is_still_warned_as_truncated():
    html = _page(_article())
    read = _read(html[: html.rindex("</p>")])
    assert any("looks truncated" in warning for warning in read.warnings)


RELATED = ("<aside><h2>Related</h2><ul><li><time datetime='2011-02-03T10:00:00+00:00'>3 Feb 2011</time> "
           "<a href='/old'>An older story about radars</a></li></ul></aside>")
COMMENT = "<section class='comments'><p>Reader: great! <time datetime='2024-06-07T08:00:00Z'>7 June</time></p></section>"


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        # article-specific metadata wins over a generic meta date and a related article's <time>
        ('<meta name="date" content="2012-12-12"><meta property="article:published_time" '
         'content="2020-03-04T09:30:00+02:00">', RELATED + _article(), date(2020, 3, 4)),
        ('<meta name="date" content="2012-12-12"><script type="application/ld+json">'
         '{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Riga orders radars", '
         '"datePublished": "2020-03-05T09:30:00+02:00"}</script>', RELATED + _article(), date(2020, 3, 5)),
        ('<script type="application/ld+json">{"@graph": [{"@type": "WebPage", "dateModified": "2023-01-01"}, '
         '{"@type": "Article", "datePublished": "2020-03-06"}]}</script>', RELATED + _article() + COMMENT,
         date(2020, 3, 6)),
        ('<meta name="date" content="2012-12-12">',
         RELATED + '<article><h1>Riga orders radars</h1><meta itemprop="datePublished" content="2020-03-07">'
         + f"<p>{PARAGRAPH}</p>" * 3 + "</article>", date(2020, 3, 7)),
        # without article metadata, htmldate's original date of the article before a related <time>
        ("", RELATED + '<article><h1>Riga orders radars</h1><p class="date">Published 8 March 2020</p>'
         + f"<p>{PARAGRAPH}</p>" * 3 + "</article>", date(2020, 3, 8)),
        # a generic meta date is still used when nothing better says when
        ('<meta name="date" content="2020-03-09">', _article(), date(2020, 3, 9)),
    ],
)
def test_the_articles_own_date_is_preferred(head, body, expected):
    read = _read(_page(body, head="<title>Riga orders radars</title>" + head))
    assert read.items[0].published_date == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Riga orders radars | The Daily Site", "Riga orders radars"),
        ("Riga orders radars - The Daily Site", "Riga orders radars"),
        ("Riga orders radars", "Riga orders radars"),
    ],
)
def test_the_site_suffix_is_dropped_from_the_title(title, expected):
    html = _page(_article(), head=f"<title>{title}</title><meta property='og:site_name' content='The Daily Site'>")
    assert _read(html).items[0].title == expected


def test_og_title_is_still_preferred():
    html = _page(_article(), head="<title>Riga | Site</title><meta property='og:title' content='Riga orders radars'>")
    assert _read(html).items[0].title == "Riga orders radars"


def test_a_table_in_the_article_is_part_of_its_text():
    table = ("<table><tr><th>Year</th><th>Budget</th></tr><tr><td>2024</td><td>1.2 billion euros</td></tr>"
             "<tr><td>2025</td><td>1.6 billion euros</td></tr></table>")
    html = _page(f"<article><h1>Riga orders radars</h1><p>{PARAGRAPH}</p>{table}<p>{PARAGRAPH}</p></article>")
    assert "1.6 billion euros" in _read(html).items[0].text


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        # og:title carries the suffix too, and no og:site_name says what it is
        ("<meta property='og:title' content='Riga orders radars | Defence | The Daily Site'>", "Riga orders radars"),
        ("<title>Riga orders radars - dailysite.example.com</title>", "Riga orders radars"),
        ("<title>The Daily Site - Riga orders radars</title><meta property='og:site_name' content='The Daily Site'>",
         "Riga orders radars"),
        # the part that is the page's <h1>, whatever the separator
        ("<title>News :: Riga orders radars :: Baltic edition</title>", "Riga orders radars"),
        # a dash inside a headline with no site in it is kept whole
        ("<title>Riga – Tallinn rail link opens</title>", "Riga – Tallinn rail link opens"),
    ],
)
def test_the_title_is_cut_to_the_headline(head, expected):
    html = _page(_article().replace("Riga orders radars", expected), head=head)
    assert _read(html).items[0].title == expected


def test_a_page_whose_only_text_is_its_title_is_refused():
    html = _page("<article><h1>Riga orders radars for the army this year</h1><p>Share.</p></article>",
                 head="<title>Riga orders radars for the army this year</title>")
    with pytest.raises(ReadError, match="no article text found in the HTML"):
        _read(html)


def test_a_title_of_long_whitespace_runs_is_read_in_linear_time():
    """Found by `make fuzz`: a title split on separators around whitespace runs took 40 s for 100 KB."""
    import time

    title = "Headline" + " " * 200_000 + "x" + " \t" * 50_000 + "| Site"
    page = (f"<html><head><title>{title}</title></head><body><article><p>"
            + "Border guards stopped a group of people near the fence on Tuesday night. " * 5
            + "</p></article></body></html>").encode()
    started = time.perf_counter()
    read_bytes(page, name="long-title.html", suffix=".html")
    assert time.perf_counter() - started < 5  # quadratic took minutes at this size


# -- which of a page's dates is the article's (issue 7: 0.885 -> 0.907 same day on the real pages) --

MASTHEAD = "<div class='masthead'><a href='/'>The Daily Site</a> <span class='today'>Wednesday, 26.02.2025</span></div>"


def _dated_article(date_line: str) -> str:
    return f"<article><h1>Riga orders radars</h1>{date_line}" + f"<p>{PARAGRAPH}</p>" * 3 + "</article>"


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        # the article's own publication metadata ranks by its name, not by its place in the page:
        # analytics tags (sailthru.date, parsely-pub-date) often carry the last revision
        ('<meta name="sailthru.date" content="2020-03-11T09:49:32Z">'
         '<meta property="og:article:published_time" content="2020-03-10T12:25:36Z">', _article(), date(2020, 3, 10)),
        ('<meta name="parsely-pub-date" content="2020-03-11T09:49:32Z">'
         '<meta property="article:published_time" content="2020-03-10T12:25:36Z">', _article(), date(2020, 3, 10)),
        # a date shown with the article beats a generic meta date (often the page's last build)...
        ('<meta name="date" content="2020-03-12">',
         _dated_article('<div class="date">05.03.2020 - Editorial team</div>'), date(2020, 3, 5)),
        ('<meta name="dcterms.date" content="2020-03-12T09:43+01:00">',
         _dated_article('<p class="meta"><time>05.03.2020, 12:01</time></p>'), date(2020, 3, 5)),
        # ...and a last-modified one, which is not the original date whatever else the page says
        ('<meta property="og:updated_time" content="2020-06-02T11:57:06+02:00">',
         _dated_article('<p><time class="created">31.03.2020</time></p>'), date(2020, 3, 31)),
        ('<meta property="article:modified_time" content="2020-06-02T11:57:06+02:00">',
         _dated_article('<p><time datetime="2020-03-31">31 March 2020</time></p>'), date(2020, 3, 31)),
    ],
)
def test_the_articles_date_over_generic_and_modified_metadata(head, body, expected):
    read = _read(_page(body, head="<title>Riga orders radars</title>" + head))
    assert read.items[0].published_date == expected


@pytest.mark.parametrize(
    "date_line",
    [
        "<p class='byline'>By the desk, 20.09.2020</p>",
        # a date in free text only: found by htmldate's extensive search, once the comments are set apart
        "<p>Written by the desk on September 20, 2020</p>",
    ],
)
@pytest.mark.parametrize("comment_date", [
    "<abbr class='date' title='2020-09-22T12:45:17Z'>22 September 2020</abbr>",
    "<time datetime='2020-09-22T12:45:17+02:00'>22.09.2020</time>",
])
def test_readers_comments_do_not_date_the_article(date_line, comment_date):
    comments = (f"<div id='comments'><h3>2 comments</h3><div class='comment'><p>Reader: more.</p>{comment_date}</div>"
                "<div class='comment'><p>Another reader.</p><span class='comment-date'>23.09.2020</span></div></div>")
    html = _page(_dated_article(date_line) + comments)
    assert _read(html).items[0].published_date == date(2020, 9, 20)


def test_a_date_after_the_pages_own_date_is_not_the_articles():
    """The masthead's today (a date later than the page's own) is passed over for the page's date."""
    html = _page(MASTHEAD + _article(), head="<title>Riga orders radars</title><meta name='date' content='2017-05-01'>")
    assert _read(html).items[0].published_date == date(2017, 5, 1)


def test_a_wrapper_that_names_comments_but_holds_the_article_is_kept():
    body = ("<div class='entry has-comments'>" + _dated_article('<div class="date">05.03.2020</div>')
            + "<div class='comments'><p>Reader: yes.</p><span class='date'>01.03.2020</span></div></div>")
    html = _page(body, head="<title>Riga orders radars</title><meta name='date' content='2020-03-12'>")
    assert _read(html).items[0].published_date == date(2020, 3, 5)

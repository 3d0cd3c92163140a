"""Publication dates as feeds write them: RFC 822 zones, dates without a time, asctime (issue 7).

Every feed and record here is written in the test; none is copied from a corpus.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from analysis.ingest import read_bytes
from analysis.ingest.dates import parse_published


def read_feed_dated(raw: str):
    feed = (
        '<rss version="2.0"><channel><title>Fixture Feed (demo)</title><item><title>Air base ready</title>'
        f"<description>Jets arrived.</description><pubDate>{raw}</pubDate></item></channel></rss>"
    )
    [article] = read_bytes(feed.encode("utf-8"), name="feed.rss", suffix=".rss").items
    return article


UTC = timezone.utc


def _zone(hours: int, minutes: int = 0) -> timezone:
    return timezone(timedelta(hours=hours, minutes=minutes))


_FEED_DATES = [
    ("Thu, 01 Jan 2004 19:48:21 MET", datetime(2004, 1, 1, 19, 48, 21, tzinfo=_zone(1))),
    ("Thu, 01 Jan 2004 19:48:21 MEST", datetime(2004, 1, 1, 19, 48, 21, tzinfo=_zone(2))),
    ("Thu, 01 Jan 2004 19:48:21 CET", datetime(2004, 1, 1, 19, 48, 21, tzinfo=_zone(1))),
    ("Thu, 01 Jan 2004 19:48:21 EET", datetime(2004, 1, 1, 19, 48, 21, tzinfo=_zone(2))),
    ("Thu, 01 Jan 2004 19:48:21 EEST", datetime(2004, 1, 1, 19, 48, 21, tzinfo=_zone(3))),
    ("Thu, 01 Jan 2004 19:48:21 AT", datetime(2004, 1, 1, 19, 48, 21, tzinfo=_zone(-4))),
    ("Thu, 01 Jan 2004 19:48:21 ET", datetime(2004, 1, 1, 19, 48, 21, tzinfo=_zone(-5))),
    ("Thu, 01 Jan 2004 19:48:21 CT", datetime(2004, 1, 1, 19, 48, 21, tzinfo=_zone(-6))),
    ("Thu, 01 Jan 2004 19:48:21 MT", datetime(2004, 1, 1, 19, 48, 21, tzinfo=_zone(-7))),
    ("Thu, 01 Jan 2004 19:48:21 PT", datetime(2004, 1, 1, 19, 48, 21, tzinfo=_zone(-8))),
    ("Thu, 01 Jan 2004 19:48:21 EST", datetime(2004, 1, 1, 19, 48, 21, tzinfo=_zone(-5))),
    ("Thu, 01 Jan 2004 19:48:21 GMT-01:01", datetime(2004, 1, 1, 19, 48, 21, tzinfo=_zone(-1, -1))),
    ("Thu, 01 Jan 2004 19:48:21 GMT+0230", datetime(2004, 1, 1, 19, 48, 21, tzinfo=_zone(2, 30))),
    ("Thu, 01 Jan 2004 19:48:21 Etc/GMT", datetime(2004, 1, 1, 19, 48, 21, tzinfo=UTC)),
    ("Thu, 01 Jan 2004 19:48:21 -0000", datetime(2004, 1, 1, 19, 48, 21, tzinfo=UTC)),
    ("Thu, 01 Jan 2004 19:48:21 +01:00", datetime(2004, 1, 1, 19, 48, 21, tzinfo=_zone(1))),
    ("Thu, 01 Jan 2004 19:48 Z", datetime(2004, 1, 1, 19, 48, tzinfo=UTC)),
    ("Thu, 01 Jan 04 19:48:21 GMT", datetime(2004, 1, 1, 19, 48, 21, tzinfo=UTC)),
    ("01 Jan 2004 19:48:21 +0200", datetime(2004, 1, 1, 19, 48, 21, tzinfo=_zone(2))),
    ("Thu, 01 Jan 2004", date(2004, 1, 1)),
    ("Thu, 1 January 2004", date(2004, 1, 1)),
    ("2003-12", date(2003, 12, 1)),
    ("Sun Jul 15 01:16:00 +0000 2012", datetime(2012, 7, 15, 1, 16, tzinfo=UTC)),
    ("Sun Jul 15 01:16:00 2012", datetime(2012, 7, 15, 1, 16)),  # no zone written: none invented
]


@pytest.mark.parametrize(("raw", "expected"), _FEED_DATES)
def test_feed_dates(raw, expected):
    parsed = parse_published(raw)
    assert parsed.warning is None
    assert parsed.value == expected
    if isinstance(expected, datetime):
        assert (parsed.value.utcoffset(), type(parsed.value)) == (expected.utcoffset(), datetime)
    else:
        assert type(parsed.value) is date


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2004-01-01T19:48:21 EST", datetime(2004, 1, 1, 19, 48, 21, tzinfo=_zone(-5))),
        ("2004-01-01 19:48 CET", datetime(2004, 1, 1, 19, 48, tzinfo=_zone(1))),
        ("June 14, 2021 16:26 EET", datetime(2021, 6, 14, 16, 26, tzinfo=_zone(2))),
        ("14.06.2021 16:26 GMT+3", datetime(2021, 6, 14, 16, 26, tzinfo=_zone(3))),
        ("2021-06-14 16:26 (updated)", datetime(2021, 6, 14, 16, 26)),  # not a zone: nothing to apply
    ],
)
def test_a_zone_written_after_other_date_forms_is_applied(raw, expected):
    value = parse_published(raw).value
    assert value == expected and value.utcoffset() == expected.utcoffset()


def test_an_unknown_zone_keeps_the_day_not_a_naive_time():
    assert parse_published("Thu, 01 Jan 2004 19:48:21 XYZT").value == date(2004, 1, 1)


@pytest.mark.parametrize(("raw", "expected"), [d for d in _FEED_DATES if isinstance(d[1], datetime) and d[1].tzinfo])
def test_a_feed_date_with_a_zone_is_never_naive(raw, expected):
    article = read_feed_dated(raw)
    assert article.published == expected and article.published.tzinfo is not None
    assert not article.warnings


def test_a_date_only_feedparser_reads_is_taken_from_feedparser():
    # A Greek RFC 822 date: feedparser has a parser for it, ours does not.
    article = read_feed_dated("Κυρ, 11 Ιούλ 2004 12:00:00 EST")
    assert article.published == datetime(2004, 7, 11, 17, 0, tzinfo=UTC)


def test_a_year_too_large_for_the_calendar_is_unparseable_not_a_crash():
    """Found by `make fuzz`: an OverflowError escaped from a 20-digit year."""
    parsed = parse_published("Thu, 01 Jan 99999999999999999999 00:00:00 +0000")
    assert parsed.value is None and "unparseable date" in parsed.warning

"""Export columns of common tools: news-please, JSON Feed (issue 7).

Every feed and record here is written in the test; none is copied from a corpus.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from analysis.ingest import read_bytes

TEXT = "Allied fighter jets arrived at the Šiauliai air base on Friday, the ministry said."
UTC = timezone.utc


def read(data: str, suffix: str):
    return read_bytes(data.encode("utf-8"), name=f"export{suffix}", suffix=suffix)


# -- export columns of common tools -------------------------------------------------------------


def test_news_please_columns():
    record = {
        "title": "Poland extends barrier on the Belarus border",
        "maintext": TEXT,
        "date_publish": "2022-06-30 14:05:00",
        "date_modify": None,
        "source_domain": "fixturewire.example.org",
        "url": "https://fixturewire.example.org/2022/06/30/barrier",
        "authors": ["A. Example", "B. Example"],
        "language": "en",
    }
    [article] = read(json.dumps([record]), ".json").items
    assert article.published == datetime(2022, 6, 30, 14, 5)
    assert article.outlet == "fixturewire.example.org"
    assert article.byline == "A. Example, B. Example"


def test_json_feed_is_read_as_its_items():
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Fixture JSON Feed (demo)",
        "home_page_url": "https://fixturejson.example.org/",
        "items": [
            {
                "id": "2",
                "url": "https://fixturejson.example.org/2",
                "title": "Estonia reaches three percent",
                "content_text": "Estonia spends three percent of GDP on defence.",
                "date_published": "2023-09-28T10:00:00+03:00",
                "authors": [{"name": "B. Example"}],
                "tags": ["defence", "budget"],
            },
            {
                "id": "1",
                "url": "https://fixturejson.example.org/1",
                "content_html": "<p>Latvia orders <b>more</b> air defence.</p><script>track();</script>"
                                "<style>p { color: red }</style><p>The contract was signed.</p>",
                "date_published": "2023-09-15T09:30:00Z",
                "author": {"name": "A. Example"},
            },
        ],
    }
    first, second = read(json.dumps(feed), ".json").items
    assert (first.title, first.text, first.byline, first.tags) == (
        "Estonia reaches three percent", "Estonia spends three percent of GDP on defence.", "B. Example",
        ("defence", "budget"),
    )
    assert first.published == datetime(2023, 9, 28, 10, 0, tzinfo=timezone(timedelta(hours=3)))
    assert second.text == "Latvia orders more air defence.\n\nThe contract was signed."
    assert second.published == datetime(2023, 9, 15, 9, 30, tzinfo=UTC)
    assert second.byline == "A. Example"
    assert first.outlet == second.outlet == "Fixture JSON Feed (demo)"


def test_an_html_column_is_read_as_text():
    csv = 'title,content_html,date_publish\nAir base ready,"<p>Jets <b>arrived</b>.</p><p>More follow.</p>",2024-03-01\n'
    [article] = read(csv, ".csv").items
    assert article.text == "Jets arrived.\n\nMore follow."


def test_json_feed_item_without_text_is_skipped_like_any_record():
    feed = {"version": "https://jsonfeed.org/version/1", "items": [
        {"id": "1", "url": "https://fixturejson.example.org/1"},
        {"id": "2", "title": "Kept", "content_text": TEXT},
    ]}
    assert [i.title for i in read(json.dumps(feed), ".json").items] == ["Kept"]

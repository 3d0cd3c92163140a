"""JSON Feed (https://jsonfeed.org, versions 1 and 1.1): its items as export records.

An item holds its text as ``content_text`` or ``content_html`` (either, or both), so the record
takes the first one present; the feed's title is the outlet, as for RSS and Atom.
"""

from __future__ import annotations

from typing import Any

from analysis.ingest.markup import html_to_text

_VERSION_PREFIX = "https://jsonfeed.org/version/"


def json_feed_records(data: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The items of a JSON Feed in the export vocabulary (title, text, published, ...); None if not one."""
    version = data.get("version")
    if not (isinstance(version, str) and version.startswith(_VERSION_PREFIX) and isinstance(data.get("items"), list)):
        return None
    feed_title = data.get("title") if isinstance(data.get("title"), str) else None
    return [_record(item, feed_title) if isinstance(item, dict) else item for item in data["items"]]


def _record(item: dict[str, Any], feed_title: str | None) -> dict[str, Any]:
    html = item.get("content_html")
    text = item.get("content_text") or (html_to_text(html) if isinstance(html, str) else None) or item.get("summary")
    return {
        "title": item.get("title"),
        "text": text,
        "published": item.get("date_published") or item.get("date_modified"),
        "url": item.get("url") or item.get("external_url"),
        "author": item.get("authors") or item.get("author"),
        "tags": item.get("tags"),
        "source": feed_title,
    }

"""Rows of an export (JSON, JSONL, CSV) to articles, matching columns by their common names."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from analysis.ingest.dates import parse_published
from analysis.ingest.errors import ReadError
from analysis.ingest.markup import html_to_text
from analysis.ingest.outlets import domain_of, outlet_for_domain, zone_for
from analysis.model import Item, stable_id

# Each field and the column names that mean it, in order of preference (compared normalised:
# lower case, letters and digits only, so "Published At" and "published_at" are the same).
FIELD_COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline", "heading", "name", "subject"),
    "text": ("text", "body", "content", "articlebody", "fulltext", "articletext", "article", "maintext",
             "contenttext", "description", "summary", "contenthtml"),
    "published": ("published", "publishedat", "date", "pubdate", "publicationdate", "datepublished",
                  "datepublish", "datetime", "time", "timestamp", "created", "createdat", "updated",
                  "datemodified", "datemodify"),
    "url": ("url", "link", "href", "permalink", "canonicalurl", "sourceurl"),
    "outlet": ("source", "outlet", "publisher", "site", "sitename", "publication", "media", "domain",
               "sourcedomain"),
    "byline": ("author", "authors", "byline", "creator", "by", "writer"),
    "section": ("section", "category", "rubric"),
    "tags": ("tags", "keywords", "categories", "topics"),
    "dateline": ("dateline", "place", "location"),
}


def _norm(column: str) -> str:
    return re.sub(r"[^a-z0-9]", "", column.lower())


def match_columns(columns: Iterable[str], *, name: str, where: str = "") -> dict[str, str]:
    """Map our fields to the file's column names; a file without a text column is refused."""
    by_norm: dict[str, str] = {}
    for column in columns:
        by_norm.setdefault(_norm(str(column)), str(column))
    mapping = {}
    for field, names in FIELD_COLUMNS.items():
        for candidate in names:
            if candidate in by_norm and by_norm[candidate] not in mapping.values():
                mapping[field] = by_norm[candidate]
                break
    if "text" not in mapping:
        found = ", ".join(sorted(_scrub(c) for c in by_norm.values())) or "none"
        wanted = ", ".join(FIELD_COLUMNS["text"][:5])
        raise ReadError(name, f"no text column{where}: found columns {found}; expected one of {wanted}, ...")
    return mapping


def record_to_item(record: Mapping[str, Any], mapping: Mapping[str, str], *, name: str, where: str) -> Item | None:
    """One row to an article; a row with no text is skipped (None), a malformed one is refused."""
    def get(field: str) -> Any:
        column = mapping.get(field)
        return record.get(column) if column is not None else None

    text = _as_text(get("text"))
    if _norm(mapping["text"]).endswith("html"):  # content_html, body_html: markup, not text
        text = html_to_text(text)
    title = _as_text(get("title"))
    if not text.strip():
        return None
    if not title:
        title = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0][:160]
    url = _as_text(get("url")) or None
    domain = domain_of(url) if url else None
    known = outlet_for_domain(domain)
    outlet = _as_text(get("outlet")) or (known.name if known else domain)
    tz = zone_for(outlet=known, domain=domain)
    published = parse_published(_as_date_value(get("published")), tz=tz)
    warnings = (f"{where}: {published.warning}",) if published.warning else ()
    return Item(
        id=stable_id(kind="article", url=url, title=title, text=text),
        kind="article",
        title=title.strip(),
        text=text.strip(),
        published=published.value,
        outlet=outlet or None,
        byline=_as_text(get("byline")) or None,
        dateline=_as_text(get("dateline")) or None,
        section=_as_text(get("section")) or None,
        tags=_as_tags(get("tags")),
        url=url,
        source_path=name,
        warnings=warnings,
    )


# A lone UTF-16 surrogate (JSON "\\udc00" without its pair) cannot be encoded, hashed or stored.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# Values nested deeper than this in a record are not article fields (and would recurse without end).
_MAX_DEPTH = 8


def _scrub(text: str) -> str:
    return _LONE_SURROGATE.sub("\ufffd", text)


def _as_date_value(value: Any) -> Any:
    """A number too large for a float (an epoch of 400 digits) is parsed as the text it is."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**15:
        return str(value)
    return value


def _as_text(value: Any, depth: int = 0) -> str:
    if value is None or depth > _MAX_DEPTH:
        return ""
    if isinstance(value, list):
        return ", ".join(_as_text(v, depth + 1) for v in value if v is not None)
    if isinstance(value, dict):
        for key in ("name", "text", "value", "href", "url"):
            if key in value:
                return _as_text(value[key], depth + 1)
        return ""
    if isinstance(value, float) and value != value:  # NaN from a spreadsheet
        return ""
    return _scrub(str(value).strip())


def _as_tags(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(t for t in (_as_text(v) for v in value) if t)
    return tuple(t.strip() for t in re.split(r"[;,|]", _scrub(str(value))) if t.strip())

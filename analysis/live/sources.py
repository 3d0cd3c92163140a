"""What to follow: the ``[[sources]]`` tables of a sources file (default ``data/sources.toml``).

Adding a source is adding a table; nothing in the code names one. Each file is checked whole when
it is loaded, and every problem is a SourcesError naming the file, the source and the field.

>>> load_sources(Path("data/sources.toml"))[0].name  # doctest: +SKIP
'LRT English'
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

SourceKind = Literal["auto", "feed", "sitemap"]
SOURCE_KINDS: tuple[SourceKind, ...] = ("auto", "feed", "sitemap")
DEFAULT_INTERVAL = 900
MIN_INTERVAL = 60  # a feed polled more often than once a minute is a crawler being rude
MAX_INTERVAL = 7 * 24 * 3600

_FIELDS = ("name", "url", "kind", "outlet", "country", "language", "interval", "enabled")
_TEXT_FIELDS = ("outlet", "country", "language")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")


class SourcesError(ValueError):
    """The sources file is missing, unreadable or invalid; the message names the file and the source."""


@dataclass(frozen=True, slots=True)
class Source:
    """One feed or news sitemap to poll. ``kind`` "auto" lets the document's root element decide."""

    name: str
    url: str
    kind: SourceKind = "auto"
    outlet: str | None = None
    country: str | None = None
    language: str | None = None
    interval: int = DEFAULT_INTERVAL  # seconds between polls while the source is healthy
    enabled: bool = True


def load_sources(path: Path | str) -> list[Source]:
    """Read and validate a sources TOML file; the sources in file order."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourcesError(f"{path}: sources file not found; pass an existing file with --sources") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourcesError(f"{path}: cannot read the sources file ({exc})") from None
    except tomllib.TOMLDecodeError as exc:  # its message gives the line and column
        raise SourcesError(f"{path}: not valid TOML ({exc})") from None
    return parse_sources(raw, path)


def parse_sources(raw: dict, path: Path | str) -> list[Source]:
    """The sources of an already parsed TOML document; ``path`` is only named in errors."""
    unknown = set(raw) - {"sources"}
    if unknown:
        raise SourcesError(f"{path}: unknown top-level key(s) {', '.join(sorted(unknown))}; "
                           "sources go in [[sources]] tables")
    tables = raw.get("sources")
    if not isinstance(tables, list) or not tables:
        raise SourcesError(f"{path}: no [[sources]] tables; add at least one source with a name and a url")
    sources: list[Source] = []
    names: dict[str, int] = {}
    urls: dict[str, str] = {}
    for index, table in enumerate(tables, start=1):
        where = f"{path}: source #{index}"
        if not isinstance(table, dict):
            raise SourcesError(f"{where}: expected a [[sources]] table")
        name = table.get("name")
        if not isinstance(name, str) or not name.strip():
            raise SourcesError(f"{where}: missing field 'name' (a non-empty string)")
        name = name.strip()
        where = f"{path}: source #{index} {name!r}"
        if name in names:
            raise SourcesError(f"{where}: duplicate name; source #{names[name]} has it already, "
                               "every source needs its own name")
        names[name] = index
        unknown = set(table) - set(_FIELDS)
        if unknown:
            raise SourcesError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}; "
                               f"known fields: {', '.join(_FIELDS)}")
        url = _url(table.get("url"), where)
        if url in urls:
            raise SourcesError(f"{where}: the same url as source {urls[url]!r}; list each feed once")
        urls[url] = name
        kind = table.get("kind", "auto")
        if kind not in SOURCE_KINDS:
            raise SourcesError(f"{where}: field 'kind' = {kind!r} must be one of {', '.join(SOURCE_KINDS)}")
        texts = {}
        for field in _TEXT_FIELDS:
            value = table.get(field)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise SourcesError(f"{where}: field {field!r} must be a non-empty string")
            texts[field] = value.strip() if value else None
        if texts["country"] and not _COUNTRY.match(texts["country"]):
            raise SourcesError(f"{where}: field 'country' = {texts['country']!r} must be a two-letter code like 'LT'")
        if texts["language"] and not _LANGUAGE.match(texts["language"]):
            raise SourcesError(f"{where}: field 'language' = {texts['language']!r} must be a language code "
                               "like 'en' or 'lt'")
        interval = table.get("interval", DEFAULT_INTERVAL)
        if isinstance(interval, bool) or not isinstance(interval, int) \
                or not MIN_INTERVAL <= interval <= MAX_INTERVAL:
            raise SourcesError(f"{where}: field 'interval' = {interval!r} must be a whole number of seconds "
                               f"from {MIN_INTERVAL} to {MAX_INTERVAL} (900 is 15 minutes)")
        enabled = table.get("enabled", True)
        if not isinstance(enabled, bool):
            raise SourcesError(f"{where}: field 'enabled' must be true or false")
        sources.append(Source(name=name, url=url, kind=kind, interval=interval, enabled=enabled, **texts))
    return sources


def _url(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SourcesError(f"{where}: missing field 'url' (the feed's or sitemap's address)")
    url = value.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise SourcesError(f"{where}: field 'url' = {url!r} must start with http:// or https://")
    if not parts.hostname:
        raise SourcesError(f"{where}: field 'url' = {url!r} has no host name")
    return url

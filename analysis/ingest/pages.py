"""News pages saved as plain text: split a page into its article and its related headlines.

Two layouts are known (a registry: add a row to add one), and a generic fallback reads any other
plain-text article (first line title, a date found in the header lines):

- ``baltic_times``: title; "•" bullets with the date and the byline; "PLACE - " dateline; body.
- ``lrt``: section label; "YYYY.MM.DD HH:MM"; title; byline glued to the timestamp; photo
  captions and credits; body; gallery captions and "1 / 3" counters; a "# Tag# Tag" line; the
  Lithuanian correction footer; related headlines, each listed with a relative age ("2 h ago") and
  again with an absolute timestamp.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from analysis.ingest.dates import (
    Published,
    check_published,
    find_date,
    is_age,
    parse_published,
    resolve_age,
)
from analysis.ingest.errors import ReadError
from analysis.ingest.outlets import domain_of, outlet_for_byline, outlet_for_domain, zone_for
from analysis.model import normalise_text

_LRT_STAMP = re.compile(r"^\s*(\d{4}\.\d{2}\.\d{2} \d{2}:\d{2})\s*$")
# Patterns that run on whole lines are written so a line is scanned a bounded number of times
# (possessive quantifiers, no lazy prefix before a suffix test): a 32 MB one-line file reads in seconds.
# The stamp that ends a byline line; the byline is what precedes it (searched, not a lazy prefix).
_GLUED_STAMP = re.compile(r"(?P<stamp>\d{4}\.\d{2}\.\d{2} \d{2}:\d{2})\s*+$")
_TAG_LINE = re.compile(r"^\s*+(?:#[^#\n]++)++$")
_TAG = re.compile(r"#\s*([^#]+)")
_CORRECTION_FOOTER = re.compile(r"pastebėjote klaid|svarbus tikslumas|praneškite", re.IGNORECASE)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]++@([\w-]++(?:\.[\w-]++)+)")  # starts where a local part starts
_COUNTER = re.compile(r"^\s*\d+\s*/\s*\d+")
_COMMENT_COUNT = re.compile(r"^\s*\d{1,5}\s*$")
_SENTENCE_END = re.compile(r"[.!?…\"”»’)]\s*$")
_BULLET = re.compile(r"^\s*+[•·●▪]\s*+((?:.*\S)?)\s*$")
# The place ends with a letter or sign, never a space (the shortest place did not either), so a run
# of spaces is scanned once, not once per place length.
_DATELINE = re.compile(r"^(?P<place>[^\s\-–—](?:[^\-–—\n]{0,39}?[^\s\-–—])?)\s++[-–—]{1,2}\s++(?P<rest>\S.*)$",
                       re.DOTALL)
_BY = re.compile(r"^\s*(?:by|author:|written by)\s+(?P<name>.+?)\s*$", re.IGNORECASE)
_OUTLET_LINE = re.compile(r"^\s*(?:source|outlet|publisher):\s*(?P<name>.+?)\s*$", re.IGNORECASE)
# "Published 2 May 2024 by Some Daily" or "Date: 2024-05-02 10:00 | Some Daily": who published it.
_PUBLISHER_AFTER_DATE = re.compile(r"(?:\bby|\|)\s+(?P<name>[^|]{2,80}?)\s*$", re.IGNORECASE)
_PUBLICATION_WORD = re.compile(
    r"\b(times|news|daily|post|herald|journal|monitor|review|wire|gazette|tribune|radio|tv|television|"
    r"broadcast\w*|press|media|agency|observer|telegraph|chronicle|\(demo\))\b", re.IGNORECASE)
_URL_LINE = re.compile(r"^\s*(?:url:\s*)?(?P<url>https?://\S+)\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class RelatedHeadline:
    title: str
    published: Published | None
    approximate: bool


@dataclass(frozen=True, slots=True)
class Page:
    layout: str
    title: str
    body: str
    published: Published | None = None
    byline: str | None = None
    dateline: str | None = None
    section: str | None = None
    outlet: str | None = None
    url: str | None = None
    tags: tuple[str, ...] = ()
    related: tuple[RelatedHeadline, ...] = ()
    warnings: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Layout:
    name: str
    detect: Callable[[list[str]], bool]
    parse: Callable[[list[str], str], Page]


def parse_page(text: str, *, name: str) -> Page:
    """Read one saved page; ``name`` (the file) is used in error messages."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").split("\n")
    if not any(line.strip() for line in lines):
        raise ReadError(name, "the file is empty")
    for layout in LAYOUTS:
        if layout.detect(lines):
            page = layout.parse(lines, name)
            if not page.body.strip():
                raise ReadError(name, f"no article text found ({layout.name} layout): only a title")
            return page
    raise AssertionError("the generic layout accepts every page")  # pragma: no cover


# A header line (date, byline, source) is short; a longer line is text, and is not searched for a date.
HEADER_LINE_MAX = 160


def _header_date(value: str) -> Published | None:
    return find_date(value) if len(value) <= HEADER_LINE_MAX else None


# -- LRT ----------------------------------------------------------------------------------------


def _detect_lrt(lines: list[str]) -> bool:
    head = [line for line in lines[:40] if line.strip()][:4]
    return any(_LRT_STAMP.match(line) for line in head)


def _parse_lrt(lines: list[str], name: str) -> Page:
    filled = [i for i, line in enumerate(lines) if line.strip()]
    stamp_at = next(i for i in filled[:4] if _LRT_STAMP.match(lines[i]))
    section = lines[filled[0]].strip() if filled[0] != stamp_at else None
    after_stamp = [i for i in filled if i > stamp_at]
    if not after_stamp:
        raise ReadError(name, "LRT layout: nothing after the timestamp line")
    title_at = after_stamp[0]
    title = lines[title_at].strip()

    footer_at = next((i for i in filled if i > title_at and _CORRECTION_FOOTER.search(lines[i])), None)
    tags_at = next((i for i in filled if i > title_at and _TAG_LINE.match(lines[i])), None)
    article_end = min(i for i in (tags_at, footer_at, len(lines)) if i is not None)

    outlet = None
    domain = None
    if footer_at is not None:
        email = _EMAIL.search(lines[footer_at])
        domain = domain_of(email.group(0)) if email else None
    known = outlet_for_domain(domain)
    outlet = known.name if known else domain
    tz = zone_for(outlet=known, domain=domain) or zone_for(domain="x.lt")  # the layout is Lithuanian

    published = parse_published(lines[stamp_at].strip(), tz=tz)
    byline = None
    body_start = title_at + 1
    byline_at = next((i for i in filled if title_at < i < article_end), None)
    if byline_at is not None:
        line = lines[byline_at].strip()
        glued = _GLUED_STAMP.search(line)
        if glued:
            byline = line[:glued.start()].strip() or None
            body_start = byline_at + 1

    body = _prose(lines[body_start:article_end])
    tags = tuple(tag.strip() for tag in _TAG.findall(lines[tags_at])) if tags_at is not None else ()
    related_from = (footer_at if footer_at is not None else tags_at if tags_at is not None else len(lines)) + 1
    related = _related_headlines(lines[related_from:], reference=published.value, tz=tz)
    related = tuple(r for r in related if normalise_text(r.title) != normalise_text(title))
    return Page(
        layout="lrt", title=title, body=body, published=published.value, byline=byline,
        dateline=None, section=section, outlet=outlet, tags=tags, related=related,
        warnings=tuple(w for w in (published.warning,) if w),
    )


def _prose(lines: list[str]) -> str:
    """Body paragraphs, without photo captions, credits and gallery counters.

    A saved page keeps each paragraph on one line between blank lines, while captions and
    gallery entries come as runs of short lines without closing punctuation.
    """
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            blocks[-1].append(line.strip())
        elif blocks[-1]:
            blocks.append([])
    paragraphs = []
    for block in blocks:
        for line in block:
            if _COUNTER.match(line):
                continue
            sentence_like = bool(_SENTENCE_END.search(line)) and len(line) >= 40
            if (len(block) == 1 and sentence_like) or (sentence_like and len(line) > 150):
                paragraphs.append(line)
    return "\n\n".join(paragraphs)


def _related_headlines(lines: list[str], *, reference: Published | None, tz) -> tuple[RelatedHeadline, ...]:
    """Each time marker (relative age or absolute stamp) is followed by the headline it dates."""
    found: dict[str, RelatedHeadline] = {}
    order: list[str] = []
    for i, line in enumerate(lines):
        stamp = line.strip()
        absolute = _LRT_STAMP.match(stamp)
        if not absolute and not is_age(stamp):
            continue
        title = next(
            (c.strip() for c in lines[i + 1:] if c.strip() and not _COMMENT_COUNT.match(c)), None
        )
        if not title or _LRT_STAMP.match(title) or is_age(title):
            continue
        if absolute:
            headline = RelatedHeadline(title, parse_published(stamp, tz=tz).value, approximate=False)
        else:
            headline = RelatedHeadline(title, _resolve(stamp, reference), approximate=True)
        key = normalise_text(title)
        if key not in found:
            order.append(key)
            found[key] = headline
        elif found[key].approximate and not headline.approximate:
            found[key] = headline
    return tuple(found[key] for key in order)


def _resolve(age: str, reference: Published | None) -> Published | None:
    if isinstance(reference, datetime):
        return resolve_age(age, reference=reference)
    if isinstance(reference, date):
        moved = resolve_age(age, reference=datetime(reference.year, reference.month, reference.day))
        return moved.date() if moved else None
    return None


# -- The Baltic Times ---------------------------------------------------------------------------


def _detect_baltic_times(lines: list[str]) -> bool:
    head = [line for line in lines[:30] if line.strip()][:5]
    return any(_BULLET.match(line) and _header_date(_BULLET.match(line).group(1)) for line in head)


def _parse_baltic_times(lines: list[str], name: str) -> Page:
    filled = [i for i, line in enumerate(lines) if line.strip()]
    title = lines[filled[0]].strip()
    bullets = []
    last_bullet = filled[0]
    for i in filled[1:]:
        match = _BULLET.match(lines[i])
        if not match:
            break
        bullets.append(match.group(1))
        last_bullet = i
    published, warnings, byline = None, [], None
    for value in bullets:
        found = _header_date(value)
        if found is not None and published is None:
            checked = check_published(found, value, None)
            published = checked.value
            warnings += [checked.warning] if checked.warning else []
        elif byline is None and value:
            byline = value
    paragraphs = _paragraphs(lines[last_bullet + 1:])
    dateline, paragraphs = _split_dateline(paragraphs)
    known = outlet_for_byline(byline)
    return Page(
        layout="baltic_times", title=title, body="\n\n".join(paragraphs), published=published,
        byline=byline, dateline=dateline, outlet=known.name if known else None,
        warnings=tuple(warnings),
    )


def _paragraphs(lines: list[str]) -> list[str]:
    """Blank-line separated paragraphs, each folded onto one line."""
    paragraphs, current = [], []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


def _split_dateline(paragraphs: list[str]) -> tuple[str | None, list[str]]:
    if not paragraphs:
        return None, paragraphs
    match = _DATELINE.match(paragraphs[0])
    if match and _is_place(match["place"]):
        return match["place"].strip(), [match["rest"].strip(), *paragraphs[1:]]
    return None, paragraphs


def _is_place(candidate: str) -> bool:
    letters = [ch for ch in candidate if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters)


# -- Any other plain-text article ---------------------------------------------------------------


def _parse_generic(lines: list[str], name: str) -> Page:
    filled = [i for i, line in enumerate(lines) if line.strip()]
    title = lines[filled[0]].strip()
    rest = lines[filled[0] + 1:]
    if len(title) > 200:  # no title line: the text starts at once; take its first sentence
        title = re.split(r"(?<=[.!?])\s", title, maxsplit=1)[0][:200]
        rest = lines[filled[0]:]
    published, byline, outlet, url, warnings = None, None, None, None, []
    header_end = 0
    for index, line in enumerate(rest[:8]):
        if not line.strip():
            continue
        if len(line) > HEADER_LINE_MAX:
            break
        date_found = find_date(line) if published is None else None
        by, source, link = _BY.match(line), _OUTLET_LINE.match(line), _URL_LINE.match(line)
        if not (date_found or by or source or link):
            break
        if date_found is not None:
            checked = check_published(date_found, line, None)
            published = checked.value
            warnings += [checked.warning] if checked.warning else []
            credit = _PUBLISHER_AFTER_DATE.search(line)
            if credit and _PUBLICATION_WORD.search(credit["name"]):
                outlet = credit["name"].strip()
            elif credit:
                byline = credit["name"].strip()
        byline = by["name"] if by else byline
        outlet = source["name"] if source else outlet
        url = link["url"] if link else url
        header_end = index + 1
    dateline, body = _split_dateline(_paragraphs(rest[header_end:]))
    return Page(
        layout="generic", title=title, body="\n\n".join(body), published=published,
        byline=byline, dateline=dateline, outlet=outlet, url=url, warnings=tuple(warnings),
    )


LAYOUTS: tuple[Layout, ...] = (
    Layout("lrt", _detect_lrt, _parse_lrt),
    Layout("baltic_times", _detect_baltic_times, _parse_baltic_times),
    Layout("generic", lambda lines: True, _parse_generic),
)

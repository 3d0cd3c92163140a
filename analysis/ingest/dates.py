"""Publication dates as news pages and exports write them, parsed into aware datetimes or dates.

A value that only names a day stays a ``date``: inventing midnight would put it on the wrong day
once converted between time zones. A time with no zone takes the outlet's zone when it is known.
"""

from __future__ import annotations

import email.utils
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

VILNIUS = ZoneInfo("Europe/Vilnius")
RIGA = ZoneInfo("Europe/Riga")
TALLINN = ZoneInfo("Europe/Tallinn")

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"), ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = "(?P<month_name>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_TIME = r"(?:[ T,]+(?:at\s+)?(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?"

# Named patterns tried in order; each yields year, month/month_name, day and maybe a time.
_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"(?P<year>\d{4})[.\-/](?P<month>\d{1,2})[.\-/](?P<day>\d{1,2})\.?" + _TIME,
        r"(?P<day>\d{1,2})[./](?P<month>\d{1,2})[./](?P<year>\d{4})" + _TIME,
        r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r",?\s+(?P<year>\d{4})" + _TIME,
        _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})" + _TIME,
    )
)
# Feed dates: RFC 822 as feeds write it ("Thu, 01 Jan 2004 19:48:21 MET", "Thu, 01 Jan 2004"), and
# asctime with a zone ("Sun Jul 15 01:16:00 +0000 2012", as Twitter writes it).
_ZONE = r"(?P<zone>[+-]\d{2}:?\d{2}|[a-z]{1,5}(?:/[a-z]{1,5})?(?:[+-]\d{1,2}(?::?\d{2})?)?)"
_CLOCK = r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?(?:\.\d+)?"
_RFC822 = re.compile(
    r"(?:[a-z]{2,9}\.?,?\s*)?(?P<day>\d{1,2})\s+(?P<month_name>[a-z]{3,9})\.?,?\s+(?P<year>\d{4}|\d{2})"
    rf"(?:,?\s+{_CLOCK}(?:\s*{_ZONE})?)?",
    re.IGNORECASE,
)
_ASCTIME = re.compile(
    rf"[a-z]{{3}},?\s+(?P<month_name>[a-z]{{3,9}})\s+(?P<day>\d{{1,2}})\s+{_CLOCK}(?:\s+{_ZONE})?\s+(?P<year>\d{{4}})",
    re.IGNORECASE,
)
_YEAR_MONTH = re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})")
_ZONE_OFFSET = re.compile(r"(?:gmt|utc|ut|z)?(?:(?P<sign>[+-])(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?)?")
# Zone names feeds write, in hours east of UTC: RFC 822's, feedparser's additions (AT, ET, CT, MT,
# PT, MET, MEST) and the European ones.
_ZONE_HOURS: dict[str, float] = {
    "ut": 0, "utc": 0, "gmt": 0, "z": 0, "wet": 0, "west": 1, "bst": 1,
    "met": 1, "mest": 2, "cet": 1, "cest": 2, "eet": 2, "eest": 3, "msk": 3,
    "adt": -3, "ast": -4, "at": -4, "edt": -4, "est": -5, "et": -5, "cdt": -5, "cst": -6, "ct": -6,
    "mdt": -6, "mst": -7, "mt": -7, "pdt": -7, "pst": -8, "pt": -8,
}
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_RELATIVE_AGE = re.compile(
    r"^\s*(?P<n>\d+)\s*(?P<unit>min|mins|minutes?|h|hrs?|hours?|d|days?|w|weeks?)\s+ago\s*$", re.IGNORECASE
)
_AGE_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}

Published = datetime | date


@dataclass(frozen=True, slots=True)
class ParsedDate:
    value: Published | None
    warning: str | None = None


def parse_published(raw: object, *, tz: ZoneInfo | None = None, now: datetime | None = None) -> ParsedDate:
    """Parse a publication date; unparseable or future values give None and a warning.

    >>> parse_published("2021.06.14 16:26", tz=VILNIUS).value.isoformat()
    '2021-06-14T16:26:00+03:00'
    >>> parse_published("2021-01-26").value
    datetime.date(2021, 1, 26)
    """
    if raw is None:
        return ParsedDate(None)
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return check_published(_from_epoch(float(raw)), raw, now)
    text = str(raw).strip()
    if not text:
        return ParsedDate(None)
    value = _parse_text(text, tz)
    if value is None:
        return ParsedDate(None, f"unparseable date {text[:60]!r}; the item is kept without a date")
    return check_published(value, text, now)


def find_date(text: str, *, tz: ZoneInfo | None = None) -> Published | None:
    """The first date written anywhere in ``text`` (used on page headers)."""
    for pattern in _PATTERNS:
        match = pattern.search(text)
        if match:
            value = _from_match(match, tz)
            if value is not None:
                return value
    return None


def resolve_age(age: str, *, reference: datetime) -> datetime | None:
    """"5 h ago" against the page's own time; None when ``age`` is not an age."""
    match = _RELATIVE_AGE.match(age)
    if not match:
        return None
    unit = _AGE_UNITS[match["unit"][0].lower()]
    return reference - timedelta(**{unit: int(match["n"])})


def is_age(line: str) -> bool:
    return bool(_RELATIVE_AGE.match(line))


def _parse_text(text: str, tz: ZoneInfo | None) -> Published | None:
    if _ISO.match(text):
        try:
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            value = None
        if value is not None:
            return value if value.tzinfo or tz is None else value.replace(tzinfo=tz)
    match = _RFC822.fullmatch(text) or _ASCTIME.fullmatch(text)
    if match and match["month_name"].lower() in _MONTHS:
        return _from_mail_match(match, tz)
    if match := _YEAR_MONTH.fullmatch(text):  # a month: its first day, as feedparser reads it
        return date(int(match["year"]), int(match["month"]), 1) if 1 <= int(match["month"]) <= 12 else None
    if "," in text[:5] or re.search(r"\d{2}:\d{2}(:\d{2})?\s+([+-]\d{4}|GMT|UT|UTC|[A-Z]{3})$", text):
        try:
            value = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            value = None
        if value is not None and value.tzinfo is None:
            written = re.search(r"\d:\d{2}(?::\d{2})?\s+(?P<zone>[A-Za-z]{1,5}|[+-]\d{4})$", text)
            if written:  # a zone email.utils does not know (EET), or -0000: ours, or the day alone
                zone = _zone_offset(written["zone"])
                return value.replace(tzinfo=zone) if zone is not None else value.date()
        if value is not None:
            return value if value.tzinfo or tz is None else value.replace(tzinfo=tz)
    if re.fullmatch(r"\d{9,10}(\.\d+)?", text):
        return _from_epoch(float(text))
    for pattern in _PATTERNS:
        match = pattern.fullmatch(text) or pattern.match(text)
        if match and len(text) - match.end() <= 12:  # allow a trailing zone name such as "EET"
            value = _from_match(match, tz)
            written = text[match.end():].strip()
            zone = _zone_offset(written) if written and isinstance(value, datetime) else None
            return value.replace(tzinfo=zone) if zone is not None else value
    return None


def _from_mail_match(match: re.Match[str], tz: ZoneInfo | None) -> Published | None:
    """An RFC 822 or asctime date: aware when a zone is written, the day alone when the zone is unknown."""
    year = int(match["year"])
    if len(match["year"]) == 2:  # RFC 822's two-digit years, read as feedparser reads them
        year += 1900 if year >= 90 else 2000
    try:
        day = date(year, _MONTHS[match["month_name"].lower()], int(match["day"]))
        if match["hour"] is None:
            return day
        value = datetime(year, day.month, day.day, int(match["hour"]), int(match["minute"]), int(match["second"] or 0))
    except ValueError:
        return None
    if match["zone"] is None:
        return value.replace(tzinfo=tz) if tz else value
    zone = _zone_offset(match["zone"])
    return value.replace(tzinfo=zone) if zone is not None else day


def _zone_offset(zone: str) -> timezone | None:
    """'+0200', '-00:00', 'GMT-01:01', 'Etc/GMT+2' (POSIX sign: UTC-2) or a name from _ZONE_HOURS."""
    if not zone:
        return None
    zone = zone.lower()
    posix = zone.startswith("etc/")
    zone = zone.removeprefix("etc/")
    match = _ZONE_OFFSET.fullmatch(zone)
    if match is None:
        hours = _ZONE_HOURS.get(zone)
        return timezone(timedelta(hours=hours)) if hours is not None else None
    if match["hours"] is None:
        return timezone.utc
    minutes = int(match["hours"]) * 60 + int(match["minutes"] or 0)
    negative = (match["sign"] == "-") != posix
    if minutes >= 24 * 60:
        return None
    return timezone(timedelta(minutes=-minutes if negative else minutes))


def _from_match(match: re.Match[str], tz: ZoneInfo | None) -> Published | None:
    groups = match.groupdict()
    month = _MONTHS[groups["month_name"].lower()] if groups.get("month_name") else int(groups["month"])
    try:
        day = date(int(groups["year"]), month, int(groups["day"]))
    except ValueError:
        return None
    if groups.get("hour") is None:
        return day
    try:
        value = datetime(day.year, day.month, day.day, int(groups["hour"]), int(groups["minute"]),
                         int(groups.get("second") or 0))
    except ValueError:
        return day
    return value.replace(tzinfo=tz) if tz else value


def _from_epoch(seconds: float) -> datetime | None:
    if seconds > 1e11:  # milliseconds
        seconds /= 1000
    try:
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def check_published(value: Published | None, raw: object, now: datetime | None) -> ParsedDate:
    if value is None:
        return ParsedDate(None, f"unparseable date {str(raw)[:60]!r}; the item is kept without a date")
    now = now or datetime.now(timezone.utc)
    day = value.date() if isinstance(value, datetime) else value
    if day > (now + timedelta(days=1)).date():
        return ParsedDate(None, f"date {day.isoformat()} is in the future; the item is kept without a date")
    if day.year < 1990:
        return ParsedDate(None, f"date {day.isoformat()} is implausibly old; the item is kept without a date")
    return ParsedDate(value)

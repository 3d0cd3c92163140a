"""Numbers as news copy writes them: digits, words, scales, currencies, years and periods.

Everything here is a compiled pattern or a pure function over a matched string, shared by the
claim extractors. Values are computed with ``Decimal`` so "2.375 billion" is exactly 1028000000.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from analysis.claims.patterns import Folded

NUMBER_WORDS: dict[str, int] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "a hundred": 100, "one hundred": 100, "a thousand": 1000, "one thousand": 1000, "a dozen": 12,
    "a couple of": 2, "a pair of": 2,
}

SCALES: dict[str, int] = {
    "thousand": 10**3, "k": 10**3,
    "million": 10**6, "mln": 10**6, "mn": 10**6, "m": 10**6,
    "billion": 10**9, "bln": 10**9, "bn": 10**9, "b": 10**9,
    "trillion": 10**12, "tn": 10**12, "trn": 10**12,
}

# Currencies the claims table can hold; others are recognised only so that they are not misread.
CURRENCY_UNITS: dict[str, str | None] = {
    "€": "eur", "eur": "eur", "euro": "eur", "euros": "eur",
    "$": "usd", "us$": "usd", "usd": "usd", "dollar": "usd", "dollars": "usd", "us dollars": "usd",
    "£": None, "gbp": None, "pounds": None, "pln": None, "zloty": None, "zlotys": None,
    "sek": None, "nok": None, "dkk": None, "kronor": None, "kroner": None, "crowns": None,
}

_WORD_NUMBER = (
    r"(?:a\s+hundred|one\s+hundred|a\s+thousand|one\s+thousand|a\s+dozen|a\s+couple\s+of|a\s+pair\s+of|"
    r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[-\s](?:one|two|three|four|five|six|seven|eight|nine))?|"
    r"zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen)(?:\s+and\s+a\s+half)?"
)
# A number written with digits: 1,500 / 4 475 / 1.375 / 2,5 (decimal comma) / 3.
DIGITS = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\u00a0\d{3})+|\d+(?:\.\d+)?(?:,\d{1,2}(?!\d))?)"
NUMBER = rf"(?:{DIGITS}|\b{_WORD_NUMBER}\b)"
SCALE = r"(?:trillion|billion|million|thousand|bln|mln|trn|bn|mn|tn|[mbk])\b"
YEAR = r"(?:19[5-9]\d|20\d\d)"

# Words that bound a figure without changing it: "more than 3 %", "about EUR 800m".
# (Grouped by first letter, order kept within a letter: the same matches in every pattern that
# embeds them, found faster.)
QUALIFIERS = (
    r"more\s+than|less\s+than|fewer\s+than|"
    r"a(?:t\s+least|t\s+most|bove|lmost|round|bout|pproximately|pprox\.|\s+minimum\s+of|\s+maximum\s+of|"
    r"n\s+estimated)|"
    r"u(?:p\s+to|pwards\s+of|nder)|in\s+excess\s+of|over|below|n(?:early|o\s+less\s+than|ot\s+less\s+than)|"
    r"c(?:lose\s+to|irca)|roughly|some|just\s+(?:over|under)|well\s+over|estimated"
)
QUALIFIER = re.compile(rf"(?P<qualifier>\b(?:{QUALIFIERS}))\s*$", re.I)

_WORD_NUMBER_ONLY = re.compile(rf"^{_WORD_NUMBER}$", re.I)
_SPACE = re.compile(r"\s+")


def parse_number(text: str) -> Decimal | None:
    """A number as written ("1,500", "2.015", "2,5", "two", "twenty-five", "two and a half").

    >>> parse_number("1,375"), parse_number("2,5"), parse_number("two and a half")
    (Decimal('1375'), Decimal('2.5'), Decimal('2.5'))
    """
    raw = _SPACE.sub(" ", text.strip().lower().replace("\u00a0", " "))
    if not raw:
        return None
    if raw[0].isdigit():
        if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", raw):
            raw = raw.replace(",", "")
        elif re.fullmatch(r"\d{1,3}(?: \d{3})+", raw):
            raw = raw.replace(" ", "")
        elif re.fullmatch(r"\d+,\d{1,2}", raw):
            raw = raw.replace(",", ".")
        try:
            return Decimal(raw)
        except InvalidOperation:
            return None
    if not _WORD_NUMBER_ONLY.match(raw):
        return None
    half = raw.endswith("and a half")
    if half:
        raw = raw[: -len("and a half")].strip()
    if raw in NUMBER_WORDS:
        value = Decimal(NUMBER_WORDS[raw])
    else:
        tens, _, unit = raw.replace("-", " ").partition(" ")
        value = Decimal(NUMBER_WORDS.get(tens, 0) + NUMBER_WORDS.get(unit, 0))
    return value + Decimal("0.5") if half else value


def scale_factor(word: str | None) -> int:
    """The multiplier of a scale word ("billion" -> 10**9); 1 when there is none."""
    if not word:
        return 1
    return SCALES.get(word.lower(), 1)


def as_float(value: Decimal) -> float:
    """A Decimal as the float the store keeps, integral values without a fractional part."""
    return float(value.to_integral_value()) if value == value.to_integral_value() else float(value)


# -- years and periods --------------------------------------------------------------------------

RELATIVE_YEARS: dict[str, int] = {
    "this year": 0, "the current year": 0, "the present year": 0,
    "next year": 1, "the next year": 1, "the coming year": 1, "the following year": 1,
    "the upcoming year": 1, "last year": -1, "the previous year": -1, "the past year": -1,
}
RELATIVE_YEAR = (
    r"(?:this|next|last|the\s+(?:current|present|next|coming|following|upcoming|previous|past))"
    r"(?:\s+fiscal)?\s+year"
)


@dataclass(frozen=True, slots=True)
class YearRef:
    """A year or period attached to a quantity, resolved against the publication date if relative."""

    year: int | None
    year_high: int | None = None
    relative: bool = False
    text: str = ""
    preposition: str | None = None


def short_year(low: int, high_text: str) -> int | None:
    """The end of a period written "2024-27" or "2024-2027"; None if it is not after the start."""
    if len(high_text) == 2:
        high = low // 100 * 100 + int(high_text)
    else:
        high = int(high_text)
    return high if high > low else None


def relative_year(phrase: str, *, published: date | None) -> YearRef:
    """Resolve "next year" and friends; year None when the publication date is unknown."""
    key = " ".join(phrase.lower().replace("fiscal ", "").split())
    offset = RELATIVE_YEARS.get(key)
    if offset is None or published is None:
        return YearRef(None, text=phrase)
    return YearRef(published.year + offset, relative=True, text=phrase)


def in_years(count: Decimal | None, phrase: str, *, published: date | None) -> YearRef:
    """Resolve "within five years" / "in three years' time" against the publication date."""
    if published is None or count is None:
        return YearRef(None, text=phrase)
    return YearRef(published.year + int(count), relative=True, text=phrase)


# -- periods (deployments, migration counts) ------------------------------------------------------

MONTHS = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)"
)
WEEKDAYS = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_DATE = rf"(?:{MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+{YEAR})?|\d{{1,2}}\s+{MONTHS}(?:\s+{YEAR})?|{MONTHS}(?:\s+{YEAR})?)"
PERIOD = Folded(re.compile(
    rf"""(?P<period>
      (?P<prep>by|in|until|till|from|since|during|over|through|for|before|as\s+of|within|between)\s+
        (?:the\s+)?(?:(?:end|start|beginning|middle|summer|spring|autumn|fall|winter|first\s+half|second\s+half)\s+of\s+)?
        (?:{_DATE}\s*,?\s*)?(?P<year>{YEAR})(?:\s*(?:-|–|/|to|and)\s*(?P<year_high>{YEAR}|\d\d)\b)?
    | since\s+(?:the\s+(?:start|beginning)\s+of\s+(?:the\s+year|{MONTHS})|{_DATE}|last\s+\w+)
    | (?:on|in|as\s+of|from|until|by)\s+{_DATE}
    | (?:on|last|this|next)\s+(?:{WEEKDAYS}|week(?:end)?|month)
    | on\s+{WEEKDAYS}
    | (?:over|in|during|within)\s+(?:the\s+)?(?:last|past|previous)\s+(?:{NUMBER}\s+)?(?:days?|weeks?|months?|hours?|24\s+hours|years?)
    | over\s+the\s+(?:weekend|last\s+day)
    | (?:by|at)\s+(?:the\s+end\s+of\s+(?:the\s+)?year|year(?:'s|’s)\s+end)
    | (?P<relative>{RELATIVE_YEAR})
    | (?:every|each|per)\s+day|daily|a\s+day
    | for\s+(?:{NUMBER}\s+)?(?:months|weeks|years)
    )(?![\w-])""",
    re.X | re.I,
))  # searched in the lower-cased text (analysis/claims/patterns.py)
_RECENT = re.compile(
    rf"\b(?:{WEEKDAYS}|week(?:end)?|month|last\s+day|past\s+day|24\s+hours|hours|days?|year(?:'s|’s)\s+end|end\s+of\s+(?:the\s+)?year)\b",
    re.I,
)


def period_year(match: re.Match[str], *, published: date | None) -> YearRef:
    """The year of a period match: stated, or resolved from the publication date when recent."""
    text = match.group("period")
    if match.group("year"):
        year = int(match.group("year"))
        high = short_year(year, match.group("year_high")) if match.group("year_high") else None
        return YearRef(year, high, text=text, preposition=(match.group("prep") or "").lower() or None)
    if match.group("relative"):
        return relative_year(match.group("relative"), published=published)
    if published is not None and _RECENT.search(text):
        return YearRef(published.year, relative=True, text=text)
    return YearRef(None, text=text)


_STATEMENT_VERB = re.compile(r"\b(?:said|says|announced|told\s+\w+|reported|stated|added|wrote|confirmed)\s+$", re.I)


def nearest_period(text: str, start: int, end: int, span_start: int, span_end: int, *,
                   lowered: str | None = None) -> re.Match[str] | None:
    """The period in text[start:end] nearest to the span (after it wins a tie).

    A period that dates the statement ("announced last year it would ...") is not the claim's period.
    ``lowered`` is ``text.lower()`` when the caller has it (a document's).
    """
    best: tuple[int, re.Match[str]] | None = None
    for match in PERIOD.finditer(text, start, end, lowered=lowered):
        if _STATEMENT_VERB.search(text, max(start, match.start() - 25), match.start()):
            continue
        if match.start() >= span_end:
            distance = match.start() - span_end
        elif match.end() <= span_start:
            distance = span_start - match.end() + 1
        else:
            distance = 0
        if best is None or distance < best[0]:
            best = (distance, match)
    return best[1] if best else None

"""Irregular-migration claims: how many people crossed, tried to cross, were stopped or asked for asylum.

A migration claim is a count of people or events ("312 migrants", "28 people", "4,475 attempts",
"1,200 asylum applications") tied to an irregular crossing: the noun itself says so (migrants,
asylum seekers, border violators) or a word in the clause does (illegally, detained, turned
back, prevented from crossing). Labour migration, emigration, visas and work permits are not
this, nor are refugees from Ukraine arriving through regular checkpoints.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from analysis.claims.actors import PLACE, SURFACES, find_place
from analysis.claims.document import Document
from analysis.claims.patterns import Anchored
from analysis.claims.restatements import without_headline_restatements
from analysis.claims.numbers import (
    DIGITS,
    NUMBER,
    QUALIFIERS,
    YEAR,
    as_float,
    nearest_period,
    parse_number,
    period_year,
)
from analysis.claims.sentences import Sentence
from analysis.model import Claim

# Checked on the lower-cased text (and then each sentence) before anything else. Every match begins
# with one of the anchors, so str.find lists the places it can match (analysis/claims/patterns.py).
TRIGGER = Anchored(
    re.compile(
        r"migrant|asylum|i(?:llegal|rregular)|border guard|violator|turned back|push(?:ed back|-?back)|crossing|"
        r"trespasser|undocumented|detain|apprehend|prevented|smuggl"
    ),
    anchors=tuple((word, 0) for word in (
        "migrant", "asylum", "illegal", "irregular", "border guard", "violator", "turned back", "push", "crossing",
        "trespasser", "undocumented", "detain", "apprehend", "prevented", "smuggl",
    )),
)
_NOUNS = (
    r"migrants|asylum[- ]seekers|refugees|people|persons|individuals|foreigners|(?:third[- ]country\s+)?nationals|"
    r"(?:border\s+)?violators|trespassers|(?:border\s+)?crossers|attempts|(?:border\s+)?crossings|"
    r"asylum\s+(?:applications|requests|claims)|applications|pushbacks|push-backs|men|women|children|"
    r"Iraqis|Afghans|Syrians|Somalis|Cubans|Yemenis"
)
_SELF_EVIDENT = re.compile(
    r"^(?:migrants|asylum[- ]seekers|(?:border\s+)?violators|trespassers|(?:border\s+)?crossers|"
    r"asylum\s+(?:applications|requests|claims)|pushbacks|push-backs)$",
    re.I,
)
COUNT = re.compile(
    rf"""(?<![\w.,/-])(?:(?P<qualifier>{QUALIFIERS})\s+)?(?:(?:a\s+(?:total|group|record|further)\s+of|another|a\s+further)\s+)?
    (?P<count>{DIGITS}(?:\s+(?:thousand|million))?|{NUMBER}(?:\s+(?:hundred|thousand))?)\s+
    (?P<modifiers>(?:(?:more|other|further|additional|new|undocumented|illegal|irregular|foreign|third-country|
       [A-Z][\w'’-]+)\s+){{0,3}})
    (?P<noun>{_NOUNS})\b""",
    re.X,
)
NUMBER_OF = re.compile(
    rf"""\bnumber\s+of\s+(?P<modifiers>(?:[\w-]+\s+){{0,2}}?)(?P<noun>migrants|asylum[- ]seekers|people|attempts|crossings|
    asylum\s+applications)\b[^.;]{{0,100}}?\b(?:exceeded|reached|rose\s+to|climbed\s+to|stood\s+at|was|is|totall?ed|
    hit|passed|topped|surpassed|amounted\s+to)\s+(?:(?P<qualifier>{QUALIFIERS})\s+)?
    (?P<count>{DIGITS}(?:\s+(?:thousand|million))?|{NUMBER}(?:\s+(?:hundred|thousand))?)(?!\s*(?:%|per\s?cent|times))""",
    re.X | re.I,
)
# "..., bringing the total this year to over 4,000": a running total of what the sentence counted.
RUNNING_TOTAL = re.compile(
    rf"""\b(?:bringing|brings|brought|taking|takes|pushing|raising)\s+(?:the|this\s+year's|the\s+year's)\s+
    (?:total|number|tally|count|figure)(?:\s+(?:of|for)\s+[\w\s-]{{0,30}}?)?(?:\s+(?:so\s+far\s+)?(?:this|in)\s+\w+)?
    \s+to\s+(?:(?P<qualifier>{QUALIFIERS})\s+)?(?P<count>{DIGITS}(?:\s+(?:thousand|million))?|{NUMBER}(?:\s+(?:hundred|thousand))?)""",
    re.X | re.I,
)
IRREGULAR = re.compile(
    r"\b(?:illegal\w*|irregular\w*|undocumented|unlawful\w*|detain\w*|apprehend\w*|stopp?(?:ed|ing)?|"
    r"prevent\w*|turn(?:ed|ing)?\s+(?:back|away)|push(?:ed|ing)?\s+back|pushbacks?|deterr?\w*|"
    r"refused\s+entry|denied\s+entry|intercept\w*|caught|smuggl\w*|asylum|border\s+guards?|"
    r"(?:tried|attempt\w*|trying)\s+to\s+(?:cross|enter)|crossed\s+(?:into|from|the\s+border)|"
    r"crossing\s+the\s+border|from\s+Belarus|hybrid)\b",
    re.I,
)
# (Grouped by first letter, order kept within a letter: the same matches, found faster.)
NOT_IRREGULAR = re.compile(
    r"\b(?:Ukrain\w+|l(?:abou?r|orries)|guest\s+workers?|s(?:easonal|tudents)|"
    r"w(?:ork(?:ing)?\s+permits?|orkers)|r(?:esidence\s+permits?|esidents)|"
    r"v(?:isas?|ehicles|accin\w+|oters)|e(?:migra\w+|mployees)|t(?:ourists|ravell?ers|rucks|ents|ested)|"
    r"p(?:assengers|laces)|c(?:ars|rossing\s+points?|heckpoints?|OVID\w*|oronavirus)|beds|"
    r"k(?:ilomet\w+|m|illed)|jobs|i(?:nfect\w+|nhabitants)|d(?:ied|ead))\b",
    re.I,
)
ACTIONS = (
    ("prevented from crossing", re.compile(r"\b(?:prevent\w*|deterr?\w*)\b", re.I)),
    ("turned back", re.compile(r"\b(?:turn(?:ed|ing)?\s+(?:back|away)|push(?:ed|ing)?\s+back|refused\s+entry|denied\s+entry)\b", re.I)),
    ("stopped", re.compile(r"\b(?:stopp(?:ed|ing)|halted|blocked)\b", re.I)),
    ("detained", re.compile(r"\b(?:detain\w*|apprehend\w*|caught|arrest\w*|intercept\w*)\b", re.I)),
    ("attempted to cross", re.compile(r"\b(?:tried|attempt\w*|trying)\s+to\s+(?:cross|enter)\b", re.I)),
    ("crossed", re.compile(r"\b(?:cross(?:ed|ing)|entered|arrived|arriving|came)\b", re.I)),
    ("applied for asylum", re.compile(r"\b(?:applied\s+for|sought|seeking|requested)\s+asylum\b", re.I)),
)
BORDER_GUARD_OF = re.compile(
    r"(?P<owner>[A-Z][\w'’-]+?)(?:'s|’s)?\s+(?:State\s+)?(?:[Bb]order\s+[Gg]uards?|[Bb]order\s+[Gg]uard\s+Service)"
)
ENTERED = re.compile(r"\b(?:into|enter(?:ed|ing)?|in)\s+(?P<country>[A-Z][\w'’-]+)")
ELLIPSIS = re.compile(
    rf"\s*[,;]?\s*(?:and\s+)?(?P<count>{DIGITS})\s+(?P<when>(?:in|during)\s+{YEAR}|on\s+\w+day|last\s+year|this\s+year)\b"
)
ATTEMPT_OBJECT = re.compile(
    r"\s+(to\s+(?:illegally\s+)?(?:cross|enter)(?:\s+(?:the\s+)?(?-i:(?:[A-Z][\w'’-]*\s+)?border\b|[A-Z][\w'’-]+))?"
    r"(?:\s+illegally)?)",
    re.I,
)
_NAME = r"[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’]*"
# "the Latvian-Belarusian border", "the border with Belarus", "the border between Latvia and Belarus".
BORDER = re.compile(
    rf"""\b(?:(?P<a>{_NAME})(?:[-–](?P<b>{_NAME}))?\s+)?border
    (?!\s+(?:[Gg]uard|[Pp]olice|[Ss]ervice|[Aa]gency|[Ff]orce|[Cc]ontrol))
    (?:\s+(?:with|of)\s+(?P<c>{_NAME})|\s+between\s+(?P<d>{_NAME})\s+and\s+(?P<e>{_NAME}))?""",
    re.X,
)
# Who counts, not where: an agency named after a preposition ("according to the State Border Guard Service").
AGENCY = re.compile(
    r"\b(?:Guards?|Service|Police|Frontex|Agency|Ministry|Office|Department|Forces?|Commission|Government|Committee)\b"
)
# Land borders where irregular crossings are counted. A border named by one side ("the Belarus border",
# "from Belarus") is named by both when the reporting country is the other side: "Belarus-Lithuania border".
LAND_BORDERS = frozenset(
    frozenset(pair)
    for pair in (
        ("Belarus", "Lithuania"), ("Belarus", "Latvia"), ("Belarus", "Poland"), ("Belarus", "Ukraine"),
        ("Russia", "Estonia"), ("Russia", "Latvia"), ("Russia", "Lithuania"), ("Russia", "Poland"),
        ("Russia", "Finland"), ("Russia", "Norway"), ("Russia", "Belarus"), ("Russia", "Ukraine"),
        ("Lithuania", "Latvia"), ("Latvia", "Estonia"), ("Lithuania", "Poland"), ("Poland", "Ukraine"),
        ("Poland", "Germany"), ("Finland", "Norway"), ("Finland", "Sweden"),
    )
)
_BORDER_COUNTRIES = frozenset(country for pair in LAND_BORDERS for country in pair)
ORIGIN = re.compile(r"\b(?:mostly|mainly|largely|primarily|chiefly|citizens\s+of|nationals\s+of)\s+(?:from\s+)?(?:\w+\s+)?$", re.I)
_WINDOW = 100
_MAX_COUNTS = 40  # per sentence


def extract_migration(text: str, *, published: date | None = None) -> Iterator[Claim]:
    """Irregular-migration counts in a text, in text order.

    >>> claim = next(extract_migration("Border guards turned back 312 migrants at the Belarus border on Tuesday."))
    >>> claim.value, claim.details["counted"], claim.details["place"], claim.details["period"]
    (312.0, 'migrants turned back', 'Belarus border', 'on Tuesday')
    """
    document = Document(text, published=published)
    if not document.contains(TRIGGER):
        return iter(())
    return migration_claims(document)


def migration_claims(document: Document) -> Iterator[Claim]:
    """The migration claims of a prepared document (shared with the other extractors)."""
    claims = (claim for sentence in document.sentences_with(TRIGGER) for claim in _sentence_counts(document, sentence))
    yield from without_headline_restatements(claims, document)


def _sentence_counts(document: Document, sentence: Sentence) -> Iterator[Claim]:
    text = document.text
    matches = list(COUNT.finditer(text, sentence.start, sentence.end))
    matches += list(NUMBER_OF.finditer(text, sentence.start, sentence.end))
    matches.sort(key=lambda m: m.start())
    matches = matches[:_MAX_COUNTS]  # more figures than this in one line is a flattened table
    covered = sentence.start
    for match in matches:
        if match.start() < covered:
            continue
        count = _count(match.group("count"))
        if count is None or _looks_like_year(text, match):
            continue
        noun = " ".join(match.group("noun").split())
        clause_start = max(sentence.start, match.start() - _WINDOW)
        clause_end = min(sentence.end, match.end() + _WINDOW)
        clause = text[clause_start:clause_end]
        near = text[max(sentence.start, match.start() - 50) : min(sentence.end, match.end() + 50)]
        if not _is_irregular_migration(noun, clause, near):
            continue
        covered = match.end()
        claim = _claim(document, sentence, match, count, noun, clause_start, clause_end)
        yield claim
        yield from _elliptical_counts(document, sentence, match.end(), claim)
        total = RUNNING_TOTAL.search(text, match.end(), min(sentence.end, match.end() + 2 * _WINDOW))
        if total is not None and (total_count := _count(total.group("count"))) is not None:
            covered = total.end()
            yield _running_total(document, sentence, total, total_count, claim)


def _is_irregular_migration(noun: str, clause: str, near: str) -> bool:
    """Migrants and asylum seekers count by their noun; people, attempts, crossings need a cue nearby.

    Work permits, emigration, Ukrainian refugees at checkpoints and the like never count.
    """
    if NOT_IRREGULAR.search(near):
        return False
    if IRREGULAR.search(clause):
        return True
    return bool(_SELF_EVIDENT.match(noun)) and bool(re.search(r"migra|asylum|border", clause, re.I))


def _claim(
    document: Document,
    sentence: Sentence,
    match: re.Match[str],
    count: Decimal,
    noun: str,
    clause_start: int,
    clause_end: int,
) -> Claim:
    text = document.text
    modifiers = " ".join((match.group("modifiers") or "").split())
    modifiers = " ".join(w for w in modifiers.split() if w.lower() not in ("more", "other", "further", "additional", "new"))
    before = text[max(sentence.start, match.start() - 45) : match.start()]
    after = re.split(r"[;]|,\s+and\b", text[match.end() : min(sentence.end, match.end() + 70)])[0]
    action = _action(before) or _action(after) or _action(match.group(0))
    if noun.lower() in ("attempts", "crossings", "border crossings") and (attempt := ATTEMPT_OBJECT.match(after)):
        noun, action = f"{noun} {' '.join(attempt.group(1).split())}", None
    counted = " ".join(part for part in (modifiers, noun, action) if part)
    period_match = nearest_period(
        text, max(sentence.start, match.start() - _WINDOW), min(sentence.end, match.end() + _WINDOW),
        match.start(), match.end(), lowered=document.lowered,
    )
    year = period_year(period_match, published=document.published) if period_match else None
    actor = _actor(document, sentence, match, clause_start, clause_end)
    place = _place(text, match.start(), clause_end, actor) or _place(text, clause_start, match.start(), actor)
    speaker = document.speaker(sentence, match.start())
    return Claim(
        type="migration",
        evidence=sentence.text,
        start=sentence.start,
        end=sentence.end,
        actor=actor,
        value=as_float(count),
        year=year.year if year else None,
        year_high=year.year_high if year else None,
        year_relative=bool(year and year.relative),
        speaker=speaker.speaker if speaker else None,
        details={
            "count": as_float(count),
            "counted": counted,
            "period": year.text if year else None,
            "place": place,
            "qualifier": (match.group("qualifier") or "").lower() or None,
            "quantity": text[match.start() : match.end()],
            "quantity_start": match.start(),
            "quantity_end": match.end(),
        },
    )


def _running_total(document: Document, sentence: Sentence, match: re.Match[str], count: Decimal, claim: Claim) -> Claim:
    period_match = nearest_period(
        document.text, match.start(), min(sentence.end, match.end() + _WINDOW), match.start(), match.end(),
        lowered=document.lowered,
    )
    year = period_year(period_match, published=document.published) if period_match else None
    return Claim(
        type="migration",
        evidence=claim.evidence,
        start=claim.start,
        end=claim.end,
        actor=claim.actor,
        value=as_float(count),
        year=year.year if year else None,
        year_high=year.year_high if year else None,
        year_relative=bool(year and year.relative),
        speaker=claim.speaker,
        details={
            **claim.details,
            "count": as_float(count),
            "counted": f"total {claim.details['counted']}",
            "period": year.text if year else None,
            "qualifier": (match.group("qualifier") or "").lower() or None,
            "quantity": match.group(0),
            "quantity_start": match.start(),
            "quantity_end": match.end(),
        },
    )


def _elliptical_counts(document: Document, sentence: Sentence, position: int, claim: Claim) -> Iterator[Claim]:
    """ "70 people were held in 2019, 55 in 2020, and 90 in 2021": the list goes on without its noun."""
    text = document.text
    tail_start = position
    first_period = nearest_period(text, position, min(sentence.end, position + _WINDOW), position, position,
                                  lowered=document.lowered)
    if first_period is not None and first_period.start() - position < 40:
        tail_start = first_period.end()
    for _ in range(_MAX_COUNTS):
        match = ELLIPSIS.match(text, tail_start, sentence.end)
        if match is None:
            break
        count = parse_number(match.group("count"))
        when = re.search(YEAR, match.group("when"))
        year = int(when.group(0)) if when else None
        yield Claim(
            type="migration",
            evidence=claim.evidence,
            start=claim.start,
            end=claim.end,
            actor=claim.actor,
            value=as_float(count),
            year=year,
            speaker=claim.speaker,
            details={
                **claim.details,
                "count": as_float(count),
                "period": match.group("when"),
                "quantity": match.group("count"),
                "quantity_start": match.start("count"),
                "quantity_end": match.end("count"),
                "qualifier": None,
            },
        )
        tail_start = match.end()


def _count(text: str) -> Decimal | None:
    lowered = " ".join(text.lower().split())
    multiplier = 1
    for word, factor in (("million", 10**6), ("thousand", 1000), ("hundred", 100)):
        if lowered.endswith(word):
            multiplier, lowered = factor, lowered[: -len(word)].strip()
    number = parse_number(lowered)
    return number * multiplier if number is not None and number > 0 else None


def _looks_like_year(text: str, match: re.Match[str]) -> bool:
    raw = match.group("count")
    return bool(re.fullmatch(YEAR, raw)) and bool(
        re.search(r"\b(?:in|since|of|from|until|by)\s*$", text[max(0, match.start("count") - 8) : match.start("count")], re.I)
    )


def _action(window: str) -> str | None:
    """What happened to the people counted; stopping them outranks their crossing ("stopped ... from crossing")."""
    for label, pattern in ACTIONS:
        found = pattern.search(window)
        if found:
            negated = re.search(r"\bnot\s+(?:been\s+|be\s+)?$", window[max(0, found.start() - 12) : found.start()])
            return f"not {label}" if negated else label
    return None


def _place(text: str, start: int, end: int, actor: str | None) -> str | None:
    """Where the people were counted: a border section, a town or crossing point, or the country entered.

    One border has one name however it is written: "the Belarus border", "the Belarusian border",
    "the border with Belarus" and "crossed from Belarus" are the "Belarus border", or the
    "Belarus-Lithuania border" when Lithuania reports it. An agency or a bare "the border" is no place.
    """
    border = BORDER.search(text, start, end)
    sides = _countries(border.group("a", "b", "c", "d", "e")) if border else []
    crossed_from, named = None, None
    position = start
    while (candidate := PLACE.search(text, position, end)) is not None:
        position = candidate.end()
        if ORIGIN.search(text, max(start, candidate.start() - 30), candidate.start("place")):
            continue  # "mostly from Syria" is where people come from, not where they were counted
        if re.search(r"\baccording\s*$", text[max(start, candidate.start() - 12) : candidate.start()], re.I):
            continue  # "according to ...": a source
        place = find_place(text, candidate.start(), candidate.end())
        if place is None or re.search(r"\bborder\b", place):
            continue  # border phrases are read by BORDER
        if AGENCY.search(place):
            position = candidate.start("place")  # "the Border Guards in Kapciamiestis": look inside it
            continue
        country = _countries([place])
        if country and candidate.group("prep") in ("from", "through") and country[0] in _BORDER_COUNTRIES:
            crossed_from = crossed_from or country[0]
            continue
        named = named or place
    if crossed_from is None and (via := re.search(rf"\bvia\s+(?:the\s+)?({_NAME})", text[start:end])):
        crossed_from = next(iter(c for c in _countries([via.group(1)]) if c in _BORDER_COUNTRIES), None)
    entered = ENTERED.search(text, start, end)
    entered_country = _countries([entered.group("country")]) if entered else []
    named_country = _countries([named]) if named else []
    reached = entered_country or named_country
    if sides:
        return _border_name(sides, actor)
    if crossed_from and reached and frozenset((crossed_from, reached[0])) in LAND_BORDERS:
        return _border_name([crossed_from, reached[0]], actor)  # "from Belarus to Lithuania"
    if border is not None:  # a bare "the border": the border of the country crossed from, entered or named
        side = [crossed_from] if crossed_from else reached
        return _border_name(side, actor) if side else named
    if crossed_from:
        return _border_name([crossed_from], actor)
    if entered_country:
        return entered_country[0]
    return named_country[0] if named_country else named


def _countries(words: "tuple[str | None, ...] | list[str | None]") -> list[str]:
    """The countries named by words ("Latvian", "Belarus"), in order, without repeats."""
    found: list[str] = []
    for word in words:
        entry = SURFACES.get(re.sub(r"(?:'s|’s)$", "", word)) if word else None
        if entry and entry[1] in ("country", "demonym") and entry[0] not in found:
            found.append(entry[0])
    return found


def _border_name(sides: list[str], actor: str | None) -> str:
    """ "Belarus border"; "Belarus-Lithuania border" (sides in alphabetical order) when both are known.

    A border named only by the reporting country's side ("the Finnish border" in a Finnish report)
    is that country: which of its borders is not said.
    """
    if len(sides) == 1 and actor == sides[0]:
        return actor
    if len(sides) == 1 and actor and frozenset((actor, sides[0])) in LAND_BORDERS:
        sides = [sides[0], actor]
    return "-".join(sorted(sides)) + " border"


def _actor(document: Document, sentence: Sentence, match: re.Match[str], start: int, end: int) -> str | None:
    """The country whose border it is: its border guards, or the country entered."""
    text = document.text
    window_start, window_end = max(sentence.start, start - _WINDOW), min(sentence.end, end + _WINDOW)
    for guard in BORDER_GUARD_OF.finditer(text, window_start, window_end):
        entry = SURFACES.get(guard.group("owner"))
        if entry and entry[1] in ("country", "demonym"):
            return entry[0]
    for entered in ENTERED.finditer(text, match.end(), end):
        entry = SURFACES.get(entered.group("country"))
        if entry and entry[1] == "country":
            return entry[0]
    for mention in reversed(document.mentions_in(window_start, match.start())):
        if mention.name and mention.kind in ("country", "demonym") and mention.is_subject_like:
            return mention.name
    focus = document.focus_country(match.start())
    origins = {
        m.name for m in document.mentions_in(window_start, window_end)
        if m.governor in ("from", "at", "with") or document.text[m.end : m.end + 8].lstrip().startswith("border")
    }
    return focus if focus not in origins else None

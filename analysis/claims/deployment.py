"""Force-deployment claims: which nation sends or stations how many troops (or jets, a brigade) where.

A deployment is a force phrase ("about 5,000 troops", "a brigade", "four F-16s", "a 1,500-strong
battlegroup") in a clause with a deployment word (deploy, station, send, rotate, arrive, base,
host ...). The nation is the one named on the force ("German troops"), its owner ("Germany's
brigade"), its origin ("troops from Germany") or the subject that sends it ("Berlin will deploy");
the place is where it goes ("to Lithuania", "at the Amari air base"); the period is when ("by 2027").
Casualties, recruitment and exercises without a deployment word are not deployments.

The size keeps what it counts (``details["counted"]``): people ("troops", "soldiers", "personnel";
``details["counts"] == "people"``) or units named by their word ("battalions", "helicopters",
"fighter jets"; ``"units"``). A type designation ("Leopard 2", "JAS 39", "F-35", "M1A2", "CV90") is
never a size, and a force without a counted word has no size.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from analysis.claims.actors import SURFACES, coordinated_before, find_place, join_names
from analysis.claims.document import Document
from analysis.claims.patterns import Anchored, Folded
from analysis.claims.restatements import without_headline_restatements
from analysis.claims.numbers import DIGITS, NUMBER, QUALIFIERS, as_float, nearest_period, parse_number, period_year
from analysis.claims.sentences import Sentence
from analysis.model import Claim

_UNITS = (
    r"troops|soldiers|servicemen|service\s?(?:wo)?men|service\s?members|personnel|marines|paratroopers|"
    r"sailors|airmen|instructors|brigades?|battalions?|battle\s?groups?|battlegroups?|divisions?|"
    r"compan(?:y|ies)|regiments?|squadrons?|detachments?|contingents?|task\s+forces?|(?:fighter\s+)?jets|"
    r"fighters|warplanes|aircraft|F-\d\d[A-Z]?s?|Eurofighters?|Typhoons?|Gripens?|Rafales?|tanks|"
    r"helicopters|warships|frigates|ships|HIMARS(?:\s+launchers)?|Patriot(?:\s+(?:batteries|systems|launchers|units))?|"
    r"NASAMS(?:\s+(?:batteries|systems))?|(?:air[- ]defen[cs]e\s+)?batter(?:y|ies)|(?:rocket\s+|missile\s+)?launchers|"
    r"(?:air[- ]defen[cs]e\s+|missile\s+|rocket\s+)?systems|(?:infantry\s+fighting\s+|armou?red\s+|combat\s+)?vehicles"
)
# What a size counts: these words count people; every other unit word counts units of itself.
_PEOPLE = re.compile(
    r"^(?:troops|soldiers|servicemen|service\s?(?:wo)?men|service\s?members|personnel|marines|paratroopers|sailors|"
    r"airmen|instructors)$",
    re.I,
)
# Unit words written with a capital because they name a type ("Rafales", "F-16s"); the rest are lower-cased.
_TYPE_NAMES = re.compile(r"^(?:F-\d|Eurofighter|Typhoon|Gripen|Rafale|HIMARS|Patriot|NASAMS)", re.I)
# Checked on the lower-cased text (and then each sentence) before anything else. Every match begins
# with one of the anchors, so str.find lists the places it can match (analysis/claims/patterns.py).
TRIGGER = Anchored(
    re.compile(
        r"t(?:roop|ask force|anks|yphoon)|s(?:oldier|ervice|ailors|quadron)|p(?:ersonnel|aratroop|atriot)|marines|"
        r"a(?:irmen|ircraft)|instructors|b(?:rigade|attalion|attle|atter)|d(?:ivision|etachment)|co(?:mpan|ntingent)|"
        r"regiment|jets|fighters|warplanes|f-\d\d|eurofighter|gripen|rafale|helicopter|warship|frigate|himars|nasams|"
        r"ships|launchers|systems|vehicles"
    ),
    anchors=tuple((word, 0) for word in (
        "troop", "task force", "tanks", "typhoon", "soldier", "service", "sailors", "squadron", "personnel",
        "paratroop", "patriot", "marines", "airmen", "aircraft", "instructors", "brigade", "batt", "division",
        "detachment", "compan", "contingent", "regiment", "jets", "fighters", "warplanes", "f-", "eurofighter",
        "gripen", "rafale", "helicopter", "warship", "frigate", "himars", "nasams", "ships", "launchers", "systems",
        "vehicles",
    )),
)
DEPLOY_TRIGGER = re.compile(
    r"d(?:eploy|ispatch)|s(?:tation|en[dt])|r(?:otat|elocat|einforc)|bas(?:ed|ing)|arriv|land(?:ed|ing)|"
    r"position|t(?:ransfer|ook over|ake over)|host|presen|mov(?:e|ed|es|ing)\b|co(?:ntribut|mmit)|"
    r"provid|join|pledg|ke(?:ep|pt)|maintain|lead|led\b"
)
UNIT = Folded(re.compile(rf"\b(?P<unit>{_UNITS})\b", re.I))  # searched in the lower-cased text
_FORMATIONS = re.compile(
    r"^(?:brigades?|battalions?|battle\s?groups?|battlegroups?|divisions?|compan(?:y|ies)|regiments?|"
    r"squadrons?|detachments?|contingents?|task\s+forces?)$",
    re.I,
)
# A type designation ("Leopard 2", "JAS 39", "Leopard 2A6") is a modifier, never a count.
_MODIFIER = (
    r"(?:[A-Z][\w'’.-]*\s+\d{1,2}(?:[A-Z]\d?)?(?![\d,.])|[A-Z][\w'’.-]*|additional|more|extra|new|allied|heavy|armou?red|mechani[sz]ed|combat|infantry|"
    r"military|naval|navy|patrol|attack|transport|air\s+force|rotational|permanent|multinational|forward|enhanced|advance|active|elite|"
    r"its|their|the|of)"
)
BEFORE_UNIT = re.compile(
    rf"(?:(?P<qualifier>{QUALIFIERS})\s+)?(?:(?<![\w.,/-])(?:(?P<strong>{DIGITS})[-\s]strong\s+|(?:(?:between\s+)?(?P<low>{DIGITS})\s*(?:[-–]|to|and)\s*)?(?P<count>{NUMBER}(?:\s+(?:hundred|thousand))?"
    rf"|hundreds\s+of|thousands\s+of|dozens\s+of|several(?:\s+(?:hundred|thousand))?|an?|one|another)\s+))?"
    rf"(?P<modifiers>(?:{_MODIFIER}\s+){{0,4}})$"
)
SIZE_AFTER = re.compile(
    rf"\s*,?\s*(?:of|with|comprising|numbering|made\s+up\s+of)\s+(?:(?:{QUALIFIERS})\s+)?(?P<count>{DIGITS}|{NUMBER})"
    rf"\s+(?:[\w-]+\s+){{0,2}}?(?P<unit>{_UNITS})\b",
    re.I,
)
# The word after a unit that is what the phrase counts: "455 Task Force personnel", "four Gripen fighter jets".
FOLLOWING_UNIT = re.compile(rf"[ \t]+(?P<unit>{_UNITS})\b", re.I)
# "four company-sized groups": the unit word describes the things counted.
SIZED_AFTER = re.compile(r"-(?:sized?|strong|level|strength)\s+(?P<noun>[a-z]+)")
# "February 1 through 10 ...": a day of a month, not a count.
DATE_BEFORE = re.compile(
    r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+(?:\d{1,2}\s*(?:[-–]|to|through|and)\s*)?$"
)
# A subordinate clause opening between a verb and the force after it: "sending troops after two helicopters ...".
CLAUSE_BREAK = re.compile(r"[;]|\b(?:after|before|when|while|because|although|whereas)\b", re.I)
_SINGULAR = re.compile(
    r"^(?:brigade|battalion|battle\s?group|battlegroup|division|company|regiment|squadron|detachment|contingent|"
    r"task\s+force|battery)$",
    re.I,
)
# (Word lists grouped by first letter, order kept within a letter: the same matches, found faster.)
DEPLOY = re.compile(
    r"\b(?:d(?:eploy\w*|ispatch\w*)|r(?:edeploy\w*|otat\w*|elocat\w*|einforc\w*)|"
    r"s(?:tation\w*|en(?:d|ds|ding|t)\b)|b(?:ased\b|asing)|arriv\w*|l(?:and(?:ed|ing)\b|ead(?:s|ing)?|ed)|"
    r"p(?:osition\w*|resence|resent\s+in|rovid\w*|ledg\w*)|t(?:ransfer\w*|ook\s+over|ake\s+over)|host\w*|"
    r"m(?:ov(?:e|ed|es|ing)\b|aintain\w*)|c(?:ontribut\w*|ommit\w*)|join(?:s|ed|ing)?\b|"
    r"k(?:eep(?:s|ing)?|ept))\b",
    re.I,
)
NOT_DEPLOYMENT = re.compile(
    r"\b(?:killed|w(?:ounded|ithdr[ae]w\w*)|injured|d(?:ead|ied)|c(?:asualt\w+|aptured|onscript\w*)|lost|"
    r"recruit\w*|t(?:rain(?:ed|s)?\s+\d|rained)|graduat\w+|pull(?:ed|ing)?\s+out)\b",
    re.I,
)
# Unit words with a civilian sense too; they count only with a military word nearby.
AMBIGUOUS_UNIT = re.compile(
    r"^(?:compan(?:y|ies)|divisions?|batter(?:y|ies)|tanks|aircraft|helicopters|personnel|instructors|contingents?|"
    r"task\s+forces?|fighters|jets|detachments?|ships|launchers|systems|vehicles)$",
    re.I,
)
MILITARY_CONTEXT = re.compile(
    r"\b(?:troops?|soldiers?|m(?:ilitary|arines?|ission)|"
    r"a(?:rmy|rmed|rmou?red|llied|llies|ir\s+force|ir\s+policing)|N(?:ATO|avy|aval)|"
    r"b(?:rigade|attalion|attle\s?group|undeswehr)|infantry|defen[cs]e|rotation|f(?:orces|ighter)|combat|"
    r"Pentagon)\b",
    re.I,
)
PLANNED = re.compile(r"\b(?:will|would|shall|plans?|planned|to\s+(?:deploy|station|send|base|keep|rotate|move|maintain)|intend\w*|is\s+set\s+to|are\s+set\s+to|by\s+\d{4}|commit\w*|pledg\w*|expected)\b", re.I)
_NATION_KINDS = ("country", "demonym", "capital", "org")
_DEMONYMS = "|".join(
    sorted((surface for surface, (_, kind) in SURFACES.items() if kind == "demonym"), key=len, reverse=True)
)
# "the Polish Air Force that will send ...": a nation's armed service acting in the clause.
MILITARY_OF = re.compile(
    rf"\b(?P<demonym>{_DEMONYMS})\s+(?:Air\s+Force|Army|Navy|Armed\s+Forces|armed\s+forces|military|forces|"
    r"Defen[cs]e\s+Forces|Marines|Marine\s+Corps|government)\b"
)
_WINDOW = 120
_MAX_FORCES = 40  # per sentence


def extract_deployment(text: str, *, published: date | None = None) -> Iterator[Claim]:
    """Force-deployment claims in a text, in text order.

    >>> claim = next(extract_deployment("Germany will station a brigade of about 5,000 troops in Lithuania by 2027."))
    >>> claim.actor, claim.value, claim.details["unit"], claim.details["counted"], claim.details["place"], claim.year
    ('Germany', 5000.0, 'brigade', 'troops', 'Lithuania', 2027)
    >>> claim = next(extract_deployment("The Dutch army will send two Leopard 2 tanks to Lithuania."))
    >>> claim.value, claim.details["counted"], claim.details["counts"]
    (2.0, 'tanks', 'units')
    """
    document = Document(text, published=published)
    if not document.contains(TRIGGER):
        return iter(())
    return deployment_claims(document)


def deployment_claims(document: Document) -> Iterator[Claim]:
    """The deployment claims of a prepared document (shared with the other extractors)."""
    claims = (
        claim
        for sentence in document.sentences_with(TRIGGER)
        if document.sentence_contains(sentence, DEPLOY_TRIGGER)  # only these sentences need the verb test
        for claim in _sentence_deployments(document, sentence)
    )
    yield from without_headline_restatements(claims, document)


@dataclass(frozen=True, slots=True)
class _Force:
    """A force phrase: "a brigade of about 5,000 troops", "four F-16s", "a 1,500-strong battlegroup"."""

    start: int
    end: int
    unit: str
    counted: str | None  # what the size counts ("troops", "battalions", "fighter jets"); None without a size
    size: Decimal | None
    size_high: Decimal | None
    modifiers: str  # the words before the unit ("German", "Danish Air Force")


def _force(text: str, sentence: Sentence, unit: re.Match[str]) -> _Force | None:
    """The force phrase around a unit word, or None when it states no quantity."""
    before = BEFORE_UNIT.search(text, max(sentence.start, unit.start() - 80), unit.start())
    if before is not None and DATE_BEFORE.search(text, max(sentence.start, before.start() - 20), before.start()):
        before = None  # "February 1 through 10 ...": days of a month
    count_text = (before.group("strong") or before.group("count")) if before else None
    size, low = _size(count_text), _size(before.group("low")) if before else None
    unit_name = " ".join(unit.group("unit").split())
    end = unit.end()
    counted = "personnel" if before is not None and before.group("strong") else unit_name
    formation = bool(_FORMATIONS.match(unit_name))
    if (following := FOLLOWING_UNIT.match(text, unit.end(), sentence.end)) is not None and not _PEOPLE.match(unit_name):
        counted, end = " ".join(following.group("unit").split()), following.end()  # "Task Force personnel"
    elif (sized := SIZED_AFTER.match(text, unit.end(), sentence.end)) is not None:
        counted, end = f"{unit_name}{sized.group(0)}", sized.end()  # "four company-sized groups"
    elif formation and (after := SIZE_AFTER.match(text, unit.end(), sentence.end)) is not None:
        size, low, counted, end = _size(after.group("count")), None, after.group("unit"), after.end()
    elif size is not None and size > 1 and _SINGULAR.match(unit_name) and not before.group("strong"):
        size = low = None  # "10 battalion": the number is not a count of the unit
        count_text = None
    if size is None and not (formation and (count_text or "").lower() in ("a", "an", "one")):
        return None  # "troops" without a number, or "the brigade" already known, is not a quantified deployment
    start = _trim_start(text, before.start() if before else unit.start(), unit.start())
    if size is not None and low is not None:
        size, high = low, size
    else:
        high = None
    counted = _unit_word(counted) if size is not None else None
    return _Force(start, end, unit_name, counted, size, high, before.group("modifiers") if before else "")


def _unit_word(word: str) -> str:
    """What a size counts, as a label reads it: "troops", "battalions", "Rafales", "fighter jets"."""
    word = " ".join(word.split())
    return word if _TYPE_NAMES.match(word) else word.lower()


def _sentence_deployments(document: Document, sentence: Sentence) -> Iterator[Claim]:
    text = document.text
    covered_until = sentence.start
    for number, unit in enumerate(UNIT.finditer(text, sentence.start, sentence.end, lowered=document.lowered)):
        if number >= _MAX_FORCES:
            break  # more force words than this in one line is a flattened table
        if unit.start() < covered_until or (force := _force(text, sentence, unit)) is None:
            continue
        verb = _deploy_verb(text, sentence, force.start, force.end)
        if verb is None:
            continue
        clause = text[max(sentence.start, min(force.start, verb.start()) - _WINDOW) : max(force.end, verb.end()) + 20]
        if NOT_DEPLOYMENT.search(clause):
            continue
        if AMBIGUOUS_UNIT.match(force.unit) and not _military_context(document, sentence, clause):
            continue  # "a company that provides services", "fuel tanks", "medical personnel"
        covered_until = force.end
        yield _claim(document, sentence, force, verb)


def _claim(document: Document, sentence: Sentence, force: _Force, verb: re.Match[str]) -> Claim:
    text = document.text
    nation = _nation(document, sentence, force.modifiers, force.start, force.end, verb)
    place = find_place(text, force.end, min(sentence.end, force.end + _WINDOW)) or find_place(
        text, verb.end(), min(sentence.end, verb.end() + _WINDOW)
    )
    if place and nation and SURFACES.get(place, (None,))[0] == nation:
        place = None  # "Germany ... in Germany": where it comes from, not where it goes
    period_match = nearest_period(
        text, max(sentence.start, force.start - _WINDOW), min(sentence.end, force.end + _WINDOW), force.start, force.end,
        lowered=document.lowered,
    )
    year = period_year(period_match, published=document.published) if period_match else None
    speaker = document.speaker(sentence, force.start)
    window = text[max(sentence.start, verb.start() - 60) : verb.end() + 10]
    size = as_float(force.size) if force.size is not None else None
    size_high = as_float(force.size_high) if force.size_high is not None else None
    return Claim(
        type="deployment",
        evidence=sentence.text,
        start=sentence.start,
        end=sentence.end,
        actor=nation,
        kind="planned" if PLANNED.search(window) or (year and year.preposition == "by") else "actual",
        value=size,
        value_high=size_high,
        year=year.year if year else None,
        year_high=year.year_high if year else None,
        year_relative=bool(year and year.relative),
        speaker=speaker.speaker if speaker else None,
        details={
            "nation": nation,
            "size": size,
            "size_high": size_high,
            "unit": force.unit,
            "counted": force.counted,
            "counts": (None if force.counted is None else "people" if _PEOPLE.match(force.counted)
                       or force.counted == "personnel" else "units"),
            "place": place,
            "period": year.text if year else None,
            "quantity": text[force.start : force.end],
            "quantity_start": force.start,
            "quantity_end": force.end,
        },
    )


def _military_context(document: Document, sentence: Sentence, clause: str) -> bool:
    """A military word in the clause or in the sentence before ("... a brigade. The first 150 personnel ...")."""
    if MILITARY_CONTEXT.search(clause):
        return True
    before = document.sentence_before(sentence)
    return before is not None and before.paragraph >= sentence.paragraph - 1 and bool(MILITARY_CONTEXT.search(before.text))


def _size(count_text: str | None) -> Decimal | None:
    """The number of a count ("4,800", "four", "two thousand"); None for "a" or no count."""
    if not count_text:
        return None
    lowered = count_text.lower()
    if lowered in ("a", "an", "one", "another"):
        return None
    multiplier = 1000 if lowered.endswith("thousand") else 100 if lowered.endswith("hundred") else 1
    number = parse_number(re.sub(r"\s+(?:hundred|thousand)$", "", lowered))
    return number * multiplier if number is not None else None


def _trim_start(text: str, start: int, unit_start: int) -> int:
    while start < unit_start and text[start].isspace():
        start += 1
    return start


def _deploy_verb(text: str, sentence: Sentence, start: int, end: int) -> re.Match[str] | None:
    """The deployment word nearest to the force phrase, within its clause."""
    best = None
    for match in DEPLOY.finditer(text, max(sentence.start, start - _WINDOW), min(sentence.end, end + _WINDOW)):
        if match.end() <= start and CLAUSE_BREAK.search(text, match.end(), start):
            continue  # "sending troops after two helicopters ...": the force is in another clause
        distance = start - match.end() if match.end() <= start else match.start() - end
        if distance < 0:
            distance = 0
        if best is None or distance < best[0]:
            best = (distance, match)
    return best[1] if best else None


def _nation(document: Document, sentence: Sentence, modifiers: str, start: int, end: int, verb: re.Match[str]) -> str | None:
    tokens = [re.sub(r"(?:'s|’s|'|’)$", "", token) for token in re.findall(r"[A-Z][\w'’.-]*", modifiers)]
    candidates = [" ".join(pair) for pair in zip(tokens, tokens[1:])] + tokens
    for candidate in candidates:
        entry = SURFACES.get(candidate)
        if entry and entry[1] in _NATION_KINDS:
            return entry[0]
    text = document.text
    service = None
    reach = max(sentence.start, min(start, verb.start()) - 2 * _WINDOW)
    for service in MILITARY_OF.finditer(text, reach, min(start, verb.start())):
        pass
    if service is not None:
        return SURFACES[service.group("demonym")][0]
    origin = re.match(r"\s+from\s+(?:the\s+)?", text[end : end + 12])
    if origin:
        for mention in document.mentions_in(end, min(sentence.end, end + 40)):
            if mention.name and mention.kind in _NATION_KINDS:
                return mention.name
            break
    subject_end = min(start, verb.start())
    mentions = document.mentions_in(reach, subject_end)
    for index in range(len(mentions) - 1, -1, -1):
        mention = mentions[index]
        if mention.kind in ("pronoun", "possessive_pronoun", "anaphor"):
            continue
        if mention.governor in ("in", "to", "at", "into", "near", "from", "with", "across"):
            continue
        if mention.name and mention.kind in _NATION_KINDS:
            return join_names(coordinated_before(text, mentions, index))
    return None

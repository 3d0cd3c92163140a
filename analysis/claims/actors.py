"""Who a claim is about: countries, alliances and the words that stand for them.

A declarative lexicon (names, demonyms, capitals, organisations, groups) and one compiled
pattern over it. Mentions carry what the resolvers need: the canonical name, the kind of
mention, whether it is possessive, and the word that governs it ("to NATO" is not a subject).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

MentionKind = Literal["country", "demonym", "capital", "org", "group", "anaphor", "pronoun", "possessive_pronoun"]

# canonical name -> (aliases written in the text, demonyms)
COUNTRIES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Lithuania": (("Lithuania",), ("Lithuanian", "Lithuanians")),
    "Latvia": (("Latvia",), ("Latvian", "Latvians")),
    "Estonia": (("Estonia",), ("Estonian", "Estonians")),
    "Poland": (("Poland",), ("Polish", "Poles")),
    "Finland": (("Finland",), ("Finnish", "Finns")),
    "Sweden": (("Sweden",), ("Swedish", "Swedes")),
    "Norway": (("Norway",), ("Norwegian", "Norwegians")),
    "Denmark": (("Denmark",), ("Danish", "Danes")),
    "Iceland": (("Iceland",), ("Icelandic",)),
    "Germany": (("Germany",), ("German", "Germans")),
    "France": (("France",), ("French",)),
    "United Kingdom": (("United Kingdom", "Britain", "Great Britain", "UK", "U.K."), ("British", "Briton", "Britons")),
    "United States": (
        ("United States", "United States of America", "USA", "US", "U.S.", "America"),
        ("American", "Americans"),
    ),
    "Canada": (("Canada",), ("Canadian", "Canadians")),
    "Netherlands": (("Netherlands", "Holland"), ("Dutch",)),
    "Belgium": (("Belgium",), ("Belgian", "Belgians")),
    "Luxembourg": (("Luxembourg",), ()),
    "Spain": (("Spain",), ("Spanish", "Spaniards")),
    "Portugal": (("Portugal",), ("Portuguese",)),
    "Italy": (("Italy",), ("Italian", "Italians")),
    "Greece": (("Greece",), ("Greek", "Greeks")),
    "Turkey": (("Turkey", "Türkiye", "Turkiye"), ("Turkish",)),
    "Czech Republic": (("Czech Republic", "Czechia"), ("Czech", "Czechs")),
    "Slovakia": (("Slovakia",), ("Slovak", "Slovakian")),
    "Hungary": (("Hungary",), ("Hungarian", "Hungarians")),
    "Romania": (("Romania",), ("Romanian", "Romanians")),
    "Bulgaria": (("Bulgaria",), ("Bulgarian", "Bulgarians")),
    "Croatia": (("Croatia",), ("Croatian", "Croatians")),
    "Slovenia": (("Slovenia",), ("Slovenian", "Slovene")),
    "Albania": (("Albania",), ("Albanian",)),
    "Montenegro": (("Montenegro",), ("Montenegrin",)),
    "North Macedonia": (("North Macedonia",), ("North Macedonian",)),
    "Austria": (("Austria",), ("Austrian",)),
    "Switzerland": (("Switzerland",), ("Swiss",)),
    "Ireland": (("Ireland",), ("Irish",)),
    "Russia": (("Russia", "Russian Federation"), ("Russian", "Russians")),
    "Belarus": (("Belarus",), ("Belarusian", "Belarussian", "Belarusians", "Byelorussian")),
    "Ukraine": (("Ukraine",), ("Ukrainian", "Ukrainians")),
    "Moldova": (("Moldova",), ("Moldovan",)),
    "Georgia": (("Georgia",), ("Georgian",)),
    "China": (("China",), ("Chinese",)),
    "Japan": (("Japan",), ("Japanese",)),
    "South Korea": (("South Korea",), ("South Korean",)),
    "Australia": (("Australia",), ("Australian",)),
    "Israel": (("Israel",), ("Israeli",)),
    "Serbia": (("Serbia",), ("Serbian",)),
    "Kazakhstan": (("Kazakhstan",), ("Kazakh",)),
}

# Capitals and seats of government stand for their country when they act ("Berlin said ...").
CAPITALS: dict[str, str] = {
    "Vilnius": "Lithuania", "Riga": "Latvia", "Tallinn": "Estonia", "Warsaw": "Poland",
    "Helsinki": "Finland", "Stockholm": "Sweden", "Oslo": "Norway", "Copenhagen": "Denmark",
    "Berlin": "Germany", "Paris": "France", "London": "United Kingdom", "Washington": "United States",
    "Ottawa": "Canada", "The Hague": "Netherlands", "Madrid": "Spain", "Lisbon": "Portugal",
    "Rome": "Italy", "Athens": "Greece", "Ankara": "Turkey", "Prague": "Czech Republic",
    "Bratislava": "Slovakia", "Budapest": "Hungary", "Bucharest": "Romania", "Sofia": "Bulgaria",
    "Moscow": "Russia", "Kremlin": "Russia", "Minsk": "Belarus", "Kyiv": "Ukraine", "Kiev": "Ukraine",
    "Pentagon": "United States", "Bundeswehr": "Germany",
}

# Organisations and the words that stand for them in defence copy.
ORGANISATIONS: dict[str, tuple[str, ...]] = {
    "NATO": (
        "NATO", "North Atlantic Treaty Organization", "North Atlantic Treaty Organisation",
        "North Atlantic Alliance", "Alliance", "alliance", "Allies", "allies", "NATO allies",
        "NATO members", "NATO member states", "NATO countries", "NATO nations", "Alliance countries",
        "Alliance members", "allied countries", "member states", "member countries", "every member",
        "each member", "all members", "every ally", "each ally", "all allies",
    ),
    "EU": ("EU", "European Union", "European Commission", "EU member states", "EU countries"),
}

GROUPS: dict[str, tuple[str, ...]] = {
    "Baltic states": (
        "Baltic states", "Baltic States", "Baltic countries", "Baltic nations", "Baltics",
        "Baltic republics", "three Baltic states", "three Baltic countries",
    ),
    "Nordic countries": ("Nordic countries", "Nordics", "Nordic states"),
}

# Words that refer back to a country named before, or to the speaker's country.
ANAPHORS = (
    r"[Tt]he\s+(?:Baltic\s+|Nordic\s+|eurozone\s+|small\s+|neighbouring\s+|neighboring\s+)?(?:country|nation|republic)",
    r"[Tt]he\s+(?:Baltic|Nordic|eurozone|small|neighbouring|neighboring)\s+state",
    r"[Tt]his\s+country",
    r"[Tt]he\s+(?:national\s+)?government",
    r"[Tt]he\s+cabinet",
    r"[Tt]he\s+(?:defen[cs]e\s+)?ministry",
)
PRONOUNS = r"\b(?:we|We|our|Our|us)\b"
POSSESSIVE_PRONOUNS = r"\b(?:its|Its|their|Their)\b"

# A mention after one of these words is an object or a place, not the actor of the clause.
NON_SUBJECT_PREPOSITIONS = frozenset({
    "to", "from", "with", "near", "into", "towards", "toward", "against", "than", "like", "unlike",
    "about", "over", "across", "alongside", "beside", "besides", "versus", "vs", "via", "through",
    "past", "outside", "inside", "along", "around", "behind",
})


@dataclass(frozen=True, slots=True)
class ActorMention:
    """A word or phrase in the text that names (or stands for) a possible actor."""

    start: int
    end: int
    name: str | None
    kind: MentionKind
    possessive: bool = False
    governor: str | None = None  # the preposition before the noun phrase, lower-cased

    @property
    def is_subject_like(self) -> bool:
        return self.governor not in NON_SUBJECT_PREPOSITIONS


def _alternation(words: list[str]) -> str:
    """The words longest first, grouped by first character ("E(?:stonia|U)"), order kept within a group.

    At any position only one group can match, so the engine tests one first character per group
    instead of every word; within the group the words are tried in the same order as before.
    """
    groups: dict[str, list[str]] = {}
    for word in sorted(set(words), key=len, reverse=True):
        groups.setdefault(word[0], []).append(word)
    return "|".join(
        re.escape(first) + "(?:" + "|".join(re.escape(w[1:]).replace(r"\ ", r"\s+") for w in group) + ")"
        for first, group in groups.items()
    )


def _surface_table() -> dict[str, tuple[str, MentionKind]]:
    table: dict[str, tuple[str, MentionKind]] = {}
    for name, (aliases, demonyms) in COUNTRIES.items():
        table.update({alias: (name, "country") for alias in aliases})
        table.update({demonym: (name, "demonym") for demonym in demonyms})
    table.update({capital: (name, "capital") for capital, name in CAPITALS.items()})
    for name, aliases in ORGANISATIONS.items():
        table.update({alias: (name, "org") for alias in aliases})
    for name, aliases in GROUPS.items():
        table.update({alias: (name, "group") for alias in aliases})
    return table


# surface form (single-spaced) -> (canonical name, kind of mention)
SURFACES: Mapping[str, tuple[str, MentionKind]] = MappingProxyType(_surface_table())
MENTION = re.compile(
    rf"(?<![\w-])(?:(?:[Tt]he\s+)?(?P<name>{_alternation(list(SURFACES))})|(?P<anaphor>{'|'.join(ANAPHORS)})"
    rf"|(?P<pronoun>{PRONOUNS})|(?P<poss>{POSSESSIVE_PRONOUNS}))(?P<possessive>'s|’s|'(?=\s)|’(?=\s))?(?![\w-])",
)
_SPACES = re.compile(r"\s+")
# The word governing a mention, searched in the 30 characters before it (a slice, so that a word cut
# by the slice's start still counts from there): tried at word starts only, the word taken whole.
_GOVERNOR = re.compile(r"(?<!\w)(\w++)\s+(?:(?:the|a|an|its|their|our|his|her)\s+)?$")


# Where a mention can start: a capital, or one of the few lower-case words in the lexicon. Looking
# for these first and trying the long name pattern only there keeps the scan fast.
_MENTION_START = re.compile(
    r"(?<![\w-])(?:[A-ZÀ-ÖØ-ÞĀ-Ž]|the\s|this\s|we\b|our\b|us\b|its\b|their\b|allie|allied|alliance|member|every\s|"
    r"each\s|all\s)"
)


def find_mentions(text: str) -> list[ActorMention]:
    """Every actor mention in the text, in order."""
    mentions: list[ActorMention] = []
    position = 0
    while (candidate := _MENTION_START.search(text, position)) is not None:
        match = MENTION.match(text, candidate.start())
        if match is None:
            position = candidate.end()
            continue
        position = match.end()
        start, end = match.span()
        if match.group("name"):
            surface = _SPACES.sub(" ", match.group("name"))
            name, kind = SURFACES[surface]
            # An all-capitals dateline ("RIGA, Latvia (AP) —") is a place, not an actor.
            if kind == "capital" and surface.isupper() and len(surface) > 3:
                continue
            if surface == "US" and text[match.start("name") - 1 : match.start("name")] == "-":
                continue
        elif match.group("anaphor"):
            name, kind = None, "anaphor"
        elif match.group("pronoun"):
            name, kind = None, "pronoun"
        else:
            name, kind = None, "possessive_pronoun"
        governor_match = _GOVERNOR.search(text[max(0, start - 30) : start])
        governor = governor_match.group(1).lower() if governor_match else None
        mentions.append(ActorMention(start, end, name, kind, bool(match.group("possessive")), governor))
    return mentions


_LIST_GAP = re.compile(r"\s*(?:,|and|&|,\s*and)\s*$")


def coordinated_before(text: str, mentions: list[ActorMention], index: int) -> list[str]:
    """The names of a list ending at ``mentions[index]``: "Portugal and Romania", "Estonia, Latvia and Lithuania"."""
    names = [mentions[index].name] if mentions[index].name else []
    while names and index > 0:
        previous = mentions[index - 1]
        gap = text[previous.end : mentions[index].start]
        if previous.name is None or not _LIST_GAP.match(gap) or not gap.strip():
            break
        names.insert(0, previous.name)
        index -= 1
    return names


def join_names(names: list[str]) -> str:
    """ "Baltic states", "Poland" -> "Baltic states and Poland"."""
    unique = list(dict.fromkeys(names))
    if len(unique) == 1:
        return unique[0]
    return ", ".join(unique[:-1]) + " and " + unique[-1]


# -- places ----------------------------------------------------------------------------------------

_CAP = (
    r"(?!(?:The|A|An|In|On|At|It|This|That|He|She|They|We|But|And|January|February|March|April|May|June|July|"
    r"August|September|October|November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b)"
    r"[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’.-]*"
)
_PLACE_WORD = r"(?:air\s?base|airbase|base|military\s+base|training\s+area|region|district|county|port|garrison|camp)"
PLACE = re.compile(
    rf"""\b(?P<prep>in|to|at|into|near|on|across|along|from|towards|toward|through)\s+(?P<article>the\s+)?
    (?P<place>
      (?:{_CAP}(?:[-–]{_CAP})?\s+)?border(?:\s+(?:with|of)\s+{_CAP})?
    | {_CAP}(?:[ \t]+(?:{_CAP}|{_PLACE_WORD}))*(?:[ \t]+{_PLACE_WORD})?(?:[ \t]+(?:in|near)[ \t]+{_CAP})?
    )""",
    re.X,
)
_NOT_PLACES = re.compile(
    r"^(?:NATO|EU|January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|The|A|An|Article|Operation|Frontex)\b"
)


_LOWER_NOUN_AFTER = re.compile(r"\s+(?!(?:in|on|at|of|and|or|for|to|near|by|from|with|next|last|this)\b)[a-z]")
_MORE_PLACES = re.compile(rf"(?:\s*,\s*(?:and\s+)?|\s+and\s+)(?P<place>{_CAP})")


def find_place(text: str, start: int, end: int) -> str | None:
    """The first place named in text[start:end] after a preposition ("to Lithuania", "at the Amari air base").

    A list of countries or capitals continues the place: "to Estonia, Latvia and Lithuania".
    """
    for match in PLACE.finditer(text, start, end):
        place = match.group("place").strip(" ,.")
        if _NOT_PLACES.match(place) or place in ORGANISATIONS or place in GROUPS:
            continue
        if SURFACES.get(place, ("", ""))[1] == "demonym":
            return SURFACES[place][0]  # "to the Latvian battlegroup": the place is Latvia
        if match.group("article") and _LOWER_NOUN_AFTER.match(text, match.end()) and place not in SURFACES:
            continue  # "the Baltic air policing mission": an adjective, not a place
        position = match.end()
        while (more := _MORE_PLACES.match(text, position, end)) and more.group("place").strip(".") in SURFACES:
            place = text[match.start("place") : more.end()].strip(" ,.")
            position = more.end()
        return place
    return None

"""Who said it: people named in a text, their roles, and the attribution of a sentence.

News copy names a person once in full with a title ("Defence Minister Jonas Petraitis said")
and then by surname, pronoun or role ("Petraitis added", "he said", "the minister said"). The
registry collects the full names with their titles; attribution walks back from a claim to the
nearest speech verb and resolves whoever it names.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from analysis.claims.actors import COUNTRIES, SURFACES

_UPPER = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĖĘĚĞĢĪĮİĶĹĻĽŁŃŅŇŌŐŒŔŖŘŚŞŠŢŤŪŮŰŲŸŹŻŽ"
_LOWER = "a-zß-öø-ÿā-žǎ-ǜ"
_TOKEN_REST = rf"[{_LOWER}'’]+(?:-[{_UPPER}]?[{_LOWER}'’]+)?"
_TOKEN = rf"[{_UPPER}]{_TOKEN_REST}"
_INITIAL = rf"[{_UPPER}]\.\s?"
NAME = rf"(?:(?:{_INITIAL}){{0,2}}{_TOKEN}(?:[ \u00a0]+{_TOKEN}){{0,2}}|{_INITIAL}{_TOKEN})"
# NAME after its first capital, the alternatives tried in NAME's order (two initials, one, none; then
# initial and token). A pattern that starts with the capital, the look-behind put after it, lets the
# engine skip every other character instead of testing the look-behind at each position.
_NAME_TAIL = rf"{_TOKEN_REST}(?:[ \u00a0]+{_TOKEN}){{0,2}}"
_NAME_REST = rf"(?:\.\s?(?:[{_UPPER}]\.\s?[{_UPPER}]{_NAME_TAIL}|[{_UPPER}]{_NAME_TAIL})|{_NAME_TAIL}|\.\s?{_TOKEN})"
_NOT_AFTER_WORD = r"(?<![\w.].)"  # after a word's first character: (?<![\w.]) before it
_NOT_AFTER_WORD_CHAR = r"(?<!\w.)"  # after a word character: \b before it

SPEECH_VERBS = (
    r"said|says|say|told|tells|stated|states|added|adds|noted|notes|announced|announces|"
    r"emphasi[sz]ed|emphasi[sz]es|stressed|stresses|underlined|underscored|highlighted|"
    r"pointed\s+out|explained|declared|wrote|writes|argued|argues|insisted|warned|confirmed|"
    r"remarked|reiterated|vowed|pledged|promised|urged|proposed|proposes|suggested|believes|"
    r"estimated|announced\s+plans|revealed|reported|assured|mentioned|commented|replied|"
    r"according\s+to"
)
_SPEECH = re.compile(rf"\b(?:{SPEECH_VERBS})\b")

_DEMONYMS = "|".join(sorted({d for _, demonyms in COUNTRIES.values() for d in demonyms}, key=len, reverse=True))
_OFFICE_WORDS = (
    r"Minister|President|Premier|Chancellor|Secretary[- ]General|Secretary|Commander|Chief|General|"
    r"Admiral|Ambassador|Spokesperson|Spokesman|Spokeswoman|Director|Chairman|Chairwoman|Chair|MP|MEP|"
    r"Senator|Speaker|Head|Mayor|Governor|minister|president|commander|chief|ambassador|spokesperson|"
    r"spokesman|spokeswoman|director|head|chairman|analyst|expert|researcher|professor|Professor"
)
_RANKS = r"(?:Lt\.?\s*Gen\.|Maj\.?\s*Gen\.|Brig\.?\s*Gen\.|Gen\.|Col\.|Lt\.|Adm\.|Mr\.?|Ms\.?|Mrs\.?|Dr\.?)"
_OFFICE_QUALIFIERS = (
    r"(?:(?:Prime|Defen[cs]e|Foreign|Finance|Interior|Economy|Economic|Deputy|Vice|Former|former|"
    r"Acting|acting|National|Chief|Top|Armed\s+Forces|Army|Military|Border\s+Guard|State|Parliament|"
    r"Parliamentary|Opposition|defen[cs]e|foreign|finance|interior|prime|deputy|top|military|army)\s+)*"
)
_OFFICE_OBJECT = (
    r"(?:\s+(?:of|for)\s+(?:the\s+)?(?:National\s+)?(?:Defen[cs]e|Foreign\s+Affairs|Finance|the\s+Interior|"
    r"Interior|Internal\s+Affairs|Economy|Justice|the\s+Armed\s+Forces|Armed\s+Forces|Staff)"
    rf"(?:\s+of\s+(?:the\s+)?[{_UPPER}]\w+)?)?"
)
_NATIONALITY = rf"(?:(?P<demonym>{_DEMONYMS})\s+|(?P<owner>[{_UPPER}]\w+)(?:'s|’s)\s+)"
TITLE = rf"(?:{_NATIONALITY}?{_OFFICE_QUALIFIERS}(?:{_OFFICE_WORDS}){_OFFICE_OBJECT}|{_RANKS}(?:\s*{_RANKS})*)"

# "Defence Minister Jonas Petraitis", "Latvia's Prime Minister Anna Berzina": found from the office
# word, the words before it (nationality, "Prime", "Defence") are read backwards from there.
_OFFICE_NAME = re.compile(
    rf"(?<![\w.])(?P<office>(?:{_OFFICE_WORDS}){_OFFICE_OBJECT}|{_RANKS}(?:\s*{_RANKS})*)\s+(?P<name>{NAME})"
)
_TITLE_BEFORE = re.compile(rf"{_NATIONALITY}?{_OFFICE_QUALIFIERS}$")
# "Jonas Petraitis said" / "Jonas Petraitis (Reform) told" / "Jonas Petraitis, the defence minister,"
_NAME_SAYS = re.compile(
    rf"(?P<name>[{_UPPER}]{_NOT_AFTER_WORD}{_NAME_REST})(?:\s*\([^)]{{1,40}}\))?(?:,?\s+(?:{SPEECH_VERBS})\b|,\s+(?:the\s+)?"
    rf"(?P<title>{_NATIONALITY}?{_OFFICE_QUALIFIERS}(?:{_OFFICE_WORDS}){_OFFICE_OBJECT}))"
)
# "Petraitis said": a surname alone, taken when the text names the person in full elsewhere
_SURNAME_SAYS = re.compile(rf"(?P<surname>[{_UPPER}]{_NOT_AFTER_WORD}{_TOKEN_REST}),?\s+(?:{SPEECH_VERBS})\b")
# "said Jonas Petraitis" / "according to Jonas Petraitis"
_SAYS_NAME = re.compile(rf"(?:s{_NOT_AFTER_WORD_CHAR}(?:aid|ays)|t{_NOT_AFTER_WORD_CHAR}old|a{_NOT_AFTER_WORD_CHAR}ccording\s+to)[ \u00a0]+(?:{TITLE}[ \u00a0]+)?(?P<name>{NAME})")

# ROLE and PRONOUN start with a character class, the word boundary (\b) after it, as the name patterns do.
ROLE = re.compile(
    rf"[Tt]{_NOT_AFTER_WORD_CHAR}h(?:e|is|at)\s+(?:(?:{_DEMONYMS})\s+)?(?P<role>"
    r"(?:(?:prime|defen[cs]e|foreign|finance|interior|deputy|economy)\s+)?minister(?:\s+of\s+(?:national\s+)?"
    r"(?:defen[cs]e|finance|foreign\s+affairs|the\s+interior|interior))?|president|premier|chancellor|"
    r"secretary[- ]general|(?:army|defen[cs]e|military|border\s+guard)\s+chief|commander|ambassador|"
    r"spokes(?:person|man|woman))\b"
)
_ARTICLE_BEFORE = re.compile(r"\b(?:the|The|a|A|an|An)\s+$")
PRONOUN = re.compile(rf"[HhSs]{_NOT_AFTER_WORD_CHAR}(?:(?<=[Hh])e|(?<=[Ss])he)\b")
_HEADLINE_SPEAKER = re.compile(
    r"(?:\s[-–—]\s*|:\s*|,\s*(?:says?|said)\s+)(?P<who>[^-–—:,]{2,50}?)\s*(?:says?|said)?\s*$"
    r"|,\s*(?P<who_says>[^-–—:,]{2,50}?)\s+(?:says?|said)\s*$"
)
_HEADLINE_ROLE = re.compile(
    rf"^(?:(?:{_DEMONYMS})\s+)?(?P<role>(?:(?:prime|defen[cs]e|foreign|finance|interior)\s+)?minister|PM|"
    r"president|premier|chancellor|secretary[- ]general|army\s+chief|defen[cs]e\s+chief|commander|ambassador|"
    r"official|officials)$",
    re.I,
)

_NOT_NAMES = frozenset({
    "The", "A", "An", "In", "On", "At", "For", "But", "And", "This", "That", "It", "He", "She", "They",
    "We", "Our", "His", "Her", "Their", "If", "When", "As", "After", "Before", "While", "Since", "With",
    "According", "Speaking", "Earlier", "Later", "Last", "Next", "Meanwhile", "However", "Also",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February",
    "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    "Minister", "Ministry", "Defence", "Defense", "Government", "Forces", "Force", "Air", "Army",
    "Navy", "Service", "Guard", "Border", "State", "Office", "Council", "Parliament", "Seimas",
    "Saeima", "Riigikogu", "Sejm", "Bundestag", "Reuters", "AFP", "BNS", "AP", "LRT", "ERR", "LSM",
    "Ukrinform", "Delfi", "President", "Prime", "Secretary", "General", "Commander", "Chief", "Staff",
    "National", "Security", "Foreign", "Affairs", "Interior", "Finance", "Read", "More", "News",
    "Photo", "Source", "Editor", "Related", "Follow", "Email", "Commission", "Gap", "Party", "Union",
    "Agency", "Bank", "Committee", "Fund", "Group", "Institute", "Centre", "Center", "University",
    "Company", "Corporation", "Airport", "Sea", "Lake", "River", "Street", "Square", "Palace", "Hall",
    "Summit", "Treaty", "Organization", "Organisation", "Alliance", "Board", "Department", "Court",
    "Police", "Times", "Post", "Press", "Media", "Television", "Radio", "Forum", "Conference",
    "Cabinet", "Assembly", "Base", "Brigade", "Battalion",
})


@dataclass(slots=True)
class Person:
    """One person named in the text: the longest form of the name, title and nationality."""

    name: str
    surname: str
    title: str | None = None
    nationality: str | None = None
    positions: list[int] = field(default_factory=list)


def _clean_name(raw: str) -> str | None:
    tokens = re.sub(r"\s+", " ", raw.strip()).split(" ")
    if tokens[0] in ("The", "A", "An"):
        return None
    while tokens and (tokens[0] in _NOT_NAMES or tokens[0] in SURFACES):
        tokens = tokens[1:]
    if not tokens or tokens[-1] in _NOT_NAMES or tokens[-1] in SURFACES:
        return None  # "Monetary Policy Service": an institution, not a person
    if any(tok in SURFACES or tok in _NOT_NAMES for tok in tokens):
        return None
    name = " ".join(tokens)
    letters = name.replace(".", "").replace(" ", "")
    if len(tokens) == 1 and "." not in name:
        return None  # a lone capitalised word is as likely a place or an outlet as a surname
    return name if len(letters) >= 3 else None


def _surname(name: str) -> str:
    last = name.split(" ")[-1]
    return last.split(".")[-1] if "." in last else last


def _nationality(match: re.Match[str] | None, title: str) -> str | None:
    """The country of a title: "Latvian Defence Minister", "Estonia's prime minister", "... of Lithuania"."""
    words = (match.groupdict().get("demonym"), match.groupdict().get("owner")) if match else ()
    for word in words:
        if word and word in SURFACES and SURFACES[word][1] in ("country", "demonym"):
            return SURFACES[word][0]
    of_country = re.search(r"\bof\s+(?:the\s+)?(\w+)$", title or "")
    if of_country and of_country.group(1) in SURFACES:
        return SURFACES[of_country.group(1)][0]
    return None


class People:
    """The people of one text, looked up by surname and by position.

    The text is read on the first look-up: most figures have no speech verb near them, and then
    nobody asks who is named.
    """

    def __init__(self, text: str):
        self.text = text

    @cached_property
    def by_surname(self) -> dict[str, Person]:
        self._found: dict[str, Person] = {}
        self._collect()
        return self._found

    @cached_property
    def _positions(self) -> list[tuple[int, Person]]:
        by_surname = self.by_surname
        positions: list[tuple[int, Person]] = []
        for start, surname in _whole_words(self.text, by_surname):
            person = by_surname[surname]
            person.positions.append(start)
            positions.append((start, person))
        return positions

    @cached_property
    def _starts(self) -> list[int]:
        return [start for start, _ in self._positions]

    def _collect(self) -> None:
        for match in _OFFICE_NAME.finditer(self.text):
            name = _clean_name(match.group("name"))
            if name is None:
                continue
            before = _TITLE_BEFORE.search(self.text, max(0, match.start() - 60), match.start())
            title = (before.group(0) if before else "") + match.group("office")
            self._add(name, title.strip(), _nationality(before, title) if before else _nationality(None, title))
        for pattern in (_NAME_SAYS, _SAYS_NAME):
            for match in pattern.finditer(self.text):
                name = _clean_name(match.group("name"))
                if name is None or _ARTICLE_BEFORE.search(self.text, max(0, match.start() - 5), match.start()):
                    continue
                title = match.groupdict().get("title")
                self._add(name, title.strip() if title else None, _nationality(match, title) if title else None)

        for match in _SURNAME_SAYS.finditer(self.text):
            surname = match.group("surname")
            if surname in self._found or surname in _NOT_NAMES or surname in SURFACES:
                continue
            full = _full_name(self.text, surname)
            if full is not None and _clean_name(full):
                self._add(_clean_name(full), None, None)

    def _add(self, name: str, title: str | None, nationality: str | None) -> None:
        surname = _surname(name)
        person = self._found.get(surname)
        if person is None:
            self._found[surname] = Person(name, surname, title, nationality)
            return
        if len(name.replace(".", "")) > len(person.name.replace(".", "")) and "." not in name:
            person.name = name
        person.title = person.title or title
        person.nationality = person.nationality or nationality

    def last_before(self, position: int, *, role: str | None = None) -> Person | None:
        """The person mentioned last before ``position`` (holding ``role`` if given)."""
        index = bisect_left(self._starts, position) - 1
        while index >= 0:
            person = self._positions[index][1]
            if role is None or (person.title and role.split()[-1] in person.title.lower()):
                return person
            index -= 1
        return None

    def named_in(self, start: int, end: int) -> list[tuple[int, Person]]:
        lo = bisect_left(self._starts, start)
        hi = bisect_left(self._starts, end)
        return self._positions[lo:hi]


def _whole_words(text: str, words: Iterable[str]) -> list[tuple[int, str]]:
    r"""Where the words occur as whole words, left to right, the longest first where several start.

    The same as ``re.finditer`` over the alternation of the words (longest first) between
    ``(?<![\w])`` and ``(?![\w])``, without compiling a pattern for every text.
    """
    found: list[tuple[int, int, str]] = []
    for word in words:
        if not word:
            return [(m.start(), m.group(0)) for m in re.finditer(
                rf"(?<![\w])(?:{'|'.join(re.escape(w) for w in sorted(words, key=len, reverse=True))})(?![\w])", text)]
        start = text.find(word)
        while start >= 0:
            end = start + len(word)
            if (start == 0 or not _is_word(text[start - 1])) and (end == len(text) or not _is_word(text[end])):
                found.append((start, -len(word), word))
            start = text.find(word, start + 1)
    found.sort()
    result: list[tuple[int, str]] = []
    position = 0
    for start, length, word in found:
        if start >= position:
            result.append((start, word))
            position = start - length
    return result


_TOKEN_AND_SPACE = re.compile(rf"(?<![\w.]){_TOKEN}\s+")


def _full_name(text: str, surname: str) -> str | None:
    r"""The first "Jonas Petraitis" of a surname "Petraitis", or None.

    The match of ``re.search(rf"(?<![\w.])({_TOKEN}\s+){re.escape(surname)}(?![\w])", text)``, found
    without compiling a pattern for every surname: at each whole-word place of the surname after white
    space, the token can only start within the run of non-space characters before that white space.
    """
    size = len(surname)
    position = text.find(surname) if surname else -1
    while position >= 0:
        end = position + size
        if position > 0 and text[position - 1].isspace() and (end == len(text) or not _is_word(text[end])):
            space = position - 1
            while space > 0 and text[space - 1].isspace():
                space -= 1
            start = space
            while start > 0 and not text[start - 1].isspace():
                start -= 1
            for begin in range(start, space):
                if _TOKEN_AND_SPACE.fullmatch(text, begin, position):
                    return text[begin:end]
        position = text.find(surname, position + 1)
    return None


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"  # what \w matches


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who a sentence is credited to: a resolved name, or a role such as "the president"."""

    speaker: str
    person: Person | None = None


def _role_text(role: str) -> str:
    role = re.sub(r"\s+", " ", role.lower())
    role = {"pm": "prime minister", "premier": "prime minister"}.get(role, role)
    role = re.sub(r"minister of (?:national )?defen[cs]e", "defence minister", role)
    role = role.replace("defense", "defence")
    return f"the {role}"


def headline_speaker(line: str, people: People) -> Attribution | None:
    """The speaker credited at the end of a headline: "... – president", "..., minister says"."""
    match = _HEADLINE_SPEAKER.search(line)
    if match is None:
        return None
    who = (match.group("who") or match.group("who_says")).strip().strip("'\"‘’“”")
    role = _HEADLINE_ROLE.match(who)
    if role:
        return Attribution(_role_text(role.group("role")))
    name = _clean_name(who)
    if name and (person := people.by_surname.get(_surname(name))):
        return Attribution(person.name, person)
    return None


def _reference_before(text: str, people: People, start: int, end: int) -> Attribution | None:
    """The last person, pronoun or role in text[start:end], resolved."""
    window = text[start:end]
    best: tuple[int, Attribution] | None = None
    for position, person in people.named_in(start, end):
        best = (position, Attribution(person.name, person))
    for match in PRONOUN.finditer(window):
        position = start + match.start()
        if best is None or position > best[0]:
            person = people.last_before(position)
            if person is not None:
                best = (position, Attribution(person.name, person))
    for match in ROLE.finditer(window):
        position = start + match.start()
        if best is None or position > best[0]:
            role = match.group("role")
            person = people.last_before(position, role=role)
            best = (position, Attribution(person.name, person) if person else Attribution(_role_text(role)))
    return best[1] if best else None


def _reference_after(text: str, people: People, start: int, end: int) -> Attribution | None:
    """The first person or role in text[start:end] ("said Prime Minister X", "according to him")."""
    named = people.named_in(start, end)
    role = ROLE.search(text, start, end)
    if named and (role is None or named[0][0] <= role.start()):
        return Attribution(named[0][1].name, named[0][1])
    if role is not None:
        person = people.last_before(role.start(), role=role.group("role"))
        return Attribution(person.name, person) if person else Attribution(_role_text(role.group("role")))
    pronoun = re.compile(r"\b(?:him|her|he|she)\b").search(text, start, end)
    if pronoun is not None and (person := people.last_before(pronoun.start())):
        return Attribution(person.name, person)
    return None


def attribute(text: str, people: People, start: int, end: int, *, near: int | None = None) -> Attribution | None:
    """The speaker of text[start:end]: the subject of its speech verb nearest to ``near``."""
    found: list[tuple[int, Attribution]] = []
    for verb in _SPEECH.finditer(text, start, end):
        before = _reference_before(text, people, max(start, verb.start() - 90), verb.start())
        if before is not None:
            found.append((verb.start(), before))
            continue
        after = _reference_after(text, people, verb.end(), min(end, verb.end() + 60))
        if after is not None:
            found.append((verb.start(), after))
    if not found:
        return None
    if near is None:
        return found[0][1]
    return min(found, key=lambda item: abs(item[0] - near))[1]

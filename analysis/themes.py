"""The theme taxonomy (one declarative TOML file) and theme scoring.

Adding a theme is adding a ``[[themes]]`` table to ``data/themes.toml`` (or to a file passed with
``--themes``); nothing in the code names a theme.

How an item gets a theme (multi-label, a score in [0, 1] per theme):

1. Sentence evidence from the lexicon. Each theme's terms play a role: a seed term makes a
   sentence about the theme, a cue counts half, context counts only beside a seed or cue, and an
   excluded phrase ("labour migrants") hides the terms inside it. Terms in a relative clause, a
   parenthesis or one item of an enumeration count half; generic words in a sentence carrying
   another activity theme's seed term count a quarter (subject versus mention).
2. Corpus model (scikit-learn). A TF-IDF logistic regression per theme, trained on the sentences
   of the corpus the lexicon marks as about the theme against those with none of its terms,
   adds evidence to sentences the lexicon found nothing in, so a theme can be found without
   its words.
3. Aggregation. A full sentence about the theme (the labelling guide's threshold), a title about
   it, or several passing mentions assign it; a passing mention alone does not. The score is
   1 - 0.5 ** strength, so 0.5 is exactly the assignment threshold.

Every score keeps the terms and sentences that drove it, for the dashboard.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_right
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from analysis.model import normalise_text
from analysis.paths import DEFAULT_THEMES

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_FIELDS = ("key", "label", "description", "colour", "seed_terms", "cue_terms", "context_terms",
           "exclude_terms", "actor")


class TaxonomyError(ValueError):
    """The taxonomy file is missing, unreadable or invalid; the message names the file and field."""


@dataclass(frozen=True, slots=True)
class Theme:
    """One named theme: what it means, the terms that mark its confident core, how it is drawn."""

    key: str
    label: str
    description: str
    seed_terms: tuple[str, ...]
    colour: str
    cue_terms: tuple[str, ...] = ()
    context_terms: tuple[str, ...] = ()
    exclude_terms: tuple[str, ...] = ()
    actor: bool = False  # the theme is a country or force (Belarus) rather than an activity


@dataclass(frozen=True, slots=True)
class Taxonomy:
    """The ordered set of themes analysis assigns; order is the order of the file."""

    themes: tuple[Theme, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(theme.key for theme in self.themes)

    @property
    def colours(self) -> dict[str, str]:
        return {theme.key: theme.colour for theme in self.themes}

    @property
    def labels(self) -> dict[str, str]:
        return {theme.key: theme.label for theme in self.themes}

    def get(self, key: str) -> Theme:
        for theme in self.themes:
            if theme.key == key:
                return theme
        raise KeyError(f"no theme {key!r}; known themes: {', '.join(self.keys)}")

    def __len__(self) -> int:
        return len(self.themes)


def load_taxonomy(path: Path | str | None = None) -> Taxonomy:
    """Read and validate a taxonomy TOML file (default ``data/themes.toml``)."""
    path = Path(path) if path is not None else DEFAULT_THEMES
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TaxonomyError(f"{path}: taxonomy file not found; pass an existing file with --themes") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TaxonomyError(f"{path}: cannot read the taxonomy file ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise TaxonomyError(f"{path}: not valid TOML ({exc})") from None
    return _parse_taxonomy(raw, path)


def _parse_taxonomy(raw: dict, path: Path) -> Taxonomy:
    tables = raw.get("themes")
    if not isinstance(tables, list) or not tables:
        raise TaxonomyError(f"{path}: no [[themes]] tables; add at least one theme")
    themes: list[Theme] = []
    seen: set[str] = set()
    for index, table in enumerate(tables, start=1):
        where = f"{path}: theme #{index}"
        if not isinstance(table, dict):
            raise TaxonomyError(f"{where}: expected a [[themes]] table")
        key = table.get("key")
        if not isinstance(key, str) or not key:
            raise TaxonomyError(f"{where}: missing field 'key'")
        if not _KEY.match(key):
            raise TaxonomyError(f"{where}: field 'key' = {key!r} must be lower_snake_case (a-z, 0-9, _)")
        where = f"{path}: theme {key!r}"
        if key in seen:
            raise TaxonomyError(f"{where}: duplicate key {key!r}; every theme needs its own key")
        seen.add(key)
        label = _text_field(table, "label", where)
        description = _text_field(table, "description", where)
        colour = _text_field(table, "colour", where)
        if not _COLOUR.match(colour):
            raise TaxonomyError(f"{where}: field 'colour' = {colour!r} is not a colour like '#1F77B4'")
        seed_terms = _terms_field(table, "seed_terms", where, required=True)
        cue_terms = _terms_field(table, "cue_terms", where, required=False)
        context_terms = _terms_field(table, "context_terms", where, required=False)
        exclude_terms = _terms_field(table, "exclude_terms", where, required=False)
        actor = table.get("actor", False)
        if not isinstance(actor, bool):
            raise TaxonomyError(f"{where}: field 'actor' must be true or false")
        unknown = set(table) - set(_FIELDS)
        if unknown:
            raise TaxonomyError(
                f"{where}: unknown field(s) {', '.join(sorted(unknown))}; known fields: {', '.join(_FIELDS)}"
            )
        themes.append(Theme(key=key, label=label, description=description, seed_terms=seed_terms,
                            colour=colour.upper(), cue_terms=cue_terms, context_terms=context_terms,
                            exclude_terms=exclude_terms, actor=actor))
    colours = [theme.colour for theme in themes]
    for theme in themes:
        if colours.count(theme.colour) > 1:
            raise TaxonomyError(f"{path}: theme {theme.key!r}: field 'colour' {theme.colour} is used by another theme")
    return Taxonomy(themes=tuple(themes))


def _text_field(table: dict, name: str, where: str) -> str:
    value = table.get(name)
    if value is None:
        raise TaxonomyError(f"{where}: missing field {name!r}")
    if not isinstance(value, str) or not value.strip():
        raise TaxonomyError(f"{where}: field {name!r} must be a non-empty string")
    return value.strip()


def _terms_field(table: dict, name: str, where: str, *, required: bool) -> tuple[str, ...]:
    value = table.get(name)
    if value is None:
        if required:
            raise TaxonomyError(f"{where}: missing field {name!r} (a list of words and phrases)")
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise TaxonomyError(f"{where}: field {name!r} must be a list of non-empty strings")
    if required and not value:
        raise TaxonomyError(f"{where}: field {name!r} is empty; give at least one term")
    terms = tuple(dict.fromkeys(v.strip().lower() for v in value))
    return terms


# -- matching ------------------------------------------------------------------------------------

Role = Literal["exclude", "context", "cue", "seed"]
ROLE_WEIGHTS: dict[str, float] = {"exclude": 0.0, "context": 0.25, "cue": 0.5, "seed": 1.0}
_ROLE_FIELDS: tuple[tuple[str, str], ...] = (
    ("exclude", "exclude_terms"), ("context", "context_terms"), ("cue", "cue_terms"), ("seed", "seed_terms"),
)
_END, _WILD = 0, 1
_FOLD_CHARS = {"-": " ", "\u2010": " ", "\u2011": " ", "\u2012": " ", "\u2013": " ",
               "\u2019": "'", "\u2018": "'", "\u02bc": "'"}
_FOLD = str.maketrans(_FOLD_CHARS)
_WS = re.compile(r"\s+")


def fold_text(text: str) -> str:
    """Lower-case, hyphens as spaces, straight apostrophes; every offset stays where it was."""
    folded = text.lower()
    if len(folded) != len(text):  # a few characters lower-case to two; keep the offsets
        return "".join(ch.lower()[0] for ch in text.translate(_FOLD))
    # str.replace per folded character: translate walks a non-ASCII text character by character
    for char, replacement in _FOLD_CHARS.items():
        if char in folded:
            folded = folded.replace(char, replacement)
    return folded


def _fold_term(term: str) -> str:
    return _WS.sub(" ", fold_text(term)).strip()


def _trie_pattern(terms: Iterable[str]) -> str:
    """One regex for many terms, shaped as a trie so matching costs about a step per character.

    Longer literal continuations are tried before a wildcard ending and before stopping, so the
    longest term at a place wins.
    """
    trie: dict = {}
    for term in terms:
        node = trie
        for ch in term.rstrip("*"):
            node = node.setdefault(ch, {})
        node[_WILD if term.endswith("*") else _END] = True

    def build(node: dict) -> str:
        branches = [(r"\s+" if ch == " " else re.escape(ch)) + build(node[ch])
                    for ch in sorted(k for k in node if isinstance(k, str))]
        if _WILD in node:
            branches.append(r"\w*")
        optional = _END in node and _WILD not in node
        if not branches:
            return ""
        if len(branches) == 1 and not optional:
            return branches[0]
        return "(?:" + "|".join(branches) + ")" + ("?" if optional else "")

    return r"(?<!\w)" + build(trie) + r"(?!\w)"


@dataclass(frozen=True)
class Lexicon:
    """A taxonomy's terms compiled into one matcher, with the role each term plays per theme.

    ``pattern`` finds the longest term of any theme at each place. ``roles`` says what a matched
    surface form means to each theme: it runs that theme's own matcher over the surface form, so
    an excluded phrase ("labour migrants") is nothing to migration while a term inside it may
    still count for another theme.
    """

    taxonomy: Taxonomy
    pattern: re.Pattern
    theme_patterns: tuple[re.Pattern, ...]
    literal_roles: tuple[dict[str, str], ...]
    wildcard_roles: tuple[tuple[tuple[str, str], ...], ...]
    actors: tuple[bool, ...]
    scan: re.Pattern  # ``pattern`` after a non-word character: the engine skips to candidates in C
    cache: dict[str, tuple[tuple[int, str, str, int], ...]] = field(default_factory=dict)

    def find(self, folded: str) -> list[tuple[int, str]]:
        """(start, surface) of the longest term starting at each place in folded text.

        Matches may overlap ("crossed from" and "from belarus"): each theme then takes its own
        terms left to right (see ``roles``), so one theme's phrase never hides another's.
        """
        first = self.pattern.match(folded)
        found = [(m.start(1), m.group(1)) for m in self.scan.finditer(folded)]
        return [(0, first.group(1)), *found] if first else found

    def terms(self, folded: str) -> list[tuple[int, int, str, str]]:
        """(start, theme index, term, role) of every theme's terms, left to right, not overlapping
        within a theme."""
        return self._take(self.find(folded))

    def _take(self, matches: Iterable[tuple[int, str]]) -> list[tuple[int, int, str, str]]:
        taken = [0] * len(self.theme_patterns)  # per theme, where its last term ended
        found = []
        cached = self.cache.get
        for start, surface in matches:
            for index, term, role, length in cached(surface) or self.roles(surface):
                if start >= taken[index]:
                    taken[index] = start + length
                    found.append((start, index, term, role))
        return found

    def roles(self, surface: str) -> tuple[tuple[int, str, str, int], ...]:
        """(theme index, term as written, role, length) of each theme's longest term at the start."""
        found = self.cache.get(surface)
        if found is None:
            found = tuple(self._roles(surface))
            if len(self.cache) < 200_000:
                self.cache[surface] = found
        return found

    def _roles(self, surface: str) -> Iterable[tuple[int, str, str, int]]:
        for index, pattern in enumerate(self.theme_patterns):
            m = pattern.match(surface)
            if m is None:
                continue
            term = _WS.sub(" ", m.group())
            role = self.literal_roles[index].get(term)
            if role is None:
                role = next((r for prefix, r in self.wildcard_roles[index] if term.startswith(prefix)), "exclude")
            yield index, term, role, m.end()


def compile_lexicon(taxonomy: Taxonomy) -> Lexicon:
    """Compile every theme's seed, cue, context and exclude terms into one matcher."""
    all_terms: set[str] = set()
    patterns, literal, wildcard = [], [], []
    for theme in taxonomy.themes:
        roles: dict[str, str] = {}
        for role, name in _ROLE_FIELDS:  # a term listed in two fields keeps the stronger role
            for term in getattr(theme, name):
                folded = _fold_term(term)
                if folded.rstrip("*").strip():
                    roles[folded] = role
        all_terms.update(roles)
        patterns.append(re.compile(_trie_pattern(sorted(roles))))
        literal.append({t: r for t, r in roles.items() if not t.endswith("*")})
        wildcard.append(tuple(sorted(((t[:-1], r) for t, r in roles.items() if t.endswith("*")),
                                     key=lambda pair: (-len(pair[0]), pair[0]))))
    trie = _trie_pattern(sorted(all_terms))
    after_non_word = trie.removeprefix(r"(?<!\w)")  # after \W the lookbehind holds: checking it costs 10%
    return Lexicon(taxonomy=taxonomy, pattern=re.compile("(?=(" + trie + "))"),
                   theme_patterns=tuple(patterns), literal_roles=tuple(literal),
                   wildcard_roles=tuple(wildcard), actors=tuple(theme.actor for theme in taxonomy.themes),
                   scan=re.compile(r"\W(?=(" + after_non_word + "))"))


# -- sentences -----------------------------------------------------------------------------------

# Sentence-final punctuation (and closing quotes) before a capital, or a line break. Written to
# start with one character class so the regex engine skips ahead to candidates in C.
_BOUNDARY = re.compile(
    r"[.!?\u2026\n](?:(?<=\n)\s*"
    r"|(?<=[.!?\u2026])[.!?\u2026]*[\"'\u201d\u2019)\]]*\s+(?=[\"'\u201c\u2018(\[]*[A-Z0-9\u00C0-\u024F]))"
)
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof gen lt col maj capt sgt adm cmdr brig st jr sr vs no nos approx est dept gov govt "
    "sen rep jan feb mar apr jun jul aug sep sept oct nov dec inc ltd co corp u.s u.k u.n e.g i.e etc "
    "fig cf mt".split()
)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of the text, the unit theme evidence is counted in.

    A line break always ends a sentence (titles, captions and list items stand alone); a full
    stop after a common abbreviation or an initial ("Lt. Gen. R. Karoblis") does not.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        if text[m.start()] == ".":
            before = text[max(0, m.start() - 8):m.start()].split()
            token = before[-1].lower().lstrip("(\"'\u201c") if before else ""
            if token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
                continue
        end = m.start() if text[m.start()] == "\n" else m.start() + len(m.group().rstrip())
        _add_span(text, start, end, spans)
        start = m.end()
    _add_span(text, start, len(text), spans)
    return spans


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


# Terms that describe something else in the sentence count less: those in a relative clause, in a
# parenthesis, or one item of an enumeration ("tanks, artillery and air defence systems").
_SUBORDINATE = re.compile(r",\s+(?:which|where|who|whose|including|such as)\b|\([^)\n]*\)?")
# A word never gives back characters (++): what follows one is a space, a comma or punctuation,
# so backtracking into it could never match and only costs time.
_ITEM = r"[\w'-]++(?: [\w'-]++){0,4}"
_ENUMERATION = re.compile(  # a list that is the object of a verb or preposition, ending the clause
    r"\b(?:for|of|on|with|like|such as|include[sd]?|including|covers?|buys?|bought|purchases?|purchased"
    r"|acquires?|acquired|gets?|got|receives?|received|sends?|sent|from|to|are|were)"
    rf" ({_ITEM}(?:, {_ITEM})+,? (?:and|or) [\w'-]++(?: [\w'-]++){{0,7}})(?=[.,;:)!?\"\u201d]|$)"
)
# What money is for, even a pair: "EUR 300 million for ammunition and air defence" is about money.
_SPENDING_PURPOSE = re.compile(
    r"\b(?:million|billion|bn|percent|per cent|budget|allocation|funds?|funding|money|set aside|earmarked)"
    rf"\b[^.;]{{0,40}}?\b(?:for|on|to|into) ((?:{_ITEM}, )*{_ITEM},? (?:and|or) [\w'-]++(?: [\w'-]++){{0,4}})"
)
# The literal words one of _SPENDING_PURPOSE's first words contains ("fund" for funds, funding).
_MONEY_WORDS = ("million", "billion", "bn", "percent", "per cent", "budget", "allocation", "fund", "money",
                "set aside", "earmarked")


def _subordinate_ranges(sentence: str) -> list[tuple[int, int]]:
    # both list patterns need " and " or " or " (an enumeration also ", "): skip the scans without
    ranges = []
    if " and " in sentence or " or " in sentence:
        # ... and a money word for the purpose of money (the scan is slow, the substring test is not)
        patterns = ((_ENUMERATION,) if ", " in sentence else ()) \
            + ((_SPENDING_PURPOSE,) if any(word in sentence for word in _MONEY_WORDS) else ())
        ranges = [m.span(1) for pattern in patterns for m in pattern.finditer(sentence)]
    for m in _SUBORDINATE.finditer(sentence):
        if m.group().startswith("("):
            ranges.append((m.start(), m.end()))
        else:
            ranges.append((m.start(), len(sentence)))
            break
    return ranges


# -- scoring -------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class EvidenceRules:
    """How sentence evidence adds up to a theme; the defaults follow the labelling guide.

    A sentence is about a theme when its evidence reaches 1: one seed term, two cue terms, or a
    cue with two context terms; a title already from 0.75 (a cue with context), since a title
    names its subject. An item gets the theme when its weighted sentence evidence reaches 1: one
    full sentence about it (the guide's threshold), a title about it, or many passing mentions. Passing mentions (a sentence below 1) add only ``passing_weight`` of their
    evidence, and nothing when the item uses an excluded sense of the theme's words (an item
    about labour migrants does not add up its bare "migrants").
    """

    context_cap: float = 0.5  # context adds at most one cue's worth to a sentence
    subordinate_weight: float = 0.5  # terms inside a relative clause or parenthesis
    competing_weight: float = 0.25  # cue-only evidence in a sentence that has another theme's seed
    passing_weight: float = 0.5
    sentence_cap: float = 1.5  # one sentence cannot carry a theme by repetition
    title_weight: float = 1.5
    lead_weight: float = 1.25
    title_about: float = 0.75  # a title is about a theme from a cue with context (it names its subject)
    headline_weight: float = 2.0  # a headline-only item is its title alone
    model_likely: float = 0.7  # corpus-model probability from which a sentence counts as a cue
    model_confident: float = 0.9  # ... and from which it counts as a full sentence about the theme


@dataclass(frozen=True, slots=True)
class ThemeScore:
    """One item's score for one theme, with the terms and sentences that drove it."""

    theme: str
    score: float
    assigned: bool
    terms: tuple[str, ...]
    sentences: tuple[str, ...]


@dataclass(slots=True)
class _Unit:
    """A title or body sentence with its lexicon evidence, per theme index (only themes it has)."""

    kind: str  # "title" | "body"
    text: str
    evidence: dict[int, float]  # after the clause and competing rules
    terms: dict[int, dict[str, float]]  # term -> weight it contributed
    excluded: tuple[int, ...]


@dataclass(slots=True)
class _Doc:
    units: list[_Unit]
    headline_only: bool
    evidence: np.ndarray | None  # units x themes: each unit's lexicon evidence (``_stack_docs`` fills it in)


@dataclass(slots=True)
class _Stack:
    """The units of a batch of items, one row each, item after item (see ``_stack_docs``)."""

    evidence: np.ndarray  # units x themes; each item's ``_Doc.evidence`` is a view of its rows
    is_title: np.ndarray  # per unit
    weights: np.ndarray  # per unit: title, lead, headline or 1 (``ThemeScorer._weights``)
    owners: np.ndarray  # per unit: its item
    bounds: np.ndarray  # item i's units are rows bounds[i]:bounds[i + 1]
    excluded: np.ndarray  # items x themes: the item uses an excluded sense of the theme's words


def _stack_docs(docs: Sequence[_Doc], n_themes: int, rules: EvidenceRules) -> _Stack:
    """One evidence matrix for a batch's items, filled once; each doc's ``evidence`` becomes a view of it."""
    sizes = np.fromiter(map(len, (doc.units for doc in docs)), dtype=np.int64, count=len(docs))
    bounds = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum(sizes, out=bounds[1:])
    n_units = int(bounds[-1])
    cells: list[int] = []
    values: list[float] = []
    excluded_cells: list[int] = []
    is_title = np.zeros(n_units, dtype=bool)
    weights = np.ones(n_units)
    row = 0
    for number, doc in enumerate(docs):
        units = doc.units
        if not units:
            continue
        titled = units[0].kind == "title"  # a title comes first, and only then
        is_title[row] = titled
        if doc.headline_only:
            weights[row:row + len(units)] = rules.headline_weight
        else:  # an item with sentences: its title, then its lead (the first body sentence)
            if titled:
                weights[row] = rules.title_weight
            weights[row + titled] = rules.lead_weight
        for unit in units:
            if unit.evidence:
                base = row * n_themes
                for index, value in unit.evidence.items():
                    cells.append(base + index)
                    values.append(value)
            if unit.excluded:
                excluded_cells += [number * n_themes + index for index in unit.excluded]
            row += 1
    evidence = np.zeros((n_units, n_themes))
    evidence.ravel()[cells] = values
    excluded = np.zeros((len(docs), n_themes), dtype=bool)
    excluded.ravel()[excluded_cells] = True
    for number, doc in enumerate(docs):
        doc.evidence = evidence[bounds[number]:bounds[number + 1]]
    owners = np.repeat(np.arange(len(docs)), sizes)
    return _Stack(evidence, is_title, weights, owners, bounds, excluded)


class _Spans:
    """Half-open character spans, merged, for "is this offset inside one of them?" in log time."""

    __slots__ = ("starts", "ends")

    def __init__(self, spans: Iterable[tuple[int, int]]):
        merged: list[list[int]] = []
        for start, end in sorted(span for span in spans if span[0] < span[1]):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [start for start, _ in merged]
        self.ends = [end for _, end in merged]

    def contains(self, offset: int) -> bool:
        i = bisect_right(self.starts, offset) - 1
        return i >= 0 and offset < self.ends[i]


def _unit_evidence(lexicon: Lexicon, text: str, kind: str, rules: EvidenceRules,
                   matches: list[tuple[int, int, str, str]] | None = None) -> _Unit:
    """A unit's evidence; ``matches`` are its terms (``Lexicon.terms``) when already found."""
    if matches is None:
        matches = lexicon.terms(fold_text(text))
    if not matches:
        return _Unit(kind, text, {}, {}, ())
    excluded = [index for _, index, _, role in matches if role == "exclude"]
    # Context never counts on its own: only themes with a seed or cue term here can get evidence
    # (most matches are context terms of other themes, skipped here at the cost of a set lookup).
    anchored = {index for _, index, _, role in matches if role == "seed" or role == "cue"}
    if not anchored:
        return _Unit(kind, text, {}, {}, tuple(excluded))
    ranges = _subordinate_ranges(text) if len(matches) > 1 and ("(" in text or ", " in text) else ()
    subordinate = _Spans(ranges) if len(ranges) > 8 else None  # a long sentence: search, not scan
    # Per theme and clause, keyed 2 * theme + clause (1 in a subordinate clause): the anchor terms
    # (seed and cue) with their weights, the context terms, and the seed terms.
    anchors: dict[int, dict[str, float]] = {}
    context: dict[int, dict[str, float]] = {}
    seeds: dict[int, set[str]] = {}
    for start, index, term, role in matches:
        if index not in anchored or role == "exclude":
            continue
        inside = bool(ranges) and (subordinate.contains(start) if subordinate is not None
                                   else any(a <= start < b for a, b in ranges))
        key = 2 * index + inside
        bucket = context if role == "context" else anchors
        found = bucket.get(key)
        if found is None:
            bucket[key] = {term: ROLE_WEIGHTS[role]}
        else:
            found[term] = ROLE_WEIGHTS[role]
        if role == "seed":
            seeded = seeds.get(key)
            if seeded is None:
                seeds[key] = {term}
            else:
                seeded.add(term)
    evidence: dict[int, float] = {}
    seed_counts: dict[int, float] = {}
    terms: dict[int, dict[str, float]] = {}
    for key, anchored in anchors.items():  # context never counts on its own
        index = key >> 1
        factor = rules.subordinate_weight if key & 1 else 1.0
        around = context.get(key)
        evidence[index] = evidence.get(index, 0.0) + factor * (
            sum(anchored.values()) + (min(rules.context_cap, sum(around.values())) if around else 0.0))
        if key in seeds:
            seed_counts[index] = seed_counts.get(index, 0.0) + factor * len(seeds[key])
        found = terms.get(index)
        if found is None and factor == 1.0:  # a theme's terms in one clause: as they are
            terms[index] = {**anchored, **around} if around else dict(anchored)
            continue
        if found is None:
            found = terms[index] = {}
        for bucket in (anchored, around) if around else (anchored,):
            for term, weight in bucket.items():
                if factor * weight > found.get(term, 0.0):
                    found[term] = factor * weight
    if len(evidence) > 1 and seed_counts and kind == "body":
        # Cue-only evidence in a sentence with another activity theme's seed term mostly describes
        # that theme's subject: "the deployment of Patriot air defence" is not a sentence about
        # troop deployments. An actor theme (Belarus) shares sentences with activities instead:
        # "a Russian military plane violated the airspace" is about both.
        actors = lexicon.actors
        if any(value >= 1.0 and not actors[index] for index, value in seed_counts.items()):
            for index in evidence:
                if index not in seed_counts and not actors[index]:
                    evidence[index] *= rules.competing_weight
    return _Unit(kind, text, evidence, terms, tuple(excluded))


def _doc_units(lexicon: Lexicon, title: str, text: str, rules: EvidenceRules) -> _Doc:
    """The title (unless the text repeats it) and the sentences of an item; a headline is its title."""
    title = (title or "").strip()
    spans = split_sentences(text)
    if title and spans and len(text) < 2 * len(title) + 8 and normalise_text(text) == normalise_text(title):
        spans = []  # the text is only the title: a headline-only item
    units: list[_Unit] = []
    if title:
        first = text[spans[0][0]:spans[0][1]] if spans else ""
        if not spans or len(first) > 2 * len(title) + 8 or normalise_text(first) != normalise_text(title):
            units.append(_unit_evidence(lexicon, title, "title", rules))
    for (start, end), matches in zip(spans, _sentence_terms(lexicon, text, spans)):
        units.append(_unit_evidence(lexicon, text[start:end], "body", rules, matches))
    return _Doc(units, headline_only=not spans, evidence=None)  # filled in by _stack_docs


def _sentence_terms(lexicon: Lexicon, text: str, spans: list[tuple[int, int]]) -> list[list | None]:
    """Each sentence's ``Lexicon.terms``, from one pass of the matcher over the whole text.

    The same as matching every sentence on its own: sentences are separated by whitespace, so a
    term can start and end at a sentence edge just as in the sentence alone, and a term that
    runs on into the next sentence is matched again inside its own. None (match the sentence
    alone) when folding the whole text shifts offsets.
    """
    if not spans or len(text.lower()) != len(text):
        return [None] * len(spans)
    folded = fold_text(text)
    found = lexicon.find(folded)
    out: list[list | None] = []
    k, n = 0, len(found)
    n_themes = len(lexicon.theme_patterns)
    cached, roles = lexicon.cache.get, lexicon.roles
    for start, end in spans:
        while k < n and found[k][0] < start:
            k += 1
        # Lexicon._take over the sentence's matches, inline: per theme, where its last term ended
        taken = [0] * n_themes
        matches = []
        while k < n and found[k][0] < end:
            at, surface = found[k]
            k += 1
            if at + len(surface) > end:  # runs on past the sentence: its longest term inside it
                m = lexicon.pattern.match(folded, at, end)
                if m is None:
                    continue
                surface = m.group(1)
            at -= start
            for index, term, role, length in cached(surface) or roles(surface):
                if at >= taken[index]:
                    taken[index] = at + length
                    matches.append((at, index, term, role))
        out.append(matches)
    return out


class ThemeScorer:
    """Multi-label theme scores from sentence evidence: the taxonomy's lexicon plus a corpus model.

    ``fit`` learns, per theme, a TF-IDF logistic regression over the sentences of a corpus, with
    the sentences the lexicon marks as about the theme as positives and those with none of its
    terms as negatives (a seeded, self-trained model: no labels are needed). The model then adds
    evidence to sentences that read like the confident core without using its words.
    Unfitted, the scorer uses the lexicon alone.

    >>> scorer = ThemeScorer(load_taxonomy()).fit([("", "NATO fighter jets were scrambled.")])
    >>> [s.theme for s in scorer.score("", "Two fighter jets were scrambled to escort the aircraft.") if s.assigned]
    ['air_defence']
    """

    def __init__(self, taxonomy: Taxonomy, *, rules: EvidenceRules = EvidenceRules(), use_model: bool = True,
                 random_state: int = 0, min_core_sentences: int = 8, max_training_documents: int = 8_000,
                 max_training_sentences: int = 30_000, max_terms: int = 8, max_sentences: int = 3, lexicon: Lexicon | None = None):
        self.taxonomy = taxonomy
        self.lexicon = lexicon  # a compiled lexicon of this taxonomy, to share between scorers
        self.rules = rules
        self.use_model = use_model
        self.random_state = random_state
        self.min_core_sentences = min_core_sentences
        self.max_training_documents = max_training_documents
        self.max_training_sentences = max_training_sentences
        self.max_terms = max_terms
        self.max_sentences = max_sentences

    # fitting ------------------------------------------------------------------------------------

    def fit(self, documents: Iterable[tuple[str | None, str | None]]) -> "ThemeScorer":
        """Compile the lexicon and learn the corpus model from (title, text) pairs."""
        if self.lexicon is not None and self.lexicon.taxonomy != self.taxonomy:
            raise ValueError("ThemeScorer: the lexicon passed was compiled from another taxonomy")
        self.lexicon_ = self.lexicon or compile_lexicon(self.taxonomy)
        self.vectorizer_ = None
        self.models_: dict[int, tuple[np.ndarray, float]] = {}
        self.feature_names_: np.ndarray | None = None
        if not self.use_model:
            return self
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        documents = list(documents)
        if len(documents) > self.max_training_documents:  # a sample is as good a corpus, and faster
            keep = np.random.RandomState(self.random_state).choice(
                len(documents), self.max_training_documents, replace=False)
            documents = [documents[i] for i in np.sort(keep)]
        texts, evidence = [], []
        for title, text in documents:
            for unit in self._units(title, text).units:
                if len(unit.text) >= 20:
                    texts.append(unit.text)
                    evidence.append(unit.evidence)
        if len(texts) > self.max_training_sentences:
            keep = np.sort(np.random.RandomState(self.random_state).choice(
                len(texts), self.max_training_sentences, replace=False))
            texts = [texts[i] for i in keep]
            evidence = [evidence[i] for i in keep]
        if len(texts) < 2 * self.min_core_sentences:
            return self
        matrix = np.zeros((len(evidence), len(self.taxonomy)))
        for row, values in enumerate(evidence):
            for index, value in values.items():
                matrix[row, index] = value
        vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_df=0.5, sublinear_tf=True,
                                     stop_words="english", max_features=50_000, dtype=np.float32)
        try:
            features = vectorizer.fit_transform(texts)
        except ValueError:  # too few distinct words to build a vocabulary
            return self
        for index in range(len(self.taxonomy)):
            positive = matrix[:, index] >= 1.0
            negative = matrix[:, index] == 0.0
            if positive.sum() < self.min_core_sentences or negative.sum() < self.min_core_sentences:
                continue
            rows = np.flatnonzero(positive | negative)
            model = LogisticRegression(C=2.0, class_weight="balanced", max_iter=1000)
            model.fit(features[rows], positive[rows])
            self.models_[index] = (model.coef_[0].astype(np.float32), float(model.intercept_[0]))
        if self.models_:
            self.vectorizer_ = vectorizer
            self.feature_names_ = vectorizer.get_feature_names_out()
        return self

    # scoring ------------------------------------------------------------------------------------

    def score(self, title: str | None, text: str | None) -> list[ThemeScore]:
        """Every theme's score for one item (a headline-only item has a title and no text)."""
        return self.score_many([(title, text)])[0]

    def score_many(self, documents: Sequence[tuple[str | None, str | None]]) -> list[list[ThemeScore]]:
        """Scores for many items at once (the corpus model runs on all their sentences together)."""
        if not hasattr(self, "lexicon_"):
            raise RuntimeError("ThemeScorer is not fitted; call fit(documents) first (fit([]) for the lexicon only)")
        docs, _ = self._units_many(documents)
        model_evidence = self._model_evidence(docs)
        return [self._aggregate(doc, extra) for doc, extra in zip(docs, model_evidence)]

    def _units(self, title: str | None, text: str | None) -> _Doc:
        return self._units_many([(title, text)])[0][0]

    def _units_many(self, documents: Sequence[tuple[str | None, str | None]]) -> tuple[list[_Doc], _Stack]:
        """Each item's units, and all their evidence in one matrix (each doc's evidence is a view of it)."""
        lexicon, rules = self.lexicon_, self.rules
        docs = [_doc_units(lexicon, title or "", text or "", rules) for title, text in documents]
        return docs, _stack_docs(docs, len(self.taxonomy), rules)

    def _totals(self, units: _Stack) -> np.ndarray:
        """Per item and theme, the weighted lexicon evidence ``_aggregate`` scores (``extra`` None).

        Evidence and weights are sums of halves and quarters, so the sums are exact in any order:
        the same totals as ``_aggregate``'s, for a whole batch at once.
        """
        rules = self.rules
        totals = np.zeros(units.excluded.shape)
        if not len(units.owners):
            return totals
        evidence = units.evidence
        about = np.where(units.is_title[:, None], evidence >= rules.title_about, evidence >= 1.0)
        passing = np.where(units.excluded[units.owners], 0.0, rules.passing_weight)
        strength = np.where(about, np.minimum(evidence, rules.sentence_cap), passing * evidence)
        has = np.diff(units.bounds) > 0
        totals[has] = np.add.reduceat(units.weights[:, None] * strength, units.bounds[:-1][has], axis=0)
        return totals

    def _model_evidence(self, docs: list[_Doc]) -> list[tuple[np.ndarray, list[list[tuple[str, ...]]]] | None]:
        """Per item: evidence the corpus model adds to each unit and theme, and the words behind it."""
        if not self.models_ or self.vectorizer_ is None:
            return [None] * len(docs)
        texts = [unit.text for doc in docs for unit in doc.units]
        if not texts:
            return [None] * len(docs)
        features = self.vectorizer_.transform(texts).tocsr()
        indices = sorted(self.models_)
        coef = np.vstack([self.models_[i][0] for i in indices]).T
        intercept = np.array([self.models_[i][1] for i in indices])
        logits = np.asarray(features @ coef) + intercept
        probability = 1.0 / (1.0 + np.exp(-logits))
        rules = self.rules
        added = np.where(probability >= rules.model_confident, 1.0,
                         np.where(probability >= rules.model_likely, ROLE_WEIGHTS["cue"], 0.0))
        out: list = []
        row = 0
        for doc in docs:
            n = len(doc.units)
            block = np.zeros((n, len(self.taxonomy)))
            block[:, indices] = added[row:row + n]
            # The model speaks only where the lexicon found nothing: a sentence the lexicon has
            # judged (even as a passing mention) keeps that judgement, and an item that uses an
            # excluded sense of a theme's words ("labour migrants") gets no model evidence for it.
            for u, unit in enumerate(doc.units):
                for index in unit.evidence:
                    block[u, index] = 0.0
                if unit.excluded:
                    block[:, list(unit.excluded)] = 0.0
            added[row:row + n] = block[:, indices]
            words: list[list[tuple[str, ...]]] = [[() for _ in indices] for _ in range(n)]
            for u, k in zip(*np.nonzero(added[row:row + n])):
                words[u][k] = self._model_words(features, row + u, coef[:, k])
            out.append((block, words, indices))
            row += n
        return out

    def _model_words(self, features, row: int, coef: np.ndarray) -> tuple[str, ...]:
        start, end = features.indptr[row], features.indptr[row + 1]
        cols, vals = features.indices[start:end], features.data[start:end]
        contribution = vals * coef[cols]
        order = np.argsort(-contribution)[:3]
        return tuple(str(self.feature_names_[cols[i]]) for i in order if contribution[i] > 0)

    def _aggregate(self, doc: _Doc, extra, *, explain: Container[int] | None = None) -> list[ThemeScore]:
        """Every theme's score; terms and sentences only for the theme indices in ``explain``
        (all when None), as explaining is most of the cost and callers often need few."""
        rules = self.rules
        keys = self.taxonomy.keys
        if not doc.units:
            return [ThemeScore(key, 0.0, False, (), ()) for key in keys]
        evidence = doc.evidence if extra is None else doc.evidence + extra[0]
        excluded: set[int] = set()
        for unit in doc.units:
            excluded.update(unit.excluded)
        is_title, weights = self._weights(doc)
        about = np.where(is_title[:, None], evidence >= rules.title_about, evidence >= 1.0)
        passing = np.full(len(keys), rules.passing_weight)
        passing[list(excluded)] = 0.0
        strength = np.where(about, np.minimum(evidence, rules.sentence_cap), passing * evidence)
        totals = weights @ strength
        results = []
        for index, key in enumerate(keys):
            total = float(totals[index])
            terms: tuple[str, ...] = ()
            sentences: tuple[str, ...] = ()
            if explain is None or index in explain:
                column = evidence[:, index]
                if column.any():
                    terms, sentences = self._explain(doc, index, column, weights, extra)
            results.append(ThemeScore(key, round(1.0 - 0.5 ** total, 4), total >= 1.0 - 1e-9, terms, sentences))
        return results

    def _weights(self, doc: _Doc) -> tuple[np.ndarray, np.ndarray]:
        """Which units are titles, and each unit's weight (title, lead, headline)."""
        rules = self.rules
        is_title = np.fromiter((unit.kind == "title" for unit in doc.units), bool, len(doc.units))
        weights = np.ones(len(doc.units))
        if doc.headline_only:
            weights[:] = rules.headline_weight
        else:
            weights[is_title] = rules.title_weight
            weights[int(np.argmin(is_title))] = rules.lead_weight  # the first body sentence
        return is_title, weights

    def _explain_lexicon(self, doc: _Doc, index: int,
                         weights: np.ndarray | None = None) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The terms and sentences ``_aggregate(doc, None)`` gives a theme, for one theme alone
        (``weights``: the doc's unit weights, when known)."""
        column = doc.evidence[:, index] if doc.units else np.zeros(0)
        if not column.any():
            return (), ()
        return self._explain(doc, index, column, self._weights(doc)[1] if weights is None else weights, None)

    def _explain(self, doc: _Doc, index: int, column: np.ndarray, weights: np.ndarray, extra):
        """The terms (by what they contributed) and the strongest sentences behind a theme's score."""
        contribution: dict[str, float] = {}
        sentences = []
        values, unit_weights = column.tolist(), weights.tolist()  # Python floats: the same values, faster
        for u in np.argsort(-(column * weights), kind="stable").tolist():
            if values[u] <= 0:
                break
            unit = doc.units[u]
            for term, weight in unit.terms.get(index, {}).items():
                contribution[term] = contribution.get(term, 0.0) + weight * unit_weights[u]
            if extra is not None and index in extra[2]:
                for word in extra[1][u][extra[2].index(index)]:
                    contribution.setdefault(word, 0.1 * unit_weights[u])
            if len(sentences) < self.max_sentences and values[u] >= 0.5:
                sentences.append(unit.text if len(unit.text) <= 400 else unit.text[:397] + "...")
        terms = sorted(contribution, key=lambda t: (-contribution[t], t))[: self.max_terms]
        return tuple(terms), tuple(sentences)

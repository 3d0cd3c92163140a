"""Defence-spending claims, learned: the rules propose candidates, linear models fitted on labels decide.

The rules of ``spending.py`` find every percentage and sum of money in a sentence near defence or
spending words, parse it (value, range, unit, share of GDP, the year written after it) and give
their own verdict. For each such candidate, four logistic regressions decide:

* ``claim``: is it a defence-spending claim at all (a level, of defence, not aid or a contract)?
* ``year``: which of the candidate years (after the figure, elsewhere in its sentence, in the
  sentences around it or in the title; or none) is the claim's year?
* ``kind``: a target or an actual level?
* ``actor``: which of the candidate actors (named in the sentence, before it or in the title, the
  rules' actor, NATO) spends it? Several actors of one list ("all three Baltic states") each
  make a claim.

Features are generic: words around the figure, which rule cues fired, distances and positions.
A fitted model is plain data (``to_parts``): sorted feature names and float weights, no pickle.
Prediction is a dot product in Python, so no sklearn call is made per article.

>>> model = SpendingModel().fit(records)  # doctest: +SKIP
>>> [(c.actor, c.kind, c.value, c.year) for c in model.extract(
...     title=None, text="Latvia will raise defence spending to 3 percent of GDP by 2027.")]  # doctest: +SKIP
[('Latvia', 'target', 3.0, 2027)]
"""

from __future__ import annotations

import math
import re
from itertools import repeat
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

import numpy as np

from analysis.claims import spending as rules
from analysis.claims.actors import GROUPS, coordinated_before
from analysis.claims.document import Document, begins_with
from analysis.claims.patterns import Folded, Needled
from analysis.claims.numbers import RELATIVE_YEAR, YEAR, relative_year, short_year
from analysis.claims.sentences import Sentence
from analysis.model import Claim

__all__ = ["SpendingModel", "FORMAT_VERSION"]

FORMAT_VERSION = 1
MODEL_NAMES = ("claim", "year", "kind", "actor")

# -- cues the features name ---------------------------------------------------------------------
# (Word lists grouped by first letter, order kept within a letter: the same matches, found faster;
# wrapped as in analysis/claims/patterns.py where that saves a search.)
_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?|\d+(?:[.,]\d+)?|[%€$]")
_HEDGE = Needled(
    re.compile(
        r"\b(?:c(?:ould|onsider\w*)|m(?:ay|ight)|p(?:ossibly|erhaps)|approach\w*|exclude|rule\s+out|"
        r"d(?:iscuss\w*|ebat\w*)|if|unless|s(?:uggest\w*|peculat\w*))\b",
        re.I,
    ),
    folded=("could", "consider", "may", "might", "possibly", "perhaps", "approach", "exclude", "rule", "discuss",
            "debat", "if", "unless", "suggest", "speculat"),
)
_DRAFT = Folded(re.compile(
    r"\b(?:draft|b(?:ill|udget\s+law|udget\s+plan)|state\s+budget|a(?:pproved|dopted)|passed)\b",
    re.I,
))
_ALL_ALLIES = Folded(re.compile(
    r"\b(?:all|every|each)\s+(?:NATO\s+)?(?:allies|members?|member\s+states|countries|nations|ally)\b|"
    r"\b(?:NATO|[Aa]lliance|allies)(?:'s|’s)?\s+(?:new\s+)?(?:target|goal|guideline|benchmark)",
    re.I,
))
_MONTH_BEFORE = re.compile(
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?\s+(?:\d{1,2}(?:st|nd|rd|th)?,?\s+)?$|\d{1,2}[./]\d{1,2}[./]$"
)
_YEAR_MENTION = Needled(re.compile(
    rf"(?<![\w.,/-])(?:(?P<between>between|from)\s+)?(?P<year>{YEAR})"
    rf"(?:\s*(?:-|–|—|/|\s+to\s+|\s+and\s+)\s*(?P<high>{YEAR}|\d\d)(?![\w%]))?"
    rf"(?![\w%]|[.,]\d|\s*(?:%|per\s?cent|percent|euros?|EUR|€|\$|million|billion|bn|m\b))",
    re.I,
), needles=("19", "20"))
_RELATIVE_MENTION = Needled(re.compile(rf"\b(?P<relative>{RELATIVE_YEAR})\b", re.I), folded=("year",))
_WORD_BEFORE = re.compile(r"([A-Za-z]+)\W*$")
_WORD_AFTER = re.compile(r"^\W*([A-Za-z]+)")
_GROUP_MEMBERS: dict[str, tuple[str, ...]] = {
    "Baltic states": ("Estonia", "Latvia", "Lithuania"),
}
_LIST_TAGS = frozenset({"listed", "from_group", "rule_list"})
_NEAR_WORDS = Folded(re.compile(rules.DEFENCE.pattern + "|" + rules.SPENDING.pattern, re.I))

_WINDOW_CHARS = 90
_WINDOW_TOKENS = 8
_MAX_PERCENT = 50.0
_MIN_MONEY = 1_000_000
_MAX_MONEY = 2e12  # no defence budget is larger: "EUR 1,559 billion" is a decimal comma misread
_PREVIOUS_SENTENCES = 3


def _bin(value: float, edges: Sequence[float]) -> int:
    for index, edge in enumerate(edges):
        if value < edge:
            return index
    return len(edges)


def _tokens(text: str) -> list[str]:
    return [("<num>" if t[0].isdigit() and not (len(t) == 4 and t[:2] in ("19", "20")) else
             "<year>" if t[0].isdigit() else t) for t in _TOKEN.findall(text.lower())]


# -- a fitted linear model, as data ---------------------------------------------------------------

@dataclass(frozen=True)
class _Linear:
    """Weights by feature name; ``score`` is the log-odds of a sparse binary feature set."""

    weights: dict[str, float]
    intercept: float

    def score(self, features: Iterable[str]) -> float:
        weights = self.weights
        return self.intercept + sum(map(weights.get, features, repeat(0.0)))

    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        names = sorted(self.weights)
        return {
            f"{prefix}_names": np.array("\n".join(names)),
            f"{prefix}_coef": np.array([self.weights[n] for n in names], dtype=np.float64),
            f"{prefix}_intercept": np.array([self.intercept], dtype=np.float64),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], prefix: str) -> _Linear:
        joined = str(arrays[f"{prefix}_names"][()])
        names = joined.split("\n") if joined else []
        coef = arrays[f"{prefix}_coef"]
        if len(names) != len(coef):
            raise ValueError(f"spending model: {prefix}_names has {len(names)} names but {prefix}_coef has {len(coef)} weights")
        return cls(dict(zip(names, (float(c) for c in coef))), float(arrays[f"{prefix}_intercept"][0]))


def _fit_linear(rows: list[frozenset[str]], labels: list[bool], *, C: float, random_state: int,
                min_count: int) -> _Linear:
    """A logistic regression over binary features seen in at least ``min_count`` rows."""
    names = _vocabulary(rows, min_count)
    if not rows or len(set(labels)) < 2:
        prior = (sum(labels) + 0.5) / (len(labels) + 1.0)
        return _Linear({}, round(math.log(prior / (1 - prior)), 6))
    return _logistic([{n: 1.0 for n in row} for row in rows], labels, names, C=C, random_state=random_state,
                     intercept=True)


def _fit_ranker(groups: list[tuple[list[frozenset[str]], list[bool]]], *, C: float, random_state: int,
                min_count: int) -> _Linear:
    """Pairwise ranking: each right option is preferred to each wrong option of its group.

    A logistic regression on feature differences (no intercept) learns weights whose sum over an
    option's features ranks the options of a group; the best-scored option is the choice.
    """
    names = _vocabulary([option for options, _ in groups for option in options], min_count)
    known = set(names)
    rows: list[dict[str, float]] = []
    labels: list[bool] = []
    for options, right in groups:
        for i, good in enumerate(options):
            if not right[i]:
                continue
            for j, bad in enumerate(options):
                if right[j]:
                    continue
                difference = {n: 1.0 for n in (good - bad) if n in known}
                difference.update({n: -1.0 for n in (bad - good) if n in known})
                if not difference:
                    continue
                flip = len(rows) % 2 == 1  # both classes, so the regression is well posed
                rows.append({n: -v for n, v in difference.items()} if flip else difference)
                labels.append(not flip)
    if len(set(labels)) < 2:
        return _Linear({}, 0.0)
    return _logistic(rows, labels, names, C=C, random_state=random_state, intercept=False)


def _vocabulary(rows: Iterable[frozenset[str]], min_count: int) -> list[str]:
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        for name in row:
            counts[name] += 1
    return sorted(n for n, c in counts.items() if c >= min_count)


def _logistic(rows: list[dict[str, float]], labels: list[bool], names: list[str], *, C: float,
              random_state: int, intercept: bool) -> _Linear:
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    index = {n: i for i, n in enumerate(names)}
    indptr, indices, values = [0], [], []
    for row in rows:
        for i, v in sorted((index[n], v) for n, v in row.items() if n in index):
            indices.append(i)
            values.append(v)
        indptr.append(len(indices))
    matrix = csr_matrix((np.array(values, dtype=np.float64), np.array(indices, dtype=np.int64), np.array(indptr)),
                        shape=(len(rows), len(names)))
    model = LogisticRegression(C=C, solver="liblinear", random_state=random_state, max_iter=1000,
                               fit_intercept=intercept)
    model.fit(matrix, np.array(labels, dtype=bool))
    weights = {n: round(float(w), 6) for n, w in zip(names, model.coef_[0]) if abs(w) >= 1e-6}
    return _Linear(weights, round(float(model.intercept_[0]), 6) if intercept else 0.0)


# -- candidates -----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _YearOption:
    year: int | None
    year_high: int | None
    relative: bool
    text: str
    source: str | None
    features: frozenset[str]

    @property
    def key(self) -> tuple[int | None, int | None]:
        return (None, None) if self.relative else (self.year, self.year_high)


@dataclass(frozen=True, slots=True)
class _ActorOption:
    name: str
    features: frozenset[str]


@dataclass(slots=True)
class _Candidate:
    document: Document
    sentence: Sentence
    verdict: rules.Verdict
    in_title: bool
    features: frozenset[str] = frozenset()
    years: list[_YearOption] = field(default_factory=list)
    actors: list[_ActorOption] = field(default_factory=list)

    @property
    def quantity(self) -> rules.Quantity:
        return self.verdict.quantity

    @property
    def numbers(self) -> tuple:
        q = self.verdict.quantity
        return (q.unit, round(q.value, 6), None if q.value_high is None else round(q.value_high, 6))


def _has_near_words(document: Document, index: int) -> bool:
    return document.memo(("learned_near_words", index),
                         lambda: _NEAR_WORDS.search(document.sentences[index].text) is not None)


def _near_spending_words(document: Document, sentence: Sentence, title: Document | None) -> bool:
    if _has_near_words(document, sentence.index):
        return True
    for step in (-1, 1):
        index = sentence.index + step
        if 0 <= index < len(document.sentences) and _has_near_words(document, index):
            return True
    return title is not None and title.memo(("learned_near_words", None), lambda: _NEAR_WORDS.search(title.text) is not None)


def _candidates(document: Document, *, title: Document | None, in_title: bool) -> list[_Candidate]:
    """Every supported figure in a sentence near defence or spending words, with the rules' verdict."""
    if not document.contains(rules.TRIGGER):
        return []
    if not document.contains(rules.DEFENCE_ANYWHERE) and (title is None or not title.contains(rules.DEFENCE_ANYWHERE)):
        return []
    found: list[_Candidate] = []
    for sentence in document.sentences_with(rules.TRIGGER):
        if not _near_spending_words(document, sentence, title):
            continue
        for verdict in rules.judge_sentence(document, sentence, every_rejection=True, speakers=False):
            q = verdict.quantity
            if q.unit is None or not rules.FINAL_REJECTIONS.isdisjoint(verdict.rejections):
                continue  # a currency the table cannot hold; a conversion or a hedged figure is never a claim
            if q.is_percent and (q.value > _MAX_PERCENT or (q.value_high or 0) > _MAX_PERCENT):
                continue
            if not q.is_percent and not _MIN_MONEY <= q.value <= _MAX_MONEY:
                continue
            found.append(_Candidate(document, sentence, verdict, in_title))
    return found


# -- features -------------------------------------------------------------------------------------

_SENTENCE_CUES = (("defence", rules.DEFENCE), ("spending", rules.SPENDING), ("other", rules.OTHER_DOMAIN),
                  ("aid", rules.AID), ("hedge", _HEDGE), ("draft", _DRAFT), ("all_allies", _ALL_ALLIES))


def _sentence_features(document: Document, sentence: Sentence) -> frozenset[str]:
    """Features of the sentence as a whole: its words and which cues it holds (shared by its figures).

    A sentence without defence or spending words (known from choosing it) holds neither cue.
    """
    features = {f"S:{t}" for t in _tokens(sentence.text)}
    near = _has_near_words(document, sentence.index)
    features.update(f"has:{label}" for label, pattern in _SENTENCE_CUES
                    if (near or label not in ("defence", "spending")) and rules.sentence_has(document, sentence, pattern))
    return frozenset(features)


def _claim_features(candidate: _Candidate, seen: dict[tuple, int], position: int, count: int) -> frozenset[str]:
    document, sentence, verdict = candidate.document, candidate.sentence, candidate.verdict
    q, context, text = verdict.quantity, verdict.context, candidate.document.text
    left = _tokens(text[max(sentence.start, q.start - _WINDOW_CHARS) : q.start])[-_WINDOW_TOKENS:]
    right = _tokens(text[q.end : min(sentence.end, q.end + _WINDOW_CHARS)])[:_WINDOW_TOKENS]
    features = {f"L:{t}" for t in left} | {f"R:{t}" for t in right}
    features |= document.memo(("learned_sentence", sentence.index), lambda: _sentence_features(document, sentence))
    for i, t in enumerate(reversed(left[-3:])):
        features.add(f"L{i + 1}:{t}")
    for i, t in enumerate(right[:3]):
        features.add(f"R{i + 1}:{t}")
    if len(left) >= 2:
        features.add(f"LB:{left[-2]}_{left[-1]}")
    if len(right) >= 2:
        features.add(f"RB:{right[0]}_{right[1]}")
    features.add(f"unit:{q.unit}")
    if q.is_percent:
        features.add(f"pct_bin:{_bin(q.value, (1, 2, 2.6, 3.6, 6, 10, 15))}")
        features.add("of_gdp" if q.of_gdp else "bare_percent")
    else:
        features.add(f"money_bin:{_bin(math.log10(q.value), (7, 8, 9, 9.5, 10, 11))}")
    if q.value_high is not None:
        features.add("range")
    if q.qualifier:
        features.add(f"qualifier:{q.qualifier.split()[0]}")
    if q.year is not None:
        features.add("tail_year")
    if q.share_of_other:
        features.add("share_of_other")
    if q.generic_object:
        features.add("generic_object")
    features.add(f"purpose:{context.purpose}")
    if context.coordinated:
        features.add("coordinated")
    for name in verdict.rejections:
        features.add(f"rej:{name}")
    features.add("rule:level" if verdict.level else "rule:no")
    if verdict.claim is not None:
        features.add(f"rule_kind:{verdict.claim.kind}")
    features.add("in_title" if candidate.in_title else "in_body")
    if sentence.is_headline_like:
        features.add("headline_like")
    features.add(f"sent_index:{min(sentence.index, 4)}")
    features.add(f"n_in_sentence:{min(count, 4)}")
    features.add(f"pos_in_sentence:{min(position, 3)}")
    features.add(f"seen_before:{min(seen.get(candidate.numbers, 0), 2)}")
    near = context.sentence_clause[-60:] + " " + context.tail
    for label, pattern in (("goal", rules.GOAL_CUE), ("target", rules.TARGET_CUE), ("budget", rules.BUDGET_CUE),
                           ("actual", rules.ACTUAL_CUE), ("hedge", _HEDGE), ("procure", rules.PROCUREMENT_BEFORE)):
        if pattern.search(near):
            features.add(f"near:{label}")
    if rules.CURRENT_LEVEL.search(context.sentence_clause[-30:]):
        features.add("near:current")
    if rules.PROCUREMENT_AFTER.match(text, q.end, sentence.end):
        features.add("procurement_after")
    if rules.change_before(document, sentence, q):
        features.add("change_before")
    return frozenset(features)


def _year_diff(year: int | None, published: date | None) -> str:
    if year is None:
        return "none"
    if published is None:
        return "unknown"
    diff = year - published.year
    return str(max(-3, min(diff, 6)))


def _year_mentions(text: str, start: int, end: int, published: date | None) -> list[tuple[int, int, int | None, int | None, bool, str, str]]:
    """(start, end, year, year_high, relative, text, part) for each year or relative year in text[start:end]."""
    found = []
    for match in _YEAR_MENTION.finditer(text, start, end):
        year = int(match.group("year"))
        high_text = match.group("high")
        joiner = text[match.end("year") : match.start("high")] if high_text else ""
        if high_text and "and" in joiner and not match.group("between"):
            high_text = None  # "in 2024 and 2025": two years, not a period
        high = short_year(year, high_text) if high_text else None
        found.append((match.start("year"), match.end(), year, high, False, match.group(0), "whole" if high else "single"))
        if high is not None:
            found.append((match.start("year"), match.end("year"), year, None, False, match.group("year"), "range_start"))
            found.append((match.start("high"), match.end(), high, None, False, match.group("high"), "range_end"))
    for match in _RELATIVE_MENTION.finditer(text, start, end):
        ref = relative_year(match.group("relative"), published=published)
        found.append((match.start(), match.end(), ref.year, None, True, match.group(0), "relative"))
    return found


_PREP_CLASSES = {
    "by": "deadline", "until": "deadline", "till": "deadline", "before": "deadline", "than": "deadline",
    "in": "in", "for": "in", "during": "in", "of": "in", "at": "in", "on": "in",
    "from": "from", "since": "from", "starting": "from", "beginning": "from", "as": "from", "after": "from",
    "between": "from", "and": "and", "to": "to", "s": "possessive",
}
_BUDGET_AFTER = re.compile(r"(?:'s|’s)?\s*(?:[\w-]+\s+){0,3}?(?:budget|bill|draft)\b", re.I)
_BUDGET_BEFORE = re.compile(r"\b(?:budget|bill|draft|spending|expenditures?|funding|allocations?|target|goal)\s+(?:\w+\s+)?(?:for|of|in)\s+(?:the\s+)?(?:year\s+)?$", re.I)
_THE_BUDGET = re.compile(r"\b(?:the|this|next\s+year's)\s+(?:(?:draft|amended|revised|state|national|defen[cs]e|new)\s+){0,2}budget\b", re.I)
_AGREED_BEFORE = re.compile(r"\b(?:agreed|decided|set|adopted|pledged|since|summit|agreement)\b[^.;]{0,30}$", re.I)


@dataclass(frozen=True, slots=True)
class _YearFacts:
    """The explicit years of an item (body and title) and how often each is named (dates left out)."""

    counts: dict[int, int]

    @property
    def distinct(self) -> int:
        return len(self.counts)


def _year_facts(body: Document, title: Document | None) -> _YearFacts:
    def compute() -> _YearFacts:
        counts: dict[int, int] = defaultdict(int)
        for doc in (body, title) if title is not None else (body,):
            for match in _YEAR_MENTION.finditer(doc.text):
                if _MONTH_BEFORE.search(doc.text, max(0, match.start() - 25), match.start()):
                    continue  # a date line, not a year the text is about
                counts[int(match.group("year"))] += 1
        return _YearFacts(dict(counts))

    return body.memo(("learned_year_facts", None if title is None else title.text), compute)


def _year_option_features(doc: Document, span: Sentence, start: int, end: int, part: str, src: str) -> set[str]:
    """Features of one year mention: where it is (src), the word before and after, budget words, dates.

    The figures of a sentence share its year mentions: each mention is read once per place.
    """
    found = doc.memo(("learned_year_option", span.start, span.end, start, end, part, src),
                     lambda: frozenset(_read_year_option(doc, span, start, end, part, src)))
    return set(found)


def _read_year_option(doc: Document, span: Sentence, start: int, end: int, part: str, src: str) -> set[str]:
    text = doc.text
    features = {f"src:{src}", f"part:{part}", f"src_part:{src}_{part}"}
    before = _WORD_BEFORE.search(text, max(span.start, start - 25), start)
    prep = _PREP_CLASSES.get(before.group(1).lower(), "other") if before else "none"
    features.update({f"prep:{prep}", f"src_prep:{src}_{prep}"})
    if _BUDGET_AFTER.match(text, end, min(span.end, end + 40)):
        features.update({"budget_after", f"src_budget_after:{src}"})
    if _BUDGET_BEFORE.search(text, max(span.start, start - 40), start):
        features.update({"budget_before", f"src_budget_before:{src}"})
    if _AGREED_BEFORE.search(text, max(span.start, start - 40), start):
        features.add("agreed_before")
    if _MONTH_BEFORE.search(text, max(span.start, start - 25), start):
        features.add("in_date")
    return features


_YEAR_REACH = 400  # characters

# "in 2023 – PLN 97.4 billion (3 % of GDP), in 2022 – ...", "2024: 3.2 %": a list whose items open with their year
_ITEM_YEAR_AFTER = re.compile(r"\s*(?:[–—:]|\s-)\s")
_ITEM_YEAR_BEFORE = re.compile(r"(?:\b(?:in|for)\s+|[,;:]\s*)$", re.I)


def _is_item_year(text: str, sentence: Sentence, mentions: list, start: int, end: int, figure: int) -> bool:
    """Does the year open the list item the figure is in ("in 2023 – PLN 97.4 billion (3 % of GDP)")?"""
    if figure - end > 60 or ";" in text[end:figure] or not _ITEM_YEAR_AFTER.match(text, end, figure):
        return False
    if any(end <= m[0] < figure for m in mentions):
        return False  # another year opens a later item
    return start == sentence.start or bool(_ITEM_YEAR_BEFORE.search(text, max(sentence.start, start - 12), start))


def _stated_year(options: list[_YearOption]) -> _YearOption | None:
    """The year the text plainly gives a figure, which no ranking overrides: the year opening its
    list item, else the year of "the budget" a sentence without a year of its own refers to."""
    for feature in ("item_year", "the_budget_named"):
        stated = [o for o in options if feature in o.features]
        if len({o.key for o in stated}) == 1:
            return stated[0]
    return None


def _year_options(candidate: _Candidate, title: Document | None) -> list[_YearOption]:
    document, sentence, q = candidate.document, candidate.sentence, candidate.quantity
    published, text = document.published, document.text
    rule_claim = candidate.verdict.claim
    rule_key = (rule_claim.year, rule_claim.year_high) if rule_claim is not None and not rule_claim.year_relative else None
    options: dict[tuple, tuple[str, set[str]]] = {}
    facts = _year_facts(document, title) if not candidate.in_title else _year_facts(document, None)

    def add(year: int | None, high: int | None, relative: bool, label: str, source: str, features: set[str]) -> None:
        diff = "relative" if relative else _year_diff(year, published)
        features.add(f"diff:{diff}")
        features.update(f"diff_{f}" for f in list(features) if f.startswith(("src:", "prep:")))
        if not relative and rule_key == (year, high):
            features.add("rule_year")
        if relative:
            features.add(f"relative:{label.lower().split()[0]}")
        elif year is not None:
            count = facts.counts.get(year, 0)
            features.add(f"doc_count:{_bin(count, (2, 3, 5))}")
            if facts.distinct == 1:
                features.update({"only_year", f"only_year:{source}"})
        key = (year, high, relative)
        if key in options:
            options[key][2].update(features)
        else:
            options[key] = (label, source, features)

    mentions = document.memo(("learned_year_mentions", sentence.index),
                             lambda: _year_mentions(text, sentence.start, sentence.end, published))
    quantities = rules.sentence_quantities(document, sentence)
    n_explicit = sum(1 for m in mentions if not m[4])
    # a year farther than _YEAR_REACH from the figure never dates it: a "sentence" of thousands of
    # years (a flattened table, a hostile file) costs the same per figure as an ordinary one
    near = [m for m in mentions if m[1] >= q.start - _YEAR_REACH and m[0] <= q.extent + _YEAR_REACH]
    ranks = {distance: rank for rank, distance in enumerate(sorted({abs(m[0] - q.start) for m in near}))}
    for start, end, year, high, relative, mention_text, part in near:
        if start >= q.end and end <= q.extent:
            where = "tail"
        elif end <= q.start:
            where = "before"
        else:
            where = "after"
        distance = q.start - end if end <= q.start else max(0, start - q.extent)
        features = _year_option_features(document, sentence, start, end, part, where)
        features.add(f"dist:{where}_{_bin(distance, (3, 15, 40, 80, 160))}")
        features.add(f"rank:{min(ranks[abs(start - q.start)], 2)}")
        between = text[end : q.start] if where == "before" else text[q.end : start] if where == "after" else ""
        if rules.PERCENT_SIGN.search(between) or rules.CURRENCY_SIGN.search(between):
            features.add(f"figure_between:{where}")
        if re.search(r"[;:]|\s[-–—]\s|,\s+(?:but|while|whereas)\b", between):
            features.add(f"clause_between:{where}")
        for other in quantities:
            if other.start == q.start:
                continue
            if other.end <= start and end <= other.extent:
                features.add(f"other_tail:{where}")  # "3 % in 2024 and 4 %": 2024 dates the other figure
            if 0 <= other.start - end <= 12:
                features.add(f"year_then_other:{where}")  # "in 2022 - PLN 73.6 billion"
        if where == "before" and not relative and _is_item_year(text, sentence, near, start, end, q.start):
            features.add("item_year")
        add(year, high, relative, mention_text, where, features)
    # the sentences around it and the title: only when they date the same topic
    neighbours: list[tuple[str, Document, Sentence]] = []
    for step, label in ((-1, "prev1"), (-2, "prev2"), (1, "next1")):
        index = sentence.index + step
        if 0 <= index < len(document.sentences):
            neighbours.append((label, document, document.sentences[index]))
    if title is not None and title is not document:
        neighbours.extend(("title", title, s) for s in title.sentences[:1])
    elif sentence.index > 0 and document.sentences[0].is_headline_like:
        neighbours.append(("title", document, document.sentences[0]))
    own = "own_years" if n_explicit else "own_none"
    # "The draft budget earmarks EUR 4.79 billion": the budget the title or an earlier sentence named
    anaphora = not mentions and _THE_BUDGET.search(text, sentence.start, q.start) is not None
    for label, doc, other in neighbours:
        other_mentions = doc.memo(("learned_year_mentions", other.index),
                                  lambda: _year_mentions(doc.text, other.start, other.end, published))
        has_figure = doc.memo(("learned_has_figure", other.index),
                              lambda: bool(rules.PERCENT_SIGN.search(other.text) or rules.CURRENCY_SIGN.search(other.text)))
        for start, end, year, high, relative, mention_text, part in other_mentions:
            features = _year_option_features(doc, other, start, end, part, label)
            features.update({f"own:{own}", f"src_own:{label}_{own}", f"src_figure:{label}_{has_figure}"})
            if len(other_mentions) == 1:
                features.add(f"src_only:{label}")
            if anaphora and ("budget_after" in features or "budget_before" in features):
                features.update({"the_budget_named", f"the_budget_named:{label}"})
            add(year, high, relative, mention_text, label, features)
    # no year at all
    none_features = {"none", f"none_n_sent:{min(n_explicit, 3)}"}
    if q.year is not None:
        none_features.add("none_tail_year")
    if rule_claim is not None and rule_claim.year is None:
        none_features.add("none_rule_none")
    if any(m[4] for m in mentions):
        none_features.add("none_relative_in_sentence")
    for label, pattern in (("goal", rules.GOAL_CUE), ("budget", rules.BUDGET_CUE), ("current", rules.CURRENT_LEVEL)):
        if pattern.search(candidate.verdict.context.sentence_clause[-60:]):
            none_features.add(f"none_near:{label}")
    result = [_YearOption(None, None, False, "", None, frozenset(none_features))]
    explicit_years = {year for (year, high, relative) in options if not relative}
    for (year, high, relative), (label, source, features) in options.items():
        if relative and year in explicit_years:
            continue  # "the budget for 2025 ... this year": the named year says it
        result.append(_YearOption(year, high, relative, label, source, frozenset(features)))
    return result


def _split_names(actor: str) -> list[str]:
    return [n for n in re.split(r",\s+|\s+and\s+", actor) if n]


def _actor_options(candidate: _Candidate, title: Document | None) -> list[_ActorOption]:
    document, sentence, verdict = candidate.document, candidate.sentence, candidate.verdict
    q, text = verdict.quantity, document.text
    options: dict[str, set[str]] = defaultdict(set)
    mentions = document.mentions_in(sentence.start, sentence.end)
    named = [m for m in mentions if m.name]
    before = [m for m in named if m.end <= q.start]
    after = [m for m in named if m.start >= q.end]
    last_before = before[-1] if before else None
    listed: set[str] = set()
    if last_before is not None:
        index = mentions.index(last_before)
        listed = set(coordinated_before(text, mentions, index))
    asides = [m.span() for m in rules.ASIDE.finditer(text, sentence.start, q.start)]

    def names_of(name: str) -> list[tuple[str, bool]]:
        members = _GROUP_MEMBERS.get(name)
        return [(member, True) for member in members] if members else [(name, False)]

    for rank, m in enumerate(named):
        where = "before" if m.end <= q.start else "after" if m.start >= q.end else "inside"
        distance = q.start - m.end if where == "before" else m.start - q.end
        for name, from_group in names_of(m.name):
            f = options[name]
            f.add(f"sent:{where}")
            f.add(f"sent_dist:{where}_{_bin(max(distance, 0), (10, 30, 60, 120))}")
            f.add(f"kind:{m.kind}")
            f.add(f"gov:{m.governor}" if m.governor else "gov:none")
            if m.possessive:
                f.add("possessive")
            if not m.is_subject_like:
                f.add("not_subject")
            if m is last_before:
                f.add("last_before")
            if after and m is after[0]:
                f.add("first_after")
            if rank == 0:
                f.add("first_in_sentence")
            if m.name in listed:
                f.add("listed")
            if from_group:
                f.add("from_group")
            if any(a <= m.start < b for a, b in asides):
                f.add("in_aside")
            if rules.TARGET_OWNER_AFTER.match(text, m.end):
                f.add("owns_target")
            if m.kind == "org" and m.governor in ("in", "among", "within", "of", "across"):
                f.add("org_set")
    for name, features in document.memo(("learned_actor_previous", sentence.index),
                                        lambda: _previous_actor_features(document, sentence)).items():
        options[name].update(features)
    if title is not None and title is not document:
        for m in title.mentions:
            if m.name:
                for name, _ in names_of(m.name):
                    options[name].add("title")
    elif sentence.index > 0 and document.sentences[0].is_headline_like:
        first = document.sentences[0]
        for m in document.mentions_in(first.start, first.end):
            if m.name:
                for name, _ in names_of(m.name):
                    options[name].add("title")
    rule_claim = verdict.claim
    if rule_claim is not None and rule_claim.actor:
        rule_names = _split_names(rule_claim.actor)
        stated = rule_claim.details.get("actor_stated")
    else:
        rule_actor, stated = rules._actor(document, sentence, q, verdict.context.clause, None, False)
        rule_names = _split_names(rule_actor) if rule_actor else []
    for name in rule_names:
        for member, _ in names_of(name):
            options[member].add("rule_actor" if verdict.claim is not None else "rule_actor_unaccepted")
            options[member].add(f"rule_stated:{bool(stated)}")
            if len(rule_names) > 1:
                options[member].add("rule_list")
    focus = document.focus_country(q.start)
    if focus:
        options[focus].add("focus")
    options["NATO"].add("nato_default")
    counts, most = document.memo("learned_actor_counts", lambda: _actor_counts(document))
    sentence_cues = document.memo(("learned_actor_cues", sentence.index), lambda: [
        label for label, pattern in (("all_allies", _ALL_ALLIES), ("advocacy", rules.ADVOCACY), ("hedge", _HEDGE))
        if pattern.search(sentence.text)])
    left = _tokens(text[max(sentence.start, q.start - 60) : q.start])[-5:]
    result = []
    for name in sorted(options):
        f = options[name]
        f.add(f"doc_count:{_bin(counts.get(name, 0), (1, 2, 4, 8))}")
        if counts.get(name, 0) == most and most:
            f.add("most_named")
        group = "nato" if name == "NATO" else "eu" if name == "EU" else "group" if name in GROUPS else "country"
        f.add(f"is:{group}")
        if group in ("nato", "eu", "group"):
            f.update(f"{group}&{x}" for x in list(f) if not x.startswith(("is:", "nato&", "eu&", "group&")))
            f.update(f"{group}&cue:{c}" for c in sentence_cues)
            f.update(f"{group}&L:{t}" for t in left)
        result.append(_ActorOption(name, frozenset(f)))
    return result


def _names_of(name: str) -> list[tuple[str, bool]]:
    members = _GROUP_MEMBERS.get(name)
    return [(member, True) for member in members] if members else [(name, False)]


def _previous_actor_features(document: Document, sentence: Sentence) -> dict[str, frozenset[str]]:
    """The actors named in the sentences before one, with where (shared by the figures of the sentence)."""
    options: dict[str, set[str]] = defaultdict(set)
    for step in range(1, _PREVIOUS_SENTENCES + 1):
        index = sentence.index - step
        if index < 0:
            break
        other = document.sentences[index]
        for rank, m in enumerate(x for x in document.mentions_in(other.start, other.end) if x.name):
            for name, from_group in _names_of(m.name):
                f = options[name]
                f.add(f"prev:{step}")
                if m.is_subject_like:
                    f.add(f"prev_subject:{step}")
                if rank == 0:
                    f.add(f"prev_first:{step}")
                if from_group:
                    f.add("from_group_prev")
    return {name: frozenset(f) for name, f in options.items()}


def _actor_counts(document: Document) -> tuple[dict[str, int], int]:
    """How often each actor is named in the document, and the most often any is."""
    counts: dict[str, int] = defaultdict(int)
    for m in document.mentions:
        if m.name:
            for name, _ in _names_of(m.name):
                counts[name] += 1
    return counts, max(counts.values(), default=0)


def _add_options(candidate: _Candidate, title: Document | None) -> None:
    candidate.years = _year_options(candidate, title)
    candidate.actors = _actor_options(candidate, title)


def _kind_features(candidate: _Candidate, year: _YearOption) -> frozenset[str]:
    published = candidate.document.published
    features = set(candidate.features)
    features.add(f"year_diff:{'relative' if year.relative else _year_diff(year.year, published)}")
    for f in year.features:
        if f.startswith(("prev:", "src:", "where:")):
            features.add(f"year_{f}")
    if year.year_high is not None:
        features.add("year_period")
    return frozenset(features)


# -- the model ------------------------------------------------------------------------------------

def _numbers(claim: dict[str, Any]) -> tuple:
    value, high = claim.get("value"), claim.get("value_high")
    return (claim.get("unit"), None if value is None else round(float(value), 6),
            None if high is None else round(float(high), 6))


def _normalise_actor(actor: str | None) -> str | None:
    from analysis.evaluate import normalise_actor  # the scorer's notion of the same actor

    return normalise_actor(actor)


class SpendingModel:
    """Defence-spending claims decided by four linear models over candidates the rules propose.

    ``C`` is the inverse L2 strength of the claim and kind regressions, ``C_options`` of the year
    ranker and ``C_actor`` of the actor ranker (fewer, denser features); ``threshold`` the probability a
    candidate needs to be a claim; ``min_count`` the rows a feature must occur in to be kept.
    """

    def __init__(self, *, random_state: int = 0, C: float = 1.0, C_options: float = 3.0, C_actor: float = 0.3,
                 threshold: float = 0.5, min_count: int = 2):
        self.random_state = random_state
        self.C = C
        self.C_options = C_options
        self.C_actor = C_actor
        self.threshold = threshold
        self.min_count = min_count

    # -- fitting ----------------------------------------------------------------------------------

    def fit(self, records: Sequence[dict]) -> SpendingModel:
        """Fit on gold records (``analysis.evaluate.read_gold``): title, text, published, claims."""
        rows: dict[str, tuple[list[frozenset[str]], list[bool]]] = {name: ([], []) for name in ("claim", "kind")}
        groups: dict[str, list[tuple[list[frozenset[str]], list[bool]]]] = {"year": [], "actor": []}
        for record in records:
            body, title = _documents(record.get("title"), record["text"], record.get("published"))
            candidates = self._prepare(body, title)
            for candidate, golds, restated in _label(candidates, body, record.get("claims") or []):
                # a figure stated again is still a claimed level: restatements are merged after deciding
                rows["claim"][0].append(candidate.features)
                rows["claim"][1].append(bool(golds or restated))
                if not golds:
                    if restated:
                        rows["kind"][0].append(_kind_features(candidate, candidate.years[0]))
                        rows["kind"][1].append(restated[0].get("kind") == "target")
                    continue
                gold = golds[0]
                gold_year = (gold.get("year"), gold.get("year_high"))
                right = [option.key == gold_year for option in candidate.years]
                groups["year"].append(([o.features for o in candidate.years], right))
                chosen = next((o for o, r in zip(candidate.years, right) if r and not o.relative), candidate.years[0])
                rows["kind"][0].append(_kind_features(candidate, chosen))
                rows["kind"][1].append(gold.get("kind") == "target")
                gold_actors = {_normalise_actor(g.get("actor")) for g in golds}
                groups["actor"].append(([o.features for o in candidate.actors],
                                        [_normalise_actor(o.name) in gold_actors for o in candidate.actors]))
        fit = {"C": self.C, "random_state": self.random_state, "min_count": self.min_count}
        self.models_ = {
            "claim": _fit_linear(*rows["claim"], **fit),
            "year": _fit_ranker(groups["year"], **{**fit, "C": self.C_options}),
            "kind": _fit_linear(*rows["kind"], **fit),
            "actor": _fit_ranker(groups["actor"], **{**fit, "C": self.C_actor}),
        }
        self.n_training_rows_ = {"claim": len(rows["claim"][1]), "kind": len(rows["kind"][1]),
                                 "year": len(groups["year"]), "actor": len(groups["actor"])}
        return self

    def _prepare(self, body: Document, title: Document | None, *, options: bool = True) -> list[_Candidate]:
        """The candidates of an item with their claim features (and their year and actor options)."""
        candidates = _candidates(body, title=title, in_title=False)
        if title is not None:
            candidates = _candidates(title, title=None, in_title=True) + candidates
        seen: dict[tuple, int] = defaultdict(int)
        by_sentence: dict[tuple[bool, int], list[_Candidate]] = defaultdict(list)
        for candidate in candidates:
            by_sentence[(candidate.in_title, candidate.sentence.index)].append(candidate)
        for candidate in candidates:
            siblings = by_sentence[(candidate.in_title, candidate.sentence.index)]
            candidate.features = _claim_features(candidate, seen, siblings.index(candidate), len(siblings))
            seen[candidate.numbers] += 1
            if options:
                _add_options(candidate, title)
        return candidates

    # -- predicting -------------------------------------------------------------------------------

    def extract(self, *, title: str | None, text: str, published: date | None = None) -> list[Claim]:
        """The spending claims of an item; a claim found only in the title has ``details["in_title"]``."""
        body, title_document = _documents(title, text, published)
        return self.claims_from_documents(body, title_document)

    def claims_from_documents(self, body: Document, title: Document | None) -> list[Claim]:
        """As ``extract``, for documents already prepared (the other extractors share ``body``)."""
        self._check_fitted()
        if not body.contains(rules.TRIGGER) and (title is None or not title.contains(rules.TRIGGER)):
            return []
        claim_model, year_model = self.models_["claim"], self.models_["year"]
        kind_model, actor_model = self.models_["kind"], self.models_["actor"]
        threshold = math.log(self.threshold / (1 - self.threshold))
        accepted: list[tuple[float, _Candidate, Claim]] = []
        for candidate in self._prepare(body, title, options=False):
            score = claim_model.score(candidate.features)
            if score < threshold:
                continue
            _add_options(candidate, title)
            year = _stated_year(candidate.years) or max(candidate.years, key=lambda o: year_model.score(o.features))
            kind = "target" if kind_model.score(_kind_features(candidate, year)) >= 0 else "actual"
            scored = sorted(((actor_model.score(o.features), o) for o in candidate.actors),
                            key=lambda item: (-item[0], item[1].name))
            actors = [scored[0][1].name] if scored else [None]
            if scored:  # "Estonia, Latvia and Lithuania pledged 5 %": each member of the chosen list
                lists = scored[0][1].features & _LIST_TAGS
                actors += [o.name for _, o in scored[1:] if o.features & lists]
            for actor in actors:
                accepted.append((score, candidate, _claim(candidate, year, kind, actor, None, score)))
        # speakers only for the claims kept: attributing a quote is the costliest step per figure
        speakers: dict[int, Any] = {}
        claims = []
        for candidate, claim in _without_restatements(accepted):
            key = id(candidate)
            if key not in speakers:
                speakers[key] = candidate.document.speaker(candidate.sentence, candidate.quantity.start)
            found = speakers[key]
            claims.append(replace(claim, speaker=found.speaker) if found and found.speaker else claim)
        return claims

    # -- persistence -------------------------------------------------------------------------------

    def to_parts(self) -> tuple[dict, dict[str, np.ndarray]]:
        """JSON-able meta and named numeric or string arrays: everything ``from_parts`` needs."""
        self._check_fitted()
        import sklearn

        meta = {
            "format": "flankwatch.spending_model", "format_version": FORMAT_VERSION,
            "params": {"random_state": self.random_state, "C": self.C, "C_options": self.C_options,
                       "C_actor": self.C_actor,
                       "threshold": self.threshold,
                       "min_count": self.min_count},
            "n_training_rows": dict(self.n_training_rows_), "sklearn_version": sklearn.__version__,
        }
        arrays: dict[str, np.ndarray] = {}
        for name in MODEL_NAMES:
            arrays.update(self.models_[name].to_arrays(name))
        return meta, arrays

    @classmethod
    def from_parts(cls, meta: dict, arrays: dict[str, np.ndarray]) -> SpendingModel:
        if meta.get("format") != "flankwatch.spending_model" or meta.get("format_version") != FORMAT_VERSION:
            raise ValueError(
                f"spending model: format {meta.get('format')!r} version {meta.get('format_version')!r} is not "
                f"flankwatch.spending_model version {FORMAT_VERSION}; refit the model with this version"
            )
        missing = [f"{n}_{part}" for n in MODEL_NAMES for part in ("names", "coef", "intercept")
                   if f"{n}_{part}" not in arrays]
        if missing:
            raise ValueError(f"spending model: arrays {', '.join(missing)} are missing")
        model = cls(**meta["params"])
        model.models_ = {name: _Linear.from_arrays(arrays, name) for name in MODEL_NAMES}
        model.n_training_rows_ = dict(meta.get("n_training_rows", {}))
        return model

    def _check_fitted(self) -> None:
        if not hasattr(self, "models_"):
            raise RuntimeError("SpendingModel is not fitted: call fit(records) or load one with from_parts")


def _documents(title: str | None, text: str, published: date | datetime | None) -> tuple[Document, Document | None]:
    body = Document(text, published=published)
    title = (title or "").strip()
    if not title or begins_with(text, title):
        return body, None
    return body, Document(title, published=body.published)


def _label(candidates: list[_Candidate], body: Document,
           gold_claims: list[dict]) -> list[tuple[_Candidate, list[dict], list[dict]]]:
    """Each candidate, the gold claims it states, and the gold claims whose figure it restates.

    A gold claim belongs to the candidate of the same figure inside its evidence (else the first
    such candidate of the body, else of the title); other candidates of that figure restate it.
    """
    matched: dict[int, list[dict]] = defaultdict(list)
    restated: dict[int, list[dict]] = defaultdict(list)
    for gold in gold_claims:
        numbers = _numbers(gold)
        same = [i for i, c in enumerate(candidates) if c.numbers == numbers]
        if not same:
            continue
        evidence = gold.get("evidence") or ""
        start = body.text.find(evidence) if evidence else -1
        inside = [i for i in same if not candidates[i].in_title and start >= 0
                  and start <= candidates[i].quantity.start < start + len(evidence)]
        pick = (inside or [i for i in same if not candidates[i].in_title] or same)[0]
        matched[pick].append(gold)  # several gold claims of one figure (one per actor) share it
        for i in same:
            if i != pick:
                restated[i].append(gold)
    return [(c, matched.get(i, []), restated.get(i, [])) for i, c in enumerate(candidates)]


def _claim(candidate: _Candidate, year: _YearOption, kind: str, actor: str | None, speaker, score: float) -> Claim:
    q, sentence, text = candidate.quantity, candidate.sentence, candidate.document.text
    return Claim(
        type="spending",
        evidence=sentence.text,
        start=sentence.start,
        end=sentence.end,
        actor=actor,
        kind=kind,
        value=q.value,
        value_high=q.value_high,
        unit=q.unit,
        year=year.year,
        year_high=year.year_high,
        year_relative=year.relative and year.year is not None,
        speaker=speaker.speaker if speaker else None,
        details={
            "quantity": text[q.start : q.end],
            "quantity_start": q.start,
            "quantity_end": q.end,
            "qualifier": q.qualifier,
            "year_text": year.text or None,
            "year_source": year.source,
            "probability": round(1 / (1 + math.exp(-score)), 4),
            **({"in_title": True} if candidate.in_title else {}),
        },
    )


def _own_sentence(claim: Claim) -> bool:
    return claim.details.get("year_source") in ("tail", "before", "after")


def _without_restatements(accepted: list[tuple[float, _Candidate, Claim]]) -> list[tuple[_Candidate, Claim]]:
    """One claim per figure and actor, unless its own sentences date it differently; body before title.

    A figure stated again (the headline and the body, a summary at the end) is one claim: the
    statements that date it in their own sentence are kept (one per year), else the most confident.
    """
    groups: dict[tuple, list[tuple[float, _Candidate, Claim]]] = defaultdict(list)
    for item in accepted:
        claim = item[2]
        groups[(claim.unit, claim.value, claim.value_high, claim.actor)].append(item)
    claims: list[tuple[_Candidate, Claim]] = []
    for items in groups.values():
        items.sort(key=lambda item: (item[1].in_title, -item[0]))
        dated = [item for item in items if _own_sentence(item[2]) and not item[2].year_relative]
        if dated:
            years: set[tuple] = set()
            for _, candidate, claim in dated:
                if (claim.year, claim.year_high) not in years:
                    years.add((claim.year, claim.year_high))
                    claims.append((candidate, claim))
        else:
            claims.append(items[0][1:])
    claims.sort(key=lambda item: (not item[1].details.get("in_title", False), item[1].start,
                                  item[1].details["quantity_start"]))
    return claims

"""One text being read for claims: sentences, actor mentions, people and quotes, each computed once.

Every extractor reads the same ``Document``; nothing is computed until an extractor asks for it,
so a text without a single candidate number costs one pattern search.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable
from collections import Counter
from datetime import date, datetime
from functools import cached_property
from typing import Any

from analysis.claims.actors import ActorMention, find_mentions
from analysis.claims.patterns import Anchored
from analysis.claims.sentences import Sentence, enclosing_span, quote_spans, split_sentences
from analysis.claims.speakers import Attribution, People, attribute, headline_speaker

_HOSTILITY_AFTER = re.compile(
    r"(?:'s|’s)?\s+(?:(?:full-scale|ongoing|brutal|illegal|unprovoked|continued)\s+)*"
    r"(?:war|invasion|aggression|attacks?|onslaught|occupation)\b",
    re.I,
)
_COUNTRY_KINDS = ("country", "demonym", "capital")
_SUBJECT_REACH = 60  # a country named this close to the start of its sentence is its subject
_SPEAKER_REACH = 300  # a speech verb this far from a figure can still be its attribution


def begins_with(text: str, title: str) -> bool:
    """Does ``text`` begin with ``title``, ignoring case and runs of white space?

    The same as ``" ".join(text.split()).casefold().startswith(...)`` for the title, reading only
    as much of the text as the title needs (a prefix's normal form is a prefix of the text's).
    """
    wanted = " ".join(title.split()).casefold()
    size = 2 * len(title) + 64
    while True:
        head = " ".join(text[:size].split()).casefold()
        if len(head) >= len(wanted) or size >= len(text):
            return head.startswith(wanted)
        size *= 2


class Document:
    """A text and its publication date, with lazily computed structure shared by the extractors."""

    def __init__(self, text: str, *, published: date | None = None):
        if not isinstance(text, str):
            raise TypeError(f"claims: text must be a str, not {type(text).__name__}")
        if isinstance(published, datetime):
            published = published.date()
        elif published is not None and not isinstance(published, date):
            raise TypeError(
                f"claims: published must be a datetime.date, a datetime or None, not {type(published).__name__} "
                f"({published!r}); parse ISO strings with date.fromisoformat first"
            )
        self.text = text
        self.published = published
        self._triggered: dict[re.Pattern[str], list[Sentence]] = {}
        self._memo: dict[Hashable, Any] = {}

    def memo(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """A per-document fact an extractor computes once (e.g. "is this text about defence spending")."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @cached_property
    def lowered(self) -> str:
        """The lower-cased text the cheap trigger patterns run on."""
        return self.text.lower()

    def contains(self, trigger: re.Pattern[str] | Anchored) -> bool:
        """Does the lower-cased text hold a match of a (lower-case) trigger pattern?"""
        if trigger in self._triggered:
            return bool(self._triggered[trigger])
        return self._first_match(trigger) is not None

    def _first_match(self, trigger: re.Pattern[str] | Anchored) -> re.Match[str] | None:
        key = ("contains", trigger)
        if key not in self._memo:
            if isinstance(trigger, Anchored):
                starts = self._match_starts(trigger)
                self._memo[key] = trigger.match(self.lowered, starts[0]) if starts else None
            else:
                self._memo[key] = trigger.search(self.lowered)
        return self._memo[key]

    def _match_starts(self, trigger: Anchored) -> list[int]:
        """Where an anchored trigger matches in the lower-cased text (found once, for every question)."""
        key = ("starts", trigger)
        if key not in self._memo:
            self._memo[key] = trigger.starts(self.lowered)
        return self._memo[key]

    def sentence_contains(self, sentence: Sentence, trigger: re.Pattern[str]) -> bool:
        """Does one sentence hold a match of a trigger pattern (as ``sentences_with`` would find it)?"""
        if len(self.lowered) != len(self.text):
            return trigger.search(sentence.text.lower()) is not None
        return trigger.search(self.lowered, sentence.start, sentence.end) is not None

    def sentences_with(self, trigger: re.Pattern[str] | Anchored) -> list[Sentence]:
        """The sentences holding a match of a trigger pattern, from one scan of the text."""
        if trigger not in self._triggered:
            if len(self.lowered) != len(self.text):  # lower() changed offsets: test sentence by sentence
                found = [s for s in self.sentences if trigger.search(s.text.lower())]
            elif isinstance(trigger, Anchored):  # the same walk as below, over the positions found at once
                found = []
                position = 0
                for start in self._match_starts(trigger):
                    if start < position:
                        continue
                    index = bisect_right(self._sentence_starts, start) - 1
                    if index >= 0 and start < self.sentences[index].end:
                        found.append(self.sentences[index])
                        position = self.sentences[index].end
                    else:
                        position = trigger.match(self.lowered, start).end()
            else:
                found = []
                position = 0
                match = self._first_match(trigger)  # found once, for contains() too
                while match is not None:
                    index = bisect_right(self._sentence_starts, match.start()) - 1
                    if index >= 0 and match.start() < self.sentences[index].end:
                        found.append(self.sentences[index])
                        position = self.sentences[index].end  # one hit is enough: go to the next sentence
                    else:
                        position = match.end()
                    match = trigger.search(self.lowered, position)
            self._triggered[trigger] = found
        return self._triggered[trigger]

    @cached_property
    def sentences(self) -> list[Sentence]:
        return split_sentences(self.text)

    @cached_property
    def _sentence_starts(self) -> list[int]:
        return [s.start for s in self.sentences]

    @cached_property
    def mentions(self) -> list[ActorMention]:
        return find_mentions(self.text)

    @cached_property
    def _mention_starts(self) -> list[int]:
        return [m.start for m in self.mentions]

    @cached_property
    def people(self) -> People:
        return People(self.text)

    @cached_property
    def _quotes(self) -> tuple[list[tuple[int, int]], list[int]]:
        spans = quote_spans(self.text)
        return spans, [start for start, _ in spans]

    @cached_property
    def _subject_countries(self) -> list[tuple[int, str]]:
        """Countries named as a sentence subject (or possessor), in order: the discourse focus."""
        found: list[tuple[int, str]] = []
        for sentence in self.sentences:
            for mention in self.mentions_in(sentence.start, sentence.end):
                if mention.kind not in _COUNTRY_KINDS or not mention.name or not mention.is_subject_like:
                    continue
                if mention.kind == "capital" and mention.governor in ("in", "at"):
                    continue
                if _HOSTILITY_AFTER.match(self.text, mention.end):
                    continue  # "Russia's war against Ukraine": the aggressor, not the subject spending
                if mention.possessive or mention.start - sentence.start <= _SUBJECT_REACH:
                    found.append((mention.start, mention.name))
        return found

    @cached_property
    def _subject_positions(self) -> list[int]:
        return [position for position, _ in self._subject_countries]

    @cached_property
    def _most_named_country(self) -> str | None:
        counts = Counter(m.name for m in self.mentions if m.kind in _COUNTRY_KINDS and m.name)
        return counts.most_common(1)[0][0] if counts else None

    # -- look-ups ---------------------------------------------------------------------------------

    def sentence_before(self, sentence: Sentence, steps: int = 1) -> Sentence | None:
        index = sentence.index - steps
        return self.sentences[index] if index >= 0 else None

    def mentions_in(self, start: int, end: int) -> list[ActorMention]:
        lo = bisect_left(self._mention_starts, start)
        hi = bisect_left(self._mention_starts, end)
        return [m for m in self.mentions[lo:hi] if m.end <= end]

    def quote_at(self, position: int) -> tuple[int, int] | None:
        spans, starts = self._quotes
        return enclosing_span(spans, starts, position)

    def focus_country(self, position: int) -> str | None:
        """The country the text is about at ``position``: the last one named as a subject."""
        index = bisect_right(self._subject_positions, position) - 1
        if index >= 0:
            return self._subject_countries[index][1]
        return self._most_named_country

    def speaker(self, sentence: Sentence, position: int) -> Attribution | None:
        """Who the words at ``position`` are credited to, looking past the sentence for quotes."""
        if sentence.is_headline_like:
            found = headline_speaker(sentence.text, self.people)
            if found is not None:
                return found
        start, end = max(sentence.start, position - _SPEAKER_REACH), min(sentence.end, position + _SPEAKER_REACH)
        found = attribute(self.text, self.people, start, end, near=position)
        if found is not None:
            return found
        quote = self.quote_at(position)
        if quote is None:
            return None
        after_end = self._sentence_end_after(quote[1])
        found = attribute(self.text, self.people, quote[1], after_end)
        if found is None:
            before = self.sentence_before(sentence)
            before_start = before.start if before is not None else sentence.start
            found = attribute(self.text, self.people, min(before_start, quote[0]), quote[0])
        return found

    def _sentence_end_after(self, position: int) -> int:
        index = bisect_right(self._sentence_starts, position) - 1
        if 0 <= index < len(self.sentences):
            sentence = self.sentences[index]
            if sentence.end - position < 3 and index + 1 < len(self.sentences):
                return self.sentences[index + 1].end
            return sentence.end
        return min(len(self.text), position + 120)

    def resolve(self, mention: ActorMention, sentence: Sentence, *, speaker: Attribution | None) -> str | None:
        """The actor a mention stands for: its name, or the country a pronoun or anaphor refers to."""
        if mention.name is not None:
            return mention.name
        speaker_country = speaker.person.nationality if speaker and speaker.person else None
        if mention.kind == "pronoun":
            return speaker_country or self.focus_country(mention.start)
        earlier = [
            m for m in self.mentions_in(sentence.start, mention.start)
            if m.name and m.is_subject_like and (mention.kind == "possessive_pronoun" or m.kind in _COUNTRY_KINDS)
        ]
        if earlier:
            return earlier[0].name
        if mention.kind == "anaphor" and speaker_country:
            return speaker_country
        return self.focus_country(mention.start)

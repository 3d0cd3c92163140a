"""Sentences and quotations of a text, as exact character spans.

Claims cite the sentence they come from by offsets into the item text, so splitting never
rewrites the text: a sentence is a (start, end) span with ``text[start:end] == sentence.text``.
Headlines and captions without a final full stop are sentences of their own (one per line).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

_ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "maj", "capt", "cpt", "sgt", "adm", "brig",
    "st", "no", "nos", "vs", "etc", "approx", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "inc", "ltd", "co", "corp", "jr", "sr", "rep", "sen", "gov", "cf",
    "fig", "mt", "ft", "est", "dept", "govt", "min", "pres", "e.g", "i.e", "u.s", "u.k", "u.n", "a.m",
    "p.m", "ca",
})
# A full stop, question or exclamation mark (with closing quotes or brackets) before white space
# and a capital letter, a digit or an opening quote.
_END = re.compile(r"""[.!?]+["'”’»)\]]*(?=\s+["'“‘«(\[]?[A-Z0-9À-ÖØ-ÞĀ-Ž])""")
_LINE = re.compile(r"[^\n]+")
_WORD_BEFORE = re.compile(r"(?<![\w.])([\w.]+)$")
_ALNUM = re.compile(r"[^\W_]")  # a letter or a digit: str.isalnum, one character
_QUOTE_PAIRS = re.compile(r"“[^”\n]*”|„[^“”\n]*[“”]|«[^»\n]*»|\"[^\"\n]*\"")


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: its span in the text, its position and the paragraph (line) it is on."""

    start: int
    end: int
    text: str
    index: int
    paragraph: int

    @property
    def is_headline_like(self) -> bool:
        """A line without final punctuation: a title, a headline, a subheading or a caption."""
        return not self.text.rstrip("\"'”’»)]").endswith((".", "!", "?", ":"))


def _is_boundary(text: str, line_start: int, stop: int) -> bool:
    """Is the full stop run ending before ``stop`` a sentence end (not "Gen." or "U.S.")?"""
    head = text[max(line_start, stop - 24) : stop].rstrip("\"'”’»)]")
    if not head.endswith("."):
        return True
    word = _WORD_BEFORE.search(head[:-1])
    if word is None:
        return True
    token = word.group(1).lower().rstrip(".")
    if token in _ABBREVIATIONS:
        return False
    return not (len(token) == 1 and token.isalpha())  # an initial: "J. Petraitis"


def split_sentences(text: str) -> list[Sentence]:
    """Split on line breaks and sentence-final punctuation, keeping exact offsets.

    >>> [s.text for s in split_sentences("Lt. Gen. A. Smith spoke.  He left.\\nNew headline")]
    ['Lt. Gen. A. Smith spoke.', 'He left.', 'New headline']
    """
    sentences: list[Sentence] = []
    for paragraph, line in enumerate(_LINE.finditer(text)):
        start = line.start()
        for end in _END.finditer(text, line.start(), line.end()):
            if not _is_boundary(text, line.start(), end.end()):
                continue
            _append(sentences, text, start, end.end(), paragraph)
            start = end.end()
        _append(sentences, text, start, line.end(), paragraph)
    return sentences


def _append(sentences: list[Sentence], text: str, start: int, end: int, paragraph: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start and _ALNUM.search(text, start, end):
        sentences.append(Sentence(start, end, text[start:end], len(sentences), paragraph))


def quote_spans(text: str) -> list[tuple[int, int]]:
    """Spans of quoted speech (curly, low-high, guillemet or straight double quotes) on one line."""
    return [(m.start(), m.end()) for m in _QUOTE_PAIRS.finditer(text)]


def enclosing_span(spans: list[tuple[int, int]], starts: list[int], position: int) -> tuple[int, int] | None:
    """The span of ``spans`` (sorted, with ``starts`` their start offsets) containing ``position``."""
    index = bisect_right(starts, position) - 1
    if index >= 0 and spans[index][0] <= position < spans[index][1]:
        return spans[index]
    return None

"""Compiled patterns with a cheap test in front: the same matches, found without scanning in vain.

Most searches of the claim rules fail, and a failing search of a long alternation costs the
regex engine an attempt at every position. Three wrappers avoid that without changing a match:

* ``Needled``: every match holds one of a few literal strings ("needles"), so a text without any
  of them cannot match and is not searched. Case-insensitive patterns give lower-case ASCII
  needles, looked up in the lower-cased text.
* ``Folded``: a case-insensitive list of words runs case-sensitively on the lower-cased text
  (the engine skips a word at its first letter only when case does not matter); each match is
  then taken again from the original text, so callers see the pattern's own match objects.
* ``Anchored``: every match holds a literal at a set distance from its start, so str.find lists
  every place it can match (the spending trigger, asked of every sentence of every text).

Needles and anchors are part of each pattern's definition: every match must hold one of them.
tests/test_claims_patterns.py checks the wrappers against the bare patterns.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# Under re.IGNORECASE these non-ASCII letters match ASCII ones ("ſ" matches "s", "ı" and "İ"
# match "i"), yet str.lower() does not turn them into those letters: a text holding one is searched.
_FOLD_EXCEPTIONS = ("\u0130", "\u0131", "\u017f")


class Needled:
    """A pattern searched only in text that holds one of its needles (all its methods, same results)."""

    __slots__ = ("regex", "pattern", "flags", "needles", "folded")

    def __init__(self, regex: re.Pattern[str], *, needles: tuple[str, ...] = (), folded: tuple[str, ...] = ()):
        if not needles and not folded:
            raise ValueError(f"pattern {regex.pattern[:40]!r}: give needles or folded needles")
        if any(n != n.lower() or not n.isascii() for n in folded):
            raise ValueError(f"pattern {regex.pattern[:40]!r}: folded needles must be lower-case ASCII")
        self.regex = regex
        self.pattern = regex.pattern
        self.flags = regex.flags
        self.needles = needles
        self.folded = folded

    def may_match(self, string: str, pos: int = 0, endpos: int | None = None) -> bool:
        """False when no match can lie in string[pos:endpos] (True says only "search it")."""
        end = len(string) if endpos is None else min(endpos, len(string))
        for needle in self.needles:
            if string.find(needle, pos, end) >= 0:
                return True
        if self.folded:
            window = string if pos == 0 and end == len(string) else string[pos:end]
            if "\u0130" in window or "\u0131" in window or "\u017f" in window:  # _FOLD_EXCEPTIONS
                return True
            lowered = window.lower()
            for needle in self.folded:
                if needle in lowered:
                    return True
        return False

    def search(self, string: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        if not self.may_match(string, pos, endpos):
            return None
        return self.regex.search(string, pos) if endpos is None else self.regex.search(string, pos, endpos)

    def match(self, string: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        if not self.may_match(string, pos, endpos):
            return None
        return self.regex.match(string, pos) if endpos is None else self.regex.match(string, pos, endpos)

    def finditer(self, string: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match[str]]:
        if not self.may_match(string, pos, endpos):
            return iter(())
        return self.regex.finditer(string, pos) if endpos is None else self.regex.finditer(string, pos, endpos)


class Folded:
    """A case-insensitive pattern searched case-sensitively in lower-cased text (``search``, ``finditer``).

    Exact because str.lower() keeps every character's length and class (\\w, \\s, \\d) except
    "İ", and because an ASCII letter of the pattern matches exactly the characters that lower-case
    to it, but for the ``_FOLD_EXCEPTIONS``: a text holding one of those is searched as given.
    """

    __slots__ = ("regex", "pattern", "flags", "_lowered")

    def __init__(self, regex: re.Pattern[str]):
        source = regex.pattern
        if not regex.flags & re.IGNORECASE:
            raise ValueError(f"pattern {source[:40]!r} is not case-insensitive: nothing to fold")
        if re.search(r"\\[A-Z]|\(\?[aiLmsux-]", source) or any(c.isalpha() and not c.isascii() for c in source):
            raise ValueError(f"pattern {source[:40]!r}: upper-case escapes, inline flags or non-ASCII letters "
                             "cannot be folded")
        self.regex = regex
        self.pattern = source
        self.flags = regex.flags
        lowered = re.sub(r"\(\?p([<=])", r"(?P\1", source.lower())  # group syntax, not text
        self._lowered = re.compile(lowered, regex.flags & ~re.IGNORECASE)

    def _foldable(self, string: str) -> bool:
        return not ("\u0130" in string or "\u0131" in string or "\u017f" in string)  # _FOLD_EXCEPTIONS

    def search(self, string: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        end = len(string) if endpos is None else min(endpos, len(string))
        if not self._foldable(string):
            return self.regex.search(string, pos, end)
        found = self._lowered.search(string[:end].lower(), pos)  # the prefix keeps every offset
        return None if found is None else self.regex.match(string, found.start(), end)

    def finditer(self, string: str, pos: int = 0, endpos: int | None = None, *,
                 lowered: str | None = None) -> Iterator[re.Match[str]]:
        """``lowered``, if given, is ``string.lower()`` (a document's): not lowered again for each window."""
        end = len(string) if endpos is None else min(endpos, len(string))
        if not self._foldable(string):
            return self.regex.finditer(string, pos, end)
        match = self.regex.match
        if lowered is None or len(lowered) != len(string):
            return (match(string, found.start(), end) for found in self._lowered.finditer(string[:end].lower(), pos))
        return (match(string, found.start(), end) for found in self._lowered.finditer(lowered, pos, end))

    def match(self, string: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        return self.regex.match(string, pos) if endpos is None else self.regex.match(string, pos, endpos)


class Anchored:
    """A pattern whose every match holds one of a few literals at a set distance from its start.

    ``anchors`` are (literal, offset) pairs: a match starting at i holds ``literal`` at i + offset.
    The pattern must not look behind its own first character, so that whether it matches at i does
    not depend on where a search began: then ``starts`` (every position where it matches, found
    with str.find and one anchored match per literal found) says what repeated searches would.
    """

    __slots__ = ("regex", "pattern", "flags", "anchors")

    def __init__(self, regex: re.Pattern[str], *, anchors: tuple[tuple[str, int], ...]):
        self.regex = regex
        self.pattern = regex.pattern
        self.flags = regex.flags
        self.anchors = anchors

    def starts(self, string: str, pos: int = 0, endpos: int | None = None) -> list[int]:
        """Every position in [pos, endpos) where the pattern matches, in order."""
        end = len(string) if endpos is None else min(endpos, len(string))
        match = self.regex.match
        found: set[int] = set()
        for literal, offset in self.anchors:
            at = string.find(literal, pos + offset, end)
            while at >= 0:
                start = at - offset
                if start not in found and match(string, start, end) is not None:
                    found.add(start)
                at = string.find(literal, at + 1, end)
        return sorted(found)

    def search(self, string: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        starts = self.starts(string, pos, endpos)
        if not starts:
            return None
        return self.regex.match(string, starts[0]) if endpos is None else self.regex.match(string, starts[0], endpos)

    def match(self, string: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        return self.regex.match(string, pos) if endpos is None else self.regex.match(string, pos, endpos)

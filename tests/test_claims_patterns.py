"""The pattern wrappers find exactly what their bare patterns find, on real-length text and on edge cases."""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from pathlib import Path

import pytest

from analysis.claims import deployment, learned, migration, numbers, spending
from analysis.claims.document import Document, begins_with
from analysis.claims.patterns import Anchored, Folded, Needled

WRITTEN = Path(__file__).resolve().parent / "eval" / "written.jsonl"
EDGE_CASES = (
    "Lithuania will spend 3 % of GDP on defence in 2026, the DEFENCE MINISTER said.",
    "ſpending on defenſe: Spain's allıes and the İnflation, a budget of 5 pc in 2027-28",
    "If every member spent 3.5 per cent ... 18 of the NATO allies, 2 pct, EUR 1 bn, 4pc and $5",
    "Kelvin: the bank's KONTRACT and the Europe-wide eurobonds, USD 2 billion, dollars",
    "Battalions of F-16s, f-35 and F-X jets; push-back, pushbacks, pushed back; relationships, border guards",
    "BY 2027 Two Hundred TROOPS, by the end of the year, Since March 3, 2024; ΟΔΟΣ IN 2025, in 2024-25",
    "",
)


def _texts() -> list[str]:
    texts = [json.loads(line)["text"] for line in WRITTEN.read_text(encoding="utf-8").splitlines() if line.strip()]
    return texts + list(EDGE_CASES)


def _wrapped() -> list[tuple[str, Needled | Folded | Anchored]]:
    return [(f"{module.__name__}.{name}", value) for module in (spending, learned, deployment, migration, numbers)
            for name, value in vars(module).items() if isinstance(value, (Needled, Folded, Anchored))]


def _windows(text: str) -> list[tuple[int, int | None]]:
    size = len(text)
    return [(0, None), (0, size), (size // 3, None), (size // 4, size // 2), (max(0, size - 60), size)]


def _found(match: re.Match[str] | None):
    return None if match is None else (match.span(), match.groups())


@pytest.mark.parametrize("name,wrapped", _wrapped(), ids=[name for name, _ in _wrapped()])
def test_a_wrapped_pattern_searches_and_iterates_as_the_bare_pattern(name, wrapped) -> None:
    bare = wrapped.regex
    for text in _texts():
        for variant in (text, text.lower()):
            for pos, endpos in _windows(variant):
                args = (variant, pos) if endpos is None else (variant, pos, endpos)
                assert _found(wrapped.search(*args)) == _found(bare.search(*args)), (name, variant[:80], pos, endpos)
                if isinstance(wrapped, (Needled, Folded)):
                    assert [_found(m) for m in wrapped.finditer(*args)] == [_found(m) for m in bare.finditer(*args)]
                if isinstance(wrapped, Folded):  # with the whole text lower-cased once, as a document has it
                    found = wrapped.finditer(*args, lowered=variant.lower())
                    assert [_found(m) for m in found] == [_found(m) for m in bare.finditer(*args)]


_TRIGGERS = {"spending": spending.TRIGGER, "deployment": deployment.TRIGGER, "migration": migration.TRIGGER}


@pytest.mark.parametrize("name", list(_TRIGGERS))
def test_anchored_starts_are_every_position_where_the_pattern_matches(name: str) -> None:
    trigger = _TRIGGERS[name]
    for text in _texts():
        lowered = text.lower()
        assert trigger.starts(lowered) == [i for i in range(len(lowered)) if trigger.regex.match(lowered, i)]


def _sentences_with_bare(document: Document, pattern: re.Pattern[str]) -> list[int]:
    """The scan Document.sentences_with makes with a bare pattern, one search after another."""
    starts = [s.start for s in document.sentences]
    found, position = [], 0
    match = pattern.search(document.lowered)
    while match is not None:
        index = bisect_right(starts, match.start()) - 1
        if index >= 0 and match.start() < document.sentences[index].end:
            found.append(index)
            position = document.sentences[index].end
        else:
            position = match.end()
        match = pattern.search(document.lowered, position)
    return found


@pytest.mark.parametrize("name", list(_TRIGGERS))
def test_the_trigger_picks_the_same_sentences_as_a_scan_with_the_bare_pattern(name: str) -> None:
    trigger = _TRIGGERS[name]
    for text in _texts():
        document = Document(text)
        if len(document.lowered) != len(text):
            continue
        assert [s.index for s in document.sentences_with(trigger)] == _sentences_with_bare(document, trigger.regex)
        assert document.contains(trigger) == (trigger.regex.search(document.lowered) is not None)


@pytest.mark.parametrize("text,title", [
    ("Estonia to spend 3 %   of GDP.\nThe cabinet met.", "ESTONIA to spend 3 % of GDP"),
    ("Straße  der Verteidigung", "STRASSE der"),
    (" " * 500 + "Latvia\n\n\tbuys  tanks " + "x" * 300, "latvia buys tanks"),
    ("Latvia buys tanks", "Latvia buys tanks and guns"),
    ("Latvia buys", ""),
    ("A" * 1000, "a" * 999 + " b"),
])
def test_begins_with_is_the_normal_form_comparison(text: str, title: str) -> None:
    def normal(value: str) -> str:
        return " ".join(value.split()).casefold()

    assert begins_with(text, title) == normal(text).startswith(normal(title))


def test_folded_refuses_patterns_it_cannot_fold() -> None:
    with pytest.raises(ValueError, match="not case-insensitive"):
        Folded(re.compile("defence"))
    with pytest.raises(ValueError, match="upper-case escapes"):
        Folded(re.compile(r"\bdefence\S", re.I))


def test_mentions_grouped_by_first_character_match_as_the_flat_alternation() -> None:
    from analysis.claims import actors

    flat = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(set(actors.SURFACES), key=len, reverse=True))
    bare = re.compile(actors.MENTION.pattern.replace(actors._alternation(list(actors.SURFACES)), flat))
    assert bare.pattern != actors.MENTION.pattern
    names = list(actors.SURFACES)
    texts = _texts() + [" ".join(names) + ". " + ", ".join(f"the {n}'s" for n in names) + " US-led, E U"]
    for text in texts:
        for position in range(len(text)):
            mention, expected = actors.MENTION.match(text, position), bare.match(text, position)
            assert _found(mention) == _found(expected), (text[position : position + 40], position)


def test_speaker_patterns_starting_at_a_capital_match_as_the_look_behind_forms() -> None:
    from analysis.claims import speakers as s

    bare = {
        "_NAME_SAYS": re.compile(s._NAME_SAYS.pattern.replace(
            f"(?P<name>[{s._UPPER}]{s._NOT_AFTER_WORD}{s._NAME_REST})", rf"(?<![\w.])(?P<name>{s.NAME})")),
        "_SURNAME_SAYS": re.compile(s._SURNAME_SAYS.pattern.replace(
            f"(?P<surname>[{s._UPPER}]{s._NOT_AFTER_WORD}{s._TOKEN_REST})", rf"(?<![\w.])(?P<surname>{s._TOKEN})")),
        "_SAYS_NAME": re.compile(s._SAYS_NAME.pattern.replace(
            r"(?:s(?<!\w.)(?:aid|ays)|t(?<!\w.)old|a(?<!\w.)ccording\s+to)", r"\b(?:said|says|told|according\s+to)")),
        "ROLE": re.compile(s.ROLE.pattern.replace(r"[Tt](?<!\w.)h(?:e|is|at)\s+", r"\b(?:[Tt]he|[Tt]his|[Tt]hat)\s+")),
        "PRONOUN": re.compile(r"\b(?:[Hh]e|[Ss]he)\b"),
    }
    texts = _texts() + [
        "J. K. Petraitis said; A.B. Cdef said x; said J.Petraitis-Smith; xSaid Bob; .Anna said; _Anna said",
        "according to Prime Minister Anna Berzina, Anna Berzina (Reform) told, O’Brien-Smith, the defence minister,",
        "Ābols said. Ž. Šimkus-Ėlė told reporters. unsaid Tom, saidx",
        "He said she, The Latvian defence minister; the president, This commander; ashe, theHe, ahe, Shell, _he",
    ]
    for name, pattern in bare.items():
        wrapped = getattr(s, name)
        assert pattern.pattern != wrapped.pattern, name
        for text in texts:
            assert [_found(m) for m in wrapped.finditer(text)] == [_found(m) for m in pattern.finditer(text)], name
            for position in range(len(text)):
                assert _found(wrapped.match(text, position)) == _found(pattern.match(text, position)), (name, position)


def test_a_full_name_is_found_as_the_per_surname_pattern_finds_it() -> None:
    from analysis.claims import speakers as s

    texts = _texts() + ["Jonas  Petraitis said; x.Jonas Petraitis", "Ab-Cd Smith-Jones Smith; Smith Smith Smith",
                        "Ana\u00a0Smith said, A\tSmith_ and Ana Smith2 or Ana\n\nSmith."]
    for text in texts:
        for surname in set(re.findall(r"[A-ZÀ-Ž][\w'’-]*", text)) | {"Smith", "Petraitis"}:
            expected = re.search(rf"(?<![\w.])({s._TOKEN}\s+){re.escape(surname)}(?![\w])", text)
            assert s._full_name(text, surname) == (expected.group(0) if expected else None), (surname, text[:60])

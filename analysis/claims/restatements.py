"""A figure in a headline and again in the body is one claim, kept in its more specific form."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from analysis.claims.document import Document
from analysis.model import Claim


def without_headline_restatements(claims: Iterable[Claim], document: Document) -> Iterator[Claim]:
    """Drop a headline's claim when the body states the same figure for the same actor.

    Only headline-like lines (titles, subheadings) are dropped: two body sentences with the same
    number are usually two events ("150 on Monday ... 150 on Tuesday").
    """
    claims = list(claims)
    if not claims:
        return iter(())
    headline_starts = {s.start for s in document.sentences if s.is_headline_like}
    dropped: set[int] = set()
    for index, claim in enumerate(claims):
        if claim.start not in headline_starts or claim.value is None:
            continue
        for other in claims:
            if other is claim or other.start in headline_starts or other.value != claim.value:
                continue
            if claim.actor is None or other.actor is None or claim.actor == other.actor:
                dropped.add(index)
                break
    return (claim for index, claim in enumerate(claims) if index not in dropped)

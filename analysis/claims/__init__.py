"""Claims: quantified statements found in item text, one extractor per claim type.

``EXTRACTORS`` is the table of claim types; adding a type is adding a row (and its module and
test module). ``extract_claims`` runs every row over a text and returns the claims in text
order; ``claims_frame`` turns claims per item into the rows of the store's claims table.

Relative years: a claim whose year came from "next year" or "this year" carries the resolved
year (when the publication date is known) with ``year_relative=True``. The evaluation corpus
leaves such years null, so a comparison against it must treat the year of a ``year_relative``
claim as null.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis.claims.deployment import TRIGGER as DEPLOYMENT_TRIGGER
from analysis.claims.deployment import deployment_claims, extract_deployment
from analysis.claims.document import Document, begins_with
from analysis.claims.migration import TRIGGER as MIGRATION_TRIGGER
from analysis.claims.migration import extract_migration, migration_claims
from analysis.claims.patterns import Anchored
from analysis.claims.spending import TRIGGER as SPENDING_TRIGGER
from analysis.claims.spending import extract_spending, spending_claims
from analysis.model import Claim, ClaimType
from analysis.store import CLAIM_COLUMNS

if TYPE_CHECKING:
    from analysis.claims.learned import SpendingModel

__all__ = ["CLAIM_FRAME_COLUMNS", "EXTRACTORS", "ClaimExtractor", "claims_frame", "extract_claims", "extractor"]


@dataclass(frozen=True, slots=True)
class ClaimExtractor:
    """One claim type: what it is, the cheap test a text must pass, and the extractors."""

    type: ClaimType
    label: str
    description: str
    trigger: re.Pattern[str] | Anchored  # searched in the lower-cased text
    extract: Callable[..., Iterator[Claim]]  # (text, *, published=None)
    from_document: Callable[[Document], Iterator[Claim]]


EXTRACTORS: tuple[ClaimExtractor, ...] = (
    ClaimExtractor(
        type="spending",
        label="Defence spending",
        description="A defence-spending level pledged or reached: share of GDP or a sum, by year.",
        trigger=SPENDING_TRIGGER,
        extract=extract_spending,
        from_document=spending_claims,
    ),
    ClaimExtractor(
        type="deployment",
        label="Force deployment",
        description="Forces a nation sends or stations abroad: size, unit, place and period.",
        trigger=DEPLOYMENT_TRIGGER,
        extract=extract_deployment,
        from_document=deployment_claims,
    ),
    ClaimExtractor(
        type="migration",
        label="Irregular migration",
        description="Counts of irregular border crossings, attempts, people stopped or asylum requests.",
        trigger=MIGRATION_TRIGGER,
        extract=extract_migration,
        from_document=migration_claims,
    ),
)

# On the lower-cased text: nothing to extract without a digit, a number word or "a brigade".
_ANY_NUMBER = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    r"hundred|thousand|million|billion|trillion|dozen|percent|per cent)\b|\ban? (?:[\w-]+ ){0,3}?(?:brigade|battalion|battle ?group|"
    r"division|company|squadron|battery|regiment|detachment|contingent)"
)

_DIGIT = re.compile(r"\d")


def _has_number(document: Document) -> bool:
    """``_ANY_NUMBER`` in the text: a digit, the usual case, is found by the quickest scan there is."""
    return _DIGIT.search(document.lowered) is not None or document.contains(_ANY_NUMBER)


# The store's claims table without claim_id, which the pipeline assigns when it writes.
CLAIM_FRAME_COLUMNS = tuple(column for column in CLAIM_COLUMNS if column != "claim_id")


def extractor(claim_type: str) -> ClaimExtractor:
    """The registry row of a claim type; the error lists the known types."""
    for row in EXTRACTORS:
        if row.type == claim_type:
            return row
    known = ", ".join(row.type for row in EXTRACTORS)
    raise KeyError(f"no claim type {claim_type!r}; known claim types: {known}")


def extract_claims(text: str, *, published: date | datetime | None = None,
                   spending_model: SpendingModel | None = None) -> list[Claim]:
    """All claims of every registered type in a text, in text order.

    A text without a digit or a number word is rejected by one pattern search, so the pipeline
    can run this over every item. With ``spending_model``, spending claims are that model's.

    >>> [(c.type, c.actor, c.value) for c in extract_claims("Lithuania will spend 3 % of GDP on defence.")]
    [('spending', 'Lithuania', 3.0)]
    """
    document = Document(text, published=published)  # validates both arguments
    return _sorted(_document_claims(document, spending_model=spending_model))


def _document_claims(document: Document, *, spending_model: SpendingModel | None = None,
                     title: Document | None = None, skip: ClaimType | None = None) -> list[Claim]:
    if not _has_number(document) and (spending_model is None or title is None or not _has_number(title)):
        return []
    claims: list[Claim] = []
    for row in EXTRACTORS:
        if row.type == skip:
            continue
        if row.type == "spending" and spending_model is not None:
            claims.extend(spending_model.claims_from_documents(document, title))
        elif document.contains(row.trigger):
            claims.extend(row.from_document(document))
    return claims


def _sorted(claims: list[Claim]) -> list[Claim]:
    claims.sort(key=lambda c: (c.start, c.details.get("quantity_start", c.start)))
    return claims


def extract_item_claims(*, title: str | None, text: str, published: date | datetime | None = None,
                        spending_model: SpendingModel | None = None) -> list[Claim]:
    """Claims of an item whose title may state what its body does not.

    Offsets stay relative to ``text``. A title's claim that the body restates is the body's claim
    (with the body's evidence); one found only in the title comes first, with
    ``details["in_title"] = True`` and offsets into ``title``. With ``spending_model``, spending
    claims (the title's included) are that model's; the other types are found as without it.

    >>> [(c.year, c.details.get("in_title")) for c in extract_item_claims(
    ...     title="Estonia to spend 3.2 percent of GDP on defence in 2024", text="The cabinet met on Monday.")]
    [(2024, True)]
    """
    if spending_model is None:
        body_claims = extract_claims(text, published=published)
    else:
        body = Document(text, published=published)
        title_document = _title_document(title, text, body.published)
        found = _document_claims(body, spending_model=spending_model, title=title_document)
        spending_title = [c for c in found if c.details.get("in_title")]
        body_claims = _sorted([c for c in found if not c.details.get("in_title")])
        if title_document is None:
            return spending_title + body_claims
        # the model has found the title's spending claims: the rules' would be dropped, so skip them
        title_only = [
            replace(claim, details={**claim.details, "in_title": True})
            for claim in _sorted(_document_claims(title_document, skip="spending"))
            if not any(_restates(body, claim) for body in body_claims)
        ]
        return _sorted(spending_title + title_only) + body_claims
    title = (title or "").strip()
    if not title or begins_with(text, title):
        return body_claims
    title_only = [
        replace(claim, details={**claim.details, "in_title": True})
        for claim in extract_claims(title, published=published)
        if not any(_restates(body, claim) for body in body_claims)
    ]
    return title_only + body_claims


def _title_document(title: str | None, text: str, published: date | None) -> Document | None:
    """The title as a document of its own, unless it is empty or the text begins with it."""
    title = (title or "").strip()
    if not title or begins_with(text, title):
        return None
    return Document(title, published=published)


def _restates(body: Claim, title: Claim) -> bool:
    """A headline often drops the year its body gives; the figure and unit must agree."""
    return (body.type, body.unit, body.value, body.value_high) == (title.type, title.unit, title.value, title.value_high) \
        and title.year in (None, body.year)


def claims_frame(claims_by_item: Mapping[str, list[Claim]]) -> pd.DataFrame:
    """The rows of the store's claims table (without claim_id) for claims keyed by item id."""
    rows: list[dict[str, Any]] = [
        {
            "item_id": item_id,
            "type": claim.type,
            "actor": claim.actor,
            "kind": claim.kind,
            "value": claim.value,
            "value_high": claim.value_high,
            "unit": claim.unit,
            "year": claim.year,
            "year_high": claim.year_high,
            "year_relative": claim.year_relative,
            "speaker": claim.speaker,
            "evidence": claim.evidence,
            "start_offset": claim.start,
            "end_offset": claim.end,
            "details": dict(claim.details),
        }
        for item_id, claims in claims_by_item.items()
        for claim in claims
    ]
    frame = pd.DataFrame(rows, columns=list(CLAIM_FRAME_COLUMNS))
    return frame.astype(
        {
            "value": "float64", "value_high": "float64", "year": "Int64", "year_high": "Int64",
            "year_relative": "bool", "start_offset": "Int64", "end_offset": "Int64",
        }
    )

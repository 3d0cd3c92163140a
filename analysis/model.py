"""The records that flow through Flankwatch: items read from files, and claims found in them.

Records are frozen dataclasses; DataFrames are the working format once they reach the store.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, Literal

ItemKind = Literal["article", "headline"]
ITEM_KINDS: tuple[ItemKind, ...] = ("article", "headline")

_NON_WORD = re.compile(r"[\W_]+")
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def normalise_text(text: str) -> str:
    """Lower-case, accent-folded, punctuation-free, single-spaced: the form ids are built from.

    >>> normalise_text("Nausėda said: “Šiauliai!”")
    'nauseda said siauliai'
    """
    folded = text.casefold()
    if not folded.isascii():
        folded = _COMBINING.sub("", unicodedata.normalize("NFKD", folded))
    return _NON_WORD.sub(" ", folded).strip()


def normalise_url(url: str) -> str:
    """Scheme, "www.", fragment, tracking parameters and trailing slash do not change identity."""
    url = url.strip()
    url = re.sub(r"^https?://", "", url, flags=re.I)
    url = re.sub(r"^www\.", "", url, flags=re.I)
    url = url.split("#", 1)[0]
    if "?" in url:
        path, query = url.split("?", 1)
        kept = [p for p in query.split("&") if p and not p.lower().startswith(("utm_", "fbclid", "gclid"))]
        url = path + ("?" + "&".join(sorted(kept)) if kept else "")
    return url.rstrip("/").lower()


def stable_id(*, kind: ItemKind, url: str | None, title: str, text: str) -> str:
    """An id that is the same whenever the same story is read again.

    Articles are identified by their URL when they have one, else by their normalised title and
    body; headlines by their normalised title alone, so a headline listed on many pages is one item.
    """
    if kind == "headline":
        key = "headline:" + normalise_text(title)
    elif url:
        key = "url:" + normalise_url(url)
    else:
        key = "content:" + normalise_text(title) + "\n" + normalise_text(text)
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


@dataclass(frozen=True, slots=True)
class Item:
    """One article, or one related headline listed on a page (kind "headline").

    ``published`` is a timezone-aware datetime when the source gives a time, a ``date`` when it
    gives only the day, and None when it gives neither. ``published_approximate`` marks a time
    resolved from a relative age such as "1 d ago".
    """

    id: str
    kind: ItemKind
    title: str
    text: str
    published: datetime | date | None = None
    published_approximate: bool = False
    outlet: str | None = None
    byline: str | None = None
    dateline: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    url: str | None = None
    parent_id: str | None = None
    source_path: str | None = None
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def published_date(self) -> date | None:
        if isinstance(self.published, datetime):
            return self.published.date()
        return self.published

    def to_json_dict(self) -> dict[str, Any]:
        """The JSON form printed by `flankwatch parse`: ISO 8601 dates, lists for tuples."""
        record = asdict(self)
        record["published"] = self.published.isoformat() if self.published is not None else None
        record["tags"] = list(self.tags)
        record["warnings"] = list(self.warnings)
        return record


ClaimType = Literal["spending", "deployment", "migration"]
SpendingKind = Literal["target", "actual"]
Unit = Literal["pct_gdp", "eur", "usd"]


@dataclass(frozen=True, slots=True)
class Claim:
    """A quantified statement found in one sentence of an item's text.

    ``start``/``end`` are character offsets of ``evidence`` in the item text. Spending claims use
    actor/kind/value/value_high/unit/year/year_high; other claim types keep their own fields in
    ``details`` (for a deployment: nation, size, unit, place, period; for migration: count,
    counted, period, place) and reuse actor, value, year where they mean the same.
    """

    type: ClaimType
    evidence: str
    start: int
    end: int
    actor: str | None = None
    kind: str | None = None
    value: float | None = None
    value_high: float | None = None
    unit: str | None = None
    year: int | None = None
    year_high: int | None = None
    year_relative: bool = False
    speaker: str | None = None
    details: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def to_json_dict(self) -> dict[str, Any]:
        return asdict(self)

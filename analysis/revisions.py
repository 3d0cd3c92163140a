"""Revisions of spending targets: how each actor's current target changed, statement by statement.

An analyst reads Lithuania's claims as "2 % by 2020, brought forward to 2018; raised to 2.5 % by
2030; brought forward to 2023; raised to 5–6 % for 2026–2030", not as one line through every
number said about Lithuanian defence spending. :func:`target_revisions` turns a claims frame
(``analysis.queries.claims``) into that chain, one row per statement that set, changed,
restated or sat under an actor's target. Pure pandas, no Streamlit; the analysts' corrections are
already applied to the claims it reads (analysis/corrections.py), so an edited value, kind or
actor is a revision as corrected and a rejected claim is none.

What counts (every rule is a row of the tests in tests/test_revisions.py):

- A **target** is a value or range with the year or period it is for. A claim is a target when
  its kind is ``target``, or when it states a range of years that reaches past the year it was
  said in ("will spend 5–6 % from 2026 to 2030" is a plan, whatever the extractor called it).
  Everything else is an actual level, reached or budgeted, and never moves the target.
- Targets of one actor in one unit form a chain in the order they were stated. Claims of the same
  day with the same target are **one** statement (its sources counted in ``reports``).
- A later target with the same value is **restated**, not a revision, unless it moves a deadline
  that had not yet come: then it is **brought forward** or **put back**. A restatement that names
  a year replaces a yearless one (the chain keeps the most specific form).
- A lower target for an earlier horizon than a current target still ahead ("keep at least 2 %"
  while 2.5 % by 2030 stands) is **interim**: a floor on the way, not a lowering.
- Otherwise a higher target is **raised**, a lower one **lowered**, a range that is neither
  (wider at both ends) **revised**; the first target of a chain is **new**.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import pandas as pd

RevisionKind = Literal["new", "raised", "lowered", "revised", "brought forward", "put back", "restated", "interim"]
# The kinds that change the current target (and go into the revisions table).
CHANGE_KINDS: tuple[RevisionKind, ...] = ("new", "raised", "lowered", "revised", "brought forward", "put back")
# Units as words (the claims table stores codes).
UNIT_WORDS = {"pct_gdp": "% of GDP", "eur": "EUR", "usd": "USD"}
_MONEY_SCALES = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))

INPUT_COLUMNS = ("actor", "kind", "value", "value_high", "unit", "year", "year_high", "stated", "claim_id",
                 "item_id", "outlet", "speaker")
_CARRIED = ("title", "url", "evidence")
REVISION_COLUMNS = (
    "actor", "unit", "date", "kind", "summary", "from_text", "to_text",
    "from_value", "from_value_high", "from_year", "from_year_high",
    "to_value", "to_value_high", "to_year", "to_year_high",
    "source", "speaker", "reports", "sources", "item_id", "claim_id", *_CARRIED,
)


# -- formatting ---------------------------------------------------------------------------------


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def amount_text(value: float, unit: str | None) -> str:
    """A value as an analyst writes it: '2.5 %', '615 million EUR', '1.2 billion USD'.

    >>> amount_text(6.15e8, "eur")
    '615 million EUR'
    """
    if unit == "pct_gdp":
        return f"{value:g} %"
    words = UNIT_WORDS.get(unit or "", unit or "")
    for scale, name in _MONEY_SCALES:
        if abs(value) >= scale:
            return f"{value / scale:,.3g} {name} {words}".rstrip()
    return f"{value:,.0f} {words}".rstrip()


def target_text(value: object, value_high: object, year: object, year_high: object, unit: str | None, *,
                actual: bool = False) -> str:
    """'2.5 % by 2030', '5–6 % for 2026–2030', '615 million EUR in 2019', '2 %'."""
    if _missing(value):
        return "?"
    if _missing(value_high) or float(value_high) == float(value):
        text = amount_text(float(value), unit)
    else:
        low, high = amount_text(float(value), unit), amount_text(float(value_high), unit)
        suffix = " " + " ".join(high.split(" ")[1:]) if " " in high else ""
        head = low[: len(low) - len(suffix)] if suffix and low.endswith(suffix) else low
        text = f"{head}–{high}"
    if not _missing(year):
        if not _missing(year_high) and int(year_high) != int(year):
            text += f" for {int(year)}–{int(year_high)}"
        else:
            text += f" {'in' if actual else 'by'} {int(year)}"
    return text


def unit_words(unit: object) -> str:
    """'pct_gdp' -> '% of GDP'; an unknown code is shown as it is."""
    return UNIT_WORDS.get(str(unit), str(unit)) if not _missing(unit) else ""


# -- the chain ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Target:
    value: float
    value_high: float | None
    year: int | None
    year_high: int | None

    @property
    def bounds(self) -> tuple[float, float]:
        return self.value, self.value if self.value_high is None else self.value_high

    def same_amount(self, other: _Target) -> bool:
        return all(math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9) for a, b in zip(self.bounds, other.bounds))


def _optional_int(value: object) -> int | None:
    return None if _missing(value) else int(value)


def _optional_float(value: object) -> float | None:
    return None if _missing(value) else float(value)


def is_target(claims: pd.DataFrame) -> pd.Series:
    """Which claims state a target (see the module docstring): kind 'target', or a future period."""
    stated_year = pd.to_datetime(claims["stated"]).dt.year
    period_ahead = claims["year_high"].notna() & (pd.to_numeric(claims["year_high"]) > stated_year)
    return (claims["kind"].eq("target") | period_ahead).fillna(False).astype(bool)


def _classify(current: _Target | None, new: _Target, stated_year: int) -> tuple[RevisionKind, _Target | None]:
    """The kind of a statement and the current target after it."""
    if current is None:
        return "new", new
    if new.same_amount(current):
        if new.year is None or new.year == current.year:
            return "restated", current if new.year is None else new
        if current.year is not None and current.year > stated_year:  # a deadline still ahead moved
            return ("brought forward" if new.year < current.year else "put back"), new
        return "restated", new
    new_low, new_high = new.bounds
    low, high = current.bounds
    if new_high <= high and new_low <= low:
        ahead = current.year is not None and current.year > stated_year
        earlier = new.year is None or (current.year is not None and new.year < current.year)
        return ("interim", current) if ahead and earlier else ("lowered", new)
    if new_high >= high and new_low >= low:
        return "raised", new
    return "revised", new


def _statements(claims: pd.DataFrame) -> pd.DataFrame:
    """Target claims folded into statements: one per actor, unit, day and target."""
    rows = claims[is_target(claims) & claims["actor"].notna() & claims["value"].notna() & claims["stated"].notna()
                  & claims["unit"].notna()]
    rows = rows.assign(
        date=pd.to_datetime(rows["stated"]).dt.normalize(),
        _high=rows["value_high"].fillna(rows["value"]),
        _dated=rows["year"].notna(),
        _unknown_source=rows["outlet"].isna(),
    )
    # within a day: dated targets first, nearest horizon first; a named source before an unknown one
    rows = rows.sort_values(["actor", "unit", "date", "_dated", "year", "value", "_high", "year_high",
                             "_unknown_source", "outlet", "claim_id"],
                            ascending=[True, True, True, False, True, True, True, True, True, True, True],
                            na_position="last", kind="stable")
    key = ["actor", "unit", "date", "value", "_high", "year", "year_high"]
    group = rows.groupby(key, sort=False, dropna=False).ngroup()
    rows = rows.assign(_group=group.to_numpy())
    named = rows[rows["outlet"].notna()].drop_duplicates(["_group", "outlet"])
    sources = named.groupby("_group", sort=False)["outlet"].agg(", ".join)
    speakers = rows[rows["speaker"].notna()].drop_duplicates("_group").set_index("_group")["speaker"]
    firsts = rows.drop_duplicates("_group")
    return firsts.assign(
        reports=firsts["_group"].map(rows["_group"].value_counts()).astype(int),
        sources=firsts["_group"].map(sources).fillna(""),
        speaker=firsts["_group"].map(speakers),
    )


def _chain(statements: pd.DataFrame) -> Iterator[dict[str, object]]:
    current: _Target | None = None
    chain_key: tuple[object, object] | None = None
    carried = [c for c in _CARRIED if c in statements.columns]
    for row in statements.itertuples(index=False):
        if (row.actor, row.unit) != chain_key:
            chain_key, current = (row.actor, row.unit), None
        new = _Target(float(row.value), _optional_float(row.value_high), _optional_int(row.year),
                      _optional_int(row.year_high))
        kind, after = _classify(current, new, row.date.year)
        before = current
        shown = after if kind != "interim" else new  # an interim statement shows what it said
        from_text = target_text(*_fields(before), row.unit) if before else ""
        to_text = target_text(*_fields(shown), row.unit)
        yield {
            "actor": row.actor, "unit": row.unit, "date": row.date, "kind": kind,
            "summary": _summary(kind, from_text, to_text),
            "from_text": from_text, "to_text": to_text,
            **{f"from_{n}": v for n, v in zip(("value", "value_high", "year", "year_high"), _fields(before))},
            **{f"to_{n}": v for n, v in zip(("value", "value_high", "year", "year_high"), _fields(shown))},
            "source": row.outlet if isinstance(row.outlet, str) else None,
            "speaker": row.speaker if isinstance(row.speaker, str) else None,
            "reports": int(row.reports), "sources": row.sources,
            "item_id": row.item_id, "claim_id": row.claim_id,
            **{c: getattr(row, c) for c in carried},
        }
        current = after


def _fields(target: _Target | None) -> tuple[object, object, object, object]:
    if target is None:
        return (None, None, None, None)
    return (target.value, target.value_high, target.year, target.year_high)


def _summary(kind: RevisionKind, before: str, after: str) -> str:
    if kind == "new":
        return f"set at {after}"
    if kind == "restated":
        return f"restated {after}"
    if kind == "interim":
        return f"interim {after} under {before}"
    return f"{kind} from {before} to {after}"


def target_revisions(claims: pd.DataFrame) -> pd.DataFrame:
    """The chain of each actor's spending target, one row per statement, oldest first per actor.

    ``claims`` has the columns of ``analysis.queries.claims`` (at least ``INPUT_COLUMNS``;
    ``title``, ``url`` and ``evidence`` are carried along when present); it is not changed.
    Columns out: ``REVISION_COLUMNS``. ``kind`` is one of ``RevisionKind``; only the
    ``CHANGE_KINDS`` change the current target. ``date`` is the day stated (a Timestamp), ``source`` the outlet
    of the statement's first report, ``reports`` how many claims said it that day.

    >>> frame = pd.DataFrame({"actor": ["Lithuania"] * 2, "kind": ["target", "actual"],
    ...     "value": [2.5, 5.0], "value_high": [None, 6.0], "unit": ["pct_gdp"] * 2, "year": [2030, 2026],
    ...     "year_high": [None, 2030], "stated": pd.to_datetime(["2019-12-10", "2025-01-16"]),
    ...     "claim_id": ["a", "b"], "item_id": ["i", "j"], "outlet": ["Wire", "Wire"], "speaker": [None, None]})
    >>> target_revisions(frame)["summary"].tolist()
    ['set at 2.5 % by 2030', 'raised from 2.5 % by 2030 to 5–6 % for 2026–2030']
    """
    missing = [c for c in INPUT_COLUMNS if c not in claims.columns]
    if missing:
        raise ValueError(f"target_revisions needs the claims columns {', '.join(missing)} "
                         "(analysis.queries.claims gives them)")
    columns = [c for c in REVISION_COLUMNS if c not in _CARRIED or c in claims.columns]
    if claims.empty:
        return pd.DataFrame(columns=columns)
    statements = _statements(claims)
    if statements.empty:
        return pd.DataFrame(columns=columns)
    return pd.DataFrame(list(_chain(statements)), columns=columns)


def changes(revisions: pd.DataFrame) -> pd.DataFrame:
    """Only the statements that set or changed a target (no restatements, no interim levels)."""
    return revisions[revisions["kind"].isin(CHANGE_KINDS)]

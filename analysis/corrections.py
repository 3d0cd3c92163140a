"""Analyst corrections: themes confirmed, rejected or added; claims confirmed, rejected, edited or added.

Every correction is a row of the store's ``corrections`` table with its time; none is ever
overwritten. The latest correction for the same (item, theme) or (item, claim) wins and the
earlier ones stay as history.

The analysis rows always hold the corrected values, so every chart and count reads them without
a join: a correction is applied to ``item_themes`` and ``claims`` in the transaction that records
it, and :func:`apply_corrections` applies every correction of a batch again after each
re-analysis (``Store.write_analysis`` calls it inside its transaction), so corrections survive
``flankwatch analyze --all``.

Claims are matched across re-analysis by ``claim_id`` (stable: item id, type and offsets) and,
failing that, by the claim's original (unit, value, value_high, year); a claim found that way
takes the corrected claim's id, so later corrections find it directly. A confirmed or edited
claim the new analysis no longer finds is kept as the analyst left it (``details``
``{"restored_by_analyst": true}``).

Corrected articles export to, and import from, the labelled JSON-lines schema of the evaluation
corpus (LABELING.md), and :func:`correction_records` gives them to the trainer as gold records.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import secrets
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Literal, TextIO

import duckdb
import pandas as pd

from analysis.model import normalise_url

Target = Literal["theme", "claim"]
Action = Literal["confirm", "reject", "add", "edit"]
TARGET_ACTIONS: Mapping[str, tuple[str, ...]] = {
    "theme": ("confirm", "reject", "add"),
    "claim": ("confirm", "reject", "add", "edit"),
}
# The fields an analyst may set on a claim (LABELING.md names), and the snapshot a correction keeps.
CLAIM_FIELDS = ("actor", "kind", "value", "value_high", "unit", "year", "year_high", "speaker")
SNAPSHOT_FIELDS = ("type", *CLAIM_FIELDS, "evidence")
# What identifies a claim when its id changed between analyses.
MATCH_FIELDS = ("unit", "value", "value_high", "year")
SPENDING_UNITS = ("pct_gdp", "eur", "usd")
SPENDING_KINDS = ("target", "actual")
CLAIM_TYPES = ("spending", "deployment", "migration")
RECORD_KEYS = ("id", "url", "source", "published", "title", "text", "themes", "claims", "notes")
_THEME_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_NUMBER = re.compile(r"^\s*([-+]?\d[\d,_ ]*(?:\.\d+)?(?:e[-+]?\d+)?)\s*([a-z%]*)\s*$", re.I)
_SCALES = {"": 1, "%": 1, "k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6,
           "bn": 1e9, "b": 1e9, "billion": 1e9}


class CorrectionError(ValueError):
    """A correction (or a line of a corrections file) is not valid; the message says which and why."""


@dataclass(frozen=True, slots=True)
class Correction:
    """One analyst decision about one theme or one claim of one item.

    ``fields`` holds a claim's new values for ``edit`` (only the fields that change) and the whole
    claim for ``add`` (type defaults to spending; evidence is the quote, optional).
    """

    item_id: str
    target: Target
    action: Action
    theme: str | None = None
    claim_id: str | None = None
    fields: Mapping[str, Any] | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ImportReport:
    path: str
    articles: int
    corrections: int

    def summary(self) -> str:
        return (f"imported {self.corrections} correction{'s' if self.corrections != 1 else ''} for "
                f"{self.articles} article{'s' if self.articles != 1 else ''} from {self.path}")


@dataclass(slots=True)
class _ClaimGroup:
    """Every correction of one claim, oldest first, and what they add up to."""

    item_id: str
    claim_id: str
    actions: list[str] = field(default_factory=list)
    snapshots: list[dict[str, Any]] = field(default_factory=list)

    @property
    def added(self) -> bool:
        return self.actions[0] == "add"

    @property
    def present(self) -> bool:
        return self.actions[-1] != "reject"

    @property
    def snapshot(self) -> dict[str, Any]:
        return self.snapshots[-1]

    @property
    def original(self) -> dict[str, Any] | None:
        return next((s["original"] for s in self.snapshots if s.get("original")), None)


# -- values -------------------------------------------------------------------------------------


def parse_number(text: str | float | int | None, *, name: str = "value") -> float | None:
    """A claim value typed by an analyst: "2.5", "1,200,000,000", "1.2 billion", "800m"; "" is None.

    >>> parse_number("1.2 billion")
    1200000000.0
    """
    if text is None:
        return None
    if isinstance(text, bool):
        raise CorrectionError(f"field {name!r} must be a number, got {text!r}")
    if isinstance(text, (int, float)):
        if isinstance(text, float) and not math.isfinite(text):
            raise CorrectionError(f"field {name!r} must be a finite number, got {text!r}")
        return float(text)
    if not str(text).strip():
        return None
    match = _NUMBER.match(str(text))
    scale = _SCALES.get(match.group(2).lower()) if match else None
    if match is None or scale is None:
        raise CorrectionError(f"field {name!r}: {text!r} is not a number (e.g. 2.5, 1200000000 or 1.2 billion)")
    return float(re.sub(r"[,_ ]", "", match.group(1))) * scale


def parse_year(text: str | int | None, *, name: str = "year") -> int | None:
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    if isinstance(text, bool) or isinstance(text, float) and not float(text).is_integer():
        raise CorrectionError(f"field {name!r} must be a year such as 2030, got {text!r}")
    try:
        year = int(str(text).strip()) if isinstance(text, str) else int(text)
    except ValueError:
        raise CorrectionError(f"field {name!r} must be a year such as 2030, got {text!r}") from None
    if not 1900 <= year <= 2100:
        raise CorrectionError(f"field {name!r} = {year} is not a plausible year (1900-2100)")
    return year


def _text_or_none(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise CorrectionError(f"field {name!r} must be text or null, got {value!r}")
    return value.strip() or None


def clean_claim_fields(fields: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Claim fields checked and typed: numbers as floats, years as ints, "" as null.

    With ``partial`` only the fields given are returned (an edit); otherwise every field of the
    snapshot is, and a spending claim must have a value and a known unit and kind.
    """
    unknown = set(fields) - set(SNAPSHOT_FIELDS)
    if unknown:
        raise CorrectionError(f"unknown claim field(s) {', '.join(sorted(unknown))}; "
                              f"expected some of {', '.join(SNAPSHOT_FIELDS)}")
    cleaned: dict[str, Any] = {}
    for name in fields if partial else SNAPSHOT_FIELDS:
        value = fields.get(name)
        if name in ("value", "value_high"):
            cleaned[name] = parse_number(value, name=name)
        elif name in ("year", "year_high"):
            cleaned[name] = parse_year(value, name=name)
        elif name == "evidence":
            cleaned[name] = "" if value is None else _text_or_none(value, name) or ""
        else:
            cleaned[name] = _text_or_none(value, name)
    if not partial:
        cleaned["type"] = cleaned["type"] or "spending"
        check_claim(cleaned)
    return cleaned


def check_claim(claim: Mapping[str, Any]) -> None:
    """The rules a whole claim must meet (LABELING.md for spending claims)."""
    if claim.get("type") not in CLAIM_TYPES:
        raise CorrectionError(f"field 'type' must be one of {', '.join(CLAIM_TYPES)}, got {claim.get('type')!r}")
    if claim["type"] != "spending":
        return
    if claim.get("value") is None:
        raise CorrectionError("a spending claim needs a 'value'")
    if claim.get("unit") not in SPENDING_UNITS:
        raise CorrectionError(f"field 'unit' must be one of {', '.join(SPENDING_UNITS)}, got {claim.get('unit')!r}")
    if claim.get("kind") is not None and claim["kind"] not in SPENDING_KINDS:
        raise CorrectionError(f"field 'kind' must be one of {', '.join(SPENDING_KINDS)} or null, "
                              f"got {claim.get('kind')!r}")
    if claim.get("value_high") is not None and claim["value_high"] < claim["value"]:
        raise CorrectionError(f"field 'value_high' ({claim['value_high']:g}) is below 'value' ({claim['value']:g})")
    if claim.get("year_high") is not None and (claim.get("year") is None or claim["year_high"] < claim["year"]):
        raise CorrectionError("field 'year_high' needs a 'year' no later than it")


def _check(correction: Correction) -> None:
    if correction.target not in TARGET_ACTIONS:
        raise CorrectionError(f"target must be 'theme' or 'claim', got {correction.target!r}")
    if correction.action not in TARGET_ACTIONS[correction.target]:
        raise CorrectionError(f"a {correction.target} correction is one of "
                              f"{', '.join(TARGET_ACTIONS[correction.target])}, got {correction.action!r}")
    if correction.target == "theme":
        if not isinstance(correction.theme, str) or not _THEME_KEY.match(correction.theme):
            raise CorrectionError(
                f"a theme correction needs a theme key such as 'air_defence', got {correction.theme!r}")
    elif correction.action != "add" and not correction.claim_id:
        raise CorrectionError(f"a claim {correction.action} needs the claim_id of the claim it corrects")
    elif correction.action in ("add", "edit") and not correction.fields:
        raise CorrectionError(f"a claim {correction.action} needs the claim's fields")


# -- recording ----------------------------------------------------------------------------------


def record_corrections(store, corrections: Iterable[Correction]) -> list[str]:
    """Record corrections and apply them to the analysis rows, all in one transaction.

    Returns the new correction ids. Raises CorrectionError (and records nothing) when one is invalid.
    """
    with store.transaction() as con:
        return [_record(con, correction) for correction in corrections]


def record_correction(store, correction: Correction) -> str:
    return record_corrections(store, [correction])[0]


def _new_correction_id() -> str:
    """Sorts in the order corrections were made, also within one transaction (ties on corrected_at)."""
    return f"{time.time_ns():020d}-{secrets.token_hex(4)}"


def _record(con: duckdb.DuckDBPyConnection, correction: Correction) -> str:
    _check(correction)
    if con.execute("SELECT count(*) FROM items WHERE id = ?", [correction.item_id]).fetchone()[0] == 0:
        raise CorrectionError(f"no item {correction.item_id!r} in the store")
    correction_id = _new_correction_id()
    claim_id, fields = correction.claim_id, None
    if correction.target == "claim":
        claim_id, fields = _claim_snapshot(con, correction, correction_id)
    con.execute(
        "INSERT INTO corrections VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [correction_id, correction.item_id, correction.target,
         correction.theme if correction.target == "theme" else None, claim_id, correction.action,
         None if fields is None else json.dumps(fields, ensure_ascii=False),
         (correction.note or "").strip() or None, datetime.now(timezone.utc)],
    )
    _apply(con, [correction.item_id], fresh=False)
    return correction_id


def _claim_snapshot(con: duckdb.DuckDBPyConnection, correction: Correction,
                    correction_id: str) -> tuple[str, dict[str, Any]]:
    """The claim id a claim correction keys on and the whole claim as the analyst leaves it."""
    if correction.action == "add":
        claim_id = "analyst-" + hashlib.blake2b(f"{correction.item_id}|{correction_id}".encode(),
                                                digest_size=8).hexdigest()
        return claim_id, clean_claim_fields(dict(correction.fields or {}))
    claim_id = str(correction.claim_id)
    group = _claim_groups(con, [correction.item_id]).get((correction.item_id, claim_id))
    row = _claim_rows(con, correction.item_id, claim_id)
    if row:
        current = {name: row[0][name] for name in SNAPSHOT_FIELDS}
    elif group is not None:
        current = {name: group.snapshot.get(name) for name in SNAPSHOT_FIELDS}
    else:
        raise CorrectionError(f"item {correction.item_id!r} has no claim {claim_id!r}")
    original = group.original if group is not None else None
    if original is None and row and not (group is not None and group.added):
        original = {name: row[0][name] for name in MATCH_FIELDS}
    snapshot = dict(current)
    if correction.action == "edit":
        snapshot.update(clean_claim_fields(dict(correction.fields or {}), partial=True))
        check_claim(snapshot)
    if original is not None:
        snapshot["original"] = original
    return claim_id, snapshot


def _claim_rows(con: duckdb.DuckDBPyConnection, item_id: str, claim_id: str | None = None) -> list[dict[str, Any]]:
    sql = ("SELECT claim_id, type, actor, kind, value, value_high, unit, year, year_high, year_relative, speaker, "
           "evidence, start_offset FROM claims WHERE item_id = ?")
    params: list[Any] = [item_id]
    if claim_id is not None:
        sql += " AND claim_id = ?"
        params.append(claim_id)
    cursor = con.execute(sql + " ORDER BY start_offset NULLS LAST, claim_id", params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


# -- applying -----------------------------------------------------------------------------------


def apply_corrections(con: duckdb.DuckDBPyConnection, item_ids: Sequence[str]) -> None:
    """Apply every correction of these items to their freshly written analysis rows.

    Called by ``Store.write_analysis`` inside its transaction; cheap when there are no corrections.
    """
    _apply(con, item_ids, fresh=True)


def _apply(con: duckdb.DuckDBPyConnection, item_ids: Sequence[str], *, fresh: bool) -> None:
    """Make the analysis rows of these items say what the latest corrections say.

    ``fresh`` rows were just written by an analysis, so a corrected claim whose id changed may be
    found by its original values; otherwise every corrected claim already carries its id, and
    matching by values could pick another claim that states the same figure.
    """
    ids = sorted({str(i) for i in item_ids})
    if not ids or con.execute("SELECT count(*) FROM (SELECT 1 FROM corrections LIMIT 1)").fetchone()[0] == 0:
        return
    rows = con.execute(
        """SELECT item_id, theme, action FROM corrections
           WHERE target = 'theme' AND list_contains(?::VARCHAR[], item_id)
           ORDER BY corrected_at, correction_id""", [ids]).fetchall()
    latest_theme = {(item_id, theme): action for item_id, theme, action in rows}
    for (item_id, theme), action in latest_theme.items():
        _apply_theme(con, item_id, theme, assigned=action != "reject")
    groups = _claim_groups(con, ids)
    by_item: dict[str, list[_ClaimGroup]] = {}
    for group in groups.values():
        by_item.setdefault(group.item_id, []).append(group)
    for item_id, item_groups in by_item.items():
        _apply_claims(con, item_id, item_groups, fresh=fresh)


def _apply_theme(con: duckdb.DuckDBPyConnection, item_id: str, theme: str, *, assigned: bool) -> None:
    (exists,) = con.execute("SELECT count(*) FROM item_themes WHERE item_id = ? AND theme = ?",
                            [item_id, theme]).fetchone()
    if exists:
        con.execute("UPDATE item_themes SET assigned = ? WHERE item_id = ? AND theme = ?", [assigned, item_id, theme])
    elif assigned:
        con.execute("INSERT INTO item_themes VALUES (?, ?, 1.0, true, []::VARCHAR[], []::VARCHAR[])",
                    [item_id, theme])


def _claim_groups(con: duckdb.DuckDBPyConnection, item_ids: Sequence[str]) -> dict[tuple[str, str], _ClaimGroup]:
    rows = con.execute(
        """SELECT item_id, coalesce(claim_id, correction_id), action, CAST(fields AS VARCHAR) FROM corrections
           WHERE target = 'claim' AND list_contains(?::VARCHAR[], item_id)
           ORDER BY corrected_at, correction_id""", [list(item_ids)]).fetchall()
    groups: dict[tuple[str, str], _ClaimGroup] = {}
    for item_id, claim_id, action, fields in rows:
        group = groups.setdefault((item_id, claim_id), _ClaimGroup(item_id, claim_id))
        group.actions.append(action)
        group.snapshots.append(json.loads(fields) if fields else {})
    return groups


def _apply_claims(con: duckdb.DuckDBPyConnection, item_id: str, groups: list[_ClaimGroup], *, fresh: bool) -> None:
    rows = _claim_rows(con, item_id)
    by_id = {row["claim_id"]: row for row in rows}
    keyed = {group.claim_id for group in groups}
    taken: set[str] = set()
    unmatched = []
    for group in groups:
        if group.claim_id in by_id:
            taken.add(group.claim_id)
            _settle_claim(con, item_id, group, by_id[group.claim_id])
        else:
            unmatched.append(group)
    for group in unmatched:
        row = None
        if fresh and not group.added and group.original is not None:
            row = next((r for r in rows if r["claim_id"] not in keyed and r["claim_id"] not in taken
                        and r["type"] == group.snapshot.get("type") and _same_key(r, group.original)), None)
        if row is not None:
            taken.add(row["claim_id"])
            _settle_claim(con, item_id, group, row)
        elif group.present:
            _insert_claim(con, item_id, group)


def _same_key(row: Mapping[str, Any], original: Mapping[str, Any]) -> bool:
    return all(_same(row.get(name), original.get(name)) for name in MATCH_FIELDS)


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None or isinstance(a, str) or isinstance(b, str):
        return a == b
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


def _settle_claim(con: duckdb.DuckDBPyConnection, item_id: str, group: _ClaimGroup, row: Mapping[str, Any]) -> None:
    """Delete (rejected) or update (confirmed, edited, added) the row that is this group's claim."""
    if not group.present:
        con.execute("DELETE FROM claims WHERE item_id = ? AND claim_id = ?", [item_id, row["claim_id"]])
        return
    snapshot = group.snapshot
    year_relative = bool(row.get("year_relative")) and _same(row.get("year"), snapshot.get("year"))
    con.execute(
        f"""UPDATE claims SET claim_id = ?, {', '.join(f'{name} = ?' for name in CLAIM_FIELDS)}, year_relative = ?
            WHERE item_id = ? AND claim_id = ?""",
        [group.claim_id, *(snapshot.get(name) for name in CLAIM_FIELDS), year_relative, item_id, row["claim_id"]],
    )


def _insert_claim(con: duckdb.DuckDBPyConnection, item_id: str, group: _ClaimGroup) -> None:
    snapshot = group.snapshot
    evidence = snapshot.get("evidence") or ""
    (text,) = con.execute("SELECT coalesce(text, '') FROM items WHERE id = ?", [item_id]).fetchone()
    start = text.find(evidence) if evidence else -1
    details = {"added_by_analyst": True} if group.added else {"restored_by_analyst": True}
    con.execute(
        "INSERT INTO claims VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, false, ?, ?, ?, ?, ?)",
        [group.claim_id, item_id, snapshot.get("type") or "spending",
         *(snapshot.get(name) for name in ("actor", "kind", "value", "value_high", "unit", "year", "year_high")),
         snapshot.get("speaker"), evidence, start if start >= 0 else None,
         start + len(evidence) if start >= 0 else None, json.dumps(details)],
    )


def refresh_rollups(con: duckdb.DuckDBPyConnection, item_ids: Sequence[str]) -> None:
    """Bring the dashboard's in-memory rollups up to date for corrected items (see analysis/freshness.py).

    A correction changes an item's themes (the facts' theme mask and the per-day theme counts of
    its day, kind and outlet) or its claims (which the rollups do not hold), so only those rows
    are recounted: milliseconds, where a rebuild takes seconds on a million items.
    """
    from analysis.freshness import refresh_items

    refresh_items(con, item_ids)


# -- reading ------------------------------------------------------------------------------------


def item_corrections(con: duckdb.DuckDBPyConnection, item_id: str) -> pd.DataFrame:
    """One item's corrections, newest first, with ``latest`` marking the one that counts per key."""
    frame = con.execute(
        """SELECT correction_id, target, theme, claim_id, action, CAST(fields AS VARCHAR) AS fields, note,
                  corrected_at,
                  row_number() OVER (PARTITION BY target, theme,
                                                  coalesce(claim_id, CASE WHEN target = 'claim' THEN correction_id END)
                                     ORDER BY corrected_at DESC, correction_id DESC) = 1 AS latest
           FROM corrections WHERE item_id = ? ORDER BY corrected_at DESC, correction_id DESC""", [item_id]).df()
    return frame


def corrections_count(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    (corrections, items) = con.execute("SELECT count(*), count(DISTINCT item_id) FROM corrections").fetchone()
    return {"corrections": int(corrections), "items": int(items)}


def _published(published_date: Any, published_at: Any) -> date | None:
    for value in (published_date, published_at):
        if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
            continue
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
    return None


def _gold_claim(row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored claim in the LABELING.md form: a relative year is null, numbers as written."""
    def number(value: Any) -> float | int | None:
        if value is None:
            return None
        value = float(value)
        return int(value) if value.is_integer() else value

    return {
        "actor": row["actor"], "kind": row["kind"], "value": number(row["value"]),
        "value_high": number(row["value_high"]), "unit": row["unit"],
        "year": None if row.get("year_relative") else row["year"], "year_high": row["year_high"],
        "speaker": row["speaker"], "evidence": row["evidence"] or "", "claim_id": row["claim_id"],
    }


def _corrected_articles(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every corrected item as it now stands: metadata, text, assigned themes, spending claims, notes."""
    items = con.execute(
        """SELECT i.id, i.url, i.outlet, i.published_date, i.published_at, i.title, i.text
           FROM items i WHERE i.id IN (SELECT item_id FROM corrections) ORDER BY i.id""").fetchall()
    if not items:
        return []
    themes: dict[str, list[str]] = {}
    for item_id, theme in con.execute(
            """SELECT item_id, theme FROM item_themes WHERE assigned AND item_id IN (SELECT item_id FROM corrections)
               ORDER BY item_id, theme""").fetchall():
        themes.setdefault(item_id, []).append(theme)
    cursor = con.execute(
        """SELECT claim_id, item_id, actor, kind, value, value_high, unit, year, year_high, year_relative, speaker,
                  evidence FROM claims WHERE type = 'spending' AND item_id IN (SELECT item_id FROM corrections)
           ORDER BY item_id, start_offset NULLS LAST, claim_id""")
    names = [d[0] for d in cursor.description]
    claims: dict[str, list[dict[str, Any]]] = {}
    for row in cursor.fetchall():
        record = dict(zip(names, row))
        claims.setdefault(record["item_id"], []).append(_gold_claim(record))
    notes: dict[str, list[str]] = {}
    for item_id, note in con.execute(
            """SELECT item_id, note FROM corrections WHERE note IS NOT NULL
               ORDER BY item_id, corrected_at, correction_id""").fetchall():
        if note not in notes.setdefault(item_id, []):
            notes[item_id].append(note)
    return [
        {"id": item_id, "url": url, "source": outlet, "published": _published(day, at), "title": title,
         "text": text or "", "themes": themes.get(item_id, []), "claims": claims.get(item_id, []),
         "notes": "; ".join(notes.get(item_id, []))}
        for item_id, url, outlet, day, at, title, text in items
    ]


def correction_records(store) -> list[dict[str, Any]]:
    """The corrected articles as gold records (id, source, title, text, published, themes, claims).

    What the trainer learns the analysts' corrections from: ``published`` is a ``datetime.date``
    or None, themes are the item's assigned themes after correction, claims its spending claims
    in the LABELING.md form; ``corrected_themes`` lists the themes an analyst decided on.
    """
    corrected: dict[str, list[str]] = {}
    for item_id, theme in store.connection.execute(
            "SELECT DISTINCT item_id, theme FROM corrections WHERE target = 'theme' ORDER BY item_id, theme").fetchall():
        corrected.setdefault(item_id, []).append(theme)
    return [
        {"id": r["id"], "source": r["source"] or "unknown", "title": r["title"] or "", "text": r["text"],
         "published": r["published"], "themes": r["themes"], "corrected_themes": corrected.get(r["id"], []),
         "claims": [{k: v for k, v in c.items() if k != "claim_id"} for c in r["claims"]]}
        for r in _corrected_articles(store.connection)
    ]


# -- export and import --------------------------------------------------------------------------


def export_lines(store) -> list[str]:
    """One JSON line per corrected article, in the labelled schema (claims keep their claim_id)."""
    lines = []
    for record in _corrected_articles(store.connection):
        record = {key: record[key] for key in RECORD_KEYS}
        record["published"] = record["published"].isoformat() if record["published"] else None
        lines.append(json.dumps(record, ensure_ascii=False))
    return lines


def export_jsonl(store, target: TextIO) -> int:
    """Write the corrected articles to ``target``; return how many."""
    lines = export_lines(store)
    for line in lines:
        target.write(line + "\n")
    return len(lines)


def import_jsonl(store, path: str | Path) -> ImportReport:
    """Record the themes and claims of a labelled JSON-lines file as corrections of the store's items.

    Items are matched by id, else by URL. The file's themes are the article's whole theme set:
    a theme it lists is confirmed (or added), an assigned theme it leaves out is rejected. Its
    claims are the article's whole set of spending claims: matched ones (by claim_id, then by
    unit, value, value_high and year, then by evidence) are confirmed or edited, the others
    added, and stored spending claims it leaves out are rejected. A decision that repeats the
    latest correction is not recorded again, so importing a file twice changes nothing.

    Every line is checked before anything is written, and all of it is written in one
    transaction: a bad line raises CorrectionError naming the file and line, and imports nothing.
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise CorrectionError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CorrectionError(f"{path}: cannot read ({exc})") from None
    con = store.connection
    known_themes = _known_themes(con)
    url_ids: dict[str, str] | None = None
    parsed: list[tuple[str, dict[str, Any]]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}, line {number}"
        record = _parse_record(line, where, known_themes)
        item_id = _find_item(con, record)
        if item_id is None and record.get("url"):
            if url_ids is None:
                url_ids = {normalise_url(u): i for i, u in
                           con.execute("SELECT id, url FROM items WHERE url IS NOT NULL ORDER BY id DESC").fetchall()}
            item_id = url_ids.get(normalise_url(record["url"]))
        if item_id is None:
            raise CorrectionError(f"{where}: no item with id {record.get('id')!r} or url {record.get('url')!r} "
                                  "in the store; ingest the article first")
        parsed.append((where, {**record, "_item": item_id}))
    recorded = 0
    with store.transaction() as tx:
        for where, record in parsed:
            try:
                for correction in _record_corrections(tx, record):
                    _record(tx, correction)
                    recorded += 1
            except CorrectionError as exc:
                raise CorrectionError(f"{where}: {exc}") from None
    return ImportReport(str(path), len({r["_item"] for _, r in parsed}), recorded)


def _known_themes(con: duckdb.DuckDBPyConnection) -> set[str]:
    from analysis.themes import TaxonomyError, load_taxonomy

    stored = {row[0] for row in con.execute("SELECT DISTINCT theme FROM item_themes").fetchall()}
    try:
        return stored | set(load_taxonomy().keys)
    except TaxonomyError:
        return stored


def _parse_record(line: str, where: str, known_themes: set[str]) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise CorrectionError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(record, dict):
        raise CorrectionError(f"{where}: expected a JSON object with {', '.join(RECORD_KEYS)}")
    if record.get("id") is None and not record.get("url"):
        raise CorrectionError(f"{where}: the record needs an 'id' or a 'url' to find its article")
    for name in ("url", "notes"):
        if record.get(name) is not None and not isinstance(record[name], str):
            raise CorrectionError(f"{where}: field {name!r} must be a string or null")
    themes = record.get("themes")
    if not isinstance(themes, list) or not all(isinstance(t, str) for t in themes):
        raise CorrectionError(f"{where}: field 'themes' must be a list of theme keys ([] for none)")
    unknown = [t for t in themes if t not in known_themes]
    if unknown:
        raise CorrectionError(f"{where}: unknown theme(s) {', '.join(unknown)}; "
                              f"known: {', '.join(sorted(known_themes))}")
    claims = record.get("claims", [])
    if not isinstance(claims, list):
        raise CorrectionError(f"{where}: field 'claims' must be a list ([] for none)")
    cleaned = []
    for index, claim in enumerate(claims, start=1):
        if not isinstance(claim, dict):
            raise CorrectionError(f"{where}, claim {index}: a claim must be a JSON object")
        fields = {k: claim.get(k) for k in (*CLAIM_FIELDS, "evidence")}
        try:
            cleaned.append({**clean_claim_fields({**fields, "type": "spending"}),
                            "claim_id": claim.get("claim_id") if isinstance(claim.get("claim_id"), str) else None})
        except CorrectionError as exc:
            raise CorrectionError(f"{where}, claim {index}: {exc}") from None
    return {"id": None if record.get("id") is None else str(record["id"]), "url": record.get("url"),
            "themes": list(dict.fromkeys(themes)), "claims": cleaned, "notes": (record.get("notes") or "").strip()}


def _find_item(con: duckdb.DuckDBPyConnection, record: Mapping[str, Any]) -> str | None:
    if record.get("id") is None:
        return None
    found = con.execute("SELECT id FROM items WHERE id = ?", [record["id"]]).fetchone()
    return found[0] if found else None


def _record_corrections(con: duckdb.DuckDBPyConnection, record: Mapping[str, Any]) -> list[Correction]:
    """The corrections that make one item say what a labelled record says, minus repeats."""
    item_id, note = record["_item"], record["notes"] or None
    frame = item_corrections(con, item_id)
    latest = frame[frame["latest"]]
    theme_state = {t: a for t, a in zip(latest["theme"], latest["action"]) if isinstance(t, str)}
    claim_state = {c: a for c, a in zip(latest["claim_id"], latest["action"]) if isinstance(c, str)}
    assigned = {row[0] for row in con.execute(
        "SELECT theme FROM item_themes WHERE item_id = ? AND assigned", [item_id]).fetchall()}
    out: list[Correction] = []
    for theme in record["themes"]:
        if theme_state.get(theme) not in ("confirm", "add"):
            out.append(Correction(item_id, "theme", "confirm" if theme in assigned else "add", theme=theme, note=note))
    for theme in sorted(assigned - set(record["themes"])):
        out.append(Correction(item_id, "theme", "reject", theme=theme, note=note))

    stored = [r for r in _claim_rows(con, item_id) if r["type"] == "spending"]
    remaining = {r["claim_id"]: r for r in stored}
    for claim in record["claims"]:
        row = _match_claim(claim, remaining)
        fields = {name: claim[name] for name in CLAIM_FIELDS}
        if row is None:
            out.append(Correction(item_id, "claim", "add", fields={**fields, "type": "spending",
                                                                   "evidence": claim["evidence"]}, note=note))
            continue
        del remaining[row["claim_id"]]
        gold = _gold_claim(row)
        if all(_same(gold[name], fields[name]) for name in CLAIM_FIELDS):
            if claim_state.get(row["claim_id"]) in (None, "reject"):
                out.append(Correction(item_id, "claim", "confirm", claim_id=row["claim_id"], note=note))
        else:
            changed = {name: fields[name] for name in CLAIM_FIELDS if not _same(gold[name], fields[name])}
            out.append(Correction(item_id, "claim", "edit", claim_id=row["claim_id"], fields=changed, note=note))
    for claim_id in remaining:
        out.append(Correction(item_id, "claim", "reject", claim_id=claim_id, note=note))
    return out


def _match_claim(claim: Mapping[str, Any], remaining: Mapping[str, dict[str, Any]]) -> dict[str, Any] | None:
    if claim.get("claim_id") in remaining:
        return remaining[claim["claim_id"]]
    for row in remaining.values():
        gold = _gold_claim(row)
        if all(_same(gold[name], claim.get(name)) for name in MATCH_FIELDS):
            return row
    if claim.get("evidence"):
        return next((row for row in remaining.values() if row["evidence"] == claim["evidence"]), None)
    return None

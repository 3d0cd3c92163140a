"""Analysis runs: themes, claims and topics for the items of a store or of a JSON-lines file.

Items are analysed batch by batch; each batch's themes, claims and "analysed" marks are written
in one transaction, so an interrupted run keeps every finished batch and the next run carries on
with the rest. New items join the stored topics; only `flankwatch topics --refit` refits them.
"""

from __future__ import annotations

import hashlib
import json
import math
import multiprocessing
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from analysis.claims import claims_frame, extract_item_claims
from analysis.model import Claim
from analysis.paths import DEMO_DIR
from analysis.store import CLAIM_COLUMNS
from analysis.themes import Lexicon, Taxonomy, ThemeScore, ThemeScorer, load_taxonomy
from analysis.topics import update_topics

BATCH_SIZE = 500
PARALLEL_FROM = 4000  # items; below this, starting worker processes costs more than it saves
CLAIM_JSON_FIELDS = ("type", "actor", "kind", "value", "value_high", "unit", "year", "year_high",
                     "year_relative", "speaker", "evidence", "start", "end")


class AnalysisInputError(ValueError):
    """A line of a JSON-lines input cannot be analysed; the message names the line and the problem."""


# -- shared steps ---------------------------------------------------------------------------------

def background_documents(demo_dir: Path = DEMO_DIR) -> list[tuple[str, str]]:
    """(title, text) of the bundled demo corpus: background the theme model also learns from.

    A small corpus (one file, a few items) gives the corpus model too few sentences to learn from;
    the demo corpus adds a few hundred items of the same domain. Unreadable files are skipped:
    the background is a help, not an input.
    """
    from analysis.ingest import ReadError, read_file, supported_suffixes

    if not demo_dir.is_dir():
        return []
    suffixes = {s.lower() for s in supported_suffixes()}
    documents: list[tuple[str, str]] = []
    for path in sorted(p for p in demo_dir.rglob("*") if p.is_file() and p.suffix.lower() in suffixes):
        try:
            items = read_file(path)
        except ReadError:
            continue
        documents.extend((item.title, item.text) for item in items)
    return documents


def fit_scorer(taxonomy: Taxonomy, corpus: Iterable[tuple[str | None, str | None]], *,
               background: Sequence[tuple[str, str]] | None = None, random_state: int = 0,
               lexicon: Lexicon | None = None) -> ThemeScorer:
    """A theme scorer whose corpus model is fitted on these items plus the demo background."""
    background = background_documents() if background is None else background
    return ThemeScorer(taxonomy, random_state=random_state, lexicon=lexicon).fit([*corpus, *background])


def _item_document(kind: str, title: Any, text: Any) -> tuple[str, str]:
    """(title, text) as the scorer reads them: a headline is its title, with no body."""
    title = title if isinstance(title, str) else ""
    text = text if isinstance(text, str) else ""
    return (title, "") if kind == "headline" else (title, text)


def claim_id(item_id: str, claim: Claim) -> str:
    """Stable across runs: the same claim of the same item always has the same id."""
    key = f"{item_id}|{claim.type}|{claim.start}|{claim.end}"
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()




def theme_frame(item_ids: Sequence[str], scores: Sequence[list[ThemeScore]]) -> pd.DataFrame:
    """One row per item and theme, in the store's item_themes layout."""
    rows = [
        {"item_id": item_id, "theme": s.theme, "score": s.score, "assigned": s.assigned,
         "terms": list(s.terms), "sentences": list(s.sentences)}
        for item_id, item_scores in zip(item_ids, scores)
        for s in item_scores
    ]
    return pd.DataFrame(rows, columns=["item_id", "theme", "score", "assigned", "terms", "sentences"])


def claim_frame(claims_by_item: dict[str, list[Claim]]) -> pd.DataFrame:
    """One row per claim, in the store's claims layout, with a stable claim id."""
    frame = claims_frame(claims_by_item)
    ids = [claim_id(item_id, c) for item_id, claims in claims_by_item.items() for c in claims]
    return frame.assign(claim_id=ids)[list(CLAIM_COLUMNS)].drop_duplicates("claim_id")


def _published(date_value: Any, at_value: Any) -> date | None:
    for value in (at_value, date_value):
        if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
            continue
        try:
            if pd.isna(value):
                continue
        except (TypeError, ValueError):
            pass
        if isinstance(value, pd.Timestamp):
            return value.date()
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
    return None


def _batches(frame: pd.DataFrame, size: int) -> Iterator[pd.DataFrame]:
    for start in range(0, len(frame), size):
        yield frame.iloc[start:start + size]


# -- the store --------------------------------------------------------------------------------------

def analyze_store(store, *, redo_all: bool = False, themes_path: Path | None = None, progress: bool = False,
                  background: Sequence[tuple[str, str]] | None = None, workers: int | None = None) -> str:
    """Analyse the items not analysed yet (every item with ``redo_all``); return a one-line summary.

    Themes use a scorer fitted on the whole store plus the demo background, so an item's scores
    can shift a little when the corpus grows; ``--all`` re-scores everything against the current
    corpus. New items join the stored topics (ids and labels stay); `topics --refit` refits.
    """
    started = time.perf_counter()
    taxonomy = load_taxonomy(themes_path)
    todo = store.items_to_analyse(redo_all=redo_all)
    corpus = store.all_items_for_topics()
    counts = {"items": 0, "articles": 0, "headlines": 0, "themes": 0, "claims": 0}
    claim_types: dict[str, int] = {}
    if len(todo):
        scorer = fit_scorer(taxonomy, (_item_document(k, ti, te) for k, ti, te in
                                       zip(corpus["kind"], corpus["title"], corpus["text"])),
                            background=background)
        if workers is None:
            workers = min(os.cpu_count() or 1, 4) if len(todo) >= PARALLEL_FROM else 1
        bar = _progress(len(todo), enabled=progress)
        for kinds, ids, themes, claims_df in _analysed_batches(scorer, todo, workers=workers):
            store.write_analysis(ids, themes, claims_df)
            counts["items"] += len(ids)
            counts["articles"] += kinds.count("article")
            counts["headlines"] += kinds.count("headline")
            counts["themes"] += int(themes["assigned"].sum())
            counts["claims"] += len(claims_df)
            for claim_type, n in claims_df["type"].value_counts().items():
                claim_types[str(claim_type)] = claim_types.get(str(claim_type), 0) + int(n)
            if bar is not None:
                bar.update(len(ids))
        if bar is not None:
            bar.close()
    # New items join the stored topics; only `flankwatch topics --refit` refits (see analysis/topics.py).
    topics_note = update_topics(store, corpus, taxonomy=taxonomy, refit=False)
    stale = _stale_theme_note(store, taxonomy)
    elapsed = time.perf_counter() - started
    if not counts["items"]:
        return f"nothing new to analyse ({len(corpus)} items in the store; --all redoes them); {topics_note}{stale}"
    by_type = ", ".join(f"{n} {t}" for t, n in sorted(claim_types.items())) or "none"
    return (f"analysed {counts['items']} items ({counts['articles']} articles, {counts['headlines']} headlines) "
            f"in {elapsed:.1f}s: {counts['themes']} theme assignments, {counts['claims']} claims ({by_type}); "
            f"{topics_note}{stale}")


def analyse_batch(scorer: ThemeScorer, batch: pd.DataFrame) -> tuple[list[str], list[str], pd.DataFrame, pd.DataFrame]:
    """Themes and claims of one batch of store rows: (kinds, ids, item_themes rows, claims rows)."""
    ids = [str(i) for i in batch["id"]]
    kinds = [str(k) for k in batch["kind"]]
    scores = scorer.score_many([_item_document(k, ti, te) for k, ti, te in zip(kinds, batch["title"], batch["text"])])
    claims = {
        item_id: extract_item_claims(title=title if kind == "article" and isinstance(title, str) else None,
                                     text=text if isinstance(text, str) else "", published=_published(d, a))
        for item_id, kind, title, text, d, a in zip(ids, kinds, batch["title"], batch["text"],
                                                     batch["published_date"], batch["published_at"])
    }
    return kinds, ids, theme_frame(ids, scores), claim_frame(claims)


# Set once in each worker process by the pool initializer, so the fitted scorer is sent once per
# worker rather than with every batch.
_worker_state: dict = {}


def _init_worker(scorer: ThemeScorer) -> None:
    _worker_state["scorer"] = scorer


def _analyse_in_worker(batch: pd.DataFrame):
    return analyse_batch(_worker_state["scorer"], batch)


def _analysed_batches(scorer: ThemeScorer, todo: pd.DataFrame, *, workers: int):
    """Batches in order, analysed here or, for large runs, in ``workers`` processes."""
    columns = ["id", "kind", "title", "text", "published_date", "published_at"]
    batches = (batch[columns] for batch in _batches(todo, BATCH_SIZE))
    if workers <= 1:
        for batch in batches:
            yield analyse_batch(scorer, batch)
        return
    # spawn, not fork: the parent holds DuckDB's threads and locks, which a forked child must not inherit.
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=_init_worker, initargs=(scorer,)) as pool:
        yield from pool.imap(_analyse_in_worker, batches)


def _stale_theme_note(store, taxonomy: Taxonomy) -> str:
    """A warning when some items were scored against another taxonomy (e.g. an earlier --themes)."""
    rows = store.connection.execute("SELECT DISTINCT theme FROM item_themes").fetchall()
    other = sorted({row[0] for row in rows} - set(taxonomy.keys))
    if not other:
        return ""
    return f"; note: some items carry themes not in this taxonomy ({', '.join(other)}): rerun with --all"


def _progress(total: int, *, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="item", desc="analysing", leave=False)


# -- JSON lines ---------------------------------------------------------------------------------

def read_jsonl_items(src: TextIO, *, name: str = "input") -> list[dict[str, Any]]:
    """Validated records of a JSON-lines input: text (required), id, title, published, url, source."""
    records = []
    for number, line in enumerate(src, start=1):
        if not line.strip():
            continue
        where = f"{name}, line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise AnalysisInputError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(record, dict):
            raise AnalysisInputError(f"{where}: expected a JSON object, got {type(record).__name__}")
        text = record.get("text")
        if text is None:
            raise AnalysisInputError(f"{where}: missing field 'text' (the item's text; \"\" for a headline)")
        if not isinstance(text, str):
            raise AnalysisInputError(f"{where}: field 'text' must be a string, got {type(text).__name__}")
        for field in ("title", "url", "source"):
            if record.get(field) is not None and not isinstance(record[field], str):
                raise AnalysisInputError(f"{where}: field {field!r} must be a string or null")
        if record.get("id") is not None and not isinstance(record["id"], (str, int)):
            raise AnalysisInputError(f"{where}: field 'id' must be a string or a number")
        published = _parse_published(record.get("published"), where)
        if not text.strip() and not (record.get("title") or "").strip():
            raise AnalysisInputError(f"{where}: both 'text' and 'title' are empty; nothing to analyse")
        records.append({**record, "published": published, "_line": number})
    return records


def _parse_published(value: Any, where: str) -> date | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise AnalysisInputError(f"{where}: field 'published' must be a date string like 2024-05-01 or null")
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        raise AnalysisInputError(
            f"{where}: field 'published' = {value!r} is not an ISO 8601 date (YYYY-MM-DD) or date-time"
        ) from None


def analyse_records(records: Sequence[dict[str, Any]], *, taxonomy: Taxonomy,
                    scorer: ThemeScorer | None = None) -> list[dict[str, Any]]:
    """Themes, scores and claims for validated records, in order (one result per record)."""
    documents = [((r.get("title") or ""), r["text"]) if r["text"].strip() else ((r.get("title") or ""), "")
                 for r in records]
    if scorer is None:
        scorer = fit_scorer(taxonomy, documents)
    results = []
    for start in range(0, len(records), BATCH_SIZE):
        chunk = records[start:start + BATCH_SIZE]
        scores = scorer.score_many(documents[start:start + BATCH_SIZE])
        for record, item_scores in zip(chunk, scores):
            if record["text"].strip():
                claims = extract_item_claims(title=record.get("title"), text=record["text"],
                                             published=record["published"])
            else:
                claims = extract_item_claims(title=None, text=record.get("title") or "", published=record["published"])
            results.append({
                "id": record.get("id"),
                "themes": [s.theme for s in item_scores if s.assigned],
                "theme_scores": {s.theme: s.score for s in item_scores},
                "claims": [_claim_json(c) for c in claims],
            })
    return results


def _claim_json(claim: Claim) -> dict[str, Any]:
    record = {name: getattr(claim, name) for name in CLAIM_JSON_FIELDS}
    if claim.details:
        record["details"] = dict(claim.details)
    return record


def analyze_jsonl(src: TextIO, dst: TextIO, *, themes_path: Path | None = None) -> int:
    """Analyse JSON lines from ``src`` (no store) and write one result line per input line to ``dst``.

    Each output line is ``{"id", "themes", "theme_scores", "claims"}`` with the id copied from
    the input (null when it has none). A bad input line raises AnalysisInputError naming the line;
    nothing is written then. Returns the number of items analysed.
    """
    taxonomy = load_taxonomy(themes_path)
    records = read_jsonl_items(src, name=getattr(src, "name", "input") if isinstance(getattr(src, "name", None), str)
                               else "input")
    for result in analyse_records(records, taxonomy=taxonomy):
        dst.write(json.dumps(result, ensure_ascii=False, default=_json_default) + "\n")
    return len(records)


def _json_default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")

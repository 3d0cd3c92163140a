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
from analysis.modelfile import ModelBundle, active_bundle, bundle_bytes, load_bundle, load_bundle_bytes
from analysis.paths import SHIPPED_MODEL
from analysis.store import CLAIM_COLUMNS
from analysis.themes import Taxonomy, ThemeScore, load_taxonomy
from analysis.topics import update_topics
from analysis.wording import plural

BATCH_SIZE = 500
PARALLEL_FROM = 4000  # items; below this, starting worker processes costs more than it saves
CLAIM_JSON_FIELDS = ("type", "actor", "kind", "value", "value_high", "unit", "year", "year_high",
                     "year_relative", "speaker", "evidence", "start", "end")


class AnalysisInputError(ValueError):
    """A line of a JSON-lines input cannot be analysed; the message names the line and the problem."""


# -- shared steps ---------------------------------------------------------------------------------

def load_model(store=None, *, taxonomy: Taxonomy, model_path: Path | str | None = None) -> ModelBundle:
    """The model to analyse with: --model FILE, else the store's accepted model, else the shipped file."""
    if model_path is not None:
        return load_bundle(model_path, taxonomy)
    if store is not None:
        return active_bundle(store, taxonomy)
    return load_bundle(SHIPPED_MODEL, taxonomy)


def _item_document(kind: str, title: Any, text: Any) -> tuple[str, str]:
    """(title, text) as the scorer reads them: a headline is its title, with no body."""
    title = title if isinstance(title, str) else ""
    text = text if isinstance(text, str) else ""
    return (title, "") if kind == "headline" else (title, text)


def claim_id(item_id: str, claim: Claim) -> str:
    """Stable across runs: the same claim of the same item always has the same id."""
    key = f"{item_id}|{claim.type}|{claim.start}|{claim.end}"
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()




THEME_FRAME_COLUMNS = ("item_id", "theme", "score", "assigned", "terms", "sentences")


def theme_frame(item_ids: Sequence[str], scores: Sequence[list[ThemeScore]]) -> pd.DataFrame:
    """One row per item and theme, in the store's item_themes layout (built column by column)."""
    pairs = list(zip(item_ids, scores))
    if not any(item_scores for _, item_scores in pairs):
        return pd.DataFrame([], columns=list(THEME_FRAME_COLUMNS))
    flat = [s for _, item_scores in pairs for s in item_scores]
    return pd.DataFrame({
        "item_id": [item_id for item_id, item_scores in pairs for _ in item_scores],
        "theme": [s.theme for s in flat], "score": [s.score for s in flat], "assigned": [s.assigned for s in flat],
        "terms": [list(s.terms) for s in flat], "sentences": [list(s.sentences) for s in flat],
    }, columns=list(THEME_FRAME_COLUMNS))


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
                  model_path: Path | str | None = None, workers: int | None = None) -> str:
    """Analyse the items not analysed yet (every item with ``redo_all``); return a one-line summary.

    The model is loaded, never fitted here (``flankwatch train`` fits it), so an item's themes and
    claims depend on that item and the model alone; each analysed item records the model version.
    New items join the stored topics (ids and labels stay); ``topics --refit`` refits them.
    """
    started = time.perf_counter()
    taxonomy = load_taxonomy(themes_path)
    todo = store.items_to_analyse(redo_all=redo_all)
    counts = {"items": 0, "articles": 0, "headlines": 0, "themes": 0, "claims": 0}
    claim_types: dict[str, int] = {}
    if len(todo):
        bundle = load_model(store, taxonomy=taxonomy, model_path=model_path)
        if workers is None:
            workers = min(os.cpu_count() or 1, 4) if len(todo) >= PARALLEL_FROM else 1
        bar = _progress(len(todo), enabled=progress)
        for kinds, ids, themes, claims_df in _analysed_batches(bundle, todo, workers=workers):
            store.write_analysis(ids, themes, claims_df, model_version=bundle.version)
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
    corpus = store.all_items_for_topics()
    # New items join the stored topics; only `flankwatch topics --refit` refits (see analysis/topics.py).
    topics_note = update_topics(store, corpus, taxonomy=taxonomy, refit=False)
    stale = _stale_theme_note(store, taxonomy)
    elapsed = time.perf_counter() - started
    if not counts["items"]:
        return (f"nothing new to analyse ({plural(len(corpus), 'item', thousands=False)} in the store; "
                f"--all redoes them); {topics_note}{stale}")
    by_type = ", ".join(f"{n} {t}" for t, n in sorted(claim_types.items())) or "none"
    return (f"analysed {plural(counts['items'], 'item', thousands=False)} "
            f"({plural(counts['articles'], 'article', thousands=False)}, "
            f"{plural(counts['headlines'], 'headline', thousands=False)}) "
            f"in {elapsed:.1f}s with model {bundle.version}: {plural(counts['themes'], 'theme assignment', thousands=False)}, "
            f"{plural(counts['claims'], 'claim', thousands=False)} ({by_type}); {topics_note}{stale}")


def analyse_documents(bundle: ModelBundle, kinds: Sequence[str], titles: Sequence[Any], texts: Sequence[Any],
                      published: Sequence[date | None]) -> tuple[list[list[ThemeScore]], list[list[Claim]]]:
    """Theme scores and claims of items, each on its own (the same item gives the same result in any batch)."""
    documents = [_item_document(k, ti, te) for k, ti, te in zip(kinds, titles, texts)]
    scores = bundle.themes.predict(documents)
    claims = [
        extract_item_claims(title=title if kind == "article" and isinstance(title, str) else None,
                            text=text if isinstance(text, str) else "", published=day,
                            spending_model=bundle.spending)
        for kind, title, text, day in zip(kinds, titles, texts, published)
    ]
    return scores, claims


def analyse_batch(bundle: ModelBundle, batch: pd.DataFrame) -> tuple[list[str], list[str], pd.DataFrame, pd.DataFrame]:
    """Themes and claims of one batch of store rows: (kinds, ids, item_themes rows, claims rows)."""
    ids = [str(i) for i in batch["id"]]
    kinds = [str(k) for k in batch["kind"]]
    published = [_published(d, a) for d, a in zip(batch["published_date"], batch["published_at"])]
    scores, claims = analyse_documents(bundle, kinds, list(batch["title"]), list(batch["text"]), published)
    return kinds, ids, theme_frame(ids, scores), claim_frame(dict(zip(ids, claims)))


# Set once in each worker process by the pool initializer, so the model is sent once per worker
# (as its file's bytes, loaded with the same checks) rather than with every batch.
_worker_state: dict = {}


def _init_worker(model: bytes, taxonomy: Taxonomy) -> None:
    _worker_state["bundle"] = load_bundle_bytes(model, taxonomy, name="model")


def _analyse_in_worker(batch: pd.DataFrame):
    return analyse_batch(_worker_state["bundle"], batch)


def _analysed_batches(bundle: ModelBundle, todo: pd.DataFrame, *, workers: int):
    """Batches in order, analysed here or, for large runs, in ``workers`` processes."""
    columns = ["id", "kind", "title", "text", "published_date", "published_at"]
    batches = (batch[columns] for batch in _batches(todo, BATCH_SIZE))
    if workers <= 1:
        for batch in batches:
            yield analyse_batch(bundle, batch)
        return
    # spawn, not fork: the parent holds DuckDB's threads and locks, which a forked child must not inherit.
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=_init_worker,
                      initargs=(bundle_bytes(bundle), bundle.themes.taxonomy)) as pool:
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


def analyse_records(records: Sequence[dict[str, Any]], *, bundle: ModelBundle) -> list[dict[str, Any]]:
    """Themes, scores and claims for validated records, in order (one result per record)."""
    results = []
    for start in range(0, len(records), BATCH_SIZE):
        chunk = records[start:start + BATCH_SIZE]
        # a record with no text is a headline: its title is all there is
        kinds = ["article" if r["text"].strip() else "headline" for r in chunk]
        titles = [r.get("title") or "" for r in chunk]
        # a headline's claims are read from its title (its themes from the title alone either way)
        texts = [r["text"] if kind == "article" else r.get("title") or "" for r, kind in zip(chunk, kinds)]
        scores, claims = analyse_documents(bundle, kinds, titles, texts, [r["published"] for r in chunk])
        for record, item_scores, item_claims in zip(chunk, scores, claims):
            results.append({
                "id": record.get("id"),
                "themes": [s.theme for s in item_scores if s.assigned],
                "theme_scores": {s.theme: s.score for s in item_scores},
                "claims": [claim_json(c) for c in item_claims],
                "model_version": bundle.version,
            })
    return results


def claim_json(claim: Claim) -> dict[str, Any]:
    """A claim as a JSON object (the fields of LABELING.md plus type, offsets and details)."""
    record = {name: getattr(claim, name) for name in CLAIM_JSON_FIELDS}
    if claim.details:
        record["details"] = dict(claim.details)
    return record


def analyze_jsonl(src: TextIO, dst: TextIO, *, themes_path: Path | None = None,
                  model_path: Path | str | None = None) -> int:
    """Analyse JSON lines from ``src`` (no store) and write one result line per input line to ``dst``.

    Each output line is ``{"id", "themes", "theme_scores", "claims", "model_version"}`` with the id
    copied from the input (null when it has none). A bad input line raises AnalysisInputError
    naming the line; nothing is written then. Returns the number of items analysed.
    """
    taxonomy = load_taxonomy(themes_path)
    records = read_jsonl_items(src, name=getattr(src, "name", "input") if isinstance(getattr(src, "name", None), str)
                               else "input")
    bundle = load_model(taxonomy=taxonomy, model_path=model_path)
    for result in analyse_records(records, bundle=bundle):
        dst.write(json.dumps(result, ensure_ascii=False, default=_json_default) + "\n")
    return len(records)


def _json_default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")

"""Ingest runs: files, folders and globs in; new items, per-file outcomes and a summary out.

Each file is all-or-nothing: it is read completely before any of its items are kept, and its
items are written in the same transaction as its outcome row. Items are written in batches; a
process killed mid-batch loses only that batch's uncommitted work, and the next run reads those
files again (files already stored are recognised by their SHA-256 and skipped).
"""

from __future__ import annotations

import glob
import hashlib
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Literal

import pandas as pd

from analysis.ingest import MAX_FILE_BYTES, ReadError, read_bytes, supported_suffixes
from analysis.ingest.dedup import NearDuplicateIndex, fingerprint
from analysis.model import Item
from analysis.store import Store

BATCH_ITEMS = 5000
BATCH_FILES = 2000
Status = Literal["ok", "duplicate", "failed"]


@dataclass(slots=True)
class FileOutcome:
    path: str
    status: Status
    reader: str | None = None
    items_read: int = 0
    items_new: int = 0
    items_duplicate: int = 0
    items_near_duplicate: int = 0
    error: str | None = None
    warnings: tuple[str, ...] = ()


@dataclass(slots=True)
class IngestReport:
    run_id: int
    outcomes: list[FileOutcome] = field(default_factory=list)

    @property
    def failures(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def totals(self) -> dict[str, int]:
        return {
            "files": len(self.outcomes),
            "read": sum(o.items_read for o in self.outcomes),
            "new": sum(o.items_new for o in self.outcomes),
            "duplicate": sum(o.items_duplicate for o in self.outcomes),
            "near_duplicate": sum(o.items_near_duplicate for o in self.outcomes),
            "unchanged_files": sum(o.status == "duplicate" for o in self.outcomes),
            "failed": len(self.failures),
        }

    def summary(self) -> str:
        t = self.totals
        return (
            f"run {self.run_id}: {t['files']} files, {t['read']} items read, {t['new']} new "
            f"({t['near_duplicate']} linked as near-duplicates), {t['duplicate']} duplicate, "
            f"{t['unchanged_files']} files unchanged since an earlier run, {t['failed']} failed"
        )


def ingest_paths(store: Store, paths: Sequence[str | Path], *, progress: bool = False,
                 max_bytes: int = MAX_FILE_BYTES, batch_files: int = BATCH_FILES) -> IngestReport:
    """Ingest files, folders (recursive) and glob patterns into ``store``."""
    files, missing = expand_paths(paths)
    sources = (_file_source(path, max_bytes) for path in files)
    return _ingest(store, sources, total=len(files), missing=missing, progress=progress, max_bytes=max_bytes,
                   batch_files=batch_files)


def ingest_uploads(store: Store, uploads: Sequence[tuple[str, bytes]], *, progress: bool = False,
                   max_bytes: int = MAX_FILE_BYTES) -> IngestReport:
    """Ingest files received from a browser; their names are only shown, never used as paths."""
    sources = ((f"upload:{safe_name(name)}", Path(safe_name(name)).suffix, data, None) for name, data in uploads)
    return _ingest(store, sources, total=len(uploads), missing=[], progress=progress, max_bytes=max_bytes,
                   batch_files=BATCH_FILES)


def safe_name(name: str) -> str:
    """A display name with no directories and no characters that could mean anything."""
    base = re.split(r"[\\/]", name)[-1]
    cleaned = re.sub(r"[^\w.\- ]", "_", base).strip(" .") or "upload"
    return cleaned[:120]


def expand_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[FileOutcome]]:
    """Files to read, in a stable order, and an outcome for every argument that names nothing."""
    suffixes = set(supported_suffixes())
    files: list[Path] = []
    missing: list[FileOutcome] = []
    for raw in paths:
        text = str(raw)
        if any(ch in text for ch in "*?[") and not Path(text).exists():
            matches = sorted(Path(p) for p in glob.glob(text, recursive=True))
            if not matches:
                missing.append(FileOutcome(text, "failed", error="no files match this pattern"))
            for match in matches:
                files.extend(_walk(match, suffixes) if match.is_dir() else [match])
            continue
        path = Path(text)
        if path.is_dir():
            files.extend(_walk(path, suffixes))
        elif path.exists():
            files.append(path)
        else:
            missing.append(FileOutcome(text, "failed", error="no such file or folder"))
    seen: set[Path] = set()
    unique = []
    for path in files:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique, missing


def _walk(folder: Path, suffixes: set[str]) -> list[Path]:
    return sorted(
        p for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in suffixes
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


_Source = tuple[str, str, bytes | None, str | None]  # name, suffix, content, error


def _file_source(path: Path, max_bytes: int) -> _Source:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return (str(path), path.suffix, None,
                    f"the file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit for one file; "
                    "split it into smaller files")
        return str(path), path.suffix, path.read_bytes(), None
    except OSError as exc:
        return str(path), path.suffix, None, f"cannot read the file ({exc.strerror})"


def _ingest(store: Store, sources: Iterator[_Source], *, total: int, missing: list[FileOutcome],
            progress: bool, max_bytes: int, batch_files: int) -> IngestReport:
    store.connection.execute("UPDATE ingest_runs SET status = 'interrupted' WHERE status = 'running'")
    known_files = store.ingested_file_hashes()
    known_ids = store.all_ids()
    index = NearDuplicateIndex(*store.fingerprints())
    run_id = store.start_run()
    report = IngestReport(run_id)
    batch = _Batch(run_id, max_files=batch_files)
    for outcome in missing:
        report.outcomes.append(outcome)
        batch.add_outcome(outcome, sha256=None)

    bar = _progress(total, enabled=progress)
    try:
        for name, suffix, data, error in sources:
            bar.update(1)
            if error is not None or data is None:
                outcome = FileOutcome(name, "failed", error=error)
                report.outcomes.append(outcome)
                batch.add_outcome(outcome, sha256=None)
                continue
            sha256 = hashlib.sha256(data).hexdigest()
            if sha256 in known_files:
                outcome = FileOutcome(name, "duplicate")
                report.outcomes.append(outcome)
                batch.add_outcome(outcome, sha256=sha256)
                continue
            try:
                read = read_bytes(data, name=name, suffix=suffix, max_bytes=max_bytes)
            except ReadError as exc:
                outcome = FileOutcome(name, "failed", error=exc.problem)
                report.outcomes.append(outcome)
                batch.add_outcome(outcome, sha256=sha256)
                continue
            outcome = FileOutcome(name, "ok", reader=read.reader, items_read=len(read.items),
                                  warnings=read.warnings)
            for item in read.items:
                if item.id in known_ids:
                    outcome.items_duplicate += 1
                    continue
                known_ids.add(item.id)
                duplicate_of, print_ = None, None
                if item.kind == "article":
                    print_ = fingerprint(item.text)
                    if print_ is not None:
                        duplicate_of = index.find(print_)
                        if duplicate_of is None:
                            index.add(item.id, print_)
                outcome.items_new += 1
                outcome.items_near_duplicate += duplicate_of is not None
                batch.add_item(item, print_, duplicate_of)
            known_files.add(sha256)
            report.outcomes.append(outcome)
            batch.add_outcome(outcome, sha256=sha256)
            if batch.full():
                batch.flush(store)
        batch.flush(store)
    except BaseException:
        bar.close()
        store.finish_run(run_id, totals=report.totals, status="interrupted")
        raise
    bar.close()
    store.finish_run(run_id, totals=report.totals)
    return report


class _Batch:
    """Rows waiting for one transaction: new items and the outcomes of the files they came from."""

    def __init__(self, run_id: int, *, max_files: int):
        self.run_id = run_id
        self.max_files = max_files
        self.items: list[dict] = []
        self.files: list[dict] = []

    def add_item(self, item: Item, print_, duplicate_of: str | None) -> None:
        self.items.append({
            "id": item.id, "kind": item.kind, "title": item.title, "text": item.text,
            "published_at": _instant(item.published), "published_date": item.published_date,
            "published_approximate": item.published_approximate, "outlet": item.outlet,
            "byline": item.byline, "dateline": item.dateline, "section": item.section,
            "tags": list(item.tags), "url": item.url, "parent_id": item.parent_id,
            "source_path": item.source_path,
            "simhash": print_.simhash if print_ else None,
            "lsh_bands": list(print_.bands) if print_ else None,
            "duplicate_of": duplicate_of, "run_id": self.run_id,
            "ingested_at": datetime.now(timezone.utc),
        })

    def add_outcome(self, outcome: FileOutcome, *, sha256: str | None) -> None:
        self.files.append({
            "run_id": self.run_id, "path": outcome.path, "sha256": sha256, "reader": outcome.reader,
            "status": outcome.status, "items_read": outcome.items_read, "items_new": outcome.items_new,
            "items_duplicate": outcome.items_duplicate, "error": outcome.error,
            "warnings": list(outcome.warnings),
        })

    def full(self) -> bool:
        return len(self.items) >= BATCH_ITEMS or len(self.files) >= self.max_files

    def flush(self, store: Store) -> None:
        if not self.items and not self.files:
            return
        items = pd.DataFrame.from_records(self.items) if self.items else pd.DataFrame()
        if len(items):
            items["published_at"] = pd.to_datetime(items["published_at"], utc=True)
            items["published_date"] = pd.to_datetime(items["published_date"]).dt.date
            items["simhash"] = items["simhash"].astype("UInt64")
        store.write_ingest_batch(items, pd.DataFrame.from_records(self.files))
        self.items, self.files = [], []


def _instant(published: datetime | date | None) -> datetime | None:
    """The UTC instant of a published time; a time with no zone is taken as UTC."""
    if not isinstance(published, datetime):
        return None
    if published.tzinfo is None:
        return published.replace(tzinfo=timezone.utc)
    return published.astimezone(timezone.utc)


def _progress(total: int, *, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit="file", desc="ingest", disable=not (enabled and total > 50 and sys.stderr.isatty()))

"""Ingest runs: files, folders and globs in; new items, per-file outcomes and a summary out.

Each file is all-or-nothing: it is read completely before any of its items are kept, and its
items are written in the same transaction as its outcome row. Items are written in batches; a
process killed mid-batch loses only that batch's uncommitted work, and the next run reads those
files again (files already stored are recognised by their SHA-256 and skipped).
"""

from __future__ import annotations

import glob
import hashlib
import multiprocessing
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Literal

import pandas as pd

from analysis.ingest import (
    MAX_FILE_BYTES,
    FileRead,
    ReadError,
    describe_error,
    load_bytes,
    read_bytes,
    file_suffix,
    supported_suffixes,
)
from analysis.ingest.dedup import Fingerprint, NearDuplicateIndex, Richness, fingerprint, richness
from analysis.model import Item
from analysis.store import Store

OnProgress = Callable[[int, int], None]

BATCH_ITEMS = 5000
# Stored stories whose richness is looked up one by one before all are read at once (~2 s on a
# million items): a poll or an upload touches a few, a bulk ingest many.
POINT_LOOKUPS = 16
BATCH_FILES = 2000
PARALLEL_FROM = 500
# "duplicate": the file's content is stored already (or was read earlier in this run); "skipped": a
# link in a folder that leads out of it, not followed.
Status = Literal["ok", "duplicate", "failed", "skipped"]


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
    copies_in_run: int = 0  # files whose content an earlier file of the same run had

    @property
    def failures(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def skipped(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == "skipped"]

    @property
    def totals(self) -> dict[str, int]:
        return {
            "files": len(self.outcomes),
            "read": sum(o.items_read for o in self.outcomes),
            "new": sum(o.items_new for o in self.outcomes),
            "duplicate": sum(o.items_duplicate for o in self.outcomes),
            "near_duplicate": sum(o.items_near_duplicate for o in self.outcomes),
            "unchanged_files": sum(o.status == "duplicate" for o in self.outcomes) - self.copies_in_run,
            "copies_in_run": self.copies_in_run,
            "failed": len(self.failures),
            "skipped": len(self.skipped),
        }

    def summary(self) -> str:
        t = self.totals
        unchanged = "file" if t["unchanged_files"] == 1 else "files"
        copies = "copy" if t["copies_in_run"] == 1 else "copies"
        skipped = f", {t['skipped']} skipped" if t["skipped"] else ""
        return (
            f"run {self.run_id}: {t['files']} {'file' if t['files'] == 1 else 'files'}, "
            f"{t['read']} {'item' if t['read'] == 1 else 'items'} read, {t['new']} new "
            f"({t['near_duplicate']} linked as {'a near-duplicate' if t['near_duplicate'] == 1 else 'near-duplicates'}), "
            f"{t['duplicate']} duplicate, "
            f"{t['unchanged_files']} {unchanged} unchanged since an earlier run, "
            f"{t['copies_in_run']} {copies} of a file read earlier in this run, {t['failed']} failed{skipped}"
        )


def ingest_paths(store: Store, paths: Sequence[str | Path], *, progress: bool = False,
                 max_bytes: int = MAX_FILE_BYTES, batch_files: int = BATCH_FILES,
                 workers: int | None = None, on_progress: OnProgress | None = None) -> IngestReport:
    """Ingest files, folders (recursive) and glob patterns into ``store``.

    Large runs parse in ``workers`` processes (default: one per core from 500 files on); the
    store is written from this process only. ``on_progress(done, total)`` is called after each file.
    """
    files, missing = expand_paths(paths)
    known_files = store.ingested_file_hashes()
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if len(files) >= PARALLEL_FROM else 1
    parsed = _parse_paths([str(f) for f in files], known_files, max_bytes=max_bytes, workers=workers)
    return _ingest(store, parsed, known_files=known_files, total=len(files), missing=missing,
                   progress=progress, batch_files=batch_files, on_progress=on_progress)


def ingest_uploads(store: Store, uploads: Sequence[tuple[str, bytes]], *, progress: bool = False,
                   max_bytes: int = MAX_FILE_BYTES) -> IngestReport:
    """Ingest files received from a browser; their names are only shown, never used as paths."""
    known_files = store.ingested_file_hashes()
    parsed = (
        _parse(f"upload:{safe_name(name)}", file_suffix(safe_name(name)), data, known_files, max_bytes)
        for name, data in uploads
    )
    return _ingest(store, parsed, known_files=known_files, total=len(uploads), missing=[], progress=progress,
                   batch_files=BATCH_FILES)


def ingest_read(store: Store, documents: Sequence[tuple[str, str, FileRead]], *,
                source_name: str | None = None) -> IngestReport:
    """Ingest documents already read elsewhere (the poller's feeds): (name, content sha256, what was read).

    They go the same way as files: a document whose hash was stored before is skipped whole,
    items already stored are not added again, near-duplicates are linked, and each document's
    items are written with its outcome row in one transaction. Items keep ``source_name``.
    """
    known_files = store.ingested_file_hashes()
    parsed = []
    for name, sha256, read in documents:
        if sha256 in known_files:
            parsed.append(_Parsed(name, "duplicate", sha256=sha256))
            continue
        prints = [fingerprint(item.text) if item.kind == "article" else None for item in read.items]
        parsed.append(_Parsed(name, "ok", sha256=sha256, read=read, prints=prints))
    return _ingest(store, parsed, known_files=known_files, total=len(parsed), missing=[], progress=False,
                   batch_files=BATCH_FILES, source_name=source_name)


def safe_name(name: str) -> str:
    """A display name with no directories and no characters that could mean anything."""
    base = re.split(r"[\\/]", name)[-1]
    cleaned = re.sub(r"[^\w.\- ]", "_", base).strip(" .") or "upload"
    return cleaned[:120]


def expand_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[FileOutcome]]:
    """Files to read, in a stable order, and an outcome for every argument that names nothing, every
    folder that cannot be read and every link that leads out of the folder it is in."""
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
                files.extend(_walk(match, suffixes, missing) if match.is_dir() else [match])
            continue
        path = Path(text)
        if path.is_dir():
            files.extend(_walk(path, suffixes, missing))
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


def _walk(folder: Path, suffixes: set[str], problems: list[FileOutcome]) -> list[Path]:
    """The files under ``folder`` (hidden ones left out), never leaving it through a link.

    A sub-folder that cannot be listed and a link that leads out of ``folder`` are added to
    ``problems`` (failed and skipped), so the user learns which files were not read.
    """
    root = folder.resolve()
    found: list[Path] = []
    unreadable: list[FileOutcome] = []

    def cannot_list(error: OSError) -> None:
        unreadable.append(FileOutcome(str(error.filename), "failed", error=(
            f"cannot read this folder ({error.strerror or error}); the files in it were not read")))

    links_out: list[FileOutcome] = []
    for top, dirs, names in os.walk(folder, onerror=cannot_list):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        here = Path(top)
        for entry in [*dirs, *names]:
            path = here / entry
            if entry.startswith(".") or not path.is_symlink():
                continue
            target = path.resolve()
            if not target.is_relative_to(root) and (target.is_dir() or file_suffix(target.name) in suffixes):
                links_out.append(FileOutcome(str(path), "skipped", error=(
                    f"a link to {target}, outside {folder}: not followed (name the file itself to read it)")))
        for name in names:
            path = here / name
            if name.startswith(".") or file_suffix(name) not in suffixes or not path.is_file():
                continue
            if path.is_symlink() and not path.resolve().is_relative_to(root):
                continue
            found.append(path)
    problems.extend(sorted(unreadable + links_out, key=lambda o: o.path))
    return sorted(found)


@dataclass(slots=True)
class _Parsed:
    """One file after reading: its items and their fingerprints, or why it was not read."""

    name: str
    status: Status
    sha256: str | None = None
    error: str | None = None
    read: FileRead | None = None
    prints: list[Fingerprint | None] = field(default_factory=list)


def _parse(name: str, suffix: str, data: bytes, known_files: set[str], max_bytes: int) -> _Parsed:
    sha256 = hashlib.sha256(data).hexdigest()
    if sha256 in known_files:
        return _Parsed(name, "duplicate", sha256=sha256)
    try:
        read = read_bytes(data, name=name, suffix=suffix, max_bytes=max_bytes)
        prints = [fingerprint(item.text) if item.kind == "article" else None for item in read.items]
    except ReadError as exc:
        return _Parsed(name, "failed", sha256=sha256, error=exc.problem)
    except Exception as exc:  # whatever goes wrong with one file fails that file only
        return _Parsed(name, "failed", sha256=sha256, error=f"unexpected error while reading: {describe_error(exc)}")
    return _Parsed(name, "ok", sha256=sha256, read=read, prints=prints)


def _parse_path(path: str, known_files: set[str], max_bytes: int) -> _Parsed:
    try:
        data = load_bytes(Path(path), max_bytes=max_bytes)
    except ReadError as exc:
        return _Parsed(path, "failed", error=exc.problem)
    return _parse(path, file_suffix(Path(path).name), data, known_files, max_bytes)


# Set once in each worker process by the pool initializer, so the known-file set is sent once
# per worker rather than with every task.
_worker_state: dict = {}


def _init_worker(known_files: set[str], max_bytes: int) -> None:
    _worker_state.update(known_files=known_files, max_bytes=max_bytes)


def _parse_in_worker(path: str) -> _Parsed:
    return _parse_path(path, _worker_state["known_files"], _worker_state["max_bytes"])


def _parse_paths(paths: list[str], known_files: set[str], *, max_bytes: int, workers: int) -> Iterator[_Parsed]:
    if workers <= 1:
        for path in paths:
            yield _parse_path(path, known_files, max_bytes)
        return
    # spawn, not fork: the parent holds DuckDB's threads and locks, which a forked child must not inherit.
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=_init_worker, initargs=(known_files, max_bytes)) as pool:
        yield from pool.imap(_parse_in_worker, paths, chunksize=64)


def _ingest(store: Store, parsed_files: Iterable[_Parsed], *, known_files: set[str], total: int,
            missing: list[FileOutcome], progress: bool, batch_files: int,
            on_progress: OnProgress | None = None, source_name: str | None = None) -> IngestReport:
    store.connection.execute("UPDATE ingest_runs SET status = 'interrupted' WHERE status = 'running'")
    known_ids = store.all_ids()
    index = NearDuplicateIndex(*store.fingerprints())
    stories = _Stories(store)
    run_id = store.start_run()
    report = IngestReport(run_id)
    batch = _Batch(run_id, max_files=batch_files, source_name=source_name)
    for outcome in missing:
        report.outcomes.append(outcome)
        batch.add_outcome(outcome, sha256=None)

    bar = _progress(total, enabled=progress)
    read_in_run: dict[str, str] = {}  # content hash -> the first file of this run that had it
    try:
        for done, parsed in enumerate(parsed_files, start=1):
            bar.update(1)
            if on_progress is not None:
                on_progress(done, total)
            first = read_in_run.get(parsed.sha256) if parsed.status != "failed" else None
            if first is not None:  # the same content twice in this run
                outcome = FileOutcome(parsed.name, "duplicate",
                                      warnings=(f"the same content as {first}, read earlier in this run",))
                report.copies_in_run += 1
            elif parsed.read is None:
                outcome = FileOutcome(parsed.name, parsed.status, error=parsed.error)
            else:
                outcome = _keep_new_items(parsed, batch, known_ids, index, stories)
                known_files.add(parsed.sha256)
                read_in_run[parsed.sha256] = parsed.name
            report.outcomes.append(outcome)
            batch.add_outcome(outcome, sha256=parsed.sha256)
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


def _keep_new_items(parsed: _Parsed, batch: "_Batch", known_ids: set[str], index: NearDuplicateIndex,
                    stories: "_Stories") -> FileOutcome:
    """Queue the file's new items; a near-duplicate links to its story's canonical copy, or, when
    it is the richer copy, becomes the canonical one (the old one and its duplicates re-point)."""
    read = parsed.read
    outcome = FileOutcome(parsed.name, "ok", reader=read.reader, items_read=len(read.items), warnings=read.warnings)
    new: list[tuple[Item, Fingerprint | None]] = []
    for item, print_ in zip(read.items, parsed.prints):
        if item.id in known_ids:
            outcome.items_duplicate += 1
            continue
        known_ids.add(item.id)
        new.append((item, print_))
    # related headlines as the store will count them: new items whose parent is the page
    headlines = Counter(item.parent_id for item, _ in new if item.kind == "headline" and item.parent_id)
    for item, print_ in new:
        duplicate_of = None
        if print_ is not None:
            rank = richness(precise_time=_instant(item.published) is not None and not item.published_approximate,
                            text=item.text, headlines=headlines[item.id])
            found = index.find(print_)
            if found is not None and rank > stories.richness(found):
                index.retire(found)
                batch.relink(found, item.id)
                outcome.items_near_duplicate += 1  # joins a story already counted
                found = None
            elif found is not None:
                duplicate_of = found
            if found is None:
                index.add(item.id, print_)
                stories.add(item.id, rank)
        outcome.items_new += 1
        outcome.items_near_duplicate += duplicate_of is not None
        batch.add_item(item, print_, duplicate_of)
    return outcome


class _Stories:
    """The richness of each story's canonical copy: those added in this run, and stored ones as asked."""

    def __init__(self, store: Store):
        self.store = store
        self.known_: dict[str, Richness] = {}
        self.lookups_ = 0
        self.loaded_ = False

    def add(self, item_id: str, rank: Richness) -> None:
        self.known_[item_id] = rank

    def richness(self, item_id: str) -> Richness:
        if item_id not in self.known_ and not self.loaded_:
            self.lookups_ += 1
            if self.lookups_ <= POINT_LOOKUPS:
                self._load("i.id = ?", [item_id])
            else:
                self._load("i.kind = 'article' AND i.duplicate_of IS NULL AND i.simhash IS NOT NULL", [])
                self.loaded_ = True
        return self.known_[item_id]

    def _load(self, where: str, params: list) -> None:
        rows = self.store.connection.execute(f"""
            SELECT i.id, i.published_at IS NOT NULL AND NOT i.published_approximate, strlen(i.text),
                   (SELECT count(*) FROM items h WHERE h.parent_id = i.id)
            FROM items i WHERE {where}""", params).fetchall()
        for item_id, precise, size, headlines in rows:
            self.known_.setdefault(item_id, (bool(precise), int(size), int(headlines)))


def item_row(item: Item, print_: Fingerprint | None, *, duplicate_of: str | None, run_id: int | None,
             ingested_at: datetime, source_name: str | None) -> dict:
    """An item as a row of the store's items table (and of a lake's items, analysis/lake)."""
    return {
        "id": item.id, "kind": item.kind, "title": item.title, "text": item.text,
        "published_at": _instant(item.published), "published_date": item.published_date,
        "published_approximate": item.published_approximate, "outlet": item.outlet,
        "byline": item.byline, "dateline": item.dateline, "section": item.section,
        "tags": list(item.tags), "url": item.url, "parent_id": item.parent_id,
        "source_path": item.source_path,
        "simhash": print_.simhash if print_ else None,
        "lsh_bands": list(print_.bands) if print_ else None,
        "duplicate_of": duplicate_of, "run_id": run_id,
        "ingested_at": ingested_at, "source_name": source_name,
    }


class _Batch:
    """Rows waiting for one transaction: new items and the outcomes of the files they came from."""

    def __init__(self, run_id: int, *, max_files: int, source_name: str | None = None):
        self.run_id = run_id
        self.source_name = source_name
        self.max_files = max_files
        self.items: list[dict] = []
        self.files: list[dict] = []
        self.relinks: list[tuple[str, str]] = []  # (old canonical, new canonical), in order

    def relink(self, old: str, new: str) -> None:
        """``new`` (queued in this batch) becomes its story's canonical copy in place of ``old``."""
        self.relinks.append((old, new))

    def add_item(self, item: Item, print_, duplicate_of: str | None) -> None:
        self.items.append(item_row(item, print_, duplicate_of=duplicate_of, run_id=self.run_id,
                                   ingested_at=datetime.now(timezone.utc), source_name=self.source_name))

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
            # from the ints themselves: a column with a None in it would pass through float64 and lose low bits
            items["simhash"] = pd.array([row["simhash"] for row in self.items], dtype="UInt64")
        _write_batch(store, items, pd.DataFrame.from_records(self.files), self.relinks)
        self.items, self.files, self.relinks = [], [], []


def _write_batch(store: Store, items: pd.DataFrame, files: pd.DataFrame, relinks: list[tuple[str, str]]) -> None:
    """Store.write_ingest_batch, with the stories whose richer copy takes over, in one transaction.

    Each (old, new) makes ``new`` canonical: ``old`` and every item pointing at it point at ``new``.
    Chains within the batch (a -> b, then b -> c) are followed, so one statement re-points them all.
    """
    final = dict(relinks)
    for old in final:
        while final[old] in final:
            final[old] = final[final[old]]
    moves = pd.DataFrame({"old": list(final), "new": list(final.values())}) if final else None
    store.write_ingest_batch(items, files, moves)


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

"""Following the sources in sources.toml: polls through the store's owner, once or on schedule.

A poll reads the store (the sources' saved state, which entries are known) on a cursor, fetches
over the network outside the write thread, and then writes in one short write: the new items of
each fetched feed body (as one ingested "file" named by the feed's URL, so a body fetched twice is
read once), their analysis, and the source's new state. A process killed mid-poll leaves either
the state before the poll (the next poll fetches again and adds what is missing, once) or after it.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from analysis.ingest import FileRead
from analysis.live import Archive, Fetcher, PollResult, Source, SourcesError, SourceState, due, load_sources, poll_source
from analysis.owner import JobOutput, Owner
from analysis.store import Store
from analysis.wording import plural

SOURCES_ENV = "FLANKWATCH_SOURCES"


def archive_for(db: str | os.PathLike[str]) -> Archive:
    """Every fetched document is kept by content hash beside the store: ``<store>.archive/``."""
    db = Path(db)
    return Archive(db.with_name(db.name + ".archive"))


def states(owner: Owner) -> dict[str, SourceState]:
    with owner.cursor() as con:
        saved = Store(owner.path, con, read_only=True).source_states()
    return {name: SourceState.from_dict(state) for name, state in saved.items()}


def _known_ids(owner: Owner):
    def known(ids: Iterable[str]) -> set[str]:
        wanted = sorted(set(ids))
        if not wanted:
            return set()
        with owner.cursor() as con:
            rows = con.execute("SELECT id FROM items WHERE list_contains(?::VARCHAR[], id)", [wanted]).fetchall()
        return {row[0] for row in rows}
    return known


@dataclass(frozen=True, slots=True)
class Polled:
    """One source's poll as the user sees it: what was fetched and what the store gained."""

    source: str
    result: PollResult
    added: int

    def line(self) -> str:
        result = self.result
        if result.error is not None:
            return f"{self.source}: failed ({result.error.kind}): {result.error.message}"
        if result.not_modified:
            return f"{self.source}: not modified since the last poll"
        pages = f", {result.pages_fetched} page{'s' if result.pages_fetched != 1 else ''} fetched" if result.pages_fetched else ""
        failed = f" ({result.pages_failed} failed)" if result.pages_failed else ""
        return f"{self.source}: {plural(result.entries, 'entry', 'entries', thousands=False)}, {self.added} new item{'s' if self.added != 1 else ''}{pages}{failed}"


def poll_one(owner: Owner, source: Source, fetcher: Fetcher, archive: Archive, *,
             state: SourceState | None = None, now: datetime | None = None, analyse: bool = True) -> Polled:
    """Poll one source and write what it gave through the owner (see the module docstring)."""
    state = state if state is not None else states(owner).get(source.name, SourceState())
    result = poll_source(source, state, fetcher, archive=archive, known_ids=_known_ids(owner), now=now)

    def write(store: Store) -> int:
        added = 0
        if result.groups:
            from analysis.ingest.runner import ingest_read

            documents = [(group.name, group.sha256, FileRead(group.items, "feed", "", group.warnings))
                         for group in result.groups]
            report = ingest_read(store, documents, source_name=source.name)
            added = report.totals["new"]
        if analyse and result.ok and (added or len(store.items_to_analyse())):
            # what is new, and what a poll killed between its ingest and its analysis left behind
            from analysis import pipeline

            pipeline.analyze_store(store, progress=False)
        saved = store.source_states().get(source.name)
        paused = bool(saved and saved.get("paused"))  # a pause made while this poll was fetching stands
        store.save_source_state(source.name, source.url, {**result.state.to_dict(), "paused": paused})
        return added

    added = owner.write(write, label=f"poll of {source.name}")
    return Polled(source.name, result, added)


def poll_sources(owner: Owner, sources: Sequence[Source], out: JobOutput, *, fetcher: Fetcher | None = None,
                 archive: Archive | None = None, only_due: bool = False, stop: threading.Event | None = None) -> list[Polled]:
    """Poll each enabled, unpaused source (only those due with ``only_due``); a failure costs only its source."""
    archive = archive or archive_for(owner.path)
    saved = states(owner)
    now = datetime.now(timezone.utc)
    chosen = due(sources, saved, now) if only_due else [
        s for s in sources if s.enabled and not saved.get(s.name, SourceState()).paused]
    polled = []
    own_fetcher = fetcher is None
    fetcher = fetcher or Fetcher()
    try:
        for number, source in enumerate(chosen, start=1):
            if stop is not None and stop.is_set():
                break
            out.progress(number - 1, len(chosen), "sources polled")
            outcome = poll_one(owner, source, fetcher, archive, state=saved.get(source.name, SourceState()), now=now)
            out.line(outcome.line(), err=outcome.result.error is not None)
            polled.append(outcome)
        out.progress(len(chosen), len(chosen), "sources polled")
    finally:
        if own_fetcher:
            fetcher.close()
    return polled


def poll_soon(owner: Owner, source: Source) -> None:
    """Make a source due now (its next poll is moved to now); the poller takes it at its next look."""
    def write(store: Store) -> None:
        state = store.source_states().get(source.name) or SourceState().to_dict()
        store.save_source_state(source.name, source.url, {**state, "next_poll": None})
    owner.write(write, label=f"poll {source.name} soon")


def set_paused(owner: Owner, source: Source, paused: bool) -> None:
    """Pause or resume polling a source (kept in the store, so it survives restarts)."""
    def write(store: Store) -> None:
        state = store.source_states().get(source.name) or SourceState().to_dict()
        store.save_source_state(source.name, source.url, {**state, "paused": paused})
    owner.write(write, label=f"{'pause' if paused else 'resume'} {source.name}")


# The poller of each store this process serves (set by `flankwatch serve`), for the Sources page.
RUNNING: dict[Path, "Poller"] = {}


def running_poller(db: str | os.PathLike[str]) -> "Poller | None":
    return RUNNING.get(Path(db).resolve())


def health(con, sources: Sequence[Source], *, now: datetime | None = None) -> list[dict[str, Any]]:
    """One row per source for the Sources page: state, last success and error, items per day, next poll."""
    now = now or datetime.now(timezone.utc)
    saved = {name: SourceState.from_dict(json.loads(state)) for name, state in
             con.execute("SELECT name, CAST(state AS VARCHAR) FROM source_state").fetchall()}
    counts = {row[0]: row[1:] for row in con.execute(
        """SELECT source_name, count(*), count(*) FILTER (WHERE ingested_at >= ?::TIMESTAMPTZ - INTERVAL 7 DAY),
                  max(ingested_at)
           FROM items WHERE source_name IS NOT NULL GROUP BY source_name""", [now]).fetchall()}
    rows = []
    for source in sources:
        state = saved.get(source.name, SourceState())
        total, week, last_item = counts.get(source.name, (0, 0, None))
        if not source.enabled:
            status = "disabled"
        elif state.paused:
            status = "paused"
        elif state.last_attempt is None:
            status = "not polled yet"
        elif state.last_error and (state.last_success is None or state.last_error_at >= state.last_success):
            status = "failing"
        else:
            status = "ok"
        rows.append({
            "name": source.name, "status": status, "outlet": source.outlet, "url": source.url,
            "last_success": state.last_success, "last_error": state.last_error,
            "last_error_kind": state.last_error_kind, "last_error_at": state.last_error_at,
            "failures": state.consecutive_failures, "items": int(total), "per_day": round(week / 7, 1),
            "last_item": last_item, "next_poll": None if status in ("disabled", "paused") else state.next_poll,
            "interval_min": source.interval / 60, "paused": state.paused,
        })
    return rows


class Poller:
    """Polls the due sources of a sources file in the background, for ``flankwatch serve``.

    The file is read again when it changes; a file that cannot be read is reported in ``problem``
    and the sources read before are kept.
    """

    def __init__(self, owner: Owner, sources_path: Path, *, every: float = 5.0, fetcher: Fetcher | None = None):
        self.owner = owner
        self.sources_path = Path(sources_path)
        self.every = every
        self.fetcher = fetcher or Fetcher()
        self.sources: list[Source] = []
        self.problem: str | None = None
        self.last_round: datetime | None = None
        self._mtime: float | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="flankwatch-poller", daemon=True)

    def start(self) -> "Poller":
        RUNNING[self.owner.path] = self
        self._thread.start()
        return self

    def poll_now(self) -> None:
        """Look for due sources at once rather than at the next tick."""
        self._wake.set()

    def stop(self, timeout: float | None = 10) -> None:
        RUNNING.pop(self.owner.path, None)
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)
        self.fetcher.close()

    def _reload(self) -> None:
        try:
            mtime = self.sources_path.stat().st_mtime
        except OSError as exc:
            self.problem = f"{self.sources_path}: cannot read the sources file ({exc.strerror or exc})"
            return
        if mtime == self._mtime:
            return
        try:
            self.sources = load_sources(self.sources_path)
            self.problem = None
        except SourcesError as exc:
            self.problem = str(exc)
        self._mtime = mtime

    def _run(self) -> None:
        quiet = _Quiet()
        while not self._stop.is_set():
            if self.owner.is_open:
                self._reload()
                try:
                    poll_sources(self.owner, self.sources, quiet, fetcher=self.fetcher, only_due=True, stop=self._stop)
                    self.last_round = datetime.now(timezone.utc)
                except Exception as exc:  # the poller must outlive any one round
                    self.problem = f"polling stopped a round: {type(exc).__name__}: {exc}"
            self._wake.wait(self.every)
            self._wake.clear()


class _Quiet(JobOutput):
    def line(self, text: str, *, err: bool = False) -> None:
        pass


def sources_path(value: str | os.PathLike[str] | None) -> Path:
    """--sources wins, then $FLANKWATCH_SOURCES, then data/sources.toml."""
    from analysis.paths import DATA_DIR

    if value:
        return Path(value)
    if os.environ.get(SOURCES_ENV):
        return Path(os.environ[SOURCES_ENV])
    return DATA_DIR / "sources.toml"


def poll_job(owner: Owner, payload: dict[str, Any], out: JobOutput) -> int:
    """`flankwatch poll --once`: every enabled source once; 1 when any source failed."""
    try:
        sources = load_sources(Path(payload["sources"]))
    except SourcesError as exc:
        out.line(f"error: {exc}", err=True)
        return 2
    polled = poll_sources(owner, sources, out, only_due=bool(payload.get("due")))
    added = sum(p.added for p in polled)
    failed = sum(1 for p in polled if p.result.error is not None)
    out.line(f"polled {len(polled)} source{'s' if len(polled) != 1 else ''}: {added} new item"
             f"{'s' if added != 1 else ''}, {failed} failed")
    return 1 if failed else 0

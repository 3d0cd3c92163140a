"""The DuckDB store: its schema and the queries that write to and read from it.

One writer at a time (DuckDB's own rule for a database file). Every write that must be
all-or-nothing runs in one transaction, so a killed process leaves the store as it was before
the batch began.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from analysis.paths import resolve_db

SCHEMA_VERSION = 3

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key VARCHAR PRIMARY KEY,
    value VARCHAR
);
CREATE TABLE IF NOT EXISTS items (
    id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    text VARCHAR NOT NULL,
    published_at TIMESTAMPTZ,
    published_date DATE,
    published_approximate BOOLEAN NOT NULL,
    outlet VARCHAR,
    byline VARCHAR,
    dateline VARCHAR,
    section VARCHAR,
    tags VARCHAR[],
    url VARCHAR,
    parent_id VARCHAR,
    source_path VARCHAR,
    simhash UBIGINT,
    lsh_bands UBIGINT[],
    duplicate_of VARCHAR,
    run_id INTEGER,
    ingested_at TIMESTAMPTZ
);
CREATE TABLE IF NOT EXISTS ingest_runs (
    run_id INTEGER NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    status VARCHAR NOT NULL,
    files_read INTEGER DEFAULT 0,
    items_new INTEGER DEFAULT 0,
    items_duplicate INTEGER DEFAULT 0,
    items_near_duplicate INTEGER DEFAULT 0,
    files_failed INTEGER DEFAULT 0
);
CREATE TABLE IF NOT EXISTS ingest_files (
    run_id INTEGER NOT NULL,
    path VARCHAR NOT NULL,
    sha256 VARCHAR,
    reader VARCHAR,
    status VARCHAR NOT NULL,
    items_read INTEGER,
    items_new INTEGER,
    items_duplicate INTEGER,
    error VARCHAR,
    warnings VARCHAR[]
);
CREATE TABLE IF NOT EXISTS analysed (
    item_id VARCHAR NOT NULL,
    analysed_at TIMESTAMPTZ NOT NULL,
    model_version VARCHAR
);
CREATE TABLE IF NOT EXISTS item_themes (
    item_id VARCHAR NOT NULL,
    theme VARCHAR NOT NULL,
    score DOUBLE NOT NULL,
    assigned BOOLEAN NOT NULL,
    terms VARCHAR[],
    sentences VARCHAR[]
);
CREATE TABLE IF NOT EXISTS claims (
    claim_id VARCHAR NOT NULL,
    item_id VARCHAR NOT NULL,
    type VARCHAR NOT NULL,
    actor VARCHAR,
    kind VARCHAR,
    value DOUBLE,
    value_high DOUBLE,
    unit VARCHAR,
    year INTEGER,
    year_high INTEGER,
    year_relative BOOLEAN,
    speaker VARCHAR,
    evidence VARCHAR NOT NULL,
    start_offset INTEGER,
    end_offset INTEGER,
    details JSON
);
CREATE TABLE IF NOT EXISTS topics (
    topic_id INTEGER NOT NULL,
    label VARCHAR NOT NULL,
    top_terms VARCHAR[],
    representative_ids VARCHAR[],
    nearest_theme VARCHAR,
    theme_similarity DOUBLE,
    emerging BOOLEAN NOT NULL,
    size INTEGER NOT NULL,
    fitted_at TIMESTAMPTZ
);
CREATE TABLE IF NOT EXISTS item_topics (
    item_id VARCHAR NOT NULL,
    topic_id INTEGER NOT NULL,
    x DOUBLE,
    y DOUBLE
);
CREATE TABLE IF NOT EXISTS corrections (
    correction_id VARCHAR NOT NULL,
    item_id VARCHAR NOT NULL,
    target VARCHAR NOT NULL,        -- 'theme' or 'claim'
    theme VARCHAR,                  -- the theme key, for a theme correction
    claim_id VARCHAR,               -- the corrected claim, for a claim correction (null for an added claim)
    action VARCHAR NOT NULL,        -- confirm, reject, add, edit
    fields JSON,                    -- a claim's corrected or added fields (LABELING.md names)
    note VARCHAR,
    corrected_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS models (
    version VARCHAR NOT NULL,       -- the model file's content hash
    created_at TIMESTAMPTZ NOT NULL,
    active BOOLEAN NOT NULL,
    manifest JSON NOT NULL,
    file BLOB NOT NULL              -- the model file's bytes (an analyst-accepted retrained model)
);
CREATE TABLE IF NOT EXISTS source_state (
    name VARCHAR NOT NULL,          -- the source's name in sources.toml
    url VARCHAR NOT NULL,
    state JSON NOT NULL,            -- analysis/live SourceState: validators, last success and error, next poll, paused
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS topic_model (
    fitted_at TIMESTAMPTZ NOT NULL,
    manifest JSON NOT NULL,
    arrays BLOB NOT NULL            -- numpy .npz bytes, loaded with allow_pickle=False
);
"""

# Columns added after a store was first made: (table, column, type). ensure_schema adds them.
ADDED_COLUMNS = (("analysed", "model_version", "VARCHAR"), ("items", "source_name", "VARCHAR"))

ITEM_COLUMNS = (
    "id", "kind", "title", "text", "published_at", "published_date", "published_approximate",
    "outlet", "byline", "dateline", "section", "tags", "url", "parent_id", "source_path",
    "simhash", "lsh_bands", "duplicate_of", "run_id", "ingested_at",
    "source_name",  # the followed source (sources.toml) an item came from; added in schema 3
)
FILE_COLUMNS = (
    "run_id", "path", "sha256", "reader", "status", "items_read", "items_new", "items_duplicate",
    "error", "warnings",
)
CLAIM_COLUMNS = (
    "claim_id", "item_id", "type", "actor", "kind", "value", "value_high", "unit", "year",
    "year_high", "year_relative", "speaker", "evidence", "start_offset", "end_offset", "details",
)
THEME_COLUMNS = ("item_id", "theme", "score", "assigned", "terms", "sentences")
TOPIC_COLUMNS = (
    "topic_id", "label", "top_terms", "representative_ids", "nearest_theme", "theme_similarity",
    "emerging", "size", "fitted_at",
)
ITEM_TOPIC_COLUMNS = ("item_id", "topic_id", "x", "y")


class StoreError(RuntimeError):
    """The store cannot be opened or written; the message says which file and what to do."""


class Store:
    """A connection to one Flankwatch database file.

    >>> with Store.open(":memory:") as store:
    ...     store.count_items()
    0
    """

    def __init__(self, path: Path | str, connection: duckdb.DuckDBPyConnection, *, read_only: bool):
        self.path = path
        self.connection = connection
        self.read_only = read_only

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None, *, read_only: bool = False) -> "Store":
        db_path = ":memory:" if str(path) == ":memory:" else resolve_db(path)
        if db_path != ":memory:":
            db_path = Path(db_path)
            if read_only and not db_path.exists():
                raise StoreError(f"{db_path}: no store here yet; run `flankwatch ingest` first")
            db_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            connection = duckdb.connect(str(db_path), read_only=read_only)
        except duckdb.IOException as exc:
            raise StoreError(
                f"{db_path}: cannot open the store ({exc}). Another process has it open; Flankwatch's "
                "commands hand their work to a running dashboard or command (analysis/owner.py) "
                "and wait for anything else, or pass another --db."
            ) from exc
        store = cls(db_path, connection, read_only=read_only)
        if not read_only:
            store.ensure_schema()
        return store

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.connection.close()

    def ensure_schema(self) -> None:
        self.connection.execute(SCHEMA)
        for table, column, sql_type in ADDED_COLUMNS:
            self.connection.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {sql_type}")
        self.connection.execute(
            "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]
        )

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = self.connection
        con.execute("BEGIN TRANSACTION")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")

    def query_df(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> pd.DataFrame:
        return self.connection.execute(sql, params or []).df()

    # -- ingest ---------------------------------------------------------------------------------

    def start_run(self) -> int:
        with self.transaction() as con:
            (run_id,) = con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM ingest_runs").fetchone()
            con.execute(
                "INSERT INTO ingest_runs (run_id, started_at, status) VALUES (?, ?, 'running')",
                [run_id, datetime.now(timezone.utc)],
            )
        return int(run_id)

    def finish_run(self, run_id: int, *, totals: dict[str, int], status: str = "finished") -> None:
        with self.transaction() as con:
            con.execute(
                """UPDATE ingest_runs SET finished_at = ?, status = ?, files_read = ?, items_new = ?,
                   items_duplicate = ?, items_near_duplicate = ?, files_failed = ? WHERE run_id = ?""",
                [
                    datetime.now(timezone.utc), status, totals.get("read", 0), totals.get("new", 0),
                    totals.get("duplicate", 0), totals.get("near_duplicate", 0),
                    totals.get("failed", 0), run_id,
                ],
            )

    def ingested_file_hashes(self) -> set[str]:
        rows = self.connection.execute(
            "SELECT DISTINCT sha256 FROM ingest_files WHERE status IN ('ok', 'duplicate') AND sha256 IS NOT NULL"
        ).fetchall()
        return {row[0] for row in rows}

    def all_ids(self) -> set[str]:
        return {row[0] for row in self.connection.execute("SELECT id FROM items").fetchall()}

    def fingerprints(self) -> tuple[list[str], np.ndarray, list[list[int]]]:
        """Ids, SimHashes and LSH bands of every story's first item, oldest first, for ingest look-ups."""
        rows = self.connection.execute(
            """SELECT id, simhash, lsh_bands FROM items
               WHERE kind = 'article' AND duplicate_of IS NULL AND simhash IS NOT NULL
               ORDER BY run_id, ingested_at, id"""
        ).fetchnumpy()
        ids = [str(i) for i in rows["id"]]
        return ids, np.asarray(rows["simhash"], dtype=np.uint64), [list(b) for b in rows["lsh_bands"]]

    def write_ingest_batch(self, items: pd.DataFrame, files: pd.DataFrame,
                           moves: pd.DataFrame | None = None) -> None:
        """Insert a batch of new items and the outcome rows of the files they came from, atomically.

        ``moves`` (columns old, new) hands stories to a richer copy in the same transaction:
        ``old`` and every item pointing at it then point at ``new``.
        """
        items = items.reindex(columns=list(ITEM_COLUMNS))
        files = files.reindex(columns=list(FILE_COLUMNS))
        with self.transaction() as con:
            if len(items):
                con.register("batch_items", items)
                con.execute(
                    f"INSERT INTO items SELECT {', '.join(ITEM_COLUMNS)} FROM batch_items b "
                    "WHERE NOT EXISTS (SELECT 1 FROM items i WHERE i.id = b.id)"
                )
                con.unregister("batch_items")
            if len(files):
                con.register("batch_files", files)
                con.execute(f"INSERT INTO ingest_files SELECT {', '.join(FILE_COLUMNS)} FROM batch_files")
                con.unregister("batch_files")
            if moves is not None and len(moves):
                con.register("story_moves", moves)
                con.execute("UPDATE items SET duplicate_of = m.new FROM story_moves m WHERE items.duplicate_of = m.old")
                con.execute("UPDATE items SET duplicate_of = m.new FROM story_moves m WHERE items.id = m.old")
                con.unregister("story_moves")

    # -- analysis -------------------------------------------------------------------------------

    def items_to_analyse(self, *, redo_all: bool = False) -> pd.DataFrame:
        """Items with no analysis yet (or all items), in the columns the analysis needs."""
        where = "" if redo_all else "WHERE NOT EXISTS (SELECT 1 FROM analysed a WHERE a.item_id = i.id)"
        return self.connection.execute(
            f"""SELECT id, kind, title, text, published_date, published_at, outlet, url, duplicate_of
                FROM items i {where} ORDER BY published_date NULLS LAST, id"""
        ).df()

    def all_items_for_topics(self) -> pd.DataFrame:
        return self.connection.execute(
            "SELECT id, kind, title, text, published_date FROM items WHERE duplicate_of IS NULL ORDER BY id"
        ).df()

    def write_analysis(self, item_ids: Sequence[str], themes: pd.DataFrame, claims: pd.DataFrame, *,
                       model_version: str | None = None) -> None:
        """Replace the themes and claims of these items and mark them analysed, atomically."""
        ids = pd.DataFrame({"item_id": list(item_ids)})
        themes = themes.reindex(columns=list(THEME_COLUMNS))
        claims = claims.reindex(columns=list(CLAIM_COLUMNS))
        if len(claims):
            claims = claims.assign(
                details=[json.dumps(d, ensure_ascii=False) if isinstance(d, dict) else d for d in claims["details"]]
            )
        now = datetime.now(timezone.utc)
        with self.transaction() as con:
            con.register("batch_ids", ids)
            for table in ("item_themes", "claims", "analysed"):
                con.execute(f"DELETE FROM {table} WHERE item_id IN (SELECT item_id FROM batch_ids)")
            if len(themes):
                con.register("batch_themes", themes)
                con.execute(f"INSERT INTO item_themes SELECT {', '.join(THEME_COLUMNS)} FROM batch_themes")
                con.unregister("batch_themes")
            if len(claims):
                con.register("batch_claims", claims)
                con.execute(f"INSERT INTO claims SELECT {', '.join(CLAIM_COLUMNS)} FROM batch_claims")
                con.unregister("batch_claims")
            con.execute("INSERT INTO analysed SELECT item_id, ?, ? FROM batch_ids", [now, model_version])
            con.unregister("batch_ids")
            from analysis.corrections import apply_corrections  # analysts' corrections outlive re-analysis

            apply_corrections(con, ids["item_id"].tolist())

    def write_topics(self, topics: pd.DataFrame, item_topics: pd.DataFrame, *,
                     model: tuple[datetime, str, bytes] | None = None) -> None:
        """Replace the topics, every item's topic and the topic model (fitted_at, manifest, npz bytes;
        none: removed, so the next analysis fits one), atomically."""
        topics = topics.reindex(columns=list(TOPIC_COLUMNS))
        item_topics = item_topics.reindex(columns=list(ITEM_TOPIC_COLUMNS))
        with self.transaction() as con:
            for table in ("topics", "item_topics", "topic_model"):
                con.execute(f"DELETE FROM {table}")
            if len(topics):
                con.register("batch_topics", topics)
                con.execute(f"INSERT INTO topics SELECT {', '.join(TOPIC_COLUMNS)} FROM batch_topics")
                con.unregister("batch_topics")
            if len(item_topics):
                con.register("batch_item_topics", item_topics)
                con.execute(
                    f"INSERT INTO item_topics SELECT {', '.join(ITEM_TOPIC_COLUMNS)} FROM batch_item_topics"
                )
                con.unregister("batch_item_topics")
            if model is not None:
                con.execute("INSERT INTO topic_model VALUES (?, ?, ?)", list(model))

    # -- reading --------------------------------------------------------------------------------

    def source_states(self) -> dict[str, dict[str, Any]]:
        """The poller's saved state per source name (JSON dicts; analysis/live SourceState.from_dict reads them)."""
        rows = self.connection.execute("SELECT name, CAST(state AS VARCHAR) FROM source_state").fetchall()
        return {name: json.loads(state) for name, state in rows}

    def save_source_state(self, name: str, url: str, state: dict[str, Any]) -> None:
        with self.transaction() as con:
            con.execute("DELETE FROM source_state WHERE name = ?", [name])
            con.execute("INSERT INTO source_state VALUES (?, ?, ?, ?)",
                        [name, url, json.dumps(state), datetime.now(timezone.utc)])

    def count_items(self, *, kind: str | None = None) -> int:
        if kind is None:
            return int(self.connection.execute("SELECT count(*) FROM items").fetchone()[0])
        return int(self.connection.execute("SELECT count(*) FROM items WHERE kind = ?", [kind]).fetchone()[0])

    def items_frame(self) -> pd.DataFrame:
        return self.connection.execute(f"SELECT {', '.join(ITEM_COLUMNS)} FROM items ORDER BY id").df()

    def files_frame(self) -> pd.DataFrame:
        return self.connection.execute(
            f"SELECT {', '.join(FILE_COLUMNS)} FROM ingest_files ORDER BY run_id, path"
        ).df()

    def runs_frame(self) -> pd.DataFrame:
        return self.connection.execute("SELECT * FROM ingest_runs ORDER BY run_id").df()

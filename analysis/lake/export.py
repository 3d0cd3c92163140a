"""`flankwatch export --parquet`: a store's tables as a lake of Parquet files (analysis/lake/__init__.py).

Nothing is ever half-written: the lake is written into a hidden folder beside ``out_dir`` and
renamed into place at the end, so a killed export leaves the previous lake (or nothing) behind.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from analysis.lake import ITEM_TABLES, LAKE_FORMAT, MANIFEST, TABLES, UNKNOWN_MONTH
from analysis.lake.errors import LakeError
from analysis.lake.folders import replace_folder
from analysis.lake.rollups import sql_string, store_columns, write_rollups
from analysis.owner import JobOutput, job
from analysis.store import Store, StoreError


def _month(alias: str) -> str:
    """The partition of an item (``alias`` is the items table): its published month, or unknown."""
    return f"coalesce(strftime({alias}.published_date, '%Y-%m'), '{UNKNOWN_MONTH}')"


def export_lake(store: Store, out_dir: str | os.PathLike[str], *, overwrite: bool = False) -> str:
    """Write the store's items, themes, claims, analysed marks and topics as a lake; return a one-line summary.

    An existing lake at ``out_dir`` is replaced only with ``overwrite``; a folder that holds
    anything else is refused, whatever ``overwrite`` says.
    """
    out = Path(out_dir)
    _check_target(out, overwrite=overwrite)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    try:
        counts = _write_tables(store, staging)
        rollups = write_rollups(staging)
        (months,) = store.connection.execute(f"SELECT count(DISTINCT {_month('i')}) FROM items i").fetchone()
        manifest = {
            "format": LAKE_FORMAT,
            "tables": counts,
            "rollups": rollups,
            "months": int(months),
            "model_version": _model_version(store),
            "analysed_model_versions": _analysed_versions(store),
            "source": str(store.path),
            "written_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        replace_folder(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    items = counts["items"]
    return (f"exported {items} item{'s' if items != 1 else ''} ({months} month{'s' if months != 1 else ''}), "
            f"{counts['item_themes']} theme rows, {counts['claims']} claims, {counts['topics']} topics"
            f"{'' if rollups else ' (no rollups: more themes than a bit mask holds)'} to {out}")


def read_manifest(lake_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """A lake's _lake.json; a LakeError when there is none or it is not one this code reads."""
    path = Path(lake_dir) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LakeError(lake_dir, f"not a lake (no {MANIFEST}); write one with `flankwatch export --parquet`") from None
    except (OSError, ValueError) as exc:
        raise LakeError(path, f"cannot read the lake's manifest ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != LAKE_FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise LakeError(lake_dir, f"lake format {found!r}, this Flankwatch reads format {LAKE_FORMAT}; export it again")
    return manifest


def _check_target(out: Path, *, overwrite: bool) -> bool:
    """Whether ``out`` holds a lake to replace; refuses what must not be replaced."""
    if not out.exists() and not out.is_symlink():
        return False
    if not out.is_dir() or out.is_symlink():
        raise LakeError(out, "exists and is not a folder; choose a new or empty folder for the lake")
    if (out / MANIFEST).is_file():
        if not overwrite:
            raise LakeError(out, "a lake is there already; pass --overwrite to replace it, or choose another folder")
        return True
    if any(out.iterdir()):
        raise LakeError(out, f"the folder holds other files and is not a lake (no {MANIFEST}); "
                             "choose a new or empty folder, nothing was written")
    return False


def _write_tables(store: Store, folder: Path) -> dict[str, int]:
    con = store.connection
    counts: dict[str, int] = {}
    for table in TABLES:
        select = _select(store, table)
        (counts[table],) = con.execute(f"SELECT count(*) FROM ({select})").fetchone()
        target = folder / table
        target.mkdir()
        if table not in ITEM_TABLES:
            con.execute(f"COPY ({select}) TO {sql_string(target / 'data_0.parquet')} (FORMAT parquet)")
        elif counts[table]:
            con.execute(f"COPY ({select}) TO {sql_string(target)} (FORMAT parquet, PARTITION_BY (month))")
    return counts


def _select(store: Store, table: str) -> str:
    """The table's rows in the store's current columns (NULL for one an older store lacks), with their month."""
    present = {row[0] for row in store.connection.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND schema_name = 'main'", [table]).fetchall()}
    columns = ", ".join(
        f't."{name}"' if name in present else f'CAST(NULL AS {sql_type}) AS "{name}"'
        for name, sql_type in store_columns(table)
    )
    if table == "items":
        return f"SELECT {columns}, {_month('t')} AS month FROM items t"
    if table in ITEM_TABLES:
        return f"SELECT {columns}, {_month('i')} AS month FROM {table} t LEFT JOIN items i ON i.id = t.item_id"
    return f"SELECT {columns} FROM {table} t"


def _model_version(store: Store) -> str | None:
    row = store.connection.execute(
        "SELECT version FROM models WHERE active ORDER BY created_at DESC LIMIT 1").fetchone()
    return str(row[0]) if row else None


def _analysed_versions(store: Store) -> list[str]:
    rows = store.connection.execute(
        "SELECT DISTINCT model_version FROM analysed WHERE model_version IS NOT NULL ORDER BY 1").fetchall()
    return [str(row[0]) for row in rows]


# -- the command --------------------------------------------------------------------------------------


@job("export")
def export_job(store: Store, payload: dict[str, Any], out: JobOutput) -> int:
    """Write the store as a lake; payload: out_dir (absolute), overwrite."""
    try:
        out.line(export_lake(store, payload["out_dir"], overwrite=bool(payload.get("overwrite"))))
    except LakeError as exc:
        out.line(f"error: {exc}", err=True)
        return 2
    return 0


def export_command(db_path: str | os.PathLike[str] | None, out_dir: str | os.PathLike[str], overwrite: bool) -> int:
    """`flankwatch export --parquet DIR`: read the store (read-only) and write the lake; the exit status.

    When a running dashboard (or command) holds the store, the export is handed to it
    (analysis/owner.py), which runs it between its writes.
    """
    from analysis import owner
    from analysis.paths import resolve_db

    db = resolve_db(db_path)
    terminal = owner.TerminalOutput(sys.stdout, sys.stderr)
    payload = {"out_dir": str(Path(out_dir).resolve()), "overwrite": bool(overwrite)}
    try:
        try:
            store = Store.open(db, read_only=True)
        except StoreError:
            code = owner.hand_over(db, "export", payload, terminal) if db.exists() else None
            if code is None:
                raise
            return code
        with store:
            return export_job(store, payload, terminal)
    except (StoreError, owner.OwnerError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

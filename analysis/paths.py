"""The one place for default paths."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
DATA_DIR = PROJECT_DIR / "data"
DEMO_DIR = DATA_DIR / "demo"
DEFAULT_DB = DATA_DIR / "flankwatch.duckdb"
DEFAULT_THEMES = DATA_DIR / "themes.toml"
DB_ENV = "FLANKWATCH_DB"


def resolve_db(path: str | os.PathLike[str] | None = None) -> Path:
    """--db wins, then $FLANKWATCH_DB, then data/flankwatch.duckdb in the project."""
    if path:
        return Path(path)
    if os.environ.get(DB_ENV):
        return Path(os.environ[DB_ENV])
    return DEFAULT_DB

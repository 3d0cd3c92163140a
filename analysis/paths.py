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
SHIPPED_MODEL = DATA_DIR / "model" / "flankwatch-model.npz"
# The labelled articles `make train` and the dashboard's retraining read (never copied into the project).
TRAINING_DIR = PROJECT_DIR.parent / "shared" / "corpus"
TRAINING_ENV = "FLANKWATCH_TRAINING"


def training_files() -> list[Path]:
    """The labelled JSON-lines files to train on: $FLANKWATCH_TRAINING (paths joined by os.pathsep) or ../shared/corpus."""
    if os.environ.get(TRAINING_ENV):
        return [Path(p) for p in os.environ[TRAINING_ENV].split(os.pathsep) if p]
    return sorted(TRAINING_DIR.glob("*.jsonl"))

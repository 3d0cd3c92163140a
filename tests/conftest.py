"""Fixtures shared by every test module."""

from __future__ import annotations

from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
FIXTURES = PROJECT / "tests" / "fixtures"
SHARED = PROJECT.parent / "shared"


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "seeds").is_dir():
        pytest.skip(f"the shared material is not beside this checkout ({SHARED})")
    return SHARED


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built from data/demo by `flankwatch demo`, the way `make run` builds it."""
    from analysis.cli import main

    path = tmp_path_factory.mktemp("demo-store") / "demo.duckdb"
    assert main(["demo", "--db", str(path)]) == 0
    return path

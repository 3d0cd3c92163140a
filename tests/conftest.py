"""Fixtures shared by every test module."""

from __future__ import annotations

from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
FIXTURES = PROJECT / "tests" / "fixtures"
SHARED = PROJECT.parent / "shared"


@pytest.fixture(scope="session", autouse=True)
def _no_test_touches_the_default_store(tmp_path_factory: pytest.TempPathFactory):
    """A store a test does not name is a throwaway one, never data/flankwatch.duckdb.

    `make run` builds the demo store only when that file is missing, so a test that created it
    would leave a fresh clone showing an empty dashboard.
    """
    from analysis.paths import DB_ENV, DEFAULT_DB

    existed = DEFAULT_DB.exists()
    patch = pytest.MonkeyPatch()
    patch.setenv(DB_ENV, str(tmp_path_factory.mktemp("unnamed-store") / "flankwatch.duckdb"))
    yield
    patch.undo()
    assert existed or not DEFAULT_DB.exists(), f"a test created {DEFAULT_DB}"


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
    """A store built from data/demo by `flankwatch demo`, the way `make run` builds it.

    In a process of its own: its ingest parses in spawned workers, which re-import the parent's
    __main__, and after an AppTest that is the dashboard script, not pytest.
    """
    import subprocess
    import sys

    path = tmp_path_factory.mktemp("demo-store") / "demo.duckdb"
    built = subprocess.run([sys.executable, "-m", "analysis.cli", "demo", "--db", str(path)],
                           cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr[-2000:]
    return path


@pytest.fixture(autouse=True)
def _main_module_kept():
    """An AppTest leaves the dashboard script as __main__; spawned workers (ingest, analyze) re-import
    __main__, so every test ends with the one pytest started with."""
    import sys

    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main

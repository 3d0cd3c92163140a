"""The benchmark scripts run (on tiny inputs): `make bench` must not rot between releases.

Speed is not asserted here; the targets live in the scripts themselves (`make bench`).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parent / "bench"


def _run(*args: str) -> str:
    result = subprocess.run([sys.executable, *args], cwd=BENCH.parents[1], capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return result.stdout


def test_ingest_benchmark_runs(tmp_path):
    out = _run(str(BENCH / "bench_ingest.py"), "--pages", "60", "--records", "1000", "--html", "5",
               "--out", str(tmp_path / "ingest"), "--target", "0")
    assert re.search(r"^pages +60 +60 ", out, re.M)
    assert "text pages:" in out and "target 0: met" in out


def test_analysis_benchmark_runs():
    out = _run(str(BENCH / "bench_analysis.py"), "--items", "300", "--target", "0")
    assert "themes + claims + store writes, 300 items" in out
    assert "topics (fit on first use" in out


@pytest.mark.timeout(600)
def test_dashboard_benchmark_runs(tmp_path):
    out = _run(str(BENCH / "bench_dashboard.py"), "--items", "3000", "--db", str(tmp_path / "small.duckdb"))
    assert "Claims tracker   filter change, median" in out
    assert "process memory:" in out

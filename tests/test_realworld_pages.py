"""The HTML reader on 500 real web pages (trafilatura's evaluation set in ../shared/realworld).

Read where they are at test time, never copied; skipped with the reason when the shared material is
not beside the checkout. Every page goes through ``read_bytes``: nothing but a ReadError may
escape. Quality floors are checked on all of them against trafilatura and htmldate called directly
on the same bytes (about a minute); `make bench` (tests/bench/bench_realworld.py) prints the figures.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH_SCRIPT = Path(__file__).parent / "bench" / "bench_realworld.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_realworld", BENCH_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench():
    module = _bench()
    if not (module.GOLD / "gold.json").is_file():
        pytest.skip(f"the real-world pages are not beside this checkout ({module.GOLD})")
    return module


@pytest.fixture(scope="module")
def gold(bench) -> list[dict]:
    return list(bench.load_gold(bench.GOLD).values())


@pytest.fixture(scope="module")
def every_page(bench, gold):
    """Our reader, trafilatura.extract's defaults and htmldate on every page."""
    return [bench.read_page(bench.GOLD, entry) for entry in gold]


@pytest.fixture(scope="module")
def summary(bench, gold, every_page):
    return bench.summarise(every_page, {entry["file"]: entry for entry in gold})


@pytest.mark.timeout(600)
def test_no_page_crashes_the_reader(every_page):
    assert len(every_page) == 500
    crashes = [f"{result.file}: {result.crash}" for result in every_page if result.crash]
    assert crashes == []


def test_every_refusal_names_the_page(every_page):
    for result in every_page:
        if result.refusal:
            assert result.refusal.startswith(result.file + ": ")


def test_pages_are_read_not_refused(every_page):
    """On 2026-12-06 no page was refused (15 were: XHTML, legacy charsets, CJK, layout tables)."""
    assert [result.refusal for result in every_page if result.refusal] == []


def test_truncation_is_not_claimed_for_complete_pages(every_page):
    """A comment or script after </html> is not truncation (80 pages were warned, 1 is now)."""
    warned = [result.file for result in every_page if any("truncated" in w for w in result.warnings)]
    assert len(warned) <= 2, warned


@pytest.mark.timeout(600)
def test_main_text_scores_at_least_trafilaturas_default(summary):
    """Accuracy as trafilatura's own evaluation counts it: `with` snippets found, `without` absent.

    On 2026-12-06: ours accuracy 0.920 (precision 0.919, recall 0.920), trafilatura 0.916 (0.895, 0.943).
    """
    assert summary.ours.accuracy >= summary.trafilatura.accuracy, (summary.ours, summary.trafilatura)
    assert summary.ours.precision >= summary.trafilatura.precision


def test_dates_are_at_least_htmldates(summary):
    """The same day as the gold, where it names one, at least as often as htmldate's original date,
    and at least the issue's 0.90.

    We read 0.907 of 366 pages (332; htmldate 0.880; 0.885 before the article's own metadata was
    ranked by name, htmldate searched the page without generic and last-modified meta dates and
    without comments, and a searched date later than the page's own was passed over). Of the 34
    misses, 14 golds name a day the page does not show in any form, 11 take the page's modified
    or "as of" date (or a later forum post's) over its published one, 2 the local day of a UTC
    time the page writes no zone for; 7 are ours (a related story's, a comment's or the masthead's).
    """
    assert summary.dated == 366
    ours, htmldate = summary.ours_dates / summary.dated, summary.htmldate_dates / summary.dated
    assert ours >= htmldate
    assert ours >= 0.90

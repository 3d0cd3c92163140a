"""Regression floor on an evaluation set written for this project, labelled by LABELING.md.

tests/eval/written.jsonl holds 60 articles written and labelled by someone who did not
see the lexicons or the extractors: hard negatives (labour migration, deficits, airline and
energy stories, passing mentions), on-theme stories without the obvious words, and spending
claims among traps. The shipped model never trains on it (it learns from ../shared/corpus only), so it is a small
held-out check in our own words; the floors sit a little under what the model scores (themes
0.969 / 0.933, claims F1 0.854, actor 0.914 when written), to catch a change that makes it worse.
"""

from __future__ import annotations

from pathlib import Path

from analysis.evaluate import evaluate_file

WRITTEN = Path(__file__).parent / "eval" / "written.jsonl"


def test_written_set_stays_above_its_floors():
    report = evaluate_file(WRITTEN)
    assert report.n_items == 60
    assert report.in_training == 0
    assert report.themes.macro_f1 >= 0.94
    assert report.themes.exact_accuracy >= 0.88
    assert report.claims.prf.f1 >= 0.80
    assert report.claims.actor_agreement >= 0.85

"""Regression floor on an evaluation set written for this project, labelled by LABELING.md.

tests/eval/written.jsonl holds 60 articles written and labelled by someone who did not
see the lexicons or the extractors: hard negatives (labour migration, deficits, airline and
energy stories, passing mentions), on-theme stories without the obvious words, and spending
claims among traps. It is a second opinion beside the real development set, not a target to fit:
the floors sit a little under what the method scores, to catch a change that makes it worse.
"""

from __future__ import annotations

from pathlib import Path

from analysis.evaluate import evaluate_file

WRITTEN = Path(__file__).parent / "eval" / "written.jsonl"


def test_written_set_stays_above_its_floors():
    report = evaluate_file(WRITTEN)
    assert report.n_items == 60
    assert report.themes.macro_f1 >= 0.92
    assert report.themes.exact_accuracy >= 0.83
    assert report.claims.prf.f1 >= 0.90
    assert report.claims.actor_agreement >= 0.90

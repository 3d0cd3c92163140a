"""Evaluation against labelled files: metrics, claim matching, gold-file errors, the dev targets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.evaluate import (
    PRF,
    GoldFileError,
    claim_figures,
    evaluate_file,
    normalise_actor,
    read_gold,
    theme_figures,
)

DEV = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dev.jsonl"


def test_theme_figures_per_theme_macro_and_exact():
    gold = [{"a"}, {"a", "b"}, set(), {"b"}]
    predicted = [{"a"}, {"a"}, {"b"}, {"b", "x"}]  # "x" is not a gold theme: out of scope
    figures = theme_figures(gold, predicted, ("a", "b"))
    assert figures.per_theme["a"] == PRF(tp=2, fp=0, fn=0)
    assert figures.per_theme["b"] == PRF(tp=1, fp=1, fn=1)
    assert figures.per_theme["b"].f1 == pytest.approx(0.5)
    assert figures.macro_f1 == pytest.approx(0.75)
    assert (figures.exact, figures.n) == (2, 4)


@pytest.mark.parametrize("prf, precision, recall, f1", [
    (PRF(0, 0, 0), 1.0, 1.0, 1.0),
    (PRF(0, 2, 0), 0.0, 1.0, 0.0),
    (PRF(0, 0, 3), 0.0, 0.0, 0.0),
    (PRF(3, 1, 0), 0.75, 1.0, 6 / 7),
])
def test_prf_edge_cases(prf, precision, recall, f1):
    assert (prf.precision, prf.recall, prf.f1) == pytest.approx((precision, recall, f1))


def spending(value, *, unit="pct_gdp", year=None, actor="Lithuania", kind="target", value_high=None,
             year_high=None, year_relative=False):
    return {"type": "spending", "actor": actor, "kind": kind, "value": value, "value_high": value_high,
            "unit": unit, "year": year, "year_high": year_high, "year_relative": year_relative}


def test_claims_match_one_to_one_on_value_unit_and_years():
    gold = [[spending(2.5, year=2030), spending(2.5, year=2030, actor="NATO"), spending(1e9, unit="eur")],
            [spending(3.0, year=2024)]]
    predicted = [[spending(2.5, year=2030, actor="the Alliance"), spending(2.5, year=2030), spending(2.5, year=2030)],
                 [spending(3.0, year=2025), spending(3.0, year=2024, kind="actual")]]
    figures = claim_figures(gold, predicted)
    assert figures.prf == PRF(tp=3, fp=2, fn=1)
    assert figures.actor_agreement == pytest.approx(1.0)  # "the Alliance" is NATO; each pairs with its own
    assert figures.kind_agreement == pytest.approx(2 / 3)


def test_relative_year_counts_as_no_year():
    gold = [[spending(2.0)]]
    predicted = [[spending(2.0, year=2025, year_relative=True)]]
    assert claim_figures(gold, predicted).prf == PRF(1, 0, 0)


def test_range_must_match_its_upper_bound():
    gold = [[spending(5.0, value_high=6.0)]]
    assert claim_figures(gold, [[spending(5.0)]]).prf == PRF(0, 1, 1)
    assert claim_figures(gold, [[spending(5.0, value_high=6.0)]]).prf == PRF(1, 0, 0)


@pytest.mark.parametrize("a, b, same", [
    ("NATO", "nato", True),
    ("NATO", "North Atlantic Treaty Organization", True),
    ("the Alliance", "NATO", True),
    ("U.S.", "United States", True),
    ("Lithuanian government", "Lithuania", True),
    ("Lithuania's Ministry of Defence", "Lithuania", True),
    ("Latvia", "Lithuania", False),
    ("Baltic states", "the Baltic countries", True),
    ("Eesti", "Estonia", False),
])
def test_actor_aliases(a, b, same):
    assert (normalise_actor(a) == normalise_actor(b)) is same


@pytest.mark.parametrize("line, message", [
    ("not json", "line 2: not valid JSON"),
    ('{"themes": []}', "line 2: field 'text' is missing"),
    ('{"text": "x", "themes": "deterrence"}', "line 2: field 'themes' must be a list"),
    ('{"text": "x", "themes": [], "claims": {}}', "line 2: field 'claims' must be a list"),
    ('{"text": "x", "themes": [], "claims": [{"value": "2%", "unit": "pct_gdp"}]}',
     "line 2, claim 1: field 'value' must be a number"),
    ('{"text": "x", "themes": [], "claims": [{"value": 2, "unit": "pct_gdp", "year": 2030.5}]}',
     "line 2, claim 1: field 'year' must be an integer"),
    ('{"text": "x", "themes": [], "published": "May 2021"}', "line 2: field 'published'"),
])
def test_malformed_gold_line_names_file_and_line(tmp_path, line, message):
    path = tmp_path / "gold.jsonl"
    path.write_text('{"text": "fine", "themes": []}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(GoldFileError) as err:
        read_gold(path)
    assert str(path) in str(err.value) and message in str(err.value)


def test_missing_gold_file(tmp_path):
    with pytest.raises(GoldFileError, match="no such file"):
        read_gold(tmp_path / "absent.jsonl")


# Articles written for these tests, labelled by the guide.
GOLD = [
    {"id": "g1", "source": "one.test", "themes": ["deterrence"],
     "text": "About 800 allied troops arrived in Estonia for the NATO battlegroup rotation on Monday.",
     "claims": []},
    {"id": "g2", "source": "one.test", "themes": ["deterrence"],
     "text": "Latvia will raise defence spending to 2.5 percent of GDP by 2027, the prime minister said.",
     "claims": [{"actor": "Latvia", "kind": "target", "value": 2.5, "value_high": None, "unit": "pct_gdp",
                 "year": 2027, "year_high": None, "speaker": None, "evidence": "x"}]},
    {"id": "g3", "source": "two.test", "themes": ["migration"],
     "text": "Border guards turned back 60 migrants who tried to cross the border fence at night.",
     "claims": []},
    {"id": "g4", "source": "two.test", "themes": [],
     "text": "The national opera opened its season with a new production in Riga.", "claims": []},
    {"id": "g5", "source": "three.test", "themes": ["belarus"],
     "text": "An economy story that the labeller tagged Belarus, with no word of it in the text.", "claims": []},
]


@pytest.fixture()
def gold_file(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in GOLD), encoding="utf-8")
    return path


def test_evaluate_file_scores_the_shipped_model(gold_file):
    report = evaluate_file(gold_file)
    assert report.model_version.startswith("m1-")
    assert report.themes.themes == ("deterrence", "migration", "belarus")
    assert report.themes.n == 5
    assert report.themes.per_theme["belarus"] == PRF(0, 0, 1)  # the labeller's Belarus has no word in the text
    assert report.claims.prf == PRF(1, 0, 0) and report.claims.actor_agreement == 1.0
    assert report.in_training == 0
    text = report.format()
    assert "g5: belarus -> -" in text
    assert "in-sample" not in text


def test_gold_themes_outside_the_taxonomy_are_reported(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps({"text": "Opera in Riga.", "themes": ["culture"]}) + "\n", encoding="utf-8")
    report = evaluate_file(path)
    assert report.unknown_themes == ("culture",)
    assert "not in the taxonomy (always missed): culture" in report.format()


@pytest.mark.skipif(not DEV.exists(), reason=f"the labelled dev corpus is not beside this checkout ({DEV})")
def test_articles_the_model_was_trained_on_are_flagged_in_sample():
    report = evaluate_file(DEV)
    assert report.in_training == report.n_items == 48
    assert "figures are in-sample" in report.format()

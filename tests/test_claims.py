"""The claims package: its registry, the combined extractor, the frame builder, and the dev corpus."""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import json
import math
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from analysis.claims import EXTRACTORS, claims_frame, extract_claims, extractor
from analysis.model import Claim
from analysis.store import CLAIM_COLUMNS, THEME_COLUMNS, Store

TESTS = Path(__file__).resolve().parent
CLAIM_MODULES = (
    "analysis.claims", "analysis.claims.numbers", "analysis.claims.sentences", "analysis.claims.spending",
    "analysis.claims.deployment", "analysis.claims.migration",
)


# -- the registry -------------------------------------------------------------------------------------

def _test_module(claim_type: str):
    path = TESTS / f"test_claims_{claim_type}.py"
    spec = importlib.util.spec_from_file_location(f"_claims_cases_{claim_type}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("row", EXTRACTORS, ids=[row.type for row in EXTRACTORS])
def test_every_claim_type_has_a_test_module_with_positive_and_negative_cases(row) -> None:
    path = TESTS / f"test_claims_{row.type}.py"
    assert path.is_file(), f"claim type {row.type!r} has no {path.name}"
    cases = _test_module(row.type).CASES
    assert any(expected for *_, expected in cases), f"{path.name} has no case that yields a claim"
    assert any(not expected for *_, expected in cases), f"{path.name} has no case that yields nothing"


@pytest.mark.parametrize("row", EXTRACTORS, ids=[row.type for row in EXTRACTORS])
def test_every_claim_type_is_described_and_documented_with_an_example(row) -> None:
    assert row.label and row.description
    assert ">>>" in (row.extract.__doc__ or ""), f"{row.extract.__name__} has no example in its docstring"


def test_claim_types_are_unique_and_match_the_model() -> None:
    types = [row.type for row in EXTRACTORS]
    assert len(types) == len(set(types))
    assert set(types) == {"spending", "deployment", "migration"}


def test_extractor_lookup_names_the_known_types_on_error() -> None:
    assert extractor("migration").type == "migration"
    with pytest.raises(KeyError, match="known claim types: spending, deployment, migration"):
        extractor("weather")


@pytest.mark.parametrize("module_name", CLAIM_MODULES)
def test_docstring_examples_hold(module_name: str) -> None:
    module = importlib.import_module(module_name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


# -- extract_claims -----------------------------------------------------------------------------------

PASSAGE = (
    "Lithuania will station more allied troops\n"
    "Border guards detained 41 migrants at the Belarus border on Sunday, the Lithuanian border service said. "
    "Germany will send 250 soldiers to Lithuania in May. "
    "Lithuania's defence spending will reach 3.5% of GDP next year, the prime minister said."
)


def test_extract_claims_returns_every_type_in_text_order() -> None:
    found = extract_claims(PASSAGE, published=date(2024, 3, 4))
    assert [(c.type, c.value) for c in found] == [("migration", 41.0), ("deployment", 250.0), ("spending", 3.5)]
    spending = found[-1]
    assert (spending.actor, spending.year, spending.year_relative, spending.speaker) == (
        "Lithuania", 2025, True, "the prime minister",
    )
    for claim in found:
        assert PASSAGE[claim.start : claim.end] == claim.evidence


def test_extract_claims_accepts_a_datetime_as_publication_time() -> None:
    found = extract_claims(PASSAGE, published=datetime(2024, 3, 4, 12, 30))
    assert found[-1].year == 2025


def test_text_without_numbers_is_rejected_before_any_parsing(monkeypatch) -> None:
    def fail(_text):
        raise AssertionError("sentences were split for a text without numbers")

    monkeypatch.setattr("analysis.claims.document.split_sentences", fail)
    assert extract_claims("Allied troops train in Latvia as ministers discuss defence spending.") == []


def test_extract_claims_rejects_non_text_with_a_clear_error() -> None:
    with pytest.raises(TypeError, match="text must be a str"):
        extract_claims(None)  # type: ignore[arg-type]


def test_a_publication_date_given_as_text_is_refused_with_the_fix() -> None:
    with pytest.raises(TypeError, match="published must be a datetime.date.*date.fromisoformat"):
        extract_claims("Latvia will spend 3% of GDP on defence next year.", published="2024-01-01")  # type: ignore[arg-type]


def test_empty_text_has_no_claims() -> None:
    assert extract_claims("") == []


# -- claims_frame -------------------------------------------------------------------------------------

def test_claims_frame_has_the_store_columns_and_round_trips_through_the_store() -> None:
    by_item = {
        "item-a": extract_claims(PASSAGE, published=date(2024, 3, 4)),
        "item-b": [],
        "item-c": [Claim(type="spending", evidence="NATO's 2% target", start=0, end=16, actor="NATO",
                         kind="target", value=2.0, unit="pct_gdp")],
    }
    frame = claims_frame(by_item)
    assert list(frame.columns) == [c for c in CLAIM_COLUMNS if c != "claim_id"]
    assert frame["item_id"].tolist() == ["item-a", "item-a", "item-a", "item-c"]
    assert frame["details"].map(type).eq(dict).all()
    assert frame.loc[3, "year"] is pd.NA and frame.loc[2, "year"] == 2025

    with Store.open(":memory:") as store:
        store.write_analysis(
            ["item-a", "item-b", "item-c"],
            pd.DataFrame(columns=list(THEME_COLUMNS)),
            frame.assign(claim_id=[f"c{i}" for i in range(len(frame))]),
        )
        stored = store.query_df("SELECT item_id, type, value, year, details FROM claims ORDER BY claim_id")
    assert stored["type"].tolist() == ["migration", "deployment", "spending", "spending"]
    assert json.loads(stored.loc[1, "details"])["place"] == "Lithuania"


def test_claims_frame_of_nothing_is_empty_with_columns() -> None:
    frame = claims_frame({})
    assert frame.empty
    assert list(frame.columns) == [c for c in CLAIM_COLUMNS if c != "claim_id"]


# -- the labelled dev corpus (read at run time) -------------------------------------------------------

def _match_key(unit, value, value_high, year, year_high):
    return unit, value, value_high, year, year_high


def _same(gold: tuple, found: tuple) -> bool:
    def close(a, b):
        if a is None or b is None:
            return a is b
        return math.isclose(float(a), float(b), rel_tol=1e-9)

    return gold[0] == found[0] and close(gold[1], found[1]) and close(gold[2], found[2]) and gold[3:] == found[3:]


def _score(records: list[dict]) -> tuple[float, float]:
    """Spending F1 (match on unit, value, value_high, year, year_high; one-to-one per article) and
    the share of matched claims with the gold actor. A relative year counts as null, as in the gold."""
    true_pos = false_pos = false_neg = actor_right = 0
    for record in records:
        published = date.fromisoformat(record["published"]) if record.get("published") else None
        found = [c for c in extract_claims(record["text"], published=published) if c.type == "spending"]
        found_keys = [
            _match_key(c.unit, c.value, c.value_high, None if c.year_relative else c.year, c.year_high) for c in found
        ]
        unused = list(range(len(found)))
        for gold in record["claims"]:
            key = _match_key(gold["unit"], gold["value"], gold["value_high"], gold["year"], gold["year_high"])
            hit = next((i for i in unused if _same(key, found_keys[i])), None)
            if hit is None:
                false_neg += 1
                continue
            unused.remove(hit)
            true_pos += 1
            actor_right += found[hit].actor == gold["actor"]
        false_pos += len(unused)
    precision = true_pos / (true_pos + false_pos) if true_pos + false_pos else 0.0
    recall = true_pos / (true_pos + false_neg) if true_pos + false_neg else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f1, (actor_right / true_pos if true_pos else 0.0)


def test_spending_claims_on_the_labelled_dev_corpus(shared_dir: Path) -> None:
    path = shared_dir / "corpus" / "dev.jsonl"
    if not path.is_file():
        pytest.skip(f"the labelled dev corpus is not at {path}")
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    f1, actor_agreement = _score(records)
    assert f1 >= 0.85, f"spending-claim F1 {f1:.3f} on {path.name}"
    assert actor_agreement >= 0.9, f"actor agreement {actor_agreement:.3f} on {path.name}"


def test_the_scorer_counts_misses_and_false_alarms() -> None:
    text = "Latvia's defence spending will reach 2.5% of GDP in 2026."
    perfect = [{"text": text, "published": None, "claims": [
        {"actor": "Latvia", "unit": "pct_gdp", "value": 2.5, "value_high": None, "year": 2026, "year_high": None}]}]
    wrong_year = [{"text": text, "published": None, "claims": [
        {"actor": "Latvia", "unit": "pct_gdp", "value": 2.5, "value_high": None, "year": 2027, "year_high": None}]}]
    assert _score(perfect) == (1.0, 1.0)
    assert _score(wrong_year) == (0.0, 0.0)



def test_item_claims_read_the_title_without_counting_a_restated_figure_twice():
    from analysis.claims import extract_item_claims

    title = "Latvia to lift defence spending to 3 percent of GDP in 2027"
    restated = "The government said on Tuesday that Latvia would lift defence spending to 3 percent of GDP in 2027."
    [claim] = extract_item_claims(title=title, text=restated)
    assert "in_title" not in claim.details
    assert restated[claim.start:claim.end] == claim.evidence
    [only_title] = extract_item_claims(title=title, text="Ministers met in Riga on Tuesday to discuss the plan.")
    assert (only_title.value, only_title.year, only_title.details["in_title"]) == (3.0, 2027, True)
    assert title[only_title.start:only_title.end] == only_title.evidence

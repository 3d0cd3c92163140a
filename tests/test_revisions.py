"""Target revisions (analysis/revisions.py): table-driven chains of claims and the statements they give,
the wording of values, and corrections in the store counting as corrected."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from analysis import queries, revisions
from analysis.corrections import Correction, record_correction
from analysis.queries import Filters
from analysis.revisions import amount_text, target_revisions, target_text
from analysis.store import Store

ALL = Filters(None, None, (), (), (), True)


def claims(*rows: tuple, actor: str = "Lithuania", unit: str = "pct_gdp") -> pd.DataFrame:
    """Claims from (stated, kind, value, value_high, year, year_high[, outlet[, actor[, unit]]]) rows."""
    records = []
    for index, row in enumerate(rows):
        stated, kind, value, high, year, year_high, *rest = row
        outlet = rest[0] if len(rest) > 0 else "Wire"
        records.append({
            "claim_id": f"c{index}", "item_id": f"i{index}", "type": "spending",
            "actor": rest[1] if len(rest) > 1 else actor, "kind": kind, "value": value, "value_high": high,
            "unit": rest[2] if len(rest) > 2 else unit, "year": year, "year_high": year_high,
            "speaker": None, "stated": pd.Timestamp(stated), "outlet": outlet, "title": f"title {index}",
            "url": None, "evidence": f"quote {index}",
        })
    frame = pd.DataFrame(records)
    return frame.astype({"year": "Int64", "year_high": "Int64", "value_high": "float64"})


T, A = "target", "actual"
CHAINS = [
    ("a first target is new",
     claims(("2014-03-29", T, 2.0, None, 2020, None)),
     [("new", "set at 2 % by 2020")]),
    ("the issue's example: a plan for a future period is a target, whatever its kind",
     claims(("2019-12-10", T, 2.5, None, 2030, None), ("2025-01-16", A, 5.0, 6.0, 2026, 2030)),
     [("new", "set at 2.5 % by 2030"), ("raised", "raised from 2.5 % by 2030 to 5–6 % for 2026–2030")]),
    ("actual levels never move the target",
     claims(("2018-01-01", T, 2.0, None, 2020, None), ("2019-01-01", A, 2.1, None, 2019, None),
            ("2021-05-01", A, 2.0, 2.3, 2018, 2020)),
     [("new", "set at 2 % by 2020")]),
    ("the same target said again is restated, not a revision",
     claims(("2014-03-29", T, 2.0, None, 2020, None), ("2015-10-14", T, 2.0, None, 2020, None)),
     [("new", "set at 2 % by 2020"), ("restated", "restated 2 % by 2020")]),
    ("a yearless restatement keeps the dated target",
     claims(("2018-07-12", T, 2.5, None, 2030, None), ("2019-12-10", T, 2.5, None, None, None),
            ("2021-01-01", T, 3.0, None, None, None)),
     [("new", "set at 2.5 % by 2030"), ("restated", "restated 2.5 % by 2030"),
      ("raised", "raised from 2.5 % by 2030 to 3 %")]),
    ("a dated restatement replaces a yearless target",
     claims(("2014-03-29", T, 2.0, None, None, None), ("2014-09-05", T, 2.0, None, 2024, None)),
     [("new", "set at 2 %"), ("restated", "restated 2 % by 2024")]),
    ("a deadline still ahead moved earlier is brought forward",
     claims(("2018-07-12", T, 2.5, None, 2030, None), ("2022-03-15", T, 2.5, None, 2023, None)),
     [("new", "set at 2.5 % by 2030"), ("brought forward", "brought forward from 2.5 % by 2030 to 2.5 % by 2023")]),
    ("a deadline still ahead moved later is put back",
     claims(("2016-01-01", T, 2.0, None, 2018, None), ("2017-01-01", T, 2.0, None, 2020, None)),
     [("new", "set at 2 % by 2018"), ("put back", "put back from 2 % by 2018 to 2 % by 2020")]),
    ("a deadline already reached, named again with a later year, is restated",
     claims(("2014-11-14", T, 2.0, None, 2015, None), ("2015-10-12", T, 2.0, None, 2018, None)),
     [("new", "set at 2 % by 2015"), ("restated", "restated 2 % by 2018")]),
    ("a lower yearless level under a target still ahead is interim, and the target stays",
     claims(("2018-07-12", T, 2.5, None, 2030, None), ("2019-05-26", T, 2.0, None, None, None),
            ("2025-01-16", T, 5.0, 6.0, 2026, 2030)),
     [("new", "set at 2.5 % by 2030"), ("interim", "interim 2 % under 2.5 % by 2030"),
      ("raised", "raised from 2.5 % by 2030 to 5–6 % for 2026–2030")]),
    ("a lower milestone before a later target is interim",
     claims(("2025-06-25", T, 5.0, None, 2035, None), ("2025-07-01", T, 3.5, None, 2030, None)),
     [("new", "set at 5 % by 2035"), ("interim", "interim 3.5 % by 2030 under 5 % by 2035")]),
    ("a lower target for the same or a later horizon is lowered",
     claims(("2020-01-01", T, 3.0, None, 2027, None), ("2021-01-01", T, 2.5, None, 2030, None),
            ("2022-01-01", T, 2.0, None, None, None)),
     [("new", "set at 3 % by 2027"), ("lowered", "lowered from 3 % by 2027 to 2.5 % by 2030"),
      ("interim", "interim 2 % under 2.5 % by 2030")]),
    ("a lower yearless target after a yearless one is lowered",
     claims(("2020-01-01", T, 2.0, None, None, None), ("2021-01-01", T, 1.5, None, None, None)),
     [("new", "set at 2 %"), ("lowered", "lowered from 2 % to 1.5 %")]),
    ("a range widened at both ends is revised",
     claims(("2020-01-01", T, 2.0, 3.0, 2025, 2028), ("2021-01-01", T, 1.5, 3.5, 2025, 2028)),
     [("new", "set at 2–3 % for 2025–2028"), ("revised", "revised from 2–3 % for 2025–2028 to 1.5–3.5 % for 2025–2028")]),
    ("the same target reported twice on one day is one statement",
     claims(("2025-01-16", T, 5.0, 6.0, 2026, 2030, "Baltic Demo Wire"),
            ("2025-01-16", T, 5.0, 6.0, 2026, 2030, "broadcaster.example.org")),
     [("new", "set at 5–6 % for 2026–2030")]),
    ("two targets of one day: the dated one is current, a lower yearless one interim",
     claims(("2025-06-25", T, 3.5, None, None, None), ("2025-06-25", T, 5.0, None, 2035, None)),
     [("new", "set at 5 % by 2035"), ("interim", "interim 3.5 % under 5 % by 2035")]),
    ("each actor has its own chain",
     pd.concat([claims(("2020-01-01", T, 2.0, None, None, None), actor="Latvia"),
                claims(("2021-01-01", T, 3.0, None, None, None), actor="Estonia")], ignore_index=True),
     [("new", "set at 3 %"), ("new", "set at 2 %")]),
    ("each unit has its own chain, money in words",
     claims(("2020-01-01", T, 2.0, None, None, None), ("2021-01-01", T, 1.2e9, None, 2022, None, "Wire", "Lithuania", "eur")),
     [("new", "set at 1.2 billion EUR by 2022"), ("new", "set at 2 %")]),
    ("claims without an actor, a value or a date are left out",
     pd.concat([claims(("2020-01-01", T, 2.0, None, None, None)).assign(actor=None),
                claims(("2020-01-01", T, None, None, 2020, None)),
                claims(("2020-01-01", T, 2.0, None, None, None)).assign(stated=pd.NaT)], ignore_index=True),
     []),
]


@pytest.mark.parametrize("frame, expected", [(f, e) for _, f, e in CHAINS], ids=[name for name, _, _ in CHAINS])
def test_chains(frame, expected):
    result = target_revisions(frame)
    assert list(zip(result["kind"], result["summary"])) == expected


def test_a_statement_keeps_its_source_speaker_and_quote():
    frame = claims(("2018-07-12", T, 2.5, None, 2030, None, "broadcaster.example.org"),
                   ("2025-01-16", T, 5.0, 6.0, 2026, 2030, "broadcaster.example.org"),
                   ("2025-01-16", A, 5.0, 6.0, 2026, 2030, "Baltic Demo Wire"),
                   ("2025-01-16", T, 5.0, 6.0, 2026, 2030, None))
    frame.loc[1, "speaker"] = "Gitanas Nausėda"
    before = frame.copy()
    last = target_revisions(frame).iloc[-1]
    pd.testing.assert_frame_equal(frame, before)  # the input is not changed
    assert (last["kind"], last["date"], last["source"], last["sources"], last["reports"]) == (
        "raised", pd.Timestamp("2025-01-16"), "Baltic Demo Wire", "Baltic Demo Wire, broadcaster.example.org", 3)
    assert last["speaker"] == "Gitanas Nausėda"  # from another report of the same statement
    assert (last["item_id"], last["claim_id"], last["evidence"]) == ("i2", "c2", "quote 2")
    assert (last["from_value"], last["from_year"], last["to_value"], last["to_value_high"], last["to_year"],
            last["to_year_high"]) == (2.5, 2030, 5.0, 6.0, 2026, 2030)
    assert list(target_revisions(frame).columns) == list(revisions.REVISION_COLUMNS)


def test_changes_leave_out_restatements_and_interim_levels():
    frame = claims(("2018-07-12", T, 2.5, None, 2030, None), ("2019-05-26", T, 2.0, None, None, None),
                   ("2019-12-10", T, 2.5, None, 2030, None), ("2022-03-15", T, 2.5, None, 2023, None))
    assert revisions.changes(target_revisions(frame))["kind"].tolist() == ["new", "brought forward"]


def test_empty_and_bad_input():
    empty = target_revisions(claims(("2019-01-01", A, 2.1, None, 2019, None)))
    assert empty.empty and "summary" in empty.columns
    with pytest.raises(ValueError, match="claims columns outlet"):
        target_revisions(pd.DataFrame({c: [] for c in revisions.INPUT_COLUMNS if c != "outlet"}))


@pytest.mark.parametrize("value, unit, expected", [
    (2.5, "pct_gdp", "2.5 %"), (2.0, "pct_gdp", "2 %"), (6.15e8, "eur", "615 million EUR"),
    (1.2e9, "eur", "1.2 billion EUR"), (2.7e9, "usd", "2.7 billion USD"), (4.79e9, "eur", "4.79 billion EUR"),
    (850_000.0, "eur", "850,000 EUR"), (1.5e12, "usd", "1.5 trillion USD"), (7.0, "nok", "7 nok"),
])
def test_amounts_are_written_in_words(value, unit, expected):
    assert amount_text(value, unit) == expected


@pytest.mark.parametrize("args, actual, expected", [
    ((2.5, None, 2030, None, "pct_gdp"), False, "2.5 % by 2030"),
    ((5.0, 6.0, 2026, 2030, "pct_gdp"), False, "5–6 % for 2026–2030"),
    ((2.14, None, 2018, None, "pct_gdp"), True, "2.14 % in 2018"),
    ((6.15e8, None, 2019, None, "eur"), True, "615 million EUR in 2019"),
    ((1e9, 1.2e9, None, None, "eur"), False, "1–1.2 billion EUR"),
    ((5e8, 1.2e9, None, None, "eur"), False, "500 million EUR–1.2 billion EUR"),
    ((2.0, 2.0, 2024, 2024, "pct_gdp"), False, "2 % by 2024"),
    ((None, None, 2024, None, "pct_gdp"), False, "?"),
])
def test_targets_are_written_as_an_analyst_would(args, actual, expected):
    assert target_text(*args, actual=actual) == expected


def test_unit_words():
    assert [revisions.unit_words(u) for u in ("pct_gdp", "eur", "usd", "troops", None)] == [
        "% of GDP", "EUR", "USD", "troops", ""]


# -- corrections in the store --------------------------------------------------------------------


@pytest.fixture()
def demo_store(demo_db, tmp_path):
    path = tmp_path / "revisions.duckdb"
    shutil.copy(demo_db, path)
    with Store.open(path) as store:
        yield store


def _lithuania(store: Store) -> pd.DataFrame:
    frame = target_revisions(queries.claims(store.connection.cursor(), ALL, claim_type="spending"))
    return frame[frame["actor"] == "Lithuania"]


def test_the_demo_store_reads_as_the_issue_asks(demo_store):
    lithuania = revisions.changes(_lithuania(demo_store))
    last = lithuania.iloc[-1]
    assert last["summary"].endswith("to 5–6 % for 2026–2030")
    # the broadcaster's saved page has the story's time, so it stands for the story (the wire copy is its duplicate)
    assert (last["date"], last["source"], last["speaker"]) == (
        pd.Timestamp("2025-01-16"), "broadcaster.example.org", "Gitanas Nausėda")
    assert "brought forward from 2.5 % by 2030 to 2.5 % by 2023" in lithuania["summary"].tolist()


def test_corrected_claims_count_as_corrected(demo_store):
    con = demo_store.connection.cursor()
    (item, claim) = con.execute(
        "SELECT item_id, claim_id FROM claims WHERE actor = 'Lithuania' AND value = 3 AND kind = 'target' "
        "AND year IS NULL").fetchone()
    (plan_item, plan_claim) = con.execute(
        "SELECT c.item_id, c.claim_id FROM claims c JOIN items i ON i.id = c.item_id WHERE c.actor = 'Lithuania' "
        "AND c.value_high = 6 AND c.year_high = 2030 AND i.duplicate_of IS NULL").fetchone()
    record_correction(demo_store, Correction(item, "claim", "reject", claim_id=claim))  # not a target after all
    record_correction(demo_store, Correction(plan_item, "claim", "edit", claim_id=plan_claim,
                                             fields={"value": 4.5, "kind": "target"}))
    changes = revisions.changes(_lithuania(demo_store))
    [edited] = changes.index[changes["claim_id"] == plan_claim]
    assert changes.loc[edited, "summary"] == "raised from 2.5 % by 2023 to 4.5–6 % for 2026–2030"
    # the next statement (the 2025 summit pledge of the demo's web archive) is measured from the corrected one
    after = changes.loc[edited + 1:, "summary"].tolist()
    assert after and all(text.startswith("raised from 4.5–6 % for 2026–2030") for text in after)

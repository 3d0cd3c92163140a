"""Irregular-migration claims: table-driven cases over sentences written for this test."""

from __future__ import annotations

from datetime import date

import pytest

from analysis.claims.migration import extract_migration


def count(actor, value, counted, place, period, *, year=None, year_high=None, relative=False, speaker=None):
    return {
        "actor": actor, "value": value, "year": year, "year_high": year_high, "year_relative": relative,
        "speaker": speaker, "details": {"count": value, "counted": counted, "place": place, "period": period},
    }


CASES = [
    ("turned_back_at_border_on_weekday",
     "Border guards turned back 312 migrants at the Belarus border on Tuesday.", date(2023, 8, 10),
     [count(None, 312.0, "migrants turned back", "Belarus border", "on Tuesday", year=2023, relative=True)]),
    ("attempts_to_cross",
     "Polish border guards recorded 1,200 attempts to cross the border illegally last week.", date(2023, 8, 10),
     [count("Poland", 1200.0, "attempts to cross the border illegally", "border", "last week", year=2023, relative=True)]),
    ("asylum_applications_in_a_year",
     "Lithuania received 2,500 asylum applications in 2021.", None,
     [count("Lithuania", 2500.0, "asylum applications", None, "in 2021", year=2021)]),
    ("people_need_an_irregular_cue",
     "Over the past day, 48 people tried to enter Latvia illegally from Belarus, the State Border Guard said.", None,
     [count("Latvia", 48.0, "people attempted to cross", "Latvia", "Over the past day")]),
    ("prevented_from_crossing",
     "Estonian officers prevented 17 people from crossing the Estonian-Russian border near Narva on Sunday.", None,
     [count("Estonia", 17.0, "people prevented from crossing", "Estonian-Russian border", "on Sunday")]),
    ("year_list_without_repeating_the_noun",
     "A total of 650 migrants were stopped in 2020, 1,300 in 2021 and 2,100 in 2022.", None,
     [count(None, 650.0, "migrants stopped", None, "in 2020", year=2020),
      count(None, 1300.0, "migrants stopped", None, "in 2021", year=2021),
      count(None, 2100.0, "migrants stopped", None, "in 2022", year=2022)]),
    ("running_total",
     "Lithuanian border guards detained 95 irregular migrants on Monday, bringing the total this year to 3,100.",
     date(2021, 7, 20),
     [count("Lithuania", 95.0, "irregular migrants detained", None, "on Monday", year=2021, relative=True),
      count("Lithuania", 3100.0, "total irregular migrants detained", None, "this year", year=2021, relative=True)]),
    ("number_of_exceeded",
     "The number of migrants illegally crossing into Poland this year has exceeded 2 thousand.", None,
     [count("Poland", 2000.0, "migrants crossed", "Poland", "this year")]),
    # -- not irregular migration -------------------------------------------------------------------
    ("work_permits", "Latvia issued 12,000 work permits to guest workers last year.", None, []),
    ("ukrainian_refugees_at_checkpoint",
     "Some 300 Ukrainian refugees arrive in Estonia every day through the Narva checkpoint.", None, []),
    ("emigration", "In 2022, 35,000 people emigrated from Lithuania.", None, []),
    ("camp_capacity", "The camp houses 740 men in 64 tents.", None, []),
    ("fence_length", "The border fence is 502 km long.", None, []),
    ("people_without_a_border_event", "About 2,000 people attended the rally against the new camp.", None, []),
]


def _fields(found) -> dict:
    details = {key: found.details[key] for key in ("count", "counted", "place", "period")}
    return {
        "actor": found.actor, "value": found.value, "year": found.year, "year_high": found.year_high,
        "year_relative": found.year_relative, "speaker": found.speaker, "details": details,
    }


@pytest.mark.parametrize(("text", "published", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_migration_claims(text: str, published: date | None, expected: list[dict]) -> None:
    claims = list(extract_migration(text, published=published))
    assert [_fields(c) for c in claims] == expected
    for found in claims:
        assert found.type == "migration"
        assert text[found.start : found.end] == found.evidence
        assert text[found.details["quantity_start"] : found.details["quantity_end"]] == found.details["quantity"]


def test_headline_count_restated_in_body_is_one_claim() -> None:
    text = "Guards stop 120 migrants\nLatvian border guards stopped 120 migrants from crossing the border on Friday."
    (found,) = extract_migration(text)
    assert found.details["period"] == "on Friday"
    assert found.start == text.index("Latvian")

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
     "In the past 24 hours, 19 people tried to enter Poland illegally from Belarus, a border guard spokeswoman said.",
     None,
     [count("Poland", 19.0, "people attempted to cross", "Poland", "In the past 24 hours")]),
    ("prevented_from_crossing",
     "On Sunday Estonian officers prevented 17 people from entering the country at the Estonian-Russian border.", None,
     [count("Estonia", 17.0, "people prevented from crossing", "Estonian-Russian border", "On Sunday")]),
    ("year_list_without_repeating_the_noun",
     "Guards stopped 650 migrants in 2020, 1,300 in 2021 and 2,100 in 2022 on that stretch.", None,
     [count(None, 650.0, "migrants stopped", None, "in 2020", year=2020),
      count(None, 1300.0, "migrants stopped", None, "in 2021", year=2021),
      count(None, 2100.0, "migrants stopped", None, "in 2022", year=2022)]),
    ("running_total",
     "Lithuanian border guards detained 95 irregular migrants on Monday, bringing the total this year to 3,100.",
     date(2021, 7, 20),
     [count("Lithuania", 95.0, "irregular migrants detained", None, "on Monday", year=2021, relative=True),
      count("Lithuania", 3100.0, "total irregular migrants detained", None, "this year", year=2021, relative=True)]),
    ("number_of_exceeded",
     "So far this year the number of asylum seekers who crossed into Poland illegally has topped 2 thousand.", None,
     [count("Poland", 2000.0, "asylum seekers crossed", "Poland", "this year")]),
    # -- not irregular migration -------------------------------------------------------------------
    ("work_permits", "Latvia issued 12,000 work permits to guest workers last year.", None, []),
    ("ukrainian_refugees_at_checkpoint",
     "About 1,400 Ukrainian refugees entered Lithuania through the Kalvarija checkpoint last week.", None, []),
    ("emigration", "In 2022, 35,000 people emigrated from Lithuania.", None, []),
    ("camp_capacity", "The new container site can hold 900 people in 150 units.", None, []),
    ("fence_length", "Builders have finished 220 km of the border fence.", None, []),
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

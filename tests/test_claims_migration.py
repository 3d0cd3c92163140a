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
     [count("Poland", 1200.0, "attempts to cross the border illegally", None, "last week", year=2023, relative=True)]),
    ("asylum_applications_in_a_year",
     "Lithuania received 2,500 asylum applications in 2021.", None,
     [count("Lithuania", 2500.0, "asylum applications", None, "in 2021", year=2021)]),
    ("people_need_an_irregular_cue",
     "In the past 24 hours, 19 people tried to enter Poland illegally from Belarus, a border guard spokeswoman said.",
     None,
     [count("Poland", 19.0, "people attempted to cross", "Belarus-Poland border", "In the past 24 hours")]),
    ("prevented_from_crossing",
     "On Sunday Estonian officers prevented 17 people from entering the country at the Estonian-Russian border.", None,
     [count("Estonia", 17.0, "people prevented from crossing", "Estonia-Russia border", "On Sunday")]),
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
    # -- places are places, one name per border (issue 9) ----------------------------------------------
    ("agency_is_not_a_place",
     "According to the State Border Guard Service, 640 migrants have been detained since March.", None,
     [count(None, 640.0, "migrants detained", None, "since March")]),
    ("border_guards_are_not_a_place",
     "Some 70 migrants who crossed illegally were handed over to the Border Guards in Kapciamiestis.", None,
     [count(None, 70.0, "migrants crossed", "Kapciamiestis", None)]),
    ("bare_border_is_not_a_place",
     "Guards turned back 45 migrants at the border overnight.", None,
     [count(None, 45.0, "migrants turned back", None, None)]),
    ("attempts_from_a_country_name_its_border",
     "Since August 2021 guards have turned back more than 20,000 attempts to cross from Belarus.", None,
     [count(None, 20000.0, "attempts to cross", "Belarus border", "Since August 2021", year=2021)]),
    ("crossed_from_one_country_into_another",
     "This year 300 migrants crossed from Russia into Finland illegally.", None,
     [count("Finland", 300.0, "migrants crossed", "Finland-Russia border", "This year")]),
    ("attempts_to_cross_a_named_border",
     "In 2023 there were 950 attempts to illegally cross the Latvian-Belarusian border.", None,
     [count(None, 950.0, "attempts to illegally cross the Latvian-Belarusian border", "Belarus-Latvia border", "In 2023",
            year=2023)]),
    ("date_prefix_is_not_a_count", "2024-03-27 Afghans were among 12 migrants who tried to cross from Belarus.", None,
     [count(None, 12.0, "migrants attempted to cross", "Belarus border", None)]),
    # -- not irregular migration -------------------------------------------------------------------
    ("work_permits", "Latvia issued 12,000 work permits to guest workers last year.", None, []),
    ("ukrainian_refugees_at_checkpoint",
     "About 1,400 Ukrainian refugees entered Lithuania through the Kalvarija checkpoint last week.", None, []),
    ("emigration", "In 2022, 35,000 people emigrated from Lithuania.", None, []),
    ("camp_capacity", "The new container site can hold 900 people in 150 units.", None, []),
    ("fence_length", "Builders have finished 220 km of the border fence.", None, []),
    ("people_without_a_border_event", "About 2,000 people attended the rally against the new camp.", None, []),
]


# "Belarus", "Belarus border", "the border with Belarus" and "the Belarusian border" are one place; with the
# reporting country known, the border is named by both sides.
ONE_BORDER = [
    ("Guards stopped 40 migrants at the Belarus border on Friday.", None, "Belarus border"),
    ("Guards stopped 40 migrants at the Belarusian border on Friday.", None, "Belarus border"),
    ("Guards stopped 40 migrants at the border with Belarus on Friday.", None, "Belarus border"),
    ("Guards stopped 40 migrants who crossed from Belarus on Friday.", None, "Belarus border"),
    ("Lithuanian border guards stopped 40 migrants at the Belarus border on Friday.", "Lithuania",
     "Belarus-Lithuania border"),
    ("Lithuanian border guards stopped 40 migrants at the Belarusian border on Friday.", "Lithuania",
     "Belarus-Lithuania border"),
    ("Lithuanian border guards stopped 40 migrants at the border with Belarus on Friday.", "Lithuania",
     "Belarus-Lithuania border"),
    ("Lithuanian border guards stopped 40 migrants who crossed from Belarus on Friday.", "Lithuania",
     "Belarus-Lithuania border"),
    ("On Friday 40 migrants were stopped at the Lithuanian-Belarusian border.", None, "Belarus-Lithuania border"),
    ("On Friday 40 migrants were stopped on the border between Lithuania and Belarus.", "Lithuania",
     "Belarus-Lithuania border"),
]


@pytest.mark.parametrize(("text", "actor", "place"), ONE_BORDER)
def test_one_border_has_one_name(text: str, actor: str | None, place: str) -> None:
    (found,) = extract_migration(text)
    assert (found.actor, found.details["place"]) == (actor, place)


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

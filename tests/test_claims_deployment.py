"""Force-deployment claims: table-driven cases over sentences written for this test."""

from __future__ import annotations

from datetime import date

import pytest

from analysis.claims.deployment import extract_deployment


def deployment(nation, kind, size, unit, place, period, *, size_high=None, counted=None, counts=None, year=None,
               relative=False, speaker=None):
    return {
        "actor": nation, "kind": kind, "value": size, "value_high": size_high, "year": year,
        "year_relative": relative, "speaker": speaker,
        "details": {"nation": nation, "size": size, "size_high": size_high, "unit": unit, "counted": counted,
                    "counts": counts, "place": place, "period": period},
    }


CASES = [
    ("brigade_with_size_place_and_deadline",
     "Germany will station a brigade of about 5,000 troops in Lithuania by 2027.", None,
     [deployment("Germany", "planned", 5000.0, "brigade", "Lithuania", "by 2027", counted="troops", counts="people", year=2027)]),
    ("troops_sent_on_a_weekday",
     "The United States sent 300 soldiers to Estonia on Tuesday.", date(2023, 5, 3),
     [deployment("United States", "actual", 300.0, "soldiers", "Estonia", "on Tuesday", counted="soldiers", counts="people", year=2023, relative=True)]),
    ("strong_battlegroup_led_by_framework_nation",
     "Canada leads a 2,000-strong multinational battlegroup at Adazi in Latvia.", None,
     [deployment("Canada", "actual", 2000.0, "battlegroup", "Adazi in Latvia", None, counted="personnel", counts="people")]),
    ("jets_by_coordinated_nations",
     "Belgium and the Netherlands have each deployed six F-35s to the Baltic air policing mission.", None,
     [deployment("Belgium and Netherlands", "actual", 6.0, "F-35s", None, None, counted="F-35s", counts="units")]),
    ("demonym_on_the_force",
     "About 1,000 Dutch troops will rotate through the Rukla base next year.", date(2024, 1, 5),
     [deployment("Netherlands", "planned", 1000.0, "troops", "Rukla base", "next year", counted="troops", counts="people", year=2025, relative=True)]),
    ("air_force_detachment_with_jets",
     "Next spring a French Air Force detachment with five Rafales will be based at the Siauliai air base in Lithuania.",
     None,
     [deployment("France", "planned", 5.0, "detachment", "Siauliai air base in Lithuania", None, counted="Rafales", counts="units")]),
    ("capital_stands_for_country_and_speaker",
     "Paris will deploy about 750 troops in Romania, Defence Minister Claire Moreau said.", None,
     [deployment("France", "planned", 750.0, "troops", "Romania", None, counted="troops", counts="people", speaker="Claire Moreau")]),
    ("size_range",
     "Officials estimate that between 1,200 and 1,500 allied troops are present in Estonia.", None,
     [deployment(None, "actual", 1200.0, "troops", "Estonia", None, size_high=1500.0, counted="troops", counts="people")]),
    ("formation_without_size",
     "Sweden will contribute a battalion to the Latvian battlegroup from 2025.", None,
     [deployment("Sweden", "planned", None, "battalion", "Latvia", "from 2025", year=2025)]),
    ("russian_forces_count_too",
     "Russia has moved 30,000 troops into Belarus.", None,
     [deployment("Russia", "actual", 30000.0, "troops", "Belarus", None, counted="troops", counts="people")]),
    ("list_of_host_countries",
     "In 2022 the alliance rotated 800 extra soldiers through Slovakia, Hungary and Bulgaria.", None,
     [deployment("NATO", "actual", 800.0, "soldiers", "Slovakia, Hungary and Bulgaria", "In 2022", counted="soldiers", counts="people", year=2022)]),
    ("headline_restated_in_body",
     "Britain to keep 900 troops in Estonia\nBritain will keep around 900 troops in Estonia until 2026, the ministry said.",
     None,
     [deployment("United Kingdom", "planned", 900.0, "troops", "Estonia", "until 2026", counted="troops", counts="people", year=2026)]),
    # -- the size keeps its unit: people, or units named by their word (issue 9) ----------------------
    ("helicopters_are_units_not_troops",
     "The Polish army has deployed two Black Hawk helicopters to Suwalki.", None,
     [deployment("Poland", "actual", 2.0, "helicopters", "Suwalki", None, counted="helicopters", counts="units")]),
    ("battalions_are_units_not_troops",
     "The alliance will send four battalions to Slovakia and Hungary.", None,
     [deployment("NATO", "planned", 4.0, "battalions", "Slovakia and Hungary", None, counted="battalions",
                 counts="units")]),
    ("personnel_after_a_formation_word",
     "The Norwegian army will send 120 task force personnel to Latvia.", None,
     [deployment("Norway", "planned", 120.0, "task force", "Latvia", None, counted="personnel", counts="people")]),
    ("company_sized_groups",
     "Washington is sending three company-sized groups of Army paratroopers to Estonia.", None,
     [deployment("United States", "actual", 3.0, "company", "Estonia", None, counted="company-sized groups",
                 counts="units")]),
    ("launchers", "The US Army deployed six rocket launchers to Lithuania in May.", None,
     [deployment("United States", "actual", 6.0, "rocket launchers", "Lithuania", "in May", counted="rocket launchers",
                 counts="units")]),
    ("ships", "Denmark has sent three navy ships to the Baltic Sea.", None,
     [deployment("Denmark", "actual", 3.0, "ships", "Baltic Sea", None, counted="ships", counts="units")]),
    ("systems", "Germany will station two Patriot systems in Slovakia until the end of the year.", None,
     [deployment("Germany", "planned", 2.0, "Patriot systems", "Slovakia", None, counted="Patriot systems",
                 counts="units")]),
    # -- a type designation is never a size ---------------------------------------------------------
    ("leopard_2_is_a_type_not_two_tanks",
     "The German army will station Leopard 2 tanks with its brigade in Lithuania.", None, []),
    ("leopard_2_with_a_count",
     "The German army will station 35 Leopard 2A8 tanks with its brigade in Lithuania.", None,
     [deployment("Germany", "planned", 35.0, "tanks", "Lithuania", None, counted="tanks", counts="units")]),
    ("jas_39_gripen_is_a_type",
     "Hungary deployed four JAS 39 Gripen fighter jets to the Siauliai air base.", None,
     [deployment("Hungary", "actual", 4.0, "Gripen", "Siauliai air base", None, counted="fighter jets",
                 counts="units")]),
    ("f_35_without_a_count", "Norway will send F-35 jets to Poland for air policing.", None, []),
    ("m1a2_with_a_count", "The Polish army will station 28 M1A2 Abrams tanks at the Wesola base.", None,
     [deployment("Poland", "planned", 28.0, "tanks", "Wesola base", None, counted="tanks", counts="units")]),
    ("cv90_vehicles", "Sweden will deploy 20 CV90 infantry fighting vehicles to Latvia.", None,
     [deployment("Sweden", "planned", 20.0, "infantry fighting vehicles", "Latvia", None,
                 counted="infantry fighting vehicles", counts="units")]),
    ("himars_launchers", "Washington will station two HIMARS launchers in Estonia.", None,
     [deployment("United States", "planned", 2.0, "HIMARS launchers", "Estonia", None, counted="HIMARS launchers",
                 counts="units")]),
    # -- dates and other clauses are not sizes ---------------------------------------------------------
    ("days_of_a_month", "From May 2 through 14 mechanised battalion soldiers will be arriving in Estonia by rail.",
     None, []),
    ("date_before_the_force", "2019-05-14 Allied Forward Presence Personnel Arrive in Estonia", None, []),
    ("helicopters_in_another_clause",
     "Poland is sending more soldiers to its border after two Belarusian helicopters crossed into its airspace.",
     None, []),
    # -- not deployments ---------------------------------------------------------------------------
    ("casualties", "Three Lithuanian soldiers were wounded during the exercise.", None, []),
    ("exercise_participation", "Some 3,500 soldiers took part in the drills last month.", None, []),
    ("recruitment", "The army will recruit 2,000 new soldiers next year.", None, []),
    ("known_unit_without_quantity", "The German brigade will be stationed in Lithuania.", None, []),
    ("no_force_words", "The ministers discussed deployment plans in Riga.", None, []),
    ("civilian_company", "A company that provides cleaning services in Riga will send 40 personnel to Tartu.", None, []),
    ("civilian_tanks", "The port will host 12 new fuel tanks next year.", None, []),
]


def _fields(found) -> dict:
    details = {key: found.details[key]
               for key in ("nation", "size", "size_high", "unit", "counted", "counts", "place", "period")}
    return {
        "actor": found.actor, "kind": found.kind, "value": found.value, "value_high": found.value_high,
        "year": found.year, "year_relative": found.year_relative, "speaker": found.speaker, "details": details,
    }


@pytest.mark.parametrize(("text", "published", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_deployment_claims(text: str, published: date | None, expected: list[dict]) -> None:
    claims = list(extract_deployment(text, published=published))
    assert [_fields(c) for c in claims] == expected
    for found in claims:
        assert found.type == "deployment"
        assert text[found.start : found.end] == found.evidence
        assert text[found.details["quantity_start"] : found.details["quantity_end"]] == found.details["quantity"]

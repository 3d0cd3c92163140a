"""Defence-spending claims: table-driven cases, each a sentence or short passage and its claims.

Every sentence here is written for this test. Expectations list the fields a claim must have;
fields not listed (evidence, offsets, details) are checked by the offset tests below.
"""

from __future__ import annotations

from datetime import date

import pytest

from analysis.claims.spending import extract_spending

FIELDS = ("actor", "kind", "value", "value_high", "unit", "year", "year_high", "year_relative", "speaker")


def claim(actor, kind, value, unit="pct_gdp", *, high=None, year=None, year_high=None, relative=False, speaker=None):
    return {
        "actor": actor, "kind": kind, "value": value, "value_high": high, "unit": unit, "year": year,
        "year_high": year_high, "year_relative": relative, "speaker": speaker,
    }


CASES = [
    # -- shares of GDP ----------------------------------------------------------------------------
    ("target_by_year",
     "Latvia will raise defence spending to 3 percent of GDP by 2027.", None,
     [claim("Latvia", "target", 3.0, year=2027)]),
    ("actual_reached",
     "Finland spends around 2.4% of its gross domestic product on defence.", None,
     [claim("Finland", "actual", 2.4)]),
    ("ranged_target_with_period",
     "Lithuania intends to keep defence spending between 5 and 6 percent of GDP in 2026-2030, the president said.",
     None,
     [claim("Lithuania", "target", 5.0, high=6.0, year=2026, year_high=2030, speaker="the president")]),
    ("range_with_hyphen_and_short_period",
     "The cabinet approved a plan to spend 3.5-4% of GDP on the armed forces for the 2025-28 period in Estonia.",
     None,
     [claim("Estonia", "target", 3.5, high=4.0, year=2025, year_high=2028)]),
    ("word_number_percent",
     "Estonia's defence budget will stay above two percent of GDP.", None,
     [claim("Estonia", "target", 2.0)]),
    ("per_cent_and_pc_spellings",
     "Poland will devote 4.7 per cent of GDP to defence in 2025. Latvia to spend 2.5pc of GDP on defence", None,
     [claim("Poland", "target", 4.7, year=2025), claim("Latvia", "target", 2.5)]),
    ("two_claims_one_sentence",
     "Defence funding in Latvia was 2.1 percent of GDP in 2022 and it will be 2.25 percent of GDP in 2023.", None,
     [claim("Latvia", "actual", 2.1, year=2022), claim("Latvia", "target", 2.25, year=2023)]),
    ("from_current_to_new_level",
     "Estonia's defence spending will climb from the current 2.9 percent of GDP to 3.2 percent in 2024.", None,
     [claim("Estonia", "actual", 2.9), claim("Estonia", "actual", 3.2, year=2024)]),
    ("compared_with_last_year",
     "Poland's defence spending will reach 4.7% of GDP in 2025, compared with 4.1% in 2024.", None,
     [claim("Poland", "target", 4.7, year=2025), claim("Poland", "actual", 4.1, year=2024)]),
    ("budget_for_named_year_is_actual",
     "The 2025 state budget foresees 3.43% of GDP for defence in Estonia.", None,
     [claim("Estonia", "actual", 3.43, year=2025)]),
    ("year_before_the_verb_of_a_relative_clause",
     "Riga will pay for the radars from the defence budget, which in 2023 amounted to 2.27 percent of GDP.", None,
     [claim("Latvia", "actual", 2.27, year=2023)]),
    ("year_of_a_since_when_clause",
     "Estonia has raised defence spending every year since 2014, when it was 1.9 percent of GDP.", None,
     [claim("Estonia", "actual", 1.9, year=2014)]),
    ("the_aggressor_named_before_is_not_the_spender",
     "Lithuania bought more howitzers this year. Officials say Russia's war against Ukraine made the case. "
     "The guns are paid from the defence budget, which this year amounts to 2.5 percent of GDP.", date(2022, 5, 3),
     [claim("Lithuania", "actual", 2.5, year=2022, relative=True)]),
    ("clause_initial_year",
     "In 2023, Lithuania's defence expenditure amounted to 2.54% of GDP.", None,
     [claim("Lithuania", "actual", 2.54, year=2023)]),
    ("nato_guideline",
     "Sweden joined the alliance and pledged to meet NATO's 2% of GDP guideline from 2026.", None,
     [claim("NATO", "target", 2.0, year=2026)]),
    ("nato_target_of_phrase",
     "Hungary says it already exceeds the NATO target of 2 percent of gross domestic product.", None,
     [claim("NATO", "target", 2.0)]),
    ("proposed_new_alliance_target",
     "Before the summit, Lithuania suggested that 3 percent should be the new target for all NATO members.", None,
     [claim("NATO", "target", 3.0)]),
    ("allies_as_actor",
     "At the summit, allies agreed to raise defence spending to 5% of GDP by 2035.", None,
     [claim("NATO", "target", 5.0, year=2035)]),
    ("spending_in_a_group",
     "NATO officials say defence spending averages 3.1% of GDP in the Nordic countries.", None,
     [claim("Nordic countries", "actual", 3.1)]),
    ("aside_between_subject_and_verb",
     "Poland, which borders Ukraine and Belarus, spends 4.1% of GDP on defence.", None,
     [claim("Poland", "actual", 4.1)]),
    ("coordinated_actors",
     "Estonia, Latvia and Lithuania will each spend more than 3% of GDP on defence in 2025.", None,
     [claim("Estonia, Latvia and Lithuania", "target", 3.0, year=2025)]),
    ("headline_with_role_speaker",
     "Romania to raise defence spending to 2.5 percent by 2026 – president", None,
     [claim("Romania", "target", 2.5, year=2026, speaker="the president")]),
    ("headline_says_speaker",
     "Norway will increase defence budget to 2% of GDP, PM says", None,
     [claim("Norway", "target", 2.0, speaker="the prime minister")]),
    ("speaker_named_in_previous_sentence",
     "Defence Minister Andrius Petrauskas spoke to journalists in Vilnius on Monday. "
     "\"We will spend 3.5 percent of GDP on defence by 2026,\" he added.", None,
     [claim("Lithuania", "target", 3.5, year=2026, speaker="Andrius Petrauskas")]),
    ("speaker_by_surname_after_full_name",
     "Finance Minister Marta Ozola presented the draft on Tuesday. Ozola said Latvia's draft budget gives defence "
     "3.2 percent of GDP in 2025.", None,
     [claim("Latvia", "actual", 3.2, year=2025, speaker="Marta Ozola")]),
    ("speaker_country_for_the_country",
     "Latvian Prime Minister Ieva Kalnina said the country would spend 3 percent of its GDP on defence from 2026.",
     None,
     [claim("Latvia", "target", 3.0, year=2026, speaker="Ieva Kalnina")]),
    ("we_resolves_to_last_named_country",
     "Lithuania has reached the threshold. \"We are spending 2.8 percent of GDP on defence,\" the defence minister said.",
     None,
     [claim("Lithuania", "actual", 2.8, speaker="the defence minister")]),
    ("relative_year_with_publication_date",
     "Latvia's defence spending will rise to 3.5% of GDP next year.", date(2024, 9, 12),
     [claim("Latvia", "target", 3.5, year=2025, relative=True)]),
    ("relative_year_without_publication_date",
     "Latvia's defence spending will rise to 3.5% of GDP next year.", None,
     [claim("Latvia", "target", 3.5)]),
    ("this_years_budget_relative",
     "Lithuania's defence budget for this year amounts to 2.52 percent of GDP.", date(2023, 3, 1),
     [claim("Lithuania", "actual", 2.52, year=2023, relative=True)]),
    ("within_years",
     "Poland plans to bring defence spending to 5% of GDP within two years.", date(2024, 1, 15),
     [claim("Poland", "target", 5.0, year=2026, relative=True)]),
    ("restatement_without_year_is_dropped",
     "Estonia to spend 3.4 percent of GDP on defence\n"
     "Estonia will spend 3.4 percent of GDP on defence in 2025, the government decided on Thursday.", None,
     [claim("Estonia", "target", 3.4, year=2025)]),
    ("ranking_in_brackets",
     "Poland (4.1%), Estonia (3.4%) and Latvia (3.2%) spend the most on defence relative to GDP.", None,
     [claim("Poland", "actual", 4.1), claim("Estonia", "actual", 3.4), claim("Latvia", "actual", 3.2)]),
    ("table_rows_under_a_heading",
     "Defence spending as a share of GDP, 2024 estimates:\nFinland: 2.41%\nDenmark – 2.37%", None,
     [claim("Finland", "actual", 2.41), claim("Denmark", "actual", 2.37)]),
    ("hyphenated_word_percent",
     "Portugal still falls short of the alliance's two-percent guideline.", None,
     [claim("NATO", "target", 2.0)]),
    ("list_that_leaves_out_the_year",
     "NATO figures show Poland spent 4.1% of GDP on defence in 2024, Greece 3.1% and Estonia 3.4%.", None,
     [claim("Poland", "actual", 4.1, year=2024), claim("Greece", "actual", 3.1, year=2024),
      claim("Estonia", "actual", 3.4, year=2024)]),
    ("consequence_of_a_change_keeps_its_year",
     "Romania will add RON 9 billion to the military budget in 2025, which will take spending to 2.5 percent of GDP.",
     None,
     [claim("Romania", "actual", 2.5, year=2025)]),
    ("meeting_the_nato_target_in_a_year_is_the_country_level",
     "Belgium says it will meet the NATO target of 2 percent of GDP in 2029.", None,
     [claim("Belgium", "target", 2.0, year=2029)]),
    ("comparison_in_the_next_sentence",
     "Croatia will spend 1.8 percent of GDP on defence in 2024. That compares with 1.4 percent a year earlier.", None,
     [claim("Croatia", "target", 1.8, year=2024), claim("Croatia", "actual", 1.4)]),
    # -- money ------------------------------------------------------------------------------------
    ("money_billion_euros",
     "Lithuania's parliament approved a defence budget of 1.2 billion euros for 2019.", None,
     [claim("Lithuania", "actual", 1_200_000_000.0, "eur", year=2019)]),
    ("money_eur_m",
     "Estonia's defence spending will reach EUR 600m in 2020.", None,
     [claim("Estonia", "target", 600_000_000.0, "eur", year=2020)]),
    ("money_dollars",
     "Canada spent $870 million on defence in 1999, officials said.", None,
     [claim("Canada", "actual", 870_000_000.0, "usd", year=1999)]),
    ("money_euro_sign",
     "Under the budget adopted on Wednesday, Latvia earmarks €1.5 billion for defence spending in 2023.", None,
     [claim("Latvia", "actual", 1_500_000_000.0, "eur", year=2023)]),
    ("money_and_period_coordinated",
     "The plan sets aside €2.1 billion for defence in 2025 and about €9 billion for the 2025-28 period in Estonia.",
     None,
     [claim("Estonia", "target", 2_100_000_000.0, "eur", year=2025),
      claim("Estonia", "target", 9_000_000_000.0, "eur", year=2025, year_high=2028)]),
    ("money_passive_allocation",
     "In Latvia, 1.6 billion euros will be allocated to defence in 2025.", None,
     [claim("Latvia", "actual", 1_600_000_000.0, "eur", year=2025)]),
    ("share_and_sum_equivalent",
     "Lithuania's defence budget will amount to 3.03 percent of GDP, or EUR 2.5 billion, in 2025.", None,
     [claim("Lithuania", "target", 3.03, year=2025),
      claim("Lithuania", "target", 2_500_000_000.0, "eur", year=2025)]),
    ("budget_next_year_in_the_lead",
     "Lithuania's defence budget next year will reach 2.52% of GDP, or 1.5 billion euros, the minister said.",
     date(2022, 9, 28),
     [claim("Lithuania", "actual", 2.52, year=2023, relative=True, speaker="the minister"),
      claim("Lithuania", "actual", 1_500_000_000.0, "eur", year=2023, relative=True, speaker="the minister")]),
    ("ministry_receives_a_sum",
     "Under the 2026 budget, Estonia's Ministry of Defence will receive EUR 2.4 billion.", None,
     [claim("Estonia", "actual", 2_400_000_000.0, "eur", year=2026)]),
    ("converted_sum_in_brackets_is_not_a_second_claim",
     "Latvia's defence budget will reach 900 million euros ($1 billion) next year.", None,
     [claim("Latvia", "target", 900_000_000.0, "eur")]),
    # -- not spending claims ----------------------------------------------------------------------
    ("deficit", "The government expects a budget deficit of 3% of GDP in 2025, the defence minister said.", None, []),
    ("debt", "Public debt will climb to 47 percent of GDP as defence costs rise.", None, []),
    ("inflation", "Inflation in Estonia slowed to 3.9% in March as military tensions eased.", None, []),
    ("growth", "The economy is forecast to grow 2.5% next year despite higher defence spending.", None, []),
    ("unemployment", "Unemployment dropped to 6.9% while defence orders rose.", None, []),
    ("interest_rate", "Latvia spends 2.4% of GDP on defence while its interest rate is 4%.", None,
     [claim("Latvia", "actual", 2.4)]),
    ("tax_burden", "Latvia's tax burden rose to 31 percent of GDP even as defence costs grew.", None, []),
    ("turnout", "Turnout in the election was 47 percent, the defence ministry's survey found.", None, []),
    ("poll_share", "About 60% of Lithuanians support raising defence spending.", None, []),
    ("vote_share", "The ruling party won 28 percent of the vote after a campaign about defence.", None, []),
    ("tax_burden", "The new defence tax of 1% will be levied on corporate profits.", None, []),
    ("share_of_state_budget", "Defence accounts for 12% of the state budget.", None, []),
    ("change_in_points", "Defence spending rose by 0.4 percentage points last year.", None, []),
    ("percent_change", "Military spending jumped 11% in real terms, the highest rise in decades.", None, []),
    ("count_of_allies", "Only 9 of NATO's 30 members spent 2% of GDP on defence in 2021.", None, []),
    ("count_of_countries", "Twenty-three allies are expected to spend at least 2% of GDP on defence this year.", None, []),
    ("procurement_contract",
     "The defence ministry signed a contract worth 300 million euros for new howitzers.", None, []),
    ("purchase_price",
     "Estonia is paying EUR 200 million for six more HIMARS launchers, part of its defence spending.", None, []),
    ("aid_package", "Lithuania will provide a €200 million military aid package to Ukraine.", None, []),
    ("aid_share", "Latvia spends 0.25% of GDP on military aid for Ukraine.", None, []),
    ("increment_plus", "Defence budget 2025: +EUR 298m compared with 2024.", None, []),
    ("increment_additional", "The government allocated an additional 100 million euros to defence.", None, []),
    ("increment_by", "The defence budget was increased by EUR 150m.", None, []),
    ("single_purpose_programme",
     "Lithuania will spend EUR 1 billion on infrastructure for the German brigade.", None, []),
    ("line_item", "The defence budget is EUR 2bn, of which EUR 500 million will go to air defence.", None,
     [claim(None, "actual", 2_000_000_000.0, "eur")]),
    ("special_fund_beside_a_share",
     "Italy pledged to keep defence spending at 2 percent of GDP with a EUR 20 billion special fund.", None,
     [claim("Italy", "target", 2.0)]),
    ("rate_per_month", "Conscripts in the army receive 600 euros per month.", None, []),
    ("currency_not_stored", "Norway's defence budget for 2025 is NOK 100 billion.", None, []),
    # -- a sum in a currency the table cannot hold stands in its conversion; a conversion of a sum
    # it can hold is no second claim; a decimal comma before "billion" is no trillion
    ("conversion_of_a_currency_not_stored",
     "Poland's defence budget for 2026 amounts to 190 billion zlotys ($47 billion).", None,
     [claim("Poland", "actual", 47_000_000_000.0, "usd", year=2026)]),
    ("conversion_of_a_stored_currency",
     "Finland's defence budget for 2026 is 6.9 billion euros (7.3 billion US dollars).", None,
     [claim("Finland", "actual", 6_900_000_000.0, "eur", year=2026)]),
    ("decimal_comma_before_billion",
     "Riga's 2026 military budget comes to EUR 1,742 billion.", None,
     [claim("Latvia", "actual", 1_742_000_000.0, "eur", year=2026)]),
    # -- the level a rise starts from, also inside an editor's brackets ------------------------------
    ("from_a_level_to_over_another",
     "Over five years Norway lifted its military budget from 1.4% of GDP to over 2%.", None,
     [claim("Norway", "actual", 1.4), claim("Norway", "actual", 2.0)]),
    ("editor_brackets_around_percent",
     "The cabinet lifted [military spending] from 2.6 to 3.1 [percent of GDP], Lithuania's minister said.", None,
     [claim("Lithuania", "actual", 2.6), claim("Lithuania", "actual", 3.1)]),
    # -- a sum that restates an accepted share (or the reverse) is the same level ----------------------
    ("sum_equal_to_an_accepted_share",
     "The parliament passed the 2026 budget, allocating EUR 1.8 billion, or 4.1% of GDP, for strengthening defence.",
     None, [claim(None, "actual", 1_800_000_000.0, "eur", year=2026), claim(None, "actual", 4.1, year=2026)]),
    # -- a level given as bounds is one range ----------------------------------------------------------
    ("at_least_but_no_more_than",
     "The law keeps military funding at least 2.1 percent of GDP but no more than 2.3 percent of GDP.", None,
     [claim(None, "actual", 2.1, high=2.3)]),
    ("not_less_and_not_more_than",
     "Defence spending must be not less than 2% of GDP and not more than 2.5% of GDP.", None,
     [claim(None, "target", 2.0, high=2.5)]),
    # -- a share that goes to help Ukraine is aid; allies counted by a fraction are no level ---------
    ("share_to_help_ukraine",
     "Lithuania will keep 5.2% of GDP for defence in 2027, while 0.3% of GDP goes to help Ukraine.", None,
     [claim("Lithuania", "target", 5.2, year=2027)]),
    ("fraction_of_allies", "Roughly two-thirds of the allies now clear the 2% of GDP bar for defence.", None, []),
    # -- the Hague split: the share for core or direct defence is a defence level ------------------
    ("direct_defence_share",
     "Under the new pledge, 3.5% of GDP goes to direct defence expenditures.", None,
     [claim(None, "target", 3.5)]),
    ("rearmament_share",
     "Allies agreed that 3.5% of GDP will be set aside for rearmament.", None,
     [claim("NATO", "target", 3.5)]),
    # -- a hedged figure: "could", "may", "might", "possibly" before it (not "May", the month) ----------
    ("hedged_could", "Officials in Riga believe defence outlays could climb to 4% of GDP.", None, []),
    ("hedged_perhaps_may", "Later, perhaps, Estonia may go to 6% of GDP for defence, the minister said.", None, []),
    ("month_may_is_no_hedge", "In May Latvia's government set defence spending at 3.7% of GDP for next year.", None,
     [claim("Latvia", "actual", 3.7)]),
    ("no_defence_context", "Exports rose to 70% of GDP last year.", None, []),
]


def _fields(claim_obj) -> dict:
    return {name: getattr(claim_obj, name) for name in FIELDS}


@pytest.mark.parametrize(("text", "published", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_spending_claims(text: str, published: date | None, expected: list[dict]) -> None:
    claims = list(extract_spending(text, published=published))
    assert [_fields(c) for c in claims] == expected
    assert all(c.type == "spending" for c in claims)


@pytest.mark.parametrize(("text", "published", "expected"), [c[1:] for c in CASES if c[3]], ids=[c[0] for c in CASES if c[3]])
def test_spending_offsets_are_exact(text: str, published: date | None, expected: list[dict]) -> None:
    for found in extract_spending(text, published=published):
        assert text[found.start : found.end] == found.evidence
        quantity = found.details["quantity"]
        assert text[found.details["quantity_start"] : found.details["quantity_end"]] == quantity
        assert found.start <= found.details["quantity_start"] < found.details["quantity_end"] <= found.end


def test_offsets_survive_leading_whitespace_and_unicode() -> None:
    text = "  Šiauliai news\n\n  Lithuania’s defence budget will reach 3.2% of GDP in 2025.  "
    (found,) = extract_spending(text)
    assert found.evidence == "Lithuania’s defence budget will reach 3.2% of GDP in 2025."
    assert text[found.start : found.end] == found.evidence
    assert found.details["quantity"] == "3.2%"


def test_evidence_of_two_claims_is_their_shared_sentence() -> None:
    text = "Background first. Defence spending was 2.2% of GDP in 2023 in Estonia and will be 3.4% of GDP in 2025."
    first, second = extract_spending(text)
    assert first.evidence == second.evidence == text[18:]
    assert (first.details["quantity"], second.details["quantity"]) == ("2.2%", "3.4%")


def test_text_without_quantities_yields_nothing() -> None:
    assert list(extract_spending("Defence ministers met in Brussels to discuss burden sharing.")) == []


def test_a_figure_going_on_from_another_domain_is_of_that_domain() -> None:
    """ "The deficit, forecast at 4.1 % ..., is to narrow to 3.3 %": the second figure is a deficit too."""
    from analysis.claims.document import Document
    from analysis.claims.spending import OTHER_DOMAIN_REJECTION, judge_sentence

    text = "Finland's deficit, forecast at 4.1% of GDP for this year, is expected to narrow to about 3.3% in 2028."
    document = Document(text)
    (sentence,) = document.sentences
    verdicts = judge_sentence(document, sentence, every_rejection=True, speakers=False)
    assert [(v.quantity.value, OTHER_DOMAIN_REJECTION in v.rejections) for v in verdicts] == [(4.1, True), (3.3, True)]

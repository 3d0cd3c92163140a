"""Theme taxonomy and theme scoring: the taxonomy file, the matcher, sentence evidence, traps.

Every article below is written for these tests (no real article text is copied here).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.paths import DEFAULT_THEMES
from analysis.themes import (
    TaxonomyError,
    ThemeScorer,
    compile_lexicon,
    fold_text,
    load_taxonomy,
    split_sentences,
)

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORE = ("deterrence", "air_defence", "migration", "belarus")


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


@pytest.fixture(scope="module")
def scorer(taxonomy):
    return ThemeScorer(taxonomy, use_model=False).fit([])


def assigned(scorer, title, text, *, only=CORE):
    return {s.theme for s in scorer.score(title, text) if s.assigned and (only is None or s.theme in only)}


# -- the taxonomy file -------------------------------------------------------------------------

def test_default_taxonomy_has_the_labelled_themes_and_more(taxonomy):
    assert taxonomy.keys[:4] == CORE
    assert {"defence_spending", "russia_military", "ukraine_support", "energy_security",
            "hybrid_cyber"} <= set(taxonomy.keys)


def test_every_theme_has_label_colour_description_and_seed_terms(taxonomy):
    for theme in taxonomy.themes:
        assert theme.label.strip(), theme.key
        assert theme.description.strip(), theme.key
        assert theme.colour.startswith("#") and len(theme.colour) == 7, theme.key
        assert len(theme.seed_terms) >= 5, theme.key


def test_colours_are_distinct_and_keyed(taxonomy):
    colours = taxonomy.colours
    assert list(colours) == list(taxonomy.keys)
    assert len(set(colours.values())) == len(colours)


def test_get_returns_theme_and_names_known_keys_when_missing(taxonomy):
    assert taxonomy.get("belarus").key == "belarus"
    with pytest.raises(KeyError, match="known themes: deterrence"):
        taxonomy.get("weather")


def test_default_path_is_the_project_file():
    assert load_taxonomy(None) == load_taxonomy(DEFAULT_THEMES)


VALID = '''
[[themes]]
key = "ports"
label = "Ports"
description = "Seaports and shipping."
colour = "#112233"
seed_terms = ["port", "harbour"]
'''


@pytest.mark.parametrize("body, message", [
    (VALID.replace('key = "ports"\n', ""), "theme #1: missing field 'key'"),
    (VALID + VALID.replace("#112233", "#445566"), "theme 'ports': duplicate key 'ports'"),
    (VALID.replace("#112233", "teal"), "theme 'ports': field 'colour' = 'teal' is not a colour"),
    (VALID.replace('label = "Ports"\n', ""), "theme 'ports': missing field 'label'"),
    (VALID.replace('seed_terms = ["port", "harbour"]', "seed_terms = []"), "field 'seed_terms' is empty"),
    (VALID.replace('seed_terms = ["port", "harbour"]', 'seed_terms = "port"'), "'seed_terms' must be a list"),
    (VALID + 'weight = 3\n', "unknown field(s) weight"),
    (VALID + VALID.replace('"ports"', '"docks"'), "'colour' #112233 is used by another theme"),
    ("[[themes]\nkey=", "not valid TOML"),
    ("title = 'no themes'\n", "no [[themes]] tables"),
    (VALID.replace('"ports"', '"Ports!"', 1), "must be lower_snake_case"),
])
def test_invalid_taxonomy_names_file_and_field(tmp_path, body, message):
    path = tmp_path / "themes.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(TaxonomyError) as err:
        load_taxonomy(path)
    assert str(path) in str(err.value)
    assert message in str(err.value)


def test_missing_taxonomy_file_is_a_clear_error(tmp_path):
    with pytest.raises(TaxonomyError, match="taxonomy file not found"):
        load_taxonomy(tmp_path / "nope.toml")


def test_another_taxonomy_swaps_the_themes(tmp_path):
    path = tmp_path / "ports.toml"
    path.write_text(VALID, encoding="utf-8")
    scorer = ThemeScorer(load_taxonomy(path)).fit([])
    scores = scorer.score("", "The port of Klaipeda handled more containers. The harbour was busy.")
    assert [s.theme for s in scores] == ["ports"]
    assert scores[0].assigned and scores[0].terms == ("port", "harbour")  # the lead sentence weighs more


# -- matching and sentences ----------------------------------------------------------------------

@pytest.mark.parametrize("text, theme, role_by_term", [
    ("NATO fighter jets were scrambled", "air_defence",
     {"nato": "context", "fighter jets": "seed", "scrambled": "seed"}),
    ("Anti-aircraft units", "air_defence", {"anti aircraft": "seed"}),
    ("labour migrants arrived", "migration", {}),
    ("irregular migrants crossed from Belarus", "migration",
     {"irregular migrants": "seed", "crossed from": "cue", "belarus": "context"}),
    ("irregular migrants crossed from Belarus", "belarus", {}),
    ("Lukashenka's regime", "belarus", {"lukashenka": "seed", "regime": "context"}),
    ("the drones crashed", "air_defence", {"drones": "cue", "crashed": "context"}),
    ("Belarusian border guards", "migration", {"belarusian": "context", "border guards": "cue"}),
    ("Belarusian border guards", "belarus", {}),
])
def test_lexicon_roles(taxonomy, text, theme, role_by_term):
    lexicon = compile_lexicon(taxonomy)
    index = taxonomy.keys.index(theme)
    found = {term: role for _, i, term, role in lexicon.terms(fold_text(text)) if i == index and role != "exclude"}
    assert found == role_by_term


def test_fold_text_keeps_offsets():
    text = "Lithuania–Belarus border’s İstanbul"
    assert len(fold_text(text)) == len(text)
    assert fold_text(text).startswith("lithuania belarus border's")


@pytest.mark.parametrize("text, sentences", [
    ("One. Two three.", ["One.", "Two three."]),
    ("Lt. Gen. R. Smith met U.S. officials on Aug. 3. Then he left.",
     ["Lt. Gen. R. Smith met U.S. officials on Aug. 3.", "Then he left."]),
    ("A title without a stop\nThe body starts here. It ends.",
     ["A title without a stop", "The body starts here.", "It ends."]),
    ('He said: "We are ready." Others agreed.', ['He said: "We are ready."', "Others agreed."]),
    ("The rate is 2.5 percent by 2030.", ["The rate is 2.5 percent by 2030."]),
    ("", []),
])
def test_split_sentences(text, sentences):
    assert [text[a:b] for a, b in split_sentences(text)] == sentences


# -- theme assignment: articles written for these tests -------------------------------------------

ECONOMY_WITH_NATO = (
    "Latvia's economy grew by 2.1 percent in the second quarter, the statistics bureau said on Tuesday. "
    "Retail sales and construction drove the increase, while manufacturing output was flat. "
    "Analysts said the country's NATO membership and euro area stability keep investors confident. "
    "Inflation slowed to 3 percent as energy prices eased."
)
SCRAMBLED_ONLY = (
    "Two Italian fighter jets were scrambled from Šiauliai on Wednesday after a Russian reconnaissance "
    "plane approached the Baltic coast with its transponder switched off. "
    "The aircraft was escorted until it left the area, the armed forces said."
)
LABOUR_MIGRATION = (
    "The number of labour migrants working in Lithuania reached a record last year, the Migration "
    "Department said. Most came from Central Asia and took jobs in road haulage and construction. "
    "Employers say work permits take too long to issue. "
    "Migrants now make up one in ten truck drivers, the carriers' association said."
)
BELARUS_ORIGIN_ONLY = (
    "Lithuanian border guards turned back 54 migrants who tried to cross from Belarus overnight, the "
    "State Border Guard Service said on Monday. Most of them were citizens of Iraq and Syria. "
    "Since the start of the year, 1,900 people have been prevented from entering the country. "
    "Patrols along the border fence were reinforced."
)
BUDGET_DEFICIT = (
    "Estonia's government approved a draft budget with a deficit of 2.9 percent of GDP. "
    "Public debt is expected to climb to 24 percent of GDP by the end of next year. "
    "The finance minister said tax revenue would grow more slowly than spending on pensions."
)
ENERGY = (
    "The Baltic states will disconnect from the Russian power grid in February and synchronise with "
    "the continental European network. Grid operators in Lithuania, Latvia and Estonia said the "
    "interconnectors with Poland and Finland had been tested. "
    "The LNG terminal in Klaipeda will keep gas supplies stable during the switch."
)
BRIGADE = (
    "The first soldiers of the German brigade arrived in Vilnius on Monday. "
    "Around 5,000 troops will be stationed in Lithuania by 2027 to defend NATO's eastern flank. "
    "The defence minister said the deployment strengthens deterrence against Russia."
)
OPPOSITION = (
    "Sviatlana Tsikhanouskaya met the Lithuanian foreign minister in Vilnius to discuss support for "
    "Belarusian political prisoners. She urged the EU to tighten sanctions on the regime in Minsk. "
    "Lukashenko has jailed more than a thousand opponents since the 2020 election."
)
SOLDIERS_WITHOUT_SEEDS = (
    "About 300 Dutch soldiers arrived at the Rukla base on Tuesday for a six-month rotation. "
    "They will train alongside Lithuanian troops and take part in allied drills in the autumn."
)
REFUGEES_FROM_UKRAINE = (
    "Fewer Ukrainian refugees are arriving in Latvia than last year, officials said. "
    "Most crossed at regular checkpoints on the Russian border and received temporary protection. "
    "The refugees are housed in hostels in Riga and Daugavpils, and many have found jobs."
)
PASSING_AIR_DEFENCE = (
    "Lithuania's parliament approved a new law on conscription on Thursday. "
    "From next year, up to 5,000 young men will be called up for nine months of military service. "
    "The army will be expanded with two new battalions. "
    "The defence ministry said the plan also covers tanks, artillery and air defence systems."
)
DRONE_INCURSION = (
    "A military drone entered Latvian airspace from Russia on Sunday and crashed near Rēzekne. "
    "The armed forces said radar tracked it for several minutes before it went down. "
    "Officials called for stronger air defence along the eastern border."
)
MIGRATION_BELARUS_ROLE = (
    "Poland accused Belarus of organising the flow of migrants towards the border. "
    "Border guards said groups of people had been brought to the forest by Belarusian officers. "
    "Lukashenka's regime denies any role in the crossings."
)
COVID = (
    "Lithuania recorded 412 new coronavirus cases on Friday. Vaccination centres will stay open on "
    "weekends, and bars must close at midnight until the end of the month."
)


@pytest.mark.parametrize("name, title, text, expected", [
    ("economy story that names NATO once", "", ECONOMY_WITH_NATO, set()),
    ("air defence story that only says jets were scrambled", "", SCRAMBLED_ONLY, {"air_defence"}),
    ("labour migration", "", LABOUR_MIGRATION, set()),
    ("Belarus only as the origin of a crossing", "", BELARUS_ORIGIN_ONLY, {"migration"}),
    ("shares of GDP that are not defence", "", BUDGET_DEFICIT, set()),
    ("energy story", "", ENERGY, set()),
    ("brigade deployment", "", BRIGADE, {"deterrence"}),
    ("Belarusian opposition", "", OPPOSITION, {"belarus"}),
    ("troops and drills without seed words", "", SOLDIERS_WITHOUT_SEEDS, {"deterrence"}),
    ("war refugees through regular checkpoints", "", REFUGEES_FROM_UKRAINE, set()),
    ("air defence in a list is a passing mention", "", PASSING_AIR_DEFENCE, {"deterrence"}),
    ("drone incursion", "", DRONE_INCURSION, {"air_defence"}),
    ("Belarus's role at the border", "", MIGRATION_BELARUS_ROLE, {"migration", "belarus"}),
    ("covid and bars", "", COVID, set()),
    ("a Russian plane violating the airspace", "",
     "A Russian military plane briefly violated Estonian airspace near Vaindloo island on Tuesday, the "
     "defence forces said. The foreign ministry summoned the Russian ambassador.", {"air_defence"}),
    ("drones spotted, no air-defence words", "",
     "Unidentified drones were spotted over the Ignalina power plant on Tuesday night, police said.",
     {"air_defence"}),
    ("people pushed to the border, no migrant word", "",
     "Minsk is flying in people from the Middle East and pushing them towards the Lithuanian border, "
     "Vilnius says. Lithuanian officers have stopped more than 4,000 people this year.", {"migration", "belarus"}),
    ("an airline story is not air defence", "",
     "The national carrier took delivery of two more jets this week, and its fleet of aircraft will reach "
     "fifty planes by summer, the airline said. New routes to Spain and Italy open in May.", set()),
    ("air defence as one purpose of the money is a passing mention", "",
     "The government will add EUR 250 million for ammunition and air defence to next year's budget, the "
     "finance minister said. Hospitals and schools will get more money too.", set()),
    ("an anti-ship missile purchase is force build-up, not air defence", "Estonia buys coastal missile system",
     "Estonia signed a contract for a coastal missile system to protect its shores against warships, "
     "the defence investment centre said on Monday.", {"deterrence"}),
    ("Belarus without naming it", "",
     "Lukashenka's KGB detained three more journalists on Tuesday, human rights groups said.", {"belarus"}),
    ("Belarus as a film festival's theme only", "",
     "A festival of Belarusian films opens in Vilnius on Friday, with screenings in three cinemas.", set()),
    ("Russia's ally Belarus as geography", "",
     "The corridor separates Russia's ally Belarus from the Kaliningrad exclave. Polish and Lithuanian "
     "troops exercise there every year to defend it.", {"deterrence"}),
    ("emigration", "",
     "Latvia's population fell again as emigration to Ireland continued, the statistics bureau said.", set()),
    ("soldiers helping after a storm", "",
     "Soldiers helped clear fallen trees after a storm hit western Lithuania, cutting power to 40,000 homes.",
     set()),
    ("an undersea cable", "",
     "Investigators said a ship dragged its anchor across the seabed and damaged the power cable between "
     "Finland and Estonia.", set()),
    ("barracks for arriving troops", "",
     "Dutch and Belgian engineers began building barracks in Rukla for the troops that will arrive next spring.",
     {"deterrence"}),
    ("a title about the theme", "NATO allies hold drills near the Suwalki corridor",
     "The exercise brings together units from six countries.", {"deterrence"}),
])
def test_theme_assignment(scorer, name, title, text, expected):
    assert assigned(scorer, title, text) == expected, name


@pytest.mark.parametrize("headline, expected", [
    ("Minsk recalls its ambassador as tensions with Vilnius grow", {"belarus"}),
    ("Border guards stop 30 migrants at the Latvian border", {"migration"}),
    ("Estonia buys more IRIS-T launchers", {"air_defence"}),
    ("Allied battlegroup marks five years in Tapa", {"deterrence"}),
    ("Museum night draws record crowds in Riga", set()),
    ("Coronavirus: 120 new cases, two deaths", set()),
])
def test_headline_only_items_get_themes(scorer, headline, expected):
    assert assigned(scorer, headline, "") == expected


def test_energy_story_is_energy_security(scorer):
    assert "energy_security" in assigned(scorer, "", ENERGY, only=None)


def test_scores_are_in_unit_interval_and_agree_with_assignment(scorer, taxonomy):
    for text in (ECONOMY_WITH_NATO, BRIGADE, OPPOSITION, DRONE_INCURSION, ""):
        scores = scorer.score("", text)
        assert [s.theme for s in scores] == list(taxonomy.keys)
        for s in scores:
            assert 0.0 <= s.score <= 1.0
            assert s.assigned == (s.score >= 0.5)


def test_evidence_names_terms_and_sentences(scorer):
    (deterrence,) = [s for s in scorer.score("", BRIGADE) if s.theme == "deterrence"]
    assert "brigade" in deterrence.terms and "deterrence" in deterrence.terms
    assert any(s.startswith("The defence minister said the deployment") for s in deterrence.sentences)
    assert all(sentence in BRIGADE for sentence in deterrence.sentences)
    (air,) = [s for s in scorer.score("", BRIGADE) if s.theme == "air_defence"]
    assert air.terms == () and air.sentences == () and not air.assigned


def test_unfitted_scorer_says_so(taxonomy):
    with pytest.raises(RuntimeError, match="not fitted"):
        ThemeScorer(taxonomy).score("", "text")


# -- the corpus model ------------------------------------------------------------------------------

def _air_policing_corpus() -> list[tuple[str, str]]:
    """Sentences where an unfamiliar word ("sentinel flights") keeps company with air policing."""
    places = ["Šiauliai", "Ämari", "Lielvārde", "Malbork", "Łask", "Amari", "Siauliai", "Kaunas"]
    docs = []
    for i in range(40):
        place = places[i % len(places)]
        docs.append(("", f"NATO air policing jets flew sentinel flights from {place} on day {i}. "
                         f"The sentinel flights over the coast are part of air policing, officers said."))
    for i in range(40):
        docs.append(("", f"The city council of town {i} approved a new school budget. "
                         f"Teachers will get higher salaries from September, the mayor said."))
    return docs


def test_model_finds_a_theme_without_its_seed_words(taxonomy):
    sentence = "Sentinel flights over the coast continued through the weekend."
    fitted = ThemeScorer(taxonomy).fit(_air_policing_corpus())
    lexicon_only = ThemeScorer(taxonomy, use_model=False).fit(_air_policing_corpus())
    assert "air_defence" in assigned(fitted, "", sentence)
    assert "air_defence" not in assigned(lexicon_only, "", sentence)
    (air,) = [s for s in fitted.score("", sentence) if s.theme == "air_defence"]
    assert "sentinel flights" in air.terms or "sentinel" in air.terms


def test_model_does_not_override_an_excluded_sense(taxonomy):
    corpus = [("", f"Irregular migrants were pushed back at the border near village {i}. "
                   f"Border guards detained the migrants in the forest.") for i in range(20)]
    corpus += [("", f"The orchestra of town {i} gave a concert in the park.") for i in range(20)]
    fitted = ThemeScorer(taxonomy).fit(corpus)
    assert assigned(fitted, "", LABOUR_MIGRATION) == set()


def test_fitting_and_scoring_are_deterministic(taxonomy):
    docs = _air_policing_corpus() + [("", BRIGADE), ("", OPPOSITION), ("", DRONE_INCURSION)]
    first = ThemeScorer(taxonomy, random_state=7).fit(docs).score_many(docs)
    second = ThemeScorer(taxonomy, random_state=7).fit(list(docs)).score_many(docs)
    assert first == second


def test_model_needs_a_confident_core(taxonomy):
    scorer = ThemeScorer(taxonomy).fit([("", "One short text about nothing in particular.")])
    assert scorer.models_ == {} and scorer.vectorizer_ is None
    lexicon_only = ThemeScorer(taxonomy, use_model=False).fit([])
    assert scorer.score("", BRIGADE) == lexicon_only.score("", BRIGADE)


# -- the seed pages (EXPECTED.md); real pages are read at run time only ------------------------------

SEEDS = SHARED / "seeds"


@pytest.fixture(scope="module")
def seed_items():
    if not (SEEDS / "004_2e0d8853a9753b2c.txt").exists():
        pytest.skip(f"seed pages not found under {SEEDS} (they live outside the repository)")
    from analysis.ingest import read_file

    return {name: read_file(SEEDS / name) for name in ("000_31f9a79cbea712d5.txt", "004_2e0d8853a9753b2c.txt")}


def _item_themes(scorer, item):
    text = "" if item.kind == "headline" else item.text
    return assigned(scorer, item.title, text)


def test_seed_000_article_is_deterrence_and_air_defence(scorer, seed_items):
    article = seed_items["000_31f9a79cbea712d5.txt"][0]
    assert _item_themes(scorer, article) == {"deterrence", "air_defence"}


def test_seed_004_article_is_deterrence_and_belarus(scorer, seed_items):
    article = seed_items["004_2e0d8853a9753b2c.txt"][0]
    assert _item_themes(scorer, article) == {"deterrence", "belarus"}


@pytest.mark.parametrize("fragment, expected", [
    ("swallow", {"belarus"}),
    ("will not declare emergency over migrants", {"migration"}),
    ("temporary refugee camp", {"migration"}),
    ("leaves for NATO summit amid tensions with Minsk", {"belarus"}),
    ("bars", set()),
    ("Coronavirus update", set()),
    ("Coronavirus: Lithuania reports", set()),
    ("deportations", set()),
    ("jabbed", set()),
])
def test_seed_004_headline_themes(scorer, seed_items, fragment, expected):
    headlines = [i for i in seed_items["004_2e0d8853a9753b2c.txt"] if i.kind == "headline" and fragment in i.title]
    assert len(headlines) == 1, fragment
    themes = _item_themes(scorer, headlines[0])
    if fragment == "leaves for NATO summit amid tensions with Minsk":
        themes -= {"deterrence"}  # arguable per EXPECTED.md
    assert themes == expected


@given(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=20), st.integers(-5, 70))
def test_spans_contain_an_offset_exactly_when_one_of_them_does(spans, offset):
    """The long-sentence path of subordinate clauses answers as the scan of every span does."""
    from analysis.themes import _Spans

    assert _Spans(spans).contains(offset) == any(a <= offset < b for a, b in spans)

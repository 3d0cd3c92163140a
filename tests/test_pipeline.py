"""Analysis runs over a store (incremental, --all, --themes) and over JSON lines."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from analysis.ingest.runner import ingest_paths
from analysis.pipeline import AnalysisInputError, analyze_jsonl, analyze_store, claim_id
from analysis.model import Claim
from analysis.store import Store

# Items written for these tests.
ARTICLES = [
    {"url": "https://example.test/brigade", "published": "2024-04-08", "title": "German brigade soldiers arrive",
     "text": "The first soldiers of the German brigade arrived in Lithuania on Monday. "
             "Around 5,000 troops will be stationed there by 2027 to strengthen deterrence on NATO's eastern flank."},
    {"url": "https://example.test/spending", "published": "2023-09-26", "title": "Estonia raises defence budget",
     "text": "Estonia will spend 3.2 percent of GDP on defence in 2024, the defence minister said. "
             "The government approved the draft budget on Tuesday."},
    {"url": "https://example.test/border", "published": "2021-08-03", "title": "Migrants turned back at the border",
     "text": "Lithuanian border guards turned back 180 migrants who tried to cross from Belarus overnight. "
             "Vilnius accuses the Lukashenko regime of steering the migrant flow."},
    {"url": "https://example.test/jets", "published": "2019-06-10", "title": "Jets scrambled twice",
     "text": "NATO fighter jets were scrambled twice last week to escort Russian aircraft over the Baltic Sea."},
    {"url": "https://example.test/bars", "published": "2021-06-14", "title": "Bars may open until midnight",
     "text": "Bars and restaurants in Vilnius may stay open until midnight from Monday, the government decided."},
]


def write_export(folder: Path, rows: list[dict], name: str = "export.jsonl") -> Path:
    path = folder / name
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture()
def store(tmp_path):
    with Store.open(tmp_path / "test.duckdb") as opened:
        ingest_paths(opened, [write_export(tmp_path, ARTICLES)])
        yield opened


def themes_of(store: Store) -> dict[str, set[str]]:
    frame = store.query_df(
        "SELECT i.title, t.theme FROM item_themes t JOIN items i ON i.id = t.item_id WHERE t.assigned")
    out: dict[str, set[str]] = {}
    for title, theme in zip(frame["title"], frame["theme"]):
        out.setdefault(title, set()).add(theme)
    return out


def test_store_analysis_writes_themes_claims_topics(store):
    summary = analyze_store(store, redo_all=False, themes_path=None, progress=False)
    assert summary.startswith("analysed 5 items (5 articles, 0 headlines)")
    themes = themes_of(store)
    assert {"deterrence"} <= themes["German brigade soldiers arrive"]
    assert {"migration", "belarus"} <= themes["Migrants turned back at the border"]
    assert "air_defence" in themes["Jets scrambled twice"]
    assert "Bars may open until midnight" not in themes
    rows = store.query_df("SELECT count(*) AS n, count(DISTINCT item_id) AS items FROM item_themes")
    assert rows.loc[0, "n"] == 5 * 9 and rows.loc[0, "items"] == 5
    evidence = store.query_df("SELECT terms, sentences FROM item_themes WHERE theme = 'air_defence' AND assigned")
    assert "scrambled" in list(evidence.loc[0, "terms"])
    assert list(evidence.loc[0, "sentences"])[0].startswith("NATO fighter jets were scrambled")
    claims = store.query_df("SELECT * FROM claims WHERE type = 'spending'")
    assert len(claims) == 1
    claim = claims.iloc[0]
    assert (claim["actor"], claim["value"], claim["unit"], claim["year"]) == ("Estonia", 3.2, "pct_gdp", 2024)
    text = store.query_df("SELECT text FROM items WHERE id = ?", [claim["item_id"]]).loc[0, "text"]
    assert text[claim["start_offset"]:claim["end_offset"]] == claim["evidence"]
    topics = store.query_df("SELECT * FROM topics")
    assert len(topics) >= 2 and topics["size"].sum() == 5
    assert store.query_df("SELECT count(*) AS n FROM item_topics").loc[0, "n"] == 5


def test_second_run_analyses_nothing_new_and_all_redoes(store, tmp_path):
    analyze_store(store, redo_all=False, themes_path=None, progress=False)
    first = store.query_df("SELECT * FROM item_themes ORDER BY item_id, theme")
    summary = analyze_store(store, redo_all=False, themes_path=None, progress=False)
    assert summary.startswith("nothing new to analyse (5 items in the store")
    assert "topics unchanged" in summary
    redo = analyze_store(store, redo_all=True, themes_path=None, progress=False)
    assert redo.startswith("analysed 5 items")
    again = store.query_df("SELECT * FROM item_themes ORDER BY item_id, theme")
    assert again.drop(columns=["terms", "sentences"]).equals(first.drop(columns=["terms", "sentences"]))
    assert store.query_df("SELECT count(*) AS n FROM analysed").loc[0, "n"] == 5


def test_new_items_are_analysed_incrementally(store, tmp_path):
    analyze_store(store, redo_all=False, themes_path=None, progress=False)
    extra = [{"url": "https://example.test/opposition", "title": "Tsikhanouskaya meets ministers",
              "text": "Sviatlana Tsikhanouskaya asked EU ministers for more sanctions on the Lukashenko regime."}]
    ingest_paths(store, [write_export(tmp_path, extra, "more.jsonl")])
    summary = analyze_store(store, redo_all=False, themes_path=None, progress=False)
    assert summary.startswith("analysed 1 item (1 article, 0 headlines)")
    assert themes_of(store)["Tsikhanouskaya meets ministers"] == {"belarus"}
    assert store.query_df("SELECT sum(size) AS n FROM topics").loc[0, "n"] == 6


def test_claim_ids_are_stable_and_distinct():
    claim = Claim(type="spending", evidence="3 %", start=10, end=13)
    assert claim_id("item-1", claim) == claim_id("item-1", claim)
    assert claim_id("item-1", claim) != claim_id("item-2", claim)
    assert len(claim_id("item-1", claim)) == 16


def test_a_taxonomy_the_model_was_not_trained_for_is_a_clear_error(store, tmp_path):
    from analysis.modelfile import ModelFileError

    path = tmp_path / "bars.toml"
    path.write_text('[[themes]]\nkey = "nightlife"\nlabel = "Nightlife"\ndescription = "Bars and clubs."\n'
                    'colour = "#000000"\nseed_terms = ["bars", "restaurants"]\n', encoding="utf-8")
    with pytest.raises(ModelFileError, match="trained with another taxonomy.*flankwatch train"):
        analyze_store(store, redo_all=True, themes_path=path, progress=False)
    assert store.query_df("SELECT count(*) AS n FROM analysed").loc[0, "n"] == 0


def test_each_analysed_item_records_the_model_version(store):
    from analysis.pipeline import load_model
    from analysis.themes import load_taxonomy

    analyze_store(store, progress=False)
    version = load_model(taxonomy=load_taxonomy()).version
    assert store.query_df("SELECT DISTINCT model_version FROM analysed")["model_version"].tolist() == [version]


def test_analyze_loads_the_model_and_never_fits(store, monkeypatch):
    from analysis.claims.learned import SpendingModel
    from analysis.theme_model import ThemeModel

    def refuse(*args, **kwargs):
        raise AssertionError("analyze fitted a model")

    monkeypatch.setattr(ThemeModel, "fit", refuse)
    monkeypatch.setattr(SpendingModel, "fit", refuse)
    assert analyze_store(store, progress=False).startswith("analysed 5 items")


def test_an_items_themes_do_not_depend_on_the_rest_of_the_batch(tmp_path):
    from analysis.pipeline import analyse_records, load_model
    from analysis.themes import load_taxonomy

    bundle = load_model(taxonomy=load_taxonomy())
    records = [{"id": i, "title": a["title"], "text": a["text"], "published": None} for i, a in enumerate(ARTICLES)]
    alone = [analyse_records([r], bundle=bundle)[0] for r in records]
    others = [{"id": f"x{i}", "title": f"Story {i}", "text": f"Border guards in Latvia stopped {i} people. "
               f"Air defence units trained near Riga with {i} launchers.", "published": None} for i in range(300)]
    together = analyse_records(others[:150] + records + others[150:], bundle=bundle)[150:150 + len(records)]
    assert [r["theme_scores"] for r in together] == [r["theme_scores"] for r in alone]
    assert [r["claims"] for r in together] == [r["claims"] for r in alone]


# -- JSON lines --------------------------------------------------------------------------------------

def test_analyze_jsonl_writes_one_line_per_input():
    lines = [
        {"id": "a1", "title": "Estonia raises defence budget", "published": "2023-09-26",
         "text": "Estonia will spend 3.2 percent of GDP on defence in 2024, the defence minister said."},
        {"id": 7, "text": "Bars in Riga may stay open until midnight."},
        {"title": "Border guards stop 30 migrants at the Latvian border", "text": ""},
    ]
    out = io.StringIO()
    count = analyze_jsonl(io.StringIO("\n".join(json.dumps(x) for x in lines) + "\n\n"), out, themes_path=None)
    assert count == 3
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["id"] for r in results] == ["a1", 7, None]
    assert all(set(r) == {"id", "themes", "theme_scores", "claims", "model_version"} for r in results)
    assert results[0]["themes"][:1] == ["deterrence"]
    assert results[1]["themes"] == []
    assert results[2]["themes"] == ["migration"]
    assert set(results[0]["theme_scores"]) >= {"deterrence", "air_defence", "migration", "belarus"}
    assert all(0.0 <= v <= 1.0 for r in results for v in r["theme_scores"].values())
    (claim,) = results[0]["claims"]
    assert {k: claim[k] for k in ("type", "actor", "value", "value_high", "unit", "year", "year_high",
                                  "year_relative")} == {
        "type": "spending", "actor": "Estonia", "value": 3.2, "value_high": None,
        "unit": "pct_gdp", "year": 2024, "year_high": None, "year_relative": False}
    assert claim["kind"] in ("target", "actual")  # the claims module's call; its own tests pin it
    assert lines[0]["text"][claim["start"]:claim["end"]] == claim["evidence"]
    assert {"speaker", "evidence", "start", "end"} <= set(claim)


@pytest.mark.parametrize("content, message", [
    ('{"id": 1, "text": "ok"}\nnot json\n', "line 2: not valid JSON"),
    ('[1, 2]\n', "line 1: expected a JSON object, got list"),
    ('{"id": "x"}\n', "line 1: missing field 'text'"),
    ('{"text": 5}\n', "line 1: field 'text' must be a string"),
    ('{"text": "a", "published": "26.09.2023"}\n', "line 1: field 'published' = '26.09.2023' is not an ISO 8601"),
    ('{"text": "", "title": ""}\n', "line 1: both 'text' and 'title' are empty"),
    ('\n{"text": "a", "title": 3}\n', "line 2: field 'title' must be a string or null"),
])
def test_bad_jsonl_line_names_line_and_problem(content, message):
    out = io.StringIO()
    with pytest.raises(AnalysisInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        analyze_jsonl(io.StringIO(content), out, themes_path=None)
    assert out.getvalue() == ""


def test_cli_analyze_jsonl_reports_bad_line(tmp_path, capsys):
    from analysis.cli import main

    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "fine"}\n{"text": \n', encoding="utf-8")
    assert main(["analyze", str(source)]) == 2
    assert "line 2: not valid JSON" in capsys.readouterr().err

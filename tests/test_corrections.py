"""Analyst corrections: recorded with their time, applied to the rows every chart reads, kept
through re-analysis, exported and imported as labelled JSON lines."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from analysis import queries
from analysis.corrections import (
    Correction, CorrectionError, correction_records, export_jsonl, export_lines, import_jsonl, item_corrections,
    parse_number, record_correction, record_corrections, refresh_rollups,
)
from analysis.ingest.runner import ingest_paths
from analysis.model import normalise_url
from analysis.pipeline import analyze_store
from analysis.queries import Filters
from analysis.store import Store

# Articles written for these tests.
ARTICLES = [
    {"url": "https://example.test/spending", "published": "2023-09-26", "title": "Estonia raises defence budget",
     "source": "ERR News",
     "text": "Estonia will spend 3.2 percent of GDP on defence in 2024, the defence minister said. "
             "The government approved the draft budget on Tuesday to strengthen deterrence."},
    {"url": "https://example.test/border", "published": "2021-08-03", "title": "Migrants turned back at the border",
     "source": "LRT",
     "text": "Lithuanian border guards turned back 180 migrants who tried to cross from Belarus overnight. "
             "Vilnius accuses the Lukashenko regime of steering the migrant flow."},
    {"url": "https://example.test/jets", "published": "2019-06-10", "title": "Jets scrambled twice",
     "source": "LRT",
     "text": "NATO fighter jets were scrambled twice last week to escort Russian aircraft over the Baltic Sea."},
    {"url": "https://example.test/bars", "published": "2021-06-14", "title": "Bars may open until midnight",
     "source": "LSM",
     "text": "Bars and restaurants in Vilnius may stay open until midnight from Monday, the government decided. "
             "Latvia's prime minister said Latvia would spend 2.5 % of GDP on defence by 2027."},
]
ALL = Filters()


def _analyse(store: Store) -> None:
    analyze_store(store, redo_all=True, themes_path=None, progress=False)


@pytest.fixture(scope="module")
def analysed_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("corrections")
    source = folder / "articles.jsonl"
    source.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES), encoding="utf-8")
    path = folder / "analysed.duckdb"
    with Store.open(path) as store:
        ingest_paths(store, [source])
        _analyse(store)
    return path


@pytest.fixture()
def store(analysed_db, tmp_path):
    copy = tmp_path / "store.duckdb"
    shutil.copy(analysed_db, copy)
    with Store.open(copy) as opened:
        yield opened


def item_id(store: Store, url: str) -> str:
    return store.connection.execute("SELECT id FROM items WHERE url = ?", [url]).fetchone()[0]


def assigned(store: Store, item: str) -> set[str]:
    return set(store.query_df("SELECT theme FROM item_themes WHERE item_id = ? AND assigned", [item])["theme"])


def theme_counts(store: Store, *, rollups: bool = False) -> dict[str, int]:
    """Items per theme as the Overview's theme chart counts them."""
    if rollups:
        queries.build_rollups(store.connection)
    frame = queries.volume(store.connection, ALL, dimension="theme", freq="month", rollups=rollups)
    return {k: int(n) for k, n in frame.groupby("key")["items"].sum().items()}


def spending(store: Store, item: str) -> list[dict]:
    frame = queries.claims(store.connection, ALL, claim_type="spending")
    frame = frame[frame["item_id"] == item].astype(object)
    return frame.where(frame.notna(), None).to_dict("records")


# -- themes -------------------------------------------------------------------------------------


def test_rejecting_a_theme_changes_the_rows_and_the_charts(store):
    border = item_id(store, "https://example.test/border")
    assert "migration" in assigned(store, border)
    before = theme_counts(store)
    record_correction(store, Correction(border, "theme", "reject", theme="migration", note="about Belarus only"))
    assert "migration" not in assigned(store, border)
    assert theme_counts(store).get("migration", 0) == before["migration"] - 1
    assert theme_counts(store, rollups=True).get("migration", 0) == before["migration"] - 1
    assert queries.summary(store.connection, Filters(themes=("migration",)))["items"] == before["migration"] - 1
    history = item_corrections(store.connection, border)
    assert history[["target", "theme", "action", "note", "latest"]].to_dict("records") == [
        {"target": "theme", "theme": "migration", "action": "reject", "note": "about Belarus only", "latest": True}]
    assert history.loc[0, "corrected_at"] is not None


def test_adding_then_rejecting_a_theme_keeps_history_and_the_latest_wins(store):
    bars = item_id(store, "https://example.test/bars")
    before = theme_counts(store).get("belarus", 0)
    record_correction(store, Correction(bars, "theme", "add", theme="belarus"))
    assert "belarus" in assigned(store, bars)
    assert theme_counts(store)["belarus"] == before + 1
    record_correction(store, Correction(bars, "theme", "reject", theme="belarus"))
    assert "belarus" not in assigned(store, bars)
    history = item_corrections(store.connection, bars)
    assert history["action"].tolist() == ["reject", "add"]
    assert history["latest"].tolist() == [True, False]


def test_adding_a_theme_no_row_exists_for_inserts_one(store):
    jets = item_id(store, "https://example.test/jets")
    store.connection.execute("DELETE FROM item_themes WHERE item_id = ? AND theme = 'belarus'", [jets])
    record_correction(store, Correction(jets, "theme", "add", theme="belarus"))
    row = store.query_df("SELECT score, assigned, terms, sentences FROM item_themes "
                         "WHERE item_id = ? AND theme = 'belarus'", [jets]).iloc[0]
    assert (row["score"], row["assigned"], list(row["terms"]), list(row["sentences"])) == (1.0, True, [], [])


def test_confirming_a_theme_keeps_it(store):
    jets = item_id(store, "https://example.test/jets")
    before = assigned(store, jets)
    record_correction(store, Correction(jets, "theme", "confirm", theme="air_defence"))
    assert assigned(store, jets) == before | {"air_defence"}


def _rollup_tables(store: Store) -> dict:
    """What the rollups say, with each item's theme mask read back as theme keys (bits may be numbered anew)."""
    con = store.connection
    db = queries.ROLLUP_DB
    tables = {table: con.execute(f"SELECT * FROM {db}.{table} ORDER BY ALL").fetchall()
              for table in ("day_total", "day_theme", "day_topic")}
    tables["facts"] = con.execute(
        f"""SELECT f.id, f.kind, f.published_date, f.outlet, f.topic_id,
                   list(b.theme ORDER BY b.theme) FILTER (WHERE b.theme IS NOT NULL)
            FROM {db}.facts f LEFT JOIN {db}.theme_bits b ON f.theme_mask & b.bit <> 0
            GROUP BY ALL ORDER BY f.id""").fetchall()
    return tables


def test_refreshed_rollups_equal_rebuilt_ones(store):
    border = item_id(store, "https://example.test/border")
    bars = item_id(store, "https://example.test/bars")
    queries.build_rollups(store.connection)
    record_corrections(store, [Correction(border, "theme", "reject", theme="migration"),
                               Correction(bars, "theme", "add", theme="deterrence")])
    refresh_rollups(store.connection, [border, bars])
    refreshed = _rollup_tables(store)
    assert theme_counts(store) == {k: v for k, v in queries.volume(
        store.connection, ALL, dimension="theme", freq="month", rollups=True).groupby("key")["items"].sum().items()}
    queries.build_rollups(store.connection)
    assert refreshed == _rollup_tables(store)
    # a theme the rollups have no bit for yet: rebuilt
    jets = item_id(store, "https://example.test/jets")
    unused = store.connection.execute(
        "SELECT theme FROM item_themes GROUP BY theme HAVING NOT bool_or(assigned) ORDER BY theme LIMIT 1").fetchone()
    assert unused is not None, "the test store has a theme no item carries"
    record_correction(store, Correction(jets, "theme", "add", theme=unused[0]))
    refresh_rollups(store.connection, [jets])
    refreshed = _rollup_tables(store)
    queries.build_rollups(store.connection)
    assert refreshed == _rollup_tables(store)


# -- claims -------------------------------------------------------------------------------------


def test_editing_a_claim_shows_in_the_claims_tracker_data(store):
    estonia = item_id(store, "https://example.test/spending")
    (claim,) = spending(store, estonia)
    assert (claim["actor"], claim["value"], claim["year"]) == ("Estonia", 3.2, 2024)
    record_correction(store, Correction(estonia, "claim", "edit", claim_id=claim["claim_id"],
                                        fields={"value": "3.4", "kind": "actual", "speaker": "Hanno Pevkur"}))
    (edited,) = spending(store, estonia)
    assert (edited["claim_id"], edited["actor"], edited["value"], edited["kind"], edited["year"], edited["speaker"]) \
        == (claim["claim_id"], "Estonia", 3.4, "actual", 2024, "Hanno Pevkur")
    assert edited["evidence"] == claim["evidence"]
    (stored,) = item_corrections(store.connection, estonia).to_dict("records")
    fields = json.loads(stored["fields"])
    assert fields["value"] == 3.4 and fields["original"] == {"unit": "pct_gdp", "value": 3.2, "value_high": None,
                                                             "year": 2024}


def test_rejecting_a_claim_removes_it_from_counts(store):
    estonia = item_id(store, "https://example.test/spending")
    (claim,) = spending(store, estonia)
    before = queries.summary(store.connection, ALL)["claims"]
    record_correction(store, Correction(estonia, "claim", "reject", claim_id=claim["claim_id"]))
    assert spending(store, estonia) == []
    assert queries.summary(store.connection, ALL)["claims"] == before - 1
    # a later confirm brings it back as it was
    record_correction(store, Correction(estonia, "claim", "confirm", claim_id=claim["claim_id"]))
    (back,) = spending(store, estonia)
    assert (back["claim_id"], back["value"], back["evidence"]) == (claim["claim_id"], 3.2, claim["evidence"])


def test_adding_a_spending_claim(store):
    border = item_id(store, "https://example.test/border")
    evidence = "Vilnius accuses the Lukashenko regime"
    record_correction(store, Correction(border, "claim", "add", fields={
        "actor": "Lithuania", "kind": "target", "value": "1.2 billion", "unit": "eur", "year": "2025",
        "evidence": evidence}))
    (added,) = spending(store, border)
    assert added["claim_id"].startswith("analyst-")
    assert (added["actor"], added["value"], added["unit"], added["year"]) == ("Lithuania", 1.2e9, "eur", 2025)
    assert json.loads(added["details"]) == {"added_by_analyst": True}
    row = store.query_df("SELECT start_offset, end_offset FROM claims WHERE claim_id = ?", [added["claim_id"]]).iloc[0]
    text = store.query_df("SELECT text FROM items WHERE id = ?", [border]).loc[0, "text"]
    assert text[row["start_offset"]:row["end_offset"]] == evidence
    # the added claim is corrected like any other
    record_correction(store, Correction(border, "claim", "edit", claim_id=added["claim_id"], fields={"value": "1.5bn"}))
    assert [c["value"] for c in spending(store, border)] == [1.5e9]
    record_correction(store, Correction(border, "claim", "reject", claim_id=added["claim_id"]))
    assert spending(store, border) == []


@pytest.mark.parametrize("correction, message", [
    (Correction("x", "theme", "edit", theme="belarus"), "a theme correction is one of confirm, reject, add"),
    (Correction("x", "theme", "add", theme="Not A Key"), "needs a theme key"),
    (Correction("x", "claim", "reject"), "needs the claim_id"),
    (Correction("no-such-item", "theme", "add", theme="belarus"), "no item 'no-such-item'"),
])
def test_invalid_corrections_are_refused(store, correction, message):
    with pytest.raises(CorrectionError, match=message):
        record_correction(store, correction)
    assert store.query_df("SELECT count(*) AS n FROM corrections").loc[0, "n"] == 0


@pytest.mark.parametrize("fields, message", [
    ({"value": "lots"}, "'value': 'lots' is not a number"),
    ({"unit": "gbp"}, "'unit' must be one of pct_gdp, eur, usd"),
    ({"kind": "maybe"}, "'kind' must be one of target, actual"),
    ({"year": "20x"}, "'year' must be a year"),
    ({"value_high": 1.0}, "'value_high' .* is below 'value'"),
    ({"colour": "red"}, "unknown claim field"),
])
def test_bad_claim_edits_are_refused_and_nothing_changes(store, fields, message):
    estonia = item_id(store, "https://example.test/spending")
    (claim,) = spending(store, estonia)
    with pytest.raises(CorrectionError, match=message):
        record_corrections(store, [Correction(estonia, "theme", "reject", theme="deterrence"),
                                   Correction(estonia, "claim", "edit", claim_id=claim["claim_id"], fields=fields)])
    assert spending(store, estonia) == [claim]
    assert store.query_df("SELECT count(*) AS n FROM corrections").loc[0, "n"] == 0


def test_parse_number():
    assert [parse_number(t) for t in ("2.5", "1,200,000,000", "1.2 billion", "800m", "", None, 3)] == [
        2.5, 1.2e9, 1.2e9, 8e8, None, None, 3.0]


# -- re-analysis ----------------------------------------------------------------------------------


def test_corrections_survive_reanalysis(store):
    border = item_id(store, "https://example.test/border")
    estonia = item_id(store, "https://example.test/spending")
    bars = item_id(store, "https://example.test/bars")
    (estonia_claim,) = spending(store, estonia)
    (latvia_claim,) = spending(store, bars)
    record_corrections(store, [
        Correction(border, "theme", "reject", theme="migration"),
        Correction(bars, "theme", "add", theme="deterrence"),
        Correction(estonia, "claim", "edit", claim_id=estonia_claim["claim_id"], fields={"value": 3.4}),
        Correction(bars, "claim", "reject", claim_id=latvia_claim["claim_id"]),
        Correction(border, "claim", "add", fields={"actor": "Lithuania", "value": 2.5, "unit": "pct_gdp"}),
    ])
    expected_counts = theme_counts(store)
    expected_claims = queries.claims(store.connection, ALL)
    _analyse(store)
    assert "migration" not in assigned(store, border)
    assert "deterrence" in assigned(store, bars)
    assert theme_counts(store) == expected_counts
    after = queries.claims(store.connection, ALL)
    assert after.drop(columns=["details"]).equals(expected_claims.drop(columns=["details"]))
    assert [c["value"] for c in spending(store, estonia)] == [3.4]
    assert spending(store, bars) == []


def test_a_claim_whose_id_changed_is_matched_by_its_values(store):
    estonia = item_id(store, "https://example.test/spending")
    (claim,) = spending(store, estonia)
    record_correction(store, Correction(estonia, "claim", "edit", claim_id=claim["claim_id"],
                                        fields={"actor": "Republic of Estonia"}))
    # the extractor now reports the claim at other offsets, so with another id
    store.connection.execute("UPDATE claims SET claim_id = 'moved', actor = 'Estonia' WHERE item_id = ?", [estonia])
    from analysis.corrections import apply_corrections

    with store.transaction() as con:
        apply_corrections(con, [estonia])
    (matched,) = spending(store, estonia)
    assert (matched["claim_id"], matched["actor"]) == (claim["claim_id"], "Republic of Estonia")


def test_a_rejected_claim_does_not_take_a_twin_with_the_same_figure(store):
    estonia = item_id(store, "https://example.test/spending")
    (claim,) = spending(store, estonia)
    twin = dict(claim_id="twin", item_id=estonia)
    store.connection.execute(
        "INSERT INTO claims SELECT ?, item_id, type, actor, kind, value, value_high, unit, year, year_high, "
        "year_relative, 'someone else', evidence, start_offset, end_offset, details FROM claims WHERE claim_id = ?",
        [twin["claim_id"], claim["claim_id"]])
    record_correction(store, Correction(estonia, "claim", "reject", claim_id=claim["claim_id"]))
    record_correction(store, Correction(estonia, "theme", "confirm", theme="deterrence"))  # applies again
    assert [c["claim_id"] for c in spending(store, estonia)] == ["twin"]


# -- export and import ----------------------------------------------------------------------------


def _correct_everything(store: Store) -> None:
    border = item_id(store, "https://example.test/border")
    estonia = item_id(store, "https://example.test/spending")
    bars = item_id(store, "https://example.test/bars")
    (estonia_claim,) = spending(store, estonia)
    (latvia_claim,) = spending(store, bars)
    record_corrections(store, [
        Correction(border, "theme", "reject", theme="migration", note="checked"),
        Correction(border, "claim", "add", fields={"actor": "Lithuania", "kind": "target", "value": 2.5,
                                                   "unit": "pct_gdp", "year": 2030, "evidence": ""}),
        Correction(estonia, "claim", "edit", claim_id=estonia_claim["claim_id"],
                   fields={"value": 3.4, "speaker": "the defence minister"}),
        Correction(bars, "claim", "reject", claim_id=latvia_claim["claim_id"]),
        Correction(bars, "theme", "add", theme="deterrence"),
    ])


def test_export_writes_the_labelled_schema(store, tmp_path):
    _correct_everything(store)
    records = [json.loads(line) for line in export_lines(store)]
    assert len(records) == 3
    assert all(list(r) == ["id", "url", "source", "published", "title", "text", "themes", "claims", "notes"]
               for r in records)
    by_url = {r["url"]: r for r in records}
    border = by_url["https://example.test/border"]
    assert "migration" not in border["themes"] and border["notes"] == "checked"
    assert border["published"] == "2021-08-03" and border["source"] == "LRT"
    assert [{k: c[k] for k in ("actor", "kind", "value", "value_high", "unit", "year", "year_high", "speaker")}
            for c in border["claims"]] == [
        {"actor": "Lithuania", "kind": "target", "value": 2.5, "value_high": None, "unit": "pct_gdp", "year": 2030,
         "year_high": None, "speaker": None}]
    assert [c["value"] for c in by_url["https://example.test/spending"]["claims"]] == [3.4]
    assert by_url["https://example.test/bars"]["claims"] == []
    assert "deterrence" in by_url["https://example.test/bars"]["themes"]


def test_correction_records_are_gold_records(store):
    _correct_everything(store)
    records = {r["title"]: r for r in correction_records(store)}
    assert set(records) == {"Migrants turned back at the border", "Estonia raises defence budget",
                            "Bars may open until midnight"}
    border = records["Migrants turned back at the border"]
    assert set(border) == {"id", "source", "title", "text", "published", "themes", "corrected_themes", "claims"}
    assert border["published"] == date(2021, 8, 3) and border["source"] == "LRT"
    assert "migration" not in border["themes"]
    assert border["claims"][0]["value"] == 2.5 and "claim_id" not in border["claims"][0]


def _comparable(lines: list[str]) -> list[dict]:
    """Exported records with the ids of analyst-added claims left out (each store makes its own)."""
    records = [json.loads(line) for line in lines]
    for record in records:
        for claim in record["claims"]:
            if claim["claim_id"].startswith("analyst-"):
                claim["claim_id"] = "analyst-added"
    return records


def test_export_then_import_into_a_fresh_store_round_trips(store, analysed_db, tmp_path):
    _correct_everything(store)
    exported = tmp_path / "corrections.jsonl"
    with exported.open("w", encoding="utf-8") as target:
        assert export_jsonl(store, target) == 3
    fresh_path = tmp_path / "fresh.duckdb"
    shutil.copy(analysed_db, fresh_path)
    with Store.open(fresh_path) as fresh:
        before = theme_counts(fresh)
        report = import_jsonl(fresh, exported)
        assert report.articles == 3 and report.corrections > 0
        assert report.summary().startswith(f"imported {report.corrections} corrections for 3 articles from ")
        assert theme_counts(fresh) == theme_counts(store) != before
        assert _comparable(export_lines(fresh)) == _comparable(export_lines(store))
        # importing the same file again repeats nothing
        assert import_jsonl(fresh, exported).corrections == 0


def test_import_matches_items_by_url(store, tmp_path):
    estonia = item_id(store, "https://example.test/spending")
    line = {"id": "not-a-stored-id", "url": "http://www.example.test/spending/", "themes": ["belarus"],
            "claims": [], "notes": "by url"}
    path = tmp_path / "by-url.jsonl"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    assert normalise_url(line["url"]) == normalise_url("https://example.test/spending")
    import_jsonl(store, path)
    assert assigned(store, estonia) == {"belarus"}
    assert spending(store, estonia) == []


@pytest.mark.parametrize("bad_line, message", [
    ("{not json", "line 2: not valid JSON"),
    ('{"id": "x", "themes": []}', "line 2: no item with id 'x'"),
    ('{"url": "https://example.test/jets", "themes": "belarus"}', "line 2: field 'themes' must be a list"),
    ('{"url": "https://example.test/jets", "themes": ["space"]}', "line 2: unknown theme"),
    ('{"url": "https://example.test/jets", "themes": [], "claims": [{"value": 2, "unit": "gbp"}]}',
     "line 2, claim 1: field 'unit'"),
    ('{"themes": []}', "line 2: the record needs an 'id' or a 'url'"),
])
def test_a_bad_import_line_names_file_and_line_and_imports_nothing(store, tmp_path, bad_line, message):
    estonia = item_id(store, "https://example.test/spending")
    good = {"id": estonia, "themes": [], "claims": []}
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(good) + "\n" + bad_line + "\n", encoding="utf-8")
    before = theme_counts(store)
    with pytest.raises(CorrectionError, match=f"{path.name}, {message}"):
        import_jsonl(store, path)
    assert store.query_df("SELECT count(*) AS n FROM corrections").loc[0, "n"] == 0
    assert theme_counts(store) == before


def test_cli_export_and_import(store, analysed_db, tmp_path, capsys):
    from analysis.cli import main

    _correct_everything(store)
    db = store.path
    store.close()
    exported = tmp_path / "out.jsonl"
    assert main(["corrections", "export", str(exported), "--db", str(db)]) == 0
    assert "exported 3 corrected articles" in capsys.readouterr().out
    fresh = tmp_path / "cli-fresh.duckdb"
    shutil.copy(analysed_db, fresh)
    assert main(["corrections", "import", str(exported), "--db", str(fresh)]) == 0
    assert "for 3 articles" in capsys.readouterr().out
    bad = tmp_path / "bad.jsonl"
    bad.write_text("[]\n", encoding="utf-8")
    assert main(["corrections", "import", str(bad), "--db", str(fresh)]) == 2
    assert "bad.jsonl, line 1: expected a JSON object" in capsys.readouterr().err

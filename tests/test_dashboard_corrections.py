"""Analyst corrections through the dashboard (AppTest): a theme rejected on the Articles page
changes the Overview at once, an edited claim shows on the Claims tracker, the corrections
download, and the Model page shows the model's figures and retrains with the corrections."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import types

import pytest

from dashboard_fixtures import (  # noqa: F401  (fixtures)
    app_test, assert_clean, chart_titled, empty_db, fresh_streamlit_caches, synthetic_db,
)

ITEM = "lt-2025"  # the scripted Lithuanian 5-6 % article of the synthetic store
CLAIM = "claim-lt-2025"
LABEL = "Air & missile defence"
CHART_NAME = "Air &amp; missile defence"  # plotly trace names are HTML


@pytest.fixture()
def writable_db(synthetic_db, tmp_path):  # noqa: F811
    """A private copy: these tests write corrections, the synthetic store is shared."""
    path = tmp_path / "corrections.duckdb"
    shutil.copy(synthetic_db, path)
    return path


def _metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _theme_total(at, name: str) -> float:
    spec = chart_titled(at, "Theme coverage")
    return sum(v for t in spec["data"] if t["name"] == name for v in t["y"])


def _frame(at, column: str):
    """The first table on the page with this column (the item's themes: analyst; its claims: evidence)."""
    return next((d.value for d in at.dataframe if column in d.value.columns), None)


def _open(at, item: str):
    at.query_params["item"] = item
    at.switch_page("views/articles.py").run()
    assert_clean(at)
    return at


def test_rejecting_a_theme_on_the_articles_page_changes_the_overview(writable_db, monkeypatch):
    at = app_test(writable_db, monkeypatch)
    at.multiselect(key="theme").set_value(["air_defence"]).run()
    items_before = int(_metric(at, "Items").replace(",", ""))
    at.multiselect(key="theme").set_value([]).run()
    total_before = _theme_total(at, CHART_NAME)

    _open(at, ITEM)
    assert "assigned by the model" in [c.value for c in at.caption]
    at.text_input(key=f"correction_note_{ITEM}").set_value("a spending story").run()
    at.button(key=f"theme_reject_{ITEM}_air_defence").click().run()
    assert_clean(at)
    assert any("rejected" in t.value for t in at.toast)
    restore = at.button(key=f"theme_confirm_{ITEM}_air_defence")  # shown struck out, can be restored
    assert restore.label == "Restore" and not restore.disabled
    themes = _frame(at, "analyst")
    row = themes[themes["label"] == LABEL].iloc[0]
    assert not row["assigned"] and row["analyst"].startswith("rejected by the analyst on ")

    at.query_params.pop("item", None)
    at.switch_page("views/overview.py").run()
    assert_clean(at)
    assert _theme_total(at, CHART_NAME) == total_before - 1
    at.multiselect(key="theme").set_value(["air_defence"]).run()
    assert int(_metric(at, "Items").replace(",", "")) == items_before - 1


def test_adding_and_restoring_a_theme(writable_db, monkeypatch):
    at = _open(app_test(writable_db, monkeypatch), ITEM)
    at.selectbox(key=f"theme_add_choice_{ITEM}").set_value("belarus").run()
    at.button(key=f"theme_add_{ITEM}").click().run()
    assert_clean(at)
    themes = _frame(at, "analyst")
    assert themes[themes["label"] == "Belarus"].iloc[0]["assigned"]
    at.button(key=f"theme_reject_{ITEM}_belarus").click().run()
    at.button(key=f"theme_confirm_{ITEM}_belarus").click().run()  # restore
    assert at.button(key=f"theme_confirm_{ITEM}_belarus").label == "Confirm"
    themes = _frame(at, "analyst")
    assert themes[themes["label"] == "Belarus"].iloc[0]["assigned"]


def test_editing_a_claim_shows_on_the_claims_tracker(writable_db, monkeypatch):
    at = _open(app_test(writable_db, monkeypatch), ITEM)
    prefix = f"claim_{ITEM}_{CLAIM}_"
    assert at.text_input(key=prefix + "value").value == "5"
    at.text_input(key=prefix + "value").set_value("4.5")
    at.text_input(key=prefix + "speaker").set_value("Gitanas Nausėda")
    at.button(key=f"claim_edit_{ITEM}_{CLAIM}").click().run()
    assert_clean(at)
    claims = _frame(at, "evidence")
    assert claims[["value", "value_high", "speaker"]].values.tolist() == [[4.5, 6.0, "Gitanas Nausėda"]]

    at.query_params.pop("item", None)
    at.switch_page("views/claims.py").run()
    assert_clean(at)
    spending = chart_titled(at, "Defence-spending claims by actor")
    lithuania = [y for t in spending["data"] if t["name"] == "Lithuania" for y in t.get("y", [])]
    assert 4.5 in lithuania and 5.0 not in lithuania
    at.selectbox(key="claims_list_spending").set_value(CLAIM).run()
    assert any("Gitanas Nausėda" in h.proto.body for h in at.get("html"))


def test_a_bad_claim_value_is_refused_with_a_message(writable_db, monkeypatch):
    at = _open(app_test(writable_db, monkeypatch), ITEM)
    prefix = f"claim_{ITEM}_{CLAIM}_"
    at.text_input(key=prefix + "value").set_value("five")
    at.button(key=f"claim_edit_{ITEM}_{CLAIM}").click().run()
    assert any("Not saved" in e.value and "is not a number" in e.value for e in at.error)
    assert _frame(at, "evidence")["value"].tolist() == [5.0]


def test_rejecting_restoring_and_adding_claims(writable_db, monkeypatch):
    at = _open(app_test(writable_db, monkeypatch), ITEM)
    at.button(key=f"claim_reject_{ITEM}_{CLAIM}").click().run()
    assert_clean(at)
    assert _frame(at, "evidence") is None
    assert any("No claims found" in c.value for c in at.caption)
    at.button(key=f"claim_restore_{ITEM}_{CLAIM}").click().run()
    assert _frame(at, "evidence")["value"].tolist() == [5.0]

    prefix = f"new_claim_{ITEM}_"
    at.text_input(key=prefix + "actor").set_value("Lithuania")
    at.selectbox(key=prefix + "kind").set_value("target")
    at.selectbox(key=prefix + "unit").set_value("pct_gdp")
    at.text_input(key=prefix + "value").set_value("6")
    at.text_input(key=prefix + "year").set_value("2030")
    at.text_area(key=prefix + "evidence").set_value("Lithuania will spend")
    at.button(key=f"new_claim_add_{ITEM}").click().run()
    assert_clean(at)
    claims = _frame(at, "evidence")
    assert sorted(claims["value"].tolist()) == [5.0, 6.0]
    assert at.text_input(key=prefix + "actor").value == ""  # the form is cleared for the next one


def test_corrections_download_as_labelled_json_lines(writable_db, monkeypatch):
    at = _open(app_test(writable_db, monkeypatch), ITEM)
    at.button(key=f"theme_reject_{ITEM}_air_defence").click().run()
    at.query_params.pop("item", None)
    at.switch_page("views/articles.py").run()
    assert_clean(at)
    button = at.get("download_button")
    labels = [b.proto.label for b in button]
    assert any(label.startswith("Download the analysts' corrections (1 article") for label in labels)

    from analysis.corrections import export_lines
    from dashboard import data

    lines = data.corrections_export(data.handle(str(writable_db.resolve())).store).splitlines()
    assert lines == export_lines(data.handle(str(writable_db.resolve())).store)
    (record,) = [json.loads(line) for line in lines]
    assert record["id"] == ITEM and "air_defence" not in record["themes"]
    assert [c["value"] for c in record["claims"]] == [5]


# -- the Model page ------------------------------------------------------------------------------


MANIFEST = {
    "version": "abc123def456", "training_size": 412,
    "created_from": ["train.jsonl", "dev.jsonl", "corrections: 0"],
    "cv": {"themes": {"deterrence": {"precision": 0.91, "recall": 0.88, "f1": 0.894, "support": 120},
                      "belarus": {"precision": 0.95, "recall": 0.9, "f1": 0.924, "support": 60}},
           "macro_f1": 0.909, "exact": 0.81,
           "claims": {"precision": 0.97, "recall": 0.93, "f1": 0.95, "actor": 0.98}},
}


class FakeBundle:
    def __init__(self, manifest):
        self.manifest = manifest


@pytest.fixture()
def model_api(monkeypatch):
    """The lead's model API, stood in for: what the page calls and what it was called with."""
    calls: dict[str, list] = {"retrain": [], "activate": [], "analyze": []}
    new_manifest = {**MANIFEST, "version": "fff999", "training_size": 415,
                    "created_from": ["train.jsonl", "dev.jsonl", "corrections: 3"],
                    "cv": {**MANIFEST["cv"], "macro_f1": 0.93}}
    state = {"active": FakeBundle(MANIFEST)}

    def active_bundle(store, taxonomy):
        assert "air_defence" in taxonomy.keys  # the model is read against the taxonomy
        return state["active"]

    def retrain(store, *, taxonomy=None, progress=None):
        if state.get("retrain_error"):
            raise state["retrain_error"]
        calls["retrain"].append(taxonomy.keys)
        if progress is not None:
            progress(0.5, "fitting")
        return FakeBundle(new_manifest)

    def theme_changes(store, old, new):
        return 7

    def activate(store, bundle):
        calls["activate"].append(bundle.manifest["version"])
        state["active"] = bundle

    def analyze_store(store, **kwargs):
        calls["analyze"].append(kwargs)
        return "analysed 3000 items"

    import analysis.pipeline

    modelfile = types.ModuleType("analysis.modelfile")
    modelfile.active_bundle, modelfile.activate = active_bundle, activate
    training = types.ModuleType("analysis.training")
    training.retrain, training.theme_changes = retrain, theme_changes
    monkeypatch.setitem(sys.modules, "analysis.modelfile", modelfile)
    monkeypatch.setitem(sys.modules, "analysis.training", training)
    monkeypatch.setattr(analysis.pipeline, "analyze_store", analyze_store)
    calls["state"] = state
    return calls


def test_model_page_shows_the_manifest(writable_db, monkeypatch, model_api):
    at = app_test(writable_db, monkeypatch, page="views/model.py")
    assert_clean(at)
    assert at.title[0].value == "Model"
    assert _metric(at, "Version") == "abc123def456"
    assert _metric(at, "Training size") == "412"
    assert _metric(at, "Theme macro-F1") == "0.909"
    table = _frame(at, "Support")
    assert table.set_index("Measured on").loc["Deterrence & force posture", "F1"] == pytest.approx(0.894)
    assert table.set_index("Measured on").loc["Spending claims", "Recall"] == pytest.approx(0.93)
    from dashboard.ui import md_escape

    assert any(md_escape("train.jsonl, dev.jsonl, corrections: 0") in c.value for c in at.caption)


def test_retrain_with_corrections_then_accept(writable_db, monkeypatch, model_api):
    at = app_test(writable_db, monkeypatch, page="views/model.py")
    at.button(key="model_retrain").click().run()
    assert_clean(at)
    assert len(model_api["retrain"]) == 1 and "air_defence" in model_api["retrain"][0]
    comparison = _frame(at, "Retrained").set_index("Measured on")
    assert comparison.loc["Theme macro-F1", ["In use", "Retrained"]].tolist() == pytest.approx([0.909, 0.93])
    assert any("7 items" in m.value for m in [*at.markdown, *at.info, *at.caption])
    at.button(key="model_accept").click().run()
    assert_clean(at)
    assert model_api["activate"] == ["fff999"]
    assert model_api["analyze"] and model_api["analyze"][0]["redo_all"] is True
    assert _metric(at, "Version") == "fff999"
    assert not any(b.key == "model_accept" for b in at.button)


def test_model_page_without_the_model_api_says_so(writable_db, monkeypatch):
    monkeypatch.setitem(sys.modules, "analysis.modelfile", None)  # import fails
    at = app_test(writable_db, monkeypatch, page="views/model.py")
    assert_clean(at)
    assert any("not available" in i.value for i in at.info)


def test_model_page_on_an_empty_store(empty_db, monkeypatch, model_api):  # noqa: F811
    at = app_test(empty_db, monkeypatch, page="views/model.py")
    assert_clean(at)
    assert _metric(at, "Version") == "abc123def456"


def test_model_page_explains_a_model_that_cannot_be_read(writable_db, monkeypatch, model_api):
    def broken(store, taxonomy):
        raise FileNotFoundError("data/model/flankwatch-model.npz: no such file")

    monkeypatch.setattr(sys.modules["analysis.modelfile"], "active_bundle", broken)
    at = app_test(writable_db, monkeypatch, page="views/model.py")
    assert not at.exception
    assert any("cannot be read" in e.value and "no such file" in e.value for e in at.error)


def test_model_page_without_retraining_still_shows_the_model(writable_db, monkeypatch, model_api):
    monkeypatch.setitem(sys.modules, "analysis.training", None)  # import fails
    at = app_test(writable_db, monkeypatch, page="views/model.py")
    assert_clean(at)
    assert _metric(at, "Version") == "abc123def456"
    assert any("Retraining is not available" in i.value for i in at.info)
    assert not any(b.key == "model_retrain" for b in at.button)


def test_a_failed_retrain_is_explained(writable_db, monkeypatch, model_api):
    model_api["state"]["retrain_error"] = ValueError("labelled training files not found (train.jsonl)")
    at = app_test(writable_db, monkeypatch, page="views/model.py")
    at.button(key="model_retrain").click().run()
    assert not at.exception
    assert any("Not retrained" in e.value and "training files not found" in e.value for e in at.error)
    assert not any(b.key == "model_accept" for b in at.button)


@pytest.mark.timeout(600)
def test_model_page_retrains_and_accepts_with_the_real_models(writable_db, monkeypatch):
    """No stand-ins: a rejected theme is trained on, the new CV figures are shown, and after
    Accept the store is re-analysed by the retrained model with the correction still in force."""
    from pathlib import Path

    import duckdb

    written = Path(__file__).parent / "eval" / "written.jsonl"
    monkeypatch.setenv("FLANKWATCH_TRAINING", str(written))  # small, so the test is quick
    at = _open(app_test(writable_db, monkeypatch), ITEM)
    rejected = next(b for b in at.button if b.label == "Reject" and "theme" in (b.key or ""))
    rejected.click().run()
    assert_clean(at)
    at.switch_page("views/model.py").run()
    assert_clean(at)
    shipped_version = _metric(at, "Version")
    at.button(key="model_retrain").click().run(timeout=500)
    assert_clean(at)
    comparison = _frame(at, "Retrained").set_index("Measured on")
    assert comparison.loc["Training size", ["In use", "Retrained"]].tolist() == [385, 61]
    assert 0.0 < comparison.loc["Theme macro-F1", "Retrained"] <= 1.0
    at.button(key="model_accept").click().run(timeout=300)
    assert_clean(at)
    assert _metric(at, "Version") != shipped_version
    with duckdb.connect(str(writable_db)) as con:  # the dashboard's own connection is open in this process
        versions = {row[0] for row in con.execute("SELECT DISTINCT model_version FROM analysed").fetchall()}
        (active,) = con.execute("SELECT version FROM models WHERE active").fetchone()
        still_rejected = con.execute(
            "SELECT count(*) FROM corrections c JOIN item_themes t ON t.item_id = c.item_id AND t.theme = c.theme "
            "WHERE c.action = 'reject' AND NOT t.assigned").fetchone()[0]
    assert versions == {active} and still_rejected == 1

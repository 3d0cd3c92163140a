"""The learned models: training, the model file (round trip, determinism, refusals), grouped CV.

Small models are fitted on tests/eval/written.jsonl (articles written for this project); the
shipped model's own figures come from ../shared/corpus and are checked where it is present.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from analysis import training
from analysis.modelfile import (
    ModelFileError,
    activate,
    active_bundle,
    bundle_bytes,
    deactivate,
    load_bundle,
    load_bundle_bytes,
    save_bundle,
)
from analysis.paths import SHIPPED_MODEL, training_files
from analysis.store import Store
from analysis.themes import load_taxonomy

WRITTEN = Path(__file__).parent / "eval" / "written.jsonl"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
DOCUMENTS = [
    ("Jets scrambled over the Baltic", "NATO fighter jets were scrambled twice to escort Russian aircraft near Estonia."),
    ("Fence finished", "Lithuania finished the fence on the border with Belarus, where migrants tried to cross."),
    ("Opera season", "The national opera opened its season in Riga with a new production."),
]


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


@pytest.fixture(scope="module")
def records():
    return training.read_labelled([WRITTEN])


@pytest.fixture(scope="module")
def bundle(records, taxonomy):
    return training.train_bundle(records, taxonomy=taxonomy, created_from=["written.jsonl"], folds=0)


def _scores(bundle, documents=DOCUMENTS):
    return [[(s.theme, s.score, s.assigned, s.terms, s.sentences) for s in item]
            for item in bundle.themes.predict(documents)]


def test_the_model_file_round_trips(bundle, taxonomy, tmp_path):
    path = save_bundle(bundle, tmp_path / "model.npz")
    loaded = load_bundle(path, taxonomy)
    assert loaded.version == bundle.version and loaded.version.startswith("m1-")
    assert _scores(loaded) == _scores(bundle)
    text = "Latvia will raise defence spending to 3.5 percent of GDP by 2028, the prime minister said."
    assert loaded.spending.extract(title=None, text=text) == bundle.spending.extract(title=None, text=text)
    # migration has 8 labelled articles there, under min_positives (10): it keeps the lexicon's rule score
    assert loaded.manifest["learned_themes"] == ["deterrence", "air_defence", "belarus"]
    assert loaded.manifest["training_size"] == 60 and loaded.manifest["created_from"] == ["written.jsonl"]


def test_the_words_alone_opinion_moves_the_scores_and_an_older_file_scores_without_it(bundle, taxonomy):
    """A model file from before the words-alone model (no text_ parameters or arrays) loads and
    scores with the main model alone; one that names the weight but lacks the arrays is refused."""
    from analysis.theme_model import ThemeModel

    meta, arrays = bundle.themes.to_parts()
    assert meta["params"]["text_weight"] == 0.5 and "text_coef" in arrays
    older_meta = {**meta, "params": {k: v for k, v in meta["params"].items() if not k.startswith("text_")}}
    older_arrays = {k: v for k, v in arrays.items() if not k.startswith("text_")}
    older = ThemeModel.from_parts(taxonomy, older_meta, older_arrays)
    assert older.text_weight == 0.0
    alone = ThemeModel.from_parts(taxonomy, {**meta, "params": {**meta["params"], "text_weight": 0.0}}, arrays)
    def scores(model):
        return [[s.score for s in item] for item in model.predict(DOCUMENTS, explain=False)]

    assert scores(older) == scores(alone)
    assert scores(bundle.themes) != scores(older)
    with pytest.raises(ValueError, match="words-alone"):
        ThemeModel.from_parts(taxonomy, meta, older_arrays)


def test_training_is_deterministic(bundle, records, taxonomy):
    again = training.train_bundle(records, taxonomy=taxonomy, created_from=["written.jsonl"], folds=0)
    assert bundle_bytes(again) == bundle_bytes(bundle)
    assert again.version == bundle.version


def test_a_model_file_holds_no_pickles(bundle):
    with zipfile.ZipFile(io.BytesIO(bundle_bytes(bundle))) as archive:
        for name in archive.namelist():
            if name.endswith(".npy"):
                array = np.lib.format.read_array(io.BytesIO(archive.read(name)), allow_pickle=False)
                assert array.dtype != object, name


def _rewrite(data: bytes, change) -> bytes:
    """The model file with its manifest changed by ``change`` (other members as they are)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "manifest.json":
                manifest = json.loads(content)
                change(manifest)
                content = json.dumps(manifest).encode()
            target.writestr(name, content)
    return out.getvalue()


def _with_member(data: bytes, name: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for member in source.namelist():
            target.writestr(member, content if member == name else source.read(member))
    return out.getvalue()


def _pickled_array() -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.array([{"run": "code"}], dtype=object), allow_pickle=True)
    return buffer.getvalue()


@pytest.mark.parametrize("damage, message", [
    (lambda data: data[: len(data) // 2], "corrupt model file"),
    (lambda data: b"not a zip at all", "corrupt model file"),
    (lambda data: _rewrite(data, lambda m: m.update(format="something-else")), "not a Flankwatch model file"),
    (lambda data: _rewrite(data, lambda m: m.update(format_version=0)), "stale model file"),
    (lambda data: _rewrite(data, lambda m: m.update(taxonomy_fingerprint="0" * 16)), "another taxonomy"),
    (lambda data: _with_member(data, "themes/coef.npy", _pickled_array()), "corrupt or incomplete"),
    (lambda data: _with_member(data, "themes/coef.npy", b"\x93NUMPY garbage"), "corrupt"),
])
def test_a_stale_or_corrupt_model_file_is_a_clear_error(bundle, taxonomy, tmp_path, damage, message):
    path = tmp_path / "broken.npz"
    path.write_bytes(damage(bundle_bytes(bundle)))
    with pytest.raises(ModelFileError) as error:
        load_bundle(path, taxonomy)
    assert str(path) in str(error.value) and message in str(error.value)
    assert "flankwatch train" in str(error.value)


def test_a_missing_model_file_says_how_to_build_one(taxonomy, tmp_path):
    with pytest.raises(ModelFileError, match="no model file here.*flankwatch train"):
        load_bundle(tmp_path / "absent.npz", taxonomy)


def test_the_cli_reports_a_corrupt_model_and_exits_2(tmp_path, capsys):
    from analysis.cli import main

    model = tmp_path / "model.npz"
    model.write_bytes(b"PK\x03\x04 broken")
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "Jets were scrambled."}\n', encoding="utf-8")
    assert main(["analyze", str(source), "--model", str(model)]) == 2
    assert f"{model}: corrupt model file" in capsys.readouterr().err


def test_the_shipped_model_loads_small_with_its_cv_figures(taxonomy):
    bundle = load_bundle(SHIPPED_MODEL, taxonomy)
    assert SHIPPED_MODEL.stat().st_size < 10_000_000
    cv = bundle.manifest["cv"]
    assert cv["grouped_by"] == "source" and cv["folds"] == 5
    assert set(cv["themes"]) == {"deterrence", "air_defence", "migration", "belarus"}
    assert 0.0 <= cv["macro_f1"] <= 1.0 and 0.0 <= cv["claims"]["f1"] <= 1.0
    assert bundle.manifest["training_size"] == len(bundle.manifest["training_texts"])


@pytest.mark.skipif(not (CORPUS / "train.jsonl").exists(), reason=f"no labelled corpus beside this checkout ({CORPUS})")
def test_the_shipped_model_is_the_one_make_train_builds(taxonomy):
    """Trained on exactly ../shared/corpus: `make train` would rebuild this file, not another."""
    bundle = load_bundle(SHIPPED_MODEL, taxonomy)
    records = training.read_labelled(training_files())
    assert bundle.manifest["training_size"] == len(records)
    assert bundle.manifest["training_texts"] == sorted({training.text_hash(r["title"], r["text"]) for r in records})
    assert bundle.manifest["created_from"] == [p.name for p in training_files()]


def test_cross_validation_never_puts_an_outlet_in_training_and_test(records, taxonomy, monkeypatch):
    real_fit = training.fit_models
    real_predict = training.predict_records
    seen: list[set[str]] = []

    def fit(fold_records, **kwargs):
        seen.append({r["source"] for r in fold_records})
        return real_fit(fold_records, **kwargs)

    def predict(themes, spending, fold_records):
        assert not seen[-1] & {r["source"] for r in fold_records}
        return real_predict(themes, spending, fold_records)

    monkeypatch.setattr(training, "fit_models", fit)
    monkeypatch.setattr(training, "predict_records", predict)
    report = training.cross_validate(records, taxonomy=taxonomy, folds=5)
    assert len(seen) == 5 and report.n_sources == 5 and report.folds == 5
    assert report.themes.n == 60
    assert report.claims.prf.tp + report.claims.prf.fn == sum(len(r["claims"]) for r in records)
    text = report.format()
    assert "5 folds grouped by source" in text and "macro-F1" in text and "actor agrees" in text


def test_a_fold_trained_on_a_share_keeps_whole_sources_and_predicts_every_record(records, taxonomy, monkeypatch):
    """The learning curve's points: each fold learns from a seeded share of its training sources."""
    real_fit = training.fit_models
    trained: list[set[str]] = []
    monkeypatch.setattr(training, "fit_models",
                        lambda fold_records, **kw: trained.append({r["source"] for r in fold_records})
                        or real_fit(fold_records, **kw))
    full = training.cross_validate(records, taxonomy=taxonomy, folds=5)
    every = list(trained)
    half = training.cross_validate(records, taxonomy=taxonomy, folds=5, train_fraction=0.5, sample_seed=1)
    halves = trained[5:]
    for all_sources, some in zip(every, halves):  # 4 training sources per fold: 2 of them
        assert len(all_sources) == 4 and len(some) == 2 and some < all_sources
    assert half.themes.n == full.themes.n == 60  # every record still predicted once
    assert half.training_articles < full.training_articles
    training.cross_validate(records, taxonomy=taxonomy, folds=5, train_fraction=0.5, sample_seed=1)
    assert trained[10:] == halves  # the same draw for the same seed
    with pytest.raises(training.TrainingError, match="share of training sources"):
        training.cross_validate(records, taxonomy=taxonomy, train_fraction=0)


def test_the_learning_curve_ends_at_the_plain_cross_validation(records, taxonomy):
    curve = training.learning_curve(records, taxonomy=taxonomy, folds=3, fractions=(0.5, 1.0), draws=2)
    plain = training.cross_validate(records, taxonomy=taxonomy, folds=3)
    assert [p.draws for p in curve] == [2, 1]
    assert curve[0].training_articles < curve[1].training_articles == plain.training_articles
    assert (curve[1].macro_f1, curve[1].exact, curve[1].claims_f1) == (
        plain.themes.macro_f1, plain.themes.exact_accuracy, plain.claims.prf.f1)
    table = training.format_curve(curve)
    assert "share  training articles  themes macro-F1  exact sets  claims F1" in table
    assert f"{plain.themes.macro_f1:15.3f}" in table.splitlines()[-1]


def test_evaluate_cv_and_train_on_the_command_line(tmp_path, capsys):
    from analysis.cli import main

    assert main(["evaluate", "--cv", "--folds", "3", "-q", str(WRITTEN)]) == 0
    out = capsys.readouterr().out
    assert "Cross-validation: 3 folds grouped by source (60 labelled articles from 5 sources" in out
    for theme in ("deterrence", "air_defence", "belarus"):
        assert f"  {theme}" in out
    assert "scored by the lexicon's rules: migration" in out  # 8 labelled articles: too few to learn
    assert "Spending claims" in out and "actor agrees on" in out
    assert main(["evaluate", "--curve", "-q", str(WRITTEN)]) == 2
    assert "give --cv too" in capsys.readouterr().err
    model = tmp_path / "model.npz"
    assert main(["train", "-q", "--folds", "2", "-o", str(model), str(WRITTEN)]) == 0
    assert "trained on 60 labelled articles; cross-validated (2 folds by source)" in capsys.readouterr().out
    assert load_bundle(model, load_taxonomy()).manifest["cv"]["folds"] == 2


def test_training_refuses_too_little_or_missing_data(tmp_path, capsys, taxonomy, records):
    from analysis.cli import main

    with pytest.raises(training.TrainingError, match="at least 20"):
        training.train_bundle(records[:5], taxonomy=taxonomy, created_from=[])
    assert main(["train", str(tmp_path / "absent.jsonl"), "-o", str(tmp_path / "m.npz")]) == 2
    assert "absent.jsonl: no such file" in capsys.readouterr().err
    assert not (tmp_path / "m.npz").exists()


def test_an_accepted_model_is_the_stores_model_until_deactivated(bundle, taxonomy, tmp_path):
    with Store.open(tmp_path / "s.duckdb") as store:
        shipped = active_bundle(store, taxonomy)
        assert shipped.version == load_bundle(SHIPPED_MODEL, taxonomy).version
        assert activate(store, bundle) == bundle.version
        assert active_bundle(store, taxonomy).version == bundle.version
        assert _scores(active_bundle(store, taxonomy)) == _scores(bundle)
        deactivate(store)
        assert active_bundle(store, taxonomy).version == shipped.version


def test_a_correction_survives_reanalysis_and_retraining(taxonomy, tmp_path, monkeypatch):
    """The analyst's word outlives `analyze --all` and a retrained model, and is trained on."""
    from analysis.corrections import Correction, correction_records, record_correction
    from analysis.ingest.runner import ingest_paths
    from analysis.pipeline import analyze_store

    export = tmp_path / "export.jsonl"
    export.write_text(json.dumps({"url": "https://example.test/jets", "title": "Jets scrambled over the Baltic",
                                  "text": DOCUMENTS[0][1], "published": "2024-05-02"}) + "\n", encoding="utf-8")
    monkeypatch.setenv("FLANKWATCH_TRAINING", str(WRITTEN))
    with Store.open(tmp_path / "s.duckdb") as store:
        ingest_paths(store, [export])
        analyze_store(store, progress=False)
        (item_id,) = store.query_df("SELECT id FROM items")["id"]
        assigned = store.query_df(
            "SELECT theme FROM item_themes WHERE assigned AND item_id = ?", [item_id])["theme"].tolist()
        assert "air_defence" in assigned
        record_correction(store, Correction(item_id=item_id, target="theme", theme="air_defence", action="reject"))
        retrained = training.retrain(store, taxonomy=taxonomy, folds=0)
        assert retrained.manifest["created_from"] == ["written.jsonl", "corrections: 1"]
        assert retrained.manifest["training_size"] == 61
        (corrected,) = correction_records(store)
        assert "air_defence" not in corrected["themes"]
        activate(store, retrained)
        analyze_store(store, redo_all=True, progress=False)
        after = store.query_df("SELECT theme FROM item_themes WHERE assigned AND item_id = ?", [item_id])
        assert "air_defence" not in after["theme"].tolist()
        assert store.query_df("SELECT model_version FROM analysed")["model_version"].tolist() == [retrained.version]


def test_theme_changes_counts_items_whose_themes_differ(bundle, taxonomy, tmp_path):
    from analysis.ingest.runner import ingest_paths

    export = tmp_path / "export.jsonl"
    export.write_text("".join(json.dumps({"url": f"https://example.test/{i}", "title": t, "text": x}) + "\n"
                              for i, (t, x) in enumerate(DOCUMENTS)), encoding="utf-8")
    with Store.open(tmp_path / "s.duckdb") as store:
        ingest_paths(store, [export])
        shipped = load_bundle(SHIPPED_MODEL, taxonomy)
        assert training.theme_changes(store, shipped, shipped) == 0
        expected = sum({s.theme for s in a if s.assigned} != {s.theme for s in b if s.assigned}
                       for a, b in zip(shipped.themes.predict(DOCUMENTS), bundle.themes.predict(DOCUMENTS)))
        assert training.theme_changes(store, shipped, bundle) == expected


def test_corrected_articles_are_labelled_for_the_files_themes_and_the_corrected_ones(records, taxonomy):
    """A correction of a theme outside the labelled files' scope labels that theme on that article only."""
    corrected = {**records[0], "id": "c1", "source": "corrections", "themes": ["deterrence", "hybrid_cyber"],
                 "corrected_themes": ["hybrid_cyber"], "text": "A new text an analyst corrected."}
    combined = training.with_corrections(records, [corrected])
    assert combined[-1]["label_scope"] == ["air_defence", "belarus", "deterrence", "hybrid_cyber", "migration"]
    assert all(r["label_scope"] == ["air_defence", "belarus", "deterrence", "migration"] for r in combined[:-1])
    figures = training.scoped_theme_figures(combined, [{"hybrid_cyber", "deterrence"}] * len(combined),
                                            ("deterrence", "hybrid_cyber"))
    assert figures.per_theme["hybrid_cyber"].tp == 1 and figures.per_theme["hybrid_cyber"].fp == 0

"""Topic discovery: clusters, labels, theme mapping, stable ids, the 2-D map; the stored model that keeps
topics put as items arrive; refits matched to the old topics; the command and the Topics page's button."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest

from analysis.themes import load_taxonomy
from analysis.topics import (
    ITEM_TOPIC_COLUMNS, MODEL_ARRAYS, TOPIC_COLUMNS, TopicModel, TopicModelError, TopicSettings, choose_topic_count,
    discover_topics, match_topics, refresh_topics, stored_topics,
)

# Three stories told many ways, written for these tests: migrants at the border, an air-policing
# rotation, and a basketball league (a topic none of the themes is about).
MIGRATION = [
    "Border guards turned back {n} migrants at the Belarus border near {place}.",
    "{n} migrants tried to cross the border fence near {place}; border guards stopped them.",
    "Asylum seekers camped at the border near {place}; guards counted {n} migrants.",
]
AIR = [
    "Fighter jets of the air policing mission were scrambled {n} times from {place}.",
    "Air policing jets intercepted a Russian aircraft {n} times near {place}; radar tracked it.",
    "The air policing detachment at {place} scrambled its fighter jets {n} times this month.",
]
BASKETBALL = [
    "Zalgiris beat Rytas {n} points to win the basketball league final in {place}.",
    "The basketball league playoff in {place} drew {n} fans; Zalgiris scored late points.",
    "Basketball fans in {place} watched Zalgiris win by {n} points in the league game.",
]
PLACES = ["Vilnius", "Kaunas", "Riga", "Tallinn", "Narva", "Daugavpils"]


def corpus() -> pd.DataFrame:
    rows = []
    for name, templates in (("mig", MIGRATION), ("air", AIR), ("bball", BASKETBALL)):
        for i in range(12):
            text = templates[i % 3].format(n=10 + i, place=PLACES[i % len(PLACES)])
            rows.append({"id": f"{name}-{i:02d}", "kind": "article", "title": "", "text": text})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


@pytest.fixture(scope="module")
def fitted(taxonomy):
    return discover_topics(corpus(), taxonomy=taxonomy, settings=TopicSettings(n_topics=3))


def test_frames_have_the_store_columns(fitted):
    topics, item_topics = fitted
    assert list(topics.columns) == list(TOPIC_COLUMNS)
    assert list(item_topics.columns) == list(ITEM_TOPIC_COLUMNS)
    assert len(item_topics) == len(corpus())
    assert sorted(topics["topic_id"]) == [1, 2, 3]
    assert topics["size"].sum() == len(corpus())


def test_each_story_is_one_topic(fitted):
    _, item_topics = fitted
    by_story = item_topics.assign(story=item_topics["item_id"].str.split("-").str[0]).groupby("story")["topic_id"]
    assert by_story.nunique().to_dict() == {"air": 1, "bball": 1, "mig": 1}
    assert by_story.first().nunique() == 3


def test_topics_are_labelled_and_mapped_to_themes(fitted):
    topics, item_topics = fitted
    by_theme = {row.nearest_theme if not row.emerging else "emerging": row for row in topics.itertuples()}
    assert set(by_theme) == {"migration", "air_defence", "emerging"}
    assert "migrants" in by_theme["migration"].top_terms
    assert "basketball" in by_theme["emerging"].top_terms or "zalgiris" in by_theme["emerging"].top_terms
    assert by_theme["emerging"].label.count(" / ") == 2
    for row in topics.itertuples():
        members = set(item_topics.loc[item_topics["topic_id"] == row.topic_id, "item_id"])
        assert 1 <= len(row.representative_ids) <= 3
        assert set(row.representative_ids) <= members
        assert 0.0 <= row.theme_similarity <= 1.0


def test_topic_ids_are_ordered_by_size_then_label(taxonomy):
    frame = corpus()
    frame = frame[~frame["id"].isin([f"bball-{i:02d}" for i in range(4)])]  # basketball: 8 items
    topics, _ = discover_topics(frame, taxonomy=taxonomy, settings=TopicSettings(n_topics=3))
    assert list(topics["size"]) == [12, 12, 8]
    assert topics.loc[0, "label"] < topics.loc[1, "label"]
    assert topics.loc[2, "emerging"]


def test_unchanged_corpus_gives_the_same_topics_and_map(taxonomy, fitted):
    shuffled = corpus().sample(frac=1.0, random_state=5)
    topics, item_topics = discover_topics(shuffled, taxonomy=taxonomy, settings=TopicSettings(n_topics=3))
    before_topics, before_items = fitted
    assert topics.drop(columns="fitted_at").equals(before_topics.drop(columns="fitted_at"))
    assert item_topics.sort_values("item_id").reset_index(drop=True).equals(
        before_items.sort_values("item_id").reset_index(drop=True))


def test_map_coordinates_separate_the_stories(fitted):
    _, item_topics = fitted
    centres = item_topics.assign(story=item_topics["item_id"].str.split("-").str[0]).groupby("story")[["x", "y"]].mean()
    spread = item_topics[["x", "y"]].std().sum()
    distances = [abs(centres.iloc[i] - centres.iloc[j]).sum() for i in range(3) for j in range(i + 1, 3)]
    assert min(distances) > 0.5 * spread


def test_too_few_items_give_no_topics(taxonomy):
    topics, item_topics = discover_topics(corpus().head(3), taxonomy=taxonomy)
    assert topics.empty and item_topics.empty
    assert list(topics.columns) == list(TOPIC_COLUMNS)


def test_items_without_words_give_no_topics(taxonomy):
    frame = pd.DataFrame({"id": list("abcde"), "title": [""] * 5, "text": ["2024", "", "3", "", "1 2"]})
    topics, _ = discover_topics(frame, taxonomy=taxonomy)
    assert topics.empty


@pytest.mark.parametrize("n, k", [(4, 2), (200, 10), (1800, 30), (100_000, 30)])
def test_choose_topic_count(n, k):
    assert choose_topic_count(n) == k


# -- the persistent model: assign, store, refit -------------------------------------------------------

# A fourth story for the growth and refit tests: floods, which none of the others is about.
FLOODS = [
    "The river flooded {n} houses in {place} after heavy rain; rescuers pumped water from cellars.",
    "Heavy rain flooded {n} streets in {place}; the river rose and rescuers evacuated houses.",
    "Rescuers in {place} sandbagged the river bank as heavy rain flooded {n} cellars.",
]


def story_rows(name: str, templates: list[str], numbers: range, *, prefix: str = "") -> list[dict]:
    return [{"url": f"https://example.test/{prefix}{name}-{i:02d}", "title": "",
             "text": templates[i % 3].format(n=10 + i, place=PLACES[i % len(PLACES)])} for i in numbers]


def three_stories(numbers: range = range(12), *, prefix: str = "") -> list[dict]:
    return [row for name, templates in (("mig", MIGRATION), ("air", AIR), ("bball", BASKETBALL))
            for row in story_rows(name, templates, numbers, prefix=prefix)]


def ingest_rows(store, folder, rows: list[dict], name: str) -> None:
    from analysis.ingest.runner import ingest_paths

    path = folder / name
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    report = ingest_paths(store, [path], progress=False)
    assert not report.failures


def analyse(store) -> str:
    from analysis.pipeline import analyze_store

    return analyze_store(store, redo_all=False, themes_path=None, progress=False)


def story_of(store) -> pd.DataFrame:
    """item_topics with each item's story (mig, air, bball, flood) from its URL."""
    frame = store.query_df("SELECT i.url, it.topic_id, it.x, it.y FROM item_topics it JOIN items i ON i.id = it.item_id")
    return frame.assign(story=frame["url"].str.extract(r"/(?:new-)?([a-z]+)-\d+$")[0])


def model_row(store) -> tuple:
    return store.connection.execute("SELECT fitted_at, manifest, arrays FROM topic_model").fetchall()


TOPIC_FACTS = ["topic_id", "label", "top_terms", "representative_ids", "nearest_theme", "emerging", "fitted_at"]


@pytest.fixture()
def story_store(tmp_path):
    from analysis.store import Store

    with Store.open(tmp_path / "topics.duckdb") as store:
        ingest_rows(store, tmp_path, three_stories(), "stories.jsonl")
        yield store


@pytest.fixture()
def model(taxonomy):
    return TopicModel(TopicSettings(n_topics=3)).fit(corpus(), taxonomy=taxonomy)


def test_assigning_the_training_items_gives_their_fitted_topics_and_places(model):
    assigned = model.assign(corpus())
    fitted = model.item_topics_.set_index("item_id").loc[assigned["item_id"]].reset_index()
    pd.testing.assert_frame_equal(assigned, fitted)


def test_new_items_go_to_their_story_topic(model):
    new = pd.DataFrame([{"id": "n1", "title": "", "text": "Border guards stopped 40 migrants near Lazdijai."},
                        {"id": "n2", "title": "", "text": "Air policing fighter jets scrambled again from Šiauliai."},
                        {"id": "n3", "title": "", "text": "Zalgiris won the basketball league game by 3 points."}])
    assigned = model.assign(new).set_index("item_id")["topic_id"]
    topic_of_story = model.item_topics_.assign(story=model.item_topics_["item_id"].str[:3]).groupby("story")[
        "topic_id"].first()
    assert assigned.to_dict() == {"n1": topic_of_story["mig"], "n2": topic_of_story["air"],
                                  "n3": topic_of_story["bba"]}


def test_model_round_trips_through_npz_without_pickle(model):
    blob = model.to_npz()
    with np.load(io.BytesIO(blob), allow_pickle=False) as arrays:
        assert sorted(arrays.files) == sorted(MODEL_ARRAYS)
        assert arrays["vocabulary"].dtype.kind == "U"
        assert all(arrays[name].dtype != object for name in arrays.files)
        assert arrays["topic_ids"].tolist() == [1, 2, 3]
    manifest = json.loads(json.dumps(model.manifest()))
    assert manifest["format"] == 1 and manifest["n_items"] == 36 and manifest["next_topic_id"] == 4
    assert set(manifest["versions"]) == {"numpy", "scikit-learn"} and len(manifest["corpus_sha256"]) == 64
    loaded = TopicModel.from_npz(blob, json.dumps(manifest))
    pd.testing.assert_frame_equal(loaded.assign(corpus()), model.assign(corpus()))


@pytest.mark.parametrize("blob, manifest_change, message", [
    (b"not an npz file", {}, "cannot be read"),
    (None, {"format": 99}, "format 99 is not 1"),
])
def test_an_unusable_stored_model_is_refused_with_what_to_do(model, blob, manifest_change, message):
    with pytest.raises(TopicModelError, match=message) as error:
        TopicModel.from_npz(blob or model.to_npz(), {**model.manifest(), **manifest_change})
    assert "flankwatch topics --refit" in str(error.value)


def test_a_fit_is_deterministic(taxonomy, model):
    again = TopicModel(TopicSettings(n_topics=3)).fit(corpus().sample(frac=1.0, random_state=3), taxonomy=taxonomy)
    for name in ("vocabulary_", "idf_", "components_", "centroids_", "map_mean_", "map_components_", "topic_ids_"):
        np.testing.assert_array_equal(getattr(again, name), getattr(model, name))


@pytest.mark.parametrize("old, new, min_similarity, expected", [
    # new 10 holds two of old 1's three items; new 11 holds old 2 whole plus one of old 1's
    ("aaabbb", "xxyyyy", 0.3, [(10, 1, 0.6667), (11, 2, 0.75)]),
    ("aaabbb", "xxyyyy", 0.7, [(11, 2, 0.75)]),
    # one to one: old 1 is the nearest old topic of new 10 and 11, but only 10 gets it
    ("aaaabb", "xxxyzz", 0.2, [(10, 1, 0.75), (12, 2, 1.0)]),
    ("aaaaaa", "xyzxyz", 0.5, []),
])
def test_match_topics_pairs_by_item_overlap(old, new, min_similarity, expected):
    ids = {"a": 1, "b": 2, "x": 10, "y": 11, "z": 12}
    frame = lambda codes: pd.DataFrame({"item_id": [f"i{n}" for n in range(len(codes))],  # noqa: E731
                                        "topic_id": [ids[c] for c in codes]})
    pairs = match_topics(frame(old), frame(new), min_similarity=min_similarity)
    assert list(pairs.itertuples(index=False, name=None)) == expected


def test_analysing_new_items_keeps_topic_ids_and_labels(story_store, tmp_path):
    assert analyse(story_store).endswith("; 4 topics (1 emerging)")
    before = stored_topics(story_store)
    placed_before = story_of(story_store)
    stored = model_row(story_store)
    ingest_rows(story_store, tmp_path, three_stories(range(12, 14), prefix="new-"), "more.jsonl")
    summary = analyse(story_store)
    assert "6 new items assigned to the existing 4 topics" in summary
    after = stored_topics(story_store)
    pd.testing.assert_frame_equal(after[TOPIC_FACTS], before[TOPIC_FACTS])
    assert model_row(story_store) == stored
    placed = story_of(story_store)
    assert len(placed) == 42
    pd.testing.assert_frame_equal(placed.merge(placed_before[["url"]]).sort_values("url").reset_index(drop=True),
                                  placed_before.sort_values("url").reset_index(drop=True))
    new = placed[placed["url"].str.contains("/new-")]
    topic_of_url = dict(zip(placed_before["url"], placed_before["topic_id"]))
    # new item 12 (13) is told like old item 00 (01), so it joins that item's topic
    twin = new["url"].str.replace("/new-", "/").str.replace("-12", "-00").str.replace("-13", "-01")
    assert new["topic_id"].tolist() == [topic_of_url[url] for url in twin]
    assert new[["x", "y"]].notna().all().all()
    sizes = placed.groupby("topic_id").size()
    assert dict(zip(after["topic_id"], after["size"])) == sizes.to_dict()


def test_analyze_all_does_not_refit(story_store):
    from analysis.pipeline import analyze_store

    analyse(story_store)
    before, stored = stored_topics(story_store), model_row(story_store)
    summary = analyze_store(story_store, redo_all=True, themes_path=None, progress=False)
    assert summary.startswith("analysed 36 items") and summary.endswith("topics unchanged")
    pd.testing.assert_frame_equal(stored_topics(story_store), before)
    assert model_row(story_store) == stored


def test_a_store_without_a_model_gets_one_fitted_once_keeping_its_topics(story_store):
    analyse(story_store)
    # a store from before models were stored: topics with their own ids and labels, no model
    story_store.connection.execute("DELETE FROM topic_model")
    story_store.connection.execute("UPDATE topics SET topic_id = topic_id + 40, label = 'legacy ' || label")
    story_store.connection.execute("UPDATE item_topics SET topic_id = topic_id + 40")
    legacy = stored_topics(story_store)
    summary = analyse(story_store)
    assert summary.endswith("topics refitted (no topic model stored yet): 4 topics (1 emerging); "
                            "4 kept, 0 new, 0 retired")
    after = stored_topics(story_store)
    assert after[["topic_id", "label"]].equals(legacy[["topic_id", "label"]])
    assert len(model_row(story_store)) == 1
    assert json.loads(model_row(story_store)[0][1])["next_topic_id"] == 45
    assert analyse(story_store).endswith("topics unchanged")


def test_refit_keeps_matched_ids_and_counts_new_and_retired(story_store, tmp_path, taxonomy):
    three = TopicSettings(n_topics=3)
    first = refresh_topics(story_store, story_store.all_items_for_topics(), taxonomy=taxonomy, settings=three)
    assert (first.action, first.topics) == ("fitted", 3)
    old = stored_topics(story_store).set_index("topic_id")
    old_topic_of = story_of(story_store).groupby("story")["topic_id"].first()
    ingest_rows(story_store, tmp_path, story_rows("flood", FLOODS, range(12)), "floods.jsonl")
    assert analyse(story_store).endswith("12 new items assigned to the existing 3 topics")

    grown = refresh_topics(story_store, story_store.all_items_for_topics(), taxonomy=taxonomy, refit=True,
                           settings=TopicSettings(n_topics=4))
    assert (grown.kept, grown.new, grown.retired) == (3, 1, 0)
    assert grown.summary() == "topics refitted: 4 topics (2 emerging); 3 kept, 1 new, 0 retired"
    now = stored_topics(story_store).set_index("topic_id")
    assert sorted(now.index) == [1, 2, 3, 4]
    assert now.loc[[1, 2, 3], "label"].equals(old["label"])
    placed = story_of(story_store).groupby("story")["topic_id"].agg(set)
    assert {s: placed[s] for s in ("mig", "air", "bball")} == {s: {old_topic_of[s]} for s in ("mig", "air", "bball")}
    assert placed["flood"] == {4}
    assert grown.changes["status"].tolist() == ["kept", "kept", "kept", "new"]
    flood = grown.changes.set_index("topic_id").loc[4]
    assert pd.isna(flood["items_before"]) and flood["items_after"] == 12

    merged = refresh_topics(story_store, story_store.all_items_for_topics(), taxonomy=taxonomy, refit=True,
                            settings=TopicSettings(n_topics=2))
    assert (merged.kept, merged.new, merged.retired, merged.topics) == (2, 0, 2, 2)
    retired = set(merged.changes.loc[merged.changes["status"] == "retired", "topic_id"])
    again = refresh_topics(story_store, story_store.all_items_for_topics(), taxonomy=taxonomy, refit=True,
                           settings=TopicSettings(n_topics=4))
    fresh = set(again.changes.loc[again.changes["status"] == "new", "topic_id"])
    assert again.new == 2 and fresh == {5, 6} and not fresh & retired  # retired ids are never reused


def test_cli_lists_and_refits_topics(story_store, capsys):
    from analysis.cli import main

    analyse(story_store)
    labels = stored_topics(story_store)["label"].tolist()
    db = str(story_store.path)
    story_store.close()
    assert main(["topics", "--db", db]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split("  ")[-1] for line in out[:-1]] == labels
    assert out[-1] == "4 topics; `flankwatch topics --refit` fits them again"
    assert main(["topics", "--refit", "--db", db]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "topics refitted: 4 topics (1 emerging); 4 kept, 0 new, 0 retired"
    assert [line.split()[0] for line in out[:-1]] == ["kept"] * 4


def test_cli_topics_on_a_missing_store_is_an_error(tmp_path, capsys):
    from analysis.cli import main

    missing = tmp_path / "none.duckdb"
    assert main(["topics", "--db", str(missing)]) == 2
    assert capsys.readouterr().err.strip() == f"error: {missing}: no store here yet; run `flankwatch ingest` first"


def test_topics_page_refit_button_shows_what_changed(story_store, tmp_path, monkeypatch):
    from dashboard_fixtures import app_test, assert_clean

    analyse(story_store)
    ingest_rows(story_store, tmp_path, story_rows("flood", FLOODS, range(12)), "floods.jsonl")
    analyse(story_store)
    before = stored_topics(story_store)
    db = story_store.path
    story_store.close()
    at = app_test(db, monkeypatch, page="views/topics.py")
    assert_clean(at)
    assert not at.success
    at.button(key="topics_refit").click().run()
    assert_clean(at)
    (message,) = [s.value.replace("\\", "") for s in at.success]  # shown Markdown-escaped
    assert message.startswith("topics refitted: ") and " kept, " in message
    changes = next(d.value for d in at.dataframe if "status" in d.value.columns)
    kept = changes[changes["status"] == "kept"]
    assert len(kept) >= 3
    assert kept.set_index("topic_id")["label"].to_dict() == \
        before.set_index("topic_id").loc[kept["topic_id"], "label"].to_dict()
    shown = next(d.value for d in at.dataframe if "terms" in d.value.columns)
    assert len(shown) == len(changes[changes["status"] != "retired"])

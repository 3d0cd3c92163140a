"""Topic discovery: clusters, labels, theme mapping, stable ids, the 2-D map."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.themes import load_taxonomy
from analysis.topics import ITEM_TOPIC_COLUMNS, TOPIC_COLUMNS, TopicSettings, choose_topic_count, discover_topics

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

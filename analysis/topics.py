"""Unsupervised discovery of topics: what the corpus talks about, named or not.

The recipe is scikit-learn's document-clustering example: TF-IDF -> TruncatedSVD + Normalizer
(latent semantic analysis) -> KMeans. Each topic is labelled by its top terms (the centroid
mapped back through the SVD) and its most central items, and is compared with the named themes:
it is mapped to the nearest one, or marked emerging when it resembles none of them.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np
import pandas as pd

from analysis.themes import Taxonomy, fold_text

TOPIC_COLUMNS = ("topic_id", "label", "top_terms", "representative_ids", "nearest_theme", "theme_similarity",
                 "emerging", "size", "fitted_at")
ITEM_TOPIC_COLUMNS = ("item_id", "topic_id", "x", "y")

@dataclass(frozen=True, slots=True)
class TopicSettings:
    """Knobs of the topic model; the defaults suit a few hundred to a few hundred thousand items."""

    n_topics: int | None = None  # None: about sqrt(items / 2), between 2 and 30
    n_components: int = 100  # LSA dimensions
    top_terms: int = 8
    representatives: int = 3
    emerging_below: float = 0.05  # cosine to the nearest theme's seed vector below which a topic is "emerging"
    random_state: int = 0
    max_fit_items: int = 20_000  # KMeans is fitted on a sample this large, then predicts all


def choose_topic_count(n_items: int) -> int:
    """About sqrt(n/2) topics: 10 for 200 items, 30 (the most a reader can take in) from 1,800."""
    return max(2, min(30, round(math.sqrt(n_items / 2))))


def discover_topics(items: pd.DataFrame, *, taxonomy: Taxonomy,
                    settings: TopicSettings = TopicSettings()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cluster items (columns id, title, text) into topics.

    Returns ``(topics, item_topics)`` in the store's column layout. Topic ids are ordered by size
    then label, and the fit is seeded, so re-analysing an unchanged corpus gives the same ids.
    Fewer than 4 items with words give no topics.
    """
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA, TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import Normalizer

    empty = (pd.DataFrame(columns=list(TOPIC_COLUMNS)), pd.DataFrame(columns=list(ITEM_TOPIC_COLUMNS)))
    if len(items) < 4:
        return empty
    items = items.sort_values("id", kind="stable").reset_index(drop=True)
    documents = [_document(title, text) for title, text in zip(items["title"], items["text"])]
    vectorizer = TfidfVectorizer(max_df=0.5, min_df=2 if len(items) >= 20 else 1, stop_words="english",
                                 sublinear_tf=True, ngram_range=(1, 2), max_features=100_000,
                                 token_pattern=r"(?u)\b[^\W\d_][\w'-]*[^\W_]\b", dtype=np.float32)
    try:
        tfidf = vectorizer.fit_transform(documents)
    except ValueError:  # no words survive (empty or numeric texts)
        return empty
    if tfidf.shape[1] < 3:
        return empty
    n_components = max(2, min(settings.n_components, tfidf.shape[1] - 1, len(items) - 1))
    svd = TruncatedSVD(n_components=n_components, random_state=settings.random_state)
    normalizer = Normalizer(copy=False)
    lsa = normalizer.fit_transform(svd.fit_transform(tfidf))

    n_topics = min(settings.n_topics or choose_topic_count(len(items)), len(items) - 1)
    kmeans = KMeans(n_clusters=n_topics, n_init=4, random_state=settings.random_state)
    if len(items) > settings.max_fit_items:
        sample = np.random.RandomState(settings.random_state).choice(len(items), settings.max_fit_items,
                                                                     replace=False)
        kmeans.fit(lsa[np.sort(sample)])
        labels = kmeans.predict(lsa)
    else:
        labels = kmeans.fit_predict(lsa)
    centroids = kmeans.cluster_centers_

    terms = vectorizer.get_feature_names_out()
    term_weights = svd.inverse_transform(centroids)
    centroid_unit = centroids / np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
    similarity = _unit_rows(term_weights) @ _theme_vectors(taxonomy, vectorizer).T

    clusters = []
    for cluster in range(n_topics):
        members = np.flatnonzero(labels == cluster)
        if not len(members):
            continue
        top = [str(terms[i]) for i in np.argsort(-term_weights[cluster])[: settings.top_terms]]
        closeness = lsa[members] @ centroid_unit[cluster]
        representatives = [str(items["id"].iat[members[i]])
                           for i in np.argsort(-closeness, kind="stable")[: settings.representatives]]
        best = int(np.argmax(similarity[cluster]))
        score = float(similarity[cluster, best])
        nearest = taxonomy.themes[best].key if score > 0 else None  # None: shares no term with any theme
        clusters.append({
            "cluster": cluster, "label": " / ".join(top[:3]), "top_terms": top,
            "representative_ids": representatives, "nearest_theme": nearest,
            "theme_similarity": round(score, 4), "emerging": score < settings.emerging_below,
            "size": int(len(members)),
        })
    clusters.sort(key=lambda c: (-c["size"], c["label"]))
    topic_of = {c["cluster"]: topic_id for topic_id, c in enumerate(clusters, start=1)}
    fitted_at = datetime.now(timezone.utc)
    topics = pd.DataFrame([
        {"topic_id": topic_of[c["cluster"]], **{k: v for k, v in c.items() if k != "cluster"},
         "fitted_at": fitted_at}
        for c in clusters
    ], columns=list(TOPIC_COLUMNS))

    xy = PCA(n_components=2, random_state=settings.random_state).fit_transform(lsa)
    item_topics = pd.DataFrame({
        "item_id": items["id"].astype(str).to_numpy(),
        "topic_id": [topic_of[int(c)] for c in labels],
        "x": np.round(xy[:, 0].astype(float), 5),
        "y": np.round(xy[:, 1].astype(float), 5),
    }, columns=list(ITEM_TOPIC_COLUMNS))
    return topics, item_topics


def _document(title: object, text: object) -> str:
    title = title if isinstance(title, str) else ""
    text = text if isinstance(text, str) else ""
    if text.strip() == title.strip():
        return title
    return f"{title}\n{text}" if title else text


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    matrix = np.maximum(np.asarray(matrix, dtype=float), 0.0)  # negative weights are SVD noise
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)


def _theme_vectors(taxonomy: Taxonomy, vectorizer) -> np.ndarray:
    """Each theme's seed vector: its seed and cue terms that are features of the corpus model.

    A term counts only whole ("defence league" is a bigram feature; it does not make "league"
    a deterrence word), a wildcard term counts every one-word feature it matches, and each is
    weighted by its role (seed 1, cue 0.5) and the feature's idf.
    """
    vocabulary = vectorizer.vocabulary_
    idf = vectorizer.idf_
    features = sorted(vocabulary)
    vectors = np.zeros((len(taxonomy), len(idf)))
    for row, theme in enumerate(taxonomy.themes):
        for terms, weight in ((theme.cue_terms, 0.5), (theme.seed_terms, 1.0)):
            for term in terms:
                folded = " ".join(fold_text(term).split())
                if folded.endswith("*"):
                    prefix = folded[:-1]
                    if " " in prefix:
                        continue
                    start = bisect_left(features, prefix)
                    for feature in features[start:]:
                        if not feature.startswith(prefix):
                            break
                        if " " not in feature:
                            column = vocabulary[feature]
                            vectors[row, column] = weight * idf[column]
                elif folded in vocabulary:
                    column = vocabulary[folded]
                    vectors[row, column] = weight * idf[column]
    return _unit_rows(vectors)

"""Unsupervised discovery of topics: what the corpus talks about, named or not.

The recipe is scikit-learn's document-clustering example: TF-IDF -> TruncatedSVD + Normalizer
(latent semantic analysis) -> KMeans. Each topic is labelled by its top terms (the centroid
mapped back through the SVD) and its most central items, and is compared with the named themes:
it is mapped to the nearest one, or marked emerging when it resembles none of them.

Topics stay put. The fitted model (vocabulary, idf, SVD components, centroids, the 2-D map
projection and the topic ids) is kept in the store's ``topic_model`` table as numpy ``.npz``
bytes, loaded without pickle. New items are transformed with it and join the nearest existing
topic; labels and ids do not move. Refitting is an explicit action (``flankwatch topics
--refit``, or the Topics page's button): the new topics are paired with the old ones by the
items they share (Hungarian assignment), so a matched topic keeps its id and label.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.store import ITEM_TOPIC_COLUMNS, TOPIC_COLUMNS
from analysis.themes import Taxonomy, fold_text
from analysis.wording import plural

CHANGE_COLUMNS = ("topic_id", "label", "status", "items_before", "items_after", "similarity", "top_terms")

MODEL_FORMAT = 1
MODEL_ARRAYS = ("vocabulary", "idf", "components", "centroids", "map_mean", "map_components", "topic_ids")
# How text becomes terms. A fitted vocabulary means something only when new text is read the same
# way, so these go into the model's manifest and a loaded model reads with its own.
ANALYZER: dict[str, Any] = {
    "lowercase": True,
    "stop_words": "english",
    "ngram_range": [1, 2],
    "token_pattern": r"(?u)\b[^\W\d_][\w'-]*[^\W_]\b",
}

ChangeStatus = Literal["kept", "new", "retired"]
UpdateAction = Literal["unchanged", "assigned", "fitted", "refitted"]


class TopicModelError(ValueError):
    """A stored topic model cannot be used; the message says why and what to do."""


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
    match_min_similarity: float = 0.3  # item-overlap Jaccard below which a refitted topic is new, not kept


def choose_topic_count(n_items: int) -> int:
    """About sqrt(n/2) topics: 10 for 200 items, 30 (the most a reader can take in) from 1,800."""
    return max(2, min(30, round(math.sqrt(n_items / 2))))


def _empty_topics() -> pd.DataFrame:
    return pd.DataFrame(columns=list(TOPIC_COLUMNS))


def _empty_item_topics() -> pd.DataFrame:
    return pd.DataFrame(columns=list(ITEM_TOPIC_COLUMNS))


class TopicModel:
    """The fitted topic model: everything needed to place a new document without refitting.

    ``fit`` learns the vocabulary, idf, SVD components, KMeans centroids and the 2-D map, and
    leaves the topics table rows in ``topics_`` and the training items' places in
    ``item_topics_``. ``assign`` places new items; ``to_npz``/``from_npz`` store and load the
    arrays (no pickle). A corpus with fewer than 4 items with words gives a model with no topics
    (``n_topics_ == 0``), which is not stored.
    """

    def __init__(self, settings: TopicSettings = TopicSettings()):
        self.settings = settings

    # -- fitting ----------------------------------------------------------------------------------

    def fit(self, items: pd.DataFrame, *, taxonomy: Taxonomy) -> "TopicModel":
        """Fit on items (columns id, title, text). Topic ids are 1.. by size, then label."""
        from sklearn.cluster import KMeans
        from sklearn.decomposition import PCA, TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        settings = self.settings
        self.analyzer_ = dict(ANALYZER)
        self.fitted_at_ = datetime.now(timezone.utc)
        self.n_items_ = int(len(items))
        self.corpus_sha256_ = corpus_hash(items["id"]) if "id" in items else corpus_hash([])
        self.topic_ids_ = np.empty(0, dtype=np.int64)
        self.topics_, self.item_topics_ = _empty_topics(), _empty_item_topics()
        if len(items) < 4:
            return self
        items = items.sort_values("id", kind="stable").reset_index(drop=True)
        documents = [_document(title, text) for title, text in zip(items["title"], items["text"])]
        vectorizer = TfidfVectorizer(max_df=0.5, min_df=2 if len(items) >= 20 else 1, sublinear_tf=True,
                                     max_features=100_000, dtype=np.float32, **_analyzer_kwargs(self.analyzer_))
        try:
            tfidf = vectorizer.fit_transform(documents)
        except ValueError:  # no words survive (empty or numeric texts)
            return self
        if tfidf.shape[1] < 3:
            return self
        n_components = max(2, min(settings.n_components, tfidf.shape[1] - 1, len(items) - 1))
        svd = TruncatedSVD(n_components=n_components, random_state=settings.random_state).fit(tfidf)
        components = np.asarray(svd.components_, dtype=np.float32)
        lsa = _reduce(tfidf, components)  # as transform() reads a new item, so a fit and an assign agree

        n_topics = min(settings.n_topics or choose_topic_count(len(items)), len(items) - 1)
        kmeans = KMeans(n_clusters=n_topics, n_init=4, random_state=settings.random_state)
        if len(items) > settings.max_fit_items:
            sample = np.random.RandomState(settings.random_state).choice(len(items), settings.max_fit_items,
                                                                         replace=False)
            kmeans.fit(lsa[np.sort(sample)])
        else:
            kmeans.fit(lsa)
        centroids = np.asarray(kmeans.cluster_centers_, dtype=np.float64)
        labels = _nearest(lsa, centroids)  # the same rule assign() uses, so a fit and an assign agree

        vocabulary = np.asarray(vectorizer.get_feature_names_out(), dtype=str)
        idf = np.asarray(vectorizer.idf_, dtype=np.float32)
        term_weights = centroids @ components
        centroid_unit = centroids / np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
        similarity = _unit_rows(term_weights) @ _theme_vectors(taxonomy, vectorizer.vocabulary_, idf).T

        clusters = []
        for cluster in range(n_topics):
            members = np.flatnonzero(labels == cluster)
            if not len(members):
                continue
            top = [str(vocabulary[i]) for i in np.argsort(-term_weights[cluster])[: settings.top_terms]]
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
        kept = [c["cluster"] for c in clusters]  # a cluster no item is nearest to is dropped with its centroid
        topic_of = {cluster: topic_id for topic_id, cluster in enumerate(kept, start=1)}

        pca = PCA(n_components=2, random_state=settings.random_state).fit(lsa)
        self.vocabulary_ = vocabulary
        self.idf_ = idf
        self.components_ = components
        self.centroids_ = centroids[kept]
        self.map_mean_ = np.asarray(pca.mean_, dtype=np.float64)
        self.map_components_ = np.asarray(pca.components_, dtype=np.float64)
        self.topic_ids_ = np.arange(1, len(kept) + 1, dtype=np.int64)
        self.topics_ = pd.DataFrame([
            {"topic_id": topic_of[c["cluster"]], **{k: v for k, v in c.items() if k != "cluster"},
             "fitted_at": self.fitted_at_}
            for c in clusters
        ], columns=list(TOPIC_COLUMNS))
        self.item_topics_ = self._placed(items["id"], lsa, np.array([topic_of[int(c)] for c in labels]))
        return self

    @property
    def n_topics_(self) -> int:
        return int(len(self.topic_ids_))

    # -- placing new items ------------------------------------------------------------------------

    def transform(self, items: pd.DataFrame) -> np.ndarray:
        """LSA coordinates (unit rows) of items (columns title, text), read with the fitted vocabulary."""
        from sklearn.feature_extraction.text import CountVectorizer
        from sklearn.preprocessing import normalize

        documents = [_document(title, text) for title, text in zip(items["title"], items["text"])]
        counter = CountVectorizer(vocabulary=self.vocabulary_.tolist(), dtype=np.float32,
                                  **_analyzer_kwargs(self.analyzer_))
        tfidf = counter.transform(documents).tocsr()
        # TfidfVectorizer(sublinear_tf=True, norm="l2") with the fitted idf, step by step
        np.log(tfidf.data, tfidf.data)
        tfidf.data += 1.0
        tfidf.data *= self.idf_[tfidf.indices]
        return _reduce(normalize(tfidf, norm="l2", copy=False), self.components_)

    def assign(self, items: pd.DataFrame) -> pd.DataFrame:
        """Each item's nearest existing topic and its place on the map (store's item_topics layout)."""
        if not self.n_topics_:
            raise TopicModelError("this topic model has no topics; refit it on a larger corpus")
        if not len(items):
            return _empty_item_topics()
        lsa = self.transform(items)
        return self._placed(items["id"], lsa, self.topic_ids_[_nearest(lsa, self.centroids_)])

    def _placed(self, ids: pd.Series, lsa: np.ndarray, topic_ids: np.ndarray) -> pd.DataFrame:
        xy = (lsa - self.map_mean_) @ self.map_components_.T
        return pd.DataFrame({
            "item_id": ids.astype(str).to_numpy(),
            "topic_id": np.asarray(topic_ids, dtype=np.int64),
            "x": np.round(xy[:, 0].astype(float), 5),
            "y": np.round(xy[:, 1].astype(float), 5),
        }, columns=list(ITEM_TOPIC_COLUMNS))

    def renumber(self, new_ids: Mapping[int, int], labels: Mapping[int, str], *, next_topic_id: int) -> None:
        """Give the topics other ids (old id -> new id) and some of them other labels (by new id)."""
        self.topic_ids_ = np.array([new_ids[int(t)] for t in self.topic_ids_], dtype=np.int64)
        topic_ids = [new_ids[int(t)] for t in self.topics_["topic_id"]]
        self.topics_ = self.topics_.assign(
            topic_id=topic_ids,
            label=[labels.get(t, label) for t, label in zip(topic_ids, self.topics_["label"])],
        )
        self.item_topics_ = self.item_topics_.assign(
            topic_id=np.array([new_ids[int(t)] for t in self.item_topics_["topic_id"]], dtype=np.int64))
        self.next_topic_id_ = next_topic_id

    # -- persistence --------------------------------------------------------------------------------

    def to_npz(self) -> bytes:
        """The arrays as .npz bytes (np.savez); every array is numeric or 'U' text, so no pickle."""
        if not self.n_topics_:
            raise TopicModelError("a topic model with no topics is not stored")
        buffer = io.BytesIO()
        np.savez(buffer, vocabulary=self.vocabulary_, idf=self.idf_, components=self.components_,
                 centroids=self.centroids_, map_mean=self.map_mean_, map_components=self.map_components_,
                 topic_ids=self.topic_ids_)
        return buffer.getvalue()

    def manifest(self) -> dict[str, Any]:
        """What the arrays are and where they came from: format, settings, training set, versions."""
        import sklearn

        return {
            "format": MODEL_FORMAT,
            "fitted_at": self.fitted_at_.isoformat(),
            "settings": asdict(self.settings),
            "analyzer": self.analyzer_,
            "n_items": self.n_items_,
            "corpus_sha256": self.corpus_sha256_,
            "topic_ids": [int(t) for t in self.topic_ids_],
            "next_topic_id": int(getattr(self, "next_topic_id_", int(self.topic_ids_.max(initial=0)) + 1)),
            "shapes": {"vocabulary": len(self.vocabulary_), "components": list(self.components_.shape),
                       "centroids": list(self.centroids_.shape)},
            "versions": {"numpy": np.__version__, "scikit-learn": sklearn.__version__},
        }

    @classmethod
    def from_npz(cls, data: bytes, manifest: Mapping[str, Any] | str) -> "TopicModel":
        """Load arrays written by ``to_npz`` with ``allow_pickle=False``; check they fit together."""
        if isinstance(manifest, str):
            manifest = json.loads(manifest)
        refit = "run `flankwatch topics --refit` to fit a new one"
        if manifest.get("format") != MODEL_FORMAT:
            raise TopicModelError(f"topic model format {manifest.get('format')!r} is not {MODEL_FORMAT}; {refit}")
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as npz:
                missing = [name for name in MODEL_ARRAYS if name not in npz.files]
                if missing:
                    raise TopicModelError(f"topic model arrays miss {', '.join(missing)}; {refit}")
                arrays = {name: npz[name] for name in MODEL_ARRAYS}
        except (OSError, ValueError) as exc:
            if isinstance(exc, TopicModelError):
                raise
            raise TopicModelError(f"topic model arrays cannot be read ({exc}); {refit}") from None
        known = {f.name for f in fields(TopicSettings)}
        model = cls(TopicSettings(**{k: v for k, v in manifest.get("settings", {}).items() if k in known}))
        model.analyzer_ = dict(manifest.get("analyzer", ANALYZER))
        model.fitted_at_ = datetime.fromisoformat(manifest["fitted_at"])
        model.n_items_ = int(manifest.get("n_items", 0))
        model.corpus_sha256_ = str(manifest.get("corpus_sha256", ""))
        model.next_topic_id_ = int(manifest.get("next_topic_id", int(arrays["topic_ids"].max(initial=0)) + 1))
        model.vocabulary_ = arrays["vocabulary"]
        model.idf_ = arrays["idf"]
        model.components_ = arrays["components"]
        model.centroids_ = arrays["centroids"]
        model.map_mean_ = arrays["map_mean"]
        model.map_components_ = arrays["map_components"]
        model.topic_ids_ = arrays["topic_ids"].astype(np.int64)
        model.topics_, model.item_topics_ = None, None  # the topics table holds them
        n_terms, n_dims = len(model.vocabulary_), model.components_.shape[1] if model.components_.ndim == 2 else -1
        consistent = (model.vocabulary_.dtype.kind == "U" and model.idf_.shape == (n_terms,)
                      and n_dims == n_terms and model.centroids_.ndim == 2
                      and model.centroids_.shape[1] == model.components_.shape[0]
                      and model.centroids_.shape[0] == len(model.topic_ids_) > 0
                      and model.map_components_.shape == (2, model.components_.shape[0])
                      and model.map_mean_.shape == (model.components_.shape[0],))
        if not consistent:
            raise TopicModelError(f"topic model arrays do not fit together; {refit}")
        return model


# -- the store: keep topics put, or refit and match ----------------------------------------------


@dataclass(frozen=True)
class TopicUpdate:
    """What an update of a store's topics did; ``changes`` (refits only) lists each topic's fate."""

    action: UpdateAction
    topics: int
    emerging: int
    assigned: int = 0
    kept: int = 0
    new: int = 0
    retired: int = 0
    reason: str = ""
    changes: pd.DataFrame | None = None

    def summary(self) -> str:
        counts = f"{plural(self.topics, 'topic', thousands=False)} ({self.emerging} emerging)"
        if self.action == "unchanged":
            return "topics unchanged"
        if self.action == "assigned":
            return (f"{plural(self.assigned, 'new item', thousands=False)} assigned to the existing "
                    f"{plural(self.topics, 'topic', thousands=False)}")
        if self.action == "fitted":
            return counts
        return (f"topics refitted{f' ({self.reason})' if self.reason else ''}: {counts}; "
                f"{self.kept} kept, {self.new} new, {self.retired} retired")


def refresh_topics(store, corpus: pd.DataFrame, *, taxonomy: Taxonomy, refit: bool = False,
                   settings: TopicSettings = TopicSettings()) -> TopicUpdate:
    """Place the corpus items that have no topic yet with the stored model; fit one when needed.

    ``corpus`` is the store's topic corpus (``store.all_items_for_topics()``). Without ``refit``
    the stored model places only the new items; a model is fitted only when the store has none
    (a new store, or one from before models were stored) or the one it has no longer matches the
    topics table. A fit over existing topics is matched to them, so matched topics keep ids and labels.
    """
    old_topics = stored_topics(store)
    reason = "requested"
    if not refit:
        model, reason = _stored_model(store, old_topics)
        if model is not None:
            placed = topic_assignments(store)
            new_items = corpus[~corpus["id"].astype(str).isin(placed["item_id"])]
            emerging = int(old_topics["emerging"].sum())
            if not len(new_items):
                return TopicUpdate("unchanged", topics=len(old_topics), emerging=emerging)
            item_topics = model.assign(new_items)
            _add_item_topics(store, item_topics)
            return TopicUpdate("assigned", topics=len(old_topics), emerging=emerging, assigned=len(item_topics))
    previous_next = _next_topic_id(read_topic_model(store))
    model = TopicModel(settings).fit(corpus, taxonomy=taxonomy)
    changes = _match_to_old(model, old_topics, topic_assignments(store), previous_next=previous_next,
                            min_similarity=settings.match_min_similarity)
    payload = (model.fitted_at_, json.dumps(model.manifest()), model.to_npz()) if model.n_topics_ else None
    store.write_topics(model.topics_, model.item_topics_, model=payload)
    emerging = int(model.topics_["emerging"].sum()) if model.n_topics_ else 0
    if old_topics.empty and not refit:
        return TopicUpdate("fitted", topics=model.n_topics_, emerging=emerging, changes=changes)
    status = changes["status"].value_counts()
    return TopicUpdate("refitted", topics=model.n_topics_, emerging=emerging, kept=int(status.get("kept", 0)),
                       new=int(status.get("new", 0)), retired=int(status.get("retired", 0)),
                       reason="" if refit else reason, changes=changes)


def update_topics(store, corpus: pd.DataFrame, *, taxonomy: Taxonomy, refit: bool = False,
                  settings: TopicSettings = TopicSettings()) -> str:
    """``refresh_topics`` as the one-line summary the analysis run prints."""
    return refresh_topics(store, corpus, taxonomy=taxonomy, refit=refit, settings=settings).summary()


def _stored_model(store, old_topics: pd.DataFrame) -> tuple[TopicModel | None, str]:
    """The stored model if it can place items for the current topics table, else (None, why not)."""
    stored = read_topic_model(store)
    if stored is None:
        return None, "no topic model stored yet"
    _, manifest, arrays = stored
    try:
        model = TopicModel.from_npz(arrays, manifest)
    except TopicModelError as exc:
        return None, f"stored topic model unusable: {exc}"
    if set(model.topic_ids_.tolist()) != set(old_topics["topic_id"].astype(int)):
        return None, "stored topic model did not match the topics table"
    return model, ""


def _next_topic_id(stored: tuple[datetime, str, bytes] | None) -> int:
    """The first id the stored model's lineage has not used (retired ids are not given out again)."""
    try:
        return int(json.loads(stored[1]).get("next_topic_id", 1)) if stored is not None else 1
    except (ValueError, TypeError, AttributeError):
        return 1


def match_topics(old: pd.DataFrame, new: pd.DataFrame, *, min_similarity: float) -> pd.DataFrame:
    """Pair new topics with old ones by the items they share, one to one (Hungarian assignment).

    ``old`` and ``new`` are item -> topic assignments (item_id, topic_id). Similarity is the
    Jaccard overlap of two topics' items, counted over the items both assignments place: two
    fits live in different SVD spaces, so their centroids cannot be compared directly, but the
    items are common ground. Returns the pairs at or above ``min_similarity``: columns
    new_topic_id, old_topic_id, similarity.
    """
    from scipy.optimize import linear_sum_assignment

    columns = ["new_topic_id", "old_topic_id", "similarity"]
    both = new[["item_id", "topic_id"]].merge(old[["item_id", "topic_id"]], on="item_id", suffixes=("_new", "_old"))
    if both.empty:
        return pd.DataFrame(columns=columns)
    new_ids = np.unique(both["topic_id_new"].astype(int))
    old_ids = np.unique(both["topic_id_old"].astype(int))
    shared = np.zeros((len(new_ids), len(old_ids)))
    np.add.at(shared, (np.searchsorted(new_ids, both["topic_id_new"].astype(int)),
                       np.searchsorted(old_ids, both["topic_id_old"].astype(int))), 1)
    union = shared.sum(axis=1, keepdims=True) + shared.sum(axis=0, keepdims=True) - shared
    jaccard = shared / np.maximum(union, 1)
    rows, cols = linear_sum_assignment(jaccard, maximize=True)
    pairs = [(int(new_ids[r]), int(old_ids[c]), round(float(jaccard[r, c]), 4))
             for r, c in zip(rows, cols) if jaccard[r, c] >= min_similarity]
    return pd.DataFrame(pairs, columns=columns)


def _match_to_old(model: TopicModel, old_topics: pd.DataFrame, old_items: pd.DataFrame, *,
                  previous_next: int, min_similarity: float) -> pd.DataFrame:
    """Renumber a fresh fit so matched topics keep their old id and label; report each topic's fate."""
    old_ids = set(old_topics["topic_id"].astype(int))
    pairs = match_topics(old_items, model.item_topics_, min_similarity=min_similarity)
    old_of = dict(zip(pairs["new_topic_id"], pairs["old_topic_id"]))
    similarity_of = dict(zip(pairs["new_topic_id"], pairs["similarity"]))
    next_id = max([previous_next, *(t + 1 for t in old_ids)])
    new_ids: dict[int, int] = {}
    for fitted_id in model.topics_["topic_id"].astype(int):  # by size, then label: new ids in that order
        if fitted_id in old_of:
            new_ids[fitted_id] = int(old_of[fitted_id])
        else:
            new_ids[fitted_id] = next_id
            next_id += 1
    old_label = dict(zip(old_topics["topic_id"].astype(int), old_topics["label"]))
    old_size = dict(zip(old_topics["topic_id"].astype(int), old_topics["size"].astype(int)))
    labels = {new_ids[f]: old_label[int(o)] for f, o in old_of.items()}
    similarity = {new_ids[f]: s for f, s in similarity_of.items()}
    if model.n_topics_:
        model.renumber(new_ids, labels, next_topic_id=next_id)
    rows = [
        {"topic_id": int(row.topic_id), "label": row.label, "status": "kept" if row.topic_id in old_ids else "new",
         "items_before": old_size.get(int(row.topic_id)), "items_after": int(row.size),
         "similarity": similarity.get(int(row.topic_id)), "top_terms": list(row.top_terms)}
        for row in model.topics_.itertuples()
    ]
    kept = {r["topic_id"] for r in rows}
    rows += [
        {"topic_id": int(row.topic_id), "label": row.label, "status": "retired", "items_before": int(row.size),
         "items_after": 0, "similarity": None, "top_terms": list(row.top_terms) if row.top_terms is not None else []}
        for row in old_topics.itertuples() if int(row.topic_id) not in kept
    ]
    order = {"kept": 0, "new": 1, "retired": 2}
    rows.sort(key=lambda r: (order[r["status"]], r["topic_id"]))
    return pd.DataFrame(rows, columns=list(CHANGE_COLUMNS))


# -- the store's topic tables (topics, item_topics, topic_model) --------------------------------------


def stored_topics(store) -> pd.DataFrame:
    """The topics table, by id."""
    return store.connection.execute(f"SELECT {', '.join(TOPIC_COLUMNS)} FROM topics ORDER BY topic_id").df()


def topic_assignments(store) -> pd.DataFrame:
    """Every placed item's topic (item_id, topic_id)."""
    return store.connection.execute("SELECT item_id, topic_id FROM item_topics ORDER BY item_id").df()


def read_topic_model(store) -> tuple[datetime, str, bytes] | None:
    """The stored topic model as (fitted_at, manifest JSON, .npz bytes), or None."""
    row = store.connection.execute(
        "SELECT fitted_at, manifest, arrays FROM topic_model ORDER BY fitted_at DESC LIMIT 1").fetchone()
    return None if row is None else (row[0], row[1], bytes(row[2]))


def _add_item_topics(store, item_topics: pd.DataFrame) -> None:
    """Place more items in the existing topics and recount the topics' sizes, atomically."""
    item_topics = item_topics.reindex(columns=list(ITEM_TOPIC_COLUMNS))
    with store.transaction() as con:
        con.register("new_item_topics", item_topics)
        con.execute("DELETE FROM item_topics WHERE item_id IN (SELECT item_id FROM new_item_topics)")
        con.execute(f"INSERT INTO item_topics SELECT {', '.join(ITEM_TOPIC_COLUMNS)} FROM new_item_topics")
        con.unregister("new_item_topics")
        con.execute("UPDATE topics SET size = coalesce("
                    "(SELECT count(*) FROM item_topics it WHERE it.topic_id = topics.topic_id), 0)")


# -- one-shot discovery -------------------------------------------------------------------------------


def discover_topics(items: pd.DataFrame, *, taxonomy: Taxonomy,
                    settings: TopicSettings = TopicSettings()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cluster items (columns id, title, text) into topics, without a store.

    Returns ``(topics, item_topics)`` in the store's column layout. Topic ids are ordered by size
    then label, and the fit is seeded, so fitting an unchanged corpus gives the same ids.
    Fewer than 4 items with words give no topics.
    """
    model = TopicModel(settings).fit(items, taxonomy=taxonomy)
    return model.topics_, model.item_topics_


def corpus_hash(ids) -> str:
    """SHA-256 of the sorted item ids: which training set a model was fitted on."""
    digest = hashlib.sha256()
    for item_id in sorted(str(i) for i in ids):
        digest.update(item_id.encode("utf-8") + b"\n")
    return digest.hexdigest()


def _analyzer_kwargs(analyzer: Mapping[str, Any]) -> dict[str, Any]:
    return {"lowercase": bool(analyzer["lowercase"]), "stop_words": analyzer["stop_words"],
            "ngram_range": tuple(analyzer["ngram_range"]), "token_pattern": analyzer["token_pattern"]}


def _reduce(tfidf, components: np.ndarray) -> np.ndarray:
    """TF-IDF rows -> LSA unit rows: the SVD projection, then Normalizer (zero rows stay zero)."""
    reduced = np.asarray(tfidf @ components.T, dtype=np.float64)
    return reduced / np.maximum(np.linalg.norm(reduced, axis=1, keepdims=True), 1e-12)


def _nearest(lsa: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Index of each row's nearest centroid by Euclidean distance, as KMeans.predict decides."""
    distances = (centroids * centroids).sum(axis=1)[None, :] - 2.0 * (lsa @ centroids.T)
    return np.argmin(distances, axis=1)


def _document(title: object, text: object) -> str:
    title = title if isinstance(title, str) else ""
    text = text if isinstance(text, str) else ""
    if text.strip() == title.strip():
        return title
    return f"{title}\n{text}" if title else text


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    matrix = np.maximum(np.asarray(matrix, dtype=float), 0.0)  # negative weights are SVD noise
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)


def _theme_vectors(taxonomy: Taxonomy, vocabulary: Mapping[str, int], idf: np.ndarray) -> np.ndarray:
    """Each theme's seed vector: its seed and cue terms that are features of the corpus model.

    A term counts only whole ("defence league" is a bigram feature; it does not make "league"
    a deterrence word), a wildcard term counts every one-word feature it matches, and each is
    weighted by its role (seed 1, cue 0.5) and the feature's idf.
    """
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

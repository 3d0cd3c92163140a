"""The learned theme model: per theme, a logistic regression fitted on labelled articles.

Rules propose, the model decides. For each article it reads three kinds of evidence:

1. Words: TF-IDF of word 1-2-grams of the whole article.
2. The lexicon's sentence evidence (analysis/themes.py): per taxonomy theme, how many sentences
   are about it, whether the title or the lead is, the strongest sentence, the passing mentions,
   and the rule score. These carry the labelling guide's "a full sentence about it" idea.
3. Sentences: a per-theme sentence classifier (TF-IDF over single sentences, trained on the
   sentences of labelled articles) whose strongest sentences in an article become features, so
   "one full sentence about X" can be learned without X's words. In training, each article's
   sentence features come from a sentence model that did not see the article's source
   (grouped out-of-fold), so the article model learns how far to trust them on unseen outlets.

A second, plainer opinion sits beside it: per theme, a class-balanced logistic regression on the
words alone (the same TF-IDF), whose probability is averaged with the model's (``text_weight``).
It costs one dot product per theme and article; grouped cross-validation gave it +0.008 macro-F1
and +0.008 exact sets (0.917 / 0.865 -> 0.925 / 0.873).

Themes with too few labelled positives (``min_positives``) are not learned; they keep the
lexicon's rule score, and the model's manifest says which themes are learned.

Everything fitted is kept as plain arrays (vocabulary, idf, coefficients), so a model is saved
and loaded without pickle (analysis/modelfile.py), and scoring an article needs only that
article: its themes never depend on the rest of a batch.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Container, Sequence
from itertools import chain, repeat
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from analysis.themes import Taxonomy, ThemeScore, ThemeScorer, _Doc, _Stack

# Bump when the features change: a model file built with other features is stale.
FEATURES_VERSION = 1
_DENSE_PER_THEME = 8
_SENTENCE_FEATURES = 3
# CountVectorizer's r"(?u)\b\w\w+\b": a greedy run of word characters always ends at a boundary,
# and a failed one-letter run is skipped whole, so the \b are implied; without them the pattern
# starts with a character class, which the regex engine scans for in C. ASCII: the words are
# read from ASCII text only (see _words), where the ASCII classes are faster and the same.
_TOKEN = re.compile(r"\w\w+", re.ASCII)


@dataclass(frozen=True, slots=True)
class LabelledText:
    """One labelled article as the trainers read it."""

    title: str
    text: str
    themes: frozenset[str]
    group: str  # the outlet: cross-validation never puts one outlet in training and test at once
    scope: frozenset[str] | None = None  # the themes it is labelled for (None: every theme)

    def labels(self, theme: str) -> bool:
        return self.scope is None or theme in self.scope


def taxonomy_fingerprint(taxonomy: Taxonomy) -> str:
    """A hash of everything in the taxonomy the features depend on (keys and terms, in order)."""
    parts = [f"features={FEATURES_VERSION}"]
    for theme in taxonomy.themes:
        parts.append("|".join([theme.key, ",".join(theme.seed_terms), ",".join(theme.cue_terms),
                               ",".join(theme.context_terms), ",".join(theme.exclude_terms), str(theme.actor)]))
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]


def _ascii_words_text(text: str) -> bytes:
    """The text lower-cased and accent-stripped, other non-ASCII letters dropped (an English-language corpus)."""
    text = text.lower()
    if not text.isascii():
        return unicodedata.normalize("NFKD", text).encode("ascii", "ignore")
    return text.encode("ascii")


def _words(text: str) -> list[str]:
    """Lower-cased, accent-stripped words of two or more characters."""
    return _TOKEN.findall(_ascii_words_text(text).decode("ascii"))


# Every byte but an ASCII word character (\w) becomes a space: bytes.split() then gives the runs
# of word characters, _TOKEN's words and the one-character runs it skips (faster than findall).
_WORD_RUNS = bytes.maketrans(bytes(range(256)), bytes(
    b if chr(b).isascii() and (chr(b).isalnum() or chr(b) == "_") else 0x20 for b in range(256)))


def _grams(text: str) -> list[str]:
    """Lower-cased, accent-stripped word unigrams and bigrams (words of two or more characters)."""
    words = _words(text)
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


def _learn_vocabulary(texts: Sequence[str], *, min_df: int, max_features: int) -> list[str]:
    from sklearn.feature_extraction.text import CountVectorizer

    vectorizer = CountVectorizer(analyzer=_grams, min_df=min_df, max_features=max_features).fit(texts)
    return sorted(vectorizer.vocabulary_)


class _Counter:
    """Counts of a fixed vocabulary's grams per text: the transform of a fitted CountVectorizer, faster.

    Each word is looked up once (in C, with ``map``) in a table of the words the vocabulary's
    terms are made of; its unigram column, and the bigram column of each pair of words that can
    make a bigram, are then found for the whole batch at once: no bigram string is ever built.
    """

    def __init__(self, vocabulary: Sequence[str]):
        self.vocabulary = list(vocabulary)
        self.size = len(vocabulary)
        words: dict[str, int] = {}
        unigrams: list[tuple[int, int]] = []
        pairs: list[tuple[int, int, int]] = []
        for column, term in enumerate(vocabulary):
            parts = term.split(" ")
            if len(parts) == 1:
                unigrams.append((words.setdefault(term, len(words)), column))
            elif len(parts) == 2:  # ``_grams`` makes nothing longer
                pairs.append((words.setdefault(parts[0], len(words)), words.setdefault(parts[1], len(words)), column))
        self.unknown = len(words)  # the id of every other word of two or more characters
        self.short = len(words) + 1  # the id of a one-character run, which is no word
        self.word_ids = {word.encode("ascii"): i for word, i in words.items()}
        self.word_ids.update((bytes([b]), self.short) for b in range(128) if chr(b).isalnum() or chr(b) == "_")
        # per word id (and the unknown id last): its unigram column or -1, whether it starts or
        # ends some bigram of the vocabulary
        self.unigram_columns = np.full(len(words) + 1, -1, dtype=np.int64)
        self.starts_bigram = np.zeros(len(words) + 1, dtype=bool)
        self.ends_bigram = np.zeros(len(words) + 1, dtype=bool)
        for word, column in unigrams:
            self.unigram_columns[word] = column
        for first, second, _ in pairs:
            self.starts_bigram[first] = self.ends_bigram[second] = True
        # the bigrams in an open-addressing hash table (a quarter full), probed with numpy
        bits = max(4, (4 * len(pairs)).bit_length())
        self.table_keys = np.full(1 << bits, -1, dtype=np.int64)
        self.table_columns = np.full(1 << bits, -1, dtype=np.int64)
        self.shift = np.uint64(64 - bits)
        keys = np.array([first * self.unknown + second for first, second, _ in pairs], dtype=np.int64)
        for slot, key, (_, _, column) in zip(self._slots(keys).tolist(), keys.tolist(), pairs):
            while self.table_keys[slot] != -1:
                slot = (slot + 1) & (len(self.table_keys) - 1)
            self.table_keys[slot] = key
            self.table_columns[slot] = column

    def _slots(self, keys: np.ndarray) -> np.ndarray:
        """Fibonacci hashing: the top bits of key times 2**64 / golden ratio."""
        return ((keys.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) >> self.shift).astype(np.int64)

    def _bigram_columns(self, keys: np.ndarray) -> np.ndarray:
        """The column of each bigram key, -1 for a pair of words that is not in the vocabulary."""
        columns = np.full(len(keys), -1, dtype=np.int64)
        slots = self._slots(keys)
        pending = np.arange(len(keys))
        mask = len(self.table_keys) - 1
        while len(pending):
            stored = self.table_keys[slots]
            hit = stored == keys[pending]
            columns[pending[hit]] = self.table_columns[slots[hit]]
            probe = ~hit & (stored != -1)  # another key's slot: try the next one
            pending, slots = pending[probe], (slots[probe] + 1) & mask
        return columns

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        runs = [_ascii_words_text(text).translate(_WORD_RUNS).split() for text in texts]
        ids = np.array(list(map(self.word_ids.get, chain.from_iterable(runs), repeat(self.unknown))), dtype=np.int64)
        # drop the one-character runs (_words skips them, so the words either side make a bigram)
        word = ids != self.short
        ends = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, runs), dtype=np.int64, count=len(runs)), out=ends[1:])
        kept = np.zeros(len(ids) + 1, dtype=np.int64)
        np.cumsum(word, out=kept[1:])
        lengths = np.diff(kept[ends])
        ids = ids[word]
        # each word's unigram column, then the column of the bigram it starts, in the text's order
        # (the layout ``sum_duplicates`` sorts and counts), -1 where none
        grams = np.full((len(ids), 2), -1, dtype=np.int64)
        grams[:, 0] = self.unigram_columns[ids]
        bounds = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(lengths, out=bounds[1:])
        if len(ids) > 1:
            pair = self.starts_bigram[ids[:-1]] & self.ends_bigram[ids[1:]]
            last = bounds[1:][lengths > 0] - 1  # a text's last word starts no bigram
            pair[last[last < len(pair)]] = False
            starts = np.flatnonzero(pair)
            keys = ids[starts] * self.unknown + ids[starts + 1]
            grams[starts, 1] = self._bigram_columns(keys)
        flat = grams.ravel()
        known = flat >= 0
        counted = np.zeros(len(flat) + 1, dtype=np.int64)
        np.cumsum(known, out=counted[1:])
        columns = flat[known]
        matrix = sp.csr_matrix((np.ones(len(columns), dtype=np.float32), columns.astype(np.int32),
                                counted[2 * bounds]), shape=(len(texts), self.size))
        matrix.sum_duplicates()
        return matrix


def _idf(counts: sp.csr_matrix) -> np.ndarray:
    n = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    return (np.log((1 + n) / (1 + df)) + 1.0).astype(np.float32)


def _tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear TF times IDF, rows scaled to unit length (TfidfVectorizer's sublinear_tf recipe)."""
    matrix = counts.astype(np.float32, copy=True)
    matrix.data = np.log(matrix.data) + 1.0
    matrix = matrix @ sp.diags(idf)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ matrix)


def _lr(C: float, random_state: int, class_weight=None):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=5000, class_weight=class_weight, random_state=random_state)


@dataclass(slots=True)
class _Batch:
    """What the model reads of a batch of articles: lexicon docs, sentence counts, dense features."""

    docs: list[_Doc]
    units: _Stack  # the lexicon's evidence of every unit of the batch
    rule_totals: np.ndarray  # items x themes: the lexicon's weighted evidence (ThemeScorer._totals)
    rule_scores: np.ndarray  # items x themes: the lexicon's scores, rounded as its ThemeScores are
    sentence_counts: sp.csr_matrix  # one row per unit (title and sentences) of every article
    owners: np.ndarray  # the article of each unit row
    doc_counts: sp.csr_matrix
    dense: np.ndarray


class ThemeModel:
    """Per-theme classifiers over words, lexicon evidence and sentence evidence.

    ``fit`` takes labelled texts; ``predict`` gives every taxonomy theme's ThemeScore for each
    (title, text). Parameters are stored by ``__init__``; fitted state ends in ``_``.
    """

    def __init__(self, taxonomy: Taxonomy, *, C: float = 4.0, lexicon_weight: float = 2.0,
                 sentence_weight: float = 4.0, sentence_C: float = 2.0, min_positives: int = 10,
                 inner_folds: int = 4, max_features: int = 60_000, text_C: float = 20.0, text_weight: float = 0.5,
                 random_state: int = 0):
        self.taxonomy = taxonomy
        self.C = C
        self.text_C = text_C
        self.text_weight = text_weight
        self.lexicon_weight = lexicon_weight
        self.sentence_weight = sentence_weight
        self.sentence_C = sentence_C
        self.min_positives = min_positives
        self.inner_folds = inner_folds
        self.max_features = max_features
        self.random_state = random_state

    # -- features ---------------------------------------------------------------------------------

    def _scorer(self) -> ThemeScorer:
        scorer = getattr(self, "_rule_scorer", None)
        if scorer is None:
            scorer = self._rule_scorer = ThemeScorer(self.taxonomy, use_model=False).fit([])
        return scorer

    def _batch(self, documents: Sequence[tuple[str, str]], vectorizer) -> _Batch:
        """The batch's features: every step runs once for the whole batch, not per article."""
        scorer = self._scorer()
        docs, units = scorer._units_many(documents)
        totals = scorer._totals(units)
        rule_scores = np.array([round(1.0 - 0.5 ** total, 4) for total in totals.ravel().tolist()],
                               dtype=np.float64).reshape(totals.shape)
        texts = [unit.text for doc in docs for unit in doc.units]
        owners = units.owners
        counts = vectorizer.transform(texts)
        gather = sp.csr_matrix((np.ones(len(owners), dtype=np.float32), (owners, np.arange(len(owners)))),
                               shape=(len(docs), len(owners)))
        return _Batch(docs, units, totals, rule_scores, counts, owners, sp.csr_matrix(gather @ counts),
                      _dense_features(units, rule_scores))

    def _sentence_probabilities(self, batch: _Batch, coef: np.ndarray, intercept: float) -> np.ndarray:
        if batch.sentence_counts.shape[0] == 0:
            return np.zeros(0, dtype=np.float32)
        z = _tfidf(batch.sentence_counts, self.sentence_idf_) @ coef + intercept
        return 1.0 / (1.0 + np.exp(-z))

    def _sentence_features(self, batch: _Batch, probabilities: np.ndarray) -> np.ndarray:
        """Per article: the strongest sentence, the mean of the top three, the share above one half."""
        n = len(batch.docs)
        out = np.zeros((n, _SENTENCE_FEATURES), dtype=np.float32)
        if not len(probabilities):
            return out
        # Per article, its units' probabilities in descending order; the top three are added up
        # one by one in float32 and divided in float64, as np.mean does.
        probabilities = np.asarray(probabilities)
        owners = batch.owners
        bounds = np.searchsorted(owners, np.arange(n + 1))
        sizes = np.diff(bounds)
        order = np.lexsort((-probabilities, owners))
        ranked = probabilities[order]
        has = sizes > 0
        firsts = bounds[:-1][has]
        total = ranked[firsts]
        for k in (1, 2):
            more = sizes[has] > k
            total[more] = total[more] + ranked[firsts[more] + k]
        out[has, 0] = ranked[firsts]
        out[has, 1] = total.astype(np.float64) / np.minimum(sizes[has], 3)
        above = np.bincount(owners, weights=probabilities >= 0.5, minlength=n)
        out[has, 2] = above[has] / sizes[has]
        return out

    def _design(self, batch: _Batch, sentence_features: np.ndarray) -> sp.csr_matrix:
        return sp.hstack([
            _tfidf(batch.doc_counts, self.doc_idf_),
            sp.csr_matrix(batch.dense * self.lexicon_weight),
            sp.csr_matrix(sentence_features * self.sentence_weight),
        ]).tocsr()

    # -- fitting ----------------------------------------------------------------------------------

    def themes_for(self, records: Sequence[LabelledText]) -> tuple[str, ...]:
        """The taxonomy themes these records can teach: ``min_positives`` labelled positives and negatives."""
        learned = []
        for key in self.taxonomy.keys:
            scoped = [r for r in records if r.labels(key)]
            positives = sum(key in r.themes for r in scoped)
            if self.min_positives <= positives <= len(scoped) - self.min_positives:
                learned.append(key)
        return tuple(learned)

    def fit(self, records: Sequence[LabelledText]) -> "ThemeModel":
        from sklearn.model_selection import GroupKFold

        if not records:
            raise ValueError("ThemeModel.fit: no labelled articles to learn from")
        documents = [(r.title, r.text) for r in records]
        scorer = self._scorer()
        unit_texts = [unit.text for title, text in documents for unit in scorer._units(title, text).units]
        vocabulary = _learn_vocabulary(unit_texts, min_df=2, max_features=self.max_features)
        self.vocabulary_ = np.array(vocabulary, dtype=str)
        self._vectorizer_ = _Counter(vocabulary)
        batch = self._batch(documents, self._vectorizer_)
        self.sentence_idf_ = _idf(batch.sentence_counts)
        self.doc_idf_ = _idf(batch.doc_counts)
        keys = self.taxonomy.keys
        labels = np.array([[key in r.themes for key in keys] for r in records], dtype=bool)
        # a theme is learned from the articles labelled for it (a file labels the themes it uses)
        in_scope = np.array([[r.labels(key) for key in keys] for r in records], dtype=bool)
        learned = [keys.index(key) for key in self.themes_for(records)]
        self.themes_ = tuple(keys[i] for i in learned)
        groups = np.array([r.group for r in records])
        n_groups = len(set(groups))
        sentence_tfidf = _tfidf(batch.sentence_counts, self.sentence_idf_)
        self.sentence_coef_ = np.zeros((len(learned), len(vocabulary)), dtype=np.float32)
        self.sentence_intercept_ = np.zeros(len(learned), dtype=np.float32)
        sentence_features = np.zeros((len(records), len(learned), _SENTENCE_FEATURES), dtype=np.float32)
        for t, index in enumerate(learned):
            unit_labels = labels[batch.owners, index]
            unit_scope = in_scope[batch.owners, index]
            model = _lr(self.sentence_C, self.random_state, "balanced").fit(
                sentence_tfidf[unit_scope], unit_labels[unit_scope])
            self.sentence_coef_[t] = model.coef_[0]
            self.sentence_intercept_[t] = model.intercept_[0]
            # out-of-fold sentence evidence for the training articles themselves
            folds = min(self.inner_folds, n_groups)
            if folds < 2:
                sentence_features[:, t] = self._sentence_features(
                    batch, self._sentence_probabilities(batch, self.sentence_coef_[t], self.sentence_intercept_[t]))
                continue
            probabilities = np.zeros(len(batch.owners), dtype=np.float32)
            for train, test in GroupKFold(folds).split(np.zeros(len(records)), groups=groups):
                train_units = np.isin(batch.owners, train) & unit_scope
                test_units = np.isin(batch.owners, test)
                if len(set(unit_labels[train_units])) < 2:
                    probabilities[test_units] = float(unit_labels[train_units].mean()) if train_units.any() else 0.0
                    continue
                inner = _lr(self.sentence_C, self.random_state, "balanced").fit(
                    sentence_tfidf[train_units], unit_labels[train_units])
                probabilities[test_units] = inner.predict_proba(sentence_tfidf[test_units])[:, 1]
            sentence_features[:, t] = self._sentence_features(batch, probabilities)
        width = len(vocabulary) + batch.dense.shape[1] + _SENTENCE_FEATURES
        self.coef_ = np.zeros((len(learned), width), dtype=np.float32)
        self.intercept_ = np.zeros(len(learned), dtype=np.float32)
        self.thresholds_ = np.full(len(learned), 0.5, dtype=np.float32)
        for t, index in enumerate(learned):
            rows = np.flatnonzero(in_scope[:, index])
            design = self._design(batch, sentence_features[:, t])[rows]
            model = _lr(self.C, self.random_state).fit(design, labels[rows, index])
            self.coef_[t] = model.coef_[0]
            self.intercept_[t] = model.intercept_[0]
        # beside it, a second opinion from the words alone (balanced classes), averaged in predict:
        # cheap, as it reads the article's TF-IDF already computed, and steadier on unseen outlets
        doc_tfidf = _tfidf(batch.doc_counts, self.doc_idf_)
        self.text_coef_ = np.zeros((len(learned), len(vocabulary)), dtype=np.float32)
        self.text_intercept_ = np.zeros(len(learned), dtype=np.float32)
        for t, index in enumerate(learned):
            rows = np.flatnonzero(in_scope[:, index])
            model = _lr(self.text_C, self.random_state, "balanced").fit(doc_tfidf[rows], labels[rows, index])
            self.text_coef_[t] = model.coef_[0]
            self.text_intercept_[t] = model.intercept_[0]
        self.taxonomy_fingerprint_ = taxonomy_fingerprint(self.taxonomy)
        self.training_size_ = len(records)
        return self

    # -- scoring ----------------------------------------------------------------------------------

    def predict(self, documents: Sequence[tuple[str | None, str | None]], *, explain: bool = True) -> list[list[ThemeScore]]:
        """Every taxonomy theme's score for each (title, text); learned themes use the model.

        Each article is scored on its own: the same article gets the same scores in any batch.
        """
        if not hasattr(self, "coef_"):
            raise RuntimeError("ThemeModel is not fitted; load a model file or call fit(records) first")
        documents = [(title or "", text or "") for title, text in documents]
        if not documents:
            return []
        keys = self.taxonomy.keys
        batch = self._batch(documents, self._vectorizer_)
        scorer = self._scorer()
        n = len(documents)
        results: list[list[ThemeScore]] = [[] for _ in range(n)]
        rule_scores = batch.rule_scores.tolist()
        assigned_by_rule = (batch.rule_totals >= 1.0 - 1e-9).tolist()
        bounds = batch.units.bounds
        # the articles with lexicon evidence for each theme (the ones an unlearned theme explains)
        has_evidence = np.zeros((n, len(keys)), dtype=bool)
        with_units = np.diff(bounds) > 0
        if with_units.any():
            has_evidence[with_units] = np.logical_or.reduceat(batch.units.evidence != 0, bounds[:-1][with_units], axis=0)
        for index, key in enumerate(keys):  # unlearned themes keep the lexicon's score, as it explains it
            if key in self.themes_:
                continue
            explained = set(np.flatnonzero(has_evidence[:, index]).tolist()) if explain else ()
            for i in range(n):
                terms: tuple[str, ...] = ()
                sentences: tuple[str, ...] = ()
                if i in explained:
                    doc = batch.docs[i]
                    weights = batch.units.weights[bounds[i]:bounds[i + 1]]
                    terms, sentences = scorer._explain(doc, index, doc.evidence[:, index], weights, None)
                results[i].append(ThemeScore(key, rule_scores[i][index], assigned_by_rule[i][index], terms, sentences))
        doc_tfidf = _tfidf(batch.doc_counts, self.doc_idf_)
        sentence_tfidf = _tfidf(batch.sentence_counts, self.sentence_idf_) if batch.sentence_counts.shape[0] else None
        dense = batch.dense * self.lexicon_weight
        vocabulary_size = len(self.vocabulary_)
        learned: dict[int, list[ThemeScore]] = {}
        for t, key in enumerate(self.themes_):
            index = keys.index(key)
            if sentence_tfidf is not None:
                z = sentence_tfidf @ self.sentence_coef_[t] + self.sentence_intercept_[t]
                sentence_probability = 1.0 / (1.0 + np.exp(-z))
            else:
                sentence_probability = np.zeros(0, dtype=np.float32)
            sentence_features = self._sentence_features(batch, sentence_probability)
            coef = self.coef_[t]
            z = (doc_tfidf @ coef[:vocabulary_size]
                 + dense @ coef[vocabulary_size:vocabulary_size + dense.shape[1]]
                 + (sentence_features * self.sentence_weight) @ coef[vocabulary_size + dense.shape[1]:]
                 + self.intercept_[t])
            probability = 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64)))
            if self.text_weight:
                z_text = np.asarray(doc_tfidf @ self.text_coef_[t] + self.text_intercept_[t], dtype=np.float64)
                probability = (1.0 - self.text_weight) * probability + self.text_weight / (1.0 + np.exp(-z_text))
            assigned = (probability >= self.thresholds_[t]).tolist()
            shown = (probability >= 0.25).tolist() if explain else [False] * n
            scores = learned[index] = []
            for i, p in enumerate(probability.tolist()):
                terms = sentences = ()
                if explain and (assigned[i] or shown[i]):
                    terms, sentences = self._explain(batch, i, doc_tfidf, coef[:vocabulary_size],
                                                     sentence_probability[bounds[i]:bounds[i + 1]], index)
                scores.append(ThemeScore(key, round(p, 4), assigned[i], terms, sentences))
        if learned:  # every item's scores in the taxonomy's order
            order = [learned[index] if key in self.themes_ else None for index, key in enumerate(keys)]
            merged = []
            for i, rule in enumerate(results):
                rule_iter = iter(rule)
                merged.append([next(rule_iter) if column is None else column[i] for column in order])
            results = merged
        return results

    def _explain(self, batch: _Batch, i: int, doc_tfidf: sp.csr_matrix, coef: np.ndarray,
                 sentence_probability: np.ndarray, index: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The n-grams that pushed the score up most, the lexicon's terms, and the strongest sentences."""
        start, end = doc_tfidf.indptr[i], doc_tfidf.indptr[i + 1]
        data, indices = doc_tfidf.data[start:end], doc_tfidf.indices[start:end]
        contribution = data * coef[indices]
        order = np.argsort(-contribution)[:6]
        vocabulary = self._vectorizer_.vocabulary
        words = [vocabulary[j] for j, up in zip(indices[order].tolist(), (contribution[order] > 0).tolist()) if up]
        weights = batch.units.weights[batch.units.bounds[i]:batch.units.bounds[i + 1]]
        rule_terms, rule_sentences = self._scorer()._explain_lexicon(batch.docs[i], index, weights)
        terms = tuple(dict.fromkeys([*rule_terms[:4], *words]))[:8]
        units = batch.docs[i].units
        ranked = np.argsort(-sentence_probability, kind="stable")[:3]
        sentences = [units[k].text if len(units[k].text) <= 400 else units[k].text[:397] + "..."
                     for k in ranked if sentence_probability[k] >= 0.5]
        if not sentences:
            sentences = list(rule_sentences[:2])
        return terms, tuple(sentences)

    # -- persistence ------------------------------------------------------------------------------

    def to_parts(self) -> tuple[dict, dict[str, np.ndarray]]:
        meta = {
            "features_version": FEATURES_VERSION, "taxonomy_fingerprint": self.taxonomy_fingerprint_,
            "themes": list(self.themes_), "training_size": self.training_size_,
            "params": {"C": self.C, "lexicon_weight": self.lexicon_weight, "sentence_weight": self.sentence_weight,
                       "sentence_C": self.sentence_C, "min_positives": self.min_positives,
                       "inner_folds": self.inner_folds, "max_features": self.max_features,
                       "text_C": self.text_C, "text_weight": self.text_weight, "random_state": self.random_state},
        }
        arrays = {
            "vocabulary": self.vocabulary_, "sentence_idf": self.sentence_idf_, "doc_idf": self.doc_idf_,
            "sentence_coef": _sparse_rows(self.sentence_coef_), "sentence_intercept": self.sentence_intercept_,
            "coef": _sparse_rows(self.coef_), "intercept": self.intercept_, "thresholds": self.thresholds_,
            "text_coef": _sparse_rows(self.text_coef_), "text_intercept": self.text_intercept_,
        }
        return meta, arrays

    @classmethod
    def from_parts(cls, taxonomy: Taxonomy, meta: dict, arrays: dict[str, np.ndarray]) -> "ThemeModel":
        """Rebuild a fitted model; the caller (modelfile) has checked the format and fingerprint."""
        # a file from before the words-alone model has no text_ parameters: it scores as it did
        model = cls(taxonomy, **{"text_weight": 0.0, **meta["params"]})
        model.themes_ = tuple(meta["themes"])
        model.training_size_ = int(meta["training_size"])
        model.taxonomy_fingerprint_ = meta["taxonomy_fingerprint"]
        model.vocabulary_ = arrays["vocabulary"]
        model._vectorizer_ = _Counter([str(term) for term in model.vocabulary_])
        model.sentence_idf_ = arrays["sentence_idf"].astype(np.float32)
        model.doc_idf_ = arrays["doc_idf"].astype(np.float32)
        width = len(model.vocabulary_) + len(taxonomy) * (_DENSE_PER_THEME + 1) + _SENTENCE_FEATURES
        model.sentence_coef_ = _dense_rows(arrays["sentence_coef"], len(model.themes_), len(model.vocabulary_))
        model.sentence_intercept_ = arrays["sentence_intercept"].astype(np.float32)
        model.coef_ = _dense_rows(arrays["coef"], len(model.themes_), width)
        model.intercept_ = arrays["intercept"].astype(np.float32)
        model.thresholds_ = arrays["thresholds"].astype(np.float32)
        if "text_coef" in arrays:
            model.text_coef_ = _dense_rows(arrays["text_coef"], len(model.themes_), len(model.vocabulary_))
            model.text_intercept_ = arrays["text_intercept"].astype(np.float32)
        elif model.text_weight:
            raise ValueError("the model's parameters weigh a words-alone model its arrays do not hold")
        return model


def _sparse_rows(matrix: np.ndarray) -> np.ndarray:
    """Coefficients as (row, column, value) triples of the non-zero weights, rounded to float16 precision."""
    rows, cols = np.nonzero(np.abs(matrix) >= 1e-4)
    return np.stack([rows.astype(np.float32), cols.astype(np.float32), matrix[rows, cols]], axis=1)


def _dense_rows(triples: np.ndarray, n_rows: int, width: int) -> np.ndarray:
    out = np.zeros((n_rows, width), dtype=np.float32)
    if len(triples):
        out[triples[:, 0].astype(int), triples[:, 1].astype(int)] = triples[:, 2]
    return out


def _dense_features(units: _Stack, rule_scores: np.ndarray) -> np.ndarray:
    """Per article and taxonomy theme: sentence counts and shares about it, title and lead, strongest,
    passing, rule score; for the whole batch at once (sums over each article's units)."""
    n, n_themes = rule_scores.shape
    features = np.zeros((n, n_themes, _DENSE_PER_THEME + 1), dtype=np.float32)
    features[:, :, _DENSE_PER_THEME] = rule_scores
    sizes = np.diff(units.bounds)
    has = sizes > 0
    if not has.any():
        return features.reshape(n, -1)
    starts = units.bounds[:-1][has]

    def per_article(values: np.ndarray) -> np.ndarray:
        return np.add.reduceat(values, starts, axis=0)

    evidence = units.evidence.astype(np.float32)
    is_title = units.is_title
    body = ~is_title
    titled = is_title[starts]  # a title is an article's first unit
    n_body = per_article(body.astype(np.int64))
    body_share = np.maximum(n_body, 1)[:, None]
    about_body = per_article(((evidence >= 1.0) & body[:, None]).astype(np.int64))
    rank = np.arange(len(units.owners)) - np.repeat(starts + titled, sizes[has])  # place among the body units
    first = np.minimum(starts + titled, len(units.owners) - 1)
    with_body = (n_body > 0)[:, None]
    out = np.zeros((int(has.sum()), n_themes, _DENSE_PER_THEME), dtype=np.float32)
    out[:, :, 0] = np.log1p(about_body)
    out[:, :, 1] = about_body / body_share
    out[:, :, 2] = per_article(((evidence >= 0.75) & is_title[:, None]).astype(np.int64)) > 0
    out[:, :, 3] = with_body & (evidence[first] >= 1.0)
    out[:, :, 4] = np.minimum(np.maximum.reduceat(evidence, starts, axis=0), 3.0) / 3.0
    out[:, :, 5] = np.log1p(per_article(evidence * body[:, None].astype(np.float32)))
    out[:, :, 6] = per_article(((evidence > 0) & (evidence < 1.0)).astype(np.int64)) / body_share
    out[:, :, 7] = per_article(((evidence >= 1.0) & (body & (rank < 3))[:, None]).astype(np.int64)) > 0
    features[has, :, :_DENSE_PER_THEME] = out
    return features.reshape(n, -1)

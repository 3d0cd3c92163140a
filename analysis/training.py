"""Training and honest measurement of the models: `flankwatch train` and `evaluate --cv`.

Both models learn from labelled JSON-lines files (LABELING.md) plus the analysts' corrections in
a store. Figures are cross-validated with folds grouped by source: an outlet is never in
training and test at once, so the figures say how the model does on outlets it has not read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from analysis.claims.learned import SpendingModel
from analysis.evaluate import ClaimFigures, ThemeFigures, claim_figures, read_gold, theme_figures
from analysis.modelfile import ModelBundle, make_manifest, with_version
from analysis.paths import training_files
from analysis.theme_model import LabelledText, ThemeModel
from analysis.themes import Taxonomy, load_taxonomy

Progress = Callable[[float, str], None]
DEFAULT_FOLDS = 5


class TrainingError(ValueError):
    """Training cannot start: no labelled files, too few records or sources; the message says which."""


def read_labelled(paths: Sequence[Path | str]) -> list[dict[str, Any]]:
    """Gold records of every file, in order; the first file that is missing or malformed is named."""
    if not paths:
        raise TrainingError("no labelled files to train on: pass JSON-lines files (LABELING.md), "
                            "or set FLANKWATCH_TRAINING")
    records: list[dict[str, Any]] = []
    for path in paths:
        gold = read_gold(Path(path))
        scope = sorted({theme for r in gold for theme in r["themes"]})  # a file labels the themes it uses
        records.extend({**r, "label_scope": scope} for r in gold)
    return records


def with_corrections(records: Sequence[dict[str, Any]], corrections: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The labelled records with the analysts' corrected articles: a correction replaces an article's label.

    A corrected article is labelled for the themes the labelled files cover (the analyst saw the
    article's themes and left them) plus every theme an analyst decided on.
    """
    base_scope = {theme for r in records for theme in (r.get("label_scope") or r["themes"])}
    corrected_texts = {text_hash(r.get("title"), r["text"]) for r in corrections}
    kept = [r for r in records if text_hash(r.get("title"), r["text"]) not in corrected_texts]
    return kept + [{**r, "source": r.get("source") or "corrections",
                    "label_scope": sorted(base_scope | set(r.get("corrected_themes") or ()))} for r in corrections]


def _scope(record: dict[str, Any]) -> frozenset[str] | None:
    scope = record.get("label_scope")
    return None if scope is None else frozenset(scope)


def _labelled(records: Sequence[dict[str, Any]]) -> list[LabelledText]:
    return [LabelledText(r.get("title") or "", r["text"], frozenset(r["themes"]), str(r.get("source") or "unknown"),
                         _scope(r)) for r in records]


def scoped_theme_figures(records: Sequence[dict[str, Any]], predicted: Sequence[set[str]],
                         themes: Sequence[str]) -> ThemeFigures:
    """Per-theme figures over the articles labelled for each theme; exact sets over each article's scope."""
    gold, guesses = [], []
    for record, guess in zip(records, predicted):
        scope = _scope(record)
        covered = set(themes) if scope is None else set(themes) & scope
        gold.append(set(record["themes"]) & covered)
        guesses.append(set(guess) & covered)
    figures = theme_figures(gold, guesses, tuple(themes))
    per_theme = {}
    for theme in themes:
        rows = [i for i, r in enumerate(records) if _scope(r) is None or theme in _scope(r)]
        per_theme[theme] = theme_figures([gold[i] for i in rows], [guesses[i] for i in rows], (theme,)).per_theme[theme]
    return ThemeFigures(themes=tuple(themes), per_theme=per_theme, exact=figures.exact, n=figures.n)


def text_hash(title: str | None, text: str) -> str:
    """A short hash of a labelled text: the manifest lists them so evaluate can say what is in-sample."""
    return hashlib.sha256(f"{title or ''}\n{text}".encode("utf-8")).hexdigest()[:16]


def fit_models(records: Sequence[dict[str, Any]], *, taxonomy: Taxonomy,
               random_state: int = 0) -> tuple[ThemeModel, SpendingModel]:
    themes = ThemeModel(taxonomy, random_state=random_state).fit(_labelled(records))
    spending = SpendingModel(random_state=random_state).fit(records)
    return themes, spending


def predict_records(themes: ThemeModel, spending: SpendingModel,
                    records: Sequence[dict[str, Any]]) -> list[tuple[set[str], list[dict[str, Any]]]]:
    """(assigned themes, spending claims as dicts) per record, as the pipeline would find them."""
    from analysis.pipeline import claim_json

    scores = themes.predict([(r.get("title") or "", r["text"]) for r in records], explain=False)
    out = []
    for record, item_scores in zip(records, scores):
        claims = spending.extract(title=record.get("title") or None, text=record["text"],
                                  published=record.get("published"))
        out.append(({s.theme for s in item_scores if s.assigned}, [claim_json(c) for c in claims]))
    return out


@dataclass(frozen=True)
class CVReport:
    """Grouped K-fold figures: themes over the labelled themes, spending claims, per fold sizes."""

    n_records: int
    n_sources: int
    folds: int
    themes: ThemeFigures
    claims: ClaimFigures
    rule_scored: tuple[str, ...] = ()  # labelled themes with too few examples to learn
    training_articles: float = 0.0  # per fold, on average

    def as_dict(self) -> dict[str, Any]:
        prf = self.claims.prf
        return {
            "folds": self.folds, "grouped_by": "source", "n_records": self.n_records, "n_sources": self.n_sources,
            "themes": {t: {"precision": round(p.precision, 4), "recall": round(p.recall, 4), "f1": round(p.f1, 4),
                           "support": p.support} for t, p in self.themes.per_theme.items()},
            "macro_f1": round(self.themes.macro_f1, 4), "exact": round(self.themes.exact_accuracy, 4),
            "claims": {"precision": round(prf.precision, 4), "recall": round(prf.recall, 4), "f1": round(prf.f1, 4),
                       "matched": prf.tp, "predicted": prf.tp + prf.fp, "gold": prf.tp + prf.fn,
                       "actor": None if self.claims.actor_agreement is None else round(self.claims.actor_agreement, 4),
                       "kind": None if self.claims.kind_agreement is None else round(self.claims.kind_agreement, 4)},
        }

    def format(self) -> str:
        from analysis.evaluate import _claim_lines, _theme_table

        lines = [f"Cross-validation: {self.folds} folds grouped by source ({self.n_records} labelled articles from "
                 f"{self.n_sources} sources; an outlet is never in training and test at once)", "",
                 "Themes"]
        lines += _theme_table(self.themes)
        if self.rule_scored:
            lines.append(f"  not learned (fewer than the labelled articles a theme needs), scored by the lexicon's rules: "
                         f"{', '.join(self.rule_scored)}")
        lines += ["", "Spending claims (match on unit, value, value_high, year, year_high; one-to-one per article)"]
        lines += _claim_lines(self.claims)
        return "\n".join(lines)


def cross_validate(records: Sequence[dict[str, Any]], *, taxonomy: Taxonomy, folds: int = DEFAULT_FOLDS,
                   random_state: int = 0, progress: Progress | None = None, train_fraction: float = 1.0,
                   sample_seed: int = 0) -> CVReport:
    """Fit on K-1 groups of sources, predict the held-out group, pool the predictions.

    ``train_fraction`` below 1 fits each fold on that share of its training sources only (drawn
    with ``sample_seed``), for a learning curve; the held-out folds stay the same.
    """
    from sklearn.model_selection import GroupKFold

    if not 0 < train_fraction <= 1:
        raise TrainingError(f"the share of training sources must be in (0, 1]; got {train_fraction}")

    records = list(records)
    groups = np.array([str(r.get("source") or "unknown") for r in records])
    n_sources = len(set(groups))
    if n_sources < 2:
        raise TrainingError(f"cross-validation needs labelled articles from at least 2 sources; these have {n_sources}")
    folds = min(folds, n_sources)
    predicted: list[tuple[set[str], list[dict]]] = [(set(), [])] * len(records)
    sizes = []
    for fold, (train, test) in enumerate(GroupKFold(folds).split(np.zeros(len(records)), groups=groups)):
        if progress:
            progress(fold / (folds + 1), f"cross-validation fold {fold + 1} of {folds}")
        if train_fraction < 1:
            train = _sources_sample(train, groups, train_fraction, seed=sample_seed * 1000 + fold)
        sizes.append(len(train))
        themes, spending = fit_models([records[i] for i in train], taxonomy=taxonomy, random_state=random_state)
        for i, result in zip(test, predict_records(themes, spending, [records[i] for i in test])):
            predicted[i] = result
    # figures for the themes the model learns (enough labelled positives), each over the articles labelled for it
    learned = ThemeModel(taxonomy).themes_for(_labelled(records))
    labelled = {theme for r in records for theme in (r.get("label_scope") or r["themes"])}
    return CVReport(
        n_records=len(records), n_sources=n_sources, folds=folds, training_articles=float(np.mean(sizes)),
        rule_scored=tuple(t for t in taxonomy.keys if t in labelled and t not in learned),
        themes=scoped_theme_figures(records, [p[0] for p in predicted], learned),
        claims=claim_figures([r["claims"] for r in records], [p[1] for p in predicted]),
    )


def _sources_sample(train: np.ndarray, groups: np.ndarray, fraction: float, *, seed: int) -> np.ndarray:
    """The rows of ``train`` from a seeded random ``fraction`` of its sources (at least one)."""
    sources = sorted(set(groups[train].tolist()))
    np.random.default_rng(seed).shuffle(sources)
    kept = set(sources[:max(1, round(fraction * len(sources)))])
    return np.array([i for i in train if groups[i] in kept], dtype=int)


@dataclass(frozen=True)
class CurvePoint:
    """Cross-validated figures with each fold trained on a share of its sources (mean over draws)."""

    fraction: float
    training_articles: float  # per fold, on average
    macro_f1: float
    exact: float
    claims_f1: float
    draws: int


def learning_curve(records: Sequence[dict[str, Any]], *, taxonomy: Taxonomy, folds: int = DEFAULT_FOLDS,
                   fractions: Sequence[float] = (0.25, 0.5, 0.75, 1.0), draws: int = 3,
                   progress: Progress | None = None) -> list[CurvePoint]:
    """How the cross-validated figures grow with the labelled articles: is labelling more worth it?

    Each point is ``cross_validate`` with every fold fitted on a share of its training sources
    (``draws`` random draws averaged; the whole set once). The held-out folds are the same at every
    point, so the points differ only in how much was learned from.
    """
    records = list(records)
    runs = [(f, d) for f in fractions for d in range(1 if f >= 1 else draws)]
    reports: dict[float, list[CVReport]] = {f: [] for f in fractions}
    for step, (fraction, draw) in enumerate(runs):
        if progress:
            progress(step / len(runs), f"learning curve: {fraction:.0%} of the training sources, draw {draw + 1}")
        reports[fraction].append(cross_validate(records, taxonomy=taxonomy, folds=folds, train_fraction=fraction,
                                                sample_seed=draw))
    return [CurvePoint(fraction=f, training_articles=float(np.mean([r.training_articles for r in rs])),
                       macro_f1=float(np.mean([r.themes.macro_f1 for r in rs])),
                       exact=float(np.mean([r.themes.exact_accuracy for r in rs])),
                       claims_f1=float(np.mean([r.claims.prf.f1 for r in rs])), draws=len(rs))
            for f, rs in reports.items()]


def format_curve(curve: Sequence[CurvePoint]) -> str:
    lines = ["Learning curve: cross-validated figures with each fold trained on a share of its sources",
             "(the held-out folds are the same at every point; shares below 1 averaged over random draws)", "",
             "  share  training articles  themes macro-F1  exact sets  claims F1  draws"]
    for p in curve:
        lines.append(f"  {p.fraction:5.0%}  {p.training_articles:17.0f}  {p.macro_f1:15.3f}  {p.exact:10.3f}  "
                     f"{p.claims_f1:9.3f}  {p.draws:5d}")
    return "\n".join(lines)


def train_bundle(records: Sequence[dict[str, Any]], *, taxonomy: Taxonomy, created_from: Sequence[str],
                 folds: int = DEFAULT_FOLDS, random_state: int = 0, progress: Progress | None = None) -> ModelBundle:
    """Cross-validate, then fit on everything; the manifest carries the CV figures and training facts.

    ``folds`` below 2 skips cross-validation (the manifest's ``cv`` is then null): for tests.
    """
    records = list(records)
    if len(records) < 20:
        raise TrainingError(f"only {len(records)} labelled articles; at least 20 are needed to train")
    report = cross_validate(records, taxonomy=taxonomy, folds=folds, random_state=random_state,
                            progress=progress) if folds >= 2 else None
    if progress:
        progress(folds / (folds + 1), "fitting the final model on every labelled article")
    themes, spending = fit_models(records, taxonomy=taxonomy, random_state=random_state)
    hashes = sorted({text_hash(r.get("title"), r["text"]) for r in records})
    manifest = make_manifest(
        themes, spending, training_size=len(records), created_from=list(created_from),
        training_hash=hashlib.sha256("".join(hashes).encode()).hexdigest()[:16], training_texts=hashes,
        random_state=random_state, cv=report.as_dict() if report is not None else None,
    )
    if progress:
        progress(1.0, "done")
    return with_version(ModelBundle(manifest, themes, spending))


def retrain(store, *, taxonomy: Taxonomy | None = None, paths: Sequence[Path | str] | None = None,
            folds: int = DEFAULT_FOLDS, progress: Progress | None = None) -> ModelBundle:
    """A model trained on the labelled files plus this store's corrections (not activated)."""
    from analysis.corrections import correction_records

    taxonomy = taxonomy or load_taxonomy()
    paths = list(paths) if paths is not None else training_files()
    missing = [str(p) for p in paths if not Path(p).is_file()]
    if missing or not paths:
        raise TrainingError(f"labelled training files not found ({', '.join(missing) or 'none configured'}); "
                            "set FLANKWATCH_TRAINING to the JSON-lines files to train on")
    corrections = correction_records(store)
    records = with_corrections(read_labelled(paths), corrections)
    created = [Path(p).name for p in paths] + [f"corrections: {len(corrections)}"]
    return train_bundle(records, taxonomy=taxonomy, created_from=created, folds=folds, progress=progress)


def theme_changes(store, old: ModelBundle, new: ModelBundle, *, batch_size: int = 2000) -> int:
    """Items of the store whose assigned themes differ between the two models."""
    cursor = store.connection.cursor().execute("SELECT kind, title, text FROM items ORDER BY id")
    changed = 0
    while rows := cursor.fetchmany(batch_size):  # one scan, not a re-sorted OFFSET page per batch
        documents = [(title, "") if kind == "headline" else (title, text) for kind, title, text in rows]
        before = old.themes.predict(documents, explain=False)
        after = new.themes.predict(documents, explain=False)
        changed += sum({s.theme for s in a if s.assigned} != {s.theme for s in b if s.assigned}
                       for a, b in zip(before, after))
    return changed

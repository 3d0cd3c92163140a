"""Score themes and spending claims against a labelled JSON-lines file (see LABELING.md).

Themes: per-theme precision, recall and F1 over the themes the gold file uses, their macro
average, and exact theme-set accuracy (predicted and gold sets equal, counting only those themes).
Spending claims: a predicted claim matches a gold claim of the same article when unit, value,
value_high, year and year_high agree (one-to-one); actor and kind agreement are reported as the
share of matched claims that agree.

``evaluate_file`` scores the model in use (the shipped file, or ``--model``) on a labelled file
and says how many of its articles the model was trained on: figures on those are in-sample.
Honest figures come from ``flankwatch evaluate --cv`` (analysis/training.py): grouped K-fold
cross-validation that refits both models without the held-out sources.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from analysis.themes import load_taxonomy


class GoldFileError(ValueError):
    """The labelled file is missing or a line is malformed; the message names the file and line."""


# -- reading ------------------------------------------------------------------------------------

_GOLD_CLAIM_FIELDS = ("actor", "kind", "value", "value_high", "unit", "year", "year_high")


def read_gold(path: Path) -> list[dict[str, Any]]:
    """Validated gold records: text, themes and claims per line; errors name the file and line."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise GoldFileError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldFileError(f"{path}: cannot read ({exc})") from None
    records = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}, line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise GoldFileError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(record, dict):
            raise GoldFileError(f"{where}: expected a JSON object")
        if not isinstance(record.get("text"), str):
            raise GoldFileError(f"{where}: field 'text' is missing or not a string")
        themes = record.get("themes")
        if not isinstance(themes, list) or not all(isinstance(t, str) for t in themes):
            raise GoldFileError(f"{where}: field 'themes' must be a list of theme keys ([] for none)")
        claims = record.get("claims", [])
        if not isinstance(claims, list):
            raise GoldFileError(f"{where}: field 'claims' must be a list ([] for none)")
        for index, claim in enumerate(claims, start=1):
            _check_gold_claim(claim, f"{where}, claim {index}")
        published = record.get("published")
        if published is not None:
            try:
                published = date.fromisoformat(str(published)[:10])
            except ValueError:
                raise GoldFileError(f"{where}: field 'published' = {published!r} is not YYYY-MM-DD or null") from None
        records.append({
            "id": record.get("id") if record.get("id") is not None else f"line-{number}",
            "source": record.get("source") or "unknown",
            "title": record.get("title") if isinstance(record.get("title"), str) else "",
            "text": record["text"], "published": published, "themes": list(dict.fromkeys(themes)),
            "claims": claims, "_line": number,
        })
    if not records:
        raise GoldFileError(f"{path}: no records")
    return records


def _check_gold_claim(claim: Any, where: str) -> None:
    if not isinstance(claim, dict):
        raise GoldFileError(f"{where}: a claim must be a JSON object")
    for name in ("value", "value_high"):
        value = claim.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise GoldFileError(f"{where}: field {name!r} must be a number or null")
    if claim.get("value") is None:
        raise GoldFileError(f"{where}: field 'value' is missing")
    for name in ("year", "year_high"):
        value = claim.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise GoldFileError(f"{where}: field {name!r} must be an integer year or null")
    if not isinstance(claim.get("unit"), str):
        raise GoldFileError(f"{where}: field 'unit' must be one of pct_gdp, eur, usd")


# -- metrics ------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PRF:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else (1.0 if not self.fn else 0.0)

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        return self.tp + self.fn


@dataclass(frozen=True, slots=True)
class ThemeFigures:
    themes: tuple[str, ...]
    per_theme: dict[str, PRF]
    exact: int
    n: int

    @property
    def macro_f1(self) -> float:
        return sum(self.per_theme[t].f1 for t in self.themes) / len(self.themes) if self.themes else 0.0

    @property
    def exact_accuracy(self) -> float:
        return self.exact / self.n if self.n else 0.0

    @property
    def micro(self) -> PRF:
        return PRF(*(sum(getattr(self.per_theme[t], f) for t in self.themes) for f in ("tp", "fp", "fn")))


@dataclass(frozen=True, slots=True)
class ClaimFigures:
    prf: PRF
    actor_agree: int
    kind_agree: int

    @property
    def actor_agreement(self) -> float | None:
        return self.actor_agree / self.prf.tp if self.prf.tp else None

    @property
    def kind_agreement(self) -> float | None:
        return self.kind_agree / self.prf.tp if self.prf.tp else None


def theme_figures(gold: Sequence[set[str]], predicted: Sequence[set[str]], themes: Sequence[str]) -> ThemeFigures:
    counts = {t: [0, 0, 0] for t in themes}
    exact = 0
    scope = set(themes)
    for g, p in zip(gold, predicted):
        g, p = g & scope, p & scope
        exact += g == p
        for t in themes:
            if t in p and t in g:
                counts[t][0] += 1
            elif t in p:
                counts[t][1] += 1
            elif t in g:
                counts[t][2] += 1
    return ThemeFigures(tuple(themes), {t: PRF(*c) for t, c in counts.items()}, exact, len(gold))


_ACTOR_ALIASES: dict[str, str] = {
    # one row per alias: how people name a spender -> one canonical name
    "north atlantic treaty organization": "nato", "north atlantic alliance": "nato", "the alliance": "nato",
    "alliance": "nato", "nato allies": "nato", "allies": "nato",
    "u s": "united states", "us": "united states", "usa": "united states", "america": "united states",
    "washington": "united states", "uk": "united kingdom", "britain": "united kingdom",
    "great britain": "united kingdom", "london": "united kingdom",
    "lithuanian": "lithuania", "vilnius": "lithuania", "latvian": "latvia", "riga": "latvia",
    "estonian": "estonia", "tallinn": "estonia", "polish": "poland", "warsaw": "poland",
    "german": "germany", "berlin": "germany", "finnish": "finland", "helsinki": "finland",
    "russian": "russia", "moscow": "russia", "russian federation": "russia", "kremlin": "russia",
    "baltic states": "baltics", "the baltic states": "baltics", "baltic countries": "baltics",
    "eu": "european union",
}
_GOVERNMENT_WORDS = re.compile(r"\b(?:government|govt|ministry of defen[cs]e|defen[cs]e ministry|cabinet|state)\b")


def normalise_actor(actor: str | None) -> str | None:
    """A comparable actor name: case, accents, "the", government wording and aliases folded."""
    if actor is None:
        return None
    text = unicodedata.normalize("NFKD", actor.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"['\u2019]s\b", "", text)
    text = text.replace(".", "")
    text = re.sub(r"[^\w\s]", " ", text)
    text = _GOVERNMENT_WORDS.sub(" ", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"^the ", "", text)
    return _ACTOR_ALIASES.get(text, text)


def _claim_key(claim: dict[str, Any]) -> tuple:
    def number(value: Any) -> float | None:
        return None if value is None else round(float(value), 6)

    year = claim.get("year")
    if claim.get("year_relative"):
        year = None  # the labelling guide leaves relative years null
    return (claim.get("unit"), number(claim.get("value")), number(claim.get("value_high")), year,
            claim.get("year_high"))


def claim_figures(gold: Sequence[list[dict]], predicted: Sequence[list[dict]]) -> ClaimFigures:
    """One-to-one matching per article on (unit, value, value_high, year, year_high)."""
    tp = fp = fn = actor_agree = kind_agree = 0
    for gold_claims, predicted_claims in zip(gold, predicted):
        remaining: dict[tuple, list[dict]] = defaultdict(list)
        for claim in gold_claims:
            remaining[_claim_key(claim)].append(claim)
        for claim in predicted_claims:
            candidates = remaining.get(_claim_key(claim))
            if not candidates:
                fp += 1
                continue
            # prefer the gold claim whose actor agrees, so agreement is not lost to order
            pick = next((i for i, g in enumerate(candidates)
                         if normalise_actor(g.get("actor")) == normalise_actor(claim.get("actor"))), 0)
            match = candidates.pop(pick)
            tp += 1
            actor_agree += normalise_actor(match.get("actor")) == normalise_actor(claim.get("actor"))
            kind_agree += match.get("kind") == claim.get("kind")
        fn += sum(len(v) for v in remaining.values())
    return ClaimFigures(PRF(tp, fp, fn), actor_agree, kind_agree)


# -- the report ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class EvaluationReport:
    path: str
    n_items: int
    themes: ThemeFigures
    claims: ClaimFigures
    model_version: str = ""
    in_training: int = 0
    unknown_themes: tuple[str, ...] = ()
    errors: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = field(default=())

    def format(self) -> str:
        lines = [f"Evaluation of {self.path}: {self.n_items} labelled items, model {self.model_version}"]
        if self.in_training:
            lines.append(f"  note: {self.in_training} of these {self.n_items} articles are in the model's training set, "
                         "so these figures are in-sample; `flankwatch evaluate --cv` gives honest ones")
        lines += ["", f"Themes (over the themes the gold file uses: {', '.join(self.themes.themes)})"]
        lines += _theme_table(self.themes)
        if self.unknown_themes:
            lines.append(f"  note: gold themes not in the taxonomy (always missed): {', '.join(self.unknown_themes)}")
        lines += ["", "Spending claims (match on unit, value, value_high, year, year_high; one-to-one per article)"]
        lines += _claim_lines(self.claims)
        if self.errors:
            lines += ["", "Theme-set disagreements (id: gold -> predicted)"]
            lines += [f"  {item_id}: {', '.join(g) or '-'} -> {', '.join(p) or '-'}" for item_id, g, p in self.errors]
        return "\n".join(lines)


def _theme_table(figures: ThemeFigures) -> list[str]:
    lines = [f"  {'theme':<18} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>8}"]
    for theme in figures.themes:
        prf = figures.per_theme[theme]
        lines.append(f"  {theme:<18} {prf.precision:>9.3f} {prf.recall:>7.3f} {prf.f1:>6.3f} {prf.support:>8}")
    lines.append(f"  macro-F1 {figures.macro_f1:.3f}   exact theme-set accuracy {figures.exact_accuracy:.3f} "
                 f"({figures.exact}/{figures.n})")
    return lines


def _claim_lines(figures: ClaimFigures) -> list[str]:
    prf = figures.prf
    actor = "n/a" if figures.actor_agreement is None else f"{figures.actor_agreement:.3f}"
    kind = "n/a" if figures.kind_agreement is None else f"{figures.kind_agreement:.3f}"
    return [f"  precision {prf.precision:.3f}  recall {prf.recall:.3f}  F1 {prf.f1:.3f}  "
            f"(matched {prf.tp}, predicted {prf.tp + prf.fp}, gold {prf.tp + prf.fn})",
            f"  actor agrees on {actor} of matched claims; kind on {kind}"]


def evaluate_file(path: Path, *, themes_path: Path | None = None, model_path: Path | None = None) -> EvaluationReport:
    """Analyse a labelled file with the model in use and compare with its labels (LABELING.md)."""
    from analysis.pipeline import analyse_records, load_model
    from analysis.training import text_hash

    taxonomy = load_taxonomy(themes_path)
    records = read_gold(Path(path))
    bundle = load_model(taxonomy=taxonomy, model_path=model_path)
    trained_on = set(bundle.manifest.get("training_texts") or [])
    in_training = sum(text_hash(r["title"], r["text"]) in trained_on for r in records)
    gold_themes = [set(r["themes"]) for r in records]
    used = {t for themes in gold_themes for t in themes}
    themes = tuple(t for t in (*taxonomy.keys, *sorted(used - set(taxonomy.keys))) if t in used)
    unknown = tuple(sorted(used - set(taxonomy.keys)))
    results = analyse_records([_as_input(r) for r in records], bundle=bundle)
    predicted = [set(r["themes"]) for r in results]
    errors = tuple(
        (str(r["id"]), tuple(t for t in themes if t in g), tuple(t for t in themes if t in p))
        for r, g, p in zip(records, gold_themes, predicted) if g & set(themes) != p & set(themes)
    )
    return EvaluationReport(str(path), len(records), theme_figures(gold_themes, predicted, themes),
                            claim_figures([r["claims"] for r in records], _spending(results)),
                            model_version=bundle.version, in_training=in_training, unknown_themes=unknown,
                            errors=errors)


def _as_input(record: dict[str, Any]) -> dict[str, Any]:
    return {"id": record["id"], "title": record["title"], "text": record["text"], "published": record["published"]}


def _spending(results: Sequence[dict[str, Any]]) -> list[list[dict]]:
    return [[c for c in r.get("claims", []) if c["type"] == "spending"] for r in results]


__all__ = ["ClaimFigures", "EvaluationReport", "GoldFileError", "PRF", "ThemeFigures", "claim_figures",
           "evaluate_file", "normalise_actor", "read_gold", "theme_figures"]

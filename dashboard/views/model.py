"""Model: the theme and claim model in use with its cross-validated figures, and retraining it on
the analysts' corrections.

Retraining fits on the training files plus the corrected articles and reports new CV figures
beside the old, and how many items of the store would change theme; nothing changes until the
analyst accepts the new model, which then becomes the store's model and re-analyses the store
(corrections are applied again after it).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
import streamlit as st

from analysis.store import Store, StoreError
from analysis.themes import TaxonomyError
from dashboard import data, ui

CANDIDATE_KEY = "model_candidate"
FLASH_KEY = "model_flash"


def _module(name: str) -> tuple[Any, str | None]:
    """The model API's module (analysis.modelfile, analysis.training), or why it cannot be imported."""
    try:
        return importlib.import_module(name), None
    except ImportError as exc:
        return None, str(exc)


def _number(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def cv_table(manifest: Mapping[str, Any], labels: Mapping[str, str]) -> pd.DataFrame:
    """One row per theme, then spending claims: precision, recall, F1, support or actor agreement."""
    cv = manifest.get("cv") or {}
    rows = [
        {"Measured on": labels.get(theme, theme), "Precision": _number(f.get("precision")),
         "Recall": _number(f.get("recall")), "F1": _number(f.get("f1")), "Support": _number(f.get("support")),
         "Actor agreement": None}
        for theme, f in (cv.get("themes") or {}).items()
    ]
    claims = cv.get("claims") or {}
    if claims:
        rows.append({"Measured on": "Spending claims", "Precision": _number(claims.get("precision")),
                     "Recall": _number(claims.get("recall")), "F1": _number(claims.get("f1")), "Support": None,
                     "Actor agreement": _number(claims.get("actor"))})
    return pd.DataFrame(rows, columns=["Measured on", "Precision", "Recall", "F1", "Support", "Actor agreement"])


def _headline_figures(manifest: Mapping[str, Any], labels: Mapping[str, str]) -> dict[str, float | None]:
    cv = manifest.get("cv") or {}
    figures: dict[str, float | None] = {
        "Training size": _number(manifest.get("training_size")),
        "Theme macro-F1": _number(cv.get("macro_f1")),
        "Exact theme sets": _number(cv.get("exact")),
        "Spending-claims F1": _number((cv.get("claims") or {}).get("f1")),
        "Claim actor agreement": _number((cv.get("claims") or {}).get("actor")),
    }
    for theme, f in (cv.get("themes") or {}).items():
        figures[f"{labels.get(theme, theme)} F1"] = _number(f.get("f1"))
    return figures


def comparison_table(old: Mapping[str, Any], new: Mapping[str, Any], labels: Mapping[str, str]) -> pd.DataFrame:
    """The old and the retrained model's figures side by side, with the change."""
    before, after = _headline_figures(old, labels), _headline_figures(new, labels)
    names = list(dict.fromkeys([*before, *after]))
    frame = pd.DataFrame({"Measured on": names, "In use": [before.get(n) for n in names],
                          "Retrained": [after.get(n) for n in names]})
    return frame.assign(Change=frame["Retrained"] - frame["In use"])


def _fmt(value: Any, digits: int = 3) -> str:
    number = _number(value)
    if number is None:
        return "–"
    return f"{number:,.0f}" if number.is_integer() and number > 1 else f"{number:.{digits}f}"


def show_manifest(manifest: Mapping[str, Any], labels: Mapping[str, str]) -> None:
    cv = manifest.get("cv") or {}
    cells = st.columns(5)
    cells[0].metric("Version", str(manifest.get("version") or "unknown"))
    cells[1].metric("Training size", _fmt(manifest.get("training_size")), help="Labelled articles it was fitted on.")
    cells[2].metric("Theme macro-F1", _fmt(cv.get("macro_f1")), help="Cross-validated, grouped by source.")
    cells[3].metric("Exact theme sets", _fmt(cv.get("exact")), help="Share of articles whose whole theme set is right.")
    cells[4].metric("Spending-claims F1", _fmt((cv.get("claims") or {}).get("f1")))
    created = manifest.get("created_from") or []
    if created:
        st.caption("Fitted on: " + ui.md_escape(", ".join(str(c) for c in created)))
    table = cv_table(manifest, labels)
    if table.empty:
        st.info("The model's manifest has no cross-validated figures.")
        return
    st.dataframe(table, hide_index=True, width="stretch", key="model_cv", column_config={
        "Measured on": st.column_config.TextColumn("Measured on", width="medium"),
        **{name: st.column_config.NumberColumn(name, format="%.3f") for name in
           ("Precision", "Recall", "F1", "Actor agreement")},
        "Support": st.column_config.NumberColumn("Support", format="%d"),
    })


def _progress_reporter(bar) -> Callable[..., None]:
    """A progress callback for retrain: accepts (fraction[, text]), (done, total[, text]) or (text)."""
    def report(*args: Any, **kwargs: Any) -> None:
        numbers = [float(a) for a in args if isinstance(a, (int, float)) and not isinstance(a, bool)]
        text = next((a for a in args if isinstance(a, str)), str(kwargs.get("message") or kwargs.get("text") or ""))
        if len(numbers) >= 2 and numbers[1] > 0:
            fraction = numbers[0] / numbers[1]
        elif numbers and 0 <= numbers[0] <= 1:
            fraction = numbers[0]
        else:
            fraction = None
        if fraction is not None:
            bar.progress(min(max(fraction, 0.0), 1.0), text=ui.md_escape(text))
        elif text:
            bar.progress(0.0, text=ui.md_escape(text))
    return report


def _reader(ctx: ui.ViewContext) -> Store:
    return Store(ctx.db, ctx.store.connection.cursor(), read_only=True)


def retrain(ctx: ui.ViewContext, modelfile: Any, training: Any) -> None:
    """Fit a new model with the corrections and keep it in the session until it is accepted or discarded."""
    bar = st.progress(0.0, text="Retraining on the training files and the analysts' corrections…")
    taxonomy = data.taxonomy()[0]
    store = _reader(ctx)
    try:
        old = modelfile.active_bundle(store, taxonomy)
        new = training.retrain(store, taxonomy=taxonomy, progress=_progress_reporter(bar))
        changes = training.theme_changes(store, old, new)
    except (OSError, ValueError) as exc:  # the training files are missing, a model file is corrupt, ...
        st.error(f"Not retrained: {ui.md_escape(exc)}")
        return
    finally:
        store.close()
        bar.empty()
    st.session_state[CANDIDATE_KEY] = {"bundle": new, "old": dict(old.manifest), "changes": int(changes)}


def accept(ctx: ui.ViewContext, modelfile: Any, candidate: Mapping[str, Any]) -> str:
    """Make the retrained model the store's model and re-analyse the store with it."""
    from analysis import pipeline

    def activate_and_reanalyse(writer: Store) -> str:
        modelfile.activate(writer, candidate["bundle"])
        return pipeline.analyze_store(writer, redo_all=True)

    return data.write(ctx.db, activate_and_reanalyse, label="model accepted, store re-analysed")


def show_candidate(ctx: ui.ViewContext, modelfile: Any, candidate: Mapping[str, Any]) -> None:
    new = dict(candidate["bundle"].manifest)
    st.subheader("Retrained model", anchor=False)
    st.caption(f"Version {ui.md_escape(str(new.get('version') or 'unknown'))} · fitted on "
               + ui.md_escape(", ".join(str(c) for c in new.get("created_from") or [])))
    table = comparison_table(candidate["old"], new, ctx.theme_labels)
    st.dataframe(table, hide_index=True, width="stretch", key="model_compare", column_config={
        "Measured on": st.column_config.TextColumn("Measured on", width="medium"),
        "In use": st.column_config.NumberColumn("In use", format="%.3f"),
        "Retrained": st.column_config.NumberColumn("Retrained", format="%.3f"),
        "Change": st.column_config.NumberColumn("Change", format="%+.3f"),
    })
    changes = candidate["changes"]
    st.info(f"With the retrained model, **{changes:,} item{'s' if changes != 1 else ''}** of the store would "
            "change their themes (before the analysts' corrections, which are applied again either way).",
            icon=":material/compare_arrows:")
    accept_column, discard_column, _ = st.columns([2, 2, 5])
    if accept_column.button("Accept", key="model_accept", type="primary", icon=":material/check:",
                            disabled=ctx.read_only, help="Make it the store's model and re-analyse the store."):
        with st.spinner("Activating the model and re-analysing the store…"):
            try:
                summary = accept(ctx, modelfile, candidate)
            except StoreError as exc:
                st.error(f"Not accepted: {ui.md_escape(exc)}")
                return
        st.session_state.pop(CANDIDATE_KEY, None)
        st.session_state[FLASH_KEY] = f"The retrained model is in use. {summary}"
        st.rerun()
    if discard_column.button("Discard", key="model_discard", icon=":material/delete:"):
        st.session_state.pop(CANDIDATE_KEY, None)
        st.rerun()


def main() -> None:
    ctx = ui.context()
    ui.page_title("Model", "The model that assigns themes and weighs claims, how well it does under "
                           "cross-validation, and retraining it with the analysts' corrections.")
    if ctx.store is None:
        st.error(f"The store cannot be opened: {ui.md_escape(ctx.notice)}")
        return
    modelfile, problem = _module("analysis.modelfile")
    if problem is not None:
        st.info(f"Model management is not available in this installation ({ui.md_escape(problem)}).",
                icon=":material/info:")
        return
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(ui.md_escape(flash), icon=":material/check_circle:")
    st.subheader("In use", anchor=False)
    try:
        manifest = data.model_manifest(ctx.db)
    except (OSError, ValueError, KeyError, StoreError, TaxonomyError) as exc:
        st.error(f"The model in use cannot be read: {ui.md_escape(exc)}")
        return
    show_manifest(manifest, ctx.theme_labels)

    st.subheader("Retrain with corrections", anchor=False)
    counted = data.corrections_count(ctx.db)
    made, items = counted["corrections"], counted["items"]
    st.caption(f"The analysts have made {made:,} correction{'s' if made != 1 else ''} "
               f"on {items:,} article{'s' if items != 1 else ''}. Retraining fits on the "
               "training files plus the corrected articles and measures the result by grouped cross-validation; "
               "nothing changes until you accept it.")
    if ctx.read_only:
        st.caption("Read-only: another process has the store open, so a retrained model cannot be accepted here.")
    training, problem = _module("analysis.training")
    if problem is not None:
        st.info(f"Retraining is not available in this installation ({ui.md_escape(problem)}).",
                icon=":material/info:")
        return
    if st.button("Retrain with corrections", key="model_retrain", icon=":material/model_training:"):
        retrain(ctx, modelfile, training)
    candidate = st.session_state.get(CANDIDATE_KEY)
    if candidate:
        show_candidate(ctx, modelfile, candidate)


main()

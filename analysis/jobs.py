"""The work commands do on a store, as jobs the store's owner can run (analysis/owner.py).

Each job takes the store, a JSON payload (so a command can hand it to the owner in another
process) and an output to print to; it returns the command's exit status. Paths in a payload are
absolute: the owner may run in another working directory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from analysis.owner import JobOutput, Owner, job, owner_job
from analysis.store import Store


def _path(value: Any) -> Path | None:
    return Path(value) if value else None


@job("ingest")
def ingest(store: Store, payload: dict[str, Any], out: JobOutput) -> int:
    """Read files, folders and globs into the store; payload: paths, quiet."""
    from analysis.ingest.runner import ingest_paths

    report = ingest_paths(store, payload["paths"], progress=out.interactive and not payload.get("quiet"),
                          on_progress=lambda done, total: out.progress(done, total, "files read"))
    for outcome in report.failures:
        out.line(f"failed: {outcome.path}: {outcome.error}", err=True)
    for outcome in report.skipped:
        out.line(f"skipped: {outcome.path}: {outcome.error}", err=True)
    for outcome in report.outcomes:
        for warning in outcome.warnings:
            out.line(f"warning: {outcome.path}: {warning}", err=True)
    out.line(report.summary())
    return 1 if report.failures else 0


@job("analyze")
def analyze(store: Store, payload: dict[str, Any], out: JobOutput) -> int:
    """Analyse the items not analysed yet (all with ``all``); payload: all, themes, model, quiet."""
    from analysis import pipeline
    from analysis.modelfile import ModelFileError
    from analysis.themes import TaxonomyError

    try:
        summary = pipeline.analyze_store(store, redo_all=bool(payload.get("all")), themes_path=_path(payload.get("themes")),
                                         progress=out.interactive and not payload.get("quiet"),
                                         model_path=_path(payload.get("model")))
    except (ModelFileError, TaxonomyError) as exc:
        out.line(f"error: {exc}", err=True)
        return 2
    out.line(summary)
    return 0


@owner_job("poll")
def poll(owner: Owner, payload: dict[str, Any], out: JobOutput) -> int:
    """Fetch every enabled source of a sources file once and store what is new; payload: sources."""
    from analysis.polling import poll_job

    return poll_job(owner, payload, out)

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


@job("topics")
def topics(store: Store, payload: dict[str, Any], out: JobOutput) -> int:
    """List the stored topics, or refit them (``refit``; matched topics keep ids and labels); payload: refit, themes."""
    from analysis import topics as fw_topics
    from analysis.themes import TaxonomyError, load_taxonomy

    if not payload.get("refit"):
        table = fw_topics.stored_topics(store)
        for row in table.itertuples():
            out.line(f"{row.topic_id:>4}  {row.size:>7,}  {'emerging' if row.emerging else '        '}  {row.label}")
        out.line(f"{len(table)} topic{'s' if len(table) != 1 else ''}; `flankwatch topics --refit` fits them again")
        return 0
    try:
        taxonomy = load_taxonomy(_path(payload.get("themes")))
    except TaxonomyError as exc:
        out.line(f"error: {exc}", err=True)
        return 2
    update = fw_topics.refresh_topics(store, store.all_items_for_topics(), taxonomy=taxonomy, refit=True)
    if update.changes is not None:
        for row in update.changes.itertuples():
            out.line(f"{row.status:<8} {row.topic_id:>4}  {row.label}")
    out.line(update.summary())
    return 0


@job("corrections-export")
def corrections_export(store: Store, payload: dict[str, Any], out: JobOutput) -> int:
    """The corrected articles as labelled JSON lines: to ``file``, or as output lines when it is '-'."""
    from analysis import corrections

    lines = corrections.export_lines(store)
    if payload["file"] == "-":
        for line in lines:
            out.line(line)
        out.line(f"exported {len(lines)} corrected articles to -", err=True)
        return 0
    try:
        with open(payload["file"], "w", encoding="utf-8") as target:
            target.writelines(line + "\n" for line in lines)
    except OSError as exc:
        out.line(f"error: {payload['file']}: cannot write ({exc.strerror or exc})", err=True)
        return 2
    out.line(f"exported {len(lines)} corrected articles to {payload['file']}")
    return 0


@job("corrections-import")
def corrections_import(store: Store, payload: dict[str, Any], out: JobOutput) -> int:
    """Record a labelled JSON-lines file's themes and claims as corrections; payload: file."""
    from analysis import corrections

    try:
        report = corrections.import_jsonl(store, payload["file"])
    except (corrections.CorrectionError, OSError) as exc:
        out.line(f"error: {exc}", err=True)
        return 2
    out.line(report.summary())
    return 0


@job("correction-records")
def correction_records(store: Store, payload: dict[str, Any], out: JobOutput) -> int:
    """The corrected articles as training records, one JSON line each (for `flankwatch train --db`)."""
    import json

    from analysis.corrections import correction_records as records

    for record in records(store):
        out.line(json.dumps(record, default=str, ensure_ascii=False))
    return 0


from analysis.lake import export as _lake_export  # noqa: E402,F401  (registers the "export" job)

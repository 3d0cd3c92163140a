"""Add articles: upload files in the browser; they go through the same ingest and analysis as
`flankwatch ingest` and `flankwatch analyze`, and the per-file report is shown.

File names are not trusted: ingest only shows a cleaned name and reads the content by sniffing.
"""

from __future__ import annotations

from dataclasses import asdict

import pandas as pd
import streamlit as st

from analysis.ingest import MAX_FILE_BYTES, supported_suffixes
from analysis.store import Store
from dashboard import data, ui

# One limit for a file, however it arrives; server.maxUploadSize in .streamlit/config.toml matches it.
MAX_UPLOAD_MB = MAX_FILE_BYTES // 1_000_000
# Every ending a reader reads (the readers' registry decides, so a new reader is accepted here too).
ALLOWED_TYPES = supported_suffixes()  # with the dot: streamlit reads a bare "text" as a MIME type
REPORT_KEY = "upload_report"
UPLOADER_KEY = "uploads"


def too_large(files: list, *, limit_bytes: int = MAX_FILE_BYTES) -> list[str]:
    return [f.name for f in files if f.size > limit_bytes]


def ingest_and_analyse(ctx: ui.ViewContext, files: list) -> dict:
    """Run the command line's ingest and analysis on the uploaded files; return what to report."""
    from analysis import pipeline
    from analysis.ingest.runner import ingest_uploads

    uploads = [(f.name, f.getvalue()) for f in files]

    def ingest_then_analyse(writer: Store) -> tuple:
        report = ingest_uploads(writer, uploads, progress=False)
        return report, pipeline.analyze_store(writer, redo_all=False, themes_path=None, progress=False)

    # on the store owner's write thread, after whatever ingest, poll or correction is running
    report, analysis = data.write(ctx.db, ingest_then_analyse, label=f"upload of {len(uploads)} file"
                                  + ("s" if len(uploads) != 1 else ""))
    outcomes = pd.DataFrame([asdict(o) for o in report.outcomes])
    if len(outcomes):
        outcomes = outcomes.assign(warnings=["; ".join(w) for w in outcomes["warnings"]])
    return {"summary": report.summary(), "analysis": analysis, "outcomes": outcomes,
            "failed": len(report.failures)}


def _show_report(report: dict) -> None:
    st.subheader("Report", anchor=False)
    (st.warning if report["failed"] else st.success)(
        f"{report['failed']} file{'s' if report['failed'] != 1 else ''} failed." if report["failed"]
        else "All files read.", icon=":material/fact_check:")
    st.text(report["summary"])
    st.text(report["analysis"])
    outcomes = report["outcomes"]
    if len(outcomes):
        number = st.column_config.NumberColumn
        # widths that add up to a 1440 px screen's table (about 960 px): Error and Warnings in sight
        st.dataframe(outcomes, hide_index=True, width="stretch", column_config={
            "path": st.column_config.TextColumn("File", width=190), "status": st.column_config.TextColumn(
                "Status", width=75), "reader": st.column_config.TextColumn("Read as", width=85),
            "items_read": number("Items read", width=75), "items_new": number("New", width=50),
            "items_duplicate": number("Duplicates", width=80),
            "items_near_duplicate": number("Near-duplicates", width=105),
            "error": st.column_config.TextColumn("Error", width=160),
            "warnings": st.column_config.TextColumn("Warnings", width=120),
        })


def main() -> None:
    ctx = ui.context()
    ui.page_title("Add articles", "Upload saved pages, HTML, JSON or CSV exports and RSS/Atom feeds. They are "
                                  "read, de-duplicated and analysed exactly as on the command line.")
    if ctx.store is None:
        st.error(f"The store cannot be opened: {ui.md_escape(ctx.notice)}")
        return
    files = st.file_uploader(
        f"Files ({', '.join(t.lstrip('.') for t in ALLOWED_TYPES)}; up to {MAX_UPLOAD_MB} MB each)",
        type=list(ALLOWED_TYPES),
        accept_multiple_files=True, key=UPLOADER_KEY, disabled=ctx.read_only,
    ) or []
    oversized = too_large(files)
    if oversized:
        st.error(f"Larger than {MAX_UPLOAD_MB} MB, not read: " + ", ".join(ui.md_escape(n) for n in oversized))
    accepted = [f for f in files if f.name not in oversized]
    if st.button(f"Ingest and analyse {len(accepted)} file{'s' if len(accepted) != 1 else ''}", type="primary",
                 disabled=ctx.read_only or not accepted, icon=":material/play_arrow:"):
        with st.spinner("Reading and analysing…"):
            try:
                st.session_state[REPORT_KEY] = ingest_and_analyse(ctx, accepted)
            except ImportError as exc:
                st.error(f"Ingest is not available in this installation: {ui.md_escape(exc)}")
    report = st.session_state.get(REPORT_KEY)
    if report:
        _show_report(report)
    st.caption(f"Store: {ui.md_escape(ctx.db)}")


main()

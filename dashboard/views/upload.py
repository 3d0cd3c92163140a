"""Add articles: upload files in the browser; they go through the same ingest and analysis as
`flankwatch ingest` and `flankwatch analyze`, and the report is shown: per file, and the new items
with links to their article view. It stays (in Session State, which outlives page switches) until
the next upload or until it is dismissed.

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
NEW_ITEMS_SHOWN = 500


def too_large(files: list, *, limit_bytes: int = MAX_FILE_BYTES) -> list[str]:
    return [f.name for f in files if f.size > limit_bytes]


def ingest_and_analyse(ctx: ui.ViewContext, files: list) -> dict:
    """Run the command line's ingest and analysis on the uploaded files; return what to report."""
    from analysis import pipeline
    from analysis.ingest.runner import ingest_uploads

    uploads = [(f.name, f.getvalue()) for f in files]

    def ingest_then_analyse(writer: Store) -> tuple:
        report = ingest_uploads(writer, uploads, progress=False)
        analysis = pipeline.analyze_store(writer, redo_all=False, themes_path=None, progress=False)
        new_items = writer.query_df(
            """SELECT id, published_date, title, outlet, kind, duplicate_of IS NOT NULL AS near_duplicate
               FROM items WHERE run_id = ? ORDER BY kind, published_date DESC NULLS LAST, title""", [report.run_id])
        return report, analysis, new_items

    # on the store owner's write thread, after whatever ingest, poll or correction is running
    report, analysis, new_items = data.write(ctx.db, ingest_then_analyse,
                                             label=f"upload of {ui.plural(len(uploads), 'file')}")
    outcomes = pd.DataFrame([asdict(o) for o in report.outcomes])
    if len(outcomes):
        outcomes = outcomes.assign(warnings=["; ".join(w) for w in outcomes["warnings"]])
    return {"summary": report.summary(), "analysis": analysis, "outcomes": outcomes,
            "failed": len(report.failures), "new_items": new_items}


def _dismiss() -> None:
    st.session_state.pop(REPORT_KEY, None)


def _show_report(report: dict) -> None:
    head, dismiss = st.columns([5, 1], vertical_alignment="bottom")
    head.subheader("Report", anchor=False)
    dismiss.button("Dismiss", key="upload_dismiss", icon=":material/close:", on_click=_dismiss,
                   help="The report stays until the next upload, on this page, whatever pages you visit.")
    (st.warning if report["failed"] else st.success)(
        f"{ui.plural(report['failed'], 'file')} failed." if report["failed"]
        else "All files read.", icon=":material/fact_check:")
    st.text(report["summary"])
    st.text(report["analysis"])
    new_items = report.get("new_items")
    if new_items is not None and len(new_items):
        st.subheader(f"New items ({len(new_items):,})", anchor=False)
        shown = new_items.head(NEW_ITEMS_SHOWN)
        st.dataframe(
            shown.assign(link=[f"articles?item={item_id}" for item_id in shown["id"]],
                         outlet=shown["outlet"].fillna(""))[
                ["published_date", "title", "outlet", "kind", "near_duplicate", "link"]],
            hide_index=True, width="stretch", key="upload_new_items", column_config={
                "published_date": st.column_config.DateColumn("Published", format="YYYY-MM-DD", width=100),
                "title": st.column_config.TextColumn("Title", width="large"),
                "outlet": st.column_config.TextColumn("Source"),
                "kind": st.column_config.TextColumn("Kind", width=80),
                "near_duplicate": st.column_config.CheckboxColumn(
                    "Near-duplicate", width=110, help="Linked to a story already in the store"),
                "link": st.column_config.LinkColumn("Article view", display_text="Open", width=100),
            })
        if len(new_items) > NEW_ITEMS_SHOWN:
            st.caption(f"The first {NEW_ITEMS_SHOWN:,}; the Articles page lists them all.")
    elif new_items is not None:
        st.caption("No new items: everything read was in the store already.")
    outcomes = report["outcomes"]
    if len(outcomes):
        st.subheader("Files", anchor=False)
        st.dataframe(outcomes, hide_index=True, width="stretch", column_config={
            "path": "File", "status": "Status", "reader": "Read as", "items_read": "Items read",
            "items_new": "New", "items_duplicate": "Duplicates", "items_near_duplicate": "Near-duplicates",
            "error": st.column_config.TextColumn("Error", width="large"), "warnings": "Warnings",
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
    if st.button(f"Ingest and analyse {ui.plural(len(accepted), 'file')}", type="primary",
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

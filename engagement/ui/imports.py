"""Import responses from a spreadsheet: upload, see each row's problems, then import; rejected rows stay in
quarantine to download, correct and import again."""

from __future__ import annotations

import streamlit as st
from sqlmodel import Session

from engagement.importer import (
    ImportFileError,
    batches,
    csv_bytes,
    import_preview,
    preview_import,
    read_table,
    rejected_rows,
    sheet_names,
    template_bytes,
)
from engagement.models import CHANNELS
from engagement.ui.access import require_roles
from engagement.ui.shared import current_form, engine
from engagement.ui.text import escape_markdown

PAGE = "Import responses"

user = require_roles("analyst", "admin")
form = current_form()
st.title(PAGE)
st.caption(
    "For spreadsheets of responses, such as a Healthwatch team's. One row per response: paper_ref, submitted_on, "
    "then one column per question. Cells may hold an answer's code or its wording."
)
left, right = st.columns(2)
left.download_button("Download the CSV template", template_bytes(form, xlsx=False), f"{form.slug}-template.csv",
                     mime="text/csv")
right.download_button("Download the Excel template (with drop-down lists)", template_bytes(form, xlsx=True),
                      f"{form.slug}-template.xlsx",
                      mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

done = st.session_state.pop("import_done", None)
if done:
    st.success(
        f"Batch {done['batch_id']}: {done['rows']} rows read, {done['imported']} imported, {done['rejected']} "
        f"rejected (kept below to correct), {done['duplicates']} duplicates not stored again.",
        icon=":material/check_circle:",
    )

channel = st.selectbox("How these responses were collected", list(CHANNELS), index=list(CHANNELS).index("import"),
                       format_func=CHANNELS.get)
upload = st.file_uploader("Spreadsheet to import (CSV or Excel .xlsx)", type=["csv", "xlsx"])
if upload is not None:
    data = upload.getvalue()
    sheet = None
    try:
        if data[:2] == b"PK":
            sheet = st.selectbox("Sheet", sheet_names(data))
        table = read_table(data, upload.name, sheet)
        with Session(engine()) as session:
            preview = preview_import(session, form, table, channel)
    except ImportFileError as exc:
        st.error(escape_markdown(str(exc)), icon=":material/error:")
    else:
        counts = preview.counts()
        if preview.same_file_batch:
            st.warning(f"This file was already imported as batch {preview.same_file_batch}. Importing it again "
                       "stores nothing twice: every row counts as a duplicate.", icon=":material/content_copy:")
        columns = st.columns(4)
        for column, (key, label) in zip(columns, [("rows", "Rows"), ("imported", "Will be imported"),
                                                  ("rejected", "Rejected"), ("duplicates", "Duplicates")],
                                        strict=True):
            column.metric(label, counts[key])
        if preview.tolerated:
            st.subheader("Read leniently")
            st.dataframe({"Cell read as": preview.tolerated}, hide_index=True)
        st.subheader("Each row")
        st.dataframe(preview.row_report(), hide_index=True)
        noun = "row" if counts["imported"] == 1 else "rows"
        nothing_new = not (counts["imported"] or counts["rejected"])
        if st.button(f"Import {counts['imported']} {noun}", type="primary", disabled=nothing_new):
            bar = st.progress(0.0, text="Importing…")
            with Session(engine()) as session:
                result = import_preview(session, preview, actor=user.username, via=f"page: {PAGE}",
                                        progress=lambda share: bar.progress(min(share, 1.0), text="Importing…"))
            st.session_state["import_done"] = result.as_json()
            st.rerun()

st.header("Rejected rows", divider="blue")
with Session(engine()) as session:
    past = batches(session, form.slug)
if past.empty:
    st.caption("No imports yet.")
else:
    st.dataframe(past[["id", "file_name", "channel", "rows", "imported", "rejected", "duplicates", "imported_by",
                       "imported_at"]], hide_index=True)
    with_rejected = past.loc[past["rejected"] > 0, "id"].tolist()
    if with_rejected:
        batch_id = st.selectbox("Batch", with_rejected)
        with Session(engine()) as session:
            waiting = rejected_rows(session, batch_id)
        st.caption(f"{len(waiting)} rows of {batch_id} wait to be corrected. Download them, correct the cells "
                   "named in 'problems', and upload the file above; rows that then import leave this list.")
        st.dataframe(waiting, hide_index=True)
        st.download_button("Download rejected rows (CSV)", csv_bytes(waiting), f"{batch_id}-rejected.csv",
                           mime="text/csv", disabled=waiting.empty)

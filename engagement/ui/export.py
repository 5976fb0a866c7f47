"""Exports for communications staff: the answers as a tidy CSV, and the summary as a spreadsheet, charts or a
board-ready report (with an Easy Read version)."""

from __future__ import annotations

import streamlit as st

from engagement.analysis.counts import response_counts
from engagement.analysis.demographics import DIMENSIONS
from engagement.forms import versions_of
from engagement.places import all_places
from engagement.reports.export import tidy_csv_bytes
from engagement.reports.files import ExportError, answers_with_themes, build_files
from engagement.reports.report import CoverSheet
from engagement.reports.row_level import may_have_full_row_level, row_level_for
from engagement.reports.summary import Selection, SelectionError
from engagement.ui.access import record, require_roles
from engagement.ui.shared import current_form, engine, synthetic_notice
from engagement.ui.text import escape_markdown

user = require_roles("comms", "admin")
form = current_form()
st.title("Exports")
counts = response_counts(engine(), [version.slug for version in versions_of(form)])  # exports hold both
synthetic_notice(counts["synthetic"], counts["responses"])

SUMMARY_FORMATS = {
    "xlsx": "Spreadsheet (XLSX): every table, one sheet each",
    "pdf": "Report (PDF) with an Easy Read version",
    "html": "Report (web page, HTML) with an Easy Read version",
    "png": "Charts (PNG pictures) with alt text",
    "svg": "Charts (SVG, for designers) with alt text",
    "csv": "Summary tables (CSV)",
}
EVERYWHERE = "All places"
DEFAULT_GROUPS = "Place and the main groups (age, sex, ethnic group, disability, seldom-heard)"

include_synthetic = st.checkbox(
    "Include synthetic demo responses (marked in the is_synthetic column)", value=bool(counts["synthetic"])
)
places = {p.name: p.code for p in all_places()}
place_name = st.selectbox("Place", [EVERYWHERE, *places], key="export:place")
selection = Selection(place=places.get(place_name), include_synthetic=include_synthetic)

st.header("Answers as a tidy CSV", divider="blue")
st.markdown(
    "One row per response and question (and per word for the three-words question), with the question "
    "text, the answer's label, and the themes and sentiment of written answers. Opens in Excel."
)
full_file = may_have_full_row_level(user.roles)
if not full_file:
    st.caption(
        "Your file leaves out what could identify someone in a small place: no reference or time of day, age in "
        "bands, no postcode district and only some of the 'About you' answers. Written answers are redacted."
    )
try:
    tidy = row_level_for(answers_with_themes(engine(), form, selection), form, user.roles)
except SelectionError as exc:
    st.error(escape_markdown(str(exc)))
    st.stop()
responses = tidy["response_reference" if full_file else "respondent"].nunique() if not tidy.empty else 0
st.download_button(
    f"Download CSV of answers ({responses:,} responses, {len(tidy):,} rows)",
    data=tidy_csv_bytes(tidy),
    file_name=f"{form.slug}-answers.csv",
    mime="text/csv",
    type="primary",
    on_click=record,
    args=(user, "export", "Exports"),
    kwargs={"target_kind": "survey", "target_id": form.slug, "format": "csv", "rows": len(tidy),
            "row_level": "full" if full_file else "comms", "place": selection.place,
            "synthetic_included": include_synthetic},
)
st.subheader("First rows")
st.dataframe(tidy.head(20), hide_index=True)

st.header("Summary files", divider="blue")
st.markdown(
    "Figures only, no one person's answers: small groups are hidden (shown as *), and quotes have personal "
    "details removed and come only from people who agreed to be quoted."
)
fmt = st.radio("Format", list(SUMMARY_FORMATS), format_func=SUMMARY_FORMATS.get, key="export:format")
by_label = st.selectbox("Break priorities down by", [DEFAULT_GROUPS, *(d.label for d in DIMENSIONS.values())],
                        key="export:by")
by = next((name for name, d in DIMENSIONS.items() if d.label == by_label), None)
weighted = st.checkbox("Add figures weighted to Census 2021", key="export:weighted")
each_place = st.checkbox("One file per place, in a zip", key="export:each_place", disabled=bool(selection.place))
cover = None
if fmt in ("pdf", "html"):
    with st.expander("Board cover sheet (left empty: filled in from the figures)"):
        cover = CoverSheet(
            meeting=st.text_input("Meeting", CoverSheet.meeting, key="cover:meeting"),
            title=st.text_input("Report title", key="cover:title"),
            meeting_date=st.text_input("Date of meeting", key="cover:date"),
            author=st.text_input("Report author", CoverSheet.author, key="cover:author"),
            summary=st.text_area("Report summary", key="cover:summary"),
            recommendations=st.text_area("Recommendations", key="cover:recommendations"),
            citizen_engagement=st.text_area("Citizen engagement", key="cover:citizen"),
            equality_impact=st.text_area("Equality impact assessment", key="cover:equality"),
        )

if st.button("Build the files", key="export:build"):
    bar = st.progress(0.0, text="Starting")
    chosen = Selection(selection.place, by, weighted, include_synthetic)
    try:
        files = build_files(engine(), form, fmt, chosen, roles=user.roles, summary_only=True,
                            each_place=each_place and not selection.place, cover=cover,
                            progress=lambda fraction, step: bar.progress(min(fraction, 1.0), text=step))
    except ExportError as exc:
        bar.empty()
        st.error(escape_markdown(str(exc)))
        st.session_state.pop("export:files", None)
    else:
        bar.progress(1.0, text="Ready")
        st.session_state["export:files"] = files

for file in st.session_state.get("export:files", []):
    st.download_button(
        f"Download {file.name}",
        data=file.data,
        file_name=file.name,
        mime=file.mime,
        key=f"export:download:{file.name}",
        on_click=record,
        args=(user, "export", "Exports"),
        kwargs={"target_kind": "survey", "target_id": form.slug, "format": file.name.rsplit(".", 1)[-1],
                "place": selection.place, "by": by, "weighted": weighted, "row_level": False},
    )

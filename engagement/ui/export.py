"""Exports for communications staff: the tidy CSV of every answer."""

from __future__ import annotations

import streamlit as st

from engagement.analysis.counts import response_counts
from engagement.analysis.tidy import tidy_answers
from engagement.reports.export import tidy_csv_bytes
from engagement.ui.access import record, require_roles
from engagement.ui.shared import current_form, engine, synthetic_notice

user = require_roles("comms", "admin")
form = current_form()
st.title("Exports")
counts = response_counts(engine(), form.slug)
synthetic_notice(counts["synthetic"], counts["responses"])

include_synthetic = st.checkbox(
    "Include synthetic demo responses (marked in the is_synthetic column)", value=bool(counts["synthetic"])
)
tidy = tidy_answers(engine(), form, include_synthetic=include_synthetic)

st.header("Answers as a tidy CSV", divider="blue")
st.markdown(
    "One row per response and question (and per word for the three-words question), with the question "
    "text and the answer's label. Opens in Excel."
)
st.download_button(
    f"Download CSV ({tidy['response_reference'].nunique() if not tidy.empty else 0:,} responses, "
    f"{len(tidy):,} rows)",
    data=tidy_csv_bytes(tidy),
    file_name=f"{form.slug}-answers.csv",
    mime="text/csv",
    type="primary",
    on_click=record,
    args=(user, "export", "Exports"),
    kwargs={"target_kind": "survey", "target_id": form.slug, "format": "csv", "rows": len(tidy),
            "synthetic_included": include_synthetic},
)
st.subheader("First rows")
st.dataframe(tidy.head(20), hide_index=True)

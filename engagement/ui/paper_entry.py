"""Paper entry: Healthwatch volunteers key in paper forms, keyboard only, in batches; save and start the next;
open one of their own entries to correct it (each correction kept as a version)."""

from __future__ import annotations

from datetime import UTC, datetime, time

import streamlit as st
from sqlmodel import Session

from engagement.analysis.counts import entries_by
from engagement.entries import (
    batch_label,
    batch_tally,
    correct_entry,
    entry_history,
    own_entry,
    own_entry_answers,
    stored_values,
)
from engagement.intake import IntakeError, Provenance, submit_response
from engagement.ui.access import require_roles
from engagement.ui.form_widgets import answer_widgets, clear_answers, collect_answers, fill_answers, problem_summary
from engagement.ui.shared import current_form, engine

PREFIX = "paper"
FIX = "fix"
PAGE = "page: Paper form entry"

user = require_roles("volunteer", "admin")
form = current_form()
st.title("Paper form entry")
st.caption(
    "For volunteers keying in paper forms. Use Tab and Shift+Tab to move between answers, arrow keys to "
    "choose, and the Save button at the end. Leave blank anything the person left blank."
)

st.subheader("Batch")
left, right = st.columns(2)
event = left.text_input("Event or place the forms come from", key="paper_batch_event",
                        placeholder="For example: Bulwell library drop-in")
held_on = right.date_input("Date of the event", key="paper_batch_date", format="DD/MM/YYYY")
batch = batch_label(event, held_on) if event.strip() else None
if batch:
    st.caption(f"Forms saved now belong to the batch '{batch}': {batch_tally(engine(), batch)} entered so far.")
else:
    st.caption("Name the event so the forms you save are kept together as one batch.")

saved = st.session_state.pop("paper_saved", None)
if saved:
    st.success(f"Saved paper form {saved}. The form is clear for the next one.", icon=":material/check_circle:")
errors: dict[str, str] = st.session_state.get("paper_errors", {})
problem_summary(form, errors, "Not saved. Please check:")

st.caption(f"Forms you save are recorded as entered by {user.username}.")
with st.form("paper_form", border=False):
    st.text_input("Paper form reference (written on the form)", key=f"{PREFIX}:paper_reference")
    if "paper_reference" in errors:
        st.error(errors["paper_reference"])
    answer_widgets(form, PREFIX, errors)
    submitted = st.form_submit_button("Save and start the next form", type="primary")

if submitted:
    answers = collect_answers(form, PREFIX)
    provenance = Provenance(
        channel="paper",
        entered_by=user.username,
        paper_reference=st.session_state.get(f"{PREFIX}:paper_reference"),
        import_batch=batch,
    )
    try:
        with Session(engine()) as session:
            response = submit_response(session, form, answers, provenance)
        st.session_state["paper_errors"] = {}
        st.session_state["paper_saved"] = f"{provenance.paper_reference} as {response.reference}"
        clear_answers(form, PREFIX)
    except IntakeError as exc:
        st.session_state["paper_errors"] = {p.question_id: p.message for p in exc.problems}
    st.rerun()

today = datetime.combine(datetime.now(UTC).date(), time.min, tzinfo=UTC)
entries = entries_by(engine(), user.username, today)
st.subheader(f"Entered by you today: {len(entries)}")
if entries:
    st.dataframe(entries, hide_index=True)

st.subheader("Check or correct one of your entries")
reference = st.text_input("Reference of a form you entered (R-…)", key="paper_check_reference")
if reference.strip():
    with Session(engine()) as session:
        response = own_entry(session, reference, user.username)
        values = stored_values(session, response.id) if response else {}
        history = entry_history(session, form, response.id) if response else None
        answers_now = own_entry_answers(session, reference, user.username, via=PAGE) if response else None
    if response is None:
        st.error("You have not entered a paper form with that reference.")
    else:
        if st.session_state.get("fix_loaded") != response.reference:
            fill_answers(form, FIX, values)
            st.session_state["fix_loaded"] = response.reference
        corrected = st.session_state.pop("fix_saved", None)
        if corrected:
            st.success(corrected, icon=":material/check_circle:")
        st.markdown("**Versions of this entry** (newest first)")
        st.dataframe(history, hide_index=True)
        st.markdown("**Answers as stored now**")
        st.dataframe(answers_now, hide_index=True)
        st.markdown("**Correct this entry**: change what was keyed wrongly, then save. The earlier version is kept.")
        fix_errors: dict[str, str] = st.session_state.get("fix_errors", {})
        problem_summary(form, fix_errors, "Correction not saved. Please check:")
        with st.form("fix_form", border=False):
            answer_widgets(form, FIX, fix_errors)
            fix = st.form_submit_button("Save correction", type="primary")
        if fix:
            try:
                with Session(engine()) as session:
                    version = correct_entry(session, form, response.reference, user.username,
                                            collect_answers(form, FIX), via=PAGE)
            except IntakeError as exc:
                st.session_state["fix_errors"] = {p.question_id: p.message for p in exc.problems}
            else:
                st.session_state["fix_errors"] = {}
                st.session_state["fix_saved"] = (f"Saved as version {version} of {response.reference}."
                                                 if version else "Nothing changed, so no new version was saved.")
            st.rerun()

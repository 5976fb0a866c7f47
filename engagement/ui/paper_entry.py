"""Paper entry: Healthwatch volunteers key in paper forms, keyboard only, save and start the next."""

from __future__ import annotations

from datetime import UTC, datetime, time

import streamlit as st
from sqlmodel import Session

from engagement.analysis.counts import entries_by
from engagement.db import DatabaseUnavailable
from engagement.entries import own_entry_answers
from engagement.intake import IntakeError, Provenance, submit_response
from engagement.ui.access import require_roles
from engagement.ui.form_widgets import answer_widgets, clear_answers, collect_answers, problem_summary
from engagement.ui.shared import current_form, engine, next_submission_key, submission_key

PREFIX = "paper"

user = require_roles("volunteer", "admin")
form = current_form()
st.title("Paper form entry")
st.caption(
    "For volunteers keying in paper forms. Use Tab and Shift+Tab to move between answers, arrow keys to "
    "choose, and the Save button at the end. Leave blank anything the person left blank."
)

saved = st.session_state.pop("paper_saved", None)
if saved:
    st.success(f"Saved paper form {saved}. The form is clear for the next one.", icon=":material/check_circle:")
if st.session_state.pop("paper_not_saved", False):
    st.error("**Not saved**: the service could not reach its database. The form's answers are still below; "
             "please press “Save and start the next form” again in a minute.", icon=":material/cloud_off:")
errors: dict[str, str] = st.session_state.get("paper_errors", {})
problem_summary(form, errors, "Not saved. Please check:")

st.caption(f"Forms you save are recorded as entered by {user.username}.")
form_key = submission_key(PREFIX)  # made when the form is shown: one per filled-in form
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
        submission_key=form_key,
    )
    try:
        with Session(engine()) as session:
            response = submit_response(session, form, answers, provenance)
        st.session_state["paper_errors"] = {}
        st.session_state["paper_saved"] = f"{provenance.paper_reference} as {response.reference}"
        st.session_state[f"{PREFIX}_stored"] = True
        clear_answers(form, PREFIX)
    except IntakeError as exc:
        st.session_state["paper_errors"] = {p.question_id: p.message for p in exc.problems}
    except DatabaseUnavailable:
        st.session_state["paper_not_saved"] = True
    st.rerun()
next_submission_key(PREFIX)

today = datetime.combine(datetime.now(UTC).date(), time.min, tzinfo=UTC)
entries = entries_by(engine(), user.username, today)
st.subheader(f"Entered by you today: {len(entries)}")
if entries:
    st.dataframe(entries, hide_index=True)

st.subheader("Check one of your entries")
reference = st.text_input("Reference of a form you entered (R-…)", key="paper_check_reference")
if reference.strip():
    with Session(engine()) as session:
        answers = own_entry_answers(session, reference, user.username, via="page: Paper form entry")
    if answers is None:
        st.error("You have not entered a paper form with that reference.")
    else:
        st.dataframe(answers, hide_index=True)

"""Paper entry: Healthwatch volunteers key in paper forms, keyboard only, in batches; save and start the next;
open one of their own entries to correct it (each correction kept as a version)."""

from __future__ import annotations

from datetime import UTC, datetime, time

import streamlit as st
from sqlmodel import Session

from engagement.analysis.counts import entries_by
from engagement.db import DatabaseUnavailable
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
from engagement.ui.form_widgets import (
    answer_widgets,
    answers_emptied_if_stored,
    clear_answers,
    collect_answers,
    fill_answers,
    problem_summary,
    show_outcome_first,
)
from engagement.ui.shared import current_form, engine, next_submission_key, submission_key
from engagement.ui.text import escape_markdown
from engagement.verification import (
    VerificationError,
    disagreements,
    key_second_entry,
    require_verification,
    resolve,
    settled_answers,
    waiting_to_settle,
)

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
    if st.checkbox("Every sheet in this batch is keyed twice, by two volunteers (double entry)",
                   key="paper_batch_double"):
        with Session(engine()) as session:
            require_verification(session, form.slug, batch, actor=user.username)
else:
    st.caption("Name the event so the forms you save are kept together as one batch.")
second_keying = st.toggle("I am keying a sheet a second time (another volunteer keyed it first)",
                          key="paper_second_keying")

saved = st.session_state.pop("paper_saved", None)
if saved:
    st.success(f"Saved paper form {saved}. The form is clear for the next one.", icon=":material/check_circle:")
if st.session_state.pop("paper_not_saved", False):
    st.error("**Not saved**: the service could not reach its database. The form's answers are still below; "
             "please press “Save and start the next form” again in a minute.", icon=":material/cloud_off:")
errors: dict[str, str] = st.session_state.get("paper_errors", {})
problem_summary(form, errors, "Not saved. Please check:")
if just_sent := st.session_state.pop("paper_just_sent", None):
    show_outcome_first(just_sent)

st.caption(f"Forms you save are recorded as entered by {user.username}.")
answers_emptied_if_stored(form, PREFIX)
form_key = submission_key(PREFIX)  # made when the form is shown: one per filled-in form
with st.form("paper_form", border=False):
    st.text_input("Paper form reference (written on the form)", key=f"{PREFIX}:paper_reference")
    if "paper_reference" in errors:
        st.error(escape_markdown(errors["paper_reference"]))
    answer_widgets(form, PREFIX, errors)
    submitted = st.form_submit_button("Save and start the next form", type="primary")

compared = st.session_state.pop("paper_compared", None)
if compared is not None:
    reference_keyed, table = compared
    if table.empty:
        st.success(f"Second keying of {reference_keyed} matches the first: the sheet is verified.")
    else:
        noun = "answer" if len(table) == 1 else "answers"
        st.warning(f"Second keying of {reference_keyed} differs from the first in {len(table)} {noun}. A third "
                   "person will settle the sheet.")
        st.dataframe(table, hide_index=True)

if submitted and second_keying:
    paper_reference = st.session_state.get(f"{PREFIX}:paper_reference") or ""
    try:
        with Session(engine()) as session:
            table = key_second_entry(session, form, paper_reference, user.username,
                                     collect_answers(form, PREFIX), via=PAGE)
    except (IntakeError, VerificationError) as exc:
        problems = exc.problems if isinstance(exc, IntakeError) else []
        st.session_state["paper_errors"] = ({p.question_id: p.message for p in problems} if problems
                                            else {"paper_reference": str(exc)})
    else:
        st.session_state["paper_errors"] = {}
        st.session_state["paper_compared"] = (paper_reference.strip(), table)
        clear_answers(PREFIX)
    st.session_state["paper_just_sent"] = form_key
    st.rerun()

if submitted:
    answers = collect_answers(form, PREFIX)
    provenance = Provenance(
        channel="paper",
        entered_by=user.username,
        paper_reference=st.session_state.get(f"{PREFIX}:paper_reference"),
        import_batch=batch,
        submission_key=form_key,
    )
    try:
        with Session(engine()) as session:
            response = submit_response(session, form, answers, provenance)
        st.session_state["paper_errors"] = {}
        st.session_state["paper_saved"] = f"{provenance.paper_reference} as {response.reference}"
        st.session_state[f"{PREFIX}_stored"] = True
        clear_answers(PREFIX)
    except IntakeError as exc:
        st.session_state["paper_errors"] = {p.question_id: p.message for p in exc.problems}
    except DatabaseUnavailable:
        st.session_state["paper_not_saved"] = True
    st.session_state["paper_just_sent"] = form_key
    st.rerun()
next_submission_key(PREFIX)

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

st.subheader("Settle double-entry disagreements")
with Session(engine()) as session:
    waiting = waiting_to_settle(session, form.slug, user.username)
if waiting.empty:
    st.caption("No sheets wait for you to settle. (You cannot settle a sheet you keyed yourself.)")
else:
    st.dataframe(waiting, hide_index=True)
    sheet = st.selectbox("Sheet to settle", waiting["paper_reference"].tolist(), key="settle_sheet")
    with Session(engine()) as session:
        side_by_side = disagreements(session, form, sheet)
    st.dataframe(side_by_side, hide_index=True)
    for row in side_by_side.to_dict("records"):  # a handful of disagreements on one sheet, not a hot path
        shown = {"first": row["first keying"], "second": row["second keying"]}
        st.radio(f"{row['question']}: which is on the paper form?", list(shown), format_func=shown.get,
                 key=f"settle:{row['question_id']}", horizontal=True)
    if st.button("Settle this sheet", type="primary"):
        with Session(engine()) as session:
            version = resolve(session, form, sheet, user.username, settled_answers(
                session, form, sheet, {qid: st.session_state.get(f"settle:{qid}", "first")
                                       for qid in side_by_side["question_id"]}), via=PAGE)
        st.session_state["paper_settled"] = f"Sheet {sheet} settled" + (f" (version {version})." if version else ".")
        st.rerun()
settled = st.session_state.pop("paper_settled", None)
if settled:
    st.success(settled)

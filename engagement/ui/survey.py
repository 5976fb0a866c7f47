"""The public survey page."""

from __future__ import annotations

import streamlit as st
from sqlmodel import Session

from engagement.db import DatabaseUnavailable
from engagement.forms import easy_read_version
from engagement.intake import IntakeError, Provenance, submit_response
from engagement.ui.form_widgets import (
    answer_widgets,
    answers_emptied_if_stored,
    clear_answers,
    collect_answers,
    problem_summary,
    show_outcome_first,
)
from engagement.ui.shared import current_form, engine, next_submission_key, submission_key

VERSIONS = {"standard": "Standard version", "easy_read": "Easy Read version (short sentences, everyday words)"}

LINKED = {"easy-read": "easy_read", "standard": "standard"}  # ?version= in a link -> the version shown


def _version_in_address() -> None:
    """The chosen version goes into the address, so the link can be shared and every later run agrees with it."""
    if st.session_state["survey_version"] == "easy_read":
        st.query_params["version"] = "easy-read"
    else:
        st.query_params.pop("version", None)


standard = current_form()
easy_read = easy_read_version(standard.slug)
# The address decides on every run, not only the first: a session's first run can miss the link's query (seen in
# Chromium now and then), and the radio's own changes are written back to the address before the page reruns.
linked = LINKED.get(st.query_params.get("version", ""))
if linked is not None:
    st.session_state["survey_version"] = linked
elif "survey_version" not in st.session_state:
    st.session_state["survey_version"] = "standard"
form = easy_read if st.session_state["survey_version"] == "easy_read" and easy_read is not None else standard
PREFIX = "survey" if form is standard else "easy"
st.title(form.title)
if form.definition.subtitle:
    st.subheader(form.definition.subtitle)
if easy_read is not None:
    st.radio("Choose the version of the survey you would like", list(VERSIONS), format_func=VERSIONS.get,
             key="survey_version", on_change=_version_in_address)

thanks = st.session_state.pop("survey_thanks", None)
if thanks:
    st.success(
        f"Thank you. Your answers have been saved (reference {thanks}). Keep this reference number: quote it "
        "if you want your answers corrected or deleted. You can close this page.",
        icon=":material/check_circle:",
    )

if st.session_state.pop("survey_not_saved", False):
    st.error("**Your answers have not been saved**: the service could not reach its database. Your answers are "
             "still below; please press “Send my answers” again in a minute.", icon=":material/cloud_off:")

errors: dict[str, str] = st.session_state.get("survey_errors", {})
problem_summary(form, errors, "There is a problem with your answers. Please check:")
just_sent = st.session_state.pop("survey_just_sent", None)
if just_sent:
    show_outcome_first(just_sent)

if form.definition.intro:
    st.markdown(form.definition.intro)
if form.definition.privacy_notice:
    st.info(form.definition.privacy_notice, icon=":material/shield:")

answers_emptied_if_stored(form, PREFIX)
form_key = submission_key(PREFIX)  # made when the form is shown: one per filled-in form
with st.form("survey", border=False):
    answer_widgets(form, PREFIX, errors)
    submitted = st.form_submit_button("Send my answers", type="primary")

if submitted:
    provenance = Provenance(channel="online", submission_key=form_key)
    try:
        with Session(engine()) as session:
            response = submit_response(session, form, collect_answers(form, PREFIX), provenance)
    except IntakeError as exc:
        st.session_state["survey_errors"] = {p.question_id: p.message for p in exc.problems}
    except DatabaseUnavailable:
        st.session_state["survey_not_saved"] = True
    else:
        st.session_state["survey_errors"] = {}
        st.session_state["survey_thanks"] = response.reference
        st.session_state[f"{PREFIX}_stored"] = True
        clear_answers(PREFIX)
    st.session_state["survey_just_sent"] = form_key
    st.rerun()
next_submission_key(PREFIX)

"""Likely duplicates: pairs of responses that may be one person answering twice (online and on paper, say), for
a person to decide on. Nothing is removed until someone decides; the decision is kept with who and when.

Thin: find the pairs (cached per version of the data), show them side by side, save the decision."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlmodel import Session

from engagement.analysis.insight import respondents_version
from engagement.config import database_url
from engagement.db import get_engine
from engagement.duplicates import (
    DECISIONS,
    SIMILAR_ENOUGH,
    DuplicateError,
    decide,
    find_likely_duplicates,
    shown_text,
)
from engagement.forms import get_form
from engagement.models import CHANNELS
from engagement.reports.row_level import may_have_full_row_level
from engagement.ui.access import require_roles
from engagement.ui.shared import current_form, engine
from engagement.ui.text import escape_markdown

PAGE = "Likely duplicates"
COLUMNS = {"first_reference": "Response", "second_reference": "Other response", "first_channel": "Channel",
           "second_channel": "Other's channel", "place": "Place", "age": "Age", "sex": "Sex",
           "similarity": "Written answers alike (of 100)", "decision": "Decision", "kept_reference": "Counted",
           "decided_by": "Decided by", "decided_at": "Decided at"}

user = require_roles("analyst", "admin")
form = current_form()
url = database_url()


@st.cache_data(max_entries=4, show_spinner="Looking for likely duplicates…")
def pairs_for(url: str, slug: str, version: str) -> pd.DataFrame:
    return find_likely_duplicates(get_engine(url), get_form(slug))


st.title(PAGE)
st.caption(
    f"Two responses from the same place, with the same age and sex, whose other “about you” answers do not "
    f"disagree and whose written answers are near-identical ({SIMILAR_ENOUGH} or more alike out of 100). They "
    "may be one person who answered twice, for example online and on a paper form at an event. Nothing is "
    "removed until you decide; a response you decide is the same person as another stays on record but is not "
    "counted on the dashboard or in exports."
)
if done := st.session_state.pop("duplicate_saved", None):
    st.success(done, icon=":material/check_circle:")

pairs = pairs_for(url, form.slug, respondents_version(engine(), form))
undecided = pairs["decision"].isna()
flagged, waiting, decided = st.columns(3)
flagged.metric("Pairs flagged", f"{len(pairs):,}")
waiting.metric("Waiting for a decision", f"{int(undecided.sum()):,}")
decided.metric("Decided", f"{int((~undecided).sum()):,}")
if pairs.empty:
    st.info("No likely duplicates: no two responses from the same place, age and sex have near-identical written "
            "answers.", icon=":material/check_circle:")
    st.stop()

shown = pairs if st.toggle("Show decided pairs too", key="dup_show_decided") else pairs[undecided]
if shown.empty:
    st.info("Every flagged pair has been decided. Show decided pairs to change a decision.",
            icon=":material/done_all:")
    st.stop()
table = shown.assign(decision=shown["decision"].map(DECISIONS).fillna("Waiting"),
                     first_channel=shown["first_channel"].map(CHANNELS),
                     second_channel=shown["second_channel"].map(CHANNELS))
st.dataframe(table[list(COLUMNS)].rename(columns=COLUMNS), hide_index=True)

st.header("Decide on a pair", divider="blue")
chosen = st.selectbox(
    "Pair", shown.index, key="dup_pair",
    format_func=lambda i: f"{shown.at[i, 'first_reference']} and {shown.at[i, 'second_reference']} "
                          f"({shown.at[i, 'similarity']:.0f} of 100 alike)")
pair = shown.loc[[chosen]]
if not may_have_full_row_level(user.roles):
    pair = shown_text(engine(), pair, form)
pair = pair.iloc[0]
for side, column in zip(("first", "second"), st.columns(2), strict=True):
    with column:
        st.subheader(pair[f"{side}_reference"])
        st.text(f"{CHANNELS.get(pair[f'{side}_channel'], pair[f'{side}_channel'])}, "
                f"{pair[f'{side}_version']} version, received {pair[f'{side}_created_at']:%d/%m/%Y %H:%M}")
        st.text(pair[f"{side}_text"])  # respondent text is data, never markup
first, second = pair["first_reference"], pair["second_reference"]
choices = {"keep_both": DECISIONS["keep_both"], "first": f"The same person: count {first} only",
           "second": f"The same person: count {second} only"}
choice = st.radio("Your decision", list(choices), format_func=choices.get, index=None, key="dup_choice")
if st.button("Save decision", type="primary", disabled=choice is None):
    kept = {"first": int(pair["first_response_id"]), "second": int(pair["second_response_id"])}.get(choice)
    try:
        with Session(engine()) as session:
            decide(session, form.slug, int(pair["first_response_id"]), int(pair["second_response_id"]),
                   "keep_both" if choice == "keep_both" else "same_person", kept_id=kept,
                   similarity=float(pair["similarity"]), actor=user.username, via=f"page: {PAGE}")
    except DuplicateError as exc:
        st.error(escape_markdown(str(exc)), icon=":material/error:")
    else:
        st.session_state["duplicate_saved"] = f"Saved for {first} and {second}: {choices[choice]}."
        st.session_state.pop("dup_choice", None)
        st.rerun()

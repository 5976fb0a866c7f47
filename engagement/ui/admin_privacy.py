"""Privacy and retention: how long each survey keeps identifying answers, erasure and subject access."""

from __future__ import annotations

import json

import streamlit as st
from sqlmodel import Session

from engagement.forms import available_forms
from engagement.privacy import (
    UnknownReference,
    erase_response,
    purge_expired,
    retention_days,
    set_retention_days,
    subject_access,
)
from engagement.ui.access import require_roles
from engagement.ui.shared import engine
from engagement.ui.text import escape_markdown

VIA = "page: Privacy and retention"

user = require_roles("admin")
st.title("Privacy and retention")
done = st.session_state.pop("privacy_done", None)
if done:
    st.success(done, icon=":material/check_circle:")

st.header("Retention", divider="blue")
st.caption(
    "After the retention period, written answers keep only their redacted text (or are removed if never "
    "analysed) and contact details are removed. Ratings, places and themes stay, so reports keep working."
)
forms = {form.slug: form for form in available_forms()}
slug = st.selectbox("Survey", list(forms), format_func=lambda s: f"{forms[s].title} ({s})")
with Session(engine()) as session:
    current = retention_days(session, slug)
with st.form("retention"):
    keep_all = st.checkbox("Keep until an administrator decides (no retention period)", value=current is None)
    days = st.number_input("Retention period in days", min_value=1, max_value=36_500, step=1,
                           value=current or 365)
    if st.form_submit_button("Save retention period"):
        try:
            with Session(engine()) as session:
                set_retention_days(session, slug, None if keep_all else int(days), actor=user.username, via=VIA)
        except ValueError as exc:
            st.error(escape_markdown(str(exc)))
        else:
            st.session_state["privacy_done"] = "Saved the retention period."
            st.rerun()
with Session(engine()) as session:
    preview = purge_expired(session, actor=user.username, via=VIA, dry_run=True)
for report in preview:
    st.text(report.sentence(dry_run=True))
if preview and st.button("Remove what is past its retention period now"):
    with Session(engine()) as session:
        reports = purge_expired(session, actor=user.username, via=VIA)
    st.session_state["privacy_done"] = " ".join(r.sentence(dry_run=False) for r in reports)
    st.rerun()

st.header("Erase a response", divider="blue")
st.caption("Removes the response and everything derived from it. The audit log records only that it happened.")
# A refused erasure keeps the typed reference; each erasure gets a fresh form (a new key), so it starts empty.
with st.form(f"erase_{st.session_state.get('erasures', 0)}"):
    reference = st.text_input("Reference (shown to the respondent when they submitted, R-…)")
    sure = st.checkbox("I have checked the reference: erase this response for good")
    if st.form_submit_button("Erase"):
        if not sure:
            st.error("Tick the box to confirm the erasure.")
        else:
            try:
                with Session(engine()) as session:
                    erased = erase_response(session, reference, actor=user.username, via=VIA)
            except UnknownReference as exc:
                st.error(escape_markdown(str(exc)))
            else:
                st.session_state["privacy_done"] = " ".join(erased.sentences())
                st.session_state["erasures"] = st.session_state.get("erasures", 0) + 1
                st.rerun()

st.header("Subject access", divider="blue")
access_reference = st.text_input("Reference of the person asking for their answers", key="access_reference")
if st.button("Prepare their answers") and access_reference.strip():
    st.session_state.pop("access_record", None)  # the last person's file goes, whatever this request finds
    try:
        with Session(engine()) as session:
            st.session_state["access_record"] = subject_access(session, access_reference, actor=user.username,
                                                               via=VIA)
    except UnknownReference as exc:
        st.error(escape_markdown(str(exc)))
prepared = st.session_state.get("access_record")
if prepared:
    st.download_button(
        f"Download {prepared['reference']}.json", file_name=f"{prepared['reference']}.json", mime="application/json",
        data=json.dumps(prepared, indent=2, ensure_ascii=False).encode("utf-8"),
    )

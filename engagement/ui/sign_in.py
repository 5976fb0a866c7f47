"""Staff sign-in: a local account (username and password), or the organisation's single sign-on if set up."""

from __future__ import annotations

import streamlit as st
from sqlmodel import Session

from engagement.auth import SignInError, sign_in
from engagement.ui.access import current_user, page_after_sign_in, sso_configured, start_session
from engagement.ui.shared import engine
from engagement.ui.text import escape_markdown

st.title("Staff sign-in")
if st.session_state.pop("session_expired", False):
    st.warning("Your session ended because it was not used for a while. Please sign in again.")

user = current_user()
if user is not None:
    st.success(f"You are signed in as {user.username}. Choose a page from the menu.")
    st.stop()

if sso_configured():
    if st.user.is_logged_in:
        st.error(
            f"{st.user.get('email') or 'Your account'} is not on this service's list of staff. "
            "Ask an administrator to add you."
        )
    elif st.button("Sign in with your organisation account", type="primary"):
        st.login()
    st.caption("Or sign in with a local account:")

with st.form("sign_in"):
    username = st.text_input("Username", autocomplete="username")
    password = st.text_input("Password", type="password", autocomplete="current-password")
    submitted = st.form_submit_button("Sign in", type="primary")

if submitted:
    try:
        with Session(engine()) as session:
            user = sign_in(session, username, password, via="page: Staff sign-in")
    except SignInError as exc:
        st.error(escape_markdown(str(exc)))
    else:
        start_session(user)
        page, query = page_after_sign_in(user)
        st.switch_page(f"engagement/ui/{page}.py", query_params=query)

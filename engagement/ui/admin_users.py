"""Administrators add accounts, change their roles and disable or re-enable them."""

from __future__ import annotations

import streamlit as st
from sqlmodel import Session

from engagement.auth import ROLES, AccountError, create_user, list_users, set_disabled, set_roles
from engagement.ui.access import require_roles
from engagement.ui.shared import engine
from engagement.ui.text import escape_markdown

VIA = "page: Users"

user = require_roles("admin")
st.title("Users")

done = st.session_state.pop("users_done", None)
if done:
    st.success(done, icon=":material/check_circle:")

with Session(engine()) as session:
    users = list_users(session)
st.dataframe(users, hide_index=True)

st.header("Add a user", divider="blue")
# A refused entry keeps what was typed; each added user gets a fresh form (a new key), so it starts empty.
with st.form(f"add_user_{st.session_state.get('users_added', 0)}"):
    new_name = st.text_input("New username")
    new_password = st.text_input("Their first password (at least 12 characters)", type="password")
    new_roles = st.multiselect("Roles", list(ROLES), format_func=ROLES.get)
    if st.form_submit_button("Add user"):
        try:
            with Session(engine()) as session:
                account = create_user(session, new_name, new_password, new_roles, actor=user.username, via=VIA)
        except AccountError as exc:
            st.error(escape_markdown(str(exc)))
        else:
            st.session_state["users_done"] = f"Added {account.username}."
            st.session_state["users_added"] = st.session_state.get("users_added", 0) + 1
            st.rerun()

if users:
    st.header("Change a user", divider="blue")
    names = [row["username"] for row in users]
    chosen = st.selectbox("User", names, key="users_chosen")
    row = next(r for r in users if r["username"] == chosen)
    with st.form("change_roles"):
        roles = st.multiselect("Roles", list(ROLES), default=row["roles"].split(", ") if row["roles"] else [],
                               format_func=ROLES.get)
        if st.form_submit_button("Save roles"):
            try:
                with Session(engine()) as session:
                    set_roles(session, chosen, roles, actor=user.username, via=VIA)
            except AccountError as exc:
                st.error(escape_markdown(str(exc)))
            else:
                st.session_state["users_done"] = f"Saved the roles of {chosen}."
                st.rerun()
    if chosen == user.username:
        st.caption("You cannot disable your own account.")
    elif st.button("Enable this user" if row["disabled"] else "Disable this user"):
        with Session(engine()) as session:
            set_disabled(session, chosen, not row["disabled"], actor=user.username, via=VIA)
        st.session_state["users_done"] = f"{'Enabled' if row['disabled'] else 'Disabled'} {chosen}."
        st.rerun()

"""Who is signed in, and the check at the top of every staff page. The check runs on the server each time a
page runs, so a page opened by its URL without the role shows a plain message and nothing else."""

from __future__ import annotations

import contextlib
import json
import os
import time
from typing import Any

import streamlit as st
from sqlmodel import Session
from streamlit.errors import StreamlitPageNotFoundError, StreamlitSecretNotFoundError

from engagement import audit
from engagement.auth import PAGE_ROLES, AccountError, SignedInUser, active_user, parse_sso_allow_list, sso_user
from engagement.config import session_timeout_minutes
from engagement.ui.shared import engine
from engagement.ui.text import escape_markdown

SESSION_KEY = "signed_in"
ASKED_FOR_KEY = "asked_for"


def remember_asked_for(page: str, query: dict[str, list[str]]) -> None:
    """The staff page (name in PAGE_ROLES) and query a signed-out person opened, for after sign-in."""
    if page in PAGE_ROLES:
        st.session_state[ASKED_FOR_KEY] = (page, query)


def page_after_sign_in(user: SignedInUser) -> tuple[str, dict[str, list[str]]]:
    """Where sign-in sends `user`: the page they asked for if it is one of this app's pages they may see (so a
    crafted value cannot send them elsewhere), else the first page their roles allow."""
    page, query = st.session_state.pop(ASKED_FOR_KEY, ("", {}))
    if page in PAGE_ROLES and user.has_any(*PAGE_ROLES[page]):
        return page, query
    return next(name for name, roles in PAGE_ROLES.items() if user.has_any(*roles)), {}


def start_session(user: SignedInUser) -> None:
    st.session_state[SESSION_KEY] = {"username": user.username, "via": user.via, "last_seen": time.time()}


def end_session(reason: str = "sign_out") -> None:
    signed_in = st.session_state.pop(SESSION_KEY, None)
    if signed_in and reason == "sign_out":
        with Session(engine()) as session:
            audit.record(session, "sign_out", actor=signed_in["username"], via="sign-out button")
            session.commit()


def sso_configured() -> bool:
    """True when the organisation has set up single sign-on ([auth] in Streamlit secrets)."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        return False


def sso_allow_list() -> dict[str, frozenset[str]]:
    """Email -> roles, from [sso_roles] in Streamlit secrets or ENGAGEMENT_SSO_ROLES (JSON) in the environment."""
    raw: dict[str, Any] = {}
    try:
        raw = dict(st.secrets.get("sso_roles", {}))
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        raw = {}
    if not raw and os.environ.get("ENGAGEMENT_SSO_ROLES"):
        raw = json.loads(os.environ["ENGAGEMENT_SSO_ROLES"])
    return parse_sso_allow_list(raw)


def _sso_signed_in_user() -> SignedInUser | None:
    if not sso_configured() or not st.user.is_logged_in:
        return None
    try:
        return sso_user(st.user.to_dict(), sso_allow_list())
    except AccountError as exc:
        st.error(escape_markdown(str(exc)))
        return None


def current_user() -> SignedInUser | None:
    """The signed-in user as they are now: roles re-read, a disabled account or an idle session ends here."""
    signed_in = st.session_state.get(SESSION_KEY)
    if signed_in is None:
        user = _sso_signed_in_user()
        if user is not None:
            start_session(user)
        return user
    idle = time.time() - signed_in["last_seen"]
    if idle > session_timeout_minutes() * 60:
        st.session_state.pop(SESSION_KEY, None)
        st.session_state["session_expired"] = True
        return None
    if signed_in["via"] == "sso":
        user = _sso_signed_in_user()
    else:
        with Session(engine()) as session:
            user = active_user(session, signed_in["username"])
    if user is None:
        st.session_state.pop(SESSION_KEY, None)
        return None
    signed_in["last_seen"] = time.time()
    return user


def require_roles(*roles: str) -> SignedInUser:
    """Stop the page unless the signed-in user holds one of `roles`; return that user."""
    user = current_user()
    if user is None:
        if st.session_state.pop("session_expired", False):
            st.warning(
                f"Your session ended after {session_timeout_minutes()} minutes without activity. "
                "Please sign in again."
            )
        else:
            st.info("Please sign in to see this page.")
        # A link within this session (typing /sign_in would start a new one), so sign-in can return to this
        # page with the view the link asked for.
        with contextlib.suppress(StreamlitPageNotFoundError):  # a page run on its own (tests) has no sign-in page
            st.page_link("engagement/ui/sign_in.py", label="Sign in", icon=":material/login:")
        st.stop()
    if not user.has_any(*roles):
        st.error("You do not have access to this page. Ask an administrator if you need it.")
        st.stop()
    return user


def record(user: SignedInUser, action: str, page: str, **details: Any) -> None:
    """Audit something a signed-in user did on a page, in its own short transaction."""
    with Session(engine()) as session:
        audit.record(session, action, actor=user.username, via=f"page: {page}", **details)
        session.commit()

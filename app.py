"""What matters to you: the Streamlit entry point. It builds the navigation from the signed-in user's roles;
pages live in engagement/ui/ and each staff page checks the role again itself."""

import gc
import threading

import streamlit as st

from engagement.analysis.insight import warm_respondents
from engagement.auth import PAGE_ROLES
from engagement.config import database_url
from engagement.db import get_engine
from engagement.forms import available_forms
from engagement.ui.access import current_user, end_session, remember_asked_for
from engagement.ui.shared import database_problems_shown, engine

st.set_page_config(page_title="What matters to you", page_icon=":material/favorite:", layout="wide")


def _warm_then_freeze() -> None:
    # Imported here, on the warm-up thread: the free-text engine takes seconds to import, and the public survey
    # page must not wait for it.
    from engagement.free_text.comments_view import warm_comments

    engine, forms = get_engine(database_url()), available_forms()
    comments = threading.Thread(target=warm_comments, args=(engine, forms), daemon=True, name="warm-comments")
    comments.start()
    warm_respondents(engine, forms)
    comments.join()
    # What is loaded now lives as long as the server: freezing it keeps the garbage collector from walking it
    # again, which a full collection on a dashboard click (statsmodels' Holm adjustment runs one) otherwise does.
    gc.freeze()


@st.cache_resource
def respondents_warmed() -> threading.Thread:
    """Once per server process: load every survey's responses, and what the Comments and themes page first shows,
    in the background, so the first dashboard and Comments page after a start find them ready (the threads log
    and give up on any failure)."""
    engine()  # creates or migrates the database before the warm-up reads it
    thread = threading.Thread(target=_warm_then_freeze, daemon=True, name="warm-respondents")
    thread.start()
    return thread


STAFF_PAGES = {
    "paper_entry": ("Paper form entry", ":material/keyboard:"),
    "dashboard": ("Dashboard", ":material/bar_chart:"),
    "comments": ("Comments and themes", ":material/forum:"),
    "export": ("Exports", ":material/download:"),
    "imports": ("Import responses", ":material/upload_file:"),
    "duplicates": ("Likely duplicates", ":material/content_copy:"),
    "you_said_we_did": ("You said, we did", ":material/campaign:"),
    "admin_users": ("Users", ":material/manage_accounts:"),
    "admin_audit": ("Audit log", ":material/history:"),
    "admin_privacy": ("Privacy and retention", ":material/shield_person:"),
}
survey = st.Page("engagement/ui/survey.py", title="Take the survey", icon=":material/edit_note:", default=True)
sign_in = st.Page("engagement/ui/sign_in.py", title="Staff sign-in", icon=":material/login:")
staff = {
    name: st.Page(f"engagement/ui/{name}.py", title=title, icon=icon) for name, (title, icon) in STAFF_PAGES.items()
}
# Every page is registered, hidden, so a page opened by its URL runs and its own role check says why it shows
# nothing. What a person can reach is the menu below, built from their roles; the public sees no menu at all.
page = st.navigation([survey, sign_in, *staff.values()], position="hidden")

with database_problems_shown():
    respondents_warmed()
    user = current_user()
    if user is not None:
        with st.sidebar:
            st.caption(f"Signed in as {user.username}")
            st.page_link(survey)
            for name, staff_page in staff.items():
                if user.has_any(*PAGE_ROLES[name]):
                    st.page_link(staff_page)
            if st.button("Sign out", icon=":material/logout:"):
                end_session()
                if user.via == "sso":
                    st.logout()
                st.switch_page(sign_in)
    if user is None and page in staff.values():
        # A shared link opened signed out: remember the page and its query so sign-in can come back to it.
        remember_asked_for(page.url_path, {key: st.query_params.get_all(key) for key in st.query_params})
    page.run()

"""What every page needs: the database engine and the current form, created once per server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from engagement.config import DEFAULT_FORM_SLUG, database_url
from engagement.db import DatabaseUnavailable, get_engine, upgrade_database
from engagement.forms import get_form
from engagement.ui.text import escape_markdown
from survey_forms import Form


@st.cache_resource
def _migrated_engine(url: str) -> Engine:
    upgrade_database(url)
    return get_engine(url)


def engine() -> Engine:
    """The engine for the configured database, migrated to the newest schema once per server. A database that
    cannot be reached raises DatabaseUnavailable (nothing is cached, so the next page view tries again)."""
    try:
        return _migrated_engine(database_url())
    except DBAPIError as exc:
        raise DatabaseUnavailable() from exc


@contextmanager
def database_problems_shown() -> Iterator[None]:
    """Around a whole page: a database that is down at start-up or stops mid-session gives a plain message,
    never a traceback. (Streamlit's own stop and rerun signals are not database errors and pass through.)"""
    try:
        yield
    except DatabaseUnavailable as exc:
        st.error(escape_markdown(str(exc)), icon=":material/cloud_off:")
    except DBAPIError:
        st.error(str(DatabaseUnavailable()), icon=":material/cloud_off:")


def submission_key(prefix: str) -> str:
    """The key of the form being filled in on this page: the same until the form is stored and shown empty
    again, so a double click or a retry after a lost connection stores one response. (Not under "prefix:",
    which clear_answers empties on success: the second click of a double click must still carry this key.)"""
    return st.session_state.setdefault(f"{prefix}_submission_key", uuid.uuid4().hex)


def next_submission_key(prefix: str) -> None:
    """Call on a run where the form was not sent, after a response was stored: the next form gets a new key."""
    if st.session_state.pop(f"{prefix}_stored", False):
        st.session_state[f"{prefix}_submission_key"] = uuid.uuid4().hex


def current_form() -> Form:
    return get_form(DEFAULT_FORM_SLUG)


def synthetic_notice(synthetic: int, total: int) -> None:
    if synthetic:
        st.warning(
            f"**Synthetic demo data:** {synthetic:,} of the {total:,} responses to this survey were made up by the "
            "demo generator, not given by real people. Remove them with `engagement demo --remove`.",
            icon=":material/science:",
        )

"""What every page needs: the database engine and the current form, created once per server."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.engine import Engine

from engagement.config import DEFAULT_FORM_SLUG, database_url
from engagement.db import get_engine, upgrade_database
from engagement.forms import get_form
from survey_forms import Form


@st.cache_resource
def _migrated_engine(url: str) -> Engine:
    upgrade_database(url)
    return get_engine(url)


def engine() -> Engine:
    """The engine for the configured database, migrated to the newest schema once per server."""
    return _migrated_engine(database_url())


def current_form() -> Form:
    return get_form(DEFAULT_FORM_SLUG)


def synthetic_notice(synthetic: int, total: int) -> None:
    if synthetic:
        st.warning(
            f"**Synthetic demo data:** {synthetic:,} of these {total:,} responses were made up by the demo "
            "generator, not given by real people. Remove them with `engagement demo --remove`.",
            icon=":material/science:",
        )

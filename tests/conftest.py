"""Shared fixtures: a fresh database per test, the shipped form, and a set of valid answers."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from engagement.config import DEFAULT_FORM_SLUG
from engagement.db import get_engine, upgrade_database
from engagement.forms import get_form
from survey_forms import Form


@pytest.fixture
def db_url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'test.db'}"
    monkeypatch.setenv("ENGAGEMENT_DATABASE_URL", url)
    upgrade_database(url)
    return url


@pytest.fixture
def session(db_url):
    with Session(get_engine(db_url)) as session:
        yield session


@pytest.fixture
def form() -> Form:
    return get_form(DEFAULT_FORM_SLUG)


def valid_answers(**overrides) -> dict:
    """The smallest complete response: every required question answered."""
    answers = {
        "top_urgent_care": "5",
        "top_mental_health": "4",
        "top_best_use_of_money": "3",
        "preventing_ill_health": "4",
        "children_young_peoples_health": "5",
        "major_health_conditions": "5",
        "supporting_our_workforce": "5",
        "digital_innovation": "2",
        "district": "E06000018",
        "consent": True,
    }
    answers.update(overrides)
    return answers

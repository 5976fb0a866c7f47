"""Shared fixtures: a fresh database per test, the shipped form, and a set of valid answers."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

# Imported now rather than by its pytest plugin at the end of the session: after the 50-process PostgreSQL test,
# that late import (pytest rewrites it with ast.parse) failed on CPython 3.11.7 with "AST constructor recursion
# depth mismatch".
import hypothesis  # noqa: F401
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


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """One throwaway PostgreSQL server for the whole test session (tests get their own database on it)."""
    from tests.postgres_server import postgres_bin_dir, running_postgres

    if postgres_bin_dir() is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have the PostgreSQL server binaries (`make test` installs them)")
        pytest.skip("no PostgreSQL server binaries on this machine")
    with running_postgres() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_server, monkeypatch) -> str:
    """A fresh, migrated database on the session's PostgreSQL server, set as the app's database."""
    import psycopg
    from psycopg import sql

    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = postgres_server.rsplit("/", 1)[0] + f"/{name}"
    monkeypatch.setenv("ENGAGEMENT_DATABASE_URL", url)
    upgrade_database(url)
    return url

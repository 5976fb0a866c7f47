"""The same code on a real PostgreSQL server: migrations, intake, counts and export."""

from __future__ import annotations

import os

import pytest
from sqlmodel import Session

from engagement.analysis.counts import response_counts
from engagement.analysis.tidy import tidy_answers
from engagement.db import get_engine, upgrade_database
from engagement.demo import add_demo_responses, remove_demo_responses
from engagement.intake import IntakeError, Provenance, submit_response
from tests.conftest import valid_answers
from tests.postgres_server import postgres_bin_dir, running_postgres

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def postgres_url():
    if postgres_bin_dir() is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have the PostgreSQL server binaries (`make test` installs them)")
        pytest.skip("no PostgreSQL server binaries on this machine")
    with running_postgres() as url:
        upgrade_database(url)
        yield url


def test_postgres_stores_responses_and_reports_them(postgres_url, form):
    engine = get_engine(postgres_url)
    with Session(engine) as session:
        submit_response(session, form, valid_answers(district="E07000174"), Provenance(channel="event"))
        with pytest.raises(IntakeError):
            submit_response(session, form, valid_answers(district="Atlantis"))
        add_demo_responses(session, form, 30, seed=2)
    counts = response_counts(engine, form.slug)
    assert counts["responses"] == 31 and counts["synthetic"] == 30
    assert counts["by_channel"].get("event", 0) >= 1
    tidy = tidy_answers(engine, form)
    assert tidy["response_reference"].nunique() == 31
    with Session(engine) as session:
        assert remove_demo_responses(session) == 30
    assert response_counts(engine, form.slug)["responses"] == 1


def test_upgrade_is_repeatable_on_postgres(postgres_url):
    upgrade_database(postgres_url)


def test_migrations_match_the_models_and_audit_is_append_only_on_postgres(postgres_url):
    from alembic import command
    from sqlalchemy import text
    from sqlalchemy.exc import DatabaseError

    from engagement.db import alembic_config
    from tests.test_migrations import schema_differences

    assert schema_differences(postgres_url) == []
    engine = get_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO audit_event (at, actor, action, via) VALUES (now(), 'a', 'x', 'y')"))
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_event"))
    command.downgrade(alembic_config(postgres_url), "0002")
    upgrade_database(postgres_url)
    assert schema_differences(postgres_url) == []

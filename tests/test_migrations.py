"""The schema the code expects is exactly the one the migrations build, and the audit log cannot be rewritten."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from sqlmodel import SQLModel

from engagement import models  # noqa: F401  (registers every table)
from engagement.db import alembic_config, get_engine, upgrade_database


def schema_differences(url: str) -> list:
    with get_engine(url).connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)


def test_migrations_build_the_schema_the_models_describe(db_url):
    assert schema_differences(db_url) == []


def test_migration_0003_goes_down_and_up_again(db_url):
    command.downgrade(alembic_config(db_url), "0002")
    with get_engine(db_url).connect() as connection:
        tables = set(connection.execute(text("SELECT name FROM sqlite_master WHERE type='table'")).scalars())
    assert "user_account" not in tables and "audit_event" not in tables
    upgrade_database(db_url)
    assert schema_differences(db_url) == []


def test_the_database_refuses_to_change_or_delete_audit_events(db_url):
    engine = get_engine(db_url)
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO audit_event (at, actor, action, via) VALUES (CURRENT_TIMESTAMP, 'a', 'sign_in', 'x')")
        )
    for statement in ("UPDATE audit_event SET actor = 'someone else'", "DELETE FROM audit_event"):
        with pytest.raises(DatabaseError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT actor FROM audit_event")).scalars().all() == ["a"]


def test_migration_0005_goes_down_and_up_again_keeping_answers(session, form, db_url):
    from engagement.intake import Provenance, submit_response
    from tests.conftest import valid_answers

    submit_response(session, form, valid_answers(), Provenance(channel="paper", paper_reference="P-1"))
    command.downgrade(alembic_config(db_url), "0003")
    upgrade_database(db_url)
    assert schema_differences(db_url) == []
    with get_engine(db_url).connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM answer")).scalar() == len(valid_answers())

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


def test_import_and_corrections_on_postgres(postgres_url, form):
    from sqlalchemy import select

    from engagement.entries import correct_entry, stored_values
    from engagement.importer import import_file, rejected_rows
    from engagement.models import Response
    from tests.test_importer import csv_of, sheet_row

    rows = [sheet_row(paper_ref="PG-1", sex="Female"), sheet_row(paper_ref="PG-2", age="1e2"),
            sheet_row(paper_ref="PG-3", sex="male"), sheet_row(paper_ref="PG-1")]
    with Session(get_engine(postgres_url)) as session:
        result = import_file(session, form, csv_of(rows), "pg.csv", channel="paper", actor="vol-pg", via="test")
        assert (result.imported, result.rejected, result.duplicates) == (2, 1, 1)
        assert rejected_rows(session, result.batch_id)["source_row"].tolist() == [3]
        stored = {r.paper_reference: r for r in session.scalars(select(Response).where(
            Response.import_batch == result.batch_id))}
        assert stored_values(session, stored["PG-1"].id)["sex"] == ["female"]  # answers matched to their rows
        assert stored_values(session, stored["PG-3"].id)["sex"] == ["male"]
        version = correct_entry(session, form, stored["PG-3"].reference, "vol-pg",
                                {**valid_answers(), "sex": "female"}, via="test")
        assert version == 2 and stored_values(session, stored["PG-3"].id)["sex"] == ["female"]


def test_likely_duplicates_verification_and_easy_read_on_postgres(postgres_url, form):
    from engagement.analysis.counted import not_counted
    from engagement.analysis.insight import load_respondents
    from engagement.duplicates import decide, find_likely_duplicates
    from engagement.forms import easy_read_version
    from engagement.verification import key_second_entry, require_verification
    from tests.test_counted_responses import easy_read_answers
    from tests.test_duplicates import WORDS

    engine = get_engine(postgres_url)
    answers = valid_answers(district="E07000176", age="52", sex="male", what_matters=WORDS)
    with Session(engine) as session:
        online = submit_response(session, form, answers, Provenance(channel="online"))
        paper = submit_response(session, form, answers, Provenance(
            channel="paper", entered_by="vol-a", paper_reference="PG-DUP", import_batch="PG batch"))
        require_verification(session, form.slug, "PG batch", actor="lead")
        submit_response(session, easy_read_version(form.slug), easy_read_answers(), Provenance())
        pairs = find_likely_duplicates(engine, form)
        pair = pairs[pairs["first_reference"] == online.reference]
        assert pair["second_reference"].tolist() == [paper.reference]
        before = set(load_respondents(engine, form)["reference"])
        assert paper.reference not in before and online.reference in before  # the sheet waits for its second keying
        key_second_entry(session, form, "PG-DUP", "vol-b", answers, via="test")
        decide(session, form.slug, online.id, paper.id, "same_person", kept_id=paper.id, similarity=100,
               actor="pg", via="test")
        frame = load_respondents(engine, form)
        assert paper.reference in set(frame["reference"]) and online.reference not in set(frame["reference"])
        assert "Easy Read" in set(frame["form_version"])
        assert not_counted(engine, (form.slug,)).same_person == 1


def test_row_level_counted_column_and_erasure_of_a_kept_response_on_postgres(postgres_url, form):
    from engagement.analysis.counted import counted_status
    from engagement.analysis.insight import load_respondents
    from engagement.duplicates import decide
    from engagement.privacy import erase_response

    engine = get_engine(postgres_url)
    with Session(engine) as session:
        kept = submit_response(session, form, valid_answers(age="52"))
        twice = submit_response(session, form, valid_answers(age="52"), Provenance(channel="event"))
        decide(session, form.slug, kept.id, twice.id, "same_person", kept_id=kept.id, similarity=100,
               actor="pg", via="test")
        # The database is shared with the other PostgreSQL tests: look at this test's two responses only.
        assert counted_status(engine, (form.slug,))[[kept.reference, twice.reference]].to_dict() == {
            kept.reference: "yes", twice.reference: f"set aside: same person as {kept.reference}"}
        assert erase_response(session, kept.reference, actor="pg", via="test").counts_again == (twice.reference,)
        counted = set(load_respondents(engine, form)["reference"])
        assert twice.reference in counted and kept.reference not in counted


def test_the_data_version_follows_every_change_on_postgres(postgres_url, form):
    from engagement.analysis.respondents import data_version
    from tests.test_respondents import data_version_follows_every_change

    engine = get_engine(postgres_url)
    untouched = data_version(engine, "another-survey")
    with Session(engine) as session:
        data_version_follows_every_change(engine, session, form)
    assert data_version(engine, "another-survey") == untouched

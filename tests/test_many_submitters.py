"""Many people at once: 50 submitting processes against SQLite and against a real PostgreSQL store exactly 50
responses; a double-clicked submit (the same form sent twice at once) stores one."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from engagement.db import get_engine
from engagement.intake import Provenance, submit_response
from engagement.models import Answer, Response
from tests.concurrent_workers import ROOT, run_together
from tests.conftest import valid_answers
from tests.test_database_down import survey_filled_in
from tests.test_pages import fill, submit_button

SUBMITTERS = 50


def run_submitters(url: str) -> dict[int, list[str]]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    replies = run_together([["submit", url, str(n)] for n in range(SUBMITTERS)], env)
    return dict(enumerate(replies))


def assert_exactly_one_response_each(url: str, replies: dict[int, list[str]]) -> None:
    assert sorted(replies) == list(range(SUBMITTERS))
    for references in replies.values():
        assert len(references) == 2 and references[0] == references[1]  # both clicks: the same response
    with Session(get_engine(url)) as session:
        assert session.scalar(select(func.count()).select_from(Response)) == SUBMITTERS
        keys = session.scalars(select(Response.submission_key)).all()
        assert sorted(keys) == sorted(f"form-instance-{n}" for n in range(SUBMITTERS))
        comments = session.scalars(select(Answer.value).where(Answer.question_id == "what_matters")).all()
        assert sorted(comments) == sorted(f"Comment from submitter {n}" for n in range(SUBMITTERS))
    assert {refs[0] for refs in replies.values()} == set(
        Session(get_engine(url)).scalars(select(Response.reference)).all()
    )


def test_the_same_form_sent_again_returns_the_response_already_stored(session, form, db_url):
    first = submit_response(session, form, valid_answers(), Provenance(submission_key="abc"))
    again = submit_response(session, form, valid_answers(), Provenance(submission_key="abc"))
    other = submit_response(session, form, valid_answers(), Provenance(submission_key="def"))
    assert again.reference == first.reference != other.reference
    assert session.scalar(select(func.count()).select_from(Response)) == 2


def test_fifty_processes_submitting_at_once_to_sqlite(db_url):
    assert_exactly_one_response_each(db_url, run_submitters(db_url))


@pytest.mark.postgres
def test_fifty_processes_submitting_at_once_to_postgres(postgres_url):
    assert_exactly_one_response_each(postgres_url, run_submitters(postgres_url))


def test_survey_page_sends_one_key_per_form_so_a_second_click_stores_nothing_new(session, db_url):
    app = survey_filled_in()
    sent_key = app.session_state["survey_submission_key"]
    submit_button(app).click().run()
    [stored] = session.scalars(select(Response)).all()
    assert stored.submission_key == sent_key
    assert app.session_state["survey_submission_key"] != sent_key  # the next, empty form gets a new key
    # The second click of a double click arrives carrying the same form: it stores nothing new.
    app.session_state["survey_submission_key"] = sent_key
    fill(app, "survey", valid_answers())
    submit_button(app).click().run()
    assert any(stored.reference in s.value for s in app.success)
    assert session.scalar(select(func.count()).select_from(Response)) == 1

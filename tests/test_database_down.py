"""The database unreachable at start-up or mid-session: a plain message, never a traceback; an answer the user
sent is either stored or they are told plainly it was not, with their answers still on screen."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import valid_answers
from tests.pages import TIMEOUT, sign_in_as
from tests.postgres_server import postgres_bin_dir, running_postgres
from tests.test_pages import fill, submit_button

NOWHERE = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"  # nothing listens on port 1


def survey_filled_in() -> AppTest:
    app = AppTest.from_file("../engagement/ui/survey.py", default_timeout=TIMEOUT)
    app.run()
    fill(app, "survey", valid_answers())
    app.text_area(key="survey:what_matters").input("More nurses please")
    return app


def assert_told_not_saved_with_answers_kept(app: AppTest) -> None:
    assert not app.exception
    assert any("Your answers have not been saved" in e.value for e in app.error)
    assert not any("Thank you" in s.value for s in app.success)
    assert app.radio(key="survey:top_urgent_care").value == "5"
    assert app.text_area(key="survey:what_matters").value == "More nurses please"


def test_survey_sent_while_the_database_is_unreachable_says_so_and_keeps_the_answers(monkeypatch):
    monkeypatch.setenv("ENGAGEMENT_DATABASE_URL", NOWHERE)
    app = survey_filled_in()
    submit_button(app).click().run()
    assert_told_not_saved_with_answers_kept(app)


def test_staff_pages_with_the_database_unreachable_show_a_plain_message(monkeypatch, db_url):
    app = AppTest.from_file("../app.py", default_timeout=TIMEOUT)
    sign_in_as(app, "analyst-down", ("analyst",))
    monkeypatch.setenv("ENGAGEMENT_DATABASE_URL", NOWHERE)
    app.switch_page("engagement/ui/comments.py")
    app.run()
    assert not app.exception
    assert any("database is not answering" in e.value for e in app.error)


@pytest.mark.postgres
def test_postgres_stopping_mid_session_loses_no_answer_silently(monkeypatch):
    if postgres_bin_dir() is None:
        pytest.skip("no PostgreSQL server binaries on this machine")
    from engagement.db import upgrade_database

    with running_postgres() as url:
        upgrade_database(url)
        monkeypatch.setenv("ENGAGEMENT_DATABASE_URL", url)
        app = survey_filled_in()
        submit_button(app).click().run()
        assert any("Thank you" in s.value for s in app.success)  # the app is using the server
        fill(app, "survey", valid_answers())
        app.text_area(key="survey:what_matters").input("More nurses please")
    # The server has stopped while the respondent was filling in the form.
    submit_button(app).click().run()
    assert_told_not_saved_with_answers_kept(app)


def test_a_busy_write_is_retried_and_one_that_keeps_failing_is_reported(session, monkeypatch):
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from engagement import db
    from engagement.db import DatabaseUnavailable, with_write_retries

    monkeypatch.setattr(db.time, "sleep", lambda seconds: None)
    locked = OperationalError("INSERT …", {}, sqlite3.OperationalError("database is locked"))
    tries: list[int] = []

    def busy_twice() -> str:
        tries.append(1)
        if len(tries) <= 2:
            raise locked
        return "stored"

    assert with_write_retries(session, busy_twice) == "stored" and len(tries) == 3

    def always_busy() -> str:
        raise locked

    with pytest.raises(DatabaseUnavailable, match="Could not save your answers.*Nothing was changed"):
        with_write_retries(session, always_busy)

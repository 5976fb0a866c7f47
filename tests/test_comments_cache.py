"""The Comments page keeps what it read between clicks (100,000 responses take seconds to read), and still shows
an analyst's saved decision, and answers re-tagged in the background, at once."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from engagement.db import get_engine
from engagement.free_text.job import analyse_pending
from engagement.free_text.review import comments_for_review, set_analyst_themes
from engagement.free_text.stored import analyses_version
from engagement.intake import Provenance, submit_many
from tests.conftest import valid_answers
from tests.pages import open_page

COMMENTS = [f"Comment number {n:02d}: the waiting list for appointments is too long" for n in range(1, 6)]


@pytest.fixture
def analysed(session, form, db_url):
    submit_many(session, form, [(valid_answers(what_matters=text), Provenance()) for text in COMMENTS])
    analyse_pending(get_engine(db_url), form)
    return comments_for_review(get_engine(db_url), form, "what_matters")


def card_for(app, text: str):
    """The review card (form) showing this comment."""
    return next(card for card in app.get("form") if any(str(t.value) == text for t in card.text))


def test_a_saved_decision_shows_on_the_page_at_once(analysed, db_url):
    app = open_page("comments", roles=("analyst",), username="analyst-cache", comments_question="what_matters")
    card = card_for(app, COMMENTS[0])
    card.multiselect[0].set_value(["T06"])
    card.button[0].click()
    app.run()
    assert not app.exception
    assert card_for(app, COMMENTS[0]).multiselect[0].value == ["T06"]
    assert any("reviewed" in str(line.value) for line in card_for(app, COMMENTS[0]).markdown)
    app.toggle(key="review_unreviewed_only").set_value(True).run()
    assert COMMENTS[0] not in [str(t.value) for card in app.get("form") for t in card.text]
    assert COMMENTS[1] in [str(t.value) for card in app.get("form") for t in card.text]


def test_deciding_the_same_comment_again_changes_what_the_page_is_keyed_by(analysed, db_url, form):
    """SQLite may give a replaced decision the id of the one it replaces (the highest id is reused), so the
    count and highest id alone would not notice the change."""
    engine = get_engine(db_url)
    answer_id = int(analysed["answer_id"].iloc[0])
    with Session(engine) as session:
        set_analyst_themes(session, answer_id, "wmty", ["T06"], "analyst-a")
    before = analyses_version(engine, form)
    with Session(engine) as session:
        set_analyst_themes(session, answer_id, "wmty", ["T09"], "analyst-a")
    assert analyses_version(engine, form) != before
    app = open_page("comments", roles=("analyst",), username="analyst-again", comments_question="what_matters")
    assert "T09" in card_for(app, analysed["redacted_text"].iloc[0]).multiselect[0].value


def test_the_theme_filter_keeps_the_comments_with_that_theme(analysed, db_url, form):
    engine = get_engine(db_url)
    with Session(engine) as session:
        set_analyst_themes(session, int(analysed["answer_id"].iloc[1]), "wmty", ["T06"], "analyst-a")
    tagged = comments_for_review(engine, form, "what_matters", theme_code="T06")
    assert tagged["answer_id"].tolist() == [int(analysed["answer_id"].iloc[1])]
    assert comments_for_review(engine, form, "what_matters", theme_code="T99").empty or \
        all("T99" in codes for codes in comments_for_review(engine, form, "what_matters", theme_code="T99")["themes"])

"""What the Comments and themes page first shows is worked out when the server starts, so the first analyst after
a (re)start does not wait for it; a failed warm-up is harmless; the theme filter keeps the same comments as
`tagged_with`."""

from __future__ import annotations

import logging
import threading

import pytest
from sqlmodel import Session

from engagement.db import get_engine
from engagement.free_text import comments_view
from engagement.free_text.analyse import codebook_questions
from engagement.free_text.comments_view import CommentsView, question_read, warm_comments
from engagement.free_text.job import analyse_pending
from engagement.free_text.review import set_analyst_themes, tagged_with
from engagement.free_text.stored import analyses_version
from engagement.intake import Provenance, submit_many
from tests.conftest import valid_answers
from tests.pages import open_page, topic_labels

COMMENTS = ["The waiting list for my hip operation is far too long", "Staff were kind and listened to me",
            "I could not get a GP appointment for three weeks", "Parking at the hospital costs too much"]


@pytest.fixture
def analysed(session, form, db_url):
    answers = [valid_answers(what_matters=text, best_thing=text) for text in COMMENTS]
    submit_many(session, form, [(answer, Provenance()) for answer in answers])
    analyse_pending(get_engine(db_url), form)


def never(*_args, **_kwargs):
    raise AssertionError("worked out again although the warm-up had done it")


def test_the_first_visit_after_the_warm_up_reads_and_finds_nothing_again(analysed, form, db_url, monkeypatch):
    warm_comments(get_engine(db_url), [form])
    for slow in ("answered_question", "review_comments", "pending_count", "response_counts"):
        monkeypatch.setattr(comments_view, slow, never)
    monkeypatch.setattr(comments_view.nlp, "discover_topics", never)
    app = open_page("comments", roles=("analyst",), username="analyst-warm")
    shown = [str(card.text[0].value) for card in app.get("form")]  # each card's comment
    assert app.selectbox(key="comments_question").value == next(iter(codebook_questions(form)))
    assert shown and set(shown) <= set(COMMENTS)


def test_a_decision_saved_after_the_warm_up_shows_at_once(analysed, form, db_url):
    engine = get_engine(db_url)
    warm_comments(engine, [form])
    question = next(iter(codebook_questions(form)))
    comments = question_read(engine, form, CommentsView(question), analyses_version(engine, form)).comments
    answer_id = int(comments["answer_id"].iloc[0])
    with Session(engine) as session:
        set_analyst_themes(session, answer_id, "wmty", ["T06"], "analyst-a")
    app = open_page("comments", roles=("analyst",), username="analyst-after-warm")
    card = next(card for card in app.get("form")
                if any(str(text.value) == comments["redacted_text"].iloc[0] for text in card.text))
    assert card.multiselect[0].value == ["T06"]


def test_a_failed_warm_up_is_logged_not_raised(analysed, form, db_url, monkeypatch, caplog):
    monkeypatch.setattr(comments_view, "pending_count", lambda *_: (_ for _ in ()).throw(RuntimeError("gone")))
    with caplog.at_level(logging.ERROR):
        warm_comments(get_engine(db_url), [form])
    assert "Could not prepare" in caplog.text


def test_the_theme_filter_keeps_the_comments_tagged_with_the_theme(analysed, form, db_url):
    engine = get_engine(db_url)
    read = question_read(engine, form, CommentsView("what_matters"), analyses_version(engine, form))
    for code in {*read.comments["themes"].explode().dropna(), "T99"}:
        assert read.tagged_with(code)["answer_id"].tolist() == \
            tagged_with(read.comments, code)["answer_id"].tolist()


def test_the_comments_show_while_the_topics_are_still_being_found(analysed, form, db_url, monkeypatch):
    found_later, real = threading.Event(), comments_view.nlp.discover_topics

    def slow(*args, **kwargs):
        found_later.wait(60)
        return real(*args, **kwargs)

    monkeypatch.setattr(comments_view.nlp, "discover_topics", slow)
    app = open_page("comments", roles=("analyst",), username="analyst-topics", comments_question="what_matters")
    assert app.get("form"), "no review cards while the topics are being found"
    assert any("Looking for topics" in str(caption.value) for caption in app.caption)
    found_later.set()
    assert topic_labels(app)

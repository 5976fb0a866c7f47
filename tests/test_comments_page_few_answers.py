"""The Comments page on a survey with only a handful of written answers, as on its first day."""

from __future__ import annotations

from engagement.db import get_engine
from engagement.free_text.job import analyse_pending
from engagement.intake import Provenance, submit_many
from tests.conftest import valid_answers
from tests.pages import open_page, topic_labels

TEXTS = [
    "The GP never answers the phone",
    "Staff were lovely but the wait in A&E was awful",
    "The waiting list for my hip is far too long",
]


def test_a_topic_of_one_answer_says_answer_not_answers(session, form, db_url):
    submit_many(session, form, [(valid_answers(what_matters=text), Provenance()) for text in TEXTS])
    analyse_pending(get_engine(db_url), form)
    app = open_page("comments", roles=("analyst",), comments_question="what_matters")
    topics = topic_labels(app)
    assert topics, [expander.label for expander in app.expander]
    assert not any(label.endswith("(1 answers)") for label in topics), topics
    assert any(label.endswith("(1 answer)") for label in topics), topics

"""The review list on the Comments and themes page: every comment can be reached (paging), the order is the
same on every run, and an analyst can show only the comments nobody has reviewed yet."""

from __future__ import annotations

import pytest

from engagement.db import get_engine
from engagement.free_text.job import analyse_pending
from engagement.free_text.learning import refresh_survey_model, wait_for_background_refresh
from engagement.free_text.review import comments_for_review, review_page, review_queue, set_analyst_themes
from engagement.intake import Provenance, submit_many
from tests.conftest import valid_answers
from tests.pages import open_page

COMMENTS = [f"Comment number {n:02d}: the waiting list for appointments is too long" for n in range(1, 26)]


@pytest.fixture
def analysed(session, form, db_url):
    submit_many(session, form, [(valid_answers(what_matters=text), Provenance()) for text in COMMENTS])
    analyse_pending(get_engine(db_url), form)
    # The survey's model sets the suggested order once; it changes only after the next batch of decisions.
    refresh_survey_model(get_engine(db_url), form, "wmty")
    return comments_for_review(get_engine(db_url), form, "what_matters")


def shown_comments(app) -> list[str]:
    return [str(e.value) for e in app.text if str(e.value).startswith("Comment number")]


def test_an_analyst_can_page_to_comment_11_and_beyond(analysed):
    app = open_page("comments", roles=("analyst",), comments_question="what_matters")
    first = shown_comments(app)
    assert len(first) == 10
    assert any("Comments 1–10 of 25" in str(c.value) for c in app.caption)
    app.number_input(key="review_page").set_value(3).run()
    assert not app.exception
    last = shown_comments(app)
    assert len(last) == 5
    assert any("Comments 21–25 of 25" in str(c.value) for c in app.caption)
    app.number_input(key="review_page").set_value(2).run()
    second = shown_comments(app)
    assert len(second) == 10
    assert sorted(first + second + last) == sorted(COMMENTS)  # every comment reachable, none twice


def test_the_order_is_the_same_on_every_run(analysed, db_url, form):
    again = comments_for_review(get_engine(db_url), form, "what_matters")
    assert list(analysed["answer_id"]) == list(again["answer_id"])
    assert list(review_queue(analysed)["answer_id"]) == list(review_queue(again.sample(frac=1, random_state=3))
                                                             ["answer_id"])
    first_page = [str(e.value) for e in open_page("comments", roles=("analyst",),
                                                  comments_question="what_matters").text]
    assert first_page == [str(e.value) for e in open_page("comments", roles=("analyst",),
                                                          comments_question="what_matters").text]


def test_unreviewed_filter_hides_reviewed_comments(analysed, db_url, session, form):
    reviewed = analysed["answer_id"].iloc[:12].tolist()
    for answer_id in reviewed:
        set_analyst_themes(session, answer_id, "wmty", ["T06"], "analyst a")
    queue = review_queue(comments_for_review(get_engine(db_url), form, "what_matters"),
                         unreviewed_only=True)
    assert len(queue) == 13 and not set(queue["answer_id"]) & set(reviewed)
    app = open_page("comments", roles=("analyst",), comments_question="what_matters")
    app.toggle(key="review_unreviewed_only").set_value(True).run()
    assert not app.exception
    assert any("Comments 1–10 of 13 not yet reviewed" in str(c.value) for c in app.caption)
    wait_for_background_refresh(timeout=120)  # twelve decisions: the page started a refresh of the model


def test_a_page_past_the_end_shows_the_last_page(analysed):
    page = review_page(review_queue(analysed), number=9, size=10)
    assert (page.number, page.pages, len(page.comments)) == (3, 3, 5)
    empty = review_page(review_queue(analysed.iloc[:0]), number=1, size=10)
    assert (empty.number, empty.pages, len(empty.comments)) == (1, 1, 0)


def test_suggested_comments_come_first_among_unreviewed(analysed):
    suggested = analysed["answer_id"].iloc[[20, 3, 11]].tolist()
    queue = review_queue(analysed, suggested=suggested)
    assert list(queue["answer_id"].iloc[:3]) == suggested
    rest = list(queue["answer_id"].iloc[3:])
    assert rest == sorted(rest)


def test_saving_a_decision_keeps_the_analyst_on_their_page(analysed, db_url, form):
    app = open_page("comments", roles=("analyst",), username="analyst-c", comments_question="what_matters")
    app.number_input(key="review_page").set_value(2).run()
    second = shown_comments(app)
    review = app.get("form")[0]
    review.multiselect[0].set_value(["T06"])
    review.button[0].click()
    app.run()
    assert not app.exception
    assert app.number_input(key="review_page").value == 2
    assert shown_comments(app) == second
    assert comments_for_review(get_engine(db_url), form, "what_matters")["reviewed"].sum() == 1


def test_a_save_lands_on_the_comment_shown_even_when_the_queue_moves_under_it(analysed, db_url, session, form):
    """The analyst reads the second comment of the queue. Before their Save reaches the app, another analyst
    decides the comment above it (so, with the unreviewed filter, it is now first) and the survey's model re-tags
    it. The save records their choice, on the comment they were reading, and nothing else."""
    from engagement.models import ModelThemeTag

    app = open_page("comments", roles=("analyst",), username="analyst-d", comments_question="what_matters")
    app.toggle(key="review_unreviewed_only").set_value(True).run()
    cards = app.get("form")
    by_text = analysed.set_index("redacted_text")["answer_id"]
    above, target = int(by_text[str(cards[0].text[0].value)]), int(by_text[str(cards[1].text[0].value)])
    set_analyst_themes(session, above, "wmty", ["T06"], "analyst e")
    session.add(ModelThemeTag(answer_id=target, codebook="wmty", theme_code="T02", score=0.9, source="model",
                              evidence="[]", sentiment="neutral"))
    session.commit()
    cards[1].multiselect[0].set_value(["T18"])  # on the page as the analyst still sees it
    cards[1].button[0].click()
    app.run()
    assert not app.exception
    decided = comments_for_review(get_engine(db_url), form, "what_matters").set_index("answer_id")
    assert decided.loc[target, "reviewed"] and decided.loc[target, "themes"] == ["T18"]
    assert decided.loc[above, "themes"] == ["T06"]  # the other analyst's decision is untouched
    assert decided["reviewed"].sum() == 2


def test_the_first_suggestions_do_not_move_the_comments_an_analyst_is_reading():
    """Found merging: the first suggestions, arriving from the background while a page of comments was open,
    re-ordered the queue at the next click, so the Save pressed on a comment that moved away was lost."""
    from engagement.free_text.review import ReviewOrder, order_to_show

    shown = ReviewOrder(None, ())  # the page as first drawn, before any suggestion
    kept, notice = order_to_show(shown, ReviewOrder(None, (3, 1, 2)))
    assert kept == shown and notice.startswith("Suggestions are ready")
    assert order_to_show(None, ReviewOrder(None, (3, 1, 2))) == (ReviewOrder(None, (3, 1, 2)), None)

"""Analysts correct a comment's sentiment on the review page; their sentiment is the one every figure uses, and
the survey's own model learns sentiment from their decisions in the background, as it learns themes."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from engagement.db import get_engine
from engagement.free_text.analyse import pending_count
from engagement.free_text.job import analyse_pending
from engagement.free_text.learning import refresh_survey_model, survey_model, wait_for_background_refresh
from engagement.free_text.review import comments_for_review, set_analyst_themes
from engagement.free_text.themes import theme_summary
from engagement.intake import Provenance, submit_many
from engagement.models import AnalystSentiment, AnalystThemeTag, AuditEvent
from engagement.reports.files import answers_with_themes
from engagement.reports.summary import Selection
from tests.conftest import valid_answers
from tests.pages import open_page
from tests.test_survey_model import PLACES

# News, not a feeling: the shipped model reads it as negative.
MOVED = "They changed the phone number of the {place} surgery"
PRAISE = "The staff at {place} were kind and caring"
COMPLAINT = "Waiting at {place} was awful, three hours in pain"


def comments_of(engine, form):
    return comments_for_review(engine, form, "what_matters").set_index("answer_id")


def ids_starting(comments, words: str) -> list[int]:
    return comments[comments["redacted_text"].str.startswith(words)].index.tolist()


@pytest.fixture
def survey(session, form, db_url):
    texts = [MOVED.format(place=place) for place in PLACES]
    texts += [template.format(place=place) for template in (PRAISE, COMPLAINT) for place in PLACES[:12]]
    submit_many(session, form, [(valid_answers(what_matters=text), Provenance()) for text in texts])
    engine = get_engine(db_url)
    analyse_pending(engine, form)
    return comments_of(engine, form)


def test_the_analysts_sentiment_is_saved_with_the_themes_and_audited(survey, session, form, db_url):
    moved = ids_starting(survey, "They changed")[0]
    assert survey.loc[moved, "sentiment"] == "negative"
    set_analyst_themes(session, moved, "wmty", ["T06"], "analyst a", sentiment="neutral")
    after = comments_of(get_engine(db_url), form)
    assert after.loc[moved, "sentiment"] == "neutral" and after.loc[moved, "themes"] == ["T06"]
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "tags_changed")).one()
    assert json.loads(event.details)["sentiment"] == "neutral"


def test_a_decision_without_a_sentiment_change_keeps_the_models(survey, session, form, db_url):
    praise, moved = ids_starting(survey, "The staff")[0], ids_starting(survey, "They changed")[0]
    set_analyst_themes(session, praise, "wmty", ["T02"], "analyst a")
    set_analyst_themes(session, moved, "wmty", ["T06"], "analyst a", sentiment="neutral")
    set_analyst_themes(session, moved, "wmty", ["T06", "T99"], "analyst b")  # themes only: the sentiment stays
    after = comments_of(get_engine(db_url), form)
    assert after.loc[praise, "sentiment"] == "positive"
    assert after.loc[moved, "sentiment"] == "neutral"


def test_a_sentiment_that_is_not_one_of_the_three_saves_nothing(survey, session, form, db_url):
    moved = ids_starting(survey, "They changed")[0]
    with pytest.raises(ValueError, match="positive, neutral or negative"):
        set_analyst_themes(session, moved, "wmty", ["T06"], "analyst a", sentiment="happy")
    session.rollback()
    assert session.scalars(select(AnalystThemeTag)).all() == []
    assert session.scalars(select(AnalystSentiment)).all() == []


def test_a_reviewed_comments_sentiment_is_the_analysts_in_summaries_exports_and_the_report(
        survey, session, form, db_url):
    """Six of the twelve complaints about waiting read as neutral to the analyst (six: a count the suppression
    rule shows)."""
    engine = get_engine(db_url)
    complaints = ids_starting(survey, "Waiting at")
    [waiting] = survey.loc[complaints[0], "themes"]
    before = theme_summary(engine, form, "what_matters").set_index("theme_code").loc[waiting]
    assert before["negative"] == 12 and before["neutral"] == 0 and before["how_it_was_said"].startswith("100% negative")
    for complaint in complaints[:6]:
        set_analyst_themes(session, complaint, "wmty", [waiting], "analyst a", sentiment="neutral")
    after = theme_summary(engine, form, "what_matters").set_index("theme_code").loc[waiting]
    assert after["negative"] == 6 and after["neutral"] == 6
    assert after["how_it_was_said"].startswith(("50% negative, 50% neutral", "50% neutral, 50% negative"))
    complaint = complaints[0]
    exported = answers_with_themes(engine, form, Selection())
    reference = survey.loc[complaint, "response_reference"]
    row = exported[exported["response_reference"].eq(reference) & exported["question_id"].eq("what_matters")]
    assert row["sentiment"].tolist() == ["neutral"]


def review(session, survey, neutral_moved: int, each_kept: int = 6) -> list[int]:
    """An analyst marks ``neutral_moved`` of the 'phone number changed' comments neutral and keeps the sentiment the
    model gave ``each_kept`` clear praise and complaints (positive, negative)."""
    decided = []
    for answer_id in ids_starting(survey, "They changed")[:neutral_moved]:
        set_analyst_themes(session, answer_id, "wmty", survey.loc[answer_id, "themes"], "analyst a",
                           sentiment="neutral")
        decided.append(answer_id)
    for words, sentiment in (("The staff", "positive"), ("Waiting at", "negative")):
        for answer_id in ids_starting(survey, words)[:each_kept]:
            set_analyst_themes(session, answer_id, "wmty", survey.loc[answer_id, "themes"], "analyst a",
                               sentiment=sentiment)
            decided.append(answer_id)
    return decided


def test_the_survey_model_learns_sentiment_and_re_tags_unreviewed_comments(survey, session, form, db_url):
    engine = get_engine(db_url)
    decided = review(session, survey, neutral_moved=12)
    assert refresh_survey_model(engine, form, "wmty")
    learnt = survey_model(engine, form, "wmty")
    assert learnt.sentiment is not None and learnt.sentiment.used
    assert learnt.sentiment.decisions == 24 and learnt.sentiment.folds == 5
    assert learnt.sentiment.accuracy > learnt.sentiment.shipped_accuracy
    assert learnt.sentiment.macro_f1 > learnt.sentiment.shipped_macro_f1
    # The unreviewed 'moved' comments are re-tagged; clear praise and complaints read the same, so they are not.
    unreviewed_moved = [i for i in ids_starting(survey, "They changed") if i not in decided]
    assert pending_count(engine, form) == len(unreviewed_moved)
    analyse_pending(engine, form)
    after = comments_of(engine, form)
    assert set(after.loc[unreviewed_moved, "sentiment"]) == {"neutral"}
    for words, sentiment in (("The staff", "positive"), ("Waiting at", "negative")):
        assert set(after.loc[ids_starting(survey, words), "sentiment"]) == {sentiment}
    # The theme summary follows: the 'moved' comments' theme is said neutrally now.
    summary = theme_summary(engine, form, "what_matters").set_index("theme_code")
    [theme] = {code for i in unreviewed_moved for code in after.loc[i, "themes"]}
    assert summary.loc[theme, "neutral"] == summary.loc[theme, "respondents"]
    # The same decisions again: the same model, nothing to re-tag.
    assert refresh_survey_model(engine, form, "wmty")
    assert survey_model(engine, form, "wmty").model_changed_at == learnt.model_changed_at
    assert pending_count(engine, form) == 0


def test_too_few_sentiment_decisions_change_nothing(survey, session, form, db_url):
    """Four comments marked neutral: under the five of each sentiment the survey's model needs, so it keeps the
    shipped sentiment model and no comment nobody reviewed changes."""
    engine = get_engine(db_url)
    decided = review(session, survey, neutral_moved=4)
    assert refresh_survey_model(engine, form, "wmty")
    learnt = survey_model(engine, form, "wmty")
    assert not learnt.sentiment.used and learnt.sentiment.decisions == 16
    assert pending_count(engine, form) == 0
    after = comments_of(engine, form)
    unreviewed_moved = [i for i in ids_starting(survey, "They changed") if i not in decided]
    assert set(after.loc[unreviewed_moved, "sentiment"]) == {"negative"}


def test_the_page_saves_a_sentiment_and_shows_sentiment_agreement(survey, session, form, db_url):
    engine = get_engine(db_url)
    review(session, survey, neutral_moved=12)
    refresh_survey_model(engine, form, "wmty")
    app = open_page("comments", roles=("analyst",), comments_question="what_matters",
                    review_unreviewed_only=True)
    wait_for_background_refresh(timeout=120)
    app.run()
    shown = " ".join(str(m.value) for m in app.markdown)
    assert "sentiment of 24 reviewed comments" in shown, shown
    card = app.get("form")[0]
    reference = str(card.markdown[0].value).split("**")[1]
    [answer_id] = survey.index[survey["response_reference"].eq(reference)]
    choice = app.selectbox(key=f"sentiment_wmty_{answer_id}")
    other = "positive" if choice.value != "positive" else "negative"
    choice.set_value(other)
    [save] = [button for button in card.button if "Save" in button.label]
    save.click().run()
    assert not app.exception
    assert comments_of(engine, form).loc[answer_id, "sentiment"] == other
    assert session.scalar(select(AnalystSentiment.analyst).where(AnalystSentiment.answer_id == answer_id)) \
        == "analyst-user"


def test_while_the_shipped_sentiment_model_is_used_the_page_gives_its_figures_once(survey, session, form, db_url):
    """Too few decisions of some sentiment for a model of the survey's own: the page says how the shipped model
    reads the reviewed comments, once, not "…62% (the model as shipped); the model as shipped: 62%"."""
    engine = get_engine(db_url)
    review(session, survey, neutral_moved=4)
    refresh_survey_model(engine, form, "wmty")
    assert survey_model(engine, form, "wmty").sentiment.folds == 0
    app = open_page("comments", roles=("analyst",), comments_question="what_matters")
    shown = " ".join(str(m.value) for m in app.markdown)
    assert "The model as shipped reads the sentiment of 16 reviewed comments as your analysts did" in shown, shown
    assert shown.count("as shipped:") == 0, shown


def test_sentiment_decisions_are_stored_and_learnt_from_on_postgres(postgres_url, form):
    from sqlmodel import Session

    engine = get_engine(postgres_url)
    with Session(engine) as session:
        texts = [MOVED.format(place=place) for place in PLACES]
        texts += [template.format(place=place) for template in (PRAISE, COMPLAINT) for place in PLACES[:12]]
        submit_many(session, form, [(valid_answers(what_matters=text), Provenance()) for text in texts])
        analyse_pending(engine, form)
        comments = comments_of(engine, form)
        decided = review(session, comments, neutral_moved=12)
    assert refresh_survey_model(engine, form, "wmty")
    assert survey_model(engine, form, "wmty").sentiment.used
    analyse_pending(engine, form)
    after = comments_of(engine, form)
    unreviewed_moved = [i for i in ids_starting(comments, "They changed") if i not in decided]
    assert set(after.loc[unreviewed_moved, "sentiment"]) == {"neutral"}
    assert set(after.loc[decided[:12], "sentiment"]) == {"neutral"}


def test_changing_the_sentiment_of_reviewed_comments_makes_the_model_due_again(survey, session, form, db_url):
    """An analyst goes back over ten comments already reviewed and changes only their sentiment: ten decisions,
    so the model learns from them as it would from ten new ones."""
    from engagement.free_text.learning import refresh_due

    engine = get_engine(db_url)
    decided = review(session, survey, neutral_moved=12)
    refresh_survey_model(engine, form, "wmty")
    assert refresh_due(engine, form) == []
    for answer_id in decided[:10]:
        set_analyst_themes(session, answer_id, "wmty", survey.loc[answer_id, "themes"], "analyst b",
                           sentiment="positive")
    assert refresh_due(engine, form) == ["wmty"]

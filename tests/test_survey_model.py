"""A survey's own model: learnt from its analysts' decisions in the background, stored in the database, used
to re-tag the comments nobody reviewed, and reported on the page with how well it agrees with the analysts."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from engagement.db import get_engine
from engagement.free_text.analyse import pending_count
from engagement.free_text.job import analyse_pending
from engagement.free_text.learning import (
    refresh_due,
    refresh_survey_model,
    survey_model,
    wait_for_background_refresh,
)
from engagement.free_text.review import comments_for_review, set_analyst_themes
from engagement.intake import Provenance, submit_many
from engagement.models import SurveyThemeModel, utc_now
from tests.conftest import valid_answers
from tests.pages import open_page

PLACES = ["Bulwell", "Clifton", "Mansfield", "Newark", "Hucknall", "Arnold", "Beeston", "Retford", "Worksop",
          "Carlton", "Sherwood", "Radford", "Lenton", "Basford", "Mapperley", "Bingham", "Cotgrave", "Eastwood",
          "Kimberley", "Stapleford", "Ollerton", "Southwell", "Calverton", "Ruddington"]
HUB = "The hub in {place} is where I go for everything now"
STAFF = "The staff at {place} were kind and caring"


@pytest.fixture
def survey(session, form, db_url):
    texts = [HUB.format(place=place) for place in PLACES] + [STAFF.format(place=place) for place in PLACES[:8]]
    submit_many(session, form, [(valid_answers(what_matters=text), Provenance()) for text in texts])
    analyse_pending(get_engine(db_url), form)
    return comments_for_review(get_engine(db_url), form, "what_matters")


def review_hub_comments(session, comments, count: int) -> list[int]:
    """An analyst codes the first ``count`` hub comments as community care (T18), which the shipped model
    does not, and six staff comments as staff praise (enough comments without T18 for the model to learn it)."""
    hub = comments[comments["redacted_text"].str.startswith("The hub")]["answer_id"].tolist()[:count]
    staff = comments[comments["redacted_text"].str.startswith("The staff")]["answer_id"].tolist()[:6]
    for answer_id in hub:
        set_analyst_themes(session, answer_id, "wmty", ["T18"], "analyst a")
    for answer_id in staff:
        set_analyst_themes(session, answer_id, "wmty", ["T02"], "analyst a")
    return hub + staff


def test_the_model_learns_from_decisions_and_re_tags_unreviewed_comments(survey, session, form, db_url):
    engine = get_engine(db_url)
    unreviewed_hub = survey[survey["redacted_text"].str.startswith("The hub")]["answer_id"].tolist()[12:]
    assert not any("T18" in themes for themes in survey.set_index("answer_id").loc[unreviewed_hub, "themes"])
    reviewed = review_hub_comments(session, survey, 12)
    assert refresh_due(engine, form) == ["wmty"]
    assert refresh_survey_model(engine, form, "wmty")
    stored = survey_model(engine, form, "wmty")
    assert stored.reviewed == 18 and not stored.refreshing
    assert stored.agreement.comments == 18 and stored.agreement.folds == 5
    assert stored.agreement.micro_f1 > stored.agreement.shipped_micro_f1
    assert not set(stored.suggested) & set(reviewed)
    assert set(stored.suggested) == set(survey["answer_id"]) - set(reviewed)
    assert refresh_due(engine, form) == []
    # Of the unreviewed comments, only those the new model tags differently (the hub ones) wait for the analysis
    # job to re-tag them; the two staff comments keep their themes and are not read again.
    assert pending_count(engine, form) == len(unreviewed_hub) < len(survey) - len(reviewed)
    analyse_pending(engine, form)
    assert pending_count(engine, form) == 0
    after = comments_for_review(engine, form, "what_matters").set_index("answer_id")
    assert all("T18" in themes for themes in after.loc[unreviewed_hub, "themes"])
    assert list(after.loc[reviewed[:12], "themes"]) == [["T18"]] * 12  # analysts' decisions still win
    # Refreshing again on the same decisions gives the same model: nothing is newer, nothing to re-tag.
    assert refresh_survey_model(engine, form, "wmty")
    assert survey_model(engine, form, "wmty").model_changed_at == stored.model_changed_at
    assert pending_count(engine, form) == 0


def test_ten_more_decisions_make_the_model_due_again(survey, session, form, db_url):
    engine = get_engine(db_url)
    refresh_survey_model(engine, form, "wmty")
    assert refresh_due(engine, form) == []
    review_hub_comments(session, survey, 4)
    assert refresh_due(engine, form) == ["wmty"]  # 10 decisions since the last refresh


def test_only_one_instance_refreshes_at_a_time(survey, form, db_url):
    engine = get_engine(db_url)
    refresh_survey_model(engine, form, "wmty")
    with engine.begin() as connection:
        connection.execute(update(SurveyThemeModel).values(refreshing_since=utc_now()))
    assert not refresh_survey_model(engine, form, "wmty")
    assert refresh_due(engine, form) == []  # someone else is on it


def test_the_page_shows_agreement_with_the_analysts_and_orders_the_queue_by_suggestion(survey, session, form,
                                                                                     db_url):
    engine = get_engine(db_url)
    app = open_page("comments", roles=("analyst",), comments_question="what_matters")
    wait_for_background_refresh(timeout=120)  # the page started the first refresh, in a thread
    assert any("Review at least 10 comments" in str(c.value) for c in app.caption)
    with engine.connect() as connection:
        assert connection.scalar(select(SurveyThemeModel.suggested)) != "[]"
    review_hub_comments(session, survey, 12)
    app.run()
    wait_for_background_refresh(timeout=120)
    app.run()
    assert not app.exception
    shown = " ".join(str(m.value) for m in app.markdown)
    assert "The model agrees with your analysts on" in shown
    assert "5-fold cross-validation, 18 reviewed comments" in shown
    # The analyst's order stays put until they ask for the updated model's suggestions.
    [newer] = [button for button in app.button if "show its new suggestions" in button.label]
    newer.click().run()
    first = str(app.get("form")[0].text[0].value)  # the first review card
    suggested = survey_model(engine, form, "wmty").suggested
    assert first == survey.set_index("answer_id").loc[suggested[0], "redacted_text"]


def test_the_survey_model_is_stored_and_re_tags_on_postgres(postgres_url, form):
    from sqlmodel import Session

    engine = get_engine(postgres_url)
    with Session(engine) as session:
        texts = [HUB.format(place=place) for place in PLACES] + [STAFF.format(place=place) for place in PLACES[:8]]
        submit_many(session, form, [(valid_answers(what_matters=text), Provenance()) for text in texts])
        analyse_pending(engine, form)
        comments = comments_for_review(engine, form, "what_matters")
        reviewed = review_hub_comments(session, comments, 12)
    assert refresh_survey_model(engine, form, "wmty")
    assert survey_model(engine, form, "wmty").agreement.comments == 18
    assert 0 < pending_count(engine, form) < len(comments) - len(reviewed)
    analyse_pending(engine, form)
    assert pending_count(engine, form) == 0
    after = comments_for_review(engine, form, "what_matters").set_index("answer_id")
    unreviewed_hub = comments[comments["redacted_text"].str.startswith("The hub")]["answer_id"].tolist()[12:]
    assert all("T18" in themes for themes in after.loc[unreviewed_hub, "themes"])


RECEPTION = "The receptionist at {place} sorted my appointment out"
UNRELATED = ["Parking at {place} is hard to find", "The bus to {place} does not run on Sundays",
             "The hub in {place} is where I go for everything now"]


def test_a_few_decisions_about_one_theme_do_not_spread_it_to_unrelated_comments(session, form, db_url):
    """Ten decisions, eight of them staff: too little evidence to override the shipped model for staff, so the
    comments about parking, buses and the hub do not start being tagged staff."""
    engine = get_engine(db_url)
    texts = [RECEPTION.format(place=place) for place in PLACES[:10]]
    texts += [template.format(place=place) for template in UNRELATED for place in PLACES]
    submit_many(session, form, [(valid_answers(what_matters=text), Provenance()) for text in texts])
    analyse_pending(engine, form)
    comments = comments_for_review(engine, form, "what_matters")
    reception = comments[comments["redacted_text"].str.startswith("The receptionist")]["answer_id"].tolist()
    hub = comments[comments["redacted_text"].str.startswith("The hub")]["answer_id"].tolist()
    for answer_id in reception[:8]:
        set_analyst_themes(session, answer_id, "wmty", ["T02"], "analyst a")
    for answer_id in hub[:2]:
        set_analyst_themes(session, answer_id, "wmty", ["T18"], "analyst a")
    unrelated = comments[~comments["redacted_text"].str.startswith("The receptionist")
                         & ~comments["answer_id"].isin(hub[:2])]
    assert not any("T02" in themes for themes in unrelated["themes"])
    assert refresh_survey_model(engine, form, "wmty")
    analyse_pending(engine, form)
    after = comments_for_review(engine, form, "what_matters").set_index("answer_id")
    wrongly = [text for text, themes in after.loc[unrelated["answer_id"], ["redacted_text", "themes"]]
               .itertuples(index=False) if "T02" in themes]
    assert wrongly == []
    learnt = survey_model(engine, form, "wmty").agreement.themes.set_index("code")
    assert not learnt.loc["T02", "learnt"]  # eight with, two without: the shipped model keeps staff


def updated_notices(app) -> list:
    return [button for button in app.button if "has been updated" in button.label]


def test_the_page_says_the_model_was_updated_only_when_there_is_a_newer_model(survey, session, form, db_url):
    engine = get_engine(db_url)
    app = open_page("comments", roles=("analyst",), comments_question="what_matters")
    wait_for_background_refresh(timeout=120)  # the first refresh: suggestions from the shipped model, no model
    app.run()
    assert not app.exception and updated_notices(app) == []
    # Ten decisions that give no theme enough evidence either way: the survey keeps the shipped model.
    for answer_id in survey["answer_id"].iloc[:10]:
        set_analyst_themes(session, answer_id, "wmty", ["T02"], "analyst a")
    app.run()
    wait_for_background_refresh(timeout=120)
    app.run()
    assert survey_model(engine, form, "wmty").reviewed == 10
    assert survey_model(engine, form, "wmty").model_changed_at is None
    assert updated_notices(app) == []


def test_a_few_decisions_wait_for_the_window_then_refresh(survey, session, form, db_url):
    """Refreshes come once per batch window: ten decisions, or fewer once five minutes have passed."""
    import json
    from datetime import timedelta

    from engagement.free_text.learning import REFRESH_AFTER
    from engagement.models import AppSetting

    engine = get_engine(db_url)
    refresh_survey_model(engine, form, "wmty")
    for answer_id in survey["answer_id"].iloc[:3]:
        set_analyst_themes(session, answer_id, "wmty", ["T02"], "analyst a")
    assert refresh_due(engine, form) == []  # three decisions, just after a refresh: they wait
    earlier = (utc_now() - REFRESH_AFTER - timedelta(seconds=1)).isoformat()
    with engine.begin() as connection:
        connection.execute(update(AppSetting).where(AppSetting.key.startswith("survey_model_refreshed:"))
                           .values(value=json.dumps({"at": earlier, "succeeded": True})))
    assert refresh_due(engine, form) == ["wmty"]
    refresh_survey_model(engine, form, "wmty")
    assert refresh_due(engine, form) == [] and survey_model(engine, form, "wmty").reviewed == 3


def test_a_failed_refresh_is_not_retried_on_every_page_view(survey, session, form, db_url, monkeypatch):
    import engagement.free_text.learning as learning

    engine = get_engine(db_url)
    monkeypatch.setattr(learning, "shipped_theme_model", lambda slug: (_ for _ in ()).throw(OSError("disk")))
    with pytest.raises(OSError):
        refresh_survey_model(engine, form, "wmty")
    assert not survey_model(engine, form, "wmty").refreshing  # the lease is given back
    assert refresh_due(engine, form) == []  # tried again a minute later, not on the next page view

"""Easy Read respondents' written answers count with the standard survey's, wherever its themes appear: the
Comments and themes page (tagged "Easy Read", with a "Survey version" filter like the dashboard's), the
dashboard's themes, the report's themes and quotes, and the survey's own model that analysts teach."""

from __future__ import annotations

import pytest

from engagement.analysis.dashboard_view import DashboardView
from engagement.analysis.insight import free_text_answers, load_respondents, themes
from engagement.db import get_engine
from engagement.forms import easy_read_version
from engagement.free_text.analyse import pending_count
from engagement.free_text.job import analyse_pending, wait_for_background_analysis
from engagement.free_text.learning import refresh_survey_model, survey_model
from engagement.free_text.review import comments_for_review, set_analyst_themes
from engagement.free_text.themes import theme_summary
from engagement.intake import Provenance, submit_many
from engagement.reports.summary import Selection, build_summary
from tests.conftest import valid_answers
from tests.pages import open_page
from tests.test_counted_responses import easy_read_answers

GP = "More GP appointments please"
NURSES = "Not enough nurses on the wards"
GP_ACCESS = "T06"


@pytest.fixture
def easy_read_wants_gp_appointments(session, form, db_url):
    """6 Easy Read respondents write "More GP appointments please"; 12 standard respondents write about
    nurses. Easy Read first, so their comments are on the review list's first page."""
    easy = easy_read_version(form.slug)
    submit_many(session, easy, [(easy_read_answers(what_matters=GP), Provenance()) for _ in range(6)])
    submit_many(session, form, [(valid_answers(what_matters=NURSES), Provenance()) for _ in range(12)])
    return get_engine(db_url)


def test_the_comments_page_analyses_shows_and_tags_easy_read_answers(easy_read_wants_gp_appointments):
    app = open_page("comments", roles=("analyst",), comments_question="what_matters")
    wait_for_background_analysis(timeout=300)  # the page started it: both versions' answers are read
    app.run()
    assert not app.exception, app.exception
    assert GP in [str(e.value) for e in app.text]
    headers = [str(e.value) for e in app.markdown if "·" in str(e.value)]  # one per comment card
    assert len(headers) == 10 and sum("Easy Read" in h for h in headers) == 6, headers  # page 1 of the 18
    table = app.dataframe[0].value.set_index("theme_code")
    assert table.loc[GP_ACCESS, "respondents"] == 6
    assert table.loc[GP_ACCESS, "pct_of_respondents"] == pytest.approx(100 * 6 / 18, abs=0.1)


def test_the_survey_version_filter_shows_one_version_alone(easy_read_wants_gp_appointments, form):
    engine = easy_read_wants_gp_appointments
    analyse_pending(engine, form)
    app = open_page("comments", roles=("analyst",), comments_question="what_matters")
    app.selectbox(key="comments_version").set_value("standard").run()
    texts = [str(e.value) for e in app.text]
    headers = [str(e.value) for e in app.markdown if "·" in str(e.value)]
    assert GP not in texts and NURSES in texts and not any("Easy Read" in h for h in headers)
    assert GP_ACCESS not in set(app.dataframe[0].value["theme_code"])
    app.selectbox(key="comments_version").set_value("easy_read").run()
    texts = [str(e.value) for e in app.text]
    headers = [str(e.value) for e in app.markdown if "·" in str(e.value)]
    assert GP in texts and NURSES not in texts and len(headers) == 6 and all("Easy Read" in h for h in headers)
    # Six people alone are fewer than the suppression rule's base of 10: every figure is hidden.
    easy_only = theme_summary(engine, form, "what_matters", form_version="easy_read")
    assert easy_only["respondents"].isna().all() and easy_only["suppression_note"].astype(bool).all()


def test_the_dashboard_counts_easy_read_answers_in_the_themes(easy_read_wants_gp_appointments, form):
    engine = easy_read_wants_gp_appointments
    analyse_pending(engine, form)
    frame = load_respondents(engine, form)
    tags, answered = free_text_answers(engine, form)
    whole = themes(frame, tags, answered, form, DashboardView(survey=form.slug), "what_matters").whole
    assert whole.set_index("theme_code").loc[GP_ACCESS, "mentioning_n"] == 6
    standard = themes(frame, tags, answered, form, DashboardView(survey=form.slug, form_version="standard"),
                      "what_matters").whole.set_index("theme_code")
    assert GP_ACCESS not in standard.index or not standard.loc[GP_ACCESS, "mentioning_n"]


def test_the_board_report_counts_and_quotes_easy_read_answers(easy_read_wants_gp_appointments, form):
    engine = easy_read_wants_gp_appointments
    analyse_pending(engine, form)
    summary = build_summary(engine, form, Selection())
    section = next(s for s in summary.themes if s.question_id == "what_matters")
    assert section.table.set_index("theme_code").loc[GP_ACCESS, "mentioning_n"] == 6
    assert GP in set(section.quotes["quote"])


HUB = "The hub in {place} is where I go for everything now"
STAFF = "The staff at {place} were kind and caring"
PLACES = ["Bulwell", "Clifton", "Mansfield", "Newark", "Hucknall", "Arnold", "Beeston", "Retford", "Worksop",
          "Carlton", "Sherwood", "Radford", "Lenton", "Basford", "Mapperley", "Bingham", "Cotgrave", "Eastwood",
          "Kimberley", "Stapleford", "Ollerton", "Southwell", "Calverton", "Ruddington"]


def test_decisions_on_easy_read_comments_teach_the_surveys_model(session, form, db_url):
    """Every comment comes through Easy Read: the analysts review them on the standard survey's page, its model
    learns from them, and the Easy Read comments nobody reviewed are re-tagged by it."""
    engine = get_engine(db_url)
    easy = easy_read_version(form.slug)
    texts = [HUB.format(place=place) for place in PLACES] + [STAFF.format(place=place) for place in PLACES[:8]]
    submit_many(session, easy, [(easy_read_answers(what_matters=text), Provenance()) for text in texts])
    analyse_pending(engine, form)
    comments = comments_for_review(engine, form, "what_matters")
    assert len(comments) == len(texts)
    hub = comments[comments["redacted_text"].str.startswith("The hub")]["answer_id"].tolist()
    staff = comments[comments["redacted_text"].str.startswith("The staff")]["answer_id"].tolist()[:6]
    for answer_id in hub[:12]:
        set_analyst_themes(session, answer_id, "wmty", ["T18"], "analyst a")
    for answer_id in staff:
        set_analyst_themes(session, answer_id, "wmty", ["T02"], "analyst a")
    assert refresh_survey_model(engine, form, "wmty")
    learnt = survey_model(engine, form, "wmty")
    assert learnt.reviewed == 18 and learnt.agreement is not None and learnt.agreement.comments == 18
    assert set(learnt.suggested) == set(comments["answer_id"]) - set(hub[:12]) - set(staff)
    assert pending_count(engine, form) == len(hub) - 12  # the Easy Read comments the new model tags differently
    analyse_pending(engine, form)
    assert pending_count(engine, form) == 0
    after = comments_for_review(engine, form, "what_matters").set_index("answer_id")
    assert all("T18" in found for found in after.loc[hub[12:], "themes"])


def test_a_model_refresh_before_any_answer_is_analysed_suggests_nothing_and_does_not_fail(session, form, db_url):
    """Found when the Comments page was opened on Easy Read answers not yet analysed: the background refresh
    that starts with it failed in the logs ("Found array with 0 sample(s)") and was retried every minute."""
    engine = get_engine(db_url)
    submit_many(session, easy_read_version(form.slug), [(easy_read_answers(what_matters=GP), Provenance())])
    assert refresh_survey_model(engine, form, "wmty")
    assert survey_model(engine, form, "wmty").suggested == []


@pytest.mark.parametrize(("page", "role"), [("comments", "analyst"), ("export", "comms")])
def test_the_page_counts_easy_read_responses_in_its_synthetic_data_notice(session, form, db_url, page, role):
    """Found in Chromium: with 40 of 440 demo responses through Easy Read, the page said "400 of these 400"."""
    easy = easy_read_version(form.slug)
    submit_many(session, form, [(valid_answers(), Provenance(is_synthetic=True)) for _ in range(4)])
    submit_many(session, easy, [(easy_read_answers(), Provenance(is_synthetic=True)) for _ in range(2)])
    app = open_page(page, roles=(role,))
    assert "6 of the 6 responses to this survey" in app.warning[0].value


def test_you_said_we_did_can_quote_an_easy_read_respondent(easy_read_wants_gp_appointments, form):
    from engagement.you_said_we_did import quote_choices

    engine = easy_read_wants_gp_appointments
    analyse_pending(engine, form)
    assert GP in quote_choices(engine, form, [GP_ACCESS])

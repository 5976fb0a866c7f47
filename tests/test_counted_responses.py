"""Which responses the dashboard and the exports count: a paper sheet of a batch that requires double entry
counts only once verified, and the Easy Read responses join the standard survey's figures (mapped)."""

from __future__ import annotations

import time

import pytest
import streamlit as st

from engagement.analysis.dashboard_view import DashboardView
from engagement.analysis.insight import load_respondents, priorities
from engagement.analysis.respondents import respondent_frame
from engagement.db import get_engine
from engagement.forms import easy_read_version
from engagement.intake import Provenance, submit_many, submit_response
from engagement.verification import key_second_entry, require_verification
from tests.conftest import valid_answers
from tests.test_dashboard import open_page

BATCH = "2019-03-14 Bulwell library drop-in"


@pytest.fixture(autouse=True)
def fresh_cache():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


@pytest.fixture
def three_online_two_paper_waiting(session, form):
    require_verification(session, form.slug, BATCH, actor="lead")
    submit_many(session, form, [(valid_answers(), Provenance(channel="online")) for _ in range(3)])
    for ref in ("HW-1", "HW-2"):
        submit_response(session, form, valid_answers(sex="female"),
                        Provenance(channel="paper", entered_by="vol-a", paper_reference=ref, import_batch=BATCH))


def test_paper_sheets_waiting_for_a_second_keying_are_not_counted_until_verified(
    session, form, db_url, three_online_two_paper_waiting
):
    engine = get_engine(db_url)
    assert respondent_frame(engine, form)["channel"].tolist() == ["online"] * 3
    key_second_entry(session, form, "HW-1", "vol-b", valid_answers(sex="female"), via="test")
    assert len(respondent_frame(engine, form)) == 4
    # Every stored response is still there for the people who keep the record.
    assert len(respondent_frame(engine, form, counted_only=False)) == 5


def test_the_dashboard_counts_only_verified_sheets_and_says_how_many_wait(
    session, form, db_url, three_online_two_paper_waiting
):
    # Five more online, so the count of responses is not itself one the suppression rule hides (1 to 4).
    submit_many(session, form, [(valid_answers(), Provenance()) for _ in range(5)])
    app = open_page("dashboard")
    assert app.metric[0].value == "8"
    assert "2 paper forms wait for a second keying and are not counted yet." in [i.value for i in app.info]
    key_second_entry(session, form, "HW-1", "vol-b", valid_answers(sex="female"), via="test")
    time.sleep(2.1)  # the data version is re-read at most every 2 seconds
    app.run()  # the next click sees the verified sheet
    assert app.metric[0].value == "9"
    assert "1 paper form waits for a second keying and is not counted yet." in [i.value for i in app.info]


def easy_read_answers(**overrides) -> dict:
    """An Easy Read response: its four-point scale, and only the questions that form asks."""
    answers = {item: "4" for item in ("top_urgent_care", "top_mental_health", "top_best_use_of_money",
                                      "preventing_ill_health", "children_young_peoples_health",
                                      "major_health_conditions", "supporting_our_workforce")}
    answers.update(digital_innovation="2", district="E06000018", consent=True)
    answers.update(overrides)
    return answers


def test_an_easy_read_response_appears_in_the_standard_surveys_priority_counts(session, form, db_url):
    easy = easy_read_version(form.slug)
    submit_many(session, form, [(valid_answers(digital_innovation="5"), Provenance()) for _ in range(12)])
    submit_many(session, easy, [(easy_read_answers(digital_innovation="5"), Provenance()) for _ in range(3)])
    frame = load_respondents(get_engine(db_url), form)
    assert frame["form_version"].value_counts().to_dict() == {"Standard": 12, "Easy Read": 3}
    whole = priorities(frame, form, DashboardView(survey=form.slug)).whole.set_index("item_id")
    assert whole.loc["digital_innovation", "n"] == 15
    assert whole.loc["top_urgent_care", "n"] == 15
    only_easy = priorities(frame, form, DashboardView(survey=form.slug, form_version="easy_read"))
    assert only_easy.responses == 3


def test_the_dashboard_says_how_many_easy_read_responses_it_includes_and_can_show_one_version(session, form):
    easy = easy_read_version(form.slug)
    submit_many(session, form, [(valid_answers(), Provenance()) for _ in range(12)])
    submit_many(session, easy, [(easy_read_answers(), Provenance()) for _ in range(5)])
    app = open_page("dashboard")
    assert app.metric[0].value == "17"
    assert any("5 of these 17 responses came through the Easy Read version" in c.value for c in app.caption)
    app = open_page("dashboard", {"version": "standard"})
    assert app.metric[0].value == "12"

"""The Easy Read survey: its own form file whose answers combine with the standard version's."""

from __future__ import annotations

import re

import pytest

from engagement.forms import combination_problems, easy_read_version, get_form
from engagement.intake import Provenance, submit_response

STANDARD = "what-matters-to-you-2019"


def test_every_easy_read_answer_combines_with_the_standard_form_or_is_mapped():
    easy = easy_read_version(STANDARD)
    assert easy is not None and easy.slug != STANDARD
    assert combination_problems(easy, get_form(STANDARD)) == []
    shared = {s.id for s in easy.questions} & {s.id for s in get_form(STANDARD).questions}
    assert {"consent", "district", "top_urgent_care", "what_matters", "age"} <= shared


def test_a_question_the_standard_form_lacks_is_caught_unless_mapped():
    easy = easy_read_version(STANDARD)
    standard = get_form(STANDARD)
    renamed = easy.definition.model_copy(deep=True)
    renamed.sections[1].questions[0].items[0].id = "quick_help"
    from survey_forms.loader import Form

    problems = combination_problems(Form(definition=renamed, path=easy.path, place_options=easy.place_options),
                                    standard)
    assert problems == [f"quick_help: no question 'quick_help' in {STANDARD} and no mapping says where"]


def test_easy_read_is_short_sentences_one_idea_per_question():
    easy = easy_read_version(STANDARD)
    for spec in easy.questions:
        sentences = [s for s in re.split(r"(?<=[.?!])\s+", spec.text) if s]
        assert all(len(s.split()) <= 20 for s in sentences), spec.text
        assert " and/or " not in spec.text and ";" not in spec.text


def test_consent_comes_first_and_about_you_after_the_main_questions_with_why_it_is_asked():
    for form in (get_form(STANDARD), easy_read_version(STANDARD)):
        sections = [s.id for s in form.sections]
        assert sections[0] == "consent" and form.definition.privacy_notice
        assert sections.index("about_you") > sections.index("priorities")
        about = next(s for s in form.sections if s.id == "about_you")
        assert "check" in about.description and "hear" in about.description


def test_an_easy_read_response_is_stored_with_its_own_form(session):
    easy = easy_read_version(STANDARD)
    response = submit_response(session, easy, {"consent": True, "district": "Mansfield", "top_urgent_care": "5"},
                               Provenance(channel="online"))
    assert response.survey_slug == easy.slug and response.place_code == "E07000174"


def test_both_versions_are_offered_from_the_start_and_easy_read_saves_with_a_reference(session, db_url):
    from sqlmodel import select

    from engagement.models import Response
    from tests.pages import open_page

    app = open_page("survey", roles=())
    assert app.radio(key="survey_version").options == [
        "Standard version", "Easy Read version (short sentences, everyday words)"]
    app.radio(key="survey_version").set_value("easy_read").run()
    assert app.title[0].value == "What matters to you - Easy Read"
    assert "We do not ask for your name" in app.info[0].value
    app.checkbox(key="easy:consent").check()
    app.radio(key="easy:district").set_value("E07000174")
    app.radio(key="easy:top_urgent_care").set_value("4")
    next(b for b in app.button if b.label == "Send my answers").click().run()
    assert not app.exception, app.exception
    saved = session.exec(select(Response)).one()
    assert saved.survey_slug == "what-matters-to-you-2019-easy-read"
    assert f"reference {saved.reference}" in app.success[0].value


def test_a_link_to_the_easy_read_version_wins_even_if_an_earlier_run_of_the_session_missed_it(db_url):
    """Found: now and then the first run of a fresh session shows the standard version for a ?version=easy-read
    link. Whatever run first sees the link's version must show it."""
    from tests.pages import open_page

    app = open_page("survey", roles=())  # a first run that did not see the link's query
    assert app.title[0].value == "What matters to you"
    app.query_params["version"] = "easy-read"
    app.run()
    assert app.radio(key="survey_version").value == "easy_read"
    assert app.title[0].value == "What matters to you - Easy Read"


def test_choosing_a_version_puts_it_in_the_address_so_the_link_can_be_shared(db_url):
    from tests.pages import open_page

    app = open_page("survey", roles=())
    app.radio(key="survey_version").set_value("easy_read").run()
    assert app.query_params["version"] == "easy-read"
    app.radio(key="survey_version").set_value("standard").run()
    assert "version" not in app.query_params
    assert app.title[0].value == "What matters to you"


EASY_READ_SLUG = "what-matters-to-you-2019-easy-read"


@pytest.mark.parametrize("command", [
    ["priorities", "--json"], ["priorities", "--by", "place"], ["weights", "--json"], ["coverage", "--json"],
    ["export", "--format", "csv", "--out", "/tmp/never-written.csv"],
])
def test_commands_asked_for_the_easy_read_version_say_which_survey_holds_its_responses(db_url, command):
    """Found: `--survey <the Easy Read slug>` ended in a KeyError traceback (no question 'ethnic_group')."""
    from tests.test_cli import run

    result = run(*command, "--survey", EASY_READ_SLUG)
    assert result.exit_code != 0
    assert "Traceback" not in result.output and not isinstance(result.exception, KeyError)
    assert f"'{EASY_READ_SLUG}' is the Easy Read version of 'what-matters-to-you-2019'" in result.output
    assert "--survey what-matters-to-you-2019" in result.output


def test_the_dashboard_offers_only_surveys_it_can_show(db_url):
    """Found: choosing the Easy Read survey on the dashboard showed a traceback; its responses are shown with
    the survey it belongs to (the "Survey version" filter shows one version alone)."""
    from tests.pages import open_page

    app = open_page("dashboard", roles=("analyst",))
    assert EASY_READ_SLUG not in app.selectbox(key="dash_survey").options

"""Each Streamlit page, driven with AppTest against a fresh database."""

from __future__ import annotations

from sqlmodel import select
from streamlit.testing.v1 import AppTest

from engagement.db import get_engine
from engagement.demo import add_demo_responses
from engagement.models import Response
from tests.conftest import valid_answers
from tests.pages import open_page


def fill(app: AppTest, prefix: str, answers: dict) -> None:
    for question_id, value in answers.items():
        if question_id == "consent":
            app.checkbox(key=f"{prefix}:consent").check()
        else:
            app.radio(key=f"{prefix}:{question_id}").set_value(value)


def submit_button(app: AppTest):
    return next(b for b in app.button if b.label in ("Send my answers", "Save and start the next form"))


def test_survey_page_saves_a_complete_response_and_thanks_the_respondent(session, db_url):
    app = open_page("survey", roles=())
    fill(app, "survey", valid_answers())
    app.text_area(key="survey:best_thing").input("The staff are wonderful")
    submit_button(app).click().run()
    assert not app.exception
    assert any("Thank you" in s.value for s in app.success)
    saved = session.exec(select(Response)).all()
    assert len(saved) == 1 and saved[0].channel == "online" and not saved[0].is_synthetic


def test_survey_page_shows_problems_beside_questions_and_saves_nothing(session, db_url):
    app = open_page("survey", roles=())
    answers = valid_answers()
    del answers["supporting_our_workforce"]
    fill(app, "survey", answers)
    submit_button(app).click().run()
    errors = [e.value for e in app.error]
    assert any("Supporting our workforce: an answer is required" in e for e in errors)
    assert session.exec(select(Response)).all() == []
    assert app.radio(key="survey:top_urgent_care").value == "5"  # answers already given are kept


def test_paper_entry_records_the_signed_in_volunteer_and_paper_reference(session, db_url):
    app = open_page("paper_entry", roles=("volunteer",), username="hw-volunteer-12")
    app.text_input(key="paper:paper_reference").input("HWN-2019-0042")
    fill(app, "paper", valid_answers())
    submit_button(app).click().run()
    assert not app.exception
    saved = session.exec(select(Response)).one()
    assert (saved.channel, saved.entered_by, saved.paper_reference) == (
        "paper", "hw-volunteer-12", "HWN-2019-0042",
    )
    assert any("Entered by you today: 1" in h.value for h in app.subheader)


def test_dashboard_marks_synthetic_data_and_shows_counts_and_priorities(session, form, db_url):
    add_demo_responses(session, form, 40, seed=5)
    app = open_page("dashboard", roles=("analyst",))
    assert any("Synthetic demo data" in w.value for w in app.warning)
    assert app.metric[0].value == "40"
    assert any("not yet representative" in i.value.lower() for i in app.info)
    headers = [h.value for h in app.header] + [h.value for h in app.subheader]
    assert "Whole area" in headers and "Our next priorities" in headers
    app.toggle(key="dash_synthetic").set_value(False).run()
    assert app.metric[0].value == "0"


def test_export_page_offers_the_csv(session, form, db_url):
    add_demo_responses(session, form, 5, seed=1)
    app = open_page("export", roles=("comms",))
    assert any("Synthetic demo data" in w.value for w in app.warning)
    assert len(app.dataframe) == 1
    assert len(app.get("download_button")) == 1


def test_comments_page_shows_analysed_answers_and_records_an_analyst_decision(session, form, db_url):
    from engagement.free_text.job import analyse_pending
    from engagement.free_text.themes import effective_theme_tags
    from engagement.models import AnalystThemeTag

    add_demo_responses(session, form, 30, seed=4)
    analyse_pending(get_engine(db_url), form)  # the background job's work (tests/test_comments_page.py)
    app = open_page("comments", roles=("analyst",), username="analyst-b")
    headers = [h.value for h in app.header]
    assert headers == ["Themes", "What the codebook may miss", "Review comments"]
    assert any("Personal details are removed" in c.value for c in app.caption)
    review = app.get("form")[0]
    chosen = review.multiselect[0]
    chosen.set_value(["T99"])
    review.button[0].click()
    app.run()
    assert not app.exception
    tags = effective_theme_tags(get_engine(db_url), form)
    assert "analyst" in set(tags["source"])
    assert set(session.scalars(select(AnalystThemeTag.analyst))) == {"analyst-b"}


def test_error_messages_quote_typed_text_as_text_not_markdown(session, db_url):
    """A message that repeats what someone typed (here a paper reference keyed twice) must not turn it into a
    link, image or bold text: the message reaches Streamlit with Markdown's characters escaped."""
    typed = "[x](http://evil.example/a) **loud**"
    for _ in range(2):
        app = open_page("paper_entry", roles=("volunteer",), username="hw-volunteer-13")
        app.text_input(key="paper:paper_reference").input(typed)
        fill(app, "paper", valid_answers())
        submit_button(app).click().run()
    shown = "\n".join(e.value for e in app.error)
    assert "already entered" in shown
    assert "[x](http" not in shown and "**loud**" not in shown
    assert r"\[x\](http://evil.example/a) \*\*loud\*\*" in shown


def test_comments_page_shows_the_codebook_rules_analysts_code_to(session, form, db_url):
    from engagement.free_text.job import analyse_pending

    add_demo_responses(session, form, 12, seed=6)
    analyse_pending(get_engine(db_url), form)
    app = open_page("comments", roles=("analyst",))
    app.selectbox(key="guide_theme").set_value("T99").run()
    shown = "\n".join(t.value for t in app.text)
    assert "Code it when:" in shown and "Not when:" in shown
    assert "Example:" in shown

"""The paper entry page: a batch kept between forms with a running tally, a repeated paper reference refused
naming the first entry, and a correction saved as a new version."""

from __future__ import annotations

from sqlmodel import select

from engagement.models import Response, ResponseCorrection
from tests.conftest import valid_answers
from tests.pages import open_page
from tests.test_pages import fill, submit_button


def key_in(app, paper_reference: str, **overrides) -> None:
    app.text_input(key="paper:paper_reference").input(paper_reference)
    fill(app, "paper", valid_answers(**overrides))
    submit_button(app).click().run()
    assert not app.exception, app.exception


def test_save_and_next_keeps_the_batch_counts_it_and_refuses_a_repeated_reference(session, db_url):
    app = open_page("paper_entry", roles=("volunteer",), username="vol-a")
    app.text_input(key="paper_batch_event").input("Bulwell library drop-in").run()
    key_in(app, "HW-1")
    assert app.text_input(key="paper_batch_event").value == "Bulwell library drop-in"  # the batch stays
    assert app.text_input(key="paper:paper_reference").value == ""  # the answers are cleared
    assert app.radio(key="paper:top_urgent_care").value is None
    key_in(app, "HW-2")
    assert any("2 entered so far" in c.value for c in app.caption)
    first = session.exec(select(Response).where(Response.paper_reference == "HW-1")).one()
    assert first.import_batch.endswith("Bulwell library drop-in")

    key_in(app, "HW-1")
    assert any(f"'HW-1' was already entered as {first.reference}" in e.value for e in app.error)
    assert len(session.exec(select(Response)).all()) == 2


def test_a_volunteer_corrects_an_entry_and_the_earlier_version_is_kept(session, db_url):
    app = open_page("paper_entry", roles=("volunteer",), username="vol-a")
    key_in(app, "HW-1", sex="female")
    response = session.exec(select(Response)).one()
    app.text_input(key="paper_check_reference").input(response.reference).run()
    assert app.radio(key="fix:sex").value == "female"  # the form opens with the answers as stored
    app.radio(key="fix:sex").set_value("male")
    next(b for b in app.button if b.label == "Save correction").click().run()
    assert not app.exception, app.exception
    assert any(f"Saved as version 2 of {response.reference}" in s.value for s in app.success)
    history = next(d.value for d in app.dataframe if "what changed" in d.value.columns)
    assert history["what changed"].tolist() == ["Sex: Female → Male", "First entered"]
    assert history["by"].tolist() == ["vol-a", "vol-a"]
    assert len(session.exec(select(ResponseCorrection)).all()) == 1


def test_double_entry_second_keying_shows_disagreements_and_a_third_person_settles_them(session, db_url, form):
    from engagement.db import get_engine
    from engagement.verification import unverified_responses

    first = open_page("paper_entry", roles=("volunteer",), username="vol-a")
    first.text_input(key="paper_batch_event").input("Clinic").run()
    first.checkbox(key="paper_batch_double").check().run()
    key_in(first, "HW-5", sex="female")

    second = open_page("paper_entry", roles=("volunteer",), username="vol-b")
    second.toggle(key="paper_second_keying").set_value(True).run()
    second.text_input(key="paper:paper_reference").input("HW-5")
    fill(second, "paper", valid_answers(sex="male"))
    submit_button(second).click().run()
    assert not second.exception, second.exception
    assert any("differs from the first in 1 answer." in w.value for w in second.warning)
    assert len(session.exec(select(Response)).all()) == 1  # a second keying is not a second response
    assert unverified_responses(get_engine(db_url), form.slug)["paper_reference"].tolist() == ["HW-5"]

    lead = open_page("paper_entry", roles=("admin",), username="lead")
    lead.radio(key="settle:sex").set_value("second")
    next(b for b in lead.button if b.label == "Settle this sheet").click().run()
    assert not lead.exception, lead.exception
    assert any("Sheet HW-5 settled (version 2)." in message.value for message in lead.success)
    assert unverified_responses(get_engine(db_url), form.slug).empty
    assert session.exec(select(ResponseCorrection)).one().corrected_by == "lead"

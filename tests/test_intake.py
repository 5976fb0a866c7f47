"""Intake: valid answers are stored long with provenance; bad answers are explained and nothing is saved."""

from __future__ import annotations

import pytest
from sqlmodel import select

from engagement.intake import IntakeError, Provenance, submit_many, submit_response
from engagement.models import Answer, Response
from tests.conftest import valid_answers


def count(session, model) -> int:
    return len(session.exec(select(model)).all())


def test_valid_response_is_stored_one_row_per_answer_with_provenance(session, form):
    answers = valid_answers(three_words=["helpful", "stretched", ""], best_thing="Free at the point of use")
    response = submit_response(
        session, form, answers, Provenance(channel="paper", entered_by="Vol 7", paper_reference="HW-0012")
    )
    stored = session.exec(select(Answer).where(Answer.response_id == response.id)).all()
    by_question = {}
    for answer in stored:
        by_question.setdefault(answer.question_id, []).append(answer.value)
    assert by_question["three_words"] == ["helpful", "stretched"]
    assert by_question["best_thing"] == ["Free at the point of use"]
    assert by_question["consent"] == ["yes"]
    assert response.place_code == "E06000018"
    assert (response.channel, response.entered_by, response.paper_reference) == ("paper", "Vol 7", "HW-0012")
    assert response.survey_slug == form.slug and response.survey_version == form.version


def test_labels_are_accepted_as_well_as_codes(session, form):
    response = submit_response(
        session, form, valid_answers(top_urgent_care="Very important", district="rushcliffe", sex="Female")
    )
    values = {a.question_id: a.value for a in session.exec(select(Answer).where(Answer.response_id == response.id))}
    assert values["top_urgent_care"] == "5"
    assert values["sex"] == "female"
    assert response.place_code == "E07000176"


def test_missing_required_answers_are_all_named_and_nothing_is_saved(session, form):
    answers = valid_answers()
    del answers["supporting_our_workforce"]
    answers["consent"] = False
    with pytest.raises(IntakeError) as caught:
        submit_response(session, form, answers)
    problems = {p.question_id: p.message for p in caught.value.problems}
    assert problems == {"supporting_our_workforce": "an answer is required", "consent": "must be ticked"}
    assert "Supporting our workforce" in str(caught.value)
    assert count(session, Response) == 0 and count(session, Answer) == 0


def test_answer_outside_the_options_says_what_is_allowed(session, form):
    with pytest.raises(IntakeError) as caught:
        submit_response(session, form, valid_answers(digital_innovation="6"))
    message = str(caught.value)
    assert "digital_innovation" in message
    assert "'6' is not one of the allowed answers" in message
    assert "5 ('Very important')" in message


def test_unknown_place_is_rejected_with_the_list_of_places(session, form):
    with pytest.raises(IntakeError) as caught:
        submit_response(session, form, valid_answers(district="Leicester"))
    message = str(caught.value)
    assert "district" in message and "'Leicester' is not one of" in message
    assert "Nottingham" in message and "Somewhere else" in message
    assert count(session, Response) == 0


@pytest.mark.parametrize(
    ("question", "value", "expected"),
    [
        ("age", "7", "outside the allowed range 11 to 120"),
        ("age", "forty", "'forty' is not a number"),
        ("postcode_district", "NG7 2UH", "not the first half of a UK postcode"),
        ("three_words", ["a", "b", "c", "d"], "at most 3 are allowed"),
        ("best_thing", "x" * 2001, "at most 2000 are allowed"),
        ("favourite_colour", "blue", "is not a question on the form"),
    ],
)
def test_bad_values_get_a_message_naming_the_question(session, form, question, value, expected):
    with pytest.raises(IntakeError) as caught:
        submit_response(session, form, valid_answers(**{question: value}))
    assert question in str(caught.value) and expected in str(caught.value)


def test_postcode_district_is_normalised(session, form):
    response = submit_response(session, form, valid_answers(postcode_district=" ng7 "))
    value = session.exec(
        select(Answer.value).where(Answer.response_id == response.id, Answer.question_id == "postcode_district")
    ).one()
    assert value == "NG7"


def test_paper_form_needs_its_reference(session, form):
    with pytest.raises(IntakeError, match="paper form needs its reference"):
        submit_response(session, form, valid_answers(), Provenance(channel="paper", entered_by="Vol"))


def test_a_batch_with_one_bad_row_saves_nothing_and_names_the_row(session, form):
    batch = [(valid_answers(), Provenance()), (valid_answers(district="Narnia"), Provenance())]
    with pytest.raises(IntakeError, match=r"^Row 2: .*'Narnia'"):
        submit_many(session, form, batch)
    assert count(session, Response) == 0

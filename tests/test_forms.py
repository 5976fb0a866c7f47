"""The shipped form says what the 2019 survey said, and a broken form file is reported precisely."""

from __future__ import annotations

import textwrap

import pytest

from engagement.forms import check_form_file
from survey_forms import FormFileError, list_forms


def test_the_five_next_priorities_keep_the_2019_wording_and_scale(form):
    grid = [q for q in form.questions if q.group_id == "next_priorities"]
    assert [q.label for q in grid] == [
        "Preventing ill health",
        "Children and young people's health",
        "Major health conditions",
        "Supporting our workforce",
        "Digital innovation in healthcare",
    ]
    assert grid[4].text == (
        "Digital innovation in healthcare - Using things like Skype for appointments to help you get "
        "better access to your GP"
    )
    assert [o.label for o in grid[0].options] == [
        "Not important at all",
        "Not very important",
        "Neither unimportant or important",
        "Important",
        "Very important",
    ]
    assert grid[0].top_box == ("4", "5")


def test_form_has_the_questions_the_issue_asks_for(form):
    ids = {q.id for q in form.questions}
    assert {"best_thing", "what_matters", "three_words", "district", "postcode_district", "consent"} <= ids
    assert form.question("best_thing").text == "What do you think is the best thing about the NHS?"
    assert len([q for q in form.questions if q.type == "bipolar"]) == 3
    assert len([q for q in form.questions if q.group_id == "top_priorities"]) == 3


def test_about_you_questions_are_optional_and_offer_prefer_not_to_say(form):
    about_you = [q for q in form.questions if q.section_id == "about_you"]
    assert about_you and not any(q.required for q in about_you)
    for question in about_you:
        if question.type == "single_choice":
            assert "Prefer not to say" in [o.label for o in question.options], question.id
    ethnic = form.question("ethnic_group")
    assert ethnic.text == "What is your ethnic group?"
    assert len(ethnic.options) == 20  # 19 Census 2021 categories and Prefer not to say


def test_place_question_lists_the_eight_areas(form):
    labels = [o.label for o in form.question("district").options]
    for name in ["Nottingham", "Ashfield", "Bassetlaw", "Broxtowe", "Gedling", "Mansfield",
                 "Newark and Sherwood", "Rushcliffe"]:
        assert name in labels
    assert "Plymouth" not in labels


def test_every_shipped_form_is_valid():
    for path in list_forms():
        assert check_form_file(path).questions


def write(tmp_path, text: str):
    path = tmp_path / "broken.yaml"
    path.write_text(textwrap.dedent(text))
    return path


MINIMAL = """
slug: test-form
version: 1
title: Test
sections:
  - id: s1
    title: Section
    questions:
      - id: q1
        type: {qtype}
        text: Question one
        {extra}
"""


def test_unknown_question_type_names_file_question_and_field(tmp_path):
    path = write(tmp_path, MINIMAL.format(qtype="slider", extra=""))
    with pytest.raises(FormFileError) as caught:
        check_form_file(path)
    message = str(caught.value)
    assert "broken.yaml" in message
    assert "questions[0] (id 'q1').type" in message
    assert "'likert_grid'" in message  # says what is allowed


def test_undefined_scale_is_reported_with_the_defined_ones(tmp_path):
    path = write(tmp_path, MINIMAL.format(qtype="single_choice", extra="scale: agree5"))
    with pytest.raises(FormFileError, match="uses scale 'agree5', which is not defined"):
        check_form_file(path)


def test_duplicate_question_ids_are_rejected(tmp_path):
    text = MINIMAL.format(qtype="free_text", extra="") + """
      - id: q1
        type: free_text
        text: Same id again
"""
    with pytest.raises(FormFileError, match="'q1' is used twice"):
        check_form_file(write(tmp_path, text))


def test_invalid_yaml_names_the_line(tmp_path):
    path = write(tmp_path, "slug: x\nsections: [\n  - broken: : :\n")
    with pytest.raises(FormFileError, match=r"broken.yaml: line \d+"):
        check_form_file(path)

"""Dimensions: places in three schemes, the groups, and the seldom-heard groups a respondent can share."""

from __future__ import annotations

from engagement.analysis.demographics import (
    DIMENSIONS,
    SELDOM_HEARD,
    add_dimensions,
    group_members,
    groups_present,
)
from tests.analysis.frames import respondent_frame_of


def _one(form, **answers) -> dict:
    return add_dimensions(respondent_frame_of(form, [answers]), form).iloc[0].to_dict()


def test_every_dimension_the_issue_names_is_offered():
    for name in ("place", "icp_2019", "pbp_2023", "channel", "age_band", "sex", "gender_identity",
                 "sexual_orientation", "lgbt", "ethnic_group", "ethnic_group_detailed", "disability", "religion",
                 "carer", "respondent_type", "seldom_heard"):
        assert DIMENSIONS[name].categories, name
    assert len([c for c in DIMENSIONS["ethnic_group_detailed"].categories if ":" in c]) == 19
    assert DIMENSIONS["ethnic_group"].categories[:5] == (
        "White", "Mixed or Multiple ethnic groups", "Asian or Asian British",
        "Black, Black British, Caribbean or African", "Other ethnic group")


def test_place_keeps_somewhere_else_prefer_not_to_say_and_not_answered_apart(form):
    frame = add_dimensions(respondent_frame_of(form, [
        {"district": "outside_area"}, {"district": "prefer_not_to_say"}, {}, {"district": "E07000171"}]), form)
    assert frame["place"].tolist() == ["Somewhere else", "Prefer not to say", "Not answered", "Bassetlaw"]
    assert frame["icp_2019"].tolist()[3] == "Bassetlaw (outside the 2019 footprint)"
    assert frame["pbp_2023"].tolist()[3] == "Bassetlaw"


def test_place_schemes(form):
    row = _one(form, district="E07000174")
    assert (row["place"], row["icp_2019"], row["pbp_2023"]) == (
        "Mansfield", "Mid Nottinghamshire ICP", "Mid Nottinghamshire")


def test_age_bands_are_an_output_choice(form):
    frame = respondent_frame_of(form, [{"age": "13"}, {"age": "16"}, {"age": "24"}, {"age": "75"}, {}])
    assert add_dimensions(frame, form)["age_band"].tolist() == ["Under 16", "16-24", "16-24", "75+", "Not answered"]
    wide = add_dimensions(frame, form, age_bands=((18, 64), (65, None)))
    assert wide["age_band"].tolist() == ["Under 18", "Under 18", "18-64", "65+", "Not answered"]
    assert groups_present(wide, "age_band") == ["Under 18", "18-64", "65+", "Not answered"]
    assert "Under 16" in groups_present(add_dimensions(frame, form), "age_band")
    assert "Under 16" not in groups_present(add_dimensions(frame.iloc[1:], form), "age_band")


def test_disability_follows_the_equality_act_definition(form):
    cases = [({"long_term_condition": "yes", "day_to_day_activities": "yes_a_little"}, "Disabled (Equality Act)"),
             ({"long_term_condition": "yes", "day_to_day_activities": "not_at_all"}, "Not disabled"),
             ({"long_term_condition": "no"}, "Not disabled"),
             ({"long_term_condition": "prefer_not_to_say"}, "Prefer not to say"),
             ({}, "Not answered")]
    for answers, expected in cases:
        assert _one(form, **answers)["disability"] == expected, answers


def test_lgbt_is_derived_from_orientation_or_trans_status(form):
    assert _one(form, sexual_orientation="straight", gender_same_as_sex_at_birth="no")["lgbt"] == "LGBT+"
    assert _one(form, sexual_orientation="bisexual")["lgbt"] == "LGBT+"
    assert _one(form, sexual_orientation="straight", gender_same_as_sex_at_birth="yes")["lgbt"] == "Not LGBT+"
    assert _one(form, sexual_orientation="prefer_not_to_say")["lgbt"] == "Prefer not to say"
    assert _one(form)["lgbt"] == "Not answered"
    assert _one(form, gender_same_as_sex_at_birth="no")["gender_identity"] == (
        "Gender not the same as sex registered at birth")


def test_ethnic_group_five_and_nineteen(form):
    row = _one(form, ethnic_group="black_caribbean")
    assert row["ethnic_group"] == "Black, Black British, Caribbean or African"
    assert row["ethnic_group_detailed"] == "Black, Black British, Caribbean or African: Caribbean"
    assert _one(form, ethnic_group="prefer_not_to_say")["ethnic_group"] == "Prefer not to say"


def test_seldom_heard_groups_are_multi_membership(form):
    frame = add_dimensions(respondent_frame_of(form, [
        {"sex": "male", "age": "30", "deaf": "deaf_bsl", "unpaid_carer": "yes_50_plus", "student": "yes",
         "learning_disability": "yes", "sexual_orientation": "gay_or_lesbian"},
        {"sex": "male", "age": "41", "deaf": "hard_of_hearing", "unpaid_carer": "no"},
        {"sex": "female", "age": "30", "deaf": "deaf_no_bsl"},
    ]), form)
    first = [g for g in SELDOM_HEARD if frame.loc[0, f"seldom_heard:{g}"]]
    assert first == list(SELDOM_HEARD)
    assert not any(frame.loc[1, f"seldom_heard:{g}"] for g in SELDOM_HEARD)
    assert group_members(frame, "seldom_heard", "Deaf people").tolist() == [True, False, True]
    assert group_members(frame, "seldom_heard", "Men aged 20-40").tolist() == [True, False, False]
    assert group_members(frame, "carer", "Unpaid carer").tolist() == [True, False, False]
    assert groups_present(frame, "seldom_heard") == list(SELDOM_HEARD)


def test_adding_twice_changes_nothing_but_the_bands(form):
    frame = add_dimensions(respondent_frame_of(form, [{"ethnic_group": "asian_indian", "age": "30"}]), form)
    again = add_dimensions(frame, form, age_bands=((18, None),))
    assert again.loc[0, "ethnic_group_detailed"] == "Asian or Asian British: Indian"
    assert again.loc[0, "age_band"] == "18+"

"""Priority and theme breakdowns by group: figures checked against statsmodels, suppression, plain sentences."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from engagement.analysis.breakdowns import describe_difference, priority_breakdown, theme_breakdown
from engagement.analysis.demographics import add_dimensions
from engagement.analysis.suppression import RULES
from tests.analysis.frames import respondent_frame_of

MANSFIELD, NOTTINGHAM, BASSETLAW, GEDLING = "E07000174", "E06000018", "E07000171", "E07000173"
ITEMS = ["top_urgent_care", "top_mental_health", "top_best_use_of_money", "preventing_ill_health",
         "children_young_peoples_health", "major_health_conditions", "supporting_our_workforce", "digital_innovation"]


def _people(district: str | None, count: int, top: int, offset: int = 0, **answers) -> list[dict]:
    """`count` respondents of whom `top` rate digital innovation 4 or 5; other items vary with position."""
    people = []
    for i in range(count):
        ratings = {item: "54321"[(i + offset + k) % 5] for k, item in enumerate(ITEMS)}
        ratings["digital_innovation"] = ("5" if i % 2 else "4") if i < top else "123"[i % 3]
        people.append({**ratings, "district": district, **answers})
    return people


@pytest.fixture
def area(form) -> pd.DataFrame:
    rows = (_people(MANSFIELD, 40, 16) + _people(NOTTINGHAM, 60, 48, offset=1) + _people(BASSETLAW, 6, 3)
            + _people("prefer_not_to_say", 12, 6, offset=2) + _people("E07000176", 30, 20, offset=3))
    return add_dimensions(respondent_frame_of(form, rows), form)


def _row(table: pd.DataFrame, group: str, item: str = "digital_innovation") -> pd.Series:
    return table[(table["group"] == group) & (table["item_id"] == item)].iloc[0]


def test_whole_area_one_row_per_item_with_wilson_interval_equal_to_statsmodels(area, form):
    table = priority_breakdown(area, form, None, rule=RULES["default"])
    assert len(table) == 8 and set(table["dimension"]) == {"all"}
    digital = _row(table, "All respondents")
    assert (digital["n"], digital["top_box_n"]) == (148, 93)
    low, high = proportion_confint(93, 148, alpha=0.05, method="wilson")
    assert digital["ci_low"] == pytest.approx(100 * low, abs=1e-9)
    assert digital["ci_high"] == pytest.approx(100 * high, abs=1e-9)
    assert digital["pct"] == pytest.approx(100 * 93 / 148, abs=1e-9)
    assert not table["significant"].any() and table["p_value"].isna().all()


def test_group_against_the_rest_with_holm_equal_to_statsmodels(area, form):
    table = priority_breakdown(area, form, "place", rule=RULES["default"])
    mansfield = _row(table, "Mansfield")
    assert (mansfield["n"], mansfield["top_box_n"], mansfield["rest_n"]) == (40, 16, 108)
    assert mansfield["rest_pct"] == pytest.approx(100 * 77 / 108)
    _, p = proportions_ztest([16, 77], [40, 108], alternative="two-sided")
    assert mansfield["p_value"] == pytest.approx(p, abs=1e-12)
    tested = table[table["tested"]]
    expected = multipletests(tested["p_value"].to_numpy(), method="holm")[1]
    np.testing.assert_allclose(tested["p_adjusted"].to_numpy(), expected, atol=1e-12)
    assert set(tested["group"]) == {"Mansfield", "Nottingham", "Rushcliffe"}
    assert mansfield["significant"] and describe_difference(mansfield) == (
        "Mansfield rates Digital innovation in healthcare lower than the rest of the area: 40% vs 71%")


def test_small_groups_are_suppressed_and_never_significant(area, form):
    table = priority_breakdown(area, form, "place", rule=RULES["default"])
    bassetlaw = _row(table, "Bassetlaw")
    assert bassetlaw["suppressed"] and bassetlaw["n"] == 6
    # Bassetlaw's top-box count could be worked out from the whole-area total: the next smallest is hidden too.
    assert pd.isna(_row(table, "Prefer not to say")["top_box_n"])
    for figure in ("top_box_n", "pct", "ci_low", "ci_high", "count_5", "pct_5", "rest_pct", "rest_n", "p_adjusted"):
        assert pd.isna(bassetlaw[figure]), figure
    assert not bassetlaw["significant"] and "too few people" in describe_difference(bassetlaw)


def test_prefer_not_to_say_is_shown_with_counts_but_not_tested(area, form):
    # Without Bassetlaw, whose hidden count would otherwise need the next smallest (this one) hidden too.
    table = priority_breakdown(area[area["place"] != "Bassetlaw"], form, "place", rule=RULES["default"])
    declined = _row(table, "Prefer not to say")
    assert declined["n"] == 12 and declined["pct"] == pytest.approx(50)
    assert not declined["tested"] and pd.isna(declined["p_value"]) and not declined["significant"]
    assert describe_difference(declined).endswith("not compared with the rest.")


def test_small_counts_inside_a_shown_base_are_hidden_with_a_second_cell(form):
    rows = _people(MANSFIELD, 40, 38) + _people(NOTTINGHAM, 40, 20)
    table = priority_breakdown(add_dimensions(respondent_frame_of(form, rows), form), form, "place",
                               rule=RULES["default"])
    mansfield = _row(table, "Mansfield")
    hidden = [c for c in ("count_1", "count_2", "count_3", "count_4", "count_5") if pd.isna(mansfield[c])]
    assert len(hidden) >= 2 and not mansfield["suppressed"]


def test_a_share_that_tells_how_many_did_not_rate_it_important_is_hidden(form):
    # 18 of 19 in Mansfield rate digital innovation important: 94.7% would tell that exactly one did not.
    rows = _people(MANSFIELD, 19, 18) + _people(NOTTINGHAM, 60, 30) + _people(GEDLING, 50, 20)
    table = priority_breakdown(add_dimensions(respondent_frame_of(form, rows), form), form, "place",
                               rule=RULES["default"])
    mansfield = _row(table, "Mansfield")
    assert mansfield["n"] == 19 and not mansfield["suppressed"]
    for figure in ("top_box_n", "pct", "ci_low", "ci_high", "rest_pct"):
        assert pd.isna(mansfield[figure]), figure
    assert not mansfield["tested"] and not mansfield["significant"]
    # ... and the whole area's share less the others would give it back: one more group's share is hidden.
    assert pd.isna(_row(table, "Gedling")["pct"])
    assert _row(table, "Nottingham")["pct"] == pytest.approx(50)


def test_a_theme_mentioned_by_all_but_a_few_hides_its_share(form):
    # 27 of Mansfield's 30 mention access: 90% would tell that exactly three did not.
    rows = [{"district": MANSFIELD}] * 30 + [{"district": NOTTINGHAM}] * 30 + [{"district": GEDLING}] * 30
    frame = add_dimensions(respondent_frame_of(form, rows), form)
    answered = pd.DataFrame({"response_id": frame["response_id"], "question_id": "what_matters"})
    mentions = [*range(1, 28), *range(31, 46), *range(61, 81)]
    tags = pd.DataFrame([(rid, "what_matters", "access", "negative") for rid in mentions],
                        columns=["response_id", "question_id", "theme_code", "theme_sentiment"])
    table = theme_breakdown(frame, tags, answered, "place", rule=RULES["default"]).set_index("group")
    assert table.loc["Mansfield", "n"] == 30 and pd.isna(table.loc["Mansfield", "pct"])
    assert pd.isna(table.loc["Nottingham", "pct"])  # else the whole area's count less the others tells it
    assert table.loc["Gedling", "pct"] == pytest.approx(100 * 20 / 30)


def test_weighted_percentage_and_kish_effective_n(area, form):
    weights = pd.Series(np.where(area["place"] == "Mansfield", 2.0, 1.0), index=area.index)
    table = priority_breakdown(area, form, "place", weights=weights, rule=RULES["default"])
    mansfield, everyone = _row(table, "Mansfield"), _row(priority_breakdown(area, form, None, weights=weights,
                                                                             rule=RULES["default"]), "All respondents")
    assert mansfield["weighted_pct"] == pytest.approx(40.0) and mansfield["effective_n"] == pytest.approx(40.0)
    w = weights.to_numpy()
    assert everyone["effective_n"] == pytest.approx(w.sum() ** 2 / (w**2).sum())
    top = area["digital_innovation"].isin(["4", "5"]).to_numpy()
    assert everyone["weighted_pct"] == pytest.approx(100 * (w * top).sum() / w.sum())
    assert pd.isna(_row(table, "Bassetlaw")["weighted_pct"])


def test_seldom_heard_groups_compare_with_everyone_else(form):
    rows = (_people(MANSFIELD, 30, 5, deaf="deaf_bsl", student="yes")
            + _people(MANSFIELD, 50, 45, deaf="no", student="no"))
    table = priority_breakdown(add_dimensions(respondent_frame_of(form, rows), form), form, "seldom_heard",
                               rule=RULES["default"])
    deaf, students = _row(table, "Deaf people"), _row(table, "Students")
    assert (deaf["n"], deaf["rest_n"], students["n"]) == (30, 50, 30)
    assert describe_difference(deaf).startswith("Deaf people rate Digital innovation in healthcare lower than everyone")


def test_unknown_dimension_names_the_allowed_ones(area, form):
    with pytest.raises(ValueError, match="'postcode' is not a dimension; use one of: place, icp_2019"):
        priority_breakdown(area, form, "postcode")


def _themes_fixture(form, gedling: int = 0):
    rows = [{"district": MANSFIELD}] * 30 + [{"district": NOTTINGHAM}] * 30 + [{"district": BASSETLAW}] * 4
    rows += [{"district": GEDLING}] * gedling
    frame = add_dimensions(respondent_frame_of(form, rows), form)
    answered = pd.DataFrame({"response_id": frame["response_id"], "question_id": "what_matters"})
    tags = [(rid, "what_matters", "access", "negative") for rid in range(1, 21)]  # Mansfield 20 of 30
    tags += [(rid, "what_matters", "access", "positive") for rid in range(31, 36)]  # Nottingham 5 of 30
    tags += [(rid, "what_matters", "staff", "positive") for rid in (31, 32, 33)]  # 3: too few to show
    tags += [(61, "what_matters", "access", "negative")]  # Bassetlaw
    tags += [(999, "what_matters", "not_codeable", "neutral"), (5, "best_thing", "not_codeable", "neutral")]
    return frame, pd.DataFrame(tags, columns=["response_id", "question_id", "theme_code", "theme_sentiment"]), answered


def test_theme_percentages_count_only_answers_that_were_given(form):
    frame, tags, answered = _themes_fixture(form)
    table = theme_breakdown(frame, tags, answered, None, rule=RULES["default"])
    assert set(table["theme_code"]) == {"access", "staff"}  # tags of empty answers are not counted
    access = table[table["theme_code"] == "access"].iloc[0]
    assert (access["n"], access["mentioning_n"]) == (64, 26)
    low, high = proportion_confint(26, 64, method="wilson")
    assert access["ci_low"] == pytest.approx(100 * low, abs=1e-9) and access["ci_high"] == pytest.approx(100 * high)
    assert access["negative_n"] == 21 and access["positive_n"] == 5 and access["neutral_n"] == 0


def test_themes_by_place_are_tested_and_suppressed(form):
    # Bassetlaw's 4 are hidden, and so is the next smallest place's number (Gedling's 12), or Bassetlaw's would
    # be the whole area's less the others.
    frame, tags, answered = _themes_fixture(form, gedling=12)
    table = theme_breakdown(frame, tags, answered, "place", rule=RULES["default"])
    assert table.loc[table["group"].isin(["Bassetlaw", "Gedling"]), "n"].isna().all()
    mansfield = table[(table["group"] == "Mansfield") & (table["theme_code"] == "access")].iloc[0]
    assert mansfield["pct"] == pytest.approx(100 * 20 / 30)
    _, p = proportions_ztest([20, 6], [30, 46])
    assert mansfield["p_value"] == pytest.approx(p, abs=1e-12) and mansfield["significant"]
    staff = table[(table["group"] == "Nottingham") & (table["theme_code"] == "staff")].iloc[0]
    assert pd.isna(staff["mentioning_n"]) and pd.isna(staff["pct"]) and not staff["significant"]
    bassetlaw = table[table["group"] == "Bassetlaw"]
    assert bassetlaw["suppressed"].all() and bassetlaw["pct"].isna().all()
    tested = table[table["tested"]]
    np.testing.assert_allclose(tested["p_adjusted"], multipletests(tested["p_value"], method="holm")[1])


def test_sentences_say_why_a_figure_is_missing_and_never_call_a_big_gap_the_same():
    """Found by a new-user review: "Prefer not to say" with 59 people was called "too few people", and a 76% vs
    54% gap that could be chance was "about the same"."""
    from engagement.analysis.breakdowns import describe_difference

    row = {"dimension": "place", "group": "Gedling", "item": "Digital innovation in healthcare", "n": 59.0,
           "pct": float("nan"), "rest_pct": 57.0, "suppressed": False, "significant": False}
    assert describe_difference(row) == ("Gedling: not shown, so that a small number of people, here or in another "
                                        "group, cannot be worked out.")
    # 40 of 43 rate it important: hidden (3 did not), which is not "too few people have rated" it.
    whole = {**row, "dimension": "all", "group": "All respondents", "n": 43.0}
    assert describe_difference(whole) == ("Digital innovation in healthcare: not shown (n = 43), so that a small "
                                          "number of people cannot be worked out.")
    assert "too few people" in describe_difference({**row, "n": 7.0, "suppressed": True})
    chance = describe_difference({**row, "dimension": "age_band", "group": "Under 16", "pct": 76.0, "rest_pct": 54.0})
    assert chance == ("The group 'Under 16': no clear difference from everyone else on Digital innovation in "
                      "healthcare: 76% vs 54% (with these numbers the difference could be chance)")

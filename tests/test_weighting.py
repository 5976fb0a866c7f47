"""Raking to Census 2021 margins: targets met, Kish effective n, missing answers, empty cells."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from engagement.analysis.population import CENSUS_DIR, census_categories
from engagement.analysis.suppression import RULES
from engagement.analysis.weighting import WeightingError, kish_effective_n, rake_weights, shown_margins
from tests.respondent_frames import PLACE_CODES, everyone_everywhere, respondent_frame


def _census(name: str) -> pd.DataFrame:
    return pd.read_csv(CENSUS_DIR / name)


def _adult_place_shares() -> pd.Series:
    age = _census("population_by_district_age.csv")
    adults = age[age["age_band"].eq("16+")].set_index("area_name")["count"]
    return adults / adults.sum()


def _weighted_share(categories: pd.DataFrame, weights: pd.Series, by: list[str]) -> pd.Series:
    totals = weights.groupby([categories[c] for c in by]).sum()
    return totals / totals.sum()


def test_raked_weights_meet_every_census_margin():
    frame = everyone_everywhere()
    result = rake_weights(frame)
    categories = census_categories(frame)
    assert result.excluded == {} and result.weighted_n == len(frame)
    assert result.margins_used == (("place", "age_band"), ("place", "sex"), ("ethnic_group",))

    # Targets computed here straight from the shipped Census files, not through the weighting code.
    place_share = _adult_place_shares()
    age = _census("population_by_district_age.csv")
    age = age[age["band_set"].eq("bands_16plus") & ~age["age_band"].eq("0-15")]
    age_within = age.set_index(["area_name", "age_band"])["count"] / age.groupby("area_name")["count"].sum()
    sex = _census("population_by_district_sex.csv").assign(sex=lambda t: t["sex"].str.capitalize())
    sex_within = sex.set_index(["area_name", "sex"])["count"] / sex.groupby("area_name")["count"].sum()
    eth = _census("population_by_district_ethnicity.csv")
    eth = eth[eth["level"].eq("high-level")]
    eth_within = eth.set_index(["area_name", "ethnic_group"])["count"] / eth.groupby("area_name")["count"].sum()
    eth_target = eth_within.mul(place_share, level="area_name").groupby(level="ethnic_group").sum()

    weighted_place_age = _weighted_share(categories, result.weights, ["place", "age_band"])
    expected_place_age = age_within.mul(place_share, level="area_name")
    pd.testing.assert_series_equal(
        weighted_place_age.sort_index(), expected_place_age.sort_index(), check_names=False, atol=1e-6, rtol=0
    )
    weighted_place_sex = _weighted_share(categories, result.weights, ["place", "sex"])
    pd.testing.assert_series_equal(
        weighted_place_sex.sort_index(), sex_within.mul(place_share, level="area_name").sort_index(),
        check_names=False, atol=1e-6, rtol=0,
    )
    weighted_eth = _weighted_share(categories, result.weights, ["ethnic_group"])
    pd.testing.assert_series_equal(
        weighted_eth.sort_index(), eth_target.sort_index(), check_names=False, atol=1e-6, rtol=0
    )
    # The margins table says the same thing, and its unweighted column is the plain sample share.
    assert (result.margins["weighted_share"] - result.margins["target_share"]).abs().max() < 1e-6
    sex_rows = result.margins[result.margins["variable"].eq("sex")].set_index("category")
    observed = categories["sex"].value_counts(normalize=True)
    assert sex_rows.loc["Male", "sample_share"] == pytest.approx(observed["Male"], abs=1e-12)
    assert set(result.margins.columns) >= {"variable", "category", "target_share", "weighted_share", "sample_share"}


def test_weights_average_one_and_follow_the_frame_index():
    frame = everyone_everywhere().set_index(pd.Index(range(1000, 1000 + len(everyone_everywhere()))))
    result = rake_weights(frame)
    assert result.weights.index.equals(frame.index)
    assert result.weights.mean() == pytest.approx(1.0, abs=1e-9)
    assert (result.weights > 0).all()


def test_kish_effective_n_and_design_effect_on_a_hand_example():
    # Weights 1, 1, 2, 4: (1+1+2+4)^2 / (1+1+4+16) = 64/22; deff = n / n_eff = 1 + CV^2 = 1.375.
    assert kish_effective_n(pd.Series([1.0, 1.0, 2.0, 4.0])) == pytest.approx(64 / 22, rel=1e-12)
    result = rake_weights(everyone_everywhere())
    w = result.weights.to_numpy()
    assert result.effective_n == pytest.approx(w.sum() ** 2 / (w**2).sum(), rel=1e-12)
    assert result.design_effect == pytest.approx(1 + np.var(w) / np.mean(w) ** 2, rel=1e-12)
    assert result.design_effect > 1


def test_respondents_missing_a_weighting_variable_keep_weight_one_and_are_counted():
    base = everyone_everywhere()
    missing = respondent_frame(
        [
            {"place_code": None, "district": "outside_area", "age": "40", "sex": "female"},
            {"place_code": None, "district": "prefer_not_to_say", "age": "40", "sex": "female"},
            {"place_code": PLACE_CODES[0], "age": None, "sex": "male"},
            {"place_code": PLACE_CODES[0], "age": "15", "sex": "male"},
            {"place_code": PLACE_CODES[1], "age": "33", "sex": "prefer_not_to_say"},
            {"place_code": PLACE_CODES[1], "age": "33", "sex": "female", "ethnic_group": "prefer_not_to_say"},
        ]
    )
    frame = pd.concat([base, missing], ignore_index=True)
    result = rake_weights(frame)
    assert result.excluded == {
        "place not in the area or not given": 2,
        "age not given or under 16": 2,
        "sex not given": 1,
        "ethnic group not given": 1,
    }
    assert result.weighted_n == len(base)
    assert (result.weights.iloc[len(base):] == 1.0).all()
    assert (result.margins["weighted_share"] - result.margins["target_share"]).abs().max() < 1e-6


def test_a_group_with_no_respondents_gives_a_plain_message():
    frame = everyone_everywhere()
    frame = frame[~(frame["place_code"].eq("E07000171") & frame["age"].eq("80"))]
    with pytest.raises(WeightingError, match=r"no respondents in 1 group .*\(Bassetlaw, 75\+\)"):
        rake_weights(frame)


def test_ethnic_group_is_left_out_when_a_group_is_too_small():
    frame = everyone_everywhere()
    frame = frame[~frame["ethnic_group"].str.startswith("other_")]
    result = rake_weights(frame)
    assert ("ethnic_group",) not in result.margins_used
    assert result.notes == [
        "Ethnic group is not used in the weighting: fewer than 10 respondents in Other ethnic group."
    ]
    assert (result.margins["weighted_share"] - result.margins["target_share"]).abs().max() < 1e-6


def test_no_responses_and_no_usable_responses_say_so():
    with pytest.raises(WeightingError, match="no responses to weight"):
        rake_weights(respondent_frame([]))
    with pytest.raises(WeightingError, match="No respondent gave all of"):
        rake_weights(respondent_frame([{"place_code": PLACE_CODES[0], "age": None, "sex": "male"}]))


def test_ethnic_group_is_left_out_when_it_conflicts_with_the_other_margins():
    # Respondents spread evenly over the 19 groups: too few White respondents in some place × age cells for
    # the weights to reach both the White share and every place × age band share.
    frame = everyone_everywhere(uniform_ethnicity=True)
    with pytest.raises(WeightingError, match="no weights can match every Census figure"):
        rake_weights(frame, margins=(("place", "age_band"), ("place", "sex"), ("ethnic_group",)))
    result = rake_weights(frame)
    assert result.margins_used == (("place", "age_band"), ("place", "sex"))
    assert "no weights can match the Census figures for ethnic group" in result.notes[0]
    assert (result.margins["weighted_share"] - result.margins["target_share"]).abs().max() < 1e-6


def test_margins_as_shown_hide_small_cells_but_never_the_census_share():
    frame = everyone_everywhere()
    cell = frame["place_code"].eq("E07000171") & frame["age"].eq("80")
    frame = frame.drop(frame.index[cell][3:])  # 3 respondents aged 75+ in Bassetlaw
    result = rake_weights(frame)
    shown = shown_margins(result, rule=RULES["default"]).set_index(["variable", "category"])
    small = shown.loc[("place × age_band", "Bassetlaw, 75+")]
    assert pd.isna(small["sample_n"]) and pd.isna(small["sample_share"]) and pd.isna(small["weighted_share"])
    assert small["target_share"] > 0
    # One more cell of the same margin is hidden, so the 3 cannot be worked out from the others.
    assert shown.loc["place × age_band", "sample_n"].isna().sum() >= 2
    assert shown["target_share"].notna().all()

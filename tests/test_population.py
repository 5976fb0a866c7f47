"""Census 2021 reference figures shipped in data/census, and respondents compared with them."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from engagement.analysis.population import (
    CENSUS_DIR,
    DISABLED,
    caveat_sentence,
    census_categories,
    census_counts,
    population_shares,
    population_shares_by_place,
    representativeness,
)
from engagement.analysis.suppression import RULES
from engagement.config import PROJECT_ROOT
from tests.respondent_frames import PLACE_CODES, respondent_frame

REFERENCE = Path(os.environ.get("ENGAGEMENT_REFERENCE_DIR", PROJECT_ROOT.parent / "shared" / "reference"))
SHIPPED = sorted(p.name for p in CENSUS_DIR.glob("*.csv"))
VARIABLES = ("place", "age_band", "sex", "ethnic_group", "ethnic_group_detailed", "disability")


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="../shared/reference is not here (the product runs without it)")
def test_shipped_census_files_equal_the_collected_reference_tables():
    assert SHIPPED == [
        "population_by_district.csv",
        "population_by_district_age.csv",
        "population_by_district_disability.csv",
        "population_by_district_ethnicity.csv",
        "population_by_district_sex.csv",
    ]
    for name in SHIPPED:
        assert (CENSUS_DIR / name).read_bytes() == (REFERENCE / name).read_bytes(), name


def test_every_row_names_its_source_and_there_is_a_readme():
    for name in SHIPPED:
        table = pd.read_csv(CENSUS_DIR / name)
        assert table["source"].str.contains("ONS Census 2021").all(), name
    readme = (CENSUS_DIR / "README.md").read_text()
    for table in ("TS007", "TS009", "TS021", "TS038"):
        assert table in readme


@pytest.mark.parametrize("variable", VARIABLES)
def test_shares_per_area_sum_to_one_for_all_eight_areas(variable):
    shares = population_shares_by_place(variable)
    assert sorted(shares.index) == sorted(PLACE_CODES)
    assert (shares.sum(axis=1) - 1).abs().max() < 1e-12
    assert population_shares(variable).sum() == pytest.approx(1, abs=1e-12)


def test_census_counts_are_the_published_figures():
    counts = census_counts("ethnic_group").set_index(["area_name", "category"])["count"]
    assert counts[("Nottingham", "Asian, Asian British or Asian Welsh")] == 48217
    assert len(census_counts("ethnic_group_detailed")) == 8 * 19
    disability = census_counts("disability").set_index(["area_name", "category"])["count"]
    assert disability[("Ashfield", DISABLED)] == 27809
    ages = census_counts("age_band")
    assert sorted(ages["category"].unique()) == ["16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+"]
    # Place shares are of residents aged 16+ (TS007), because the survey asks adults.
    place = census_counts("place").set_index("category")["count"]
    assert place["Nottingham"] == 264316
    with pytest.raises(ValueError, match="'religion' has no Census 2021 figures"):
        census_counts("religion")


def test_answers_become_census_categories_and_unstated_answers_stay_apart():
    frame = respondent_frame(
        [
            {"place_code": "E06000018", "age": "16", "sex": "female", "ethnic_group": "asian_pakistani",
             "long_term_condition": "yes", "day_to_day_activities": "yes_a_little"},
            {"place_code": None, "district": "outside_area", "age": "75", "sex": "male",
             "ethnic_group": "white_roma", "long_term_condition": "yes", "day_to_day_activities": "not_at_all"},
            {"place_code": None, "district": "prefer_not_to_say", "age": "15", "sex": "prefer_not_to_say",
             "ethnic_group": "prefer_not_to_say", "long_term_condition": "prefer_not_to_say"},
            {"place_code": None, "district": None},
        ]
    )
    got = census_categories(frame)
    assert got.loc[0].tolist() == [
        "Nottingham", "16-24", "Female", "Asian, Asian British or Asian Welsh", "Asian: Pakistani", DISABLED,
    ]
    assert got.loc[1].tolist() == [
        "Somewhere else", "75+", "Male", "White", "White: Roma", "Not disabled under the Equality Act",
    ]
    assert got.loc[2].tolist() == ["Prefer not to say", "Under 16"] + ["Prefer not to say"] * 4
    assert got.loc[3].tolist() == ["Not answered"] * 6


def _older_white_women(n: int = 200) -> pd.DataFrame:
    """A campaign that reached mostly older White women in the county: 2019's pattern."""
    rows = []
    for i in range(n):
        rows.append(
            {
                "place_code": PLACE_CODES[1 + i % 7],
                "age": str(45 + i % 40),
                "sex": "female" if i % 5 else "male",
                "ethnic_group": "white_british" if i % 20 else "asian_indian",
                "long_term_condition": "no" if i % 4 else "yes",
                "day_to_day_activities": "yes_a_lot",
            }
        )
    rows += [{"place_code": PLACE_CODES[2], "age": "50", "sex": "prefer_not_to_say"}] * 6
    return respondent_frame(rows)


def test_representativeness_compares_shares_among_those_who_answered():
    frame = _older_white_women()
    table = representativeness(frame).set_index(["variable", "category"])
    male = table.loc[("sex", "Male")]
    assert male["sample_n"] == 40 and male["base_n"] == 200
    assert male["sample_share"] == pytest.approx(0.2)
    expected_male = population_shares("sex")["Male"]
    assert male["population_share"] == pytest.approx(expected_male)
    assert male["ratio"] == pytest.approx(0.2 / expected_male)
    assert bool(male["under_represented"])
    assert not bool(table.loc[("sex", "Female"), "under_represented"])
    # Prefer not to say is counted, but is not part of the share's denominator.
    pnts = table.loc[("sex", "Prefer not to say")]
    assert pnts["sample_n"] == 6 and not pnts["in_denominator"] and pd.isna(pnts["sample_share"])
    # Nobody from Nottingham answered: a share of 0 against 39% of adults.
    assert table.loc[("place", "Nottingham"), "sample_n"] == 0
    assert bool(table.loc[("place", "Nottingham"), "under_represented"])
    assert set(table.reset_index()["variable"]) == {"place", "age_band", "sex", "ethnic_group", "disability"}


def test_representativeness_hides_small_counts_and_small_bases():
    frame = _older_white_women()
    table = representativeness(frame, rule=RULES["default"]).set_index(["variable", "category"])
    # 10 Asian respondents are shown; the other minority groups (0) are shown as 0, which identifies nobody.
    assert table.loc[("ethnic_group", "Asian, Asian British or Asian Welsh"), "sample_n"] == 10
    small = representativeness(frame.head(8), rule=RULES["default"])
    assert small["sample_share"].isna().all() and small["suppressed"].all()
    assert not small["under_represented"].any()
    few = representativeness(
        pd.concat([frame, respondent_frame([{"place_code": "E06000018", "age": "30", "sex": "male"}] * 3)],
                  ignore_index=True),
        rule=RULES["default"],
    ).set_index(["variable", "category"])
    assert pd.isna(few.loc[("place", "Nottingham"), "sample_n"])
    assert pd.isna(few.loc[("place", "Nottingham"), "sample_share"])


def test_caveat_names_the_under_represented_groups():
    frame = _older_white_women()
    sentence = caveat_sentence(representativeness(frame), responses=len(frame), received_by=date(2019, 4, 26))
    assert sentence.startswith("Based on 206 responses received by 26 April 2019; compared with Census 2021, ")
    assert "people living in Nottingham" in sentence
    assert "people aged 16-24, 25-34 and 35-44" in sentence
    assert "men" in sentence
    assert "people from Mixed or Multiple, Asian, Black and Other ethnic groups" in sentence
    assert sentence.endswith(" are under-represented.")
    too_few = caveat_sentence(representativeness(frame.head(5)), responses=5)
    assert too_few == (
        "Based on 5 responses; too few people have said who they are to compare them with the population yet."
    )


def test_respondents_of_some_places_are_compared_with_the_people_who_live_there():
    mansfield = _older_white_women()
    mansfield = mansfield[mansfield["place_code"].eq("E07000174")]
    table = representativeness(mansfield, area_codes=["E07000174"]).set_index(["variable", "category"])
    assert table.loc[("place", "Mansfield"), "population_share"] == 1
    ages = census_counts("age_band")
    ages = ages[ages["area_name"].eq("Mansfield")].set_index("category")["count"]
    assert table.loc[("age_band", "16-24"), "population_share"] == pytest.approx(ages["16-24"] / ages.sum())
    assert ("place", "Nottingham") not in table.index


def test_the_caveat_does_not_give_a_count_of_one_to_four():
    frame = _older_white_women()
    sentence = caveat_sentence(representativeness(frame.head(4)), responses=4)
    assert sentence.startswith("Based on fewer than 5 responses; ") and " 4 " not in sentence

"""Demo data is, like the 2019 campaign, not yet representative: men aged 20-40 and Black and Asian residents
answer less often than their share of the population, so the representativeness views have something to say."""

from __future__ import annotations

import random

import pandas as pd

from engagement.analysis.demographics import add_dimensions
from engagement.analysis.population import representativeness
from engagement.analysis.suppression import RULES
from engagement.demo import synthetic_answers
from tests.analysis.frames import respondent_frame_of


def _demo_frame(form, count: int = 4000) -> pd.DataFrame:
    rng = random.Random(12)
    rows = []
    for _ in range(count):
        answers = synthetic_answers(form, rng)
        rows.append({key: value if isinstance(value, bool) else str(value) for key, value in answers.items()})
    return add_dimensions(respondent_frame_of(form, rows), form)


def test_black_and_asian_residents_are_mildly_under_represented(form):
    table = representativeness(_demo_frame(form), variables=("ethnic_group",), rule=RULES["default"])
    table = table.set_index(table["category"].str.split(",").str[0])  # Census names: "Asian, Asian British or ..."
    for group in ("Asian", "Black"):
        assert 0.4 < table.loc[group, "ratio"] < 0.8 and table.loc[group, "under_represented"], group
    assert not table.loc["White", "under_represented"]


def test_men_aged_20_to_40_answer_less_often_than_women_of_that_age(form):
    frame = _demo_frame(form)
    ages = pd.to_numeric(frame["age"], errors="coerce")
    young = ages.between(20, 40)
    men, women = frame["sex"].eq("Male"), frame["sex"].eq("Female")
    share_of_men, share_of_women = young[men].mean(), young[women].mean()
    assert 0.5 < share_of_men / share_of_women < 0.85
    assert frame["seldom_heard:Men aged 20-40"].sum() == (young & men).sum()

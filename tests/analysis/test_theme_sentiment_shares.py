"""How each theme was said, as a share of those mentioning it ("Waiting times: 75% negative"), through the one
suppression rule: no share of fewer than 10 people, no count of 1-4, none recoverable by subtraction."""

from __future__ import annotations

import pandas as pd
import pytest

from engagement.analysis.breakdowns import how_it_was_said, theme_breakdown
from engagement.analysis.suppression import RULES


def _breakdown(mentions: dict[str, list[str]], people: int = 100, rule: str = "default") -> pd.DataFrame:
    """`mentions`: theme -> the sentiment of each respondent mentioning it (respondents 1, 2, ... in order)."""
    frame = pd.DataFrame({"response_id": range(1, people + 1)})
    answered = frame.assign(question_id="what_matters")
    tags = pd.DataFrame(
        [(rid, "what_matters", theme, feeling)
         for theme, feelings in mentions.items() for rid, feeling in enumerate(feelings, start=1)],
        columns=["response_id", "question_id", "theme_code", "theme_sentiment"],
    )
    return theme_breakdown(frame, tags, answered, None, rule=RULES[rule]).set_index("theme_code")


def test_shares_are_of_those_mentioning_the_theme() -> None:
    table = _breakdown({"waiting": ["negative"] * 15 + ["positive"] * 5})
    waiting = table.loc["waiting"]
    assert waiting["pct"] == pytest.approx(20.0)  # of the 100 who answered
    assert waiting["negative_share"] == pytest.approx(75.0)  # of the 20 who mentioned waiting
    assert waiting["positive_share"] == pytest.approx(25.0)
    assert waiting["neutral_share"] == 0.0
    assert how_it_was_said(table.reset_index()) == ["75% negative, 25% positive, 0% neutral"]


def test_a_small_count_and_the_one_that_would_give_it_away_are_hidden() -> None:
    # 12 mention staff: 2 negatively (too few to show), 10 positively; 12 - 10 would give the 2 away.
    staff = _breakdown({"staff": ["negative"] * 2 + ["positive"] * 10}).loc["staff"]
    assert staff["mentioning_n"] == 12
    assert pd.isna(staff["negative_n"]) and pd.isna(staff["negative_share"])
    assert pd.isna(staff["positive_n"]) and pd.isna(staff["positive_share"])
    assert how_it_was_said(pd.DataFrame([staff])).pop().count("*") == 2


def test_no_share_of_fewer_than_ten_people() -> None:
    parking = _breakdown({"parking": ["negative"] * 6 + ["positive"] * 3}).loc["parking"]
    assert parking["mentioning_n"] == 9  # a count of 9 may be shown ...
    assert parking[["negative_share", "neutral_share", "positive_share"]].isna().all()  # ... but no % of 9
    assert how_it_was_said(pd.DataFrame([parking])) == ["*"]


def test_no_share_where_the_mentioning_count_itself_is_hidden() -> None:
    food = _breakdown({"food": ["negative"] * 3}).loc["food"]
    assert pd.isna(food["mentioning_n"])
    assert food[["negative_n", "negative_share"]].isna().all()


def test_under_a_rounding_rule_shares_come_from_the_unrounded_counts() -> None:
    waiting = _breakdown({"waiting": ["negative"] * 17 + ["positive"] * 11}, rule="ons_10_5").loc["waiting"]
    assert waiting["negative_n"] == 15 and waiting["positive_n"] == 10  # rounded to 5
    assert waiting["negative_share"] == pytest.approx(100 * 17 / 28)

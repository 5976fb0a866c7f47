"""Priority ratings and counts, checked against answers whose result is known."""

from __future__ import annotations

import math

from engagement.analysis.counts import response_counts
from engagement.analysis.priorities import priority_ratings
from engagement.analysis.tidy import tidy_answers
from engagement.db import get_engine
from engagement.intake import Provenance, submit_many
from engagement.reports.charts import likert_chart, likert_segments
from tests.conftest import valid_answers


def test_percent_important_or_very_important_with_wilson_interval(session, form, db_url):
    ratings_given = ["5", "4", "4", "3", "1", "5", "5", "2", "4", "5"]  # 7 of 10 are 4 or 5
    submit_many(session, form, [(valid_answers(digital_innovation=r), Provenance()) for r in ratings_given])
    ratings = priority_ratings(tidy_answers(get_engine(db_url), form), form).set_index("question_id")
    digital = ratings.loc["digital_innovation"]
    assert digital["n"] == 10 and digital["top_box_n"] == 7
    assert math.isclose(digital["pct_top_box"], 70.0)
    assert math.isclose(digital["ci_low"], 39.68, abs_tol=0.01)  # Wilson 95% for 7/10
    assert math.isclose(digital["ci_high"], 89.22, abs_tol=0.01)
    assert digital["count_3"] == 1 and math.isclose(digital["pct_1"], 10.0)


def test_items_nobody_rated_are_kept_with_n_zero(form, db_url):
    ratings = priority_ratings(tidy_answers(get_engine(db_url), form), form)
    assert len(ratings) == 8 and (ratings["n"] == 0).all()
    assert likert_segments(ratings, form).empty
    likert_chart(ratings, form).to_dict()  # draws a "no ratings yet" chart instead of failing


def test_diverging_segments_put_neutral_across_zero(session, form, db_url):
    submit_many(session, form, [(valid_answers(digital_innovation=r), Provenance()) for r in "12345"])
    ratings = priority_ratings(tidy_answers(get_engine(db_url), form), form)
    segments = likert_segments(ratings[ratings.question_id == "digital_innovation"], form)
    neutral = segments[segments.answer == "Neither unimportant or important"].iloc[0]
    assert math.isclose(neutral.start, -10.0) and math.isclose(neutral.end, 10.0)
    assert math.isclose(segments.iloc[0].start, -50.0) and math.isclose(segments.iloc[-1].end, 50.0)


def test_counts_by_channel_and_place(session, form, db_url):
    submit_many(
        session,
        form,
        [
            (valid_answers(district="E07000171"), Provenance(channel="paper", paper_reference="P1")),
            (valid_answers(district="prefer_not_to_say"), Provenance(channel="online")),
            (valid_answers(), Provenance(channel="online", is_synthetic=True)),
        ],
    )
    counts = response_counts(get_engine(db_url))
    assert counts == {
        "responses": 3,
        "synthetic": 1,
        "by_channel": {"online": 2, "paper": 1},
        "by_place": {"Bassetlaw": 1, "Nottingham": 1, "Prefer not to say": 1},
    }

"""The themes chart on the Comments page when the suppression rule hides some of how a theme was said: the bar
still shows how many mentioned the theme, and the label never names a hidden sentiment as the main one."""

from __future__ import annotations

import numpy as np
import pandas as pd

from engagement.analysis.breakdowns import how_it_was_said
from engagement.reports.charts import theme_chart

NAN = np.nan


def summary() -> pd.DataFrame:
    """As `theme_summary` returns it for an Easy Read-sized group: 95 answered, small sentiment counts hidden."""
    frame = pd.DataFrame({
        "theme": ["Waiting times", "Information", "Care closer to home", "Prevention", "Referrals"],
        "respondents": [33.0, 23.0, 15.0, 9.0, NAN],
        "pct_of_respondents": [34.7, 24.2, 15.8, 9.4, NAN],
        "positive": [0.0, 11.0, NAN, NAN, NAN],
        "neutral": [7.0, NAN, NAN, NAN, NAN],
        "negative": [26.0, NAN, 0.0, NAN, NAN],
        "positive_share": [0.0, 47.8, NAN, NAN, NAN],
        "neutral_share": [21.2, NAN, NAN, NAN, NAN],
        "negative_share": [78.8, NAN, 0.0, NAN, NAN],
    })
    return frame.assign(how_it_was_said=how_it_was_said(frame))


def drawn(chart) -> pd.DataFrame:  # noqa: ANN001 - an Altair chart
    return chart.data


def test_a_bar_is_as_long_as_the_respondents_mentioning_the_theme_even_when_sentiment_is_hidden():
    data = drawn(theme_chart(summary()))
    lengths = data.dropna(subset="mentions").groupby("theme")["mentions"].sum()
    assert lengths.to_dict() == {"Waiting times": 33.0, "Information": 23.0, "Care closer to home": 15.0,
                                 "Prevention": 9.0}
    # What is hidden is drawn as one "not shown" part: no single hidden count can be read from it.
    hidden = data[data["sentiment"].str.startswith("not shown")].dropna(subset="mentions").set_index("theme")[
        "mentions"]
    assert hidden.to_dict() == {"Information": 12.0, "Care closer to home": 15.0, "Prevention": 9.0}


def test_the_label_names_a_sentiment_only_when_its_share_is_shown():
    labels = dict(zip(drawn(theme_chart(summary()))["theme"], drawn(theme_chart(summary()))["theme_label"],
                      strict=True))
    assert labels["Waiting times"] == "Waiting times — 35% · 79% negative"
    assert labels["Information"] == "Information — 24% · 48% positive"
    # Its largest share is hidden: "* negative" would read as "mostly negative".
    assert labels["Care closer to home"] == "Care closer to home — 16%"
    assert labels["Prevention"] == "Prevention — 9%"
    assert labels["Referrals"] == "Referrals — *"  # hidden altogether: still listed, with no bar


def test_the_legend_offers_not_shown_only_when_something_is_hidden():
    def legend(frame: pd.DataFrame) -> list[str]:
        return theme_chart(frame).to_dict()["encoding"]["color"]["scale"]["domain"]

    assert legend(summary())[-1] == "not shown (small numbers)"
    assert legend(summary().head(1)) == ["negative", "neutral", "positive"]


def test_the_axis_counts_whole_respondents_even_when_every_figure_is_hidden():
    # With every figure hidden Vega-Lite drew one tick labelled "0.000000"; small counts got ticks at 0.5.
    hidden = summary().tail(1)
    axis = theme_chart(hidden).to_dict()["encoding"]["x"]["axis"]
    assert axis["format"] == "d" and axis["tickMinStep"] == 1

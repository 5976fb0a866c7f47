"""Sentiment per theme mention: a mixed answer is positive about one theme and negative about another; the shipped
sentiment model reads a small set of invented comments (with and without ../shared: it is the shipped model)."""

from pathlib import Path

import pandas as pd
import pytest
from sklearn.metrics import accuracy_score, f1_score

from nlp.analyse import analyse_comments
from nlp.clauses import clause_offsets
from nlp.pipeline import base_pipeline

FIXTURE = Path(__file__).parent / "data" / "sentiment_fixture.csv"
STAFF, WAITING = "T02", "T07"  # wmty: Staff: praise & compassion; Waiting times, delays & cancellations


def theme_sentiments(text: str, codebook: str = "wmty") -> dict[str, str]:
    analysis = next(analyse_comments([text], codebook))
    return {tag.code: tag.sentiment for tag in analysis.themes}


@pytest.mark.parametrize(
    "text",
    [
        "Staff were lovely but the wait was awful",
        "The staff were lovely. The wait was awful.",
        "Although the nurses were kind, the waiting time was terrible.",
    ],
)
def test_a_mixed_answer_is_positive_about_staff_and_negative_about_waiting(text: str) -> None:
    found = theme_sentiments(text)
    assert found[STAFF] == "positive", found
    assert found[WAITING] == "negative", found


def test_the_other_way_round_too() -> None:
    found = theme_sentiments("The wait was fine, only ten minutes, but the staff were rude and unhelpful")
    assert found[STAFF] == "negative", found


@pytest.mark.parametrize(
    "text",
    [
        "The wait was awful. I sat there for five hours. Never again.",
        "The nurses were wonderful, kind and patient, even though it was busy.",
        "Not enough doctors and nurses",
        "I called 111.",
    ],
)
def test_a_comment_about_one_theme_says_the_same_for_the_theme_as_for_the_comment(text: str) -> None:
    analysis = next(analyse_comments([text], "wmty"))
    assert len(analysis.themes) == 1, analysis.themes
    assert analysis.themes[0].sentiment == analysis.sentiment


def test_a_theme_spread_over_the_whole_comment_takes_the_comment_sentiment() -> None:
    analyses = analyse_comments(["Staff were lovely, the wait was awful", "Great staff and no wait at all"], "wmty")
    for analysis in analyses:
        untied = [tag for tag in analysis.themes if tag.sentiment != analysis.sentiment]
        # Only a clause of its own can give a theme a sentiment different from the comment's.
        assert all(tag.code in (STAFF, WAITING) for tag in untied)


def test_clauses_are_cut_where_the_writer_turns() -> None:
    doc = base_pipeline()("Although the staff were lovely, the wait was awful. Apart from parking, all good! Fine.")
    assert [doc[start:end].text for start, end in clause_offsets(doc)] == [
        "Although the staff were lovely,",
        "the wait was awful.",
        "Apart from parking,",
        "all good!",
        "Fine.",
    ]


def test_but_inside_a_sentence_starts_a_clause_and_a_lone_sentence_stays_whole() -> None:
    nlp = base_pipeline()
    doc = nlp("Call handlers were great however the ambulance took hours")
    assert [doc[s:e].text for s, e in clause_offsets(doc)] == [
        "Call handlers were great",
        "however the ambulance took hours",
    ]
    doc = nlp("Thank you.")
    assert [doc[s:e].text for s, e in clause_offsets(doc)] == ["Thank you."]


def test_the_shipped_sentiment_model_beats_a_floor_on_invented_comments() -> None:
    """36 invented comments (12 per class; neutral includes mixed answers). Floors sit under what the shipped
    model scores, so a model that stops reading neutral or mixed answers fails."""
    fixture = pd.read_csv(FIXTURE)
    got = [analysis.sentiment for analysis in analyse_comments(list(fixture["text"]), "px")]
    accuracy = accuracy_score(fixture["sentiment"], got)
    macro = f1_score(fixture["sentiment"], got, average="macro")
    neutral = f1_score(fixture["sentiment"], got, labels=["neutral"], average="macro")
    assert accuracy >= 0.75, (accuracy, list(zip(fixture["text"], got, strict=True)))
    assert macro >= 0.72
    assert neutral >= 0.5

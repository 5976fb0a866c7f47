"""The linear-time VADER gives exactly vaderSentiment's scores, on long comments too."""

import time

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from nlp.vader import analyser

# Invented comments exercising negation ("not", "never so", "without doubt"), idioms ("kind of", "the bomb"),
# boosters, capitals, "but", "least", emoticons, and words at the very start and end.
COMMENTS = [
    "Not good",
    "good",
    "The nurses were NOT helpful at all, but the doctor was kind of great :)",
    "I have never so been let down. Without doubt the worst wait; at least the porter was nice!!",
    "Never this happy with a GP, it was the bomb, cut me some slack, not bad, very very good ??",
    "No problems, no complaints. It wasn't the least bit rude. Hardly helpful though.",
    "",
    "😀 lovely staff 😡 awful parking",
]


def test_the_same_scores_as_vader_sentiment_on_short_and_long_comments() -> None:
    reference = SentimentIntensityAnalyzer()
    long_story = " ".join(COMMENTS * 40)  # a ~1,500-word patient story
    for text in [*COMMENTS, long_story]:
        assert analyser().polarity_scores(text) == reference.polarity_scores(text), text


def _seconds(score, text: str) -> float:  # noqa: ANN001 - any polarity_scores
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        score(text)
        timings.append(time.perf_counter() - started)
    return min(timings)


def test_a_long_story_is_scored_several_times_faster_than_by_vader_sentiment() -> None:
    story = " ".join(COMMENTS[2:6] * 30)  # ~1,000 words
    reference = SentimentIntensityAnalyzer().polarity_scores
    assert _seconds(analyser().polarity_scores, story) * 3 < _seconds(reference, story)

"""VADER's sentiment lexicon (vaderSentiment), with the same scores in linear rather than quadratic time.

vaderSentiment's negation and idiom checks lower-case every word of the comment again for each sentiment word
they look around, so a 400-word patient story costs hundreds of times a short answer; on 100,000 comments with
long ones that was the engine's largest single cost. The checks only ever read the three words before the
sentiment word and the two after it, so they are given just those.
"""

from __future__ import annotations

from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer


class LinearVader(SentimentIntensityAnalyzer):
    """``SentimentIntensityAnalyzer`` whose checks read a window of words around position ``i``."""

    @staticmethod
    def _negation_check(valence: float, words_and_emoticons: list[str], start_i: int, i: int) -> float:
        # Reads positions i-3 .. i-1 (only those at or after 0: the caller checks i > start_i).
        first = max(0, i - 3)
        window = words_and_emoticons[first : i + 1]
        return SentimentIntensityAnalyzer._negation_check(valence, window, start_i, i - first)

    @staticmethod
    def _special_idioms_check(valence: float, words_and_emoticons: list[str], i: int) -> float:
        # Reads positions i-3 .. i+2 (called only for i >= 3) and whether i+1 and i+2 exist.
        first = max(0, i - 3)
        window = words_and_emoticons[first : i + 3]
        return SentimentIntensityAnalyzer._special_idioms_check(valence, window, i - first)


@lru_cache(maxsize=1)
def analyser() -> LinearVader:
    """One analyser per process (loading its lexicon takes a moment)."""
    return LinearVader()

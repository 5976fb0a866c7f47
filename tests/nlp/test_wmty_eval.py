"""Leave-one-source-out scoring never trains on the source it scores, and its figures are sklearn's F1."""

from __future__ import annotations

import pytest
from sklearn.metrics import f1_score

from nlp.public_data import shared_datasets_dir
from nlp.wmty_eval import CodedComment, agreement, indicator, leave_one_source_out

CODES = ["T02", "T07", "T99"]


def coded(text: str, codes: str, source: str) -> CodedComment:
    return CodedComment(text, None, frozenset(codes.split(";")), source)


FIXTURE = [
    coded("lovely staff", "T02", "trust-a"),
    coded("waited hours", "T07", "trust-a"),
    coded("lovely staff but waited hours", "T02;T07", "trust-a"),
    coded("kind nurses", "T02", "trust-b"),
    coded("nothing to add", "T99", "trust-b"),
    coded("slow ambulance", "T07", "neas-111"),
]


def keyword_model(training: list[CodedComment]) -> dict[str, str]:
    """A toy learner: each word of a training comment with a single code votes for that code."""
    words: dict[str, str] = {}
    for comment in training:
        if len(comment.codes) == 1:
            for word in comment.text.split():
                words[word] = next(iter(comment.codes))
    return words


def test_each_source_is_scored_by_a_model_that_never_saw_it() -> None:
    seen: dict[str, set[str]] = {}

    def train_and_predict(source, training, held_out):
        seen[source] = {comment.source for comment in training}
        assert all(comment.source == source for comment in held_out)
        words = keyword_model(training)
        return [{words[w] for w in comment.text.split() if w in words} or {"T99"} for comment in held_out]

    result = leave_one_source_out(FIXTURE, train_and_predict, CODES)
    assert seen == {
        "trust-a": {"trust-b", "neas-111"},
        "trust-b": {"trust-a", "neas-111"},
        "neas-111": {"trust-a", "trust-b"},
    }
    assert [row.source for row in result.sources] == ["neas-111", "trust-a", "trust-b"]
    assert [row.comments for row in result.sources] == [1, 3, 2]
    # trust-a: trained on "kind nurses" (T02), "nothing to add" (T99), "slow ambulance" (T07): it finds nothing it
    # knows in trust-a's words, so predicts T99 everywhere.
    assert result.sources[1].micro_f1 == 0.0
    truth = indicator([c.codes for c in FIXTURE], CODES)
    guess = indicator(result.predicted, CODES)
    assert result.pooled.micro_f1 == pytest.approx(f1_score(truth, guess, average="micro", zero_division=0))
    assert result.per_theme_f1["T02"] == pytest.approx(f1_score(truth[:, 0], guess[:, 0], zero_division=0), abs=1e-3)


def test_extra_training_comments_are_used_but_never_scored() -> None:
    extra = [coded("lovely", "T02", "trust-c"), coded("lovely", "T02", "trust-a")]
    sizes = {}

    def train_and_predict(source, training, held_out):
        sizes[source] = len(training)
        return [{"T99"} for _ in held_out]

    result = leave_one_source_out(FIXTURE[:3], train_and_predict, CODES, extra_training=extra)
    assert sizes == {"trust-a": 1}  # trust-c's extra comment only; trust-a's extra comment is held back too
    assert result.pooled.comments == 3


def test_agreement_macro_counts_only_themes_with_enough_support() -> None:
    reference = [frozenset({"T02"})] * 5 + [frozenset({"T07"})]
    other = [frozenset({"T02"})] * 5 + [frozenset({"T99"})]
    score = agreement(reference, other, CODES, min_support=5)
    assert score.macro_f1 == 1.0  # only T02 has 5 coded comments
    assert score.micro_f1 == pytest.approx(
        f1_score(indicator(reference, CODES), indicator(other, CODES), average="micro")
    )


def test_a_prediction_count_that_does_not_match_is_refused() -> None:
    with pytest.raises(ValueError, match="predictions for"):
        leave_one_source_out(FIXTURE, lambda source, training, held_out: [], CODES)


@pytest.mark.skipif(
    not shared_datasets_dir().is_dir(),
    reason="the development sets' texts live in ../shared, not in the repository",
)
def test_development_set_one_joins_to_texts_with_a_source_each() -> None:
    from nlp.wmty_eval import coded_dev_comments

    comments = coded_dev_comments(1)
    assert len(comments) == 300
    assert {c.source for c in comments} == {
        "neas-111",
        "neas-pts",
        "neas-see-convey",
        "trust-a",
        "trust-b",
        "trust-c",
        "historical-2020",
    }
    assert all(c.text.strip() and c.codes for c in comments)


def test_coder_agreement_is_symmetric_and_uses_sklearns_kappa() -> None:
    from sklearn.metrics import cohen_kappa_score

    from nlp.wmty_eval import coder_agreement

    a = [frozenset({"T02"}), frozenset({"T02", "T07"}), frozenset({"T99"}), frozenset({"T07"})]
    b = [frozenset({"T02"}), frozenset({"T02"}), frozenset({"T99"}), frozenset({"T02", "T07"})]
    feel_a, feel_b = ["positive", "neutral", "neutral", "negative"], ["positive", "negative", "neutral", "negative"]
    forward, backward = coder_agreement(a, b, CODES, feel_a, feel_b), coder_agreement(b, a, CODES, feel_b, feel_a)
    assert forward.micro_f1 == backward.micro_f1 == pytest.approx(2 * 4 / (5 + 5))
    assert forward.exact == 0.5
    assert forward.per_theme_counts["T02"] == (2, 3)
    assert forward.sentiment_kappa == pytest.approx(cohen_kappa_score(feel_a, feel_b))
    assert forward.sentiment_agreement == 0.75

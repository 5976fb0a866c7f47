"""Training on a small set into a temporary directory: analyst examples win over weak pattern labels."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from nlp import train
from nlp.analyse import analyse_comments
from nlp.codebook import codebooks_dir
from nlp.pipeline import build_pipeline
from nlp.public_data import LabelledComment
from nlp.train import train_codebook_model

REPO_DATA = codebooks_dir().parent


@pytest.fixture
def small_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    shutil.copytree(REPO_DATA / "codebooks", tmp_path / "codebooks")
    monkeypatch.setenv("ENGAGEMENT_DATA_DIR", str(tmp_path))
    comments = [
        "Not enough nurses on the ward",
        "The waiting list is too long",
        "Free at the point of use",
        "Staff were lovely and kind",
        "My GP never answers the phone",
        "I waited months for a referral",
    ] * 10
    public = [LabelledComment(text, None, frozenset(), False, None, "test", "test") for text in comments]
    # The public data is read only from a folder that exists; this one does, with or without ../shared.
    monkeypatch.setenv("ENGAGEMENT_SHARED_DIR", str(tmp_path))
    monkeypatch.setattr(train, "read_all", lambda codebook: public)
    yield tmp_path
    build_pipeline.cache_clear()  # later tests must not see the models trained here


def test_wmty_training_writes_a_small_model_and_card(small_world: Path) -> None:
    examples = [("Parking is impossible at the hospital", ["T05"])] * 3
    report = train_codebook_model("wmty", examples)
    assert report.model_path.parent == small_world / "models"
    assert report.model_path.stat().st_size < 2_000_000
    assert report.card_path.is_file() and report.analyst_examples == 3


def test_analyst_labels_teach_the_model_what_no_pattern_knows(small_world: Path) -> None:
    # No phrase pattern knows porters; analysts say being wheeled to a scan is about getting to care (T05).
    examples = [
        ("The porter wheeled me to the scan", ["T05"]),
        ("The receptionist smiled at me", ["T02"]),
        ("Nothing to add", ["T99"]),
    ] * 5
    train_codebook_model("wmty", examples)
    tags = {tag.code: tag for tag in next(analyse_comments(["The porter wheeled me to the scan"], "wmty")).themes}
    assert tags["T05"].source == "model"


def test_examples_with_unknown_codes_are_refused(small_world: Path) -> None:
    with pytest.raises(ValueError, match="not in codebook 'wmty': T77"):
        train_codebook_model("wmty", [("x", ["T77"])])


def test_too_few_comments_and_no_public_data_says_what_training_needs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(REPO_DATA / "codebooks", tmp_path / "codebooks")
    monkeypatch.setenv("ENGAGEMENT_DATA_DIR", str(tmp_path))
    nowhere = tmp_path / "no-shared-data"
    monkeypatch.setenv("ENGAGEMENT_SHARED_DIR", str(nowhere))
    with pytest.raises(ValueError) as refused:
        train_codebook_model("wmty", [("Parking is impossible", ["T05"])], ["The bus takes two hours", "Lovely staff"])
    message = str(refused.value)
    assert "3 comments" in message and f"at least {train.MIN_TRAINING_COMMENTS}" in message
    assert str(nowhere) in message and "ENGAGEMENT_SHARED_DIR" in message
    assert not (tmp_path / "models").exists()  # nothing half-saved


def test_character_ngrams_stay_inside_each_comment() -> None:
    from nlp.features import char_ngram_counts

    counts = char_ngram_counts(["Good", "", "ab", "GOOD"])
    # "good": 3 bigrams + 2 trigrams + 1 four-gram; nothing for the empty comment; "ab" one bigram.
    assert counts.toarray().sum(axis=1).tolist() == [6.0, 0.0, 1.0, 6.0]
    assert (counts[0] != counts[3]).nnz == 0  # lower-cased
    assert char_ngram_counts([]).shape[0] == 0


def test_sentiment_model_with_character_ngrams_survives_saving(tmp_path: Path) -> None:
    import numpy as np

    from nlp.models import SentimentModel

    raw = ["really rude staff", "very good service thank you", "it was ok", "awful wait, rude"] * 5
    feelings = ["negative", "positive", "neutral", "negative"] * 5
    model = SentimentModel.fit([text.lower() for text in raw], feelings, raw_texts=raw)
    assert model.chars is not None
    path = tmp_path / "sentiment.skops"
    model.save(path)
    loaded = SentimentModel.load(path)
    texts = ["Rude and unhelpful", "Good service", ""]
    before = model.probabilities([t.lower() for t in texts], texts)
    after = loaded.probabilities([t.lower() for t in texts], texts)
    assert np.allclose(before, after, atol=1e-2)
    assert before[0].argmax() == 2 and before[1].argmax() == 0

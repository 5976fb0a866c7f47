"""Training theme and sentiment models; retrain with ``python -m nlp.train --codebook px`` (or wmty).

``px`` learns from the public pxtextmining data in ../shared (plus any extra examples); ``wmty`` learns from
analyst-labelled examples combined with weak labels from the codebook's phrase patterns. Analyst examples win
over weak labels for the same text.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from scipy import sparse

from nlp.codebook import Codebook, load_codebook
from nlp.features import lemmas, pattern_hits, with_question
from nlp.models import (
    SentimentModel,
    ThemeModel,
    artefact_hash,
    models_dir,
    sentiment_model_path,
    theme_model_path,
    write_card,
)
from nlp.pipeline import ThemeTagger, base_pipeline, build_pipeline
from nlp.public_data import (
    HISTORICAL_FILE,
    NEAS_FILE,
    PHASE1_FILE,
    LabelledComment,
    is_no_answer,
    read_all,
    shared_datasets_dir,
)

# Single-label examples from other frameworks count for less than fully labelled ones. 0.25 scored a little better
# on held-out NEAS services, 0.5 better on held-out phase1 trusts (through the crosswalk); 1.0 worse on both.
SINGLE_LABEL_WEIGHT = 0.5
# The historical file (one mental-health trust, 16 coarse categories) lowered cross-organisation F1 on held-out
# NEAS services and held-out phase1 trusts alike; it teaches only the label no other source has enough of.
# Its comments still shape the vocabulary.
SOURCE_TEACHES_ONLY = {"historical": ("PX19",)}  # Mental Health Act
# Sentiment: added to the (positive, neutral, negative) class scores, chosen on held-out NEAS service types and
# phase1 trusts. Phase1's criticality teaches only positive and negative, so neutral needs the lift back.
SENTIMENT_BIAS = (0.0, 0.6, 0.4)
# Phase1 rows rated by criticality (Trusts A, B and C; 0 = not rated) teach sentiment at this weight. Against
# NEAS alone (bias 0, 0, 0.4): held-out services accuracy 0.786 -> 0.794, negative recall 0.852 -> 0.885, neutral
# F1 0.22 -> 0.20; held-out phase1 trusts accuracy 0.806 -> 0.820, negative recall 0.694 -> 0.771. Weights 0.05,
# 0.25, 0.5 and 1.0 were no better on accuracy and cost more neutral F1.
PHASE1_SENTIMENT_WEIGHT = 0.1
# px labels that accompany most others, so a single-label example says nothing about them.
OFTEN_ALONGSIDE = ("PX01", "PX06")
# Weak labels from phrase patterns count for less than analysts' labels.
WEAK_LABEL_WEIGHT = 0.3
# Fewer comments than this teach nothing a saved model should replace the shipped one with (and leave the TF-IDF
# vocabulary, words in at least 2 comments and at most half of them, next to empty).
MIN_TRAINING_COMMENTS = 20


@dataclass
class TrainReport:
    """What was trained, on what, and how well it did on out-of-fold predictions."""

    codebook: str
    model_path: Path
    card_path: Path
    examples: int
    analyst_examples: int
    data_sources: list[str]
    thresholds: dict[str, float]
    trained_at: str
    sentiment_model_path: Path | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Featurised:
    """Comments read once by the pipeline: lemma texts and phrase-pattern hits for one codebook."""

    texts: list[str]  # lemmas with a question-kind token (what the theme model reads)
    hits: sparse.csr_matrix
    codes: list[str]
    lemmas: list[str] = field(default_factory=list)  # lemmas alone (what the sentiment model reads)
    raw: list[str] = field(default_factory=list)  # the comments as written (for VADER)


def featurise(texts: Sequence[str], questions: Sequence[str | None], codebook: Codebook) -> Featurised:
    nlp = base_pipeline()
    tagger = ThemeTagger(nlp, codebook, model=None)
    lemma_texts, plain, matches = [], [], []
    for doc, question in zip(nlp.pipe(texts, batch_size=1000), questions, strict=True):
        plain.append(lemmas(doc))
        lemma_texts.append(with_question(plain[-1], question))
        matches.append(tagger.matches(doc))
    return Featurised(lemma_texts, pattern_hits(matches, codebook.codes), codebook.codes, plain, list(texts))


def label_matrix(records: Sequence[LabelledComment], codes: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """0/1 labels, and which of them count as known for training."""
    index = {code: j for j, code in enumerate(codes)}
    labels = np.zeros((len(records), len(codes)), dtype=np.int8)
    known = np.zeros((len(records), len(codes)), dtype=bool)
    for i, record in enumerate(records):
        for code in record.codes:
            labels[i, index[code]] = 1
        if record.complete:
            known[i] = True
        elif record.codes:
            # A coder chose this one label, so the others are probably absent, except labels that go with
            # almost anything (praise, staff manner).
            known[i] = True
            for code in OFTEN_ALONGSIDE:
                if code in index and code not in record.codes:
                    known[i, index[code]] = False
    return labels, known


def fit_px(features: Featurised, records: Sequence[LabelledComment], codebook: Codebook) -> ThemeModel:
    """The px theme model on rows with text; "Labelling not possible" is decided by screening, not learnt."""
    labels, known = label_matrix(records, features.codes)
    known[:, features.codes.index(codebook.not_codeable)] = False
    for source, taught in SOURCE_TEACHES_ONLY.items():
        rows = np.array([record.source == source for record in records])
        untaught = [j for j, code in enumerate(features.codes) if code not in taught]
        known[np.ix_(rows, untaught)] = False
    weights = np.array([1.0 if record.complete else SINGLE_LABEL_WEIGHT for record in records])
    complete = np.array([record.complete for record in records])
    return ThemeModel.fit(
        features.codes, features.texts, features.hits, labels, known, weights=weights, calibrate=complete
    )


def fit_sentiment(features: Featurised, records: Sequence[LabelledComment]) -> SentimentModel:
    """Sentiment from fully labelled (v6-format) rows, plus phase1 rows rated by criticality at a low weight.
    Lemmas without the question token, as the pipeline scores them.

    Hashed character n-grams raised accuracy on held-out services 0.776 -> 0.786 and neutral F1 0.17 -> 0.22
    (in-distribution negative recall 0.886 -> 0.860). No help on held-out services or phase1 trusts: the NEAS
    FFT rating (1-5) as weak labels for unrated rows or as a stacked second target, a LinearSVC ensemble, a
    "both strong positive and negative VADER cues -> neutral" rule, other C or class biases."""
    rows = [i for i, record in enumerate(records) if _teaches_sentiment(record)]
    return SentimentModel.fit(
        [features.lemmas[i] for i in rows],
        [records[i].sentiment for i in rows],
        raw_texts=[features.raw[i] for i in rows],
        weights=np.array([1.0 if records[i].complete else PHASE1_SENTIMENT_WEIGHT for i in rows]),
        bias=SENTIMENT_BIAS,
    )


def _teaches_sentiment(record: LabelledComment) -> bool:
    return record.sentiment is not None and (record.complete or record.source == "phase1")


def _usable(records: Sequence[LabelledComment]) -> list[LabelledComment]:
    return [record for record in records if not is_no_answer(record.text)]


def _shown(path: Path) -> str:
    """A data source as a reader finds it: relative to the repository (../shared/...) where it can be."""
    try:
        return os.path.relpath(path, Path(__file__).resolve().parent.parent)
    except ValueError:
        return str(path)


def train_codebook_model(
    codebook: str,
    examples: Sequence[tuple[str, Sequence[str]]] | None = None,
    comments: Sequence[str] | None = None,
) -> TrainReport:
    """Train a codebook's theme model (and, for ``px``, the sentiment model); save them in data/models.

    ``examples`` are analyst-labelled comments as (text, codes). They are added to the public data for ``px``;
    for any other codebook they are combined with weak labels from phrase patterns on the public comments (when
    ../shared is there) and on ``comments``, the survey's own (redacted) answers. Analyst labels win.
    """
    loaded = load_codebook(codebook)
    extra = list(examples or [])
    unknown = sorted({code for _, codes in extra for code in codes} - set(loaded.codes))
    if unknown:
        raise ValueError(f"examples use codes not in codebook {loaded.slug!r}: {', '.join(unknown)}")
    if shared_datasets_dir().is_dir():
        public = _usable(read_all(loaded))
    elif loaded.slug == "px":
        raise ValueError(
            f"px is trained on the public patient-feedback data, not found at {shared_datasets_dir()} "
            "(set ENGAGEMENT_SHARED_DIR to the folder holding the pxtextmining CSV files)"
        )
    else:
        public = []
    own = [LabelledComment(text, None, frozenset(), True, None, "survey", "survey") for text in comments or []]
    analyst = [LabelledComment(text, None, frozenset(codes), True, None, "analyst", "analyst") for text, codes in extra]
    analyst_texts = {record.text.strip().lower() for record in analyst}
    public = [record for record in _usable(public + own) if record.text.strip().lower() not in analyst_texts]
    records = public + analyst
    if len(records) < MIN_TRAINING_COMMENTS:
        raise ValueError(_too_few_message(loaded.slug, records))
    features = featurise([r.text for r in records], [r.question for r in records], loaded)
    notes: list[str] = []
    sentiment_path = None
    if loaded.slug == "px":
        model = fit_px(features, records, loaded)
        sentiment = fit_sentiment(features, records)
        sentiment_path = sentiment_model_path()
        sentiment.save(sentiment_path)
        files = {"neas": NEAS_FILE, "phase1": PHASE1_FILE, "historical": HISTORICAL_FILE}
        sources = [_shown(shared_datasets_dir() / files[name]) for name in sorted({r.source for r in public})]
        _write_sentiment_card(sentiment_path, records)
    else:
        model = _fit_from_weak_labels(features, records, loaded)
        sources = []
        if any(record.source != "survey" for record in public):
            sources.append("phrase-pattern weak labels on the public patient-feedback comments")
        if own:
            sources.append(f"phrase-pattern weak labels on {len(own)} of this survey's answers")
        notes.append("weak labels are the codebook's own patterns: the model generalises them")
    if analyst:
        sources.append(f"{len(analyst)} analyst-labelled examples")
    path = theme_model_path(loaded.slug)
    model.save(path)
    trained_at = datetime.now(UTC).isoformat(timespec="seconds")
    thresholds = {code: round(float(t), 3) for code, t in zip(loaded.codes, model.thresholds, strict=True)}
    card_path = path.with_suffix(".json")
    write_card(
        card_path,
        {
            **_kept_evaluation(card_path),
            "codebook": loaded.slug,
            "model": path.name,
            "sha256_12": artefact_hash([path]),
            "trained_at": trained_at,
            "examples": len(records),
            "analyst_examples": len(analyst),
            "data_sources": sources,
            "thresholds": thresholds,
            "features": "TF-IDF lemma 1-2-grams (max 20,000) + question kind + phrase-pattern hits",
            "classifier": "logistic regression per label, balanced class weights, per-label F1 thresholds "
            "chosen on out-of-fold scores of fully labelled (v6) rows",
            "training_mix": f"v6 rows weight 1; phase1 single-label rows weight {SINGLE_LABEL_WEIGHT}; "
            f"historical rows teach only {', '.join(SOURCE_TEACHES_ONLY['historical'])}",
            "notes": notes,
        },
    )
    build_pipeline.cache_clear()
    return TrainReport(
        loaded.slug,
        path,
        card_path,
        len(records),
        len(analyst),
        sources,
        thresholds,
        trained_at,
        sentiment_path,
        notes,
    )


def _too_few_message(slug: str, records: Sequence[LabelledComment]) -> str:
    survey = sum(1 for record in records if record.source == "survey")
    analyst = sum(1 for record in records if record.source == "analyst")
    folder = shared_datasets_dir()
    public = (
        f"the public patient-feedback data was not found at {folder} (set ENGAGEMENT_SHARED_DIR to the folder "
        "holding the pxtextmining CSV files)"
        if not folder.is_dir()
        else f"the public patient-feedback data at {folder} gave {len(records) - survey - analyst}"
    )
    return (
        f"{slug!r} has {len(records)} comments to learn from ({survey} survey answers, {analyst} analyst-labelled "
        f"examples); training needs at least {MIN_TRAINING_COMMENTS}, and {public}. The model in use is unchanged."
    )


def _kept_evaluation(card_path: Path) -> dict:
    """The cross-organisation estimate recorded by bench/nlp_bench.py --write-cards, kept across retraining."""
    if not card_path.is_file():
        return {}
    card = json.loads(card_path.read_text(encoding="utf-8"))
    # "experiments": what was tried on held-out data and not shipped (bench/sentiment_bench.py), kept as well.
    return {key: card[key] for key in ("evaluation", "experiments") if key in card}


def _write_sentiment_card(path: Path, records: Sequence[LabelledComment]) -> None:
    card_path = path.with_suffix(".json")
    rated = sum(1 for record in records if _teaches_sentiment(record))
    write_card(
        card_path,
        {
            **_kept_evaluation(card_path),
            "model": path.name,
            "sha256_12": artefact_hash([path]),
            "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "examples": rated,
            "data_sources": [
                _shown(shared_datasets_dir() / NEAS_FILE) + " (Comment sentiment 1-5 -> 3 classes, weight 1)",
                _shown(shared_datasets_dir() / PHASE1_FILE)
                + f" (criticality 1..4 positive, -4..-1 negative, 0 not rated; weight {PHASE1_SENTIMENT_WEIGHT})",
            ],
            "features": "TF-IDF lemma 1-2-grams (max 30,000) + 7 VADER lexicon scores of the raw text + TF-IDF of "
            "hashed character 2-5-grams of the raw text (2^18 buckets, those in >= 2 training comments kept)",
            "classifier": "multinomial logistic regression, no class weights, "
            f"class-score bias {list(SENTIMENT_BIAS)} (positive, neutral, negative) chosen on held-out services",
        },
    )


def _fit_from_weak_labels(features: Featurised, records: Sequence[LabelledComment], codebook: Codebook) -> ThemeModel:
    """Weak labels: a theme is present where its patterns match; analyst rows replace them with their own."""
    weak = features.hits.toarray().astype(np.int8)
    analyst_rows = np.array([record.source == "analyst" for record in records])
    labels, _ = label_matrix(records, features.codes)
    weak[analyst_rows] = labels[analyst_rows]
    known = np.ones_like(weak, dtype=bool)
    weights = np.where(analyst_rows, 1.0, WEAK_LABEL_WEIGHT)
    # The model must not just copy the pattern-hit column it was labelled from: hide it from the features.
    no_hits = sparse.csr_matrix(features.hits.shape, dtype=np.float32)
    model = ThemeModel.fit(features.codes, features.texts, no_hits, weak, known, weights=weights)
    model.pattern_weight = 0.0
    return model


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Retrain a codebook's theme model (and sentiment, for px).")
    parser.add_argument("--codebook", required=True, help="codebook slug, e.g. px or wmty")
    arguments = parser.parse_args(argv)
    report = train_codebook_model(arguments.codebook)
    print(f"trained {report.codebook} on {report.examples} comments -> {report.model_path} ({report.card_path})")
    if report.sentiment_model_path:
        print(f"sentiment model -> {report.sentiment_model_path}")
    print(f"model files: {models_dir()}")


if __name__ == "__main__":
    main()

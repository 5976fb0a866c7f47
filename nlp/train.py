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
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier

from nlp.codebook import Codebook, load_codebook
from nlp.features import lemmas, pattern_hits, with_question
from nlp.models import (
    PRAISE_QUESTION_BIAS,
    SentimentModel,
    ThemeModel,
    _best_threshold,
    _binary_model,
    _fitted_vectorizer,
    artefact_hash,
    codebook_own_sentiment_path,
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
from nlp.wmty_dev import DevSetError
from nlp.wmty_eval import DEV2_LABELS_CSV, TRAIN3_LABELS_CSV, CodedComment, coded_dev_comments, indicator

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
# Comments coded to the wmty sentiment rules (development set 2 and training set 3, 3,640 comments) teach the wmty
# sentiment model at this weight beside the public px-labelled ones. Scored against the coders on sources left out
# (bench/wmty_sentiment_loso.py; accuracy / macro-F1 on set 2's 640 comments): public only 0.639 / 0.538;
# weight 0.3 0.664 / 0.608; 1 0.689 / 0.654; 3 0.703 / 0.678; 10 0.705 / 0.683. The px-labelled NEAS services fell
# 0.797 -> 0.766 at 3, which is why px keeps the shared model.
CODED_SENTIMENT_WEIGHT = 3.0
# The wmty sentiment model's lean towards positive for answers to praise-only questions ("the best thing about the
# NHS"). Against the coders on the praise questions of sources left out (trust A Q2, trust C Q1; 240 each):
# 0: 0.750 / 0.892, 1.5 (the shared model's): 0.863 / 0.900, 2.5: 0.867 / 0.908, 3.5: 0.883 / 0.912.
CODED_PRAISE_QUESTION_BIAS = 3.0
# px labels that accompany most others, so a single-label example says nothing about them.
OFTEN_ALONGSIDE = ("PX01", "PX06")
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


def fit_codebook_sentiment(
    features: Featurised, records: Sequence[LabelledComment], coded: Sequence[CodedComment], codebook: Codebook
) -> SentimentModel:
    """Sentiment to a codebook's own coding rules: the shared model's public examples, plus comments coded to the
    codebook's sentiment rules (mixed and bare suggestions are neutral) at ``CODED_SENTIMENT_WEIGHT``."""
    rated = [c for c in coded if c.sentiment]
    read = featurise([c.text for c in rated], [c.question for c in rated], codebook)
    rows = [i for i, record in enumerate(records) if _teaches_sentiment(record)]
    return SentimentModel.fit(
        [features.lemmas[i] for i in rows] + read.lemmas,
        [records[i].sentiment for i in rows] + [c.sentiment for c in rated],
        raw_texts=[features.raw[i] for i in rows] + read.raw,
        weights=np.concatenate([
            [1.0 if records[i].complete else PHASE1_SENTIMENT_WEIGHT for i in rows],
            np.full(len(rated), CODED_SENTIMENT_WEIGHT),
        ]),
        bias=SENTIMENT_BIAS,
        praise_bias=CODED_PRAISE_QUESTION_BIAS,
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
        coded = _coded_dev_comments(loaded)
        model = _fit_from_people_and_public(loaded, features, records, coded)
        if any(c.sentiment for c in coded) and any(_teaches_sentiment(r) for r in records):
            sentiment_path = codebook_own_sentiment_path(loaded.slug)
            fit_codebook_sentiment(features, records, coded, loaded).save(sentiment_path)
            _write_sentiment_card(sentiment_path, records, coded)
        sources = []
        if any(record.source not in ("survey", "analyst") for record in public):
            sources.append(
                "public patient-feedback comments (../shared/datasets/patient-feedback): px-framework labels through "
                f"the codebook's crosswalk (weight {WMTY_RECIPE.crosswalk_weight}), otherwise phrase-pattern weak "
                f"labels (weight {WMTY_RECIPE.weak_weight})"
            )
        if own:
            sources.append(f"phrase-pattern weak labels on {len(own)} of this survey's answers")
        if coded:
            sources.append(f"{len(coded)} hand-coded development-set comments (data/eval, texts from ../shared)")
        notes.append(
            "two stages folded into one linear model: a prior from public comments, then hand-coded comments with "
            "the prior's score as a feature; thresholds from cross-validation grouped by source"
        )
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
            **_training_description(loaded.slug),
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


def _training_description(slug: str) -> dict[str, str]:
    if slug == "px":
        return {
            "classifier": "logistic regression per label, balanced class weights, per-label F1 thresholds "
            "chosen on out-of-fold scores of fully labelled (v6) rows",
            "training_mix": f"v6 rows weight 1; phase1 single-label rows weight {SINGLE_LABEL_WEIGHT}; "
            f"historical rows teach only {', '.join(SOURCE_TEACHES_ONLY['historical'])}",
        }
    return {
        "classifier": "logistic regression per label in two stages (public prior, then hand-coded comments with "
        "the prior's logit as a feature), balanced class weights, per-label F1 thresholds chosen on scores of "
        "hand-coded comments from sources left out",
        "training_mix": f"recipe {WMTY_RECIPE}",
    }


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
    return {key: card[key] for key in ("evaluation", "experiments", "leave_one_source_out") if key in card}


def _write_sentiment_card(path: Path, records: Sequence[LabelledComment], coded: Sequence[CodedComment] = ()) -> None:
    card_path = path.with_suffix(".json")
    rated = sum(1 for record in records if _teaches_sentiment(record))
    coded_rated = sum(1 for comment in coded if comment.sentiment)
    own_rules = (
        [f"{coded_rated} comments coded to this codebook's sentiment rules (data/eval wmty-dev2 and wmty-train3 "
         f"labels, texts from ../shared; weight {CODED_SENTIMENT_WEIGHT})"]
        if coded_rated
        else []
    )
    write_card(
        card_path,
        {
            **_kept_evaluation(card_path),
            "model": path.name,
            "sha256_12": artefact_hash([path]),
            "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "examples": rated + coded_rated,
            "data_sources": own_rules + [
                _shown(shared_datasets_dir() / NEAS_FILE) + " (Comment sentiment 1-5 -> 3 classes, weight 1)",
                _shown(shared_datasets_dir() / PHASE1_FILE)
                + f" (criticality 1..4 positive, -4..-1 negative, 0 not rated; weight {PHASE1_SENTIMENT_WEIGHT})",
            ],
            "features": "TF-IDF lemma 1-2-grams (max 30,000) + 7 VADER lexicon scores of the raw text + TF-IDF of "
            "hashed character 2-5-grams of the raw text (2^18 buckets, those in >= 2 training comments kept)",
            "classifier": "multinomial logistic regression, no class weights, "
            f"class-score bias {list(SENTIMENT_BIAS)} (positive, neutral, negative) chosen on held-out services; "
            f"answers to praise-only questions lean positive by "
            f"{CODED_PRAISE_QUESTION_BIAS if coded_rated else PRAISE_QUESTION_BIAS}",
        },
    )


# --- the wmty theme model -------------------------------------------------------------------------------------
# Public comments' sources as the development sets name them (the units of leave-one-source-out scoring).
_NEAS_SERVICE_SOURCE = {"111": "neas-111", "PTS": "neas-pts", "See": "neas-see-convey"}


def public_source(record: LabelledComment) -> str:
    """The organisation or service a public comment came from, named as in the development sets."""
    if record.source == "neas":
        words = record.group.replace(chr(160), " ").split()
        return _NEAS_SERVICE_SOURCE.get(words[0] if words else "", "neas")
    if record.source == "phase1":
        return record.group.replace("Trust ", "trust-").lower()
    if record.source == "historical":
        return "historical-2020"
    return record.source


@dataclass(frozen=True)
class WmtyRecipe:
    """How the wmty theme model weighs its evidence. Chosen by leave-one-source-out on development set 2 (640
    comments, 7 sources; pooled micro / macro-F1 of the pipeline's themes): public prior alone 0.654 / 0.574; with
    the hand-coded comments of the other sources (set 1) 0.672 / 0.603 (set 2 only: 0.656 / 0.589); stage-two C 3
    0.681 / 0.600 (0.3: 0.657, 10: 0.675, 30: 0.678). With training set 3 (3,000 one-coder comments) as well:
    C 3 0.683 / 0.599, C 1 0.688 / 0.603 (without set 3 at C 1: 0.672 / 0.603), C 0.5 0.686 / 0.603, C 10
    0.686 / 0.598, hand-coded weight 3 0.680 / 0.593, 60 passes 0.683 / 0.597, at least 5 hand-coded examples
    0.683 / 0.599. No better before set 3: the prior without the px crosswalk (0.666 / 0.594), no pattern features
    (0.658), the model deciding without patterns (0.672 / 0.536), a pattern veto when the model score is low,
    giving the best-scoring theme instead of Other when it is near its threshold, 60 SGD passes, weak-label weight
    0.1 or 0.6 (0.674, 0.680), crosswalk weight 0.3 (0.679), at least 5 or 8 hand-coded examples before stage two
    (0.683, 0.681), static sentence embeddings (best 0.688 / 0.604, bench/embed_bench.py). SGD's run-to-run noise
    is about 0.005."""

    weak_weight: float = 0.3  # public comments labelled by the codebook's phrase patterns
    crosswalk_weight: float = 1.0  # public comments whose px-framework labels mean a wmty theme
    human_weight: float = 1.0  # hand-coded comments (development sets, analysts)
    pattern_features: bool = True  # phrase-pattern hits as features of the human-label stage
    prior_regularisation: float = 4.0
    regularisation: float = 1.0
    min_human_positives: int = 3  # fewer hand-coded examples of a theme than this: the prior alone decides
    stage_two_solver: str = "sgd"  # liblinear took ~1 s a fit here against SGD's 0.02 s (1,400 fits per evaluation)
    stage_two_passes: int = 30


WMTY_RECIPE = WmtyRecipe()
PRIOR_SCALE = 0.1


@dataclass
class PriorModel:
    """Stage one: per-theme logistic regressions on public comments (weak and crosswalked labels)."""

    coef: np.ndarray  # (n_word_features, n_codes)
    intercept: np.ndarray  # (n_codes,)
    positives: np.ndarray  # (n_codes,)

    def logits(self, words: sparse.csr_matrix) -> np.ndarray:
        return np.asarray(words @ self.coef) + self.intercept


def prior_labels(
    hits: sparse.csr_matrix, records: Sequence[LabelledComment], codebook: Codebook, recipe: WmtyRecipe
) -> tuple[np.ndarray, np.ndarray]:
    """Labels and weights for the prior: a crosswalked px label where the comment's framework judged that theme,
    otherwise the phrase-pattern (weak) label. Fully labelled (v6) rows judged every crosswalked theme; a
    single-label row says only that its one theme is present."""
    codes = codebook.codes
    weak = hits.toarray().astype(np.int8)
    labels, _ = label_matrix(records, codes)
    judged = np.zeros_like(weak, dtype=bool)
    mapped = {
        source: {theme.code for theme in codebook.themes if theme.source_labels.get(source)}
        for source in ("v6", "phase1", "historical")
    }
    framework = {"neas": "v6", "phase1": "phase1", "historical": "historical"}
    for i, record in enumerate(records):
        crosswalked = mapped.get(framework.get(record.source, ""), set())
        if record.complete:
            for j, code in enumerate(codes):
                judged[i, j] = code in crosswalked
        else:
            for code in record.codes:
                judged[i, codes.index(code)] = True
    out = np.where(judged, labels, weak)
    weights = np.where(judged, recipe.crosswalk_weight, recipe.weak_weight)
    return out, weights


def fit_prior(words: sparse.csr_matrix, labels: np.ndarray, weights: np.ndarray, regularisation: float) -> PriorModel:
    """One logistic regression per theme over word features only: the labels came from the phrase patterns, so
    pattern hits as features would just be copied. Fitted by stochastic gradient descent (8 passes): on 35,000
    public comments it matched liblinear's held-out AUC to 0.003 in a twentieth of the time."""
    n_codes = labels.shape[1]
    coef = np.zeros((words.shape[1], n_codes), dtype=np.float32)
    intercept = np.full(n_codes, -8.0, dtype=np.float32)
    positives = labels.sum(axis=0).astype(np.int32)
    for j in range(n_codes):
        y = labels[:, j].astype(int)
        rows = weights[:, j] > 0
        if 0 < y[rows].sum() < rows.sum():
            model = SGDClassifier(
                loss="log_loss",
                alpha=1.0 / (regularisation * rows.sum()),
                class_weight="balanced",
                max_iter=8,
                tol=None,
                random_state=0,
            ).fit(words[rows], y[rows], sample_weight=weights[rows, j])
            coef[:, j], intercept[j] = model.coef_[0], model.intercept_[0]
    return PriorModel(coef, intercept, positives)


def _human_stage(
    features: sparse.csr_matrix, prior_logit: np.ndarray, y: np.ndarray, weights: np.ndarray, recipe: WmtyRecipe
) -> tuple[np.ndarray, float, float]:
    """Stage two for one theme: a logistic regression on hand-coded comments over the word (and pattern) features
    plus the prior's logit. Returns (feature coefficients, prior coefficient, intercept)."""
    if y.sum() < recipe.min_human_positives or y.sum() == len(y):
        return np.zeros(features.shape[1], dtype=np.float32), 1.0, 0.0
    # The prior's logit spans about -30..20; scaled down it sits with the TF-IDF features (a tenth of it).
    matrix = sparse.hstack([features, sparse.csr_matrix(prior_logit[:, None] * PRIOR_SCALE)], format="csr")
    if recipe.stage_two_solver == "sgd":
        model = SGDClassifier(
            loss="log_loss",
            alpha=1.0 / (recipe.regularisation * len(y)),
            class_weight="balanced",
            max_iter=recipe.stage_two_passes,
            tol=None,
            random_state=0,
        ).fit(matrix, y, sample_weight=weights)
    else:
        model = _binary_model(recipe.regularisation).fit(matrix, y, sample_weight=weights)
    return model.coef_[0][:-1], float(model.coef_[0][-1]) * PRIOR_SCALE, float(model.intercept_[0])


def _coded_dev_comments(codebook: Codebook) -> list[CodedComment]:
    """The hand-coded development sets and training set 3 (wmty only), joined to their texts when the full public
    files are there."""
    if codebook.slug != "wmty" or not shared_datasets_dir().is_dir():
        return []
    shared = shared_datasets_dir().parent.parent
    try:
        coded = coded_dev_comments(1, shared)
        for version, labels in ((2, DEV2_LABELS_CSV), (3, TRAIN3_LABELS_CSV)):
            if labels.is_file():
                coded += coded_dev_comments(version, shared)
    except DevSetError:
        return []  # a folder holding other (or sampled) files: the development sets do not resolve there
    return coded


def _fit_from_people_and_public(
    codebook: Codebook, features: Featurised, records: Sequence[LabelledComment], coded: Sequence[CodedComment]
) -> ThemeModel:
    """Analysts' examples and hand-coded development comments teach stage two; the rest is the prior."""
    analyst = np.array([record.source == "analyst" for record in records], dtype=bool)
    public_rows, analyst_rows = np.flatnonzero(~analyst), np.flatnonzero(analyst)
    coded_features = featurise([c.text for c in coded], [c.question for c in coded], codebook)
    human = Featurised(
        [*(features.texts[i] for i in analyst_rows), *coded_features.texts],
        sparse.vstack([features.hits[analyst_rows], coded_features.hits], format="csr"),
        features.codes,
    )
    return fit_wmty_model(
        codebook,
        _rows(features, public_rows),
        [records[i] for i in public_rows],
        human,
        [records[i].codes for i in analyst_rows] + [c.codes for c in coded],
        ["analyst"] * len(analyst_rows) + [c.source for c in coded],
        WMTY_RECIPE,
        extra_vocabulary=[features.texts[i] for i in analyst_rows],
    )


def _rows(features: Featurised, rows: np.ndarray) -> Featurised:
    return Featurised([features.texts[i] for i in rows], features.hits[rows], features.codes)


def fit_wmty_model(
    codebook: Codebook,
    public: Featurised,
    public_records: Sequence[LabelledComment],
    human: Featurised,
    human_codes: Sequence[frozenset[str]],
    human_groups: Sequence[str],
    recipe: WmtyRecipe = WmtyRecipe(),
    extra_vocabulary: Sequence[str] = (),
    max_features: int = 20000,
) -> ThemeModel:
    """The wmty theme model in two stages folded into one linear model.

    Stage one (the prior) learns from public comments: weak labels from the phrase patterns at a low weight, and
    px-framework labels mapped through the codebook's ``source_labels`` crosswalk. Stage two learns from hand-coded
    comments, with the prior's logit as one more feature, so a theme people coded often is learnt from them and a
    rare one leans on the prior. Both stages are linear in the same features, so they fold into one ThemeModel.
    Thresholds are chosen on scores of hand-coded comments predicted by a stage two that did not see their source
    (grouped cross-validation over ``human_groups``). The vocabulary is the public comments' plus
    ``extra_vocabulary`` (hand-coded comments that are not among the public ones, such as analysts').
    """
    vectorizer, prior = fit_wmty_prior(codebook, public, public_records, extra_vocabulary, recipe, max_features)
    return fit_wmty_human_stage(codebook, vectorizer, prior, human, human_codes, human_groups, recipe)


def fit_wmty_prior(
    codebook: Codebook,
    public: Featurised,
    public_records: Sequence[LabelledComment],
    extra_vocabulary: Sequence[str] = (),
    recipe: WmtyRecipe = WmtyRecipe(),
    max_features: int = 20000,
) -> tuple[TfidfVectorizer, PriorModel]:
    """The vocabulary (public comments and ``extra_vocabulary``) and stage one, the prior, on public comments."""
    codes = codebook.codes
    vectorizer = _fitted_vectorizer([*public.texts, *extra_vocabulary], max_features)
    if public.texts:
        labels, weights = prior_labels(public.hits, public_records, codebook, recipe)
        prior = fit_prior(vectorizer.transform(public.texts), labels, weights, recipe.prior_regularisation)
    else:
        # No public comments: the prior says "absent" for every theme, so only themes people coded are found.
        width = len(vectorizer.vocabulary_)
        prior = PriorModel(
            np.zeros((width, len(codes)), np.float32),
            np.full(len(codes), -8.0, np.float32),
            np.zeros(len(codes), np.int32),
        )
    return vectorizer, prior


def fit_wmty_human_stage(
    codebook: Codebook,
    vectorizer: TfidfVectorizer,
    prior: PriorModel,
    human: Featurised,
    human_codes: Sequence[frozenset[str]],
    human_groups: Sequence[str],
    recipe: WmtyRecipe = WmtyRecipe(),
) -> ThemeModel:
    """Stage two on hand-coded comments over the prior, folded into one ThemeModel with grouped-CV thresholds."""
    codes = codebook.codes
    width = len(vectorizer.vocabulary_)
    human_words = vectorizer.transform(human.texts) if human.texts else sparse.csr_matrix((0, width), dtype=np.float32)
    prior_logits = prior.logits(human_words)
    hits = human.hits if recipe.pattern_features else sparse.csr_matrix(human.hits.shape, dtype=np.float32)
    features = sparse.hstack([human_words, hits], format="csr")
    truth = indicator(human_codes, codes)
    weights = np.full(len(human_codes), recipe.human_weight)
    groups = np.asarray(human_groups)
    if len(np.unique(groups)) < 2:  # one source only (a survey's analysts): plain folds
        groups = np.arange(len(groups)) % min(4, max(len(groups), 1))
    coef = np.zeros((features.shape[1], len(codes)), dtype=np.float32)
    intercept = np.zeros(len(codes), dtype=np.float32)
    thresholds = np.full(len(codes), 0.5, dtype=np.float32)
    for j in range(len(codes)):
        b, c, b0 = _human_stage(features, prior_logits[:, j], truth[:, j], weights, recipe)
        coef[:, j] = b
        coef[: human_words.shape[1], j] += c * prior.coef[:, j]
        intercept[j] = b0 + c * prior.intercept[j]
        oof = np.zeros(len(truth))
        for group in np.unique(groups):
            inside = groups == group
            b, c, b0 = _human_stage(
                features[~inside], prior_logits[~inside, j], truth[~inside, j], weights[~inside], recipe
            )
            oof[inside] = 1 / (1 + np.exp(-(features[inside] @ b + c * prior_logits[inside, j] + b0)))
        thresholds[j] = _best_threshold(truth[:, j].astype(bool), oof)
    model = ThemeModel(codes, vectorizer, coef, intercept, thresholds, prior.positives + truth.sum(axis=0))
    model.pattern_weight = 1.0 if recipe.pattern_features else 0.0
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

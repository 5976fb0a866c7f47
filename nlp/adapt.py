"""Adapting a shipped theme model to one survey from the comments its analysts coded.

The shipped model stands in for its training data (tens of thousands of comments, not shipped): its per-label
logistic regression is the prior. For each label the analysts' comments fit a correction on top of it — a
logistic regression whose inputs are the shipped model's own score for the label (how far from its threshold,
free to be re-scaled: that is calibration to this survey) and the same TF-IDF lemma features (pulled towards no
change by an L2 penalty: that is the shipped data's weight). ``ANALYST_WEIGHT`` is how much the analysts'
comments count against that prior; it was chosen by measurement (data/eval/README.md, "Adaptation").

The result is again a ``ThemeModel`` (a re-scaled shipped column plus a correction is still linear in the same
features), so it is saved, loaded and applied exactly like the shipped one and takes seconds to fit. A label the
analysts' comments give too few examples of, either way, keeps the shipped model's column unchanged: an absent
label is not forgotten.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import numpy as np
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from nlp.codebook import Codebook, load_codebook
from nlp.comment_files import CodedComments
from nlp.models import SENTIMENTS, SentimentModel, ThemeModel, sentiment_model_path, theme_model_path
from nlp.pipeline import MIN_TRAINED_POSITIVES

# Inverse L2 penalty on the correction (scikit-learn's C): how much the analysts' comments count against the
# shipped model. px held-out NEAS service 111, 200 suggested comments: C 0.3 -> 0.560, 1 -> 0.579, 3 -> 0.589 at
# threshold 0.5, but random picks 0.546 / 0.550 / 0.550 and PTS equal; wmty 0.814 / 0.816 / 0.818. See
# data/eval/README.md ("Adaptation").
ANALYST_WEIGHT = 1.0
# The adapted scores are calibrated probabilities; F1 is best below 0.5 for labels most comments lack. Micro-F1 on
# the rest after 200 coded comments, px held-out NEAS services 111 / PTS (suggested): threshold 0.5 -> 0.579 /
# 0.729, 0.35 -> 0.630 / 0.737, 0.25 -> 0.645 / 0.718; keeping the shipped operating point -> 0.576 / 0.466. wmty
# development set after 100: 0.816, 0.817, 0.813.
ADAPTED_THRESHOLD = 0.35
# The shipped score enters scaled up so its coefficient is, in effect, not penalised.
_SCORE_SCALE = 10.0
# A label needs this many analyst comments with it, and without it, to be adapted.
MIN_EXAMPLES_EACH_WAY = 2


@dataclass(frozen=True)
class Adaptation:
    """An adapted theme model and, per label, whether the analysts' comments changed it and on how many; and
    the sentiment model adapted to their coded sentiment, when they coded enough of it (None: the shipped one)."""

    model: ThemeModel
    adapted: np.ndarray  # (n_codes,) bool
    positives: np.ndarray  # (n_codes,) analyst comments with the label
    comments: int
    sentiment: SentimentModel | None = None
    sentiment_counts: dict[str, int] | None = None  # coded comments per sentiment, when a sentiment column was given

    def summary(self, labels: list[str]) -> str:
        kept = [label for label, changed in zip(labels, self.adapted, strict=True) if not changed]
        text = f"Adapted {int(self.adapted.sum())} of {len(labels)} labels with {self.comments:,} coded comments."
        if kept:
            text += (f" Unchanged (fewer than {MIN_EXAMPLES_EACH_WAY} coded comments with and without them): "
                     + ", ".join(kept) + ".")
        if self.sentiment_counts is not None:
            counts = ", ".join(f"{count:,} {name}" for name, count in self.sentiment_counts.items())
            text += (f" Sentiment adapted with {counts}." if self.sentiment is not None else
                     f" Sentiment unchanged: it needs at least {MIN_EXAMPLES_EACH_WAY} coded comments of each of "
                     f"{', '.join(SENTIMENTS)} ({counts} given).")
        return text


def shipped_theme_model(codebook: str) -> ThemeModel:
    """The codebook's trained model as shipped in data/models."""
    path = theme_model_path(codebook)
    if not path.is_file():
        raise ValueError(f"codebook {codebook!r} has no trained model at {path}; train it first")
    return ThemeModel.load(path)


def adapt_to_coded_comments(codebook: str, coded: CodedComments, base: ThemeModel | None = None) -> Adaptation:
    """The codebook's model (``base``, default the shipped one) adapted to comments an analyst coded. Comments
    with nothing to code ('-', 'n/a', not English) teach nothing and are left out."""
    from nlp.analyse import screen  # nlp.analyse applies adapted models, so it is imported here, not at the top
    from nlp.train import featurise

    loaded = load_codebook(codebook)
    model = base if base is not None else shipped_theme_model(loaded.slug)
    kept = [i for i, text in enumerate(coded.texts) if screen(text)[1] not in ("empty", "not_english")]
    features = featurise([coded.texts[i] for i in kept], [coded.questions[i] for i in kept], loaded)
    adaptation = adapt_theme_model(model, features.texts, features.hits, coded.labels[kept])
    sentiments = [coded.sentiments[i] for i in kept]
    if not any(sentiments):
        return adaptation
    counts = {name: sentiments.count(name) for name in SENTIMENTS}
    path = sentiment_model_path(loaded.slug)
    shipped = SentimentModel.load(path) if path.is_file() else None
    adapted = None
    if shipped is not None and min(counts.values()) >= MIN_EXAMPLES_EACH_WAY:
        rows = [i for i, sentiment in enumerate(sentiments) if sentiment]
        adapted = adapt_sentiment_model(shipped, [features.lemmas[i] for i in rows], [features.raw[i] for i in rows],
                                        [sentiments[i] for i in rows])
    return replace(adaptation, sentiment=adapted, sentiment_counts=counts)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def model_inputs(model: ThemeModel, texts: list[str], hits: sparse.csr_matrix) -> sparse.csr_matrix:
    """The feature rows the model multiplies by its coefficients (TF-IDF lemmas, then weighted pattern hits)."""
    return sparse.hstack([model.vectorizer.transform(texts), hits * model.pattern_weight], format="csr")


def adapt_theme_model(
    model: ThemeModel,
    texts: list[str],
    hits: sparse.csr_matrix,
    labels: np.ndarray,
    *,
    weight: float = ANALYST_WEIGHT,
    min_each_way: int = MIN_EXAMPLES_EACH_WAY,
) -> Adaptation:
    """Adapt ``model`` with analyst-coded comments: ``texts`` are lemma strings with the question token (as the
    model reads them), ``hits`` their pattern hits, ``labels`` (n, k) 0/1 in the order of ``model.codes``."""
    labels = np.asarray(labels, dtype=int).reshape(-1, len(model.codes))
    x = model_inputs(model, texts, hits)
    margin = np.asarray(x @ model.coef + model.intercept) - _logit(model.thresholds)  # > 0: the shipped model tags
    # Only features present in the analysts' comments can move from no correction, so only those are fitted
    # (a few thousand columns rather than the whole vocabulary: seconds, not minutes).
    present = np.unique(x.indices)
    seen = x[:, present]
    coef, intercept, thresholds = model.coef.copy(), model.intercept.copy(), model.thresholds.copy()
    positives = labels.sum(axis=0)
    adapted = (positives >= min_each_way) & (len(labels) - positives >= min_each_way)
    for j in np.flatnonzero(adapted):
        inputs = sparse.hstack([sparse.csr_matrix(margin[:, [j]] * _SCORE_SCALE), seen], format="csr")
        # The dual liblinear solver suits far fewer comments than features: 2-5 times faster than lbfgs here, with
        # the same scores (px 111: 0.632 v 0.630, PTS 0.738 v 0.737, wmty 0.817 v 0.817). Its intercept is
        # penalised, so it is given room (intercept_scaling). It visits the comments in a shuffled order: seeded,
        # so the same decisions give the same model (a survey's model is not "updated" by a refit on nothing new).
        # When the shipped margin alone separates the coded comments, its nearly unpenalised coefficient keeps
        # growing and liblinear stops at max_iter with a warning; the direction it found is the answer.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            fitted = LogisticRegression(
                C=weight, solver="liblinear", dual=True, intercept_scaling=10.0, max_iter=1000, random_state=0
            ).fit(inputs, labels[:, j])
        scale = fitted.coef_[0, 0] * _SCORE_SCALE
        coef[:, j] = scale * model.coef[:, j]
        coef[present, j] += fitted.coef_[0, 1:]
        intercept[j] = scale * (model.intercept[j] - _logit(model.thresholds[j])) + fitted.intercept_[0]
        thresholds[j] = ADAPTED_THRESHOLD
    return Adaptation(
        replace(model, coef=coef, intercept=intercept, thresholds=thresholds), adapted, positives, len(labels)
    )


def adapt_sentiment_model(
    model: SentimentModel, lemmas: list[str], raw_texts: list[str], sentiments: list[str],
    *, weight: float = ANALYST_WEIGHT,
) -> SentimentModel:
    """The sentiment model adapted to analyst-coded sentiment the way themes are, one sentiment against the
    rest: a correction fitted on the shipped model's score for that sentiment (its logit less the mean of the
    three, free to be re-scaled) and the comments' features present in the coded comments (L2-pulled towards
    no change). Still linear in the same features, so it is applied exactly like the shipped model. One scale
    per sentiment, not a free 3x3 re-mixing of the shipped scores: on 20 coded comments the multinomial
    re-mixing turned a plain complaint neutral; this did not (tests/nlp/test_adapt.py)."""
    x = model._matrix(lemmas, raw_texts)
    shipped_coef = np.asarray(model.coef, dtype=np.float64)
    shipped_intercept = np.asarray(model.intercept, dtype=np.float64)
    if model.bias is not None:
        shipped_intercept = shipped_intercept + model.bias
    # Centred over the three sentiments: the same arg-max and probabilities, and each column alone says how much
    # the shipped model prefers that sentiment.
    centred_coef = shipped_coef - shipped_coef.mean(axis=1, keepdims=True)
    centred_intercept = shipped_intercept - shipped_intercept.mean()
    score = np.asarray(x @ centred_coef + centred_intercept)
    present = np.unique(x.indices)
    seen = x[:, present]
    y = np.array([SENTIMENTS.index(sentiment) for sentiment in sentiments])
    coef, intercept = np.zeros_like(centred_coef), np.zeros(len(SENTIMENTS))
    for c in range(len(SENTIMENTS)):
        inputs = sparse.hstack([sparse.csr_matrix(score[:, [c]] * _SCORE_SCALE), seen], format="csr")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            fitted = LogisticRegression(
                C=weight, solver="liblinear", dual=True, intercept_scaling=10.0, max_iter=1000, random_state=0
            ).fit(inputs, (y == c).astype(int))
        scale = fitted.coef_[0, 0] * _SCORE_SCALE
        coef[:, c] = scale * centred_coef[:, c]
        coef[present, c] += fitted.coef_[0, 1:]
        intercept[c] = scale * centred_intercept[c] + fitted.intercept_[0]
    return replace(model, coef=coef.astype(np.float32), intercept=intercept.astype(np.float32),
                   bias=np.zeros(len(SENTIMENTS), dtype=np.float32))


def theme_decisions(model: ThemeModel, codebook: Codebook, texts: list[str], hits: sparse.csr_matrix) -> np.ndarray:
    """0/1 themes (comments, labels) as the pipeline's theme tagger decides them from featurised comments: a
    score over the label's threshold, or a phrase-pattern match where patterns decide; then the not-codeable
    theme for a comment no theme fits, where the codebook says so. For scoring many models on the same comments
    (cross-validation, simulations) without running the pipeline each time."""
    by_model = model.scores(texts, hits) >= model.thresholds
    pattern_decides = codebook.patterns_decide | (model.positives < MIN_TRAINED_POSITIVES)
    decided = (by_model | ((hits.toarray() > 0) & pattern_decides)).astype(int)
    if codebook.other_when_untagged:
        decided[decided.sum(axis=1) == 0, codebook.codes.index(codebook.not_codeable)] = 1
    return decided


# A survey's own model in the app (engagement.free_text.learning) adopts a theme's adapted column only with at least
# this many of the survey's reviewed comments with the theme, and as many without it, and only where it beats the
# shipped column in cross-validation: two of each, unchecked, let ten decisions about staff tag staff on unrelated
# comments (tests/test_survey_model.py). bench/survey_model_bench.py, px with NEAS service 111 held out of training
# (1,016 comments), micro-F1 on the rest after N coded (shipped / every theme adapted, 2 each way / checked with 2, 5,
# 8 each way): 10 suggested 0.560 / 0.474 / 0.560, 0.560, 0.560; 30 suggested 0.563 / 0.528 / 0.562, 0.562, 0.563;
# 30 random 0.558 / 0.546 / 0.548, 0.563, 0.559; 50 suggested 0.565 / 0.519 / 0.579, 0.565, 0.565; 100 suggested
# 0.573 / 0.550 / 0.589, 0.589, 0.553; 100 random 0.556 / 0.584 / 0.568, 0.563, 0.563. Five never falls more than
# 0.001 below the shipped model; unchecked adaptation fell up to 0.086 below it (and rose 0.028 above at 100 random).
MIN_EVIDENCE_EACH_WAY = 5
CHECK_FOLDS = 5


@dataclass(frozen=True)
class CheckedAdaptation:
    """An adaptation that keeps a theme's adapted column only where cross-validation on the coded comments says it
    agrees with the analysts better than the shipped column does.

    ``predicted`` are the cross-validated decisions of this procedure on the coded comments (each fold decided by
    a model adapted on the other folds, for the themes adopted; the shipped decisions for the rest), ``shipped``
    the shipped model's decisions on them; ``adapted_f1`` and ``shipped_f1`` the per-theme F1 the choice was made
    on. The choice and the figure come from the same folds, so the figure leans a little optimistic."""

    adaptation: Adaptation
    predicted: np.ndarray
    shipped: np.ndarray
    adapted_f1: np.ndarray
    shipped_f1: np.ndarray
    folds: int


def _per_theme_f1(labels: np.ndarray, decided: np.ndarray) -> np.ndarray:
    tp = (labels & decided).sum(axis=0)
    denominator = labels.sum(axis=0) + decided.sum(axis=0)
    return np.where(denominator > 0, 2 * tp / np.maximum(denominator, 1), 1.0)


def with_other_rule(codebook: Codebook, decided: np.ndarray) -> np.ndarray:
    """The not-codeable theme as the pipeline decides it: for a comment no other theme fits, and only then."""
    if not codebook.other_when_untagged:
        return decided
    other = codebook.codes.index(codebook.not_codeable)
    rest = np.delete(decided, other, axis=1)
    decided = decided.copy()
    decided[:, other] = (rest.sum(axis=1) == 0).astype(decided.dtype)
    return decided


def adapt_where_it_helps(
    model: ThemeModel, codebook: Codebook, texts: list[str], hits: sparse.csr_matrix, labels: np.ndarray,
    *, min_each_way: int = MIN_EVIDENCE_EACH_WAY, folds: int = CHECK_FOLDS,
) -> CheckedAdaptation:
    """``adapt_theme_model`` for a survey's own model, refusing to override the shipped model for a theme until
    the evidence is there: at least ``min_each_way`` coded comments with the theme and without it, and
    cross-validated F1 on the coded comments above the shipped model's for that theme."""
    from sklearn.model_selection import KFold

    labels = np.asarray(labels, dtype=int).reshape(-1, len(model.codes))
    folds = min(folds, len(labels))
    shipped = with_other_rule(codebook, theme_decisions(model, codebook, texts, hits))
    crossed = shipped.copy()
    if folds >= 2:
        for train, test in KFold(folds, shuffle=True, random_state=0).split(labels):
            fitted = adapt_theme_model(model, [texts[i] for i in train], hits[train], labels[train],
                                       min_each_way=min_each_way).model
            crossed[test] = theme_decisions(fitted, codebook, [texts[i] for i in test], hits[test])
    crossed = with_other_rule(codebook, crossed)
    full = adapt_theme_model(model, texts, hits, labels, min_each_way=min_each_way)
    adapted_f1, shipped_f1 = _per_theme_f1(labels, crossed), _per_theme_f1(labels, shipped)
    # Strictly better: where the shipped model already agrees as well, re-fitting its column changes comments
    # nobody reviewed on no evidence (30 decisions that kept the shipped themes re-tagged 18 of 1,527 comments).
    adopted = full.adapted & (adapted_f1 > shipped_f1) & (folds >= 2)
    coef, intercept, thresholds = model.coef.copy(), model.intercept.copy(), model.thresholds.copy()
    coef[:, adopted] = full.model.coef[:, adopted]
    intercept[adopted], thresholds[adopted] = full.model.intercept[adopted], full.model.thresholds[adopted]
    chosen = replace(model, coef=coef, intercept=intercept, thresholds=thresholds)
    predicted = with_other_rule(codebook, np.where(adopted, crossed, shipped))
    return CheckedAdaptation(Adaptation(chosen, adopted, full.positives, len(labels)), predicted, shipped,
                             adapted_f1, shipped_f1, folds)


# A survey's own sentiment model in the app adopts the adapted sentiment model only with at least this many of the
# survey's sentiment decisions of each of positive, neutral and negative (as the themes need five each way: fewer,
# and one fold of the check can hold none of a sentiment), and only where, cross-validated on those decisions, its
# macro-F1 is strictly better than the shipped model's and its accuracy no worse (macro-F1 first, as neutral is
# the weak class and accuracy alone would let it be traded away for the common ones).
MIN_SENTIMENT_EACH = 5


@dataclass(frozen=True)
class CheckedSentiment:
    """The sentiment model adapted to analysts' sentiment decisions, kept (``used``) only where cross-validation
    on those decisions says it agrees with them better than the shipped model. ``accuracy`` and ``macro_f1`` are
    those of the model the survey uses (the adapted one where used, else the shipped one), each fold decided by
    a model adapted on the other folds; ``shipped_*`` the shipped model's on the same decisions."""

    model: SentimentModel | None  # the adapted model, where used
    used: bool
    decisions: int
    counts: dict[str, int]
    folds: int
    accuracy: float
    macro_f1: float
    shipped_accuracy: float
    shipped_macro_f1: float


def sentiment_decisions_of(model: SentimentModel, lemmas: list[str], raw_texts: list[str], praise: list[bool]
                        ) -> np.ndarray:
    """The overall sentiment the pipeline gives these comments (indices into SENTIMENTS), from featurised text."""
    return model.probabilities(lemmas, raw_texts, praise).argmax(axis=1)


def adapt_sentiment_where_it_helps(
    model: SentimentModel, lemmas: list[str], raw_texts: list[str], praise: list[bool], sentiments: list[str],
    *, min_each: int = MIN_SENTIMENT_EACH, folds: int = CHECK_FOLDS,
) -> CheckedSentiment:
    """``adapt_sentiment_model`` for a survey's own model, refusing to override the shipped model until the
    evidence is there: ``min_each`` decisions of each sentiment and a better cross-validated fit (see
    ``MIN_SENTIMENT_EACH``). ``praise`` marks answers to praise-only questions, as the pipeline reads them."""
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import StratifiedKFold

    y = np.array([SENTIMENTS.index(sentiment) for sentiment in sentiments])
    counts = {name: int((y == i).sum()) for i, name in enumerate(SENTIMENTS)}
    shipped = sentiment_decisions_of(model, lemmas, raw_texts, praise)
    crossed, adapted = shipped.copy(), None
    enough = min(counts.values()) >= max(min_each, folds)
    if enough:
        for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(y, y):
            fitted = adapt_sentiment_model(model, [lemmas[i] for i in train], [raw_texts[i] for i in train],
                                           [sentiments[i] for i in train])
            crossed[test] = sentiment_decisions_of(fitted, [lemmas[i] for i in test], [raw_texts[i] for i in test],
                                                [praise[i] for i in test])

    def scores(decided: np.ndarray) -> tuple[float, float]:
        return (float(accuracy_score(y, decided)),
                float(f1_score(y, decided, labels=range(len(SENTIMENTS)), average="macro", zero_division=0)))

    (accuracy, macro_f1), (shipped_accuracy, shipped_macro_f1) = scores(crossed), scores(shipped)
    used = enough and macro_f1 > shipped_macro_f1 and accuracy >= shipped_accuracy
    if used:
        adapted = adapt_sentiment_model(model, lemmas, raw_texts, sentiments)
    else:
        accuracy, macro_f1 = shipped_accuracy, shipped_macro_f1
    return CheckedSentiment(adapted, used, len(y), counts, folds if enough else 0, accuracy, macro_f1,
                            shipped_accuracy, shipped_macro_f1)

"""Trained scikit-learn models for themes and sentiment: fitting, scoring, and saving them safely with skops.

A theme model is one logistic regression per label over TF-IDF lemma n-grams plus phrase-pattern hits, with a
decision threshold per label chosen on out-of-fold predictions. Each label can be trained on its own subset of
rows, because a single-label example says nothing about the other labels.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from zipfile import ZIP_DEFLATED

import numpy as np
import skops.io as sio
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.utils.extmath import softmax

from nlp import vader
from nlp.codebook import data_dir
from nlp.features import CHAR_NGRAM_BITS, char_ngram_counts, char_ngrams, occurrence_counts, word_ngrams

SENTIMENTS = ("positive", "neutral", "negative")
# Added to the positive class score of answers to a question that asks only for praise. Real answers to two such
# questions (phase1 Trust A Q2, Trust C Q1; 2,218 comments, each scored by a model that had not seen its trust):
# accuracy 0.796 -> 0.935 and 0.940 -> 0.965 with 1.5 (1.0: 0.904, 0.962; 2.0: 0.965, 0.967). A clear
# complaint given there still scores negative.
PRAISE_QUESTION_BIAS = 1.5


def models_dir() -> Path:
    return data_dir() / "models"


def theme_model_path(codebook_slug: str) -> Path:
    return models_dir() / f"{codebook_slug}-themes.skops"


def sentiment_model_path(codebook_slug: str | None = None) -> Path:
    """The sentiment model a codebook's comments are scored with: its own where one was trained to its coding
    rules (``wmty-sentiment.skops``), else the shared one trained on the px framework's labels."""
    own = codebook_own_sentiment_path(codebook_slug) if codebook_slug else None
    return own if own is not None and own.is_file() else models_dir() / "sentiment.skops"


def codebook_own_sentiment_path(codebook_slug: str) -> Path:
    return models_dir() / f"{codebook_slug}-sentiment.skops"


def _fitted_vectorizer(texts: Sequence[str], max_features: int) -> TfidfVectorizer:
    return _vectorizer(max_features).fit(texts)


def _vectorizer_state(vectorizer: TfidfVectorizer) -> dict[str, np.ndarray]:
    """Vocabulary and IDF weights as arrays: skops writes a fitted vectorizer's dict item by item (16 MB)."""
    terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
    return {"terms": np.array(terms, dtype=str), "idf": vectorizer.idf_.astype(np.float32)}


def _vectorizer_from_state(terms: np.ndarray, idf: np.ndarray) -> TfidfVectorizer:
    vectorizer = _vectorizer(len(terms))
    vectorizer.vocabulary_ = {str(term): index for index, term in enumerate(terms)}
    vectorizer.idf_ = np.asarray(idf, dtype=np.float64)
    return vectorizer


def _vectorizer(max_features: int) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer=word_ngrams,
        min_df=2,
        max_df=0.5,
        sublinear_tf=True,
        max_features=max_features,
        dtype=np.float32,
    )


def _best_threshold(truth: np.ndarray, scores: np.ndarray) -> float:
    """The score cut-off that gives the best F1 on out-of-fold predictions (0.5 if too few positives)."""
    if truth.sum() < 3:
        return 0.5
    best, best_f1 = 0.5, -1.0
    for threshold in np.arange(0.1, 0.91, 0.025):
        predicted = scores >= threshold
        tp = float((predicted & truth).sum())
        f1 = 2 * tp / (predicted.sum() + truth.sum()) if predicted.sum() + truth.sum() else 0.0
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(threshold), f1
    return best


@dataclass
class ThemeModel:
    """Per-label logistic regressions sharing one TF-IDF vocabulary, with per-label thresholds."""

    codes: list[str]
    vectorizer: TfidfVectorizer
    coef: np.ndarray  # (n_features + n_codes, n_codes)
    intercept: np.ndarray  # (n_codes,)
    thresholds: np.ndarray  # (n_codes,)
    positives: np.ndarray  # (n_codes,) training examples per label; too few and patterns decide instead
    pattern_weight: float = 1.0

    def scores(self, texts: Sequence[str], hits: sparse.csr_matrix) -> np.ndarray:
        """Probability-like score per comment and label, shape (n_texts, n_codes)."""
        if not texts:
            return np.zeros((0, len(self.codes)), dtype=np.float32)
        words = self.vectorizer.transform(texts)
        matrix = sparse.hstack([words, hits * self.pattern_weight], format="csr")
        scores = 1.0 / (1.0 + np.exp(-(matrix @ self.coef + self.intercept)))
        # A comment with no word the model knows gets no model themes rather than the label priors.
        scores[np.diff(words.indptr) == 0] = 0.0
        return scores.astype(np.float32)

    @classmethod
    def fit(
        cls,
        codes: Sequence[str],
        texts: Sequence[str],
        hits: sparse.csr_matrix,
        labels: np.ndarray,
        known: np.ndarray,
        *,
        weights: np.ndarray | None = None,
        calibrate: np.ndarray | None = None,
        max_features: int = 20000,
        regularisation: float = 4.0,
        folds: int = 4,
        seed: int = 0,
    ) -> ThemeModel:
        """Fit on ``labels`` (n, k) 0/1, using for label j only rows where ``known[:, j]`` is true.

        Thresholds are chosen on out-of-fold scores of the rows where ``calibrate`` is true (all rows if None):
        rows where every label was judged, so a missing label there really means absent.
        """
        vectorizer = _fitted_vectorizer(texts, max_features)
        matrix = sparse.hstack([vectorizer.transform(texts), hits], format="csr")
        weights = np.ones(len(texts)) if weights is None else weights
        coef = np.zeros((matrix.shape[1], len(codes)), dtype=np.float32)
        intercept = np.zeros(len(codes), dtype=np.float32)
        thresholds = np.full(len(codes), 0.5, dtype=np.float32)
        positives = np.array([labels[known[:, j], j].sum() for j in range(len(codes))], dtype=np.int32)
        for j in range(len(codes)):
            rows = np.flatnonzero(known[:, j])
            y = labels[rows, j].astype(int)
            if y.sum() == 0 or y.sum() == len(y):
                intercept[j] = -8.0 if y.sum() == 0 else 8.0
                continue
            x, w = matrix[rows], weights[rows]
            oof = np.zeros(len(rows))
            splits = min(folds, int(y.sum()))
            if splits >= 2:
                for train, test in KFold(splits, shuffle=True, random_state=seed).split(rows):
                    if y[train].sum() == 0:
                        continue
                    model = _binary_model(regularisation).fit(x[train], y[train], sample_weight=w[train])
                    oof[test] = model.predict_proba(x[test])[:, 1]
                chosen = np.ones(len(rows), dtype=bool) if calibrate is None else calibrate[rows]
                if not chosen.any():
                    chosen[:] = True
                thresholds[j] = _best_threshold(y[chosen].astype(bool), oof[chosen])
            model = _binary_model(regularisation).fit(x, y, sample_weight=w)
            coef[:, j] = model.coef_[0]
            intercept[j] = model.intercept_[0]
        return cls(list(codes), vectorizer, coef, intercept, thresholds, positives)

    def _state(self) -> dict:
        return {
            "codes": self.codes,
            **_vectorizer_state(self.vectorizer),
            "coef": self.coef.astype(np.float16),
            "intercept": self.intercept,
            "thresholds": self.thresholds,
            "positives": self.positives,
            "pattern_weight": self.pattern_weight,
        }

    def to_bytes(self) -> bytes:
        """The model as skops bytes, to keep in a database (a survey's adapted model)."""
        return sio.dumps(self._state(), compression=ZIP_DEFLATED)

    @classmethod
    def from_bytes(cls, data: bytes) -> ThemeModel:
        return cls._from_state(_stored_state(data, "theme model"))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        sio.dump(self._state(), path)

    @classmethod
    def load(cls, path: Path) -> ThemeModel:
        return cls._from_state(_safe_load(path))

    @classmethod
    def _from_state(cls, state: dict) -> ThemeModel:
        return cls(
            codes=list(state["codes"]),
            vectorizer=_vectorizer_from_state(state["terms"], state["idf"]),
            coef=np.asarray(state["coef"], dtype=np.float32),
            intercept=np.asarray(state["intercept"], dtype=np.float32),
            thresholds=np.asarray(state["thresholds"], dtype=np.float32),
            positives=np.asarray(state["positives"], dtype=np.int32),
            pattern_weight=float(state["pattern_weight"]),
        )


def _binary_model(regularisation: float) -> LogisticRegression:
    return LogisticRegression(C=regularisation, class_weight="balanced", solver="liblinear", max_iter=200)


def vader_features(raw_texts: Sequence[str]) -> sparse.csr_matrix:
    """VADER's lexicon scores as seven columns: compound, its positive and negative parts, pos, neg, and signs.

    VADER (shipped with its lexicon in vaderSentiment) reads negation, intensifiers and "but" from the raw text,
    which the lemma n-grams see only partly; it helped most on services the model was not trained on.
    """
    analyser = vader.analyser()
    rows = np.zeros((len(raw_texts), 7), dtype=np.float32)
    for i, text in enumerate(raw_texts):
        found = analyser.polarity_scores(text)
        compound = found["compound"]
        rows[i] = (
            compound,
            max(compound, 0.0),
            max(-compound, 0.0),
            found["pos"],
            found["neg"],
            compound > 0.05,
            compound < -0.05,
        )
    return sparse.csr_matrix(rows)


@dataclass
class CharNgrams:
    """TF-IDF of hashed character 2-5-grams of the raw comment (sublinear tf, L2-normalised), over the hash
    buckets seen in at least ``min_df`` training comments. Reads misspellings and word pieces ("unhelpful",
    "rudeness", "v good") that lemma n-grams miss; helped sentiment on services the model was not trained on."""

    buckets: np.ndarray  # (n_kept,) hash buckets kept, ascending
    idf: np.ndarray  # (n_kept,)

    def __post_init__(self) -> None:
        self._column = np.full(1 << CHAR_NGRAM_BITS, -1, dtype=np.int64)
        self._column[self.buckets] = np.arange(len(self.buckets))

    @classmethod
    def fit(cls, raw_texts: Sequence[str], min_df: int = 2) -> CharNgrams:
        counts = char_ngram_counts(raw_texts)
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        buckets = np.flatnonzero(df >= min_df)
        idf = np.log((1 + counts.shape[0]) / (1 + df[buckets])) + 1
        return cls(buckets.astype(np.int32), idf.astype(np.float32))

    def transform(self, raw_texts: Sequence[str]) -> sparse.csr_matrix:
        rows, buckets = char_ngrams(raw_texts)
        columns = self._column[buckets]
        kept = columns >= 0  # n-grams not kept in training are dropped before counting
        counts = occurrence_counts(rows[kept], columns[kept], (len(raw_texts), len(self.buckets)))
        rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
        values = (1 + np.log(counts.data)) * self.idf[counts.indices]
        norms = np.sqrt(np.bincount(rows, weights=values.astype(np.float64) ** 2, minlength=counts.shape[0]))
        counts.data = (values / np.where(norms > 0, norms, 1.0)[rows]).astype(np.float32)
        return counts


@dataclass
class SentimentModel:
    """Three-class sentiment (positive, neutral or mixed, negative) from TF-IDF lemma n-grams, VADER scores and
    hashed character n-grams of the raw text.

    ``bias`` is added to the class scores before the arg-max; it was chosen on held-out services to trade a
    little neutral recall for negative recall (a missed complaint costs more than a mislabelled mixed comment).
    """

    vectorizer: TfidfVectorizer
    coef: np.ndarray  # (n_features [+ 7 VADER columns] [+ char n-gram columns], 3)
    intercept: np.ndarray  # (3,)
    use_vader: bool = False
    bias: np.ndarray | None = None  # (3,)
    chars: CharNgrams | None = None
    praise_bias: float = PRAISE_QUESTION_BIAS  # added to the positive score of answers to praise-only questions

    def _matrix(self, texts: Sequence[str], raw_texts: Sequence[str] | None) -> sparse.csr_matrix:
        parts = [self.vectorizer.transform(texts)]
        raw = raw_texts if raw_texts is not None else texts
        if self.use_vader:
            parts.append(vader_features(raw))
        if self.chars is not None:
            parts.append(self.chars.transform(raw))
        return parts[0] if len(parts) == 1 else sparse.hstack(parts, format="csr")

    def probabilities(
        self, texts: Sequence[str], raw_texts: Sequence[str] | None = None, praise: Sequence[bool] | None = None
    ) -> np.ndarray:
        """Shape (n_texts, 3), columns in the order of SENTIMENTS. ``texts`` are lemma strings, ``raw_texts``
        the comments as written (for VADER and character n-grams; the lemma strings stand in if not given).
        ``praise`` marks answers to a question asking only for praise: they lean positive."""
        if not texts:
            return np.zeros((0, 3), dtype=np.float32)
        logits = self._matrix(texts, raw_texts) @ self.coef + self.intercept
        if self.bias is not None:
            logits = logits + self.bias
        if praise is not None:
            logits = np.asarray(logits)
            logits[np.asarray(praise, dtype=bool), 0] += self.praise_bias
        return softmax(np.asarray(logits, dtype=np.float64)).astype(np.float32)

    @classmethod
    def fit(
        cls,
        texts: Sequence[str],
        sentiments: Sequence[str],
        *,
        raw_texts: Sequence[str] | None = None,
        weights: np.ndarray | None = None,
        max_features: int = 30000,
        regularisation: float = 4.0,
        use_vader: bool = True,
        char_ngrams: bool = True,
        class_weight: str | None = None,
        bias: Sequence[float] = (0.0, 0.0, 0.0),
        praise_bias: float = PRAISE_QUESTION_BIAS,
    ) -> SentimentModel:
        vectorizer = _fitted_vectorizer(texts, max_features)
        chars = CharNgrams.fit(raw_texts if raw_texts is not None else texts) if char_ngrams else None
        model = cls(
            vectorizer, np.zeros((0, 3)), np.zeros(3), use_vader, np.asarray(bias, dtype=np.float32), chars, praise_bias
        )
        y = np.array([SENTIMENTS.index(sentiment) for sentiment in sentiments])
        fitted = LogisticRegression(C=regularisation, class_weight=class_weight, max_iter=2000)
        fitted.fit(model._matrix(texts, raw_texts), y, sample_weight=weights)
        coef = np.zeros((3, fitted.coef_.shape[1]), dtype=np.float32)
        intercept = np.zeros(3, dtype=np.float32)
        coef[fitted.classes_] = fitted.coef_
        intercept[fitted.classes_] = fitted.intercept_
        model.coef, model.intercept = coef.T.copy(), intercept
        return model

    def _state(self) -> dict:
        chars = {}
        if self.chars is not None:
            chars = {"char_buckets": self.chars.buckets.astype(np.int32), "char_idf": self.chars.idf.astype(np.float32)}
        return {
            **_vectorizer_state(self.vectorizer),
            "coef": self.coef.astype(np.float16),
            "intercept": self.intercept,
            "use_vader": int(self.use_vader),
            "bias": np.zeros(3, dtype=np.float32) if self.bias is None else self.bias.astype(np.float32),
            "praise_bias": np.array([self.praise_bias], dtype=np.float32),
            **chars,
        }

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        sio.dump(self._state(), path, compression=ZIP_DEFLATED)

    def to_bytes(self) -> bytes:
        """The model as skops bytes, to keep in a database (a survey's adapted sentiment model)."""
        return sio.dumps(self._state(), compression=ZIP_DEFLATED)

    @classmethod
    def from_bytes(cls, data: bytes) -> SentimentModel:
        return cls._from_state(_stored_state(data, "sentiment model"))

    @classmethod
    def load(cls, path: Path) -> SentimentModel:
        return cls._from_state(_safe_load(path))

    @classmethod
    def _from_state(cls, state: dict) -> SentimentModel:
        chars = None
        if "char_buckets" in state:
            chars = CharNgrams(np.asarray(state["char_buckets"], dtype=np.int32), np.asarray(state["char_idf"]))
        return cls(
            _vectorizer_from_state(state["terms"], state["idf"]),
            np.asarray(state["coef"], dtype=np.float32),
            np.asarray(state["intercept"], dtype=np.float32),
            bool(state.get("use_vader", 0)),
            np.asarray(state["bias"], dtype=np.float32) if "bias" in state else None,
            chars,
            float(state["praise_bias"][0]) if "praise_bias" in state else PRAISE_QUESTION_BIAS,
        )


def _stored_state(data: bytes, what: str) -> dict:
    """A model's state from skops bytes kept in the database, refusing any type not known to be safe."""
    untrusted = [name for name in sio.get_untrusted_types(data=data) if name not in TRUSTED_TYPES]
    if untrusted:
        raise ValueError(f"stored {what}: refusing to load types not known to be safe: {untrusted}")
    return sio.loads(data, trusted=TRUSTED_TYPES)


# Only these types may be rebuilt from a model file; anything else in it is refused.
TRUSTED_TYPES = [
    "numpy.float32",
    "numpy.float16",
    "numpy.dtype",
    "builtins.dict",
    "builtins.list",
]


def _safe_load(path: Path) -> dict:
    untrusted = [name for name in sio.get_untrusted_types(file=path) if name not in TRUSTED_TYPES]
    if untrusted:
        raise ValueError(f"{path}: refusing to load types not known to be safe: {', '.join(untrusted)}")
    return sio.load(path, trusted=TRUSTED_TYPES)


def write_card(path: Path, card: dict) -> None:
    path.write_text(json.dumps(card, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")


def artefact_hash(paths: Sequence[Path]) -> str:
    """A short hash of the given files' bytes (missing files count as empty)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]

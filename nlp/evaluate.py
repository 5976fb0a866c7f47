"""Measuring the engine against labelled comments: theme F1 scores and sentiment accuracy.

``evaluate_file`` scores the shipped pipeline on any file in the pxtextmining v6 format (what
``engagement nlp evaluate`` prints); ``score`` is the arithmetic shared with the benchmark's experiments.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, recall_score

from nlp.analyse import analyse_comments
from nlp.codebook import load_codebook
from nlp.models import SENTIMENTS
from nlp.public_data import read_v6_file

MIN_POSITIVES_FOR_MACRO = 5
FORMATS = ("pxtextmining-v6",)


@dataclass(frozen=True)
class Evaluation:
    """Scores on one labelled set. Macro-F1 averages labels with at least 5 positives in the set."""

    comments: int
    micro_f1: float
    macro_f1: float
    samples_f1: float
    per_label_f1: dict[str, float]
    positives: dict[str, int]
    sentiment_rated: int
    sentiment_accuracy: float | None
    sentiment_macro_f1: float | None
    sentiment_negative_recall: float | None

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    def to_text(self) -> str:
        lines = [
            f"comments            {self.comments}",
            f"themes micro-F1     {self.micro_f1:.3f}",
            f"themes macro-F1     {self.macro_f1:.3f}  (labels with >= {MIN_POSITIVES_FOR_MACRO} positives)",
            f"themes samples-F1   {self.samples_f1:.3f}",
        ]
        if self.sentiment_accuracy is not None:
            lines += [
                f"sentiment rated     {self.sentiment_rated}",
                f"sentiment accuracy  {self.sentiment_accuracy:.3f}",
                f"sentiment macro-F1  {self.sentiment_macro_f1:.3f}",
                f"negative recall     {self.sentiment_negative_recall:.3f}",
            ]
        lines.append("per-label F1 (positives):")
        for label, value in sorted(self.per_label_f1.items(), key=lambda item: -self.positives[item[0]]):
            lines.append(f"  {value:.3f}  ({self.positives[label]:>4})  {label}")
        return "\n".join(lines)


def score(
    labels: Sequence[str],
    truth: np.ndarray,
    predicted: np.ndarray,
    true_sentiment: Sequence[str | None] = (),
    predicted_sentiment: Sequence[str] = (),
) -> Evaluation:
    """Theme and sentiment scores from 0/1 matrices (comments x labels) and sentiment lists."""
    positives = truth.sum(axis=0)
    per_label = f1_score(truth, predicted, average=None, zero_division=0)
    counted = [j for j in range(len(labels)) if positives[j] >= MIN_POSITIVES_FOR_MACRO]
    rated = [i for i, value in enumerate(true_sentiment) if value is not None]
    sentiment: dict[str, float | None] = {"accuracy": None, "macro": None, "negative_recall": None}
    if rated:
        expected = [true_sentiment[i] for i in rated]
        got = [predicted_sentiment[i] for i in rated]
        sentiment = {
            "accuracy": float(accuracy_score(expected, got)),
            "macro": float(f1_score(expected, got, average="macro", labels=list(SENTIMENTS), zero_division=0)),
            "negative_recall": float(
                recall_score(expected, got, labels=["negative"], average="macro", zero_division=0)
            ),
        }
    return Evaluation(
        comments=len(truth),
        micro_f1=float(f1_score(truth, predicted, average="micro", zero_division=0)),
        macro_f1=float(np.mean([per_label[j] for j in counted])) if counted else 0.0,
        samples_f1=float(f1_score(truth, predicted, average="samples", zero_division=0)),
        per_label_f1={labels[j]: round(float(per_label[j]), 3) for j in range(len(labels)) if positives[j] > 0},
        positives={labels[j]: int(positives[j]) for j in range(len(labels)) if positives[j] > 0},
        sentiment_rated=len(rated),
        sentiment_accuracy=sentiment["accuracy"],
        sentiment_macro_f1=sentiment["macro"],
        sentiment_negative_recall=sentiment["negative_recall"],
    )


def evaluate_file(path: str | Path, codebook: str = "px", data_format: str = "pxtextmining-v6") -> Evaluation:
    """Run the shipped pipeline on a labelled file and score it (labels mapped through the codebook crosswalk)."""
    if data_format not in FORMATS:
        raise ValueError(f"unknown format {data_format!r}; known formats: {', '.join(FORMATS)}")
    loaded = load_codebook(codebook)
    records = read_v6_file(Path(path), loaded, source=Path(path).stem)
    codes = loaded.codes
    truth = np.array([[int(code in record.codes) for code in codes] for record in records], dtype=int)
    analyses = list(analyse_comments([r.text for r in records], loaded.slug, questions=[r.question for r in records]))
    predicted = np.array(
        [[int(code in {tag.code for tag in analysis.themes}) for code in codes] for analysis in analyses], dtype=int
    )
    labels = [loaded.theme(code).label for code in codes]
    return score(
        labels,
        truth,
        predicted,
        [record.sentiment for record in records],
        [analysis.sentiment for analysis in analyses],
    )

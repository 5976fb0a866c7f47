"""Leave-one-source-out scoring for the wmty themes: train without a source, score on its hand-coded comments.

A source is one organisation or service (an ambulance service line, a trust, a mental-health trust's survey).
Scoring a model on comments from a source it never saw, not even through weak or crosswalked labels, is the
nearest we get to "another organisation's comments", which is what the targets are about.

``leave_one_source_out(comments, train_and_predict, codes)`` runs the loop for any way of training;
``coded_dev_comments`` joins the hand-coded development sets (keys and codes in ``data/eval``) to their texts in
../shared, each with its source.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score

from nlp import wmty_dev
from nlp.public_data import shared_datasets_dir

# Macro-F1 averages the themes with at least this many hand-coded comments in the scored set (as nlp.evaluate).
MIN_SUPPORT_FOR_MACRO = 5
DEV2_LABELS_CSV = wmty_dev.REPO / "data" / "eval" / "wmty-dev2-labels.csv"
TRAIN3_LABELS_CSV = wmty_dev.REPO / "data" / "eval" / "wmty-train3-labels.csv"


@dataclass(frozen=True)
class CodedComment:
    """A comment with the codes people gave it and the source (organisation or service) it came from."""

    text: str
    question: str | None
    codes: frozenset[str]
    source: str
    sentiment: str | None = None  # positive / neutral / negative where the coders gave one (sets 2 and 3)


@dataclass(frozen=True)
class SourceScore:
    """How a model trained without ``source`` did on that source's hand-coded comments."""

    source: str
    comments: int
    micro_f1: float
    macro_f1: float


@dataclass(frozen=True)
class LosoResult:
    """Per-source scores, the pooled scores over every held-out comment, and the pooled per-theme F1."""

    sources: list[SourceScore]
    pooled: SourceScore
    per_theme_f1: dict[str, float]
    support: dict[str, int]
    predicted: list[frozenset[str]]  # in the order of the comments given

    def to_text(self) -> str:
        lines = [f"{'source':<18} {'n':>4} {'micro-F1':>9} {'macro-F1':>9}"]
        for row in [*self.sources, self.pooled]:
            lines.append(f"{row.source:<18} {row.comments:>4} {row.micro_f1:>9.3f} {row.macro_f1:>9.3f}")
        lines.append(
            "per theme (support): "
            + ", ".join(f"{c} {f:.2f} ({self.support[c]})" for c, f in self.per_theme_f1.items() if self.support[c])
        )
        return "\n".join(lines)


def indicator(code_sets: Sequence[frozenset[str] | set[str]], codes: Sequence[str]) -> np.ndarray:
    """0/1 matrix (comments x codes)."""
    index = {code: j for j, code in enumerate(codes)}
    matrix = np.zeros((len(code_sets), len(codes)), dtype=np.int8)
    for i, found in enumerate(code_sets):
        for code in found:
            matrix[i, index[code]] = 1
    return matrix


def agreement(
    reference: Sequence[frozenset[str] | set[str]],
    other: Sequence[frozenset[str] | set[str]],
    codes: Sequence[str],
    source: str = "all",
    min_support: int = MIN_SUPPORT_FOR_MACRO,
) -> SourceScore:
    """Micro-F1 and macro-F1 (themes with ``min_support`` or more comments in ``reference``) of ``other``."""
    truth, guess = indicator(reference, codes), indicator(other, codes)
    counted = truth.sum(axis=0) >= min_support
    per_theme = f1_score(truth, guess, average=None, zero_division=0)
    return SourceScore(
        source,
        len(truth),
        float(f1_score(truth, guess, average="micro", zero_division=0)),
        float(per_theme[counted].mean()) if counted.any() else 0.0,
    )


TrainAndPredict = Callable[[str, list[CodedComment], list[CodedComment]], Sequence[frozenset[str] | set[str]]]


def leave_one_source_out(
    scored: Sequence[CodedComment],
    train_and_predict: TrainAndPredict,
    codes: Sequence[str],
    extra_training: Sequence[CodedComment] = (),
) -> LosoResult:
    """For each source of ``scored``: ``train_and_predict(source, training, held_out)`` must train on
    ``training`` (every coded comment of the other sources, ``extra_training`` included) without anything of
    ``source``, and return the codes it gives each held-out comment. Scores per source and pooled."""
    sources = sorted({comment.source for comment in scored})
    predicted: list[frozenset[str]] = [frozenset()] * len(scored)
    rows = []
    for source in sources:
        held_out = [i for i, comment in enumerate(scored) if comment.source == source]
        training = [c for c in [*scored, *extra_training] if c.source != source]
        found = train_and_predict(source, training, [scored[i] for i in held_out])
        if len(found) != len(held_out):
            raise ValueError(f"{source}: {len(found)} predictions for {len(held_out)} held-out comments")
        for i, codes_found in zip(held_out, found, strict=True):
            predicted[i] = frozenset(codes_found)
        rows.append(agreement([scored[i].codes for i in held_out], [predicted[i] for i in held_out], codes, source, 1))
    truth = indicator([comment.codes for comment in scored], codes)
    per_theme = f1_score(truth, indicator(predicted, codes), average=None, zero_division=0)
    return LosoResult(
        rows,
        agreement([comment.codes for comment in scored], predicted, codes, "all (pooled)"),
        {code: round(float(value), 3) for code, value in zip(codes, per_theme, strict=True)},
        {code: int(count) for code, count in zip(codes, truth.sum(axis=0), strict=True)},
        predicted,
    )


def _codes(cell: str) -> frozenset[str]:
    return frozenset(code.strip() for code in cell.split(";") if code.strip())


def _source_of_key(shared_dir: str | Path | None) -> dict[tuple[str, str], tuple[str, str]]:
    """(file, row key) -> (source, question kind) for every usable comment of the shared files."""
    return {
        (item.source_file, item.row_key): (item.source, item.question)
        for items in wmty_dev._v2_candidates(shared_dir).values()
        for item in items
    }


def coded_dev_comments(
    version: int, shared_dir: str | Path | None = None, labels_csv: str | Path | None = None
) -> list[CodedComment]:
    """Development set 1 (300 comments, one coder), 2 (640 comments, two coders and adjudication) or the training
    set 3 (3,000 comments, one coder each, never scored against) with texts joined from ../shared (or
    ENGAGEMENT_SHARED_DIR) and a source per comment; raises wmty_dev.DevSetError without the shared files."""
    shared_dir = shared_dir if shared_dir is not None else shared_datasets_dir().parent.parent
    texts = wmty_dev.source_texts(shared_dir)
    if version == 1:
        where = _source_of_key(shared_dir)
        rows = wmty_dev.read_labels(labels_csv or wmty_dev.LABELS_CSV)
        keyed = [
            (row["source_file"], row["row_key"], where[row["source_file"], row["row_key"]], row["codes"])
            for row in rows
        ]
        found = [(file, key, source, kind, codes, None) for file, key, (source, kind), codes in keyed]
    else:
        default = DEV2_LABELS_CSV if version == 2 else TRAIN3_LABELS_CSV
        with Path(labels_csv or default).open(newline="", encoding="utf-8") as handle:
            found = [
                (r["source_file"], r["row_key"], r["source"], r["question"], r["codes"], r.get("sentiment") or None)
                for r in csv.DictReader(handle)
            ]
    out = []
    for file, key, source, question, codes, sentiment in found:
        if key not in texts.get(file, {}):
            raise wmty_dev.DevSetError(f"label row {file}:{key} does not resolve to a comment in the shared datasets")
        out.append(
            CodedComment(texts[file][key][0], _question_words(source, question), _codes(codes), source, sentiment)
        )
    return out


# The questions as the public files word them (what the model trained on read), by the dev sets' question kind.
FILE_QUESTION = {
    "improve": "How could we improve?",
    "why": "FFT Why?",
    "satisfied-dissatisfied": "Please describe any things about the 111 service that you were particularly "
    "satisfied and/or dissatisfied with",
}


def _question_words(source: str, question: str) -> str | None:
    """The question as the training data gave it to the theme model's question-kind feature."""
    if source.startswith("trust-"):
        return None  # phase 1 question wordings were not published, and training read none
    if source == "historical-2020":
        return "What could we improve?"
    return FILE_QUESTION.get(question, question)


@dataclass(frozen=True)
class CoderAgreement:
    """How far two coders agree: theme F1 of one against the other (symmetric for micro-F1 and per-theme F1),
    exact code-set agreement, and Cohen's kappa for sentiment."""

    comments: int
    micro_f1: float
    macro_f1: float  # themes either coder used at least MIN_SUPPORT_FOR_MACRO times
    exact: float  # share of comments given exactly the same codes
    per_theme_f1: dict[str, float]
    per_theme_counts: dict[str, tuple[int, int]]  # (coder A, coder B) comments given the theme
    sentiment_kappa: float | None
    sentiment_agreement: float | None


def coder_agreement(
    first: Sequence[frozenset[str]],
    second: Sequence[frozenset[str]],
    codes: Sequence[str],
    first_sentiment: Sequence[str] = (),
    second_sentiment: Sequence[str] = (),
) -> CoderAgreement:
    """Agreement between two coders on the same comments (F1 and kappa from scikit-learn)."""
    from sklearn.metrics import cohen_kappa_score

    a, b = indicator(first, codes), indicator(second, codes)
    per_theme = f1_score(a, b, average=None, zero_division=0)
    used = np.maximum(a.sum(axis=0), b.sum(axis=0)) >= MIN_SUPPORT_FOR_MACRO
    kappa = agreed = None
    if first_sentiment:
        kappa = float(cohen_kappa_score(first_sentiment, second_sentiment))
        agreed = float(np.mean([x == y for x, y in zip(first_sentiment, second_sentiment, strict=True)]))
    return CoderAgreement(
        len(a),
        float(f1_score(a, b, average="micro", zero_division=0)),
        float(per_theme[used].mean()) if used.any() else 0.0,
        float(np.mean([x == y for x, y in zip(first, second, strict=True)])),
        {code: round(float(value), 3) for code, value in zip(codes, per_theme, strict=True)},
        {code: (int(x), int(y)) for code, x, y in zip(codes, a.sum(axis=0), b.sum(axis=0), strict=True)},
        kappa,
        agreed,
    )

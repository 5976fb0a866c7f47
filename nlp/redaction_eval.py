"""How well redaction finds personal data, measured on an invented corpus with gold character spans.

``data/eval/redaction-corpus.jsonl`` holds one comment per line: ``id``, ``split`` ("tune" or "test"), ``text``,
``spans`` (gold personal data: ``start``, ``end``, ``kind``) and ``negatives`` (hard negatives: look-alikes such as
an NHS number with a bad check digit or a postcode district, with the kind they look like). Rules are tuned on the
tune split only; the test split is the honest figure.

Scoring per kind: a predicted span is correct if it overlaps a gold span of the same kind (precision), and a gold
span is found if a predicted span of the same kind overlaps it (recall). Exact-match figures need identical
offsets. Hard negatives are counted as hit when any redaction overlaps them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nlp.redaction import PLACEHOLDERS

KINDS = tuple(PLACEHOLDERS)
CORPUS = Path(__file__).resolve().parent.parent / "data" / "eval" / "redaction-corpus.jsonl"


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str


@dataclass(frozen=True)
class CorpusComment:
    id: str
    split: str
    text: str
    spans: tuple[Span, ...]
    negatives: tuple[Span, ...] = ()


def load_corpus(path: str | Path = CORPUS, split: str | None = None) -> list[CorpusComment]:
    """The corpus comments, optionally only one split ("tune" or "test")."""
    comments = []
    with Path(path).open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            row = json.loads(line)
            comment = CorpusComment(
                id=row["id"],
                split=row["split"],
                text=row["text"],
                spans=tuple(Span(s["start"], s["end"], s["kind"]) for s in row["spans"]),
                negatives=tuple(Span(s["start"], s["end"], s["kind"]) for s in row.get("negatives", [])),
            )
            if split is None or comment.split == split:
                comments.append(comment)
    return comments


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@dataclass
class KindScore:
    """Counts and figures for one kind of personal data."""

    kind: str
    gold: int = 0
    predicted: int = 0
    correct_predicted: int = 0  # predicted spans overlapping a gold span of the same kind
    found_gold: int = 0  # gold spans overlapped by a predicted span of the same kind
    exact: int = 0  # predicted spans identical to a gold span

    @property
    def precision(self) -> float:
        return _ratio(self.correct_predicted, self.predicted)

    @property
    def recall(self) -> float:
        return _ratio(self.found_gold, self.gold)

    @property
    def f1(self) -> float:
        return _f1(self.precision, self.recall)

    @property
    def exact_precision(self) -> float:
        return _ratio(self.exact, self.predicted)

    @property
    def exact_recall(self) -> float:
        return _ratio(self.exact, self.gold)

    @property
    def exact_f1(self) -> float:
        return _f1(self.exact_precision, self.exact_recall)


@dataclass(frozen=True)
class Miss:
    """One error: a gold span not found ("missed"), a wrong redaction ("false") or a hit hard negative."""

    comment_id: str
    what: str  # "missed", "false" or "negative"
    kind: str
    value: str


@dataclass
class RedactionEvaluation:
    split: str | None
    comments: int
    scores: dict[str, KindScore]
    negatives: int = 0
    negatives_redacted: int = 0
    errors: list[Miss] = field(default_factory=list)

    @property
    def overall(self) -> KindScore:
        total = KindScore("ALL")
        for score in self.scores.values():
            for name in ("gold", "predicted", "correct_predicted", "found_gold", "exact"):
                setattr(total, name, getattr(total, name) + getattr(score, name))
        return total

    def to_text(self, show_errors: bool = False) -> str:
        title = f"Redaction on {self.split or 'all'} split: {self.comments} comments, {self.negatives} hard negatives"
        lines = [
            title,
            f"{'kind':<11} {'gold':>4} {'pred':>4}  {'P':>5} {'R':>5} {'F1':>5}   {'P=':>5} {'R=':>5} {'F1=':>5}",
        ]
        for score in [*self.scores.values(), self.overall]:
            lines.append(
                f"{score.kind:<11} {score.gold:>4} {score.predicted:>4}  {score.precision:>5.3f} {score.recall:>5.3f} "
                f"{score.f1:>5.3f}   {score.exact_precision:>5.3f} {score.exact_recall:>5.3f} {score.exact_f1:>5.3f}"
            )
        lines.append("P/R/F1: overlap with a gold span of the same kind; P=/R=/F1=: exact offsets.")
        lines.append(f"Hard negatives redacted: {self.negatives_redacted} of {self.negatives}")
        if show_errors:
            lines.extend(f"  {e.comment_id} {e.what:<8} {e.kind:<10} {e.value!r}" for e in self.errors)
        return "\n".join(lines)


def _overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def score_predictions(
    comments: Sequence[CorpusComment], predictions: Sequence[Sequence[Span]], split: str | None = None
) -> RedactionEvaluation:
    """Score predicted spans (one list per comment) against the gold spans."""
    scores = {kind: KindScore(kind) for kind in KINDS}
    evaluation = RedactionEvaluation(split, len(comments), scores)
    for comment, predicted in zip(comments, predictions, strict=True):
        for gold in comment.spans:
            score = scores[gold.kind]
            score.gold += 1
            if any(p.kind == gold.kind and _overlap(p.start, p.end, gold.start, gold.end) for p in predicted):
                score.found_gold += 1
            else:
                evaluation.errors.append(Miss(comment.id, "missed", gold.kind, comment.text[gold.start : gold.end]))
        gold_set = set(comment.spans)
        for p in predicted:
            score = scores[p.kind]
            score.predicted += 1
            if p in gold_set:
                score.exact += 1
            if any(g.kind == p.kind and _overlap(p.start, p.end, g.start, g.end) for g in comment.spans):
                score.correct_predicted += 1
            else:
                evaluation.errors.append(Miss(comment.id, "false", p.kind, comment.text[p.start : p.end]))
        for negative in comment.negatives:
            evaluation.negatives += 1
            if any(_overlap(p.start, p.end, negative.start, negative.end) for p in predicted):
                evaluation.negatives_redacted += 1
                evaluation.errors.append(
                    Miss(comment.id, "negative", negative.kind, comment.text[negative.start : negative.end])
                )
    return evaluation


def predict_spans(texts: Sequence[str], codebook: str = "wmty") -> list[list[Span]]:
    """Redactions the real engine (``nlp.analyse_comments``) makes in each text."""
    from nlp.analyse import analyse_comments

    return [[Span(r.start, r.end, r.kind) for r in result.redactions] for result in analyse_comments(texts, codebook)]


def evaluate_redaction(path: str | Path = CORPUS, split: str | None = None) -> RedactionEvaluation:
    """Run the engine on the corpus (or one split of it) and score redaction per kind."""
    comments = load_corpus(path, split)
    return score_predictions(comments, predict_spans([c.text for c in comments]), split)


__all__ = [
    "CORPUS",
    "KINDS",
    "CorpusComment",
    "KindScore",
    "RedactionEvaluation",
    "Span",
    "evaluate_redaction",
    "load_corpus",
    "score_predictions",
]

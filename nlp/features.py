"""What the classifiers see of a comment: lower-cased lemmas, the kind of question answered, pattern hits.

Shared by training and by the pipeline components so a model always sees the same features it was trained on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from spacy.tokens import Doc, Span

# The question asked is a feature: praise answers "what was good", suggestions answer "how could we improve".
QUESTION_KINDS = {
    "improve": re.compile(r"improve|better|change|could we|do differently|suggest", re.IGNORECASE),
    "why": re.compile(r"\bwhy\b|reason", re.IGNORECASE),
    "good": re.compile(r"good|best|well|like|satisf|positive", re.IGNORECASE),
}


def question_kind(question: str | None) -> str:
    """``improve``, ``why``, ``good`` or ``unknown`` for the question a comment answered."""
    if not question:
        return "unknown"
    for kind, pattern in QUESTION_KINDS.items():
        if pattern.search(question):
            return kind
    return "unknown"


def lemmas(doc: Doc | Span) -> str:
    """Lower-cased lemmas of a comment (or sentence), space-separated."""
    return " ".join(token.lemma_.lower() or token.lower_ for token in doc if not token.is_space)


def with_question(lemma_string: str, question: str | None) -> str:
    """Lemmas prefixed with a token for the kind of question answered."""
    kind = question_kind(question)
    # No token when the question is unknown, so "unknown" cannot stand in for which dataset a row came from.
    return lemma_string if kind == "unknown" else f"qkind{kind} {lemma_string}"


def lemma_text(doc: Doc | Span, question: str | None = None) -> str:
    """Lower-cased lemmas of the comment, prefixed with a token for the kind of question answered."""
    return with_question(lemmas(doc), question)


def pattern_hits(matches_per_doc: Sequence[Sequence[tuple[str, int, int]]], codes: Sequence[str]) -> sparse.csr_matrix:
    """One column per theme: 1 where a phrase pattern of that theme matched the comment."""
    column = {code: index for index, code in enumerate(codes)}
    rows, cols = [], []
    for row, matches in enumerate(matches_per_doc):
        for code in {code for code, _, _ in matches}:
            rows.append(row)
            cols.append(column[code])
    data = np.ones(len(rows), dtype=np.float32)
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(matches_per_doc), len(codes)), dtype=np.float32)
